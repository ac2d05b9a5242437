// Rankings: the one order every list in ClipScope is sorted by.
//
//   a ranks before b  ⇔  score(a) > score(b)  ∨  (score(a) = score(b) ∧ path(a) < path(b))
//
// i.e. score descending, ties by path ascending (bytewise). Items without a score (NaN or −∞: not yet
// embedded, failed, or excluded) are not ranked. Ranks are 1-based and distinct, so a ranking is a
// permutation of the ranked items. Callers whose item ids are already in path order (the explorer's
// folder snapshot, an index's rows sorted by key) rank by id; others pass the keys. VectorIndex's
// bounded heap (TopKHeap) is the fast path of the same rule and is tested against `top` here.
import Dispatch

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
        guard k == nil, scores.count < Int(UInt32.max) else { return top(scores, k: k, excluding: excluding, before: { $0 < $1 }) }
        // The full ranking (the explorer ranks every item at every dimension): one sort of packed
        // (score, id) keys, ~10× faster than sorting with a comparator at 100,000 items.
        var keys: [UInt64] = []
        keys.reserveCapacity(scores.count)
        for (i, s) in scores.enumerated() where i != excluding && isRanked(s) { keys.append(packed(s, i)) }
        keys.sort()
        return keys.map { RankedItem(id: Int($0 & 0xFFFF_FFFF), score: unpackedScore($0)) }
    }

    /// (score descending, id ascending) as one ascending UInt64: the high half is the score's bits
    /// mapped to an order-preserving unsigned integer and inverted, the low half the id.
    @inline(__always) static func packed(_ s: Float, _ id: Int) -> UInt64 {
        let bits = (s == 0 ? Float(0) : s).bitPattern        // −0 and +0 are the same score
        let ordered = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        return UInt64(~ordered) << 32 | UInt64(UInt32(truncatingIfNeeded: id))
    }

    @inline(__always) static func unpackedScore(_ key: UInt64) -> Float {
        let ordered = ~UInt32(truncatingIfNeeded: key >> 32)
        return Float(bitPattern: ordered & 0x8000_0000 != 0 ? ordered & 0x7FFF_FFFF : ~ordered)
    }

    /// `top` of several score arrays (e.g. one per dimension), computed in parallel.
    public static func topEach(_ scores: [[Float]], k: Int? = nil) -> [[RankedItem]] {
        var out = [[RankedItem]](repeating: [], count: scores.count)
        out.withUnsafeMutableBufferPointer { buf in
            DispatchQueue.concurrentPerform(iterations: scores.count) { i in buf[i] = top(scores[i], k: k) }
        }
        return out
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
        scores.withUnsafeBufferPointer { top($0, k: k, excluding: excluding, before: before) }
    }

    /// The same over a buffer (one row of a score matrix).
    public static func top(_ scores: UnsafeBufferPointer<Float>, k: Int?, excluding: Int?,
                           before: (Int, Int) -> Bool) -> [RankedItem] {
        @inline(__always) func better(_ a: RankedItem, _ b: RankedItem) -> Bool {
            a.score != b.score ? a.score > b.score : before(a.id, b.id)
        }
        if let k {
            // Bounded selection: a sorted buffer of the best k seen so far; most scores stop at the
            // comparison with the k-th best.
            guard k > 0 else { return [] }
            var best: [RankedItem] = []
            best.reserveCapacity(k + 1)
            var floor = -Float.infinity        // score of the k-th best once the buffer is full
            for i in 0..<scores.count {
                let s = scores[i]
                if s < floor || i == excluding || !isRanked(s) { continue }
                let it = RankedItem(id: i, score: s)
                if best.count == k, !better(it, best[k - 1]) { continue }
                var pos = best.count
                while pos > 0 && better(it, best[pos - 1]) { pos -= 1 }
                best.insert(it, at: pos)
                if best.count > k { best.removeLast() }
                if best.count == k { floor = best[k - 1].score }
            }
            return best
        }
        var all: [RankedItem] = []
        all.reserveCapacity(scores.count)
        for i in 0..<scores.count where i != excluding && isRanked(scores[i]) { all.append(RankedItem(id: i, score: scores[i])) }
        all.sort(by: better)
        return all
    }

    /// The best `k` items (ties by id) and how many items have a score at all: the same list as
    /// `top(scores, k: k, excluding:)`, computed as one bounded selection per chunk of `chunk` scores
    /// (the chunks run in parallel, one per core) whose lists are then merged by the same order.
    /// nil when `isCancelled` turns true between chunks (a newer query superseded this one).
    public static func best(_ scores: UnsafeBufferPointer<Float>, k: Int, excluding: Int? = nil, chunk: Int = 50_000,
                            isCancelled: @escaping @Sendable () -> Bool = { false }) -> (items: [RankedItem], ranked: Int)? {
        let n = scores.count
        let chunks = max(1, (n + max(1, chunk) - 1) / max(1, chunk))
        let per = (n + chunks - 1) / max(1, chunks)
        var parts = [(items: [RankedItem], ranked: Int)?](repeating: nil, count: chunks)
        let base = scores.baseAddress
        let work: (Int) -> (items: [RankedItem], ranked: Int)? = { c in
            if isCancelled() { return nil }
            let lo = c * per, hi = min(n, lo + per)
            guard lo < hi, let base else { return ([], 0) }
            let part = UnsafeBufferPointer(start: base + lo, count: hi - lo)
            var ranked = 0
            for i in 0..<part.count where isRanked(part[i]) { ranked += 1 }
            let ex = excluding.map { $0 - lo }
            let local = top(part, k: k, excluding: ex, before: { $0 < $1 })
            if let ex, ex >= 0, ex < part.count, isRanked(part[ex]) { ranked -= 1 }
            return (local.map { RankedItem(id: $0.id + lo, score: $0.score) }, ranked)
        }
        if chunks == 1 {
            parts[0] = work(0)
        } else {
            parts.withUnsafeMutableBufferPointer { buf in
                let out = buf.baseAddress!
                DispatchQueue.concurrentPerform(iterations: chunks) { c in out[c] = work(c) }
            }
        }
        var merged: [RankedItem] = [], ranked = 0
        for p in parts {
            guard let p else { return nil }
            merged += p.items; ranked += p.ranked
        }
        if chunks > 1 {
            merged.sort { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }
            if merged.count > k { merged.removeLast(merged.count - k) }
        }
        return (merged, ranked)
    }

    /// `best` over an array.
    public static func best(_ scores: [Float], k: Int, excluding: Int? = nil, chunk: Int = 50_000) -> (items: [RankedItem], ranked: Int) {
        scores.withUnsafeBufferPointer { best($0, k: k, excluding: excluding, chunk: chunk) } ?? ([], 0)
    }

    /// 1-based ranks of several ids at once, ties by id (ids in path order): one pass over the scores,
    /// and only scores at least as high as the lowest target's are compared further. nil for an id
    /// without a score or excluded.
    public static func ranks(of ids: [Int], in scores: UnsafeBufferPointer<Float>, excluding: Int? = nil) -> [Int?] {
        var floor = Float.infinity
        var live: [(id: Int, score: Float)] = []
        for id in ids where id >= 0 && id < scores.count && id != excluding && isRanked(scores[id]) {
            live.append((id, scores[id]))
            floor = min(floor, scores[id])
        }
        var ahead = [Int](repeating: 0, count: live.count)
        if !live.isEmpty {
            for j in 0..<scores.count {
                let o = scores[j]
                if !(o >= floor) || j == excluding { continue }      // also skips NaN
                for (t, target) in live.enumerated() where j != target.id {
                    if o > target.score || (o == target.score && j < target.id) { ahead[t] += 1 }
                }
            }
        }
        var rankOf: [Int: Int] = [:]
        for (t, target) in live.enumerated() { rankOf[target.id] = ahead[t] + 1 }
        return ids.map { rankOf[$0] }
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
