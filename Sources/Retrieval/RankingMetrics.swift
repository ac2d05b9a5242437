// How much two rankings of the same items agree: the one definition of each metric, used by the
// explorer (compare footer, dimensions view, cross-lingual view), `clipscope compare`,
// `clipscope truncation` and TruncationCurve. A and B are two top-k lists (best first) of the same query,
// e.g. at a truncated dimension and at the full width.
//
//   overlap@k   |A ∩ B| / k                                  (overlap@0 = 1)
//   Jaccard@k   |A ∩ B| / |A ∪ B|                            (two empty lists: 1)
//   Kendall τ-b (n_c − n_d) / √((n_0 − n_1)(n_0 − n_2)) over the union U = A ∪ B, each item at its TRUE rank
//               in the full ranking at each side (so an item that left the top k still counts where it
//               went). n_0 = |U|(|U| − 1)/2, n_1 / n_2 = pairs tied on side 1 / 2 (none for true ranks, which
//               are distinct, so τ-b = τ-a here). Equal to scipy.stats.kendalltau (variant "b").
//               |U| < 2 (two identical one-item lists) gives 1.
//   RBO_ext     rank-biased overlap, extrapolated (Webber, Moffat & Zobel 2010, eq. 32), persistence p = 0.9:
//               with S the shorter list (length s), L the longer (length l), X_d = |S_{:d} ∩ L_{:d}|,
//               RBO_ext = (1 − p)/p · ( Σ_{d=1..l} X_d/d · p^d + Σ_{d=s+1..l} X_s (d − s)/(s d) · p^d )
//                         + ( (X_l − X_s)/l + X_s/s ) · p^l
//               identical lists give exactly 1 (up to rounding), disjoint lists 0.
//   score gap   score(rank k) − score(rank k + 1) of one ranking (how decisive the cut at k is).
import Foundation

public enum RankingMetrics {
    /// The RBO persistence used everywhere (the top 10 carry ≈ 86 % of the weight).
    public static let rboPersistence = 0.9

    /// overlap@k = |A_{:k} ∩ B_{:k}| / k; overlap@0 = 1.
    public static func overlap<T: Hashable>(_ a: [T], _ b: [T], k: Int) -> Double {
        guard k > 0 else { return 1 }
        return Double(Set(a.prefix(k)).intersection(b.prefix(k)).count) / Double(k)
    }

    /// Jaccard@k = |A_{:k} ∩ B_{:k}| / |A_{:k} ∪ B_{:k}|; two empty lists give 1.
    public static func jaccard<T: Hashable>(_ a: [T], _ b: [T], k: Int) -> Double {
        let sa = Set(a.prefix(k)), sb = Set(b.prefix(k))
        let union = sa.union(sb).count
        return union == 0 ? 1 : Double(sa.intersection(sb).count) / Double(union)
    }

    /// RBO_ext (eq. 32 above); lists of unequal length allowed. Two empty lists give 1, one empty list 0.
    public static func rbo<T: Hashable>(_ a: [T], _ b: [T], p: Double = rboPersistence) -> Double {
        precondition(p > 0 && p < 1, "RBO persistence must be in (0, 1)")
        let (short, long) = a.count <= b.count ? (a, b) : (b, a)
        let s = short.count, l = long.count
        if l == 0 { return 1 }
        if s == 0 { return 0 }
        // x[d] = |short[:min(d, s)] ∩ long[:d]| for d = 1 ... l
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
        return (1 - p) / p * sum + ((x[l] - x[s]) / Double(l) + x[s] / Double(s)) * pd
    }

    /// Kendall τ-b of paired observations (x[i], y[i]); ties allowed on either side.
    /// nil when undefined (fewer than 2 pairs, or one side constant), like scipy's NaN.
    public static func kendallTauB<T: Comparable>(_ x: [T], _ y: [T]) -> Double? {
        precondition(x.count == y.count, "paired lists differ in length")
        let n = x.count
        guard n >= 2 else { return nil }
        var concordant = 0, discordant = 0, tiesX = 0, tiesY = 0
        for i in 0..<n {
            for j in (i + 1)..<n {
                let sx = x[i] < x[j] ? -1 : (x[j] < x[i] ? 1 : 0)
                let sy = y[i] < y[j] ? -1 : (y[j] < y[i] ? 1 : 0)
                if sx == 0 && sy == 0 { tiesX += 1; tiesY += 1; continue }
                if sx == 0 { tiesX += 1; continue }
                if sy == 0 { tiesY += 1; continue }
                if sx == sy { concordant += 1 } else { discordant += 1 }
            }
        }
        let n0 = Double(n * (n - 1) / 2)
        let denominator = ((n0 - Double(tiesX)) * (n0 - Double(tiesY))).squareRoot()
        return denominator == 0 ? nil : Double(concordant - discordant) / denominator
    }

