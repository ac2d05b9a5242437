// Hidden benchmark harness: `clipscope search --bench-synthetic N [--json]` (release build).
// Builds an N × 1024 index of random unit vectors and reports, per d in 64, 256, 1024:
//   switch_ms   first top-10 query at a new d (prefix norms computed + search)
//   p50/p90_ms  single-query top-10 latency once the norms are cached (50 random queries)
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
        var results: [(d: Int, switchMs: Double, p50: Double, p90: Double)] = []
        for d in [64, 256, 1024] {
            rng.unitVector(&v)
            let s0 = DispatchTime.now().uptimeNanoseconds
            _ = try index.search(v, dims: d, k: 10)
            let switchMs = Double(DispatchTime.now().uptimeNanoseconds - s0) / 1e6
            var times: [Double] = []
            for _ in 0..<50 {
                rng.unitVector(&v)
                let q0 = DispatchTime.now().uptimeNanoseconds
                _ = try index.search(v, dims: d, k: 10)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - q0) / 1e6)
            }
            times.sort()
            results.append((d, switchMs, times[times.count / 2], times[times.count * 9 / 10]))
        }
        if json {
            let doc = JSON.object([
                ("rows", .int(n)), ("width", .int(width)), ("build_s", .number(buildSeconds)),
                ("results", .array(results.map { r in
                    .object([("d", .int(r.d)), ("switch_ms", .number(r.switchMs)), ("p50_ms", .number(r.p50)), ("p90_ms", .number(r.p90))])
                })),
            ])
            emit(doc.rendered)
        } else {
            emit("clipscope VectorIndex, \(n) × \(width) float32, top-10, built in \(String(format: "%.2f", buildSeconds)) s")
            emit("     d   switch ms   p50 ms   p90 ms")
            for r in results {
                emit(String(format: "%6d  %10.2f  %7.2f  %7.2f", r.d, r.switchMs, r.p50, r.p90))
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
