// How much a ranking changes when the same query is searched at two Matryoshka dimensions
// (e.g. 64-d vs 1024-d). Pure functions over item keys + one driver that runs both exact searches.
//
//   overlap@k   |A ∩ B| / k
//   Jaccard@k   |A ∩ B| / |A ∪ B|
//   RBO_ext     rank-biased overlap, persistence p, extrapolated (Webber, Moffat & Zobel 2010, eq. 32,
//               which also covers lists of unequal length)
//   Kendall τ   over the union of the two top-k lists, each item placed at its TRUE rank in the full
//               exact ranking at A and at B (ranks are distinct, so τ_a == τ_b here)
//   movement    per union item: true rank at A and at B, up / down / same / new / dropped
//   score gap   score(rank k) − score(rank k+1) in each ranking (how decisive the cut at k is)
import Foundation

public enum RankingMetrics {
    /// |A ∩ B| / k, with A and B cut at k.
    public static func overlap<T: Hashable>(_ a: [T], _ b: [T], k: Int) -> Double {
        guard k > 0 else { return 1 }
        return Double(Set(a.prefix(k)).intersection(b.prefix(k)).count) / Double(k)
    }

    /// |A ∩ B| / |A ∪ B|, with A and B cut at k; two empty lists give 1.
    public static func jaccard<T: Hashable>(_ a: [T], _ b: [T], k: Int) -> Double {
        let sa = Set(a.prefix(k)), sb = Set(b.prefix(k))
        let union = sa.union(sb).count
        return union == 0 ? 1 : Double(sa.intersection(sb).count) / Double(union)
    }

    /// Extrapolated rank-biased overlap RBO_ext (identical lists → 1, disjoint → 0).
    public static func rankBiasedOverlap<T: Hashable>(_ a: [T], _ b: [T], p: Double = 0.9) -> Double {
        precondition(p > 0 && p < 1, "RBO persistence must be in (0, 1)")
        let (short, long) = a.count <= b.count ? (a, b) : (b, a)
        let s = short.count, l = long.count
        if l == 0 { return 1 }
        if s == 0 { return 0 }
        // X[d] = |short[:min(d, s)] ∩ long[:d]| for d = 1 ... l
        var seenShort = Set<T>(), seenLong = Set<T>()
        var x = [Double](repeating: 0, count: l + 1)
        var common = 0
        for d in 1...l {
            let itemL = long[d - 1]
            if d <= s {
                let itemS = short[d - 1]
                if itemS == itemL {
                    common += 1
                } else {
                    if seenLong.contains(itemS) { common += 1 }
                    if seenShort.contains(itemL) { common += 1 }
                }
                seenShort.insert(itemS)
            } else if seenShort.contains(itemL) {
                common += 1
            }
            seenLong.insert(itemL)
            x[d] = Double(common)
        }
        var sum = 0.0
        var pd = 1.0
        for d in 1...l {
            pd *= p
            sum += x[d] / Double(d) * pd
            if d > s { sum += x[s] * Double(d - s) / Double(s * d) * pd }
        }
        let pl = pow(p, Double(l))
        return (1 - p) / p * sum + ((x[l] - x[s]) / Double(l) + x[s] / Double(s)) * pl
    }

    /// Kendall τ between two rank assignments of the same items (ranksA[i], ranksB[i] for item i).
    /// Ties count as neither concordant nor discordant (τ_b denominator). nil for fewer than 2 items.
    public static func kendallTau(_ ranksA: [Int], _ ranksB: [Int]) -> Double? {
        precondition(ranksA.count == ranksB.count, "rank lists differ in length")
        let n = ranksA.count
        guard n >= 2 else { return nil }
        var concordant = 0, discordant = 0, tiesA = 0, tiesB = 0
        for i in 0..<n {
            for j in (i + 1)..<n {
                let da = ranksA[i] - ranksA[j], db = ranksB[i] - ranksB[j]
                if da == 0 && db == 0 { continue }
                if da == 0 { tiesA += 1; continue }
                if db == 0 { tiesB += 1; continue }
                if (da > 0) == (db > 0) { concordant += 1 } else { discordant += 1 }
            }
        }
        let n0 = Double(concordant + discordant)
        let denominator = ((n0 + Double(tiesA)) * (n0 + Double(tiesB))).squareRoot()
        return denominator == 0 ? nil : Double(concordant - discordant) / denominator
    }

    /// score(rank k) − score(rank k+1); nil when the ranking has k or fewer items.
    public static func scoreGap(_ ranking: [SearchHit], k: Int) -> Float? {
        guard k >= 1, ranking.count > k else { return nil }
        return ranking[k - 1].score - ranking[k].score
    }
}

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
    public var kendallTau: Double?
    public var scoreGapA: Float?
    public var scoreGapB: Float?

    /// Builds the comparison from two FULL exact rankings (all items, best first).
    public init(fullA: [SearchHit], fullB: [SearchHit], dimsA: Int, dimsB: Int, k: Int, rboPersistence: Double = 0.9) {
        let k = max(0, min(k, max(fullA.count, fullB.count)))   // a k beyond the item count means all of them
        self.k = k; self.dimsA = dimsA; self.dimsB = dimsB
        topA = Array(fullA.prefix(k)); topB = Array(fullB.prefix(k))
        var rankA: [ItemPath: Int] = [:], rankB: [ItemPath: Int] = [:]
        for h in fullA { rankA[h.key] = h.rank }
        for h in fullB { rankB[h.key] = h.rank }
        let keysA = topA.map(\.key), keysB = topB.map(\.key)
        var union = keysB
        let inB = Set(keysB)
        union += keysA.filter { !inB.contains($0) }
        let missing = Int.max / 4    // an item absent from a ranking (cannot happen for one index)
        movement = union.map { RankMovement(key: $0, rankA: rankA[$0] ?? missing, rankB: rankB[$0] ?? missing, k: k) }
        overlap = RankingMetrics.overlap(keysA, keysB, k: k)
        jaccard = RankingMetrics.jaccard(keysA, keysB, k: k)
        rbo = RankingMetrics.rankBiasedOverlap(keysA, keysB, p: rboPersistence)
        kendallTau = RankingMetrics.kendallTau(movement.map(\.rankA), movement.map(\.rankB))
        scoreGapA = RankingMetrics.scoreGap(fullA, k: k)
        scoreGapB = RankingMetrics.scoreGap(fullB, k: k)
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
