// Shared helpers: the tiny fixture model in its three encodings (loaded once per process) and
// fixture readers.
import ClipModel
import Foundation
import Testing
import TestSupport

enum Tiny {
    static let f16: ClipEmbedder = try! ClipEmbedder.load(directory: Fixtures.tiny, threads: 1)
    static let f32: ClipEmbedder = try! ClipEmbedder.load(directory: Fixtures.tiny, weights: Fixtures.tiny("model.f32.safetensors"), threads: 1)
    static let bf16: ClipEmbedder = try! ClipEmbedder.load(directory: Fixtures.tiny, weights: Fixtures.tiny("model.bf16.safetensors"), threads: 1)

    static func model(_ dtype: String) -> ClipEmbedder {
        switch dtype {
        case "f32": return f32
        case "bf16": return bf16
        default: return f16
        }
    }

    static func npy(_ name: String) throws -> NPYArray { try NPY.load(Fixtures.tiny(name)) }
    static func rows(_ name: String) throws -> [[Float]] {
        let a = try npy(name)
        let w = a.shape.last!
        let f = a.floats
        return stride(from: 0, to: f.count, by: w).map { Array(f[$0..<($0 + w)]) }
    }
    static func ids(_ name: String) throws -> [Int32] { try npy(name).ints }
    static var textIDs: [[Int32]] { get throws { try (0..<6).map { try ids("text_\($0)_input_ids.npy") } } }
    static var queryIDs: [[Int32]] { get throws { try (0..<6).map { try ids("text_\($0)_query_input_ids.npy") } } }
    static var pixels: [Float] { get throws { try (0..<4).flatMap { try npy("image_\($0)_pixel_values.npy").floats } } }
}

/// Largest |a − b| over rows (rows must match in count and width).
func maxDiff(_ a: [[Float]], _ b: [[Float]]) -> Float {
    guard a.count == b.count else { return .infinity }
    var m: Float = 0
    for (x, y) in zip(a, b) {
        guard x.count == y.count else { return .infinity }
        m = max(m, maxAbsDiff(x, y))
    }
    return m
}

/// Records every traced tensor.
final class TraceRecorder: @unchecked Sendable {
    var tensors: [(String, [Float], [Int])] = []
    var trace: Trace { { [self] name, values, shape in tensors.append((name, values, shape)) } }
    func get(_ name: String) -> ([Float], [Int])? {
        tensors.first { $0.0 == name }.map { ($0.1, $0.2) }
    }
    var names: [String] { tensors.map(\.0) }
}
