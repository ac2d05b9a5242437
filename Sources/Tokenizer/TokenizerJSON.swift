// Typed view of a Hugging Face `tokenizer.json` (format version 1.0), restricted to the components the
// XLM-R family uses. Every component is selected by its JSON `type`; an unknown `type` is an error that
// names the component and the type, never a silent default. `truncation` and `padding` are deliberately
// not read: jina-clip-v2's `encode_text` overrides the stored `max_length 77` / `Fixed 77`.
//
// Loading speed: the 250,002-entry `model.vocab` array is ~94 % of the 17 MB file. JSONDecoder needs
// ~0.4 s for it, so `VocabScanner` locates and parses that one array directly and the rest of the
// document (a few hundred KB) goes through JSONDecoder with the array replaced by `[]`.
import Foundation

/// A tokenizer file could not be used. `description` is "<file>: <problem>".
public struct TokenizerError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    public var message: String
    public init(file: String, message: String) { self.file = file; self.message = message }
    public var description: String { "\(file): \(message)" }
}

/// Problems found while decoding; converted to `TokenizerError` (with the file name) by the loader.
enum ConfigError: Error, CustomStringConvertible {
    case unknownType(component: String, type: String)
    case invalid(String)
    var description: String {
        switch self {
        case let .unknownType(component, type): return "unsupported \(component) type '\(type)'"
        case let .invalid(message): return message
        }
    }
}

private struct TypeKey: Decodable { var type: String? }

private func componentType(_ decoder: Decoder, _ component: String) throws -> String {
    guard let type = try TypeKey(from: decoder).type else {
        throw ConfigError.invalid("\(component) without a \"type\"")
    }
    return type
}

// MARK: - whole file

struct TokenizerFile: Decodable {
    var addedTokens: [AddedTokenConfig]
    var normalizer: NormalizerConfig?
    var preTokenizer: PreTokenizerConfig?
    var model: UnigramConfig
    var postProcessor: PostProcessorConfig?
    var decoder: DecoderConfig?

    enum CodingKeys: String, CodingKey {
        case addedTokens = "added_tokens", normalizer, preTokenizer = "pre_tokenizer", model
        case postProcessor = "post_processor", decoder
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        addedTokens = try c.decodeIfPresent([AddedTokenConfig].self, forKey: .addedTokens) ?? []
        normalizer = try c.decodeIfPresent(NormalizerConfig.self, forKey: .normalizer)
        preTokenizer = try c.decodeIfPresent(PreTokenizerConfig.self, forKey: .preTokenizer)
        guard c.contains(.model) else { throw ConfigError.invalid("no \"model\" section") }
        model = try c.decode(UnigramConfig.self, forKey: .model)
        postProcessor = try c.decodeIfPresent(PostProcessorConfig.self, forKey: .postProcessor)
        self.decoder = try c.decodeIfPresent(DecoderConfig.self, forKey: .decoder)
    }
}

struct AddedTokenConfig: Decodable {
    var id: Int
    var content: String
    var singleWord: Bool
    var lstrip: Bool
    var rstrip: Bool
    var normalized: Bool
    var special: Bool

    enum CodingKeys: String, CodingKey {
        case id, content, singleWord = "single_word", lstrip, rstrip, normalized, special
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int.self, forKey: .id)
        content = try c.decode(String.self, forKey: .content)
        singleWord = try c.decodeIfPresent(Bool.self, forKey: .singleWord) ?? false
        lstrip = try c.decodeIfPresent(Bool.self, forKey: .lstrip) ?? false
        rstrip = try c.decodeIfPresent(Bool.self, forKey: .rstrip) ?? false
        special = try c.decodeIfPresent(Bool.self, forKey: .special) ?? false
        // tokenizers' default: special tokens are not normalized, others are.
        normalized = try c.decodeIfPresent(Bool.self, forKey: .normalized) ?? !special
    }
}

// MARK: - normalizer

