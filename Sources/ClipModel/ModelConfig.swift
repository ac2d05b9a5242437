// jina-clip-v2 configuration: config.json (top level, text_config, vision_config) and
// preprocessor_config.json, decoded into typed structs.
//
// The text backbone's own config is NOT in config.json: the official code loads
// jinaai/jina-embeddings-v3's config and applies `text_config.hf_model_config_kwargs` on top. The v3
// values are therefore explicit defaults here (`TextConfig.v3Defaults`, spec §1.2) — notably
// rotary_emb_base 20000 (the XLMRobertaFlashConfig class default 10000 is wrong for this model).
import FileIO
import Foundation
import Imaging

public struct ModelConfigError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var problem: String
    public init(file: String, _ problem: String) { self.file = file; self.problem = problem }
    public var description: String { "\(file): \(problem)" }
}

/// The effective text backbone (XLM-R flash) hyper-parameters.
public struct TextConfig: Equatable, Sendable {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var intermediateSize: Int
    public var hiddenAct: String
    public var layerNormEps: Float
    public var positionEmbeddingType: String
    public var rotaryEmbBase: Float
    public var padTokenId: Int
    public var typeVocabSize: Int
    public var loraRank: Int
    public var loraAlpha: Float
    public var loraAdaptations: [String]
    public var taskInstructions: [String: String]
    /// The adapter merged into the weights (text_config.default_lora_task; always applied officially).
    public var defaultLoraTask: String?
    /// Output width of the text tower (text_config.embed_dim; the head is Identity).
    public var embedDim: Int

    public var headDim: Int { hiddenSize / numAttentionHeads }
    public var loraScale: Float { loraAlpha / Float(loraRank) }
    /// Index of the merged adapter in lora_A/lora_B's leading dimension.
    public var loraIndex: Int { defaultLoraTask.flatMap { loraAdaptations.firstIndex(of: $0) } ?? 0 }

    /// jinaai/jina-embeddings-v3 config.json values (spec §1.2), before hf_model_config_kwargs.
    public static let v3Defaults = TextConfig(
        vocabSize: 250_002, hiddenSize: 1024, numHiddenLayers: 24, numAttentionHeads: 16, intermediateSize: 4096,
        hiddenAct: "gelu", layerNormEps: 1e-5, positionEmbeddingType: "rotary", rotaryEmbBase: 20000,
        padTokenId: 1, typeVocabSize: 1, loraRank: 4, loraAlpha: 1,
        loraAdaptations: ["retrieval.query"], taskInstructions: [:], defaultLoraTask: "retrieval.query", embedDim: 1024)
}

public struct VisionConfig: Equatable, Sendable {
    public var width: Int
    public var layers: Int
    public var headWidth: Int
    public var imageSize: Int
    public var patchSize: Int
    public var mlpRatio: Double
    public var ptHwSeqLen: Int
    public var intpFreq: Bool
    public var embedDim: Int
    /// LayerNorm eps of the EVA02 tower (hard-coded there, not in config.json).
    public var layerNormEps: Float = 1e-6

    public var heads: Int { width / headWidth }
    public var grid: Int { imageSize / patchSize }
    public var patches: Int { grid * grid }
    public var tokens: Int { patches + 1 }
    /// SwiGLU hidden size: int(width · mlp_ratio) (2730 for jina-clip-v2).
    public var mlpHidden: Int { Int(Double(width) * mlpRatio) }
}

public struct ModelConfig: Equatable, Sendable {
    public var modelType: String
    public var matryoshkaDimensions: [Int]
    public var truncateDim: Int?
    public var text: TextConfig
    public var vision: VisionConfig
    public var preprocessor: PreprocessorConfig

    public var textWidth: Int { text.hiddenSize }
    public var visionWidth: Int { vision.width }
    public var imageSize: Int { vision.imageSize }
    public var patchSize: Int { vision.patchSize }
    /// Width of the returned embeddings (1024 for jina-clip-v2).
    public var embeddingWidth: Int { text.embedDim }
    public var queryInstruction: String? { text.taskInstructions["retrieval.query"] }

    public static let supportedModelType = "jina_clip"

