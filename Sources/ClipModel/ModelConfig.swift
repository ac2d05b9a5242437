// jina-clip-v2 configuration: the one parser of config.json (top level, text_config, vision_config);
// preprocessor_config.json is Imaging's PreprocessorConfig(json:). Each part is read in three steps:
//   parse     the fields as written (wrong JSON types are errors naming the key), nil when absent
//   defaults  the values of absent fields
//   validate  sizes the architecture can have, what only jina-clip-v2's variant implements, and a
//             memory estimate against this machine's RAM, before anything is allocated from them.
//
// The text backbone's own config is NOT in config.json: the official code loads
// jinaai/jina-embeddings-v3's config and applies `text_config.hf_model_config_kwargs` on top. The v3
// values are therefore the text defaults (`TextConfig.v3Defaults`, docs/spec.md), applied whenever the
// backbone is jina-embeddings-v3 (named, or not named), the only backbone whose values are known here;
// notably rotary_emb_base 20000 (the XLMRobertaFlashConfig class default 10000 is wrong for this model).
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

/// Bytes as "12.3 GB", "45.0 PB" (decimal units).
func formatBytes(_ b: Double) -> String {
    let units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"]
    var v = b, u = 0
    while v >= 1000, u < units.count - 1 { v /= 1000; u += 1 }
    return u == 0 ? "\(Int(v)) bytes" : String(format: "%.1f %@", v, units[u])
}

extension TextConfig {
    /// The backbone whose defaults `v3Defaults` are.
    public static let v3Backbone = "jinaai/jina-embeddings-v3"

    /// text_config: parse, defaults (v3), validate.
    init(json tj: JSONFields) throws {
        let file = tj.file
        // parse
        let textType = try tj.optionalString("model_type")
        let backbone = try tj.optionalString("hf_model_name_or_path")
        let proj = try tj.optionalString("proj_type")
        let kw = try tj.optionalObject("hf_model_config_kwargs")
        let vocab = try kw?.optionalInt("vocab_size"), hidden = try kw?.optionalInt("hidden_size")
        let layers = try kw?.optionalInt("num_hidden_layers"), heads = try kw?.optionalInt("num_attention_heads")
        let inter = try kw?.optionalInt("intermediate_size"), act = try kw?.optionalString("hidden_act")
        let eps = try kw?.optionalDouble("layer_norm_eps"), position = try kw?.optionalString("position_embedding_type")
        let rotary = try kw?.optionalDouble("rotary_emb_base"), pad = try kw?.optionalInt("pad_token_id")
        let typeVocab = try kw?.optionalInt("type_vocab_size"), rank = try kw?.optionalInt("lora_rank")
        let alpha = try kw?.optionalDouble("lora_alpha"), adaptations = try kw?.optionalStrings("lora_adaptations")
        let instructions = try kw?.optionalStringMap("task_instructions")
        let task = try tj.optionalString("default_lora_task"), width = try tj.optionalInt("embed_dim")
        if let textType, textType != "jina_clip_text" {
            throw ModelConfigError(file: file, "text_config.model_type '\(textType)' is not supported (expected 'jina_clip_text')")
        }
        if let backbone, backbone != Self.v3Backbone {
            throw ModelConfigError(file: file,
                "text_config.hf_model_name_or_path '\(backbone)' is not supported (ClipScope knows the defaults of \(Self.v3Backbone) only)")
        }
        if let proj { throw ModelConfigError(file: file, "text_config.proj_type '\(proj)' is not supported (jina-clip-v2 has none)") }

        // defaults
        let d = TextConfig.v3Defaults
        self = d
        vocabSize = vocab ?? d.vocabSize; hiddenSize = hidden ?? d.hiddenSize
        numHiddenLayers = layers ?? d.numHiddenLayers; numAttentionHeads = heads ?? d.numAttentionHeads
        intermediateSize = inter ?? d.intermediateSize; hiddenAct = act ?? d.hiddenAct
        layerNormEps = eps.map(Float.init) ?? d.layerNormEps; positionEmbeddingType = position ?? d.positionEmbeddingType
        rotaryEmbBase = rotary.map(Float.init) ?? d.rotaryEmbBase; padTokenId = pad ?? d.padTokenId
        typeVocabSize = typeVocab ?? d.typeVocabSize; loraRank = rank ?? d.loraRank
        loraAlpha = alpha.map(Float.init) ?? d.loraAlpha; loraAdaptations = adaptations ?? d.loraAdaptations
        taskInstructions = instructions ?? d.taskInstructions
        defaultLoraTask = task
        embedDim = width ?? hiddenSize

        try validate(file: file)
    }

