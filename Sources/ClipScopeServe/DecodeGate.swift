// At most `limit` image decodes at once, whatever the number of requests in flight: a decode holds the
// whole decoded picture (up to 100 megapixels, 300 MB of RGB), so the server's memory for decoding is
// bounded by limit × the largest picture, not by the number of clients. Waiters are served in arrival
// order; a slot passes straight from the releasing decode to the next waiter.
actor DecodeGate {
    let limit: Int
    private var holders = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// The most decodes that ever ran at once (for tests and GET /v1/stats).
    private(set) var largest = 0

    init(limit: Int) { self.limit = max(1, limit) }

    func acquire() async {
        if holders < limit {
            holders += 1
            largest = max(largest, holders)
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            holders -= 1
        } else {
            waiters.removeFirst().resume()      // the slot passes on: `holders` stays the same
        }
    }
}
