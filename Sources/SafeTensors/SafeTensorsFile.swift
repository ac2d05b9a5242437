// A memory-mapped safetensors file with a strictly validated header.
//
// Layout: u64 little-endian header length N, N bytes of UTF-8 JSON
//   {"name": {"dtype": "F16", "shape": [..], "data_offsets": [begin, end]}, ..., "__metadata__": {str: str}}
// then the data section; offsets are relative to its first byte. Every check that can be done on the
// header is done at open time (length vs file size, offsets inside the data section, end − begin ==
// dtype size × shape product, no two tensors overlapping), so a later read can trust its range.
// Only F32, F16 and BF16 tensors are accepted (the dtype is read per tensor, never from config.json).
import FileIO
import CKernels
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16"
    public var byteSize: Int { self == .f32 ? 4 : 2 }
}

public struct TensorInfo: Sendable, Equatable {
    public var name: String
    public var dtype: SafeTensorsDType
    public var shape: [Int]
    /// Byte range inside the data section.
    public var begin: Int
    public var end: Int
    public var count: Int { shape.reduce(1, *) }
}

/// A problem with a weights file; the description names the file and, where known, the tensor.
public struct SafeTensorsError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var tensor: String?
    public var problem: String
    public init(file: String, tensor: String? = nil, _ problem: String) {
        self.file = file; self.tensor = tensor; self.problem = problem
    }
    public var description: String {
        if let tensor { return "\(file): tensor '\(tensor)': \(problem)" }
        return "\(file): \(problem)"
    }
}

public final class SafeTensorsFile: @unchecked Sendable {
    public let url: URL
    public let tensors: [String: TensorInfo]
    public let metadata: [String: String]
    /// The raw header JSON bytes (hashed into model identities).
    public let headerBytes: Data
    public let fileSize: Int
    private let base: UnsafeMutableRawPointer?
    private let dataStart: Int

    public var fileName: String { url.lastPathComponent }
    public var names: [String] { tensors.keys.sorted() }

