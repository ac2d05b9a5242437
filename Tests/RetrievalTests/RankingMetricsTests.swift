// Retrieval's order and metrics against hand-computed values (the arithmetic is written out).
import Testing
@testable import Retrieval

@Suite struct RankingMetricsTests {
    let a = ["a", "b", "c", "d"], b = ["b", "a", "c", "e"]

    @Test func topKSortsByScoreThenIdAndSkipsMissing() {
        let scores: [Float] = [0.2, -.infinity, 0.9, 0.2, 0.5, .nan]
        #expect(Ranking.top(scores, k: 3).map(\.id) == [2, 4, 0])
        #expect(Ranking.top(scores).map(\.id) == [2, 4, 0, 3])
        #expect(Ranking.top(scores, k: 0).isEmpty)
        #expect(Ranking.top(scores, k: 9, excluding: 2).map(\.id) == [4, 0, 3])
        #expect(Ranking.rank(of: 3, in: scores) == 4)
        #expect(Ranking.rank(of: 1, in: scores) == nil)
        #expect(Ranking.rank(of: 3, in: scores, excluding: 2) == 3)
        // keys decide ties: "b" before "z" although its id is larger
        #expect(Ranking.top([0.5, 0.5, 0.1], keys: ["z", "b", "a"]).map(\.id) == [1, 0, 2])
        #expect(Ranking.rank(of: 0, in: [0.5, 0.5, 0.1], keys: ["z", "b", "a"]) == 2)
    }