    /// Sizes the text tower can have and what it implements.
    func validate(file: String) throws {
        let k = "text_config.hf_model_config_kwargs."
        try ConfigRange.check(vocabSize, k + "vocab_size", 1...(1 << 24), file: file)
        try ConfigRange.check(hiddenSize, k + "hidden_size", 1...65536, file: file)
        try ConfigRange.check(numHiddenLayers, k + "num_hidden_layers", 1...Int.max, file: file)
        try ConfigRange.check(numAttentionHeads, k + "num_attention_heads", 1...hiddenSize, file: file)
        try ConfigRange.check(intermediateSize, k + "intermediate_size", 1...(1 << 20), file: file)
        try ConfigRange.check(typeVocabSize, k + "type_vocab_size", 1...65536, file: file)
        try ConfigRange.check(loraRank, k + "lora_rank", 1...1024, file: file)
        try ConfigRange.check(padTokenId, k + "pad_token_id", 0...(vocabSize - 1), file: file)
        try ConfigRange.check(embedDim, "text_config.embed_dim", 1...65536, file: file)
        guard layerNormEps.isFinite, layerNormEps > 0, rotaryEmbBase.isFinite, rotaryEmbBase > 1, loraAlpha.isFinite else {
            throw ModelConfigError(file: file, "\(k)layer_norm_eps, rotary_emb_base and lora_alpha must be finite positive numbers (rotary_emb_base > 1)")
        }
        guard !loraAdaptations.isEmpty else { throw ModelConfigError(file: file, "\(k)lora_adaptations is empty") }
        guard hiddenAct == "gelu" else {
            throw ModelConfigError(file: file, "text hidden_act '\(hiddenAct)' is not supported (jina-clip-v2 uses exact-erf 'gelu')")
        }
        guard positionEmbeddingType == "rotary" else {
            throw ModelConfigError(file: file, "text position_embedding_type '\(positionEmbeddingType)' is not supported (expected 'rotary')")
        }
        guard embedDim == hiddenSize else {
            throw ModelConfigError(file: file, "text embed_dim \(embedDim) ≠ hidden_size \(hiddenSize) needs a projection, which jina-clip-v2 does not have")
        }
        guard hiddenSize % numAttentionHeads == 0, headDim % 2 == 0 else {
            throw ModelConfigError(file: file, "text hidden_size \(hiddenSize) is not divisible into \(numAttentionHeads) even-sized heads")
        }
    }

    /// Parameters of the tower (embeddings, layers, adapters).
    public var parameterCount: Double {
        let h = Double(hiddenSize), i = Double(intermediateSize), r = Double(loraRank * loraAdaptations.count)
        let embeddings = Double(vocabSize + typeVocabSize) * (h + r) + 2 * h
        let layer = 4 * h * h + 2 * h * i + 9 * h + i + r * (8 * h + 2 * i)
        return embeddings + Double(numHiddenLayers) * layer
    }
}

extension VisionConfig {
    /// vision_config: parse, defaults (jina-clip-v2's EVA02-L), validate.
    init(json vj: JSONFields) throws {
        let file = vj.file
        // parse
        let visionType = try vj.optionalString("model_type")
        var flags: [(String, Bool, Bool)] = []   // key, value, what jina-clip-v2 uses
        for (key, expected) in [("rope_embeddings", true), ("subln", true), ("naive_swiglu", true), ("qkv_bias", true), ("post_norm", false)] {
            if let v = try vj.optionalBool(key) { flags.append((key, v, expected)) }
        }
        let layerScale = vj.has("ls_init_value"), proj = try vj.optionalString("proj_type")
        let w = try vj.optionalInt("width"), layers = try vj.optionalInt("layers"), headWidth = try vj.optionalInt("head_width")
        let imageSize = try vj.optionalInt("image_size"), patchSize = try vj.optionalInt("patch_size")
        let mlpRatio = try vj.optionalDouble("mlp_ratio"), seqLen = try vj.optionalInt("pt_hw_seq_len")
        let intpFreq = try vj.optionalBool("intp_freq"), embedDim = try vj.optionalInt("embed_dim")
        if let visionType, visionType != "jina_clip_vision" {
            throw ModelConfigError(file: file, "vision_config.model_type '\(visionType)' is not supported (expected 'jina_clip_vision')")
        }
        for (key, v, expected) in flags where v != expected {
            throw ModelConfigError(file: file, "vision_config.\(key) = \(v) is not supported (jina-clip-v2 uses \(expected))")
        }
        if layerScale { throw ModelConfigError(file: file, "vision_config.ls_init_value (layer scale) is not supported") }
        if let proj { throw ModelConfigError(file: file, "vision_config.proj_type '\(proj)' is not supported (jina-clip-v2 has none)") }

        // defaults
        let width = w ?? 1024
        self.init(width: width, layers: layers ?? 24, headWidth: headWidth ?? 64, imageSize: imageSize ?? 512,
                  patchSize: patchSize ?? 14, mlpRatio: mlpRatio ?? 2.6667, ptHwSeqLen: seqLen ?? 16,
                  intpFreq: intpFreq ?? true, embedDim: embedDim ?? width)
        layerNormEps = 1e-6

        try validate(file: file)
    }

