// `clipscope model info`: what a model directory holds, read from its files without loading weights,
// through the same parsers the loader uses: config.json and preprocessor_config.json by ClipModel's
// ModelConfig (so `model info` refuses what `embed` would refuse, with the same message), the
// safetensors header by SafeTensorsHeader (dtypes, parameter count); tokenizer.json is summarised
// (model type, vocabulary size).
import ClipModel
import FileIO
import Foundation
import SafeTensors

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

public enum ModelInspector {
    public static func inspect(_ directory: URL) throws -> ModelInfo {
        let config: ModelConfig
        do { config = try ModelConfig.load(directory: directory) } catch { throw ModelHubError.badFile("\(error)") }
        let t = config.text, v = config.vision
        let text = ModelInfo.Text(modelType: "jina_clip_text", embedDim: t.embedDim, hiddenSize: t.hiddenSize,
                                  layers: t.numHiddenLayers, heads: t.numAttentionHeads, backbone: TextConfig.v3Backbone)
        let vision = ModelInfo.Vision(modelType: "jina_clip_vision", embedDim: v.embedDim, width: v.width, layers: v.layers,
                                      patchSize: v.patchSize, imageSize: v.imageSize)

        var weights: ModelInfo.Weights?
        let weightsURL = directory.appendingPathComponent("model.safetensors")
        if FileSystem.isFile(weightsURL) {
            let header: SafeTensorsHeader
            do { header = try SafeTensorsHeader.read(weightsURL) } catch { throw ModelHubError.badFile("\(directory.path)/\(error)") }
            var perDtype: [String: UInt64] = [:]
            for t in header.tensors.values { perDtype[t.dtypeName, default: 0] += UInt64(t.elementCount) }
            weights = ModelInfo.Weights(file: "model.safetensors", bytes: try FileSystem.fileSize(weightsURL),
                                        tensors: header.tensors.count, parameters: perDtype.values.reduce(0, &+), dtypes: perDtype)
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

        let hasPreprocessor = FileSystem.isFile(directory.appendingPathComponent("preprocessor_config.json"))
        return ModelInfo(directory: directory.path, architectures: config.architectures, modelType: config.modelType,
                         torchDtype: config.torchDtype, projectionDim: config.projectionDim,
                         matryoshkaDims: config.matryoshkaDimensions, text: text, vision: vision, weights: weights,
                         tokenizer: tokenizer, preprocessorImageSize: hasPreprocessor ? config.preprocessor.size : nil)
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
