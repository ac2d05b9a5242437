// The encoder library's public face: load a jina-clip-v2 model directory and embed token ids or
// pixel values. Outputs follow the official `encode_text` / `encode_image`: features → first `dims`
// values (Matryoshka) → L2-normalized.
//
// Model directory: config.json, model.safetensors (official LoRA layout or plain merged layout; F32,
// F16 or BF16 per tensor), optionally preprocessor_config.json and tokenizer.json.
// One forward runs at a time per tower (each tower has its own workspace); OpenBLAS threads inside.
import CKernels
import Foundation
import Kernels
import Retrieval
import SafeTensors
import Tokenizer

public enum ClipModelError: Error, CustomStringConvertible, Equatable {
    case invalidInput(String)
    case invalidDims(Int, width: Int)

    public var description: String {
        switch self {
        case let .invalidInput(m): return m
        case let .invalidDims(d, width): return "embedding dims \(d) out of range (1…\(width))"
        }
    }
}

public final class ClipEmbedder: @unchecked Sendable {
    public static let queryInstruction = "Represent the query for retrieving evidence documents: "

    public let config: ModelConfig
    /// Stable hash of config.json + the safetensors header (for cache keys).
    public let identity: String
    public let directory: URL
    public let layout: CheckpointLayout
    /// Tensor dtypes found in the checkpoint (e.g. ["F16"]).
    public let storedDTypes: [String]
    public var embeddingWidth: Int { config.embeddingWidth }
    /// Texts per forward (the official encode_text uses 32). Workspaces grow to the largest batch.
    public var textBatchSize = 32 { didSet { textBatchSize = max(1, textBatchSize) } }
    /// Images per forward: one GEMM over all their tokens; at 512×512 each image adds ~60 MB of
    /// activations, so larger batches trade memory for a little GEMM efficiency.
    public var imageBatchSize = 4 { didSet { imageBatchSize = max(1, imageBatchSize) } }

    /// Compute threads of this embedder's forwards: how row-wise kernels, attention and packed GEMMs are
    /// split (pinned per forward, `RowSplit.$pinnedThreads`, so embedders with different counts can share a
    /// process). OpenBLAS's own pool is process-wide and set at load. Vectors do not depend on it.
    public var threads: Int { didSet { threads = max(1, threads) } }

    /// The arithmetic of this embedder's GEMMs (what runs: `.exact` when `.fast` was asked on a CPU without it).
    public var precision: Precision { vision.fast == nil ? .exact : .fast }

    /// Whether the vision tower's float32 projections are in memory: always for an exact embedder; a fast
    /// one holds only their bfloat16 panels until a float32 GEMM is needed (`precision: .exact`, or the
    /// range guard's fallback), which loads them from the checkpoint once.
    public var holdsFloat32VisionWeights: Bool {
        visionLock.lock(); defer { visionLock.unlock() }
        return vision.loadedExactWeights != nil
    }

    /// The library that runs the vision tower's float32 projections (`GemmBackend`; oneDNN when it runs any
    /// of them), and the implementation names (oneDNN's, e.g. "brg:avx512_core", and "OpenBLAS <core>" when
    /// OpenBLAS runs some); nil while a fast embedder holds no float32 weights.
    public var visionGemm: (backend: GemmBackend, implementations: [String])? {
        visionLock.lock(); defer { visionLock.unlock() }
        guard let exact = vision.loadedExactWeights else { return nil }
        if let d = exact.onednn {
            return (.onednn, d.implementations + (d.linears.contains { $0 == nil } ? ["OpenBLAS \(Gemm.coreName)"] : []))
        }
        return (.openblas, ["OpenBLAS \(Gemm.coreName)"])
    }

    /// When set, both towers time their stages into it (`clipscope bench --profile`).
    public var profile: StageProfile? { didSet { text.profile = profile; vision.profile = profile } }

