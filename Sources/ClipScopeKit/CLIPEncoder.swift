// ClipScopeKit's encoder: a jina-clip-v2 model directory → L2-normalized text and image embeddings.
// A thin face over ClipModel (the two towers), Imaging (decode + Pillow-exact resize/crop/normalize) and
// ModelHub (where a downloaded model lives); the slow calls also come as `async` functions that run the
// same work on a global dispatch queue, off the caller's executor.
//
//   text  → [prefix if query] → tokenizer → text tower → mean pool → first dims values → L2-normalize
//   image → decode (PNG/JPEG) → resize + center crop → normalize → vision tower → CLS → first dims → L2
//   features(…) = the same forwards without the last two steps: embed(x, dims: d) = normalize(features(x)[:d])
import ClipModel
import Foundation
import Imaging
import ModelHub

/// A loaded jina-clip-v2 model that turns texts and images into embeddings in one shared space.
///
/// Every embedding is L2-normalized, so the cosine similarity of two embeddings is their dot product.
/// `dims` keeps the first `dims` values before normalizing (Matryoshka truncation, as the official
/// `encode_text` / `encode_image` with `truncate_dim`); the trained sizes are ``matryoshkaDimensions``.
///
/// One encoder can be shared between threads and tasks: text and image forwards have separate
/// workspaces and locks, so a text query never waits behind an image batch.
///
/// ```swift
/// let encoder = try CLIPEncoder.load(directory: modelFolder)
/// let texts = try encoder.embed(texts: ["a red triangle"], query: true, dims: 64)
/// let images = try encoder.embed(images: [photoURL], dims: 64)
/// ```
public final class CLIPEncoder: @unchecked Sendable {
    // Immutable after load; ClipEmbedder guards its own mutable state (workspaces, tokenizer) with locks.
    let model: ClipEmbedder
    let preprocessor: PreprocessorConfig

    /// The model directory (`config.json`, `model.safetensors`, `tokenizer.json`, `preprocessor_config.json`).
    public let directory: URL

    /// Length of a full embedding (1024 for jina-clip-v2).
    public var embeddingWidth: Int { model.embeddingWidth }

    /// The Matryoshka sizes the model was trained for (for jina-clip-v2: 32, 64, 128, 256, 512, 768, 1024).
    /// Any `dims` in `1...embeddingWidth` works; these are the ones that rank well.
    public var matryoshkaDimensions: [Int] { model.config.matryoshkaDimensions }

    /// Side of the square image the vision tower sees (512 for jina-clip-v2).
    public var imageSize: Int { preprocessor.size }

    /// The instruction prepended to a text embedded with `query: true`.
    public var queryInstruction: String { model.config.queryInstruction ?? ClipEmbedder.queryInstruction }

    private init(model: ClipEmbedder) {
        self.model = model
        self.preprocessor = model.config.preprocessor
        self.directory = model.directory
    }

    // MARK: loading

    /// Loads a model directory holding `config.json`, `model.safetensors` and `tokenizer.json`
    /// (and usually `preprocessor_config.json`).
    ///
    /// - Parameters:
    ///   - directory: The model folder, e.g. a Hugging Face snapshot of `jinaai/jina-clip-v2`.
    ///   - threads: Compute threads for the whole process (the matrix library and the kernels share one
    ///     setting); `nil` uses every core.
    /// - Throws: `ModelConfigError` or `SafeTensorsError` naming the file and the problem.
    public static func load(directory: URL, threads: Int? = nil) throws -> CLIPEncoder {
        CLIPEncoder(model: try ClipEmbedder.load(directory: directory, threads: threads))
    }