    /// Kendall τ-b of two top-k lists over their union, from the items' true ranks at A and at B
    /// (`ranksA[i]`, `ranksB[i]` for union item i). Fewer than 2 items (identical one-item lists): 1.
    public static func kendallTauTopK(ranksA: [Int], ranksB: [Int]) -> Double {
        kendallTauB(ranksA, ranksB) ?? 1
    }

    /// score(rank k) − score(rank k + 1) of a best-first score list; nil without a rank k + 1.
    public static func scoreGap(_ bestFirst: [Float], k: Int) -> Float? {
        guard k >= 1, bestFirst.count > k else { return nil }
        return bestFirst[k - 1] - bestFirst[k]
    }

    /// Mean pairwise overlap@k of several top-k lists (1 when fewer than 2 lists).
    public static func agreement<T: Hashable>(_ lists: [[T]], k: Int) -> Double {
        guard lists.count >= 2 else { return 1 }
        var total = 0.0, pairs = 0
        for i in 0..<lists.count { for j in (i + 1)..<lists.count { total += overlap(lists[i], lists[j], k: k); pairs += 1 } }
        return total / Double(pairs)
    }
}

/// Two top-k lists of one query (A and B, e.g. at two dimensions) and every metric between them.
public struct TopKComparison<Key: Hashable> {
    public var k: Int
    /// A ∪ B: B's order first, then the items that left B's top k, in A's order.
    public var union: [Key]
    /// True (1-based) ranks of the union items in the full rankings at A and at B.
    public var ranksA: [Int]
    public var ranksB: [Int]
    public var overlap: Double
    public var jaccard: Double
    public var rbo: Double
    public var kendallTau: Double

    /// `topA`, `topB`: the first k items of each full ranking; `rankA(key)` / `rankB(key)`: an item's true
    /// rank in the full ranking (items absent from a ranking are placed after every ranked item).
    public init(topA: [Key], topB: [Key], k: Int, rankA: (Key) -> Int?, rankB: (Key) -> Int?,
                p: Double = RankingMetrics.rboPersistence) {
        let a = Array(topA.prefix(k)), b = Array(topB.prefix(k))
        self.k = k
        let inB = Set(b)
        union = b + a.filter { !inB.contains($0) }
        let absent = Int.max / 4
        ranksA = union.map { rankA($0) ?? absent }
        ranksB = union.map { rankB($0) ?? absent }
        overlap = RankingMetrics.overlap(a, b, k: k)
        jaccard = RankingMetrics.jaccard(a, b, k: k)
        rbo = RankingMetrics.rbo(a, b, p: p)
        kendallTau = RankingMetrics.kendallTauTopK(ranksA: ranksA, ranksB: ranksB)
    }
}

extension TopKComparison where Key == Int {
    /// The same from two full rankings of ids (best first): true ranks are positions in them.
    public init(fullA: [RankedItem], fullB: [RankedItem], k: Int) {
        let a = fullA.prefix(k).map(\.id), b = fullB.prefix(k).map(\.id)
        let wanted = Set(a).union(b)
        let ra = Ranking.positions(of: wanted, in: fullA), rb = Ranking.positions(of: wanted, in: fullB)
        self.init(topA: a, topB: b, k: k, rankA: { ra[$0] }, rankB: { rb[$0] })
    }
}

extension Ranking {
    /// 1-based positions of `ids` in a best-first ranking (one pass, stops when all are found).
    public static func positions(of ids: Set<Int>, in ranking: [RankedItem]) -> [Int: Int] {
        var out: [Int: Int] = [:]
        out.reserveCapacity(ids.count)
        for (i, it) in ranking.enumerated() where ids.contains(it.id) {
            out[it.id] = i + 1
            if out.count == ids.count { break }
        }
        return out
    }
}
