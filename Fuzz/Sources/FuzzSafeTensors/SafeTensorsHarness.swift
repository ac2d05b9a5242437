// libFuzzer harness for the safetensors reader. The first input byte picks the mode (its low bit):
//   0: the rest is a model.safetensors file as is;
//   1: the rest drives a header generator (HeaderRecipe): tensors with fuzzed dtypes, shapes and
//      offsets — any 64-bit values, or offsets consistent with the shape — serialised with
//      JSONSerialization. Foundation's JSON parser is not instrumented, so in mode 0 the mutator gets
//      no signal for numbers inside the JSON; mode 1 hands it the numbers directly.
// SafeTensorsFile maps a file, so the input goes through a tmpfs file. Then everything a loader does
// with an accepted file: list the tensors, scan for non-finite values, convert small tensors (and a
// window of larger ones) to Float, release pages, and go through WeightStore with the declared shapes.
// A thrown SafeTensorsError/WeightStoreError is the right answer to bad input; a trap, an ASan report,
// a hang or a huge allocation is a finding.
import Foundation
import FuzzSupport
import SafeTensors
import TestSupport

enum SafeTensorsHarness {
    nonisolated(unsafe) static var path = ""

    /// Seeds written by the library's own writer: every dtype, an empty tensor, metadata.
    static func seeds() throws -> [(String, [UInt8])] {
        let one = SafeTensorsWriter.encode([
            TensorToWrite(name: "a", dtype: .f32, shape: [2, 3], values: [1, -2, 3.5, 0, .infinity, 6]),
        ])
        let mixed = SafeTensorsWriter.encode([
            TensorToWrite(name: "w", dtype: .f16, shape: [3], values: [0.5, -1, 65504]),
            TensorToWrite(name: "b", dtype: .bf16, shape: [2, 2], values: [1, 2, .nan, 4]),
            TensorToWrite(name: "e", dtype: .f32, shape: [0, 4], values: []),
            TensorToWrite(name: "s", dtype: .f32, shape: [], values: [7]),
        ], metadata: ["format": "pt", "note": "fuzz seed"])
        let recipe: [UInt8] = [1, 2, 0, 2, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        return [("one_f32.safetensors", [0] + Array(one)), ("mixed.safetensors", [0] + Array(mixed)), ("recipe", recipe)]
    }

    /// Mode 1: reads choices from the input and builds a file (header JSON + payload).
    struct HeaderRecipe {
        var bytes: UnsafeBufferPointer<UInt8>
        var at = 0
        mutating func u8() -> UInt8 { defer { at += 1 }; return at < bytes.count ? bytes[at] : 0 }
        mutating func i64() -> Int64 {
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(u8()) << (8 * UInt64(i)) }
            return Int64(bitPattern: v)
        }
        /// A dimension: usually small, sometimes any 64-bit value (negative and huge included).
        mutating func number() -> Int64 {
            let kind = u8()
            switch kind % 4 {
            case 0, 1: return Int64(kind >> 2)
            case 2: return Int64(u8()) << (u8() % 64)
            default: return i64()
            }
        }

        mutating func file() -> [UInt8] {
            var header: [String: Any] = [:]
            var next: Int64 = 0
            let count = Int(u8() % 4) + 1
            for t in 0..<count {
                let dtypes = ["F32", "F16", "BF16", "I8"]
                let dtype = dtypes[Int(u8()) % dtypes.count]
                let size: Int64 = dtype == "F32" ? 4 : (dtype == "I8" ? 1 : 2)
                let rank = Int(u8() % 5)
                let shape = (0..<rank).map { _ in number() }
                let offsets: [Int64]
                if u8() % 2 == 0 {
                    // Consistent with the shape (wrapping: the point is to reach the overflow checks).
                    let bytes = shape.reduce(size) { $0 &* $1 }
                    offsets = [next, next &+ bytes]
                } else {
                    offsets = [number(), number()]
                }
                next = offsets[1]
                header["t\(t)"] = ["dtype": dtype, "shape": shape, "data_offsets": offsets]
            }
            if u8() % 4 == 0 { header["__metadata__"] = ["format": "pt"] }
            guard let json = try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]) else { return [] }
            let payload = Int(min(max(next, 0), 1 << 16))
            var out = [UInt8]()
            withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: json)
            out.append(contentsOf: repeatElement(0x3C, count: payload))
            return out
        }
    }
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> Int32 {
    FuzzScratch.writeSeedsIfAsked(SafeTensorsHarness.seeds)
    SafeTensorsHarness.path = FuzzScratch.directory("safetensors").appendingPathComponent("model.safetensors").path
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 1 else { return 0 }
    let path = SafeTensorsHarness.path
    let rest = UnsafeBufferPointer(start: data + 1, count: size - 1)
    if data[0] & 1 == 0 {
        FuzzScratch.write(UnsafeRawBufferPointer(rest), to: path)
    } else {
        var recipe = SafeTensorsHarness.HeaderRecipe(bytes: rest)
        FuzzScratch.write(recipe.file(), to: path)
    }
    guard let file = try? SafeTensorsFile(url: URL(fileURLWithPath: path)) else { return 0 }
    let store = WeightStore(file: file)
    for name in file.names {
        guard let info = try? file.info(name) else { FuzzScratch.violated("listed tensor '\(name)' has no info") }
        // Promises of the header check: the range lies in the data section and matches dtype × shape.
        if info.begin < 0 || info.end < info.begin || info.end - info.begin != info.count * info.dtype.byteSize
            || 8 + file.headerBytes.count + info.end > file.fileSize {
            FuzzScratch.violated("tensor '\(name)' accepted with range [\(info.begin), \(info.end)) shape \(info.shape)")
        }
        _ = file.nonFiniteCount(info)
        let window = min(info.count, 64)
        if window > 0 {
            var buf = [Float](repeating: 0, count: window)
            buf.withUnsafeMutableBufferPointer { file.read(info, elements: info.count - window, count: window, into: $0.baseAddress!) }
        }
        if info.count <= 1 << 16 {
            let all = try? file.floats(name)
            if all?.count != info.count { FuzzScratch.violated("floats('\(name)') returned \(all?.count ?? -1) of \(info.count)") }
            _ = try? store.tensor(name, shape: info.shape)
        }
        file.releasePages(info)
    }
    _ = file.metadata.count
    return 0
}