    /// Loads a model that is already on this machine, found by its Hugging Face id.
    ///
    /// Looks in the Hugging Face caches (`$HF_HUB_CACHE`, `$HF_HOME/hub`, `~/.cache/huggingface/hub`)
    /// and then in ClipScope's models folder, the places `huggingface-cli download` and
    /// `clipscope model download` write to. Nothing is downloaded.
    ///
    /// - Parameters:
    ///   - repo: `owner/name`, optionally `@revision` (branch, tag or commit); default `jinaai/jina-clip-v2`.
    ///   - threads: As for a model directory: compute threads for the process, `nil` for every core.
    /// - Throws: `ModelHubError` when the model is not found (the message lists where it looked).
    public static func load(repo: String = "jinaai/jina-clip-v2", threads: Int? = nil) throws -> CLIPEncoder {
        guard RepoID(parsing: repo) != nil else {
            throw ModelHubError.modelNotFound("`\(repo)` is not a model id (owner/name[@revision])")
        }
        let resolved = try ModelResolver.resolve(repo)
        return try load(directory: resolved.directory, threads: threads)
    }

    /// Loads a model directory (as the synchronous form does) off the caller's executor.
    public static func load(directory: URL, threads: Int? = nil) async throws -> CLIPEncoder {
        try await offload { try load(directory: directory, threads: threads) }
    }

    /// Loads a model by its Hugging Face id (as the synchronous form does) off the caller's executor.
    public static func load(repo: String = "jinaai/jina-clip-v2", threads: Int? = nil) async throws -> CLIPEncoder {
        try await offload { try load(repo: repo, threads: threads) }
    }

    // MARK: text

    /// The model's tokenizer (`tokenizer.json` of the model directory, read on first use).
    /// - Throws: `TokenizerError` if the file is missing or malformed.
    public var tokenizer: Tokenizer {
        get throws { Tokenizer(core: try model.tokenizer) }
    }

    /// Embeds texts, one embedding per text, in input order.
    ///
    /// - Parameters:
    ///   - texts: Any Unicode text; longer texts are cut at 512 tokens.
    ///   - query: `true` for a search query: the model's retrieval instruction is prepended (as the
    ///     official `task="retrieval.query"`); `false` for the documents being searched (captions).
    ///   - dims: Keep the first `dims` values (`1...embeddingWidth`); `nil` for the full width.
    /// - Throws: `ClipModelError` for an invalid `dims`.
    public func embed(texts: [String], query: Bool = false, dims: Int? = nil) throws -> [[Float]] {
        try model.embed(texts: texts, dims: dims, asQuery: query)
    }

    /// Embeds texts (as the synchronous form does) off the caller's executor.
    public func embed(texts: [String], query: Bool = false, dims: Int? = nil) async throws -> [[Float]] {
        try await Self.offload { try self.embed(texts: texts, query: query, dims: dims) }
    }

    // MARK: images

    /// Embeds image files (PNG or JPEG), one embedding per file, in input order.
    ///
    /// Each image is decoded, resized so its short side is ``imageSize`` (bicubic, as Pillow),
    /// center-cropped and normalized, as the official `encode_image` does (which, like this, ignores
    /// the EXIF orientation).
    /// - Throws: `ImageError` naming the first file that cannot be read or decoded; `ClipModelError`
    ///   for an invalid `dims`.
    public func embed(images: [URL], dims: Int? = nil) throws -> [[Float]] {
        try embedBatched(count: images.count, dims: dims) { i in
            // The crop straight from the file (a PNG row by row); resizing a size×size crop to size is
            // the identity, so embedBatched's preprocessing leaves it as it is.
            try Preprocessor.decodeAndCenterCrop(fileAt: images[i], size: preprocessor.size).image
        }
    }

    /// Embeds decoded images, one embedding per buffer, in input order (same preprocessing as files).
    /// - Throws: `ClipModelError` for an invalid `dims`.
    public func embed(images: [PixelBuffer], dims: Int? = nil) throws -> [[Float]] {
        try embedBatched(count: images.count, dims: dims) { i in images[i].rgbImage }
    }

    /// Embeds image files (as the synchronous form does) off the caller's executor.
    public func embed(images: [URL], dims: Int? = nil) async throws -> [[Float]] {
        try await Self.offload { try self.embed(images: images, dims: dims) }
    }

    /// Embeds decoded images (as the synchronous form does) off the caller's executor.
    public func embed(images: [PixelBuffer], dims: Int? = nil) async throws -> [[Float]] {
        try await Self.offload { try self.embed(images: images, dims: dims) }
    }

