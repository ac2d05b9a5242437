// The real model behind every subcommand and the explorer: a resolved model directory (ModelHub),
// the jina-clip-v2 encoder (ClipModel) and Pillow-exact preprocessing (Imaging), adapted to the
// index layer's `SearchBackend` protocol. The explorer's adapter (ExplorerModelBackend) builds on it.
import CLISupport
import ClipModel
import FileIO
import Foundation
import Imaging
import ModelHub
import VectorIndex

final class ModelBackend: SearchBackend, @unchecked Sendable {
    let resolved: ResolvedModel
    let model: ClipEmbedder
    let preprocessor: PreprocessorConfig

    /// Resolves `--model` (flag, $CLIPSCOPE_MODEL, jina-clip-v2 found locally, the demo) and loads it.
    static func load(_ options: ModelOptions, threads: Int? = nil) throws -> ModelBackend {
        let resolved = try options.resolveModel()
        return try load(resolved, threads: threads, precision: options.precision)
    }

    static func load(_ resolved: ResolvedModel, threads: Int? = nil, precision: Precision = .exact) throws -> ModelBackend {
        if precision != precision.effective { printError(Precision.unsupportedNote) }
        do {
            let model = try ClipEmbedder.load(directory: resolved.directory, threads: threads, precision: precision)
            let pre = model.config.preprocessor   // validated against vision_config.image_size at load
            return ModelBackend(resolved: resolved, model: model, preprocessor: pre)
        } catch {
            throw CLIError.failure("\(error)")
        }
    }

    init(resolved: ResolvedModel, model: ClipEmbedder, preprocessor: PreprocessorConfig) {
        self.resolved = resolved
        self.model = model
        self.preprocessor = preprocessor
    }

    // MARK: SearchBackend

    /// config + SHA-256 of the weights (WeightsIdentity), computed on first use (embed never needs it);
    /// "+precision=fast" appended for fast vectors, so they get a store of their own.
    var modelIdentity: String {
        identityLock.lock(); defer { identityLock.unlock() }
        if let cachedIdentity { return cachedIdentity }
        let id = WeightsIdentity.identity(of: model) + (model.precision == .exact ? "" : "+precision=\(model.precision.rawValue)")
        cachedIdentity = id
        return id
    }
    private let identityLock = NSLock()
    private var cachedIdentity: String?
    /// Everything that changes an image's vector besides the weights: a change re-embeds the folder.
    var preprocessingKey: String {
        "size=\(preprocessor.size);pillow13-bicubic;crop=center;mean=\(preprocessor.mean);std=\(preprocessor.std);rgb8-v1"
    }
    var embeddingWidth: Int { model.embeddingWidth }
    var modelName: String { resolved.isDemo ? "demo" : resolved.name }
    var precision: String { model.precision.rawValue }
    var matryoshkaDimensions: [Int] { model.config.matryoshkaDimensions }

    /// `--allow-partial`: embed what a truncated JPEG holds (rest grey) with a warning instead of failing it.
    /// Set by the command right after loading, before any image is embedded (one backend per command).
    var allowPartial = false

    var acceptsPartialImages: Bool { allowPartial }

    func embedImage(at url: URL) throws -> [Float] {
        try embedImage(at: url, followLinks: true).vector
    }

    func embedImage(at url: URL, followLinks: Bool) throws -> ImageEmbedding {
        // The centre crop straight from the file (a PNG row by row, so memory does not grow with its
        // height); embed(image:) resizing a size×size crop to size is the identity.
        let decoded = try Preprocessor.decodeAndCenterCrop(fileAt: url, size: preprocessor.size,
                                                           options: DecodeOptions(allowPartial: allowPartial),
                                                           followLinks: followLinks)
        if decoded.isPartial { printError("clipscope: \(TerminalSafe.name(url.path)): warning: partial image (the data ends early; the rest is grey)") }
        return ImageEmbedding(vector: try embed(image: decoded.image), isPartial: decoded.isPartial)
    }

    func embed(image: RGBImage) throws -> [Float] {
        let pixels = preprocessor.pixelValues(for: image)
        guard let v = try model.embed(pixelValues: pixels, count: 1).first else {
            throw CLIError.failure("the model returned no image embedding")
        }
        return v
    }

    func embedText(_ text: String, asQuery: Bool, dims: Int?) throws -> [Float] {
        guard let v = try model.embed(texts: [text], dims: dims, asQuery: asQuery).first else {
            throw CLIError.failure("the model returned no text embedding")
        }
        return v
    }
}
