// `clipscope embed`: embed inputs with the model and print one JSON line per input, in command-line
// order:
//   {"kind": "text", "input": T, "dims": N, "query": false, "embedding": [...]}
//   {"kind": "image", "input": PATH, "dims": N, "embedding": [...]}   (or "error": ... → exit 1)
// A text that cannot be embedded (e.g. a broken tokenizer.json, which is loaded on first use, so
// the model itself loads) gets {"kind": "text", "input": T, "error": ...} and the images of the same
// call are still embedded.
// --dims N (1…width, default full width; a warning when N is not a trained Matryoshka size) truncates
// then L2-normalizes; --query adds the retrieval.query instruction (`input` stays the raw text);
// --max-length counts <s> and </s> (512 as in the official encode_text).
// Inputs are kept in one ordered list of `EmbedInput`s (each option's transform stamps a sequence
// number while parsing), so further input kinds interleave with --text in command-line order.
import CLISupport
import ArgumentParser
import ClipModel
import Foundation
import Retrieval

/// One input from the command line, stamped with its position among all inputs.
struct EmbedInput {
    enum Kind: String { case text, image }
    var kind: Kind
    var value: String
    var order: Int

    private static let counterLock = NSLock()
    private static var counter = 0
    static func stamped(_ kind: Kind, _ value: String) -> EmbedInput {
        counterLock.lock(); defer { counterLock.unlock() }
        counter += 1
        return EmbedInput(kind: kind, value: value, order: counter)
    }
}

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed texts and images; one JSON line per input.",
        discussion: """
        Prints {"kind": "text", "input": T, "dims": N, "query": false, "embedding": [...]} per text and \
        {"kind": "image", "input": PATH, "dims": N, "embedding": [...]} per image, in command-line order. \
        An image that cannot be decoded gets {"kind": "image", "input": PATH, "error": ...}, a text that \
        cannot be embedded (e.g. a broken tokenizer.json) {"kind": "text", "input": T, "error": ...}; the \
        others are still embedded and the exit status is 1. Embeddings are truncated to --dims (default: the model's full width) and then \
        L2-normalized, like jina-clip-v2's encode_text(truncate_dim=N).
        """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .customLong("text"), help: ArgumentHelp("A text to embed (repeatable).", valueName: "T"),
            transform: { EmbedInput.stamped(.text, $0) })
    var texts: [EmbedInput] = []

    @Option(name: .customLong("image"), help: ArgumentHelp("An image file to embed (repeatable).", valueName: "PATH"),
            transform: { EmbedInput.stamped(.image, $0) })
    var images: [EmbedInput] = []

    @Flag(name: .customLong("allow-partial"), help: "Embed truncated JPEGs as far as they go (rest grey) instead of failing them.")
    var allowPartial = false

    @Option(help: ArgumentHelp("Keep the first N dimensions, then L2-normalize (1…width).", valueName: "N"))
    var dims: Int?

    @Flag(help: "Prefix texts with the retrieval.query instruction (for search queries).")
    var query = false

    @Option(name: .customLong("max-length"), help: ArgumentHelp("Token limit per text incl. <s> and </s>.", valueName: "N"))
    var maxLength = 512

    @Option(help: ArgumentHelp("Compute threads (default: all cores).", valueName: "N"))
    var threads: Int?

    func validate() throws {
        try NumericOptions.check(dims, "dims", 1...Int.max)
        try NumericOptions.maxLength(maxLength)
        try NumericOptions.threads(threads)
    }

    func run() throws {
        let inputs = (texts + images).sorted { $0.order < $1.order }
        guard !inputs.isEmpty else {
            throw CLIError.usage("nothing to embed: give --text T and/or --image PATH (repeatable)")
        }
        let backend = try ModelBackend.load(modelOptions, threads: threads)
        backend.allowPartial = allowPartial
        let model = backend.model
        let width = model.embeddingWidth
        let d = dims ?? width
        guard d <= width else { throw CLIError.usage("--dims \(d) is out of range: it must be 1…\(width) (the model's width)") }
        if !model.isTrainedDims(d) {
            printError("clipscope: warning: --dims \(d) is not one of the model's trained Matryoshka sizes \(model.config.matryoshkaDimensions)")
        }

        // Texts are embedded in one batched call; lines are written in command-line order. A text
        // that cannot be embedded (a broken tokenizer.json fails every text) gets its own error
        // line, and the images of the same call are still embedded.
        let textInputs = inputs.filter { $0.kind == .text }
        let textResults = Self.embedTexts(textInputs, model: model, dims: d, query: query, maxLength: maxLength)
        var failures = 0
        for input in inputs {
            switch input.kind {
            case .text:
                switch textResults[input.order] {
                case .success(let v)?:
                    try emit(Self.textLine(input.value, dims: d, query: query, precision: backend.precision, embedding: v))
                case .failure(let error)?:
                    failures += 1
                    printError("clipscope: \(error.message)")
                    try emit(Self.errorLine(.text, input.value, error.message))
                case nil:
                    failures += 1
                    printError("clipscope: text #\(input.order) was not embedded")
                }
            case .image:
                let line: String
                do {
                    let full = try backend.embedImage(at: URL(fileURLWithPath: input.value))
                    let v = d == width ? full : PrefixCosine.normalizedPrefix(full, dims: d)
                    line = JSON.object([("kind", .string("image")), ("input", .string(input.value)), ("dims", .int(d)),
                                        ("precision", .string(backend.precision)), ("embedding", Self.vector(v))]).rendered
                } catch {
                    failures += 1
                    printError("clipscope: \(error)")
                    line = Self.errorLine(.image, input.value, String(describing: error))
                }
                try emit(line)
            }
        }
        if failures > 0 { throw InputFailure("clipscope embed: \(failures) of \(inputs.count) inputs failed") }
    }

    /// A text's failure, as written on its error line.
    struct TextFailure: Error { var message: String }

    /// Every text's embedding or error, keyed by input order. One batched call when all is well;
    /// when the batch fails, the tokenizer is checked once (a broken tokenizer.json is the same
    /// error for every text, and is not re-parsed per text), then each text is embedded alone so
    /// one failing text does not take the others down.
    static func embedTexts(_ inputs: [EmbedInput], model: ClipEmbedder, dims: Int, query: Bool,
                           maxLength: Int) -> [Int: Result<[Float], TextFailure>] {
        guard !inputs.isEmpty else { return [:] }
        var out: [Int: Result<[Float], TextFailure>] = [:]
        if let vectors = try? model.embed(texts: inputs.map(\.value), dims: dims, asQuery: query, maxLength: maxLength),
           vectors.count == inputs.count {
            for (input, v) in zip(inputs, vectors) { out[input.order] = .success(v) }
            return out
        }
        do {
            _ = try model.tokenizer
        } catch {
            for input in inputs { out[input.order] = .failure(TextFailure(message: "\(error)")) }
            return out
        }
        for input in inputs {
            do {
                guard let v = try model.embed(texts: [input.value], dims: dims, asQuery: query, maxLength: maxLength).first else {
                    throw TextFailure(message: "the model returned no text embedding")
                }
                out[input.order] = .success(v)
            } catch {
                out[input.order] = .failure(error as? TextFailure ?? TextFailure(message: "\(error)"))
            }
        }
        return out
    }

    // MARK: helpers

    static func textLine(_ text: String, dims: Int, query: Bool, precision: String, embedding: [Float]) -> String {
        JSON.object([("kind", .string("text")), ("input", .string(text)), ("dims", .int(dims)), ("query", .bool(query)),
                     ("precision", .string(precision)), ("embedding", vector(embedding))]).rendered
    }

    static func errorLine(_ kind: EmbedInput.Kind, _ input: String, _ message: String) -> String {
        JSON.object([("kind", .string(kind.rawValue)), ("input", .string(input)), ("error", .string(message))]).rendered
    }

    /// Each value as the shortest text that reads back as the same Float.
    static func vector(_ v: [Float]) -> JSON { .array(v.map { .float($0) }) }
}
