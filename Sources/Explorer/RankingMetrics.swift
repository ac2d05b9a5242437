// Pure ranking helpers: top-k selection from a score array, Matryoshka prefix cosine, and
// the agreement metrics shown by the compare and cross-lingual views (overlap@k, Kendall τ
// over the union of two top-k lists, rank-biased overlap).

public struct RankedItem: Equatable, Sendable {
    public var id: Int
    public var score: Float
    public init(id: Int, score: Float) { self.id = id; self.score = score }
}

public enum RankingMetrics {
    /// Items sorted by descending score (ties by ascending id, so rankings are deterministic),
    /// skipping -inf (items without a vector). `k` nil = all.
    public static func topK(_ scores: [Float], k: Int? = nil) -> [RankedItem] {
        var all: [RankedItem] = []
        all.reserveCapacity(scores.count)
        for (i, s) in scores.enumerated() where s > -Float.infinity && !s.isNaN {
            all.append(RankedItem(id: i, score: s))
        }
        all.sort { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }
        if let k, k < all.count { return Array(all.prefix(k)) }
        return all
    }

    /// 1-based rank of `id` in `scores` (nil if it has no score). Same tie rule as topK.
    public static func rank(of id: Int, in scores: [Float]) -> Int? {
        guard id >= 0, id < scores.count else { return nil }
        let s = scores[id]
        guard s > -Float.infinity, !s.isNaN else { return nil }
        var better = 0
        for (i, o) in scores.enumerated() where o > s || (o == s && i < id) { better += 1 }
        return better + 1
    }

    /// Cosine of the first `dims` components of a and b (each prefix renormalised).
    public static func prefixCosine(_ a: [Float], _ b: [Float], dims: Int) -> Float {
        let n = min(dims, a.count, b.count)
        var dot: Float = 0, na: Float = 0, nb: Float = 0
        for i in 0..<n { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i] }
        guard na > 0, nb > 0 else { return 0 }
        return dot / (na.squareRoot() * nb.squareRoot())
    }

    /// |top-k(a) ∩ top-k(b)| / k.
    public static func overlap(_ a: [Int], _ b: [Int], k: Int) -> Double {
        guard k > 0 else { return 0 }
        let sa = Set(a.prefix(k)), sb = Set(b.prefix(k))
        return Double(sa.intersection(sb).count) / Double(k)
    }

    /// Kendall τ-b between two top-k lists over the union of their items; an item missing from
    /// a list is placed after that list's last position (tied with the other missing ones).
    /// 1 = same order, −1 = reversed. Lists of < 2 items give 1.
    public static func kendallTau(_ a: [Int], _ b: [Int]) -> Double {
        let union = Array(Set(a).union(b)).sorted()
        guard union.count >= 2 else { return 1 }
        var ra: [Int: Int] = [:], rb: [Int: Int] = [:]
        for (i, x) in a.enumerated() { ra[x] = i }
        for (i, x) in b.enumerated() { rb[x] = i }
        let pa = union.map { ra[$0] ?? a.count }, pb = union.map { rb[$0] ?? b.count }
        var concordant = 0, discordant = 0, tiesA = 0, tiesB = 0
        for i in 0..<union.count {
            for j in (i + 1)..<union.count {
                let da = pa[i] - pa[j], db = pb[i] - pb[j]
                if da == 0 && db == 0 { continue }
                if da == 0 { tiesA += 1; continue }
                if db == 0 { tiesB += 1; continue }
                if (da > 0) == (db > 0) { concordant += 1 } else { discordant += 1 }
            }
        }
        let n0 = Double(concordant + discordant)
        let denom = ((n0 + Double(tiesA)) * (n0 + Double(tiesB))).squareRoot()
        return denom == 0 ? 1 : Double(concordant - discordant) / denom
    }

    /// Rank-biased overlap (Webber et al. 2010), truncated at depth = max(len):
    /// RBO = (1 − p) Σ_{d=1..D} p^{d−1} · |A_d ∩ B_d| / d, plus the extrapolated tail
    /// p^D · |A_D ∩ B_D| / D so identical lists score exactly 1.
    public static func rbo(_ a: [Int], _ b: [Int], p: Double = 0.9) -> Double {
        let depth = max(a.count, b.count)
        guard depth > 0 else { return 1 }
        var seenA = Set<Int>(), seenB = Set<Int>()
        var sum = 0.0
        var weight = 1.0
        var lastAgreement = 0.0
        for d in 1...depth {
            if d <= a.count { seenA.insert(a[d - 1]) }
            if d <= b.count { seenB.insert(b[d - 1]) }
            lastAgreement = Double(seenA.intersection(seenB).count) / Double(d)
            sum += weight * lastAgreement
            weight *= p
        }
        return (1 - p) * sum + weight * lastAgreement
    }

    /// Mean pairwise overlap@k of several top-k id lists (1 when < 2 lists).
    public static func agreement(_ lists: [[Int]], k: Int) -> Double {
        guard lists.count >= 2 else { return 1 }
        var total = 0.0, pairs = 0
        for i in 0..<lists.count { for j in (i + 1)..<lists.count { total += overlap(lists[i], lists[j], k: k); pairs += 1 } }
        return total / Double(pairs)
    }
}
