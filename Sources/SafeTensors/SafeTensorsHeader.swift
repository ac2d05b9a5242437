// The one parser of a safetensors header, used by the loader (SafeTensorsFile) and by `model info`.
//
// Layout: u64 little-endian header length N, N bytes of UTF-8 JSON
//   {"name": {"dtype": "F16", "shape": [..], "data_offsets": [begin, end]}, ..., "__metadata__": {str: str}}
// then the data section; offsets are relative to its first byte. Checked here, for every dtype the
// format defines: offsets inside the data section and increasing, end − begin == dtype size × shape
// product (both products overflow-checked: a shape [2^32, 2^32] is "too large", never a trap), no two
// tensors overlapping. Which dtypes a reader accepts is the reader's business (the loader: F32, F16, BF16).
import FileIO
import Foundation

public struct SafeTensorsHeader: Sendable {
    public struct Tensor: Sendable, Equatable {
        public var name: String
        /// As written ("F16", "I64", …).
        public var dtypeName: String
        public var shape: [Int]
        /// Byte range inside the data section.
        public var begin: Int
        public var end: Int
        /// Product of the shape (checked not to overflow).
        public var elementCount: Int
        /// The loader's dtype, nil for the others.
        public var dtype: SafeTensorsDType? { SafeTensorsDType(rawValue: dtypeName) }
    }

    /// By name.
    public var tensors: [String: Tensor]
    public var metadata: [String: String]

    /// Bytes per element of every dtype the format defines.
    public static let dtypeBytes: [String: Int] = ["F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2,
                                                   "I8": 1, "U64": 8, "U32": 4, "U16": 2, "U8": 1, "BOOL": 1,
                                                   "F8_E4M3": 1, "F8_E5M2": 1]

    /// The largest header accepted (the real model's is ~100 KB).
    public static let maxHeaderBytes: UInt64 = 100_000_000

    /// The header's length from the file's first 8 bytes, checked against the file size.
    public static func headerLength(prefix: Data, fileSize: Int, file: String) throws -> Int {
        guard fileSize >= 8, prefix.count >= 8 else {
            throw SafeTensorsError(file: file, "file is \(fileSize) bytes, too short for a safetensors header (truncated?)")
        }
        let n = prefix.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard n <= UInt64(fileSize - 8) else {
            throw SafeTensorsError(file: file, "header length \(n) exceeds the file size \(fileSize) (truncated or not a safetensors file)")
        }
        guard n <= maxHeaderBytes else { throw SafeTensorsError(file: file, "header length \(n) is larger than \(maxHeaderBytes) bytes") }
        return Int(n)
    }

    /// Reads only the header of the file at `url` (the data section is not touched).
    public static func read(_ url: URL, accepting: [String]? = nil) throws -> SafeTensorsHeader {
        let name = url.lastPathComponent
        let file: SafeFile
        do { file = try SafeFile(path: url.path) } catch let e as SafeFileError { throw SafeTensorsError(file: name, e.reason) }
        do {
            let n = try headerLength(prefix: try file.read(at: 0, count: min(8, file.size)), fileSize: file.size, file: name)
            return try SafeTensorsHeader(json: try file.read(at: 8, count: n), file: name, dataSize: file.size - 8 - n,
                                         accepting: accepting)
        } catch let e as SafeFileError {
            throw SafeTensorsError(file: name, e.reason)
        }
    }

    /// Parses and checks the JSON header; `dataSize` is the length of the data section after it.
    /// `accepting`: the dtypes the reader handles (others are refused by name); nil = every known dtype.
    public init(json header: Data, file: String, dataSize: Int, accepting: [String]? = nil) throws {
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: header) } catch {
            throw SafeTensorsError(file: file, "header is not valid JSON")
        }
        guard let object = json as? [String: Any] else {
            throw SafeTensorsError(file: file, "header is not a JSON object")
        }
        var tensors: [String: Tensor] = [:]
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
            tensors[key] = try Self.tensor(key, value, file: file, dataSize: dataSize, accepting: accepting)
        }
        let sorted = tensors.values.filter { $0.end > $0.begin }.sorted { ($0.begin, $0.name) < ($1.begin, $1.name) }
        for (a, b) in zip(sorted, sorted.dropFirst()) where b.begin < a.end {
            throw SafeTensorsError(file: file, tensor: b.name,
                "data_offsets [\(b.begin), \(b.end)] overlap tensor '\(a.name)' [\(a.begin), \(a.end)]")
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    private static func tensor(_ key: String, _ value: Any, file: String, dataSize: Int, accepting: [String]?) throws -> Tensor {
        guard let entry = value as? [String: Any] else {
            throw SafeTensorsError(file: file, tensor: key, "header entry is not an object")
        }
        guard let dtypeName = entry["dtype"] as? String else {
            throw SafeTensorsError(file: file, tensor: key, "missing dtype")
        }
        if let accepting, !accepting.contains(dtypeName) {
            throw SafeTensorsError(file: file, tensor: key,
                "unsupported dtype '\(dtypeName)' (supported: \(accepting.joined(separator: ", ")))")
        }
        guard let width = dtypeBytes[dtypeName] else {
            throw SafeTensorsError(file: file, tensor: key, "unknown dtype '\(dtypeName)'")
        }
        guard let shapeAny = entry["shape"] as? [Any], let shape = ints(shapeAny), shape.allSatisfy({ $0 >= 0 }) else {
            throw SafeTensorsError(file: file, tensor: key, "shape is not a list of non-negative integers")
        }
        guard let offAny = entry["data_offsets"] as? [Any], let offsets = ints(offAny), offsets.count == 2 else {
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
        // F32: 8e18 elements fit in Int, 3.2e19 bytes do not).
        let (bytes, bytesOverflow) = count.multipliedReportingOverflow(by: width)
        guard !bytesOverflow else { throw SafeTensorsError(file: file, tensor: key, "shape \(shape) is too large") }
        guard end - begin == bytes else {
            throw SafeTensorsError(file: file, tensor: key,
                "data_offsets span \(end - begin) bytes but \(dtypeName) \(shape) needs \(bytes)")
        }
        return Tensor(name: key, dtypeName: dtypeName, shape: shape, begin: begin, end: end, elementCount: count)
    }

    /// Integers as JSON numbers (below 2^53, where a Double is exact).
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
}
