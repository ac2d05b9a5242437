// Truncation metrics against hand-computed values (the arithmetic is written out in each test).
import Foundation
import Testing
@testable import VectorIndex

@Suite struct RankingMetricsTests {
    let a = ["a", "b", "c", "d"], b = ["b", "a", "c", "e"]

    @Test func overlapAndJaccard() {
        // A∩B = {a, b, c}: overlap 3/4; A∪B = {a, b, c, d, e}: Jaccard 3/5.
        #expect(RankingMetrics.overlap(a, b, k: 4) == 0.75)
        #expect(RankingMetrics.jaccard(a, b, k: 4) == 0.6)
        #expect(RankingMetrics.overlap(a, b, k: 1) == 0)        // a vs b
        #expect(RankingMetrics.jaccard(a, a, k: 4) == 1)
    }

    @Test func rankBiasedOverlapEqualLengths() {
        // X_d = 0, 2, 3, 3. Σ X_d/d p^d = 0 + 1·0.81 + 1·0.729 + 0.75·0.6561 = 2.031075
        // RBO_ext = (0.1/0.9)·2.031075 + 0.75·0.6561 = 0.225675 + 0.492075 = 0.71775
        #expect(abs(RankingMetrics.rankBiasedOverlap(a, b, p: 0.9) - 0.71775) < 1e-12)
        #expect(abs(RankingMetrics.rankBiasedOverlap(a, a) - 1) < 1e-12)
        #expect(RankingMetrics.rankBiasedOverlap(a, ["w", "x", "y", "z"]) == 0)
    }

    @Test func rankBiasedOverlapUnequalLengths() {
        // S = [a, b], L = [b, c, a, d]: X_d = 0, 1, 2, 2; X_s = 1.
        // Σ X_d/d p^d = 0.405 + 0.486 + 0.32805 = 1.21905; Σ_{d>s} X_s(d−s)/(s d) p^d = 0.1215 + 0.164025
        // RBO_ext = (0.1/0.9)·1.504575 + ((2−1)/4 + 1/2)·0.6561 = 0.167175 + 0.492075 = 0.65925
        let r = RankingMetrics.rankBiasedOverlap(["a", "b"], ["b", "c", "a", "d"], p: 0.9)
        #expect(abs(r - 0.65925) < 1e-12)
        #expect(RankingMetrics.rankBiasedOverlap(["b", "c", "a", "d"], ["a", "b"], p: 0.9) == r)
    }

    @Test func kendallTauOverTrueRanks() {
        // (rankA, rankB) = (1,2) (2,1) (3,3) (4,7) (6,4): discordant pairs 1–2 and 4–5, 8 concordant:
        // τ = (8 − 2) / 10 = 0.6
        #expect(abs(RankingMetrics.kendallTau([1, 2, 3, 4, 6], [2, 1, 3, 7, 4])! - 0.6) < 1e-12)
        #expect(RankingMetrics.kendallTau([1, 2, 3], [3, 2, 1]) == -1)
        #expect(RankingMetrics.kendallTau([5], [1]) == nil)
    }

    @Test func scoreGap() {
        let hits = [0.9, 0.7, 0.65, 0.1].enumerated().map {
            SearchHit(rank: $0.offset + 1, row: $0.offset, key: ItemPath("\($0.offset)"), score: Float($0.element))
        }
        #expect(abs(RankingMetrics.scoreGap(hits, k: 2)! - 0.05) < 1e-6)   // 0.7 − 0.65
        #expect(RankingMetrics.scoreGap(hits, k: 4) == nil)                  // no rank 5
    }

    @Test func comparisonOnAHandBuiltIndex() throws {
        // 2-d vectors. At d=1 only the sign of x matters; at d=2 the angle to q = (1, 1).
        let index = VectorIndex(width: 2)
        let items: [(String, [Float])] = [("p", [1, 0]), ("q", [0.9, 0.1]), ("r", [0.6, 0.8]), ("s", [0.2, 1]), ("t", [-1, 0.1])]
        for (name, v) in items { try index.add(ItemPath(name), vector: v) }
        let cmp = try index.compare([1, 1], dimsA: 1, dimsB: 2, k: 2)
        // d=1: p, q, r, s score 1, t −1 → ties broken by path: p q r s t
        #expect(cmp.topA.map(\.key.string) == ["p", "q"])
        // d=2: cos to (1,1): r 0.9899, s 0.8321, q 0.7809, p 0.7071, t −0.6357
        #expect(cmp.topB.map(\.key.string) == ["r", "s"])
        #expect(cmp.overlap == 0 && cmp.jaccard == 0 && cmp.rbo == 0)
        #expect(cmp.movement.map(\.key.string) == ["r", "s", "p", "q"])
        #expect(cmp.movement.map(\.change) == [.new, .new, .dropped, .dropped])
        #expect(cmp.movement.map(\.rankA) == [3, 4, 1, 2])
        #expect(cmp.movement.map(\.rankB) == [1, 2, 4, 3])
        // pairs over (A,B): r(3,1) s(4,2) p(1,4) q(2,3): r–s C, r–p D, r–q D, s–p D, s–q D, p–q D → (1−5)/6
        #expect(abs(cmp.kendallTau! - (-4.0 / 6.0)) < 1e-12)
        #expect(cmp.scoreGapA == 0)                        // rank 2 (q, 1.0) − rank 3 (r, 1.0)
        let sR = 1.4 / 2.0.squareRoot(), sS = 1.2 / (1.04.squareRoot() * 2.0.squareRoot()), sQ = 1.0 / (0.82.squareRoot() * 2.0.squareRoot())
        #expect(abs(Double(cmp.topB[0].score) - sR) < 1e-6 && abs(Double(cmp.topB[1].score) - sS) < 1e-6)
        #expect(abs(Double(cmp.scoreGapB!) - (sS - sQ)) < 1e-6)
    }

    @Test func movementMarkers() {
        #expect(RankMovement(key: ItemPath("x"), rankA: 3, rankB: 1, k: 5).change == .up)
        #expect(RankMovement(key: ItemPath("x"), rankA: 1, rankB: 3, k: 5).change == .down)
        #expect(RankMovement(key: ItemPath("x"), rankA: 2, rankB: 2, k: 5).change == .same)
        #expect(RankMovement(key: ItemPath("x"), rankA: 9, rankB: 2, k: 5).change == .new)
        #expect(RankMovement(key: ItemPath("x"), rankA: 2, rankB: 9, k: 5).change == .dropped)
    }
}
