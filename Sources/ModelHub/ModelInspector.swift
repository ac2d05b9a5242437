// `clipscope model info`: what a model directory holds, read from its files without loading weights:
// config.json (architecture, dims, Matryoshka dims), the safetensors header (dtypes, parameter
// count), tokenizer.json (model type, vocab size), preprocessor_config.json (image size).
// The safetensors header is parsed here minimally (8-byte little-endian length + JSON); the full
// loader is the SafeTensors target's.
import FileIO
import Foundation

public struct ModelInfo: Codable, Equatable, Sendable {
    public struct Text: Codable, Equatable, Sendable {
        public var modelType: String?
        public var embedDim: Int?
        public var hiddenSize: Int?
        public var layers: Int?
        public var heads: Int?
        public var backbone: String?
    }
    public struct Vision: Codable, Equatable, Sendable {
        public var modelType: String?
        public var embedDim: Int?
        public var width: Int?
        public var layers: Int?
        public var patchSize: Int?
        public var imageSize: Int?
    }
    public struct Weights: Codable, Equatable, Sendable {
        public var file: String
        public var bytes: UInt64
        public var tensors: Int
        public var parameters: UInt64
        /// Parameters per dtype ("F16": 865_000_000, …).
        public var dtypes: [String: UInt64]
    }
    public struct TokenizerSummary: Codable, Equatable, Sendable {
        public var model: String?
        public var vocabSize: Int
        public var addedTokens: Int
    }

    public var directory: String
    public var architectures: [String]
    public var modelType: String?
    public var torchDtype: String?
    public var projectionDim: Int?
    public var matryoshkaDims: [Int]
    public var text: Text
    public var vision: Vision
    public var weights: Weights?
    public var tokenizer: TokenizerSummary?
    public var preprocessorImageSize: Int?
}

/// The JSON header of a .safetensors file.
public struct SafeTensorsHeaderSummary: Equatable, Sendable {
    public struct Tensor: Equatable, Sendable {
        public var name: String
        public var dtype: String
        public var shape: [Int]
        public var elementCount: UInt64 { shape.reduce(1) { $0 * UInt64(max($1, 0)) } }
    }
    public var tensors: [Tensor]
    public var metadata: [String: String]

    static let dtypeBytes: [String: UInt64] = ["F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4,
                                               "I16": 2, "I8": 1, "U8": 1, "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1]

    public static func read(_ url: URL) throws -> SafeTensorsHeaderSummary {
        let fileSize = try FileSystem.fileSize(url)
        guard let handle = try? FileHandle(forReadingFrom: url) else { throw ModelHubError.io("cannot open \(url.path)") }
        defer { try? handle.close() }
        let prefix = (try? handle.read(upToCount: 8)) ?? Data()
        guard prefix.count == 8 else { throw ModelHubError.badFile("\(url.path): too short for a safetensors file (\(fileSize) bytes)") }
        let n = prefix.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard n > 0, n <= 100_000_000, n + 8 <= fileSize else {
            throw ModelHubError.badFile("\(url.path): safetensors header length \(n) does not fit the file (\(fileSize) bytes)")
        }
        let json = (try? handle.read(upToCount: Int(n))) ?? Data()
        guard json.count == Int(n), let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw ModelHubError.badFile("\(url.path): safetensors header is not a JSON object")
        }
        let dataBytes = fileSize - 8 - n
        var tensors: [Tensor] = []
        var metadata: [String: String] = [:]
        for (name, value) in object {
            if name == "__metadata__" {
                for (k, v) in value as? [String: Any] ?? [:] { metadata[k] = "\(v)" }
                continue
            }
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2 else {
                throw ModelHubError.badFile("\(url.path): tensor \(name) has no dtype/shape/data_offsets")
            }
            let t = Tensor(name: name, dtype: dtype, shape: shape)
            guard offsets[0] >= 0, offsets[1] >= offsets[0], UInt64(offsets[1]) <= dataBytes else {
                throw ModelHubError.badFile("\(url.path): tensor \(name) data_offsets \(offsets) lie outside the \(dataBytes)-byte data section")
            }
            if let width = dtypeBytes[dtype], UInt64(offsets[1] - offsets[0]) != t.elementCount * width {
                throw ModelHubError.badFile("\(url.path): tensor \(name) \(dtype)\(shape) needs \(t.elementCount * width) bytes, offsets give \(offsets[1] - offsets[0])")
            }
            tensors.append(t)
        }
        return SafeTensorsHeaderSummary(tensors: tensors.sorted { $0.name < $1.name }, metadata: metadata)
    }
}

