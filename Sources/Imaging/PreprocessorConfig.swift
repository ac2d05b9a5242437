// The one parser of preprocessor_config.json: `size` (an Int, or HF's {"shortest_edge": N} /
// {"height": N, "width": N}), `mean`, `std`, and the two choices only one value of which is implemented
// (`interpolation` "bicubic", `resize_mode` "shortest"). Read in three steps: parse the fields as
// written, apply defaults (size: the model's image size when the caller knows it; mean/std: CLIP's),
// validate. ModelConfig reads it next to config.json; `PreprocessorConfig.load` reads a file alone.
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

    /// The largest `size` accepted (the image is resized to size × size).
    public static let maxSize = 16384

    public struct LoadError: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var problem: String
        public var description: String { "\(path): \(problem)" }
    }

    /// Parses preprocessor_config.json's bytes. `defaultSize`: the size when the file has none (the
    /// model's image size); nil makes a missing `size` an error.
    public init(json data: Data, defaultSize: Int? = nil) throws {
        func fail(_ problem: String) -> LoadError { LoadError(path: "preprocessor_config.json", problem: problem) }
        // parse
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw fail("not a JSON object") }
        var size: Int?
        switch json["size"] {
        case nil, is NSNull: size = nil
        case let n as NSNumber: size = Self.integer(n)
            if size == nil { throw fail("`size` is not an integer") }
        case let d as [String: Any]:
            if let n = d["shortest_edge"] as? NSNumber { size = Self.integer(n) }
            else if let h = d["height"] as? NSNumber, let w = d["width"] as? NSNumber {
                guard Self.integer(h) == Self.integer(w) else { throw fail("`size` height and width differ (only square crops are implemented)") }
                size = Self.integer(h)
            } else { throw fail("`size` has no shortest_edge/height") }
            if size == nil { throw fail("`size` is not an integer") }
        default: throw fail("`size` is not a number")
        }
        func triple(_ key: String) throws -> [Float]? {
            guard let raw = json[key], !(raw is NSNull) else { return nil }
            guard let values = raw as? [NSNumber], values.count == 3 else { throw fail("`\(key)` must be 3 numbers") }
            // JSON → Double → Float32, like torch.as_tensor(list, dtype=float32).
            return values.map { Float($0.doubleValue) }
        }
        let mean = try triple("mean"), std = try triple("std")
        let interpolation = json["interpolation"] as? String, resizeMode = json["resize_mode"] as? String

        // defaults
        guard let chosen = size ?? defaultSize else { throw fail("missing `size`") }
        self.init(size: chosen, mean: mean ?? Preprocessor.clipMean, std: std ?? Preprocessor.clipStd)

        // validate
        guard self.size > 0, self.size <= Self.maxSize else { throw fail("`size` \(self.size) out of range (1…\(Self.maxSize))") }
        guard self.std.allSatisfy({ $0 > 0 && $0.isFinite }), self.mean.allSatisfy(\.isFinite) else {
            throw fail("`std` must be positive (and mean, std finite)")
        }
        if let interpolation, interpolation != "bicubic" {
            throw fail("interpolation \"\(interpolation)\" is not supported (only bicubic)")
        }
        if let resizeMode, resizeMode != "shortest" {
            throw fail("resize_mode \"\(resizeMode)\" is not supported (only shortest)")
        }
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
        do { return try PreprocessorConfig(json: data) } catch var e as LoadError {
            e.path = path
            throw e
        }
    }

    private static func integer(_ n: NSNumber) -> Int? {
        let d = n.doubleValue
        guard d == d.rounded(), abs(d) < 9.0e15, type(of: n) != type(of: NSNumber(value: true)) else { return nil }
        return n.intValue
    }
}
