// Rankings: the one order every list in ClipScope is sorted by.
//
//   a ranks before b  ⇔  score(a) > score(b)  ∨  (score(a) = score(b) ∧ path(a) < path(b))
//
// i.e. score descending, ties by path ascending (bytewise). Items without a score (NaN or −∞: not yet
// embedded, failed, or excluded) are not ranked. Ranks are 1-based and distinct, so a ranking is a
// permutation of the ranked items. Callers whose item ids are already in path order (the explorer's
// folder snapshot, an index's rows sorted by key) rank by id; others pass the keys. VectorIndex's
// bounded heap (TopKHeap) is the fast path of the same rule and is tested against `top` here.

/// One ranked item: its id (index into the score array) and its score.
public struct RankedItem: Equatable, Sendable {
    public var id: Int
    public var score: Float
    public init(id: Int, score: Float) { self.id = id; self.score = score }
}

public enum Ranking {
    /// Whether a score takes part in a ranking (NaN and −∞ mean "no score").
    @inlinable public static func isRanked(_ s: Float) -> Bool { s > -Float.infinity && !s.isNaN }

    /// a ranks before b: higher score, then smaller key.
    @inlinable public static func precedes<K: Comparable>(_ sa: Float, _ ka: K, _ sb: Float, _ kb: K) -> Bool {
        sa != sb ? sa > sb : ka < kb
    }

    /// The best `k` items (all when nil), best first; ties by id (ids in path order).
    public static func top(_ scores: [Float], k: Int? = nil, excluding: Int? = nil) -> [RankedItem] {
        top(scores, k: k, excluding: excluding, before: { $0 < $1 })
    }

    /// The best `k` items (all when nil), best first; ties by `keys[id]` ascending.
    public static func top<K: Comparable>(_ scores: [Float], keys: [K], k: Int? = nil, excluding: Int? = nil) -> [RankedItem] {
        precondition(keys.count == scores.count, "one key per score")
        return top(scores, k: k, excluding: excluding, before: { keys[$0] < keys[$1] })
    }

    /// 1-based rank of `id` under the same rule (nil when it has no score or is excluded).
    public static func rank(of id: Int, in scores: [Float], excluding: Int? = nil) -> Int? {
        rank(of: id, in: scores, excluding: excluding, before: { $0 < $1 })
    }

    /// 1-based rank of `id`, ties by `keys[id]` ascending.
    public static func rank<K: Comparable>(of id: Int, in scores: [Float], keys: [K], excluding: Int? = nil) -> Int? {
        precondition(keys.count == scores.count, "one key per score")
        return rank(of: id, in: scores, excluding: excluding, before: { keys[$0] < keys[$1] })
    }

    /// `before(i, j)`: item i's key sorts before item j's (a strict order on ids).
    public static func top(_ scores: [Float], k: Int?, excluding: Int?, before: (Int, Int) -> Bool) -> [RankedItem] {
        @inline(__always) func better(_ a: RankedItem, _ b: RankedItem) -> Bool {
            a.score != b.score ? a.score > b.score : before(a.id, b.id)
        }
        if let k {
            // Bounded selection: a sorted buffer of the best k seen so far.
            guard k > 0 else { return [] }
            var best: [RankedItem] = []
            best.reserveCapacity(k + 1)
            for (i, s) in scores.enumerated() where i != excluding && isRanked(s) {
                let it = RankedItem(id: i, score: s)
                if best.count == k, !better(it, best[k - 1]) { continue }
                var pos = best.count
                while pos > 0 && better(it, best[pos - 1]) { pos -= 1 }
                best.insert(it, at: pos)
                if best.count > k { best.removeLast() }
            }
            return best
        }
        var all: [RankedItem] = []
        all.reserveCapacity(scores.count)
        for (i, s) in scores.enumerated() where i != excluding && isRanked(s) { all.append(RankedItem(id: i, score: s)) }
        all.sort(by: better)
        return all
    }

    public static func rank(of id: Int, in scores: [Float], excluding: Int?, before: (Int, Int) -> Bool) -> Int? {
        guard id >= 0, id < scores.count, id != excluding, isRanked(scores[id]) else { return nil }
        let s = scores[id]
        var ahead = 0
        for (i, o) in scores.enumerated() where i != id && i != excluding && isRanked(o) {
            if o > s || (o == s && before(i, id)) { ahead += 1 }
        }
        return ahead + 1
    }
}