    public init(url: URL) throws {
        self.url = url
        let name = url.lastPathComponent
        // SafeFile: a FIFO, device or directory is refused before anything could block on it.
        let file: SafeFile
        do { file = try SafeFile(path: url.path) } catch let e as SafeFileError {
            throw SafeTensorsError(file: name, e.reason)
        }
        let fd = file.fd
        let size = file.size
        fileSize = size
        guard size >= 8 else {
            throw SafeTensorsError(file: name, "file is \(size) bytes, too short for a safetensors header (truncated?)")
        }
        guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else {
            throw SafeTensorsError(file: name, "cannot memory-map (\(String(cString: strerror(errno))))")
        }
        var ok = false
        defer { if !ok { munmap(map, size) } }
        let raw = UnsafeRawPointer(map)
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(raw.load(fromByteOffset: i, as: UInt8.self)) << (8 * UInt64(i)) }
        guard n <= UInt64(size - 8) else {
            throw SafeTensorsError(file: name, "header length \(n) exceeds the file size \(size) (truncated or not a safetensors file)")
        }
        let headerLength = Int(n)
        let header = Data(bytes: raw + 8, count: headerLength)
        let (tensors, metadata) = try Self.parseHeader(header, file: name, dataSize: size - 8 - headerLength)
        self.tensors = tensors
        self.metadata = metadata
        self.headerBytes = header
        self.base = map
        self.dataStart = 8 + headerLength
        ok = true
    }

    deinit { if let base { munmap(base, fileSize) } }

    static func parseHeader(_ header: Data, file: String, dataSize: Int) throws -> ([String: TensorInfo], [String: String]) {
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: header) } catch {
            throw SafeTensorsError(file: file, "header is not valid JSON")
        }
        guard let object = json as? [String: Any] else {
            throw SafeTensorsError(file: file, "header is not a JSON object")
        }
        var tensors: [String: TensorInfo] = [:]
        var metadata: [String: String] = [:]
        for (key, value) in object {
            if key == "__metadata__" {
                guard let dict = value as? [String: Any] else {
                    throw SafeTensorsError(file: file, "__metadata__ is not an object")
                }
                for (k, v) in dict {
                    guard let s = v as? String else {
                        throw SafeTensorsError(file: file, "__metadata__['\(k)'] is not a string")
                    }
                    metadata[k] = s
                }
                continue
            }
            guard let entry = value as? [String: Any] else {
                throw SafeTensorsError(file: file, tensor: key, "header entry is not an object")
            }
            guard let dtypeName = entry["dtype"] as? String else {
                throw SafeTensorsError(file: file, tensor: key, "missing dtype")
            }
            guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
                throw SafeTensorsError(file: file, tensor: key, "unsupported dtype '\(dtypeName)' (supported: F32, F16, BF16)")
            }
            guard let shapeAny = entry["shape"] as? [Any], let shape = Self.ints(shapeAny), shape.allSatisfy({ $0 >= 0 }) else {
                throw SafeTensorsError(file: file, tensor: key, "shape is not a list of non-negative integers")
            }
            guard let offAny = entry["data_offsets"] as? [Any], let offsets = Self.ints(offAny), offsets.count == 2 else {
                throw SafeTensorsError(file: file, tensor: key, "data_offsets is not a pair of integers")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end else {
                throw SafeTensorsError(file: file, tensor: key, "data_offsets [\(begin), \(end)] are not an increasing range")
            }
            guard end <= dataSize else {
                throw SafeTensorsError(file: file, tensor: key,
                    "data_offsets [\(begin), \(end)] point outside the data section of \(dataSize) bytes (file truncated?)")
            }
            var count = 1
            for d in shape {
                let (m, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow else { throw SafeTensorsError(file: file, tensor: key, "shape \(shape) is too large") }
                count = m
            }
            // The byte size can overflow even when the element count does not (shape [8e15, 1000] as
            // F32: 8e18 elements fit in Int, 3.2e19 bytes do not), a fuzz-safetensors finding.
            let (bytes, bytesOverflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
            guard !bytesOverflow else { throw SafeTensorsError(file: file, tensor: key, "shape \(shape) is too large") }
            guard end - begin == bytes else {
                throw SafeTensorsError(file: file, tensor: key,
                    "data_offsets span \(end - begin) bytes but \(dtypeName) \(shape) needs \(bytes)")
            }
            tensors[key] = TensorInfo(name: key, dtype: dtype, shape: shape, begin: begin, end: end)
        }
        let sorted = tensors.values.filter { $0.end > $0.begin }.sorted { ($0.begin, $0.name) < ($1.begin, $1.name) }
        for (a, b) in zip(sorted, sorted.dropFirst()) where b.begin < a.end {
            throw SafeTensorsError(file: file, tensor: b.name,
                "data_offsets [\(b.begin), \(b.end)] overlap tensor '\(a.name)' [\(a.begin), \(a.end)]")
        }
        return (tensors, metadata)
    }

    private static func ints(_ values: [Any]) -> [Int]? {
        var out: [Int] = []
        for v in values {
            guard let n = v as? NSNumber else { return nil }
            let d = n.doubleValue
            guard d == d.rounded(), abs(d) < 9.0e15 else { return nil }
            out.append(n.intValue)
        }
        return out
    }

    public func info(_ name: String) throws -> TensorInfo {
        guard let t = tensors[name] else { throw SafeTensorsError(file: fileName, tensor: name, "not in the file") }
        return t
    }

    /// Raw bytes of a tensor inside the mapping (valid while this object lives).
    public func rawPointer(_ info: TensorInfo) -> UnsafeRawPointer {
        UnsafeRawPointer(base!) + dataStart + info.begin
    }

    /// Converts elements [start, start+count) of a tensor to Float into `dst`.
    public func read(_ info: TensorInfo, elements start: Int = 0, count: Int? = nil, into dst: UnsafeMutablePointer<Float>) {
        let n = count ?? (info.count - start)
        precondition(start >= 0 && n >= 0 && start + n <= info.count, "element range outside tensor \(info.name)")
        let p = rawPointer(info)
        switch info.dtype {
        case .f32:
            // Unaligned-safe copy (safetensors data need not be 4-byte aligned).
            memcpy(dst, p + start * 4, n * 4)
        case .f16:
            if (Int(bitPattern: p) & 1) == 0 {
                cs_f16_to_f32(p.assumingMemoryBound(to: UInt16.self) + start, dst, n)
            } else {
                let tmp = [UInt16](unsafeUninitializedCapacity: n) { b, c in memcpy(b.baseAddress!, p + start * 2, n * 2); c = n }
                tmp.withUnsafeBufferPointer { cs_f16_to_f32($0.baseAddress!, dst, n) }
            }
        case .bf16:
            if (Int(bitPattern: p) & 1) == 0 {
                cs_bf16_to_f32(p.assumingMemoryBound(to: UInt16.self) + start, dst, n)
            } else {
                let tmp = [UInt16](unsafeUninitializedCapacity: n) { b, c in memcpy(b.baseAddress!, p + start * 2, n * 2); c = n }
                tmp.withUnsafeBufferPointer { cs_bf16_to_f32($0.baseAddress!, dst, n) }
            }
        }
    }

    /// How many elements of the tensor are NaN or ±Inf, read from the raw stored bits (exponent all
    /// ones), so 16-bit tables that stay mapped are checked without converting them.
    public func nonFiniteCount(_ info: TensorInfo) -> Int {
        guard info.count > 0 else { return 0 }
        let kind: Int32 = info.dtype == .f32 ? 0 : (info.dtype == .f16 ? 1 : 2)
        return Int(cs_count_nonfinite(rawPointer(info), info.count, kind))
    }

    /// Tells the kernel the mapped pages lying wholly inside this tensor are no longer needed (after
    /// they were converted into owned memory), so they stop counting toward the resident set. A later
    /// read simply faults them in again from the page cache.
    public func releasePages(_ info: TensorInfo) {
        guard let base else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = dataStart + info.begin, end = dataStart + info.end
        let first = (start + page - 1) / page * page, last = end / page * page
        guard last > first else { return }
        _ = madvise(base + first, last - first, Int32(MADV_DONTNEED))
    }

    /// The whole tensor as Float.
    public func floats(_ name: String) throws -> [Float] {
        let t = try info(name)
        return [Float](unsafeUninitializedCapacity: t.count) { buf, n in
            if t.count > 0 { read(t, into: buf.baseAddress!) }
            n = t.count
        }
    }
}