    /// Sizes the vision tower can have and what it implements.
    func validate(file: String) throws {
        let k = "vision_config."
        try ConfigRange.check(width, k + "width", 1...65536, file: file)
        try ConfigRange.check(layers, k + "layers", 1...Int.max, file: file)
        try ConfigRange.check(headWidth, k + "head_width", 1...width, file: file)
        try ConfigRange.check(imageSize, k + "image_size", 1...16384, file: file)
        try ConfigRange.check(patchSize, k + "patch_size", 1...imageSize, file: file,
                              why: "image_size \(imageSize) must hold at least one patch")
        try ConfigRange.check(ptHwSeqLen, k + "pt_hw_seq_len", 1...16384, file: file)
        try ConfigRange.check(embedDim, k + "embed_dim", 1...65536, file: file)
        guard mlpRatio.isFinite, mlpRatio > 0, Double(width) * mlpRatio >= 1, Double(width) * mlpRatio <= Double(1 << 20) else {
            throw ModelConfigError(file: file,
                "\(k)mlp_ratio \(mlpRatio) must be a positive number giving a SwiGLU hidden size int(width · mlp_ratio) of 1…\(1 << 20) (jina-clip-v2: 2.6667)")
        }
        guard width % headWidth == 0, headWidth % 4 == 0 else {
            throw ModelConfigError(file: file, "vision width \(width) / head_width \(headWidth) do not give whole heads with 2-D RoPE")
        }
        if !intpFreq && grid != ptHwSeqLen {
            throw ModelConfigError(file: file, "vision intp_freq = false with a grid different from pt_hw_seq_len is not supported")
        }
    }

    /// Parameters of the tower (patch embedding, positions, layers).
    public var parameterCount: Double {
        let w = Double(width), h = Double(mlpHidden), p = Double(patchSize)
        let stem = 3 * p * p * w + w + Double(tokens + 1) * w + 2 * w
        let layer = 4 * w * w + 3 * w * h + 10 * w + 4 * h
        return stem + Double(layers) * layer
    }

    /// Float32 activations of one image forward (token rows through the widest stage, with headroom).
    public var activationBytes: Double { Double(tokens) * Double(max(3 * width, 2 * mlpHidden)) * 4 * 4 }
}

public struct ModelConfig: Equatable, Sendable {
    public var modelType: String
    public var matryoshkaDimensions: [Int]
    public var truncateDim: Int?
    public var text: TextConfig
    public var vision: VisionConfig
    public var preprocessor: PreprocessorConfig
    /// Informational top-level fields (shown by `model info`).
    public var architectures: [String] = []
    public var torchDtype: String?
    public var projectionDim: Int?

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
    public static func load(directory: URL, memoryLimit: UInt64 = ProcessInfo.processInfo.physicalMemory) throws -> ModelConfig {
        try loadWithBytes(directory: directory, memoryLimit: memoryLimit).config
    }

