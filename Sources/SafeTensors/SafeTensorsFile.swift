// A memory-mapped safetensors file. Its header is parsed and checked at open time by SafeTensorsHeader
// (length vs file size, offsets inside the data section, end − begin == dtype size × shape product,
// no two tensors overlapping), so a later read can trust its range. Only F32, F16 and BF16 tensors are
// accepted (the dtype is read per tensor, never from config.json).
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
        let headerLength = try SafeTensorsHeader.headerLength(prefix: Data(bytes: raw, count: 8), fileSize: size, file: name)
        let header = Data(bytes: raw + 8, count: headerLength)
        let parsed = try SafeTensorsHeader(json: header, file: name, dataSize: size - 8 - headerLength,
                                           accepting: SafeTensorsDType.allCases.map(\.rawValue))
        var tensors: [String: TensorInfo] = [:]
        for (key, t) in parsed.tensors {
            guard let dtype = t.dtype else { throw SafeTensorsError(file: name, tensor: key, "unsupported dtype '\(t.dtypeName)'") }
            tensors[key] = TensorInfo(name: key, dtype: dtype, shape: t.shape, begin: t.begin, end: t.end)
        }
        self.tensors = tensors
        self.metadata = parsed.metadata
        self.headerBytes = header
        self.base = map
        self.dataStart = 8 + headerLength
        ok = true
    }

    deinit { if let base { munmap(base, fileSize) } }

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