    /// Reads DIR/config.json and DIR/preprocessor_config.json (the latter optional: CLIP defaults
    /// with size = vision image_size).
    public static func load(directory: URL) throws -> ModelConfig {
        let configURL = directory.appendingPathComponent("config.json")
        let data: Data
        do { data = try SafeFile.read(configURL.path, limit: 16 << 20, what: "config.json") } catch let e as SafeFileError {
            throw ModelConfigError(file: configURL.path, e.isMissing ? "no such file (is this a model directory?)" : e.reason)
        }
        let preURL = directory.appendingPathComponent("preprocessor_config.json")
        let pre: Data?
        do { pre = try SafeFile.readIfPresent(preURL.path) } catch let e as SafeFileError {
            throw ModelConfigError(file: preURL.path, e.reason)
        }
        do {
            return try decode(config: data, preprocessor: pre)
        } catch var e as ModelConfigError {
            // Name the file with its folder: "models/x/config.json: model_type ..." is actionable.
            e.file = directory.appendingPathComponent(e.file).path
            throw e
        }
    }

    public static func decode(config: Data, preprocessor: Data? = nil) throws -> ModelConfig {
        let file = "config.json"
        guard let root = (try? JSONSerialization.jsonObject(with: config)) as? [String: Any] else {
            throw ModelConfigError(file: file, "not a JSON object")
        }
        let j = JSONFields(root, file: file, path: "")
        let modelType = try j.string("model_type")
        guard modelType == supportedModelType else {
            throw ModelConfigError(file: file,
                "model_type '\(modelType)' is not supported; ClipScope runs jina-clip-v2 (model_type '\(supportedModelType)')")
        }
        let tj = try j.object("text_config")
        let textType = try tj.optionalString("model_type")
        if let textType, textType != "jina_clip_text" {
            throw ModelConfigError(file: file, "text_config.model_type '\(textType)' is not supported (expected 'jina_clip_text')")
        }
        var text = TextConfig.v3Defaults
        if let kw = try tj.optionalObject("hf_model_config_kwargs") {
            text.vocabSize = try kw.int("vocab_size", default: text.vocabSize)
            text.hiddenSize = try kw.int("hidden_size", default: text.hiddenSize)
            text.numHiddenLayers = try kw.int("num_hidden_layers", default: text.numHiddenLayers)
            text.numAttentionHeads = try kw.int("num_attention_heads", default: text.numAttentionHeads)
            text.intermediateSize = try kw.int("intermediate_size", default: text.intermediateSize)
            text.hiddenAct = try kw.optionalString("hidden_act") ?? text.hiddenAct
            text.layerNormEps = Float(try kw.double("layer_norm_eps", default: Double(text.layerNormEps)))
            text.positionEmbeddingType = try kw.optionalString("position_embedding_type") ?? text.positionEmbeddingType
            text.rotaryEmbBase = Float(try kw.double("rotary_emb_base", default: Double(text.rotaryEmbBase)))
            text.padTokenId = try kw.int("pad_token_id", default: text.padTokenId)
            text.typeVocabSize = try kw.int("type_vocab_size", default: text.typeVocabSize)
            text.loraRank = try kw.int("lora_rank", default: text.loraRank)
            text.loraAlpha = Float(try kw.double("lora_alpha", default: Double(text.loraAlpha)))
            text.loraAdaptations = try kw.optionalStrings("lora_adaptations") ?? text.loraAdaptations
            text.taskInstructions = try kw.optionalStringMap("task_instructions") ?? text.taskInstructions
        }
        text.defaultLoraTask = try tj.optionalString("default_lora_task")
        text.embedDim = try tj.int("embed_dim", default: text.hiddenSize)
        guard text.hiddenAct == "gelu" else {
            throw ModelConfigError(file: file, "text hidden_act '\(text.hiddenAct)' is not supported (jina-clip-v2 uses exact-erf 'gelu')")
        }
        guard text.positionEmbeddingType == "rotary" else {
            throw ModelConfigError(file: file, "text position_embedding_type '\(text.positionEmbeddingType)' is not supported (expected 'rotary')")
        }
        if let proj = try tj.optionalString("proj_type") {
            throw ModelConfigError(file: file, "text_config.proj_type '\(proj)' is not supported (jina-clip-v2 has none)")
        }
        guard text.embedDim == text.hiddenSize else {
            throw ModelConfigError(file: file, "text embed_dim \(text.embedDim) ≠ hidden_size \(text.hiddenSize) needs a projection, which jina-clip-v2 does not have")
        }

        let vj = try j.object("vision_config")
        let visionType = try vj.optionalString("model_type")
        if let visionType, visionType != "jina_clip_vision" {
            throw ModelConfigError(file: file, "vision_config.model_type '\(visionType)' is not supported (expected 'jina_clip_vision')")
        }
        for (key, expected) in [("rope_embeddings", true), ("subln", true), ("naive_swiglu", true), ("qkv_bias", true), ("post_norm", false)] {
            if let v = try vj.optionalBool(key), v != expected {
                throw ModelConfigError(file: file, "vision_config.\(key) = \(v) is not supported (jina-clip-v2 uses \(expected))")
            }
        }
        if vj.has("ls_init_value") {
            throw ModelConfigError(file: file, "vision_config.ls_init_value (layer scale) is not supported")
        }
        if let proj = try vj.optionalString("proj_type") {
            throw ModelConfigError(file: file, "vision_config.proj_type '\(proj)' is not supported (jina-clip-v2 has none)")
        }
        let width = try vj.int("width", default: 1024)
        var vision = VisionConfig(
            width: width, layers: try vj.int("layers", default: 24), headWidth: try vj.int("head_width", default: 64),
            imageSize: try vj.int("image_size", default: 512), patchSize: try vj.int("patch_size", default: 14),
            mlpRatio: try vj.double("mlp_ratio", default: 2.6667), ptHwSeqLen: try vj.int("pt_hw_seq_len", default: 16),
            intpFreq: try vj.optionalBool("intp_freq") ?? true, embedDim: try vj.int("embed_dim", default: width))
        vision.layerNormEps = 1e-6
        guard vision.width % vision.headWidth == 0, vision.headWidth % 4 == 0 else {
            throw ModelConfigError(file: file, "vision width \(vision.width) / head_width \(vision.headWidth) do not give whole heads with 2-D RoPE")
        }
        guard vision.patchSize > 0, vision.grid > 0 else {
            throw ModelConfigError(file: file, "vision image_size \(vision.imageSize) is smaller than patch_size \(vision.patchSize)")
        }
        if !vision.intpFreq && vision.grid != vision.ptHwSeqLen {
            throw ModelConfigError(file: file, "vision intp_freq = false with a grid different from pt_hw_seq_len is not supported")
        }
        guard vision.embedDim == vision.width, vision.embedDim == text.embedDim else {
            throw ModelConfigError(file: file, "vision embed_dim \(vision.embedDim), width \(vision.width) and text embed_dim \(text.embedDim) must agree (no projections)")
        }
        guard text.hiddenSize % text.numAttentionHeads == 0, text.headDim % 2 == 0 else {
            throw ModelConfigError(file: file, "text hidden_size \(text.hiddenSize) is not divisible into \(text.numAttentionHeads) even-sized heads")
        }
        if let add = try j.optionalBool("add_projections"), add {
            throw ModelConfigError(file: file, "add_projections = true is not supported (jina-clip-v2 has none)")
        }

        // Imaging's PreprocessorConfig (size, mean, std); interpolation and resize mode are checked
        // here because only Pillow bicubic + shortest-side resize is implemented.
        var pre = PreprocessorConfig(size: vision.imageSize, mean: Preprocessor.clipMean, std: Preprocessor.clipStd)
        if let preprocessor {
            let pfile = "preprocessor_config.json"
            guard let proot = (try? JSONSerialization.jsonObject(with: preprocessor)) as? [String: Any] else {
                throw ModelConfigError(file: pfile, "not a JSON object")
            }
            let p = JSONFields(proot, file: pfile, path: "")
            pre.size = try p.int("size", default: pre.size)
            pre.mean = try p.optionalDoubles("mean")?.map(Float.init) ?? pre.mean
            pre.std = try p.optionalDoubles("std")?.map(Float.init) ?? pre.std
            if let interpolation = try p.optionalString("interpolation"), interpolation != "bicubic" {
                throw ModelConfigError(file: pfile, "interpolation \"\(interpolation)\" is not supported (only bicubic)")
            }
            if let mode = try p.optionalString("resize_mode"), mode != "shortest" {
                throw ModelConfigError(file: pfile, "resize_mode \"\(mode)\" is not supported (only shortest)")
            }
            guard pre.mean.count == 3, pre.std.count == 3, pre.std.allSatisfy({ $0 > 0 }) else {
                throw ModelConfigError(file: pfile, "mean and std must be 3 values (std > 0)")
            }
            guard pre.size == vision.imageSize else {
                throw ModelConfigError(file: pfile, "size \(pre.size) differs from vision_config.image_size \(vision.imageSize)")
            }
        }
        let dims = try j.optionalInts("matryoshka_dimensions") ?? [text.embedDim]
        return ModelConfig(modelType: modelType, matryoshkaDimensions: dims, truncateDim: try j.optionalInt("truncate_dim"),
                           text: text, vision: vision, preprocessor: pre)
    }
}