    /// The config and the config.json bytes it was parsed from (hashed into the model identity).
    static func loadWithBytes(directory: URL, memoryLimit: UInt64 = ProcessInfo.processInfo.physicalMemory) throws
        -> (config: ModelConfig, bytes: Data) {
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
            return (try decode(config: data, preprocessor: pre, memoryLimit: memoryLimit), data)
        } catch var e as ModelConfigError {
            // Name the file with its folder: "models/x/config.json: model_type ..." is actionable.
            e.file = directory.appendingPathComponent(e.file).path
            throw e
        }
    }

    public static func decode(config: Data, preprocessor: Data? = nil,
                              memoryLimit: UInt64 = ProcessInfo.processInfo.physicalMemory) throws -> ModelConfig {
        let file = "config.json"
        guard let root = (try? JSONSerialization.jsonObject(with: config)) as? [String: Any] else {
            throw ModelConfigError(file: file, "not a JSON object")
        }
        // parse (each tower parses, defaults and validates its own part)
        let j = JSONFields(root, file: file, path: "")
        let modelType = try j.string("model_type")
        guard modelType == supportedModelType else {
            throw ModelConfigError(file: file,
                "model_type '\(modelType)' is not supported; ClipScope runs jina-clip-v2 (model_type '\(supportedModelType)')")
        }
        let text = try TextConfig(json: try j.object("text_config"))
        let vision = try VisionConfig(json: try j.object("vision_config"))
        let addProjections = try j.optionalBool("add_projections")
        let dims = try j.optionalInts("matryoshka_dimensions")
        let truncateDim = try j.optionalInt("truncate_dim")
        let architectures = try j.optionalStrings("architectures") ?? []
        let torchDtype = try j.optionalString("torch_dtype")
        let projectionDim = try j.optionalInt("projection_dim")
        let pfile = "preprocessor_config.json"
        let pre: PreprocessorConfig
        do {
            pre = try preprocessor.map { try PreprocessorConfig(json: $0, defaultSize: vision.imageSize) }
                ?? PreprocessorConfig(size: vision.imageSize, mean: Preprocessor.clipMean, std: Preprocessor.clipStd)
        } catch let e as PreprocessorConfig.LoadError {
            throw ModelConfigError(file: pfile, e.problem)
        }

        // validate what the parts must agree on, then the memory the model needs
        if addProjections == true {
            throw ModelConfigError(file: file, "add_projections = true is not supported (jina-clip-v2 has none)")
        }
        guard vision.embedDim == vision.width, vision.embedDim == text.embedDim else {
            throw ModelConfigError(file: file, "vision embed_dim \(vision.embedDim), width \(vision.width) and text embed_dim \(text.embedDim) must agree (no projections)")
        }
        guard pre.size == vision.imageSize else {
            throw ModelConfigError(file: pfile, "size \(pre.size) differs from vision_config.image_size \(vision.imageSize)")
        }
        let matryoshka = dims ?? [text.embedDim]
        if let bad = matryoshka.first(where: { $0 > text.embedDim }) {
            throw ModelConfigError(file: file, "matryoshka_dimensions has \(bad), more than the embedding width \(text.embedDim)")
        }
        try checkMemory(text: text, vision: vision, limit: memoryLimit, file: file)
        return ModelConfig(modelType: modelType, matryoshkaDimensions: matryoshka, truncateDim: truncateDim,
                           text: text, vision: vision, preprocessor: pre, architectures: architectures,
                           torchDtype: torchDtype, projectionDim: projectionDim)
    }

    /// Refuses a model whose weights (as float32) and one image's activations would not fit in `limit`
    /// bytes, naming the tower and the estimate, before anything is allocated.
    static func checkMemory(text: TextConfig, vision: VisionConfig, limit: UInt64, file: String) throws {
        let textBytes = text.parameterCount * 4
        let visionBytes = vision.parameterCount * 4 + vision.activationBytes
        let have = Double(limit)
        let machine = "this machine has \(formatBytes(have))"
        if visionBytes > have {
            throw ModelConfigError(file: file, "vision_config describes a tower of \(vision.layers) layers of width \(vision.width) "
                + "that would need about \(formatBytes(visionBytes)) of memory; \(machine)")
        }
        if textBytes > have {
            throw ModelConfigError(file: file, "text_config describes a tower of \(text.numHiddenLayers) layers of width \(text.hiddenSize) "
                + "(vocabulary \(text.vocabSize)) that would need about \(formatBytes(textBytes)) of memory; \(machine)")
        }
        if textBytes + visionBytes > have {
            throw ModelConfigError(file: file, "the model would need about \(formatBytes(textBytes + visionBytes)) of memory; \(machine)")
        }
    }
}

/// Range checks of config values, with the key in the message.
enum ConfigRange {
    static func check(_ v: Int, _ key: String, _ range: ClosedRange<Int>, file: String, why: String = "") throws {
        guard !range.contains(v) else { return }
        let bound = range.upperBound == Int.max ? "at least \(range.lowerBound)" : "\(range.lowerBound)…\(range.upperBound)"
        throw ModelConfigError(file: file, "\(key) \(v) is out of range: it must be \(bound)" + (why.isEmpty ? "" : " (\(why))"))
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
        guard let n = v as? NSNumber, !CFGetTypeIDIsBool(n), n.doubleValue == n.doubleValue.rounded(), abs(n.doubleValue) < 9.0e15 else {
            throw bad(k, "an integer")
        }
        return n.intValue
    }
    func optionalDouble(_ k: String) throws -> Double? {
        guard let v = value(k) else { return nil }
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
