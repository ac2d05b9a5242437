// How much of the full-width ranking survives truncation, per Matryoshka dimension, averaged over many
// queries: the "how small can I go on my data" curve of `clipscope truncation` and the explorer's
// dimensions view.
//
// For each query q and each dimension d (ascending, the last = the full width D), with A = top-k at d and
// B = top-k at D (Retrieval's order: score desc, ties by row = path order):
//   overlap   |A ∩ B| / k                 top1   [A_1 = B_1]
//   rbo       RBO_ext(A, B), p = 0.9      kendallTau   τ-b over A ∪ B with true ranks at d and at D
// each averaged over the queries (RankingMetrics has the definitions). Image queries are rows of the
// matrix and are excluded from their own ranking; text queries are extra vectors.
//
// Cost: per block of B queries, one GEMM for the full width (B × N × D), then one GEMM per dimension step
// that ACCUMULATES the raw dots of columns d_prev ..< d (beta = 1), so all dimensions together cost two
// full-width products, not Σ d. Scores are raw dots × 1/‖x[:d]‖ × 1/‖q[:d]‖ (PrefixCosine, summed in a
// different order: equal to float rounding). Top-k is a bounded selection per row; true ranks of the few
// union items outside a top-k come from one thresholded pass over the row (Ranking.ranks).
import Foundation
import Kernels

/// One dimension of a truncation curve: the means over the queries.
public struct TruncationRow: Equatable, Sendable {
    public var dims: Int
    public var overlap: Double
    public var top1: Double
    public var rbo: Double
    public var kendallTau: Double
    public init(dims: Int, overlap: Double, top1: Double, rbo: Double, kendallTau: Double) {
        self.dims = dims; self.overlap = overlap; self.top1 = top1; self.rbo = rbo; self.kendallTau = kendallTau
    }
}

public struct TruncationCurve: Sendable {
    public let count: Int
    public let width: Int
    /// Ascending; the last is `width`.
    public let dims: [Int]
    private let vectors: [Float]             // [count × width] row-major, rows in path order
    private let invNorms: [[Float]]          // [dims.count][count]: 1 / max(‖x[:d]‖, 1e-12)
    /// (row, first row with the same vector) for every exact duplicate. A GEMM's rounding can depend on a
    /// column's place in its tiles, so two identical vectors may get scores an ulp apart; their scores are
    /// copied from the first one, so duplicates tie at every width and are ordered by row, as in the index.
    private let duplicates: [(row: Int, of: Int)]

