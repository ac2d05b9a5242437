// The three numbers preprocessing needs from a model directory's preprocessor_config.json:
// `size` (an Int, or HF's {"shortest_edge": N} / {"height": N, "width": N}), `mean`, `std`.
import FileIO
import Foundation

public struct PreprocessorConfig: Equatable, Sendable {
    public var size: Int
    public var mean: [Float]
    public var std: [Float]

    public init(size: Int, mean: [Float], std: [Float]) {
        self.size = size
        self.mean = mean
        self.std = std
    }

    /// The model input for a decoded image: resize + center crop to `size`, then CHW Float32
    /// `[3, size, size]` normalized with this config's mean/std.
    public func pixelValues(for image: RGBImage) -> [Float] {
        Preprocessor.pixelValues(for: image, size: size, mean: mean, std: std)
    }

    /// jina-clip-v2: 512, CLIP mean/std.
    public static let jinaClipV2 = PreprocessorConfig(size: 512, mean: Preprocessor.clipMean, std: Preprocessor.clipStd)

    public struct LoadError: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var problem: String
        public var description: String { "\(path): \(problem)" }
    }

    /// Reads DIR/preprocessor_config.json.
    public static func load(directory: URL) throws -> PreprocessorConfig {
        try load(file: directory.appendingPathComponent("preprocessor_config.json"))
    }

    public static func load(file: URL) throws -> PreprocessorConfig {
        let path = file.path
        let data: Data
        do { data = try SafeFile.read(path) } catch let e as SafeFileError {
            throw LoadError(path: path, problem: e.reason)
        }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw LoadError(path: path, problem: "not a JSON object")
        }
        let size: Int
        switch json["size"] {
        case let n as NSNumber: size = n.intValue
        case let d as [String: Any]:
            if let n = (d["shortest_edge"] ?? d["height"]) as? NSNumber { size = n.intValue }
            else { throw LoadError(path: path, problem: "`size` has no shortest_edge/height") }
        case nil: throw LoadError(path: path, problem: "missing `size`")
        default: throw LoadError(path: path, problem: "`size` is not a number")
        }
        guard size > 0, size <= 16384 else { throw LoadError(path: path, problem: "`size` \(size) out of range") }
        func triple(_ key: String) throws -> [Float] {
            guard let raw = json[key] else { throw LoadError(path: path, problem: "missing `\(key)`") }
            guard let values = raw as? [NSNumber], values.count == 3 else {
                throw LoadError(path: path, problem: "`\(key)` must be 3 numbers")
            }
            // JSON → Double → Float32, like torch.as_tensor(list, dtype=float32).
            return values.map { Float($0.doubleValue) }
        }
        let mean = try triple("mean"), std = try triple("std")
        guard std.allSatisfy({ $0 > 0 }) else { throw LoadError(path: path, problem: "`std` must be positive") }
        return PreprocessorConfig(size: size, mean: mean, std: std)
    }
}
