// Hidden benchmark harness: `clipscope search --bench-synthetic N [--json]` (release build).
// Builds an N × 1024 index of random unit vectors and reports, per d in 64, 256, 1024:
//   norms_ms    prefix norms for a new d (computed once per d)
//   switch_ms   norms + the first top-10 query at that d: the cost of a dimension switch
//   p50/p90_ms  single-query top-10 latency once the norms are cached (50 random queries)
//   scores_p50  the sgemv + normalisation alone (no top-k)
// Scripts/bench_index.py runs this and numpy / faiss-cpu IndexFlatIP on the same shape.
import Foundation
import VectorIndex

enum IndexBench {
    static let width = 1024

    static func run(rows n: Int, json: Bool) throws {
        guard n >= 11 else { throw CLIError.usage("--bench-synthetic needs at least 11 rows") }
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
        var results: [(d: Int, normsMs: Double, switchMs: Double, p50: Double, p90: Double, gemvP50: Double)] = []
        func ms(_ body: () throws -> Void) rethrows -> Double {
            let t = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6
        }
        for d in [64, 256, 1024, 100, 768] {
            rng.unitVector(&v)
            // A dimension switch = prefix norms for the new d + the first query at it.
            let normsMs = try ms { _ = try index.inverseNorms(dims: d) }
            let switchMs = try normsMs + ms { _ = try index.search(v, dims: d, k: 10) }
            var times: [Double] = [], gemv: [Double] = []
            for _ in 0..<(d == 64 || d == 256 || d == 1024 ? 50 : 5) {
                rng.unitVector(&v)
                times.append(try ms { _ = try index.search(v, dims: d, k: 10) })
                gemv.append(try ms { _ = try index.scores(for: v, dims: d) })
            }
            times.sort(); gemv.sort()
            results.append((d, normsMs, switchMs, times[times.count / 2], times[times.count * 9 / 10], gemv[gemv.count / 2]))
        }
        if json {
            let doc = JSON.object([
                ("rows", .int(n)), ("width", .int(width)), ("build_s", .number(buildSeconds)),
                ("results", .array(results.map { r in
                    .object([("d", .int(r.d)), ("norms_ms", .number(r.normsMs)), ("switch_ms", .number(r.switchMs)),
                             ("p50_ms", .number(r.p50)), ("p90_ms", .number(r.p90)), ("scores_p50_ms", .number(r.gemvP50))])
                })),
            ])
            emit(doc.rendered)
        } else {
            emit("clipscope VectorIndex, \(n) × \(width) float32, top-10, built in \(String(format: "%.2f", buildSeconds)) s")
            emit("     d   norms ms   switch ms   p50 ms   p90 ms   scores-only p50 ms")
            for r in results {
                emit(String(format: "%6d  %9.2f  %10.2f  %7.2f  %7.2f  %9.2f", r.d, r.normsMs, r.switchMs, r.p50, r.p90, r.gemvP50))
            }
        }
    }
}

/// SplitMix64 for reproducible synthetic data.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unitVector(_ v: inout [Float]) {
        var s: Float = 0
        for j in 0..<v.count {
            let x = Float(Int64(bitPattern: next() >> 1) % 2_000_001 - 1_000_000) / 1_000_000
            v[j] = x; s += x * x
        }
        let inv = 1 / s.squareRoot()
        for j in 0..<v.count { v[j] *= inv }
    }
}
