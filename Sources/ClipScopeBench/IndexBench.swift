// `clipscope bench index [--rows N] [--json]` (release build): builds an N × 1024 index of random unit vectors and reports, per d in 64, 256, 1024:
//   norms_ms    prefix norms for a new d (computed once per d)
//   switch_ms   norms + the first top-10 query at that d: the cost of a dimension switch
//   p50/p90_ms  single-query top-10 latency once the norms are cached (50 random queries)
// for both score kernels (.blas = one cblas_sgemv, .simd = RowDots' Swift SIMD loop).
// Scripts/bench/bench_index.py runs this and numpy / faiss-cpu IndexFlatIP on the same shape.
// `clipscope bench cache [--rows N]`: the embedding cache at N synthetic vectors.
import ArgumentParser
import CLISupport
import Foundation
import VectorIndex

struct IndexBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index", abstract: "Time top-10 search and dimension switches on a synthetic N × 1024 index.")
    @Option(help: ArgumentHelp("Rows of the synthetic index (at least 11).", valueName: "N")) var rows = 100_000
    @Flag(help: "One JSON object on stdout.") var json = false

    func validate() throws {
        try NumericOptions.check(rows, "rows", 11...10_000_000)
    }

    func run() throws { try IndexBench.run(rows: rows, json: json) }
}

struct CacheBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache", abstract: "Time cache appends, compaction and reopening for N synthetic vectors.")
    @Option(help: ArgumentHelp("Vectors to put into the cache.", valueName: "N")) var rows = 100_000

    func validate() throws {
        try NumericOptions.check(rows, "rows", 1...10_000_000)
    }

    func run() throws { try IndexBench.runCache(rows: rows) }
}

enum IndexBench {
    static let width = 1024

    static func run(rows n: Int, json: Bool) throws {
        var rng = SplitMix(seed: 42)
        let t0 = Date()
        let index = VectorIndex(width: width)
        index.reserveCapacity(n)
        var v = [Float](repeating: 0, count: width)
        for i in 0..<n {
            rng.unitVector(&v)
            try index.add(ItemPath("img/\(i).jpg"), vector: v)
        }
        let buildSeconds = Date().timeIntervalSince(t0)
        var results: [(kernel: ScoreKernel, d: Int, normsMs: Double, switchMs: Double, p50: Double, p90: Double, min: Double)] = []
        func ms(_ body: () throws -> Void) rethrows -> Double {
            let t = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6
        }
        for kernel in ScoreKernel.allCases {
            index.scoreKernel = kernel
            for d in [64, 256, 1024, 100, 768] {
                rng.unitVector(&v)
                // A dimension switch = prefix norms for the new d (first kernel only; then cached) + the
                // first query at that d.
                let normsMs = try ms { _ = try index.inverseNorms(dims: d) }
                let switchMs = try normsMs + ms { _ = try index.search(v, dims: d, k: 10) }
                var times: [Double] = []
                for _ in 0..<(d == 64 || d == 256 || d == 1024 ? 50 : 5) {
                    rng.unitVector(&v)
                    times.append(try ms { _ = try index.search(v, dims: d, k: 10) })
                }
                times.sort()
                results.append((kernel, d, normsMs, switchMs, times[times.count / 2], times[times.count * 9 / 10], times[0]))
            }
        }
        if json {
            let doc = JSON.object([
                ("rows", .int(n)), ("width", .int(width)), ("build_s", .number(buildSeconds)),
                ("results", .array(results.map { r in
                    .object([("kernel", .string(r.kernel.rawValue)), ("d", .int(r.d)), ("norms_ms", .number(r.normsMs)),
                             ("switch_ms", .number(r.switchMs)), ("p50_ms", .number(r.p50)), ("p90_ms", .number(r.p90)),
                             ("min_ms", .number(r.min))])
                })),
            ])
            try emit(doc.rendered)
        } else {
            try emit("clipscope VectorIndex, \(n) × \(width) float32, top-10, built in \(String(format: "%.2f", buildSeconds)) s")
            try emit("kernel      d   norms ms   switch ms   p50 ms   p90 ms   min ms")
            for r in results {
                try emit(r.kernel.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)
                     + String(format: "%6d  %9.2f  %10.2f  %7.2f  %7.2f  %7.2f", r.d, r.normsMs, r.switchMs, r.p50, r.p90, r.min))
            }
        }
    }
}

extension IndexBench {
    /// `clipscope bench cache --rows N`: put N synthetic 1024-d vectors into a cache in a temporary
    /// directory, close (compaction), reopen (load + verify every checksum), remove the directory.
    static func runCache(rows n: Int) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("clipscope-bench-cache-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        var rng = SplitMix(seed: 7)
        var v = [Float](repeating: 0, count: width)
        func seconds(_ body: () throws -> Void) rethrows -> Double {
            let t = Date(); try body(); return Date().timeIntervalSince(t)
        }
        let cache = try EmbeddingCache(root: root, modelIdentity: "bench", preprocessingKey: "bench", width: width)
        let put = try seconds {
            for i in 0..<n {
                rng.unitVector(&v)
                try cache.put(CacheEntry(path: ItemPath("/photos/\(i).jpg"), size: UInt64(i), mtimeNs: Int64(i),
                                         contentHash: ContentHash(bytes: withUnsafeBytes(of: UInt64(i)) { Array($0) } + [UInt8](repeating: 0, count: 24)),
                                         outcome: .vector(v)))
            }
        }
        let close = try seconds { try cache.close() }
        var reopened: EmbeddingCache?
        let open = try seconds {
            reopened = try EmbeddingCache(root: root, modelIdentity: "bench", preprocessingKey: "bench", width: width)
        }
        let count = reopened?.count ?? 0
        try reopened?.close()
        try emit(String(format: "cache, %d × %d: journal appends %.2f s (%.0f/s), close+compaction %.2f s, reopen %.2f s (%d entries)",
                    n, width, put, Double(n) / put, close, open, count))
    }
}