    let weightsFile: SafeTensorsFile
    let text: TextTower
    let vision: VisionTower
    // One forward at a time per tower (each tower owns its workspace); a text query never waits
    // behind an image forward, which takes seconds at full size while a folder is being indexed.
    private let textLock = NSLock()
    private let visionLock = NSLock()
    private let tokenizerLock = NSLock()
    private var loadedTokenizer: Tokenizer?

    /// Loads DIR (config.json + model.safetensors). `threads`: OpenBLAS threads (default: all cores).
    /// `precision`: `.fast` packs the vision projections for bfloat16 GEMMs where the CPU has them
    /// (`Precision.effective`; the embedder's `precision` says what runs).
    /// `gemm`: the library for the vision tower's float32 projections (nil: `GemmBackend`'s table; bench
    /// sets it to compare the two in one build).
    public static func load(directory: URL, threads: Int? = nil, precision: Precision = .exact,
                            gemm: GemmBackend? = nil) throws -> ClipEmbedder {
        try load(directory: directory, weights: directory.appendingPathComponent("model.safetensors"), threads: threads,
                 precision: precision, gemm: gemm)
    }

    /// Loads the config of `directory` with another weights file (e.g. model.bf16.safetensors).
    public static func load(directory: URL, weights: URL, threads: Int? = nil,
                            precision: Precision = .exact, gemm: GemmBackend? = nil) throws -> ClipEmbedder {
        let precision = precision.effective
        // The config first: a folder that is refused leaves the process-wide thread count alone.
        let (config, configBytes) = try ModelConfig.loadWithBytes(directory: directory)
        let threads = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        Gemm.setThreads(threads)
        guard FileManager.default.fileExists(atPath: weights.path) else {
            throw SafeTensorsError(file: weights.path, "weights file not found")
        }
        let file = try SafeTensorsFile(url: weights)
        let store = WeightStore(file: file, missingHint: "is this a jina-clip-v2 checkpoint matching config.json?")
        // The vision weights: at load, and again for a fast tower's float32 GEMMs (same file, same checks).
        func loadVision(_ store: WeightStore, _ precision: Precision) throws -> VisionWeights {
            try VisionWeights(store: store, config: config.vision, precision: precision,
                              gemm: { gemm ?? GemmBackend.backend(for: $0) }, threads: threads)
        }
        // The two towers load concurrently (finiteness scan, packing / conversion of ~0.9 GB each):
        // independent tensors, and the store is thread-safe. Errors of either are rethrown.
        var textResult: Result<TextWeights, Error>?, visionResult: Result<VisionWeights, Error>?
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            if i == 0 {
                textResult = Result { try TextWeights(store: store, config: config.text) }
            } else {
                visionResult = Result { try loadVision(store, precision) }
            }
        }
        let textWeights = try textResult!.get()
        let visionWeights = try visionResult!.get()
        // A scalar that embeddings never use: the official checkpoint stores it 0-d ([]), exports that
        // wrap it in a tensor store [1]; both are accepted, anything larger is a wrong shape.
        let scaleShape = file.tensors[WeightNames.logitScale]?.shape == [1] ? [1] : []
        _ = try store.optionalTensor(WeightNames.logitScale, shape: scaleShape)
        try store.finish()
        // The converted float32 tensors the towers packed, reordered or fused are freed by now; glibc keeps
        // them in the loading threads' arenas unless trimmed (~150 MB at full size).
        _ = cs_release_free_heap()
        return ClipEmbedder(config: config, identity: Self.identity(configBytes, file.headerBytes), directory: directory,
                            file: file, layout: textWeights.layout, threads: threads,
                            text: TextTower(config: config.text, weights: textWeights),
                            vision: VisionTower(config: config.vision, weights: visionWeights, reloadExact: {
                                try loadVision(WeightStore(file: file, missingHint: store.missingHint), .exact)
                            }))
    }

    private init(config: ModelConfig, identity: String, directory: URL, file: SafeTensorsFile, layout: CheckpointLayout,
                 threads: Int, text: TextTower, vision: VisionTower) {
        self.threads = threads
        self.config = config
        self.identity = identity
        self.directory = directory
        self.weightsFile = file
        self.layout = layout
        self.storedDTypes = Set(file.tensors.values.map(\.dtype.rawValue)).sorted()
        self.text = text
        self.vision = vision
    }

    /// "jcv2-" + 16 hex digits of FNV-1a 64 over both inputs (length-prefixed).
    static func identity(_ config: Data, _ header: Data) -> String {
        var h: UInt64 = 0xcbf29ce484222325
        func mix(_ d: Data) {
            var n = UInt64(d.count)
            for _ in 0..<8 { h = (h ^ (n & 0xff)) &* 0x100000001b3; n >>= 8 }
            for byte in d { h = (h ^ UInt64(byte)) &* 0x100000001b3 }
        }
        mix(config); mix(header)
        return "jcv2-" + String(format: "%016llx", h)
    }

    // MARK: text

    /// DIR/tokenizer.json, loaded on first use.
    public var tokenizer: Tokenizer {
        get throws {
            tokenizerLock.lock(); defer { tokenizerLock.unlock() }
            if let t = loadedTokenizer { return t }
            let url = directory.appendingPathComponent("tokenizer.json")
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw ClipModelError.invalidInput("\(url.path): tokenizer.json not found in the model directory")
            }
            let t = try Tokenizer(contentsOf: url)
            loadedTokenizer = t
            return t
        }
    }

    /// Token ids as `encode_text` builds them: optional retrieval.query instruction prefix, then
    /// `<s> … </s>` truncated to `maxLength` tokens including the specials (512 officially).
    public func tokenize(_ texts: [String], asQuery: Bool = false, maxLength: Int = 512) throws -> [[Int32]] {
        guard maxLength >= 2 else { throw ClipModelError.invalidInput("max length \(maxLength) leaves no room for <s> and </s>") }
        let tok = try tokenizer
        let prefix = asQuery ? (config.queryInstruction ?? Self.queryInstruction) : ""
        return tok.encodeBatch(texts.map { prefix + $0 }, maxLength: maxLength).map(\.ids)
    }

    /// L2-normalized embeddings of texts (see `tokenize` for `asQuery` / `maxLength`).
    public func embed(texts: [String], dims: Int? = nil, asQuery: Bool = false, maxLength: Int = 512,
                      trace: Trace? = nil) throws -> [[Float]] {
        let d = try checkedDims(dims)
        guard !texts.isEmpty else { return [] }
        return try embed(tokenIDs: tokenize(texts, asQuery: asQuery, maxLength: maxLength), dims: d, trace: trace)
    }

    /// L2-normalized text embeddings (first `dims` values, default full width), in input order.
    public func embed(tokenIDs: [[Int32]], dims: Int? = nil, trace: Trace? = nil) throws -> [[Float]] {
        let d = try checkedDims(dims)
        return try textFeatures(tokenIDs: tokenIDs, trace: trace).map { PrefixCosine.normalizedPrefix($0, dims: d) }
    }

    /// Raw mean-pooled features. Sequences may have different lengths and may carry trailing pad ids
    /// (padding never changes a result; ids equal to the pad id are masked wherever they occur).
    public func textFeatures(tokenIDs: [[Int32]], trace: Trace? = nil) throws -> [[Float]] {
        guard !tokenIDs.isEmpty else { return [] }
        let c = config.text
        let pad = Int32(c.padTokenId)
        for (i, seq) in tokenIDs.enumerated() {
            guard seq.contains(where: { $0 != pad }) else {
                throw ClipModelError.invalidInput("text input \(i) has no non-pad tokens")
            }
            if let bad = seq.first(where: { $0 < 0 || Int($0) >= c.vocabSize }) {
                throw ClipModelError.invalidInput("text input \(i): token id \(bad) outside the vocabulary (0..<\(c.vocabSize))")
            }
        }
        // Batches of `textBatchSize` longest first (as the official encode_text), results back in input
        // order. No padding: the tower packs sequences of different lengths row after row.
        let order = tokenIDs.indices.sorted { tokenIDs[$0].count > tokenIDs[$1].count }
        var out = [[Float]](repeating: [], count: tokenIDs.count)
        textLock.lock(); defer { textLock.unlock() }
        for start in stride(from: 0, to: order.count, by: textBatchSize) {
            let chunk = Array(order[start..<min(start + textBatchSize, order.count)])
            let features = RowSplit.$pinnedThreads.withValue(threads) {
                text.forward(ids: chunk.map { tokenIDs[$0] }, trace: trace)
            }
            for (i, f) in zip(chunk, features) { out[i] = f }
        }
        return out
    }

    // MARK: images

    /// L2-normalized image embeddings for `count` images of pixel values [count, 3, S, S]. `precision`
    /// `.exact` runs float32 GEMMs on a fast embedder too (nil: the embedder's own precision).
    public func embed(pixelValues: [Float], count: Int, dims: Int? = nil, precision: Precision? = nil,
                      trace: Trace? = nil) throws -> [[Float]] {
        let d = try checkedDims(dims)
        return try imageFeatures(pixelValues: pixelValues, count: count, precision: precision, trace: trace)
            .map { PrefixCosine.normalizedPrefix($0, dims: d) }
    }

    /// Raw CLS features after the final LayerNorm.
    public func imageFeatures(pixelValues: [Float], count: Int, precision: Precision? = nil,
                              trace: Trace? = nil) throws -> [[Float]] {
        let exact = precision == .exact
        let s = config.vision.imageSize
        guard count >= 0, pixelValues.count == count * 3 * s * s else {
            throw ClipModelError.invalidInput("pixel values hold \(pixelValues.count) floats; \(count) image(s) of 3×\(s)×\(s) need \(count * 3 * s * s)")
        }
        guard count > 0 else { return [] }
        visionLock.lock(); defer { visionLock.unlock() }
        let per = 3 * s * s
        var out: [[Float]] = []
        out.reserveCapacity(count)
        try pixelValues.withUnsafeBufferPointer { p in
            for start in stride(from: 0, to: count, by: imageBatchSize) {
                let n = min(imageBatchSize, count - start)
                out += try RowSplit.$pinnedThreads.withValue(threads) {
                    try vision.forward(pixels: p.baseAddress! + start * per, count: n, exact: exact, trace: trace)
                }
            }
        }
        return out
    }

    // MARK: helpers

    func checkedDims(_ dims: Int?) throws -> Int {
        let width = embeddingWidth
        let d = dims ?? config.truncateDim ?? width
        guard d >= 1 && d <= width else { throw ClipModelError.invalidDims(d, width: width) }
        return d
    }

    /// Floating-point operations of one image forward (GEMMs and attention; element-wise ops excluded).
    public var imageFLOPs: Double {
        let v = config.vision
        let t = Double(v.tokens), w = Double(v.width), h = Double(v.mlpHidden), l = Double(v.layers)
        let projections = t * l * 2 * (4 * w * w + 3 * h * w)
        let attention = l * 4 * t * t * w
        let patch = 2 * Double(v.patches) * Double(3 * v.patchSize * v.patchSize) * w
        return projections + attention + patch
    }

    /// Floating-point operations of one text forward of `tokens` tokens.
    public func textFLOPs(tokens: Int) -> Double {
        let c = config.text
        let t = Double(tokens), d = Double(c.hiddenSize), f = Double(c.intermediateSize), l = Double(c.numHiddenLayers)
        return t * l * 2 * (4 * d * d + 2 * d * f) + l * 4 * t * t * d
    }

    /// Whether `dims` is one of the trained Matryoshka sizes (others work but are not trained).
    public func isTrainedDims(_ dims: Int) -> Bool { config.matryoshkaDimensions.contains(dims) }
}
