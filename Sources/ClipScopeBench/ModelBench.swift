// `clipscope bench [model]`: load time, peak RSS, one-query latency (median of warm runs), a 32-caption
// batch, one image and a batch of 4 images (synthetic pixel values), achieved GFLOPS, and this
// machine's measured sgemm GFLOPS as the reference. `--json` prints one object with the keys
// load_s, peak_rss_mb, text_query_ms, text_batch32_ms, image_1_ms, image_4_ms, text_batch32_gflops,
// image_1_gflops, sgemm_gflops, threads (the same keys as Scripts/bench/bench_torch.py's), precision and
// gemm (the library of the vision tower's float32 projections; `--gemm` picks one instead of the table).
// With `--precision fast` every workload runs fast (the embedder holds no float32 vision projections,
// so peak_rss_mb is fast mode's), then one image alternates fast and exact forwards of the same
// embedder (same build, same run; the first exact forward loads the float32 weights):
// image_1_exact_ms is the exact median, fast_to_exact the ratio of the two medians, fast_cosine_min
// the lowest cosine between the two embeddings and fast_fallbacks the GEMM calls the range guard sent
// to float32 during that comparison.
import ArgumentParser
import CLISupport
import ClipModel
import Foundation
import Kernels

struct ModelBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "Benchmark load, text and image encoding against this machine's sgemm.")

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: ArgumentHelp("Compute threads (default: all cores).", valueName: "N")) var threads: Int?
    @Option(help: ArgumentHelp("Warm runs of the one-query measurement (median reported).", valueName: "N"))
    var repeats = 10
    @Flag(name: .customLong("skip-images"), help: "Skip the image workloads (slow with the full model).")
    var skipImages = false
    @Flag(help: "One JSON object on stdout.") var json = false
    @Option(name: .customLong("image-batch"), help: .hidden) var imageBatch: Int?
    @Option(help: ArgumentHelp("Library for the vision tower's float32 GEMMs (default: the backend table, GemmBackend).",
                               valueName: "openblas|onednn"))
    var gemm: GemmBackend?
    @Flag(help: "Also print wall time per stage (GEMMs, attention, element-wise passes) of one caption batch and one image.")
    var profile = false

    /// The query workload: 13 tokens with <s> and </s>. Also timed with the retrieval.query
    /// instruction prefix (24 tokens: what the explorer sends) as text_query_prefixed_ms.
    static let query = "a photo of a cat sleeping on a red sofa."
    /// 32 captions of varied length (padded to the longest in the batch, as encode_text does).
    static let captions: [String] = (0..<32).map { i in
        let subjects = ["a dog", "two cats", "a red car", "an old bridge", "children", "a bowl of ramen", "a lighthouse", "mountains"]
        let places = ["on the beach", "in the snow", "at night in the city", "under a blue sky", "next to a river"]
        return "\(subjects[i % subjects.count]) \(places[i % places.count])" + (i % 3 == 0 ? " in the early morning light" : "")
    }

    /// Fast and exact forwards of one image, alternating (the first pair is a warm-up; its exact forward
    /// loads the float32 weights): image_1_exact_ms, fast_to_exact (the two medians of 3), fast_cosine_min,
    /// fast_fallbacks (GEMM calls the range guard sent to float32).
    func fastAgainstExact(_ model: ClipEmbedder, pixels one: [Float]) throws -> [(String, Double)] {
        let fallbacksBefore = FastLinear.fallbacks
        var fastTimes: [Double] = [], exactTimes: [Double] = [], cosineMin = 1.0
        for _ in 0..<4 {
            let t1 = Date()
            let v = try model.embed(pixelValues: one, count: 1)
            fastTimes.append(Date().timeIntervalSince(t1))
            let t2 = Date()
            let e = try model.embed(pixelValues: one, count: 1, precision: .exact)
            exactTimes.append(Date().timeIntervalSince(t2))
            cosineMin = min(cosineMin, zip(v[0], e[0]).reduce(0.0) { $0 + Double($1.0) * Double($1.1) })
        }
        let fast = fastTimes.dropFirst().sorted()[1], exact = exactTimes.dropFirst().sorted()[1]
        let fallbacks = FastLinear.fallbacks - fallbacksBefore
        progress(String(format: "1 image exact, alternating with fast: %.0f ms; fast/exact %.3f, cosine %.6f, %d fallbacks",
                        exact * 1000, fast / exact, cosineMin, fallbacks))
        return [("image_1_exact_ms", exact * 1000), ("fast_to_exact", fast / exact), ("fast_cosine_min", cosineMin),
                ("fast_fallbacks", Double(fallbacks))]
    }

    func validate() throws {
        try NumericOptions.repeats(repeats)
        try NumericOptions.threads(threads)
        try NumericOptions.check(imageBatch, "image-batch", 1...1024)
    }

    func run() throws {
        let t0 = Date()
        let (resolved, model) = try modelOptions.loadEmbedder(threads: threads, gemm: gemm)
        let loadS = Date().timeIntervalSince(t0)
        let modelName = resolved.isDemo ? "demo" : resolved.name
        if let imageBatch { model.imageBatchSize = imageBatch }
        // The thread count this run asked for (loading sets OpenBLAS to it). Reported from the
        // request, not read back from OpenBLAS, whose setting is process-wide.
        let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
        var fields: [(String, Double)] = [("load_s", loadS)]
        // What runs the vision tower's float32 GEMMs (a fast embedder: what its exact forwards will use).
        let gemmName = model.visionGemm?.backend.rawValue ?? (gemm ?? GemmBackend.backend(for: .qkv)).rawValue
        progress("loaded \(modelName) in \(String(format: "%.2f", loadS)) s (OpenBLAS core \(Gemm.coreName), \(threadCount) threads; "
                 + "vision GEMMs: \(model.visionGemm.map { "\($0.backend.rawValue) \($0.implementations.joined(separator: ", "))" } ?? gemmName))")

        let sgemm = Self.sgemmGFLOPS()
        progress(String(format: "sgemm 2048³: %.1f GFLOPS", sgemm))

        func medianMs(asQuery: Bool) throws -> Double {
            _ = try model.embed(texts: [Self.query], asQuery: asQuery)   // warm-up (tokenizer load, workspaces)
            var times: [Double] = []
            for _ in 0..<repeats {
                let t = Date()
                _ = try model.embed(texts: [Self.query], asQuery: asQuery)
                times.append(Date().timeIntervalSince(t))
            }
            return times.sorted()[times.count / 2] * 1000
        }
        let queryMs = try medianMs(asQuery: false)
        progress(String(format: "1 query (13 tokens): %.1f ms (median of %d)", queryMs, repeats))
        let prefixedMs = try medianMs(asQuery: true)
        progress(String(format: "1 query with the retrieval.query prefix: %.1f ms (median of %d)", prefixedMs, repeats))

        let ids = try model.tokenize(Self.captions)
        let padded = ids.map(\.count).max() ?? 0
        var batchTimes: [Double] = []
        for _ in 0..<3 {
            let tb = Date()
            _ = try model.embed(tokenIDs: ids)
            batchTimes.append(Date().timeIntervalSince(tb))
        }
        let batchS = batchTimes.sorted()[1]
        let batchFlops = model.textFLOPs(tokens: padded) * Double(ids.count)
        progress(String(format: "32 captions (padded to %d tokens; %d real): %.1f ms (median of 3), %.1f GFLOPS of the padded batch",
                        padded, ids.map(\.count).reduce(0, +), batchS * 1000, batchFlops / batchS / 1e9))
        fields += [("text_query_ms", queryMs), ("text_query_prefixed_ms", prefixedMs), ("text_batch32_ms", batchS * 1000), ("text_batch32_gflops", batchFlops / batchS / 1e9)]

        // The image workloads' pixels (also used by --profile): one synthetic image, and it four times.
        let one = skipImages ? [] : BenchSupport.syntheticPixels(size: model.config.imageSize)
        let four = [Float]([[Float]](repeating: one, count: 4).joined())
        if !skipImages {
            // One warm-up forward (first touch of ~100 MB of activations and BLAS buffers), then the median
            // of 3: single images vary by ±10 % run to run on this VM. Scripts/bench/bench_torch.py does the same.
            var imageTimes: [Double] = []
            for _ in 0..<4 {
                let t1 = Date()
                _ = try model.embed(pixelValues: one, count: 1)
                imageTimes.append(Date().timeIntervalSince(t1))
            }
            let single = imageTimes.dropFirst().sorted()[1]
            progress(String(format: "1 image: %.0f ms (median of 3 after a warm-up of %.0f ms), %.1f GFLOPS",
                            single * 1000, imageTimes[0] * 1000, model.imageFLOPs / single / 1e9))
            let t4 = Date()
            _ = try model.embed(pixelValues: four, count: 4)
            let batch4 = Date().timeIntervalSince(t4)
            progress(String(format: "4 images: %.0f ms (%.0f ms each)", batch4 * 1000, batch4 * 250))
            fields += [("image_1_ms", single * 1000), ("image_4_ms", batch4 * 1000), ("image_1_gflops", model.imageFLOPs / single / 1e9)]
        }
        // Stage tables: after the figures on stdout, or on stderr with --json (stdout stays one JSON object).
        var tables: [String] = []
        if profile {
            let prof = StageProfile()
            model.profile = prof
            defer { model.profile = nil }
            _ = try model.embed(tokenIDs: ids)
            tables.append(prof.table(title: "profile, 32 captions"))
            if !skipImages {
                for (count, pixels, title) in [(1, one, "1 image"), (4, four, "4 images")] {
                    prof.reset()
                    _ = try model.embed(pixelValues: pixels, count: count)
                    tables.append(prof.table(title: "profile, " + title))
                }
            }
        }
        fields += [("sgemm_gflops", sgemm), ("peak_rss_mb", BenchSupport.rssMB("VmHWM")), ("threads", Double(threadCount))]
        if model.precision == .fast && !skipImages {
            // After peak_rss_mb: the exact forwards load the float32 vision weights a fast embedder does not hold.
            fields += try fastAgainstExact(model, pixels: one)
        }
        if json {
            let ints: Set<String> = ["threads", "fast_fallbacks"]
            let doc = JSON.object(fields.map { k, v in (k, ints.contains(k) ? .int(Int(v)) : .fixed(v, places: k == "fast_cosine_min" ? 6 : 3)) }
                                  + [("precision", .string(model.precision.rawValue)), ("gemm", .string(gemmName))])
            try emit(doc.rendered)
            tables.forEach { printError($0) }
        } else {
            let width = (fields.map(\.0.count).max() ?? 0) + 2
            for (k, v) in fields {
                let value = k == "threads" || k == "fast_fallbacks" ? String(Int(v)) : String(format: k == "fast_cosine_min" ? "%.6f" : "%.3f", v)
                try emit(k.padding(toLength: width, withPad: " ", startingAt: 0) + value)
            }
            try emit("precision".padding(toLength: width, withPad: " ", startingAt: 0) + model.precision.rawValue)
            try emit("gemm".padding(toLength: width, withPad: " ", startingAt: 0) + gemmName)
            for t in tables {
                try emit("")
                for line in t.split(separator: "\n") { try emit(String(line)) }
            }
        }
    }

    private func progress(_ s: String) { if json { printError("bench: " + s) } }

    /// Best of 3 runs of a 2048 × 2048 × 2048 sgemm: the machine's reachable GEMM rate.
    static func sgemmGFLOPS() -> Double {
        let n = 2048
        let a = [Float](repeating: 0.5, count: n * n), b = [Float](repeating: 0.25, count: n * n)
        var c = [Float](repeating: 0, count: n * n)
        var best = Double.infinity
        for _ in 0..<3 {
            let t = Date()
            a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                Gemm.matmul(pa.baseAddress!, lda: n, pb.baseAddress!, ldb: n, into: pc.baseAddress!, ldc: n, m: n, n: n, k: n)
            } } }
            best = min(best, Date().timeIntervalSince(t))
        }
        return 2 * Double(n * n * n) / best / 1e9
    }
}
