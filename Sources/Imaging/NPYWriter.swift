// Minimal NumPy .npy (format 1.0) writer: little-endian C-order uint8 and float32 arrays, the two
// dtypes `clipscope preprocess` emits. Header padded so the data starts at a multiple of 64.
import Foundation

public enum NPYWriter {
    public static func data(uint8 values: [UInt8], shape: [Int]) -> Data {
        precondition(values.count == shape.reduce(1, *), "npy: \(values.count) values for shape \(shape)")
        var d = header(descr: "|u1", shape: shape)
        d.append(contentsOf: values)
        return d
    }

    public static func data(float32 values: [Float], shape: [Int]) -> Data {
        precondition(values.count == shape.reduce(1, *), "npy: \(values.count) values for shape \(shape)")
        var d = header(descr: "<f4", shape: shape)
        d.reserveCapacity(d.count + values.count * 4)
        for v in values {
            let bits = v.bitPattern.littleEndian
            withUnsafeBytes(of: bits) { d.append(contentsOf: $0) }
        }
        return d
    }

    /// The .npy header alone (for writers that stream the data after it), e.g. descr "<f4".
    public static func header(descr: String, shape: [Int]) -> Data {
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var text = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(dims), }"
        while (10 + text.utf8.count + 1) % 64 != 0 { text += " " }
        text += "\n"
        var d = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let n = UInt16(text.utf8.count)
        d.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8)])
        d.append(contentsOf: Array(text.utf8))
        return d
    }
}
