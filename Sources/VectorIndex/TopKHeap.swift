// Bounded top-k selection: a min-heap of size k whose root is the worst kept item, so each of the N
// candidates costs one comparison with the root unless it enters the heap (O(N + k log k) typical).
// Order: higher score first; equal scores by key ascending (bytewise), so rankings are deterministic.

struct TopKHeap {
    let k: Int
    let keys: [ItemPath]
    private(set) var items: [(score: Float, row: Int)] = []

    init(k: Int, keys: [ItemPath]) {
        self.k = max(0, min(k, keys.count))     // k beyond the item count never sizes a buffer
        self.keys = keys
        items.reserveCapacity(self.k)
    }

    /// a ranks below b.
    @inline(__always)
    private func worse(_ a: (score: Float, row: Int), _ b: (score: Float, row: Int)) -> Bool {
        if a.score != b.score { return a.score < b.score }
        return keys[b.row] < keys[a.row]
    }

    @inline(__always)
    mutating func offer(score: Float, row: Int) {
        if items.count < k {
            items.append((score, row))
            siftUp(items.count - 1)
        } else if k > 0 {
            let root = items[0]
            if score < root.score { return }    // fast path: most candidates stop here
            if worse((score, row), root) { return }
            items[0] = (score, row)
            siftDown(0)
        }
    }

    private mutating func siftUp(_ start: Int) {
        var i = start
        while i > 0 {
            let p = (i - 1) / 2
            if worse(items[i], items[p]) { items.swapAt(i, p); i = p } else { return }
        }
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        let n = items.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < n && worse(items[l], items[m]) { m = l }
            if r < n && worse(items[r], items[m]) { m = r }
            if m == i { return }
            items.swapAt(i, m); i = m
        }
    }

    /// Kept items, best first.
    func bestFirst() -> [(score: Float, row: Int)] {
        items.sorted { worse($1, $0) }
    }
}