    @Test func boundedTopKEqualsTheFullSortOnManyTies() {
        var state: UInt64 = 3
        let scores: [Float] = (0..<500).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int(state >> 33) % 7)
        }
        let full = Ranking.top(scores)
        // the packed-key sort of the full ranking = the comparator sort with the same rule
        #expect(full == Ranking.top(scores, keys: Array(0..<500)))
        let signed: [Float] = [0, -0.0, -1, 1, .infinity, -3.5e-39, 3.5e-39, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 0.5, -0.5]
        #expect(Ranking.top(signed) == Ranking.top(signed, keys: Array(0..<signed.count)))
        #expect(Ranking.top(signed).map(\.score).map(\.bitPattern) == Ranking.top(signed, keys: Array(0..<signed.count)).map(\.score).map { ($0 == 0 ? Float(0) : $0).bitPattern })
        for k in [1, 5, 50, 499, 600] { #expect(Ranking.top(scores, k: k) == Array(full.prefix(k))) }
        for id in [0, 17, 499] { #expect(Ranking.rank(of: id, in: scores) == full.firstIndex { $0.id == id }! + 1) }
        #expect(Ranking.positions(of: [17, 3], in: full) == [17: full.firstIndex { $0.id == 17 }! + 1, 3: full.firstIndex { $0.id == 3 }! + 1])
    }

    @Test func prefixCosineRenormalisesThePrefix() {
        // prefixes [3,4] and [4,3]: cos = 24/25
        #expect(abs(PrefixCosine.score([3, 4, 100], [4, 3, -100], dims: 2) - 0.96) < 1e-6)
        #expect(PrefixCosine.score([0, 0], [1, 1], dims: 2) == 0)
        #expect(PrefixCosine.normalizedPrefix([3, 4, 100], dims: 2) == [0.6, 0.8])
        #expect(PrefixCosine.normalizedPrefix([0, 0, 1], dims: 2) == [0, 0])
    }

    @Test func overlapAndJaccard() {
        // A∩B = {a, b, c}: overlap 3/4; A∪B = {a, b, c, d, e}: Jaccard 3/5.
        #expect(RankingMetrics.overlap(a, b, k: 4) == 0.75)
        #expect(RankingMetrics.jaccard(a, b, k: 4) == 0.6)
        #expect(RankingMetrics.overlap(a, b, k: 1) == 0)        // a vs b
        #expect(RankingMetrics.overlap(a, b, k: 0) == 1)
        #expect(RankingMetrics.jaccard(a, a, k: 4) == 1)
        #expect(RankingMetrics.overlap([1, 2, 3, 4], [4, 3, 9, 8], k: 4) == 0.5)
    }

    @Test func rankBiasedOverlapEqualLengths() {
        // X_d = 0, 2, 3, 3. Σ X_d/d p^d = 0 + 1·0.81 + 1·0.729 + 0.75·0.6561 = 2.031075
        // RBO_ext = (0.1/0.9)·2.031075 + 0.75·0.6561 = 0.225675 + 0.492075 = 0.71775
        #expect(abs(RankingMetrics.rbo(a, b, p: 0.9) - 0.71775) < 1e-12)
        #expect(abs(RankingMetrics.rbo(a, a) - 1) < 1e-12)
        #expect(RankingMetrics.rbo(a, ["w", "x", "y", "z"]) == 0)
        // A=[1,2], B=[2,1], p=0.5: X = 0, 2 → (0.5/0.5)(0 + 1·0.25) + 1·0.25 = 0.5
        #expect(abs(RankingMetrics.rbo([1, 2], [2, 1], p: 0.5) - 0.5) < 1e-12)
    }

    @Test func rankBiasedOverlapUnequalLengths() {
        // S = [a, b], L = [b, c, a, d]: X_d = 0, 1, 2, 2; X_s = 1.
        // Σ X_d/d p^d = 0.405 + 0.486 + 0.32805 = 1.21905; Σ_{d>s} X_s(d−s)/(s d) p^d = 0.1215 + 0.164025
        // RBO_ext = (0.1/0.9)·1.504575 + ((2−1)/4 + 1/2)·0.6561 = 0.167175 + 0.492075 = 0.65925
        let r = RankingMetrics.rbo(["a", "b"], ["b", "c", "a", "d"], p: 0.9)
        #expect(abs(r - 0.65925) < 1e-12)
        #expect(RankingMetrics.rbo(["b", "c", "a", "d"], ["a", "b"], p: 0.9) == r)
    }

    @Test func kendallTauB() {
        // (x, y) = (1,2) (2,1) (3,3) (4,7) (6,4): discordant pairs 1–2 and 4–5, 8 concordant: τ = 6/10
        #expect(abs(RankingMetrics.kendallTauB([1, 2, 3, 4, 6], [2, 1, 3, 7, 4])! - 0.6) < 1e-12)
        #expect(RankingMetrics.kendallTauB([1, 2, 3], [3, 2, 1]) == -1)
        #expect(RankingMetrics.kendallTauB([5], [1]) == nil)
        #expect(RankingMetrics.kendallTauB([1, 1, 1], [1, 2, 3]) == nil)
        // ties: x = 1 1 2, y = 1 2 3: pairs (1,2) tied in x; (1,3), (2,3) concordant.
        // n0 = 3, n1 = 1, n2 = 0 → 2 / √(2·3)
        #expect(abs(RankingMetrics.kendallTauB([1, 1, 2], [1, 2, 3])! - 2 / 6.0.squareRoot()) < 1e-12)
        #expect(RankingMetrics.kendallTauTopK(ranksA: [1], ranksB: [1]) == 1)
    }

    @Test func topKComparisonUsesTrueRanks() {
        // Full rankings A = 0 1 2 3 4, B = 2 3 1 0 4; k = 2: A_2 = {0, 1}, B_2 = {2, 3}.
        // Union (B first) 2 3 0 1 with (rankA, rankB) = (3,1) (4,2) (1,4) (2,3):
        // 2–3 C, 2–0 D, 2–1 D, 3–0 D, 3–1 D, 0–1 D → τ = (1 − 5)/6
        let fullA = [0, 1, 2, 3, 4].map { RankedItem(id: $0, score: 1 - Float($0) / 10) }
        let fullB = [2, 3, 1, 0, 4].enumerated().map { RankedItem(id: $0.element, score: 1 - Float($0.offset) / 10) }
        let c = TopKComparison(fullA: fullA, fullB: fullB, k: 2)
        #expect(c.union == [2, 3, 0, 1])
        #expect(c.ranksA == [3, 4, 1, 2] && c.ranksB == [1, 2, 4, 3])
        #expect(abs(c.kendallTau - (-4.0 / 6.0)) < 1e-12)
        #expect(c.overlap == 0 && c.jaccard == 0 && c.rbo == 0)
        let same = TopKComparison(fullA: fullA, fullB: fullA, k: 3)
        #expect(same.overlap == 1 && same.kendallTau == 1 && abs(same.rbo - 1) < 1e-12)
    }

    @Test func scoreGapAndAgreement() {
        #expect(abs(RankingMetrics.scoreGap([0.9, 0.7, 0.65, 0.1], k: 2)! - 0.05) < 1e-6)   // 0.7 − 0.65
        #expect(RankingMetrics.scoreGap([0.9, 0.7, 0.65, 0.1], k: 4) == nil)                  // no rank 5
        let lists: [[Int]] = [[1, 2], [1, 3], [4, 5]]
        #expect(RankingMetrics.agreement(lists, k: 2) == 0.5 / 3)
        #expect(RankingMetrics.agreement([[1]], k: 1) == 1)
    }
}