    /// Preprocesses and embeds `count` images a forward batch at a time (the model's image batch size),
    /// so at most one batch of decoded pixels is held at once.
    private func embedBatched(count: Int, dims: Int?, image: (Int) throws -> RGBImage) throws -> [[Float]] {
        if let d = dims, d < 1 || d > embeddingWidth { throw ClipModelError.invalidDims(d, width: embeddingWidth) }
        return try forwardBatched(count: count, image: image) { pixels, n in
            try model.embed(pixelValues: pixels, count: n, dims: dims)
        }
    }

    /// `forward` over the preprocessed pixels of `count` images, one forward batch at a time.
    private func forwardBatched(count: Int, image: (Int) throws -> RGBImage,
                                forward: ([Float], Int) throws -> [[Float]]) throws -> [[Float]] {
        var out: [[Float]] = []
        out.reserveCapacity(count)
        let batch = max(1, model.imageBatchSize)
        var start = 0
        while start < count {
            let n = min(batch, count - start)
            var pixels: [Float] = []
            for i in start..<(start + n) { pixels += preprocessor.pixelValues(for: try image(i)) }
            out += try forward(pixels, n)
            start += n
        }
        return out
    }

    // MARK: encoded images, raw features, token counts (for servers)

    /// Decodes an image file's bytes held in memory (PNG, JPEG, WebP, GIF, BMP, TIFF) and resizes and
    /// center-crops it to ``imageSize``, exactly as `embed(images:dims:)` with a file URL does for a file:
    /// `embed(images: [prepareImage(data: d).crop])` equals embedding the same bytes from a file.
    /// - Parameters:
    ///   - data: The encoded image.
    ///   - name: What errors call the image (a file name, "input 3").
    /// - Throws: `ImageError` naming `name` when the bytes are not a decodable image.
    public func prepareImage(data: Data, name: String = "image") throws -> PreparedImage {
        let (width, height) = try ImageDecoder.dimensions(data: data, path: name)
        let decoded = try Preprocessor.decodeAndCenterCrop(data: data, path: name, size: preprocessor.size)
        let crop = try PixelBuffer(width: decoded.image.width, height: decoded.image.height, rgb: decoded.image.pixels)
        return PreparedImage(crop: crop, sourceWidth: width, sourceHeight: height)
    }

    /// The embeddings of `texts` before L2 normalization (mean-pooled text features, full width):
    /// `embed(texts: t, query: q, dims: d)` is the first `d` values of these, L2-normalized.
    /// - Throws: `TokenizerError` if the tokenizer cannot be loaded.
    public func features(texts: [String], query: Bool = false) throws -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        return try model.textFeatures(tokenIDs: model.tokenize(texts, asQuery: query))
    }

    /// The embeddings of decoded images before L2 normalization (CLS features, full width):
    /// `embed(images: b, dims: d)` is the first `d` values of these, L2-normalized.
    public func features(images: [PixelBuffer]) throws -> [[Float]] {
        try forwardBatched(count: images.count, image: { images[$0].rgbImage }) { pixels, n in
            try model.imageFeatures(pixelValues: pixels, count: n)
        }
    }

    /// How many tokens the text tower reads for `text`: `<s>`, the query instruction when `query`,
    /// the text's tokens and `</s>`, cut at 512 as `embed(texts:query:dims:)` cuts them.
    /// - Throws: `TokenizerError` if the tokenizer cannot be loaded.
    public func tokenCount(_ text: String, query: Bool = false) throws -> Int {
        try model.tokenize([text], asQuery: query).first?.count ?? 0
    }

    /// Runs `work` on a global queue and resumes the caller with its result.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try work() })
            }
        }
    }
}

/// An image decoded from memory and cropped to what the vision tower sees (``CLIPEncoder/prepareImage(data:name:)``),
/// with the size it had before.
public struct PreparedImage: Sendable, Equatable {
    /// ``CLIPEncoder/imageSize`` × ``CLIPEncoder/imageSize`` pixels, ready for `CLIPEncoder.embed(images:dims:)`.
    public let crop: PixelBuffer
    /// Width and height of the decoded image before resizing.
    public let sourceWidth: Int
    public let sourceHeight: Int
}