enum ReplacePattern: Decodable, Equatable {
    case string(String)
    case regex(String)
    enum CodingKeys: String, CodingKey { case string = "String", regex = "Regex" }
    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let s = try c.decodeIfPresent(String.self, forKey: .string) { self = .string(s) }
        else if let r = try c.decodeIfPresent(String.self, forKey: .regex) { self = .regex(r) }
        else { throw ConfigError.invalid("Replace pattern must be {\"String\": …} or {\"Regex\": …}") }
    }
}

indirect enum NormalizerConfig: Decodable {
    case sequence([NormalizerConfig])
    case precompiled(Data)
    case nfc, nfd, nfkc, nfkd, lowercase
    case strip(left: Bool, right: Bool)
    case replace(ReplacePattern, content: String)
    case prepend(String)

    enum CodingKeys: String, CodingKey {
        case normalizers, charsmap = "precompiled_charsmap", stripLeft = "strip_left", stripRight = "strip_right"
        case pattern, content, prepend
    }

    init(from decoder: Decoder) throws {
        let type = try componentType(decoder, "normalizer")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch type {
        case "Sequence": self = .sequence(try c.decode([NormalizerConfig].self, forKey: .normalizers))
        case "Precompiled":
            let text = try c.decodeIfPresent(String.self, forKey: .charsmap) ?? ""
            guard let data = Data(base64Encoded: text) else {
                throw ConfigError.invalid("Precompiled normalizer: precompiled_charsmap is not valid base64")
            }
            self = .precompiled(data)
        case "NFC": self = .nfc
        case "NFD": self = .nfd
        case "NFKC": self = .nfkc
        case "NFKD": self = .nfkd
        case "Lowercase": self = .lowercase
        case "Strip":
            self = .strip(left: try c.decodeIfPresent(Bool.self, forKey: .stripLeft) ?? true,
                          right: try c.decodeIfPresent(Bool.self, forKey: .stripRight) ?? true)
        case "Replace":
            self = .replace(try c.decode(ReplacePattern.self, forKey: .pattern),
                            content: try c.decode(String.self, forKey: .content))
        case "Prepend": self = .prepend(try c.decode(String.self, forKey: .prepend))
        default: throw ConfigError.unknownType(component: "normalizer", type: type)
        }
    }
}

// MARK: - pre-tokenizer

enum PrependScheme: String, Decodable, Sendable { case always, first, never }

indirect enum PreTokenizerConfig: Decodable {
    case sequence([PreTokenizerConfig])
    case whitespaceSplit
    case metaspace(replacement: String, prependScheme: PrependScheme, split: Bool)

    enum CodingKeys: String, CodingKey {
        case pretokenizers, replacement, prependScheme = "prepend_scheme", split, addPrefixSpace = "add_prefix_space"
    }

    init(from decoder: Decoder) throws {
        let type = try componentType(decoder, "pre_tokenizer")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch type {
        case "Sequence": self = .sequence(try c.decode([PreTokenizerConfig].self, forKey: .pretokenizers))
        case "WhitespaceSplit": self = .whitespaceSplit
        case "Metaspace":
            let (replacement, scheme) = try metaspaceFields(c, component: "pre_tokenizer")
            self = .metaspace(replacement: replacement, prependScheme: scheme,
                              split: try c.decodeIfPresent(Bool.self, forKey: .split) ?? true)
        default: throw ConfigError.unknownType(component: "pre_tokenizer", type: type)
        }
    }
}

/// Metaspace `replacement` + effective prepend scheme, as tokenizers ≥ 0.14 reads both the current
/// form (`prepend_scheme`, default "always") and the legacy one (`add_prefix_space: false` → never).
private func metaspaceFields(_ c: KeyedDecodingContainer<PreTokenizerConfig.CodingKeys>,
                             component: String) throws -> (String, PrependScheme) {
    let replacement = try c.decodeIfPresent(String.self, forKey: .replacement) ?? "\u{2581}"
    guard replacement.unicodeScalars.count == 1 else {
        throw ConfigError.invalid("\(component) Metaspace: replacement must be one character, got \"\(replacement)\"")
    }
    var scheme = PrependScheme.always
    if c.contains(.prependScheme) {
        let raw = try c.decode(String.self, forKey: .prependScheme)
        guard let s = PrependScheme(rawValue: raw) else {
            throw ConfigError.invalid("\(component) Metaspace: unknown prepend_scheme '\(raw)'")
        }
        scheme = s
    }
    if try c.decodeIfPresent(Bool.self, forKey: .addPrefixSpace) == false { scheme = .never }
    return (replacement, scheme)
}