    /// `vectors`: `count` rows of `width` values, in path order (ties are broken by row). `dims` are sorted
    /// and clipped to 1 ... width, and `width` is appended when missing.
    public init(vectors: [Float], count: Int, width: Int, dims: [Int]) {
        precondition(vectors.count == count * width, "vectors must hold count × width values")
        self.vectors = vectors
        self.count = count
        self.width = width
        var ds = Array(Set(dims.filter { $0 >= 1 && $0 <= width })).sorted()
        if ds.last != width { ds.append(width) }
        self.dims = ds
        var norms = [[Float]](repeating: [Float](repeating: 0, count: count), count: ds.count)
        vectors.withUnsafeBufferPointer { x in
            for i in 0..<count {
                var acc = 0.0, j = 0
                for (di, d) in ds.enumerated() {
                    while j < d { let v = Double(x[i * width + j]); acc += v * v; j += 1 }
                    norms[di][i] = Float(1 / max(acc.squareRoot(), PrefixCosine.normFloor))
                }
            }
        }
        invNorms = norms
        var distinctRows: [Int: [Int]] = [:], dups: [(row: Int, of: Int)] = []   // content hash → distinct rows
        vectors.withUnsafeBufferPointer { x in
            func row(_ i: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: x[(i * width)..<((i + 1) * width)])) }
            for i in 0..<count {
                var h = Hasher()
                h.combine(bytes: row(i))
                let key = h.finalize()
                if let j = distinctRows[key, default: []].first(where: { row($0).elementsEqual(row(i)) }) {
                    dups.append((i, j))
                } else {
                    distinctRows[key, default: []].append(i)
                }
            }
        }
        duplicates = dups
    }

    /// "At 256 dims this folder keeps 97.8 % of the full top-10": the mean overlap@k at a quarter of the
    /// full width (Jina's "75 % smaller"), or at the largest dimension below it, or the smallest one.
    public static func sentence(_ rows: [TruncationRow], k: Int, subject: String = "this folder") -> String? {
        guard let full = rows.last?.dims, rows.count >= 2 else { return nil }
        let truncated = rows.dropLast()
        guard let row = truncated.last(where: { $0.dims <= full / 4 }) ?? truncated.first else { return nil }
        return "At \(row.dims) dims \(subject) keeps \(String(format: "%.1f", row.overlap * 100)) % of the full top-\(k)"
    }

    /// Queries at most for the folder curve; a larger folder is sampled.
    public static let maxQueries = 500

    /// The image queries of a folder of `count` images: all of them when count ≤ `limit`, else `limit`
    /// rows drawn without replacement by a SplitMix64 stream from `seed` (ascending).
    public static func sample(count: Int, limit: Int = maxQueries, seed: UInt64) -> (rows: [Int], sampled: Bool) {
        guard count > limit else { return (Array(0..<max(0, count)), false) }
        var rng = SplitMix64(seed: seed)
        var pool = Array(0..<count)
        for i in 0..<limit {
            let j = i + Int(rng.next() % UInt64(count - i))
            pool.swapAt(i, j)
        }
        return (Array(pool.prefix(limit)).sorted(), true)
    }

    /// Image→image: each listed row is a query, excluded from its own ranking.
    /// nil when cancelled (`progress` returns false).
    public func curve(imageQueries rows: [Int], k: Int, block: Int = 64,
                      progress: ((_ done: Int, _ total: Int) -> Bool)? = nil) -> [TruncationRow]? {
        run(queryCount: rows.count, k: k, block: block, progress: progress, excluded: { rows[$0] }) { q, out in
            let r = rows[q]
            vectors.withUnsafeBufferPointer { x in out.update(from: x.baseAddress! + r * width, count: width) }
        }
    }

    /// Text (or any outside) queries: full-width vectors, any norm.
    public func curve(textQueries: [[Float]], k: Int, block: Int = 64,
                      progress: ((_ done: Int, _ total: Int) -> Bool)? = nil) -> [TruncationRow]? {
        precondition(textQueries.allSatisfy { $0.count == width }, "queries must be full width")
        return run(queryCount: textQueries.count, k: k, block: block, progress: progress, excluded: { _ in nil }) { q, out in
            textQueries[q].withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: width) }
        }
    }

    /// Per-query metrics at one dimension index, summed into `sums` (overlap, top1, rbo, tau).
    private struct Sums { var overlap = 0.0, top1 = 0.0, rbo = 0.0, tau = 0.0 }

    private func run(queryCount: Int, k: Int, block: Int, progress: ((Int, Int) -> Bool)?,
                     excluded: (Int) -> Int?, load: (Int, UnsafeMutablePointer<Float>) -> Void) -> [TruncationRow]? {
        let n = count, w = width, nd = dims.count
        guard queryCount > 0, n > 0, k >= 1 else {
            return dims.map { TruncationRow(dims: $0, overlap: 1, top1: 1, rbo: 1, kendallTau: 1) }
        }
        let bsz = max(1, min(block, queryCount))
        var sums = [Sums](repeating: Sums(), count: nd)
        var q = [Float](repeating: 0, count: bsz * w)         // raw query block [b × w]
        var raw = [Float](repeating: 0, count: bsz * n)       // accumulated raw dots at the current d
        var full = [Float](repeating: 0, count: bsz * n)      // cosine scores at the full width
        var cur = [Float](repeating: 0, count: bsz * n)       // cosine scores at d
        var qInv = [Float](repeating: 0, count: bsz * nd)     // 1/‖q[:d]‖ per query and dimension
        var start = 0
        if let progress, !progress(0, queryCount) { return nil }
        while start < queryCount {
            let b = min(bsz, queryCount - start)
            q.withUnsafeMutableBufferPointer { qb in
                for i in 0..<b {
                    load(start + i, qb.baseAddress! + i * w)
                    var acc = 0.0, j = 0
                    for (di, d) in dims.enumerated() {
                        while j < d { let v = Double(qb[i * w + j]); acc += v * v; j += 1 }
                        qInv[i * nd + di] = Float(1 / max(acc.squareRoot(), PrefixCosine.normFloor))
                    }
                }
            }
            let excl = (0..<b).map { excluded(start + $0) }
            // Full width: one GEMM, scaled to cosines; its top-k per query.
            gemm(q, raw: &raw, rows: b, from: 0, to: w, accumulate: false)
            scale(raw, into: &full, rows: b, dimIndex: nd - 1, qInv: qInv)
            let topFull: [[RankedItem]] = perQuery(b) { i in
                full.withUnsafeBufferPointer { Ranking.top(UnsafeBufferPointer(rebasing: $0[(i * n)..<((i + 1) * n)]), k: k, excluding: excl[i], before: { $0 < $1 }) }
            }
            // Truncated dimensions, ascending, accumulating the raw dots.
            var prev = 0
            for di in 0..<(nd - 1) {
                let d = dims[di]
                gemm(q, raw: &raw, rows: b, from: prev, to: d, accumulate: prev > 0)
                prev = d
                scale(raw, into: &cur, rows: b, dimIndex: di, qInv: qInv)
                let metrics: [Sums] = perQuery(b) { i in
                    cur.withUnsafeBufferPointer { cb in
                        full.withUnsafeBufferPointer { fb in
                            let rowD = UnsafeBufferPointer(rebasing: cb[(i * n)..<((i + 1) * n)])
                            let rowF = UnsafeBufferPointer(rebasing: fb[(i * n)..<((i + 1) * n)])
                            return Self.compare(rowD, rowF, topFull: topFull[i], k: k, excluding: excl[i])
                        }
                    }
                }
                for m in metrics {
                    sums[di].overlap += m.overlap; sums[di].top1 += m.top1; sums[di].rbo += m.rbo; sums[di].tau += m.tau
                }
            }
            start += b
            if let progress, !progress(start, queryCount) { return nil }
        }
        let qn = Double(queryCount)
        var out = (0..<(nd - 1)).map { di in
            TruncationRow(dims: dims[di], overlap: sums[di].overlap / qn, top1: sums[di].top1 / qn,
                          rbo: sums[di].rbo / qn, kendallTau: sums[di].tau / qn)
        }
        out.append(TruncationRow(dims: w, overlap: 1, top1: 1, rbo: 1, kendallTau: 1))
        return out
    }

    /// One query at one dimension: the metrics of its top-k at d against its top-k at full width.
    private static func compare(_ rowD: UnsafeBufferPointer<Float>, _ rowF: UnsafeBufferPointer<Float>,
                                topFull: [RankedItem], k: Int, excluding: Int?) -> Sums {
        let topD = Ranking.top(rowD, k: k, excluding: excluding, before: { $0 < $1 })
        let a = topD.map(\.id), b = topFull.map(\.id)
        var posA: [Int: Int] = [:], posB: [Int: Int] = [:]
        for (i, id) in a.enumerated() { posA[id] = i + 1 }
        for (i, id) in b.enumerated() { posB[id] = i + 1 }
        let missingA = b.filter { posA[$0] == nil }, missingB = a.filter { posB[$0] == nil }
        for (id, r) in zip(missingA, Ranking.ranks(of: missingA, in: rowD, excluding: excluding)) { posA[id] = r }
        for (id, r) in zip(missingB, Ranking.ranks(of: missingB, in: rowF, excluding: excluding)) { posB[id] = r }
        let c = TopKComparison(topA: a, topB: b, k: k, rankA: { posA[$0] }, rankB: { posB[$0] })
        return Sums(overlap: c.overlap, top1: a.first == b.first ? 1 : 0, rbo: c.rbo, tau: c.kendallTau)
    }

    /// raw[b × N] (+)= q[:, from..<to] · X[:, from..<to]ᵀ  (one GEMM).
    private func gemm(_ q: [Float], raw: inout [Float], rows b: Int, from: Int, to: Int, accumulate: Bool) {
        guard to > from else { return }
        let n = count, w = width
        q.withUnsafeBufferPointer { qb in
            vectors.withUnsafeBufferPointer { xb in
                raw.withUnsafeMutableBufferPointer { rb in
                    Gemm.matmul(qb.baseAddress! + from, lda: w, xb.baseAddress! + from, transB: true, ldb: w,
                                into: rb.baseAddress!, ldc: n, m: b, n: n, k: to - from, beta: accumulate ? 1 : 0)
                }
            }
        }
    }

    /// out[i, j] = raw[i, j] · 1/‖x_j[:d]‖ · 1/‖q_i[:d]‖, split over two threads.
    private func scale(_ raw: [Float], into out: inout [Float], rows b: Int, dimIndex di: Int, qInv: [Float]) {
        let n = count, nd = dims.count
        let inv = invNorms[di]
        raw.withUnsafeBufferPointer { rb in
            inv.withUnsafeBufferPointer { ib in
                out.withUnsafeMutableBufferPointer { ob in
                    let r = rb.baseAddress!, x = ib.baseAddress!, o = ob.baseAddress!
                    DispatchQueue.concurrentPerform(iterations: min(2, b)) { part in
                        for i in stride(from: part, to: b, by: min(2, b)) {
                            let s = qInv[i * nd + di]
                            for j in 0..<n { o[i * n + j] = r[i * n + j] * x[j] * s }
                            for (j, first) in duplicates { o[i * n + j] = o[i * n + first] }
                        }
                    }
                }
            }
        }
    }

    /// body(i) for i in 0..<b on the available cores, results in order.
    private func perQuery<T>(_ b: Int, _ body: (Int) -> T) -> [T] {
        let parts = min(b, max(1, ProcessInfo.processInfo.activeProcessorCount))
        var results = [T?](repeating: nil, count: b)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            var local: [(Int, T)] = []
            for i in stride(from: p, to: b, by: parts) { local.append((i, body(i))) }
            lock.lock(); for (i, v) in local { results[i] = v }; lock.unlock()
        }
        return results.map { $0! }
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): the seeded stream of the query sample.
public struct SplitMix64: Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
