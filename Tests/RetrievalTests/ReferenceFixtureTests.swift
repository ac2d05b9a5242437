// Retrieval against an independent NumPy/SciPy computation (scipy.stats.kendalltau over the union of the
// top-k lists with full-ranking ranks, RBO_ext written out from eq. 32), stored by
// Scripts/fixtures/make_ranking_reference.py in Tests/Fixtures/ranking/reference.json.
// Tolerances: 1e-12 for the metrics (both sides compute in float64 from the same integers), 1e-6 for the
// float32 prefix cosine, exact for the top-k ids and the float32 score gaps.
import Foundation
import Testing
import TestSupport
@testable import Retrieval

@Suite struct ReferenceFixtureTests {
    struct Comparison: Decodable {
        var kind: String
        var k: Int
        var scores_a: [Float]
        var scores_b: [Float]
        var top_a: [Int]
        var top_b: [Int]
        var overlap: Double
        var jaccard: Double
        var kendall_tau: Double
        var rbo: Double
        var score_gap_a: Float?
        var score_gap_b: Float?
    }
    struct TauB: Decodable { var x: [Int]; var y: [Int]; var tau_b: Double }
    struct RBO: Decodable { var a: [Int]; var b: [Int]; var rbo: Double }
    struct Cosine: Decodable { var a: [Float]; var b: [Float]; var dims: Int; var cos: Double }
    struct Reference: Decodable {
        var p: Double
        var comparisons: [Comparison]
        var tau_b: [TauB]
        var rbo: [RBO]
        var prefix_cosine: [Cosine]
    }

    let ref: Reference

    init() throws {
        let data = try Data(contentsOf: Fixtures.url("ranking/reference.json"))
        ref = try JSONDecoder().decode(Reference.self, from: data)
    }

    @Test func comparisonsMatchSciPy() {
        #expect(ref.p == RankingMetrics.rboPersistence)
        #expect(Set(ref.comparisons.map(\.kind)) == ["random", "tied", "identical"])
        for c in ref.comparisons {
            let fullA = Ranking.top(c.scores_a), fullB = Ranking.top(c.scores_b)
            #expect(fullA.prefix(c.k).map(\.id) == c.top_a, "\(c.kind) k=\(c.k)")
            #expect(fullB.prefix(c.k).map(\.id) == c.top_b, "\(c.kind) k=\(c.k)")
            let m = TopKComparison(fullA: fullA, fullB: fullB, k: c.k)
            #expect(abs(m.overlap - c.overlap) < 1e-12, "\(c.kind) k=\(c.k)")
            #expect(abs(m.jaccard - c.jaccard) < 1e-12, "\(c.kind) k=\(c.k)")
            #expect(abs(m.kendallTau - c.kendall_tau) < 1e-12, "\(c.kind) k=\(c.k): \(m.kendallTau) vs \(c.kendall_tau)")
            #expect(abs(m.rbo - c.rbo) < 1e-12, "\(c.kind) k=\(c.k): \(m.rbo) vs \(c.rbo)")
            #expect(RankingMetrics.scoreGap(fullA.map(\.score), k: c.k) == c.score_gap_a)
            #expect(RankingMetrics.scoreGap(fullB.map(\.score), k: c.k) == c.score_gap_b)
        }
    }

    @Test func tauBWithTiedValuesMatchesSciPy() {
        for t in ref.tau_b {
            let tau = RankingMetrics.kendallTauB(t.x, t.y)
            #expect(tau != nil && abs(tau! - t.tau_b) < 1e-12, "\(String(describing: tau)) vs \(t.tau_b)")
        }
    }

    @Test func rboOfUnequalListsMatchesEq32() {
        for r in ref.rbo { #expect(abs(RankingMetrics.rbo(r.a, r.b) - r.rbo) < 1e-12, "\(r.a) \(r.b)") }
    }

    @Test func prefixCosineMatchesFloat64() {
        for c in ref.prefix_cosine { #expect(abs(Double(PrefixCosine.score(c.a, c.b, dims: c.dims)) - c.cos) < 1e-6) }
    }
}