// MARK: - model

struct VocabEntry: Decodable {
    var piece: String
    var score: Double
    init(from decoder: Decoder) throws {
        var c = try decoder.unkeyedContainer()
        piece = try c.decode(String.self)
        score = try c.decode(Double.self)
    }
}

struct UnigramConfig: Decodable {
    var unkId: Int?
    var byteFallback: Bool
    /// nil when the loader parsed the array itself (see `VocabScanner`).
    var vocab: [VocabEntry]?

    enum CodingKeys: String, CodingKey { case type, unkId = "unk_id", vocab, byteFallback = "byte_fallback" }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decodeIfPresent(String.self, forKey: .type) ?? "(missing)"
        guard type == "Unigram" else { throw ConfigError.unknownType(component: "model", type: type) }
        unkId = try c.decodeIfPresent(Int.self, forKey: .unkId)
        byteFallback = try c.decodeIfPresent(Bool.self, forKey: .byteFallback) ?? false
        vocab = try c.decodeIfPresent([VocabEntry].self, forKey: .vocab)
    }
}

// MARK: - post-processor

enum TemplatePiece: Decodable {
    case special(String)
    case sequence(String)
    private struct Inner: Decodable { var id: String }
    enum CodingKeys: String, CodingKey { case special = "SpecialToken", sequence = "Sequence" }
    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let s = try c.decodeIfPresent(Inner.self, forKey: .special) { self = .special(s.id) }
        else if let s = try c.decodeIfPresent(Inner.self, forKey: .sequence) { self = .sequence(s.id) }
        else { throw ConfigError.invalid("TemplateProcessing piece must be SpecialToken or Sequence") }
    }
}

struct TemplateSpecialToken: Decodable {
    var id: String
    var ids: [Int]
    var tokens: [String]
}

enum PostProcessorConfig: Decodable {
    case template(single: [TemplatePiece], specialTokens: [String: TemplateSpecialToken])
    /// RobertaProcessing / BertProcessing: `cls A sep` for a single sequence.
    case clsSep(cls: (String, Int), sep: (String, Int))

    private struct Pair: Decodable {
        var token: String
        var id: Int
        init(from decoder: Decoder) throws {
            var c = try decoder.unkeyedContainer()
            token = try c.decode(String.self)
            id = try c.decode(Int.self)
        }
    }
    enum CodingKeys: String, CodingKey { case single, specialTokens = "special_tokens", cls, sep }

    init(from decoder: Decoder) throws {
        let type = try componentType(decoder, "post_processor")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch type {
        case "TemplateProcessing":
            self = .template(single: try c.decode([TemplatePiece].self, forKey: .single),
                             specialTokens: try c.decodeIfPresent([String: TemplateSpecialToken].self,
                                                                  forKey: .specialTokens) ?? [:])
        case "RobertaProcessing", "BertProcessing":
            let cls = try c.decode(Pair.self, forKey: .cls), sep = try c.decode(Pair.self, forKey: .sep)
            self = .clsSep(cls: (cls.token, cls.id), sep: (sep.token, sep.id))
        default: throw ConfigError.unknownType(component: "post_processor", type: type)
        }
    }
}

// MARK: - decoder

enum DecoderConfig: Decodable {
    case metaspace(replacement: String, prependScheme: PrependScheme)

    init(from decoder: Decoder) throws {
        let type = try componentType(decoder, "decoder")
        switch type {
        case "Metaspace":
            let c = try decoder.container(keyedBy: PreTokenizerConfig.CodingKeys.self)
            let (replacement, scheme) = try metaspaceFields(c, component: "decoder")
            self = .metaspace(replacement: replacement, prependScheme: scheme)
        default: throw ConfigError.unknownType(component: "decoder", type: type)
        }
    }
}
