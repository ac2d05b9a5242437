// The batched truncation curve (GEMM per block and dimension step) against the reference path: per query,
// PrefixCosine scores, Ranking.top full rankings and TopKComparison, averaged by hand. Random vectors have
// no near-ties, so the two agree to 1e-12 (the metrics are ratios of small integers and RBO sums).
import Testing
@testable import Retrieval

@Suite struct TruncationCurveTests {
    static func vectors(_ n: Int, _ w: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<(n * w)).map { j in
            let u = Float(Int64(bitPattern: rng.next() >> 1) % 2_000_001 - 1_000_000) / 1_000_000
            return u * (j % w < 8 ? 2 : 1)             // a stronger head, like Matryoshka embeddings
        }
    }

    static func reference(_ x: [Float], n: Int, w: Int, dims: [Int], queries: [[Float]], exclude: [Int?], k: Int) -> [TruncationRow] {
        let rows = (0..<n).map { Array(x[($0 * w)..<(($0 + 1) * w)]) }
        func ranking(_ q: [Float], _ d: Int, _ ex: Int?) -> [RankedItem] {
            Ranking.top(rows.map { PrefixCosine.score(q, $0, dims: d) }, excluding: ex)
        }
        return dims.map { d in
            var o = 0.0, t1 = 0.0, r = 0.0, tau = 0.0
            for (q, ex) in zip(queries, exclude) {
                let a = ranking(q, d, ex), b = ranking(q, w, ex)
                let c = TopKComparison(fullA: a, fullB: b, k: k)
                o += c.overlap; r += c.rbo; tau += c.kendallTau; t1 += a[0].id == b[0].id ? 1 : 0
            }
            let m = Double(queries.count)
            return TruncationRow(dims: d, overlap: o / m, top1: t1 / m, rbo: r / m, kendallTau: tau / m)
        }
    }

    @Test func imageCurveMatchesTheReference() throws {
        let n = 90, w = 48, dims = [4, 8, 16, 32, 48]
        let x = Self.vectors(n, w, seed: 5)
        let curve = TruncationCurve(vectors: x, count: n, width: w, dims: dims)
        let queries = [0, 7, 33, 89, 50]
        for k in [1, 5, 10] {
            let got = try #require(curve.curve(imageQueries: queries, k: k, block: 2))
            let want = Self.reference(x, n: n, w: w, dims: dims, queries: queries.map { Array(x[($0 * w)..<(($0 + 1) * w)]) },
                                      exclude: queries, k: k)
            #expect(got.map(\.dims) == dims)
            for (g, e) in zip(got, want) {
                #expect(abs(g.overlap - e.overlap) < 1e-12 && abs(g.top1 - e.top1) < 1e-12, "k=\(k) d=\(g.dims)")
                #expect(abs(g.rbo - e.rbo) < 1e-12 && abs(g.kendallTau - e.kendallTau) < 1e-12, "k=\(k) d=\(g.dims) \(g) \(e)")
            }
            #expect(got.last == TruncationRow(dims: w, overlap: 1, top1: 1, rbo: 1, kendallTau: 1))
            #expect(got.first!.overlap < 1, "4 of 48 dims should change some top-\(k)")
        }
    }

    @Test func textCurveMatchesTheReference() throws {
        let n = 60, w = 32, dims = [8, 16, 32]
        let x = Self.vectors(n, w, seed: 9)
        let texts = (0..<7).map { Array(Self.vectors(1, w, seed: 100 + UInt64($0))) }
        let got = try #require(TruncationCurve(vectors: x, count: n, width: w, dims: dims).curve(textQueries: texts, k: 10, block: 3))
        let want = Self.reference(x, n: n, w: w, dims: dims, queries: texts, exclude: Array(repeating: nil, count: 7), k: 10)
        for (g, e) in zip(got, want) {
            #expect(abs(g.overlap - e.overlap) < 1e-12 && abs(g.rbo - e.rbo) < 1e-12 && abs(g.kendallTau - e.kendallTau) < 1e-12)
            #expect(g.top1 == e.top1)
        }
    }

    @Test func progressCanCancelAndDimsAreNormalised() {
        let x = Self.vectors(10, 8, seed: 1)
        let c = TruncationCurve(vectors: x, count: 10, width: 8, dims: [4, 2, 99, 2])
        #expect(c.dims == [2, 4, 8])
        var calls: [Int] = []
        #expect(c.curve(imageQueries: Array(0..<10), k: 3, block: 4, progress: { done, _ in calls.append(done); return done < 4 }) == nil)
        #expect(calls == [0, 4])
    }

    @Test func querySampleIsSeededDistinctAndSorted() {
        #expect(TruncationCurve.sample(count: 7, seed: 1) == (Array(0..<7), false))
        let a = TruncationCurve.sample(count: 2000, limit: 500, seed: 42), b = TruncationCurve.sample(count: 2000, limit: 500, seed: 42)
        #expect(a.sampled && a.rows == b.rows && a.rows.count == 500 && Set(a.rows).count == 500 && a.rows == a.rows.sorted())
        #expect(TruncationCurve.sample(count: 2000, limit: 500, seed: 43).rows != a.rows)
    }

    @Test func ranksOfManyEqualsRankOfEach() {
        var rng = SplitMix64(seed: 3)
        let scores: [Float] = (0..<400).map { i in i % 50 == 0 ? -.infinity : Float(rng.next() % 9) }
        let ids = [0, 3, 17, 150, 399, 50, 1000]
        let got = scores.withUnsafeBufferPointer { Ranking.ranks(of: ids, in: $0, excluding: 17) }
        #expect(got == ids.map { Ranking.rank(of: $0, in: scores, excluding: 17) })
    }
}
