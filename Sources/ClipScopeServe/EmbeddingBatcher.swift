// The one queue between HTTP requests and the encoder. Requests that arrive while the encoder is busy,
// or within `window` of the first one, are embedded together: one text forward call and one image forward
// call per batch, of at most `maxBatch` inputs (a single larger request runs alone).
//
//   request texts (instruction already prepended) + cropped images → queue → batch → CLIPEncoder.features
//   → each request gets its own rows back, in its own order (raw features; the handler truncates/normalizes)
//
// A failing batch fails only the requests in it; the queue goes on with the next.
import ClipScopeKit
import Dispatch
import Foundation

/// What the server has done so far (for tests, logs and GET /v1/stats).
public struct ServeStats: Sendable, Equatable {
    /// Encoder batches run.
    public var batches = 0
    /// Inputs (texts + images) embedded.
    public var inputs = 0
    /// The most inputs one batch held, and the most requests one batch served.
    public var largestBatch = 0
    public var largestRequestsPerBatch = 0
    /// The most images decoded at once (bounded by `ServeConfiguration.maxConcurrentDecodes`).
    public var largestConcurrentDecodes = 0
    /// Requests answered with an embedding list, and with an error (4xx/5xx).
    public var succeeded = 0
    public var failed = 0
}

actor EmbeddingBatcher {
    struct Work: Sendable {
        var texts: [String]
        var images: [PixelBuffer]
        var count: Int { texts.count + images.count }
    }
    struct Rows: Sendable {
        var texts: [[Float]]
        var images: [[Float]]
    }
    private struct Pending {
        var work: Work
        var continuation: CheckedContinuation<Rows, Error>
    }

    private let encoder: CLIPEncoder
    private let maxBatch: Int
    private let window: Duration
    private let log: @Sendable (String) -> Void
    private var queue: [Pending] = []
    private var draining = false
    private(set) var stats = ServeStats()

    init(encoder: CLIPEncoder, maxBatch: Int, window: Duration, log: @escaping @Sendable (String) -> Void) {
        self.encoder = encoder
        self.maxBatch = max(1, maxBatch)
        self.window = window
        self.log = log
    }

    /// The raw features of `work`'s texts and images, embedded in a batch with whatever else is queued.
    func embed(_ work: Work) async throws -> Rows {
        if work.count == 0 { return Rows(texts: [], images: []) }
        return try await withCheckedThrowingContinuation { continuation in
            enqueue(Pending(work: work, continuation: continuation))
        }
    }

    func recordAnswer(ok: Bool) {
        if ok { stats.succeeded += 1 } else { stats.failed += 1 }
    }

    private func enqueue(_ pending: Pending) {
        queue.append(pending)
        if !draining {
            draining = true
            Task { await self.drain() }
        }
    }

    private func drain() async {
        while !queue.isEmpty {
            // Let requests that are arriving right now join this batch.
            try? await Task.sleep(for: window)
            var batch: [Pending] = []
            var size = 0
            while let next = queue.first, batch.isEmpty || size + next.work.count <= maxBatch {
                batch.append(queue.removeFirst())
                size += next.work.count
            }
            await run(batch, size: size)
        }
        draining = false
    }

    private func run(_ batch: [Pending], size: Int) async {
        let texts = batch.flatMap(\.work.texts)
        let images = batch.flatMap(\.work.images)
        stats.batches += 1
        stats.inputs += size
        stats.largestBatch = max(stats.largestBatch, size)
        stats.largestRequestsPerBatch = max(stats.largestRequestsPerBatch, batch.count)
        let start = ContinuousClock.now
        let encoder = self.encoder
        do {
            async let t = Self.offload { try encoder.features(texts: texts) }
            async let i = Self.offload { try encoder.features(images: images) }
            let (textRows, imageRows) = try await (t, i)
            guard textRows.count == texts.count, imageRows.count == images.count else {
                throw ServeError("the encoder returned \(textRows.count) text and \(imageRows.count) image rows for \(texts.count) and \(images.count) inputs")
            }
            let ms = (ContinuousClock.now - start).components
            log("batch of \(size) (\(texts.count) texts, \(images.count) images) from \(batch.count) request\(batch.count == 1 ? "" : "s") in \(ms.seconds * 1000 + ms.attoseconds / 1_000_000_000_000_000) ms")
            var ti = 0, ii = 0
            for p in batch {
                let nt = p.work.texts.count, ni = p.work.images.count
                p.continuation.resume(returning: Rows(texts: Array(textRows[ti..<(ti + nt)]), images: Array(imageRows[ii..<(ii + ni)])))
                ti += nt; ii += ni
            }
        } catch {
            log("batch of \(size) from \(batch.count) requests failed: \(error)")
            for p in batch { p.continuation.resume(throwing: error) }
        }
    }

    /// Runs blocking encoder work on a global queue, off the server's threads.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(with: Result { try work() }) }
        }
    }
}
