// The index's two-dimension comparison against hand-computed values (the arithmetic is written out).
import Foundation
import Testing
import Retrieval
@testable import VectorIndex

@Suite struct RankingComparisonTests {
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
        #expect(abs(cmp.kendallTau - (-4.0 / 6.0)) < 1e-12)
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

    /// The bounded heap of `search` (the fast path) and the full `ranking` follow Retrieval's order.
    @Test func searchAndRankingFollowRetrievalsOrder() throws {
        let index = VectorIndex(width: 64)
        var state: UInt64 = 7
        func next() -> Float { state = state &* 6364136223846793005 &+ 1442695040888963407; return Float(Int(state >> 40) % 5) }
        var keys: [ItemPath] = []
        for i in 0..<300 {
            let key = ItemPath(String(format: "img%03d.jpg", (i * 37) % 300))   // rows not in key order
            try index.add(key, vector: (0..<64).map { _ in next() - 2 })           // few distinct values: many ties
            keys.append(key)
        }
        let q = (0..<64).map { _ in next() - 2 }
        for d in [1, 2, 32, 64] {
            let scores = try index.scores(for: q, dims: d)
            let reference = Ranking.top(scores, keys: keys, excluding: 5)
            #expect(try index.ranking(q, dims: d, excluding: 5).map(\.row) == reference.map(\.id))
            #expect(try index.search(q, dims: d, k: 17, excluding: 5).map(\.row) == reference.prefix(17).map(\.id))
            for (i, row) in [0, 9, 123].enumerated() {
                let s = scores[row], r = try index.ranking(q, dims: d)
                #expect(r.first { $0.row == row }?.rank == Ranking.rank(of: row, in: scores, keys: keys), "\(i) \(s)")
            }
            // The panel/SIMD scores are the reference prefix cosine.
            for row in [0, 150, 299] {
                #expect(abs(scores[row] - PrefixCosine.score(index.vector(at: row), q, dims: d)) < 1e-5)
            }
        }
    }
}
