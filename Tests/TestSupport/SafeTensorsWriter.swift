// Writes safetensors files for tests and fuzz seeds (corrupt and re-encoded checkpoints).
// Tensors are laid out in the given order, back to back, header padded with spaces to 8 bytes.
import Foundation
import SafeTensors

public struct TensorToWrite {
    public var name: String
    public var dtype: SafeTensorsDType
    public var shape: [Int]
    public var values: [Float]
    public init(name: String, dtype: SafeTensorsDType = .f32, shape: [Int], values: [Float]) {
        self.name = name; self.dtype = dtype; self.shape = shape; self.values = values
    }
}

public enum SafeTensorsWriter {
    /// The encoded file. Precondition: values.count == shape product for every tensor.
    public static func encode(_ tensors: [TensorToWrite], metadata: [String: String]? = nil) -> Data {
        var entries: [String] = []
        var payload = Data()
        for t in tensors {
            precondition(t.values.count == t.shape.reduce(1, *), "\(t.name): \(t.values.count) values for shape \(t.shape)")
            let begin = payload.count
            payload.append(bytes(t.values, t.dtype))
            let shape = t.shape.map(String.init).joined(separator: ",")
            entries.append("\(jsonString(t.name)):{\"dtype\":\"\(t.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(begin),\(payload.count)]}")
        }
        if let metadata {
            let m = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
            entries.insert("\"__metadata__\":{\(m.joined(separator: ","))}", at: 0)
        }
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var out = Data()
        var n = UInt64(header.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        out.append(payload)
        return out
    }

    public static func write(_ tensors: [TensorToWrite], metadata: [String: String]? = nil, to url: URL) throws {
        try encode(tensors, metadata: metadata).write(to: url)
    }

    static func bytes(_ values: [Float], _ dtype: SafeTensorsDType) -> Data {
        switch dtype {
        case .f32:
            return values.withUnsafeBytes { Data($0) }
        case .f16:
            let h = values.map { Float16($0).bitPattern.littleEndian }
            return h.withUnsafeBytes { Data($0) }
        case .bf16:
            let h = values.map { bf16Bits($0).littleEndian }
            return h.withUnsafeBytes { Data($0) }
        }
    }

    /// Float → BF16 with round-to-nearest-even (NaN kept quiet).
    public static func bf16Bits(_ x: Float) -> UInt16 {
        let b = x.bitPattern
        if x.isNaN { return UInt16(b >> 16) | 0x40 }
        let rounded = b &+ 0x7fff &+ ((b >> 16) & 1)
        return UInt16(rounded >> 16)
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