public enum ModelInspector {
    public static func inspect(_ directory: URL) throws -> ModelInfo {
        let configURL = directory.appendingPathComponent("config.json")
        let config = try jsonObject(configURL)
        let textConfig = config["text_config"] as? [String: Any] ?? [:]
        let kwargs = textConfig["hf_model_config_kwargs"] as? [String: Any] ?? [:]
        let visionConfig = config["vision_config"] as? [String: Any] ?? [:]
        // jina-clip-v2 reads its text backbone sizes from jina-embeddings-v3 unless overridden in the kwargs.
        let isV3Backbone = (textConfig["hf_model_name_or_path"] as? String) == "jinaai/jina-embeddings-v3"
        let text = ModelInfo.Text(
            modelType: textConfig["model_type"] as? String, embedDim: textConfig["embed_dim"] as? Int,
            hiddenSize: kwargs["hidden_size"] as? Int ?? (isV3Backbone ? 1024 : nil),
            layers: kwargs["num_hidden_layers"] as? Int ?? (isV3Backbone ? 24 : nil),
            heads: kwargs["num_attention_heads"] as? Int ?? (isV3Backbone ? 16 : nil),
            backbone: textConfig["hf_model_name_or_path"] as? String)
        let vision = ModelInfo.Vision(
            modelType: visionConfig["model_type"] as? String, embedDim: visionConfig["embed_dim"] as? Int,
            width: visionConfig["width"] as? Int, layers: visionConfig["layers"] as? Int,
            patchSize: visionConfig["patch_size"] as? Int, imageSize: visionConfig["image_size"] as? Int)

        var weights: ModelInfo.Weights?
        let weightsURL = directory.appendingPathComponent("model.safetensors")
        if FileSystem.isFile(weightsURL) {
            let header = try SafeTensorsHeaderSummary.read(weightsURL)
            var perDtype: [String: UInt64] = [:]
            for t in header.tensors { perDtype[t.dtype, default: 0] += t.elementCount }
            weights = ModelInfo.Weights(file: "model.safetensors", bytes: try FileSystem.fileSize(weightsURL),
                                        tensors: header.tensors.count, parameters: perDtype.values.reduce(0, +), dtypes: perDtype)
        }

        var tokenizer: ModelInfo.TokenizerSummary?
        let tokURL = directory.appendingPathComponent("tokenizer.json")
        if FileSystem.isFile(tokURL) {
            let tok = try jsonObject(tokURL)
            let model = tok["model"] as? [String: Any] ?? [:]
            var vocab = 0
            if let list = model["vocab"] as? [Any] { vocab = list.count }
            else if let dict = model["vocab"] as? [String: Any] { vocab = dict.count }
            let added = tok["added_tokens"] as? [[String: Any]] ?? []
            let maxAddedID = added.compactMap { $0["id"] as? Int }.max() ?? -1
            tokenizer = ModelInfo.TokenizerSummary(model: model["type"] as? String, vocabSize: max(vocab, maxAddedID + 1), addedTokens: added.count)
        }

        var imageSize: Int?
        let preURL = directory.appendingPathComponent("preprocessor_config.json")
        if FileSystem.isFile(preURL) {
            let pre = try jsonObject(preURL)
            imageSize = pre["size"] as? Int ?? (pre["size"] as? [String: Any])?["shortest_edge"] as? Int
        }

        return ModelInfo(directory: directory.path, architectures: config["architectures"] as? [String] ?? [],
                         modelType: config["model_type"] as? String, torchDtype: config["torch_dtype"] as? String,
                         projectionDim: config["projection_dim"] as? Int,
                         matryoshkaDims: config["matryoshka_dimensions"] as? [Int] ?? [],
                         text: text, vision: vision, weights: weights, tokenizer: tokenizer, preprocessorImageSize: imageSize)
    }

    static func jsonObject(_ url: URL) throws -> [String: Any] {
        let data: Data
        do { data = try SafeFile.read(url.path, limit: 64 << 20, what: "JSON file") } catch let e as SafeFileError {
            if e.isMissing { throw ModelHubError.badFile("\(url.path) is missing") }
            throw ModelHubError.badFile(e.description)
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ModelHubError.badFile("\(url.path) is not a JSON object")
        }
        return object
    }
}