/// Typed access to a JSON object with errors naming file and key path; JSON null counts as absent.
struct JSONFields {
    let dict: [String: Any]
    let file: String
    let path: String
    init(_ dict: [String: Any], file: String, path: String) { self.dict = dict; self.file = file; self.path = path }

    private func key(_ k: String) -> String { path.isEmpty ? k : path + "." + k }
    private func value(_ k: String) -> Any? { let v = dict[k]; return v is NSNull ? nil : v }
    private func bad(_ k: String, _ what: String) -> ModelConfigError { ModelConfigError(file: file, "\(key(k)) must be \(what)") }

    func has(_ k: String) -> Bool { value(k) != nil }

    func object(_ k: String) throws -> JSONFields {
        guard let o = try optionalObject(k) else { throw ModelConfigError(file: file, "missing \(key(k))") }
        return o
    }
    func optionalObject(_ k: String) throws -> JSONFields? {
        guard let v = value(k) else { return nil }
        guard let d = v as? [String: Any] else { throw bad(k, "an object") }
        return JSONFields(d, file: file, path: key(k))
    }
    func string(_ k: String) throws -> String {
        guard let s = try optionalString(k) else { throw ModelConfigError(file: file, "missing \(key(k))") }
        return s
    }
    func optionalString(_ k: String) throws -> String? {
        guard let v = value(k) else { return nil }
        guard let s = v as? String else { throw bad(k, "a string") }
        return s
    }
    func optionalBool(_ k: String) throws -> Bool? {
        guard let v = value(k) else { return nil }
        guard let n = v as? NSNumber, CFGetTypeIDIsBool(n) else { throw bad(k, "true or false") }
        return n.boolValue
    }
    func optionalInt(_ k: String) throws -> Int? {
        guard let v = value(k) else { return nil }
        guard let n = v as? NSNumber, !CFGetTypeIDIsBool(n), n.doubleValue == n.doubleValue.rounded() else { throw bad(k, "an integer") }
        return n.intValue
    }
    func int(_ k: String, default d: Int) throws -> Int {
        let v = try optionalInt(k) ?? d
        guard v > 0 || k.hasSuffix("_id") else { throw bad(k, "a positive integer") }
        return v
    }
    func double(_ k: String, default d: Double) throws -> Double {
        guard let v = value(k) else { return d }
        guard let n = v as? NSNumber, !CFGetTypeIDIsBool(n) else { throw bad(k, "a number") }
        return n.doubleValue
    }
    func optionalInts(_ k: String) throws -> [Int]? {
        guard let v = value(k) else { return nil }
        guard let a = v as? [NSNumber], a.allSatisfy({ $0.doubleValue == $0.doubleValue.rounded() && $0.intValue > 0 }) else {
            throw bad(k, "a list of positive integers")
        }
        return a.map(\.intValue)
    }
    func optionalDoubles(_ k: String) throws -> [Double]? {
        guard let v = value(k) else { return nil }
        guard let a = v as? [NSNumber] else { throw bad(k, "a list of numbers") }
        return a.map(\.doubleValue)
    }
    func optionalStrings(_ k: String) throws -> [String]? {
        guard let v = value(k) else { return nil }
        guard let a = v as? [String] else { throw bad(k, "a list of strings") }
        return a
    }
    func optionalStringMap(_ k: String) throws -> [String: String]? {
        guard let v = value(k) else { return nil }
        guard let a = v as? [String: String] else { throw bad(k, "an object of strings") }
        return a
    }
}

/// JSONSerialization gives NSNumber for both booleans and numbers; booleans have their own class.
private let boolNumberType = type(of: NSNumber(value: true))
private func CFGetTypeIDIsBool(_ n: NSNumber) -> Bool { type(of: n) == boolNumberType }
