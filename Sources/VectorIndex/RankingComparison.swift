// One query searched at two Matryoshka dimensions A and B: both exact rankings and every metric between
// their top-k lists (the definitions live in Retrieval's RankingMetrics), plus how each item moved.
//
//   movement    per union item: true rank at A and at B, up / down / same / new / dropped
//   score gap   score(rank k) − score(rank k+1) in each ranking (how decisive the cut at k is)
import Retrieval

/// How one item moved between the top-k at dimension A and the top-k at dimension B.
public struct RankMovement: Equatable, Sendable {
    public enum Change: String, Sendable { case up, down, same, new, dropped }
    public var key: ItemPath
    public var rankA: Int     // true rank in the full exact ranking at A (1-based)
    public var rankB: Int     // true rank at B
    public var change: Change

    public init(key: ItemPath, rankA: Int, rankB: Int, k: Int) {
        self.key = key; self.rankA = rankA; self.rankB = rankB
        if rankA > k { change = .new } else if rankB > k { change = .dropped }
        else if rankB < rankA { change = .up } else if rankB > rankA { change = .down } else { change = .same }
    }
}

/// Both rankings of one query and every metric between them.
public struct RankingComparison: Sendable {
    public var k: Int
    public var dimsA: Int
    public var dimsB: Int
    public var topA: [SearchHit]
    public var topB: [SearchHit]
    /// Union of the two top-k lists: B's order first, then items dropped from A in A's order.
    public var movement: [RankMovement]
    public var overlap: Double
    public var jaccard: Double
    public var rbo: Double
    public var kendallTau: Double
    public var scoreGapA: Float?
    public var scoreGapB: Float?

    /// Builds the comparison from two FULL exact rankings (all items, best first).
    public init(fullA: [SearchHit], fullB: [SearchHit], dimsA: Int, dimsB: Int, k: Int) {
        let k = max(0, min(k, max(fullA.count, fullB.count)))   // a k beyond the item count means all of them
        self.k = k; self.dimsA = dimsA; self.dimsB = dimsB
        topA = Array(fullA.prefix(k)); topB = Array(fullB.prefix(k))
        var rankA: [ItemPath: Int] = [:], rankB: [ItemPath: Int] = [:]
        for h in fullA { rankA[h.key] = h.rank }
        for h in fullB { rankB[h.key] = h.rank }
        let c = TopKComparison(topA: topA.map(\.key), topB: topB.map(\.key), k: k,
                               rankA: { rankA[$0] }, rankB: { rankB[$0] })
        movement = zip(c.union, zip(c.ranksA, c.ranksB)).map { RankMovement(key: $0, rankA: $1.0, rankB: $1.1, k: k) }
        overlap = c.overlap
        jaccard = c.jaccard
        rbo = c.rbo
        kendallTau = c.kendallTau
        scoreGapA = RankingMetrics.scoreGap(fullA.map(\.score), k: k)
        scoreGapB = RankingMetrics.scoreGap(fullB.map(\.score), k: k)
    }
}

extension VectorIndex {
    /// Exact rankings of one query at dimensions A and B, with all truncation metrics.
    public func compare(_ query: [Float], dimsA: Int, dimsB: Int, k: Int, excluding: Int? = nil) throws -> RankingComparison {
        let fullA = try ranking(query, dims: dimsA, excluding: excluding)
        let fullB = try ranking(query, dims: dimsB, excluding: excluding)
        return RankingComparison(fullA: fullA, fullB: fullB, dimsA: dimsA, dimsB: dimsB, k: k)
    }
}
