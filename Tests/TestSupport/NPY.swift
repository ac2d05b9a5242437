// Minimal reader for NumPy .npy v1/v2 files (little-endian, C order): <f4, <i4, |u1, <f8, <i8.
// Enough for the fixtures; values are widened to Float / Int32 / UInt8 arrays.
import Foundation

public struct NPYArray: Sendable {
    public enum DType: String, Sendable { case f4 = "<f4", f8 = "<f8", i4 = "<i4", i8 = "<i8", u1 = "|u1" }
    public var dtype: DType
    public var shape: [Int]
    public var raw: Data   // the array bytes

    public var count: Int { shape.reduce(1, *) }

    public var floats: [Float] {
        switch dtype {
        case .f4: return raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        case .f8: return raw.withUnsafeBytes { $0.bindMemory(to: Double.self).map { Float($0) } }
        case .i4: return ints.map { Float($0) }
        case .i8: return raw.withUnsafeBytes { $0.bindMemory(to: Int64.self).map { Float($0) } }
        case .u1: return bytes.map { Float($0) }
        }
    }
    public var ints: [Int32] {
        switch dtype {
        case .i4: return raw.withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
        case .i8: return raw.withUnsafeBytes { $0.bindMemory(to: Int64.self).map { Int32($0) } }
        case .u1: return bytes.map { Int32($0) }
        case .f4, .f8: return floats.map { Int32($0) }
        }
    }
    public var bytes: [UInt8] { [UInt8](raw) }
}

public enum NPYError: Error, CustomStringConvertible {
    case bad(String, String)
    public var description: String {
        switch self { case let .bad(file, why): return "\(file): \(why)" }
    }
}

public enum NPY {
    public static func load(_ url: URL) throws -> NPYArray {
        let data = try Data(contentsOf: url)
        let name = url.lastPathComponent
        guard data.count >= 10, data.prefix(6) == Data([0x93] + Array("NUMPY".utf8)) else {
            throw NPYError.bad(name, "not an .npy file")
        }
        let major = data[data.startIndex + 6]
        var headerLen: Int
        var start: Int
        if major == 1 {
            headerLen = Int(data[data.startIndex + 8]) | Int(data[data.startIndex + 9]) << 8
            start = 10
        } else {
            headerLen = (0..<4).reduce(0) { $0 | Int(data[data.startIndex + 8 + $1]) << (8 * $1) }
            start = 12
        }
        guard let header = String(data: data[(data.startIndex + start)..<(data.startIndex + start + headerLen)], encoding: .ascii)
        else { throw NPYError.bad(name, "unreadable header") }
        func field(_ key: String) -> String? {
            guard let r = header.range(of: "'\(key)':") else { return nil }
            return String(header[r.upperBound...]).trimmingCharacters(in: .whitespaces)
        }
        guard let descr = field("descr"), let q1 = descr.firstIndex(of: "'") else { throw NPYError.bad(name, "no descr") }
        let rest = descr[descr.index(after: q1)...]
        guard let q2 = rest.firstIndex(of: "'"), let dtype = NPYArray.DType(rawValue: String(rest[..<q2])) else {
            throw NPYError.bad(name, "unsupported dtype in \(header)")
        }
        if let fo = field("fortran_order"), fo.hasPrefix("True") { throw NPYError.bad(name, "fortran order") }
        guard let sh = field("shape"), let open = sh.firstIndex(of: "("), let close = sh.firstIndex(of: ")") else {
            throw NPYError.bad(name, "no shape")
        }
        let shape = sh[sh.index(after: open)..<close].split(separator: ",")
            .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let elem: Int = ["<f4": 4, "<f8": 8, "<i4": 4, "<i8": 8, "|u1": 1][dtype.rawValue]!
        let n = shape.reduce(1, *)
        let off = data.startIndex + start + headerLen
        guard data.count - (start + headerLen) >= n * elem else { throw NPYError.bad(name, "truncated data") }
        return NPYArray(dtype: dtype, shape: shape, raw: Data(data[off..<(off + n * elem)]))
    }
}

/// llm.c-style comparison report: max abs diff and the first mismatches, for test messages.
public func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "length mismatch \(a.count) vs \(b.count)")
    var m: Float = 0
    for i in 0..<a.count {
        let d = abs(a[i] - b[i])
        if d.isNaN { return .infinity }   // NaN must never pass a tolerance check
        m = max(m, d)
    }
    return a.isEmpty ? 0 : m
}
