// The explorer's loop (ncdu-zig handleEvent + gocui processEvent):
//   render if dirty → drain worker results → read one event (with timeout) → reduce → effects
// The terminal, the backend and the system actions are parameters, so tests run the loop on
// a VirtualTerminal with scripted events and `.inline` effects (deterministic: every effect
// completes before the next event). `.threaded` runs embeddings and previews on workers.
import Foundation
import TUI
import Retrieval

public final class EventLoop {
    public enum Execution { case inline, threaded }

    public private(set) var state: AppState
    private let terminal: Terminal
    private let backend: ExplorerBackend
    private let system: SystemActions
    private let execution: Execution
    private let inbox = ActionInbox()
    private var queryWorker: LatestOnlyWorker?
    private var previewWorker: LatestOnlyWorker?
    private var thumbnailWorker: LatestOnlyWorker?
    /// The newest thumbnail batch: an older batch still running stops between thumbnails.
    private let thumbnailTicket = Ticket()
    private var thumbnailBatches = 0
    private var scoreWorker: LatestOnlyWorker?
    private var rankWorker: LatestOnlyWorker?
    /// The newest query generation sent to the score worker: an older ranking still running stops.
    private let scoreTicket = Ticket()
    /// The newest preview-ranks request: an older one still running stops.
    private let previewTicket = Ticket()
    private var summaryWorker: LatestOnlyWorker?
    /// The newest dimensions-view summary request: an older one still running stops.
    private let summaryTicket = Ticket()
    private var summaryRequests = 0
    private var rowQueue: DispatchQueue?
    private var curveQueue: DispatchQueue?
    private var dirty = true
    /// What the last frame drew where (mouse events are looked up in it).
    private var hits = HitMap()
    private let trace: TraceLog?
    private var keyTimes: [Int: UInt64] = [:]        // query generation → first key time (ns)
    private var dimSwitchAt: UInt64?
    /// Monotonic nanoseconds (injected so golden screens show deterministic latencies).
    private let clock: @Sendable () -> UInt64
    /// Checked every turn; a signal handler sets it (SIGINT / SIGTERM), the loop then ends normally.
    public var shouldStop: () -> Bool = { false }
    /// Where kitty / iTerm2 / sixel pictures go (nil: cell modes only, as in most tests).
    public var graphics: GraphicsOutput?
    /// The pictures on screen now, and whether the screen was cleared under them (resize).
    public private(set) var shownImages: [ImagePlacement] = []
    private var imagesStale = false

    public init(terminal: Terminal, backend: ExplorerBackend, options: ExplorerOptions = ExplorerOptions(),
                system: SystemActions, execution: Execution = .inline, trace: TraceLog? = nil,
                clock: @escaping @Sendable () -> UInt64 = { DispatchTime.now().uptimeNanoseconds }) {
        self.clock = clock
        self.terminal = terminal
        self.backend = backend
        self.system = system
        self.execution = execution
        self.trace = trace
        state = AppState(size: terminal.size, modelName: backend.modelName, isDemo: backend.isDemo,
                         dimensions: backend.dimensions, folderPath: backend.folderPath, options: options)
        if let s = backend as? ExplorerSuggestions {
            if let rows = s.suggestedCrossLingual { state.crossLingual = TextList(rows: rows.map { TextList.Row(tag: $0.0, text: $0.1) }) }
            if let labels = s.suggestedLabels { state.labels = TextList(rows: labels.map { TextList.Row(tag: "", text: $0) }) }
        }
        if execution == .threaded {
            let term = terminal
            inbox.onPost = { [weak term] in term?.wake() }
            queryWorker = LatestOnlyWorker(name: "query-embed", debounceMs: options.debounceMs)
            previewWorker = LatestOnlyWorker(name: "preview", debounceMs: 0)
            thumbnailWorker = LatestOnlyWorker(name: "thumbnails", debounceMs: 0)
            scoreWorker = LatestOnlyWorker(name: "score", debounceMs: 0)
            // The selected image's rank at every dimension costs one pass over the folder per dimension:
            // computed once the selection rests (60 ms), not for every image scrolled past.
            rankWorker = LatestOnlyWorker(name: "preview-ranks", debounceMs: EventLoop.previewRanksDebounceMs)
            summaryWorker = LatestOnlyWorker(name: "dimensions-summary", debounceMs: 0)
            rowQueue = DispatchQueue(label: "row-embed")
            curveQueue = DispatchQueue(label: "folder-curve", qos: .utility)
        }
        dispatch(.items(backend.items()))
        perform(.startIndexing)
        if execution == .inline { settle() }
    }

    deinit {
        queryWorker?.stop()
        previewWorker?.stop()
        thumbnailWorker?.stop()
        scoreWorker?.stop()
        rankWorker?.stop()
        summaryWorker?.stop()
    }

    /// Runs until quit (q / Ctrl-C / `shouldStop`). Returns how it ended.
    public func run() -> QuitMode {
        while state.quit == nil {
            if shouldStop() { state.quit = .abort; break }
            settle()              // every worker result so far, then one frame for all of them
            renderIfNeeded()
            // Workers post to the inbox and call terminal.wake(), which ends this wait early
            // (ncurses is not thread-safe, so only this thread reads input or draws).
            guard let ev = terminal.readEvent(timeoutMs: 50) else { continue }
            handle(ev)
            // Input that is already waiting (fast typing, key repeat) is handled before drawing.
            var burst = 0
            while burst < 64, state.quit == nil, let more = terminal.readEvent(timeoutMs: 0) {
                handle(more)
                burst += 1
            }
        }
        backend.cancelIndexing()
        removeImages()
        return state.quit ?? .abort
    }

    /// Deletes every picture this loop put on the terminal, and what the terminal keeps of them (quit,
    /// before the terminal is restored; resize).
    public func removeImages() {
        guard let graphics else { return }
        var repaint = false
        for p in shownImages where graphics.remove(p) { terminal.repaint(p.rect); repaint = true }
        if repaint { terminal.flush() }
        shownImages = []
        graphics.releaseAll()
    }

    /// After a frame: pictures that changed (selection, resize, scroll, overlay) are removed and the
    /// new ones emitted; unchanged ones stay (no flicker, no bytes).
    private func syncImages() {
        guard let graphics else { return }
        let wanted = hits.images
        guard wanted != shownImages || imagesStale else { return }
        if imagesStale {
            removeImages()
            imagesStale = false
            for p in wanted { graphics.show(p) }
            shownImages = wanted
            return
        }
        // Only what changed: a grid keeps its other thumbnails when the selection moves. Removals
        // first (a new picture may take an old one's cells), then the new pictures.
        var repaint = false
        for p in shownImages where !wanted.contains(p) {
            if graphics.remove(p) { terminal.repaint(p.rect); repaint = true }
        }
        if repaint { terminal.flush() }
        for p in wanted where !shownImages.contains(p) { graphics.show(p) }
        shownImages = wanted
    }

    /// Paths chosen for `--print`: the marked items in marking order, else the selected one.
    public var chosenPaths: [String] {
        let ids = state.marked.isEmpty ? (state.selectedItemID.map { [$0] } ?? []) : state.marked
        return ids.compactMap { state.item($0)?.absolutePath }
    }

    // MARK: test and bench entry points

    /// Handles every scripted event, settling worker results after each, then draws once.
    public func runScript(_ events: [Event]) {
        for ev in events { handle(ev); settle() }
        renderIfNeeded()
    }

    /// Dispatches posted results until none are left (inline mode: one pass).
    public func settle() {
        var results = inbox.drain()
        while !results.isEmpty {
            for a in results { dispatch(a) }
            results = inbox.drain()
        }
    }

    public func renderIfNeeded() {
        guard dirty else { return }
        let t0 = clock()
        hits = Renderer.render(state, on: terminal)
        dirty = false
        syncImages()
        if let trace { trace.log("frame ms=\(Double(clock() - t0) / 1e6)") }
        traceFrame()
    }

    /// One input event: decode to an action through the key table, reduce, run effects.
    public func handle(_ ev: Event) {
        let action: Action?
        switch ev {
        case .key(let k): action = KeyMap.action(for: k, in: state)
        case .mouse(let m): action = state.options.mouse ? .mouse(m.button, hits.targets(at: m.at)) : nil
        case .resize(let size):
            action = .resize(size)
            imagesStale = true        // the terminal redraws everything: pictures are placed again
        case .paste(let text): action = state.isEditing ? .edit(.insert(text)) : nil
        }
        guard let action else { return }
        let gen = state.queryGeneration, dim = state.dimIndex
        dispatch(action)
        if state.queryGeneration != gen, keyTimes[state.queryGeneration] == nil {
            keyTimes[state.queryGeneration] = clock()
        }
        if state.dimIndex != dim, dimSwitchAt == nil { dimSwitchAt = clock() }
    }

    public func dispatch(_ action: Action) {
        let (reaction, effects) = Reducer.reduce(&state, action)
        if reaction.contains(.redraw) { dirty = true }
        for e in effects { perform(e) }
        if execution == .inline { settle() }
    }

    // MARK: effects

    private func perform(_ effect: Effect) {
        let backend = self.backend, inbox = self.inbox, clock = self.clock
        switch effect {
        case let .embedQuery(generation, text, asQuery):
            let job = {
                let t0 = clock()
                do {
                    let v = try backend.embedText(text, asQuery: asQuery)
                    let ms = Double(clock() - t0) / 1e6
                    inbox.post(.queryEmbedded(generation: generation, vector: v, latencyMs: ms))
                } catch {
                    inbox.post(.queryFailed(generation: generation, message: "\(error)"))
                }
            }
            if let w = queryWorker { w.submit(job) } else { job() }

        case let .score(generation, vector, embedMs):
            // One bounded top-k per dimension on screen, off the UI thread; a newer generation stops it.
            let request = rankRequest(merge: false), ticket = scoreTicket, seq = ticket.start(generation)
            let job = {
                let t0 = clock()
                guard let r = EventLoop.rank(backend, vector, request, isCancelled: { !ticket.isCurrent(seq) }) else { return }
                let ms = Double(clock() - t0) / 1e6
                inbox.post(.scored(generation: generation, rankings: r.rankings, latencyMs: embedMs.map { $0 + ms } ?? ms,
                                   ranked: r.ranked, scores: request.allScores ? r.scores : nil))
            }
            if let w = scoreWorker { w.submit(job) } else { job() }

        case let .rescore(generation, vector), let .rankMore(generation, vector):
            var merge = false
            if case .rankMore = effect { merge = true }
            let request = rankRequest(merge: merge), ticket = scoreTicket, seq = ticket.start(generation)
            guard !request.dims.isEmpty else { return }
            let job = {
                guard let r = EventLoop.rank(backend, vector, request, isCancelled: { !ticket.isCurrent(seq) }) else { return }
                inbox.post(.scored(generation: generation, rankings: r.rankings, latencyMs: nil, ranked: r.ranked,
                                   scores: request.allScores ? r.scores : nil, merge: merge))
            }
            if let w = scoreWorker { w.submit(job) } else { job() }

        case let .previewRanks(key, vector):
            let dims = backend.dimensions, ticket = previewTicket, seq = ticket.start(key.id)
            let job = {
                var rows: [PreviewRanks.Row] = []
                for d in dims {
                    if !ticket.isCurrent(seq) { return }          // the selection moved on
                    let sc = backend.scores(query: vector, dims: d)
                    let rank = sc.withUnsafeBufferPointer { Ranking.ranks(of: [key.id], in: $0) }.first ?? nil
                    rows.append(PreviewRanks.Row(dims: d, rank: rank, score: rank == nil ? nil : sc[key.id]))
                }
                inbox.post(.previewRanked(PreviewRanks(key: key, rows: rows)))
            }
            if let w = rankWorker { w.submit(job) } else { job() }

        case let .summarizeDimensions(request, generation, scores, dims):
            summaryRequests += 1
            let ticket = summaryTicket, seq = ticket.start(summaryRequests)
            let job = {
                var histogram: ScoreHistogram?
                if let key = request.histogram, let sc = scores[key.dim] { histogram = ScoreHistogram(key: key, scores: sc) }
                guard ticket.isCurrent(seq) else { return }
                var lens: DimensionsLens?
                if let key = request.lens { lens = DimensionsLens.compute(scores: scores, dims: dims, k: key.k, generation: generation) }
                guard ticket.isCurrent(seq) else { return }
                inbox.post(.dimensionsSummarized(request, lens: lens, histogram: histogram))
            }
            if let w = summaryWorker { w.submit(job) } else { job() }

        case let .loadVector(id, purpose):
            inbox.post(.vectorLoaded(id: id, purpose: purpose, vector: backend.vector(of: id)))

        case .tokenize(let text):
            inbox.post(.tokenized(text: text, pieces: backend.tokenize(text)))

        case let .embedRow(list, index, generation, text, asQuery):
            let job: @Sendable () -> Void = {
                guard let v = try? backend.embedText(text, asQuery: asQuery) else { return }
                let top = list == .crossLingual ? EventLoop.rankAll(backend, v, k: 10) : [:]
                inbox.post(.rowReady(list: list, index: index, generation: generation, vector: v, top: top))
            }
            if let q = rowQueue { q.async(execute: job) } else { job() }

        case .loadPreview(let key):
            let cell = state.options.cellPixels, passthrough = state.options.tmuxPassthrough
            let job = {
                let image = backend.preview(of: key.id, maxWidth: key.maxWidth, maxHeight: key.maxHeight)
                inbox.post(.previewLoaded(key, image.flatMap { PreviewArtist.prepare($0, key: key, cell: cell, passthrough: passthrough) }))
            }
            if let w = previewWorker { w.submit(job) } else { job() }

        case .loadThumbnails(let keys):
            let cell = state.options.cellPixels, passthrough = state.options.tmuxPassthrough
            thumbnailBatches += 1
            let ticket = thumbnailTicket, seq = ticket.start(thumbnailBatches)
            let job = {
                for key in keys {
                    guard ticket.isCurrent(seq) else { return }       // scrolled on: a newer batch replaces this one
                    let image = backend.thumbnail(of: key.id, maxWidth: key.maxWidth, maxHeight: key.maxHeight)
                    inbox.post(.previewLoaded(key, image.flatMap { PreviewArtist.prepare($0, key: key, cell: cell, passthrough: passthrough) }))
                }
            }
            if let w = thumbnailWorker { w.submit(job) } else { job() }

        case .startIndexing:
            // Events posted synchronously (an already indexed folder) are settled at once in
            // inline mode; threaded indexers post later and the loop drains them each turn.
            backend.startIndexing { e in inbox.post(.backend(e)) }

        case .open(let path):
            inbox.post(.message(system.open(path: path)))

        case .copy(let path):
            inbox.post(.message(system.copy(path)))

        case .folderCurve(let key):
            let job: @Sendable () -> Void = { inbox.post(.folderCurve(key, EventLoop.folderCurve(backend, k: key.k, post: { inbox.post(.folderCurve(key, $0)) }))) }
            if let q = curveQueue { q.async(execute: job) } else { job() }
        }
    }

    /// The folder retention curve (Retrieval's TruncationCurve) over the embedded items, in id (= path)
    /// order: every image a query up to 500, else a sample with seed 1 (as `clipscope truncation`).
    static func folderCurve(_ backend: ExplorerBackend, k: Int, post: @escaping (FolderCurveState) -> Void) -> FolderCurveState {
        let ids = backend.items().filter { $0.state == .embedded }.map(\.id).sorted()
        var matrix: [Float] = []
        var width = 0
        var count = 0
        for id in ids {
            guard let v = backend.vector(of: id) else { continue }
            if width == 0 { width = v.count; matrix.reserveCapacity(ids.count * width) }
            guard v.count == width else { continue }
            matrix.append(contentsOf: v)
            count += 1
        }
        guard count >= 2, width > 0 else { return .unavailable("the folder curve needs 2 embedded images (\(count) now)") }
        let curve = TruncationCurve(vectors: matrix, count: count, width: width, dims: backend.dimensions)
        let (queries, sampled) = TruncationCurve.sample(count: count, seed: 1)
        let kk = min(k, count - 1)
        guard let rows = curve.curve(imageQueries: queries, k: kk, progress: { done, total in
            post(.running(done: done, total: total)); return true
        }) else { return .unavailable("cancelled") }
        return .ready(rows: rows, queries: queries.count, sampled: sampled)
    }

    /// The best `k` at every dimension (the cross-lingual rows).
    static func rankAll(_ backend: ExplorerBackend, _ vector: [Float], k: Int) -> [Int: [RankedItem]] {
        Dictionary(uniqueKeysWithValues: backend.dimensions.map { ($0, Ranking.best(backend.scores(query: vector, dims: $0), k: k).items) })
    }

    /// What a ranking job computes, read from the state when the effect is performed: the dimensions
    /// the screen needs (only those it lacks, or ranked less deep than asked, when merging), how deep,
    /// and whether every score is kept (the dimensions view).
    struct RankRequest: Sendable {
        var dims: [Int]
        var depth: Int
        var allScores: Bool
    }

    func rankRequest(merge: Bool) -> RankRequest {
        let s = state
        let dims = merge ? s.neededDims.filter { d in
            guard let r = s.rankings[d] else { return true }
            return r.count < min(s.rankDepth, s.rankedCount)
        } : s.neededDims
        return RankRequest(dims: dims, depth: max(s.rankDepth, AppState.lensKs.last ?? 0), allScores: s.view == .dimensions)
    }

    /// One pass of prefix dots and one bounded top-k (split over the cores for large folders) per
    /// requested dimension; nil when cancelled.
    static func rank(_ backend: ExplorerBackend, _ vector: [Float], _ request: RankRequest,
                     isCancelled: @escaping @Sendable () -> Bool) -> (rankings: [Int: [RankedItem]], ranked: Int, scores: [Int: [Float]])? {
        var rankings: [Int: [RankedItem]] = [:], scores: [Int: [Float]] = [:], ranked = 0
        for d in request.dims {
            if isCancelled() { return nil }
            let sc = backend.scores(query: vector, dims: d)
            guard let best = sc.withUnsafeBufferPointer({ Ranking.best($0, k: request.depth, isCancelled: isCancelled) }) else { return nil }
            rankings[d] = best.items
            ranked = max(ranked, best.ranked)
            if request.allScores { scores[d] = sc }
        }
        return (rankings, ranked, scores)
    }

    // MARK: trace

    /// How long the selection must rest before its ranks at every dimension are computed.
    static let previewRanksDebounceMs = 60

    private func traceFrame() {
        guard let trace else { return }
        let now = clock()
        if state.scoredGeneration == state.queryGeneration, let t0 = keyTimes.removeValue(forKey: state.queryGeneration) {
            trace.log("key-to-results gen=\(state.queryGeneration) embed+score=\(state.latencyMs ?? -1) ms=\(Double(now - t0) / 1e6)")
            keyTimes = keyTimes.filter { $0.key > state.queryGeneration }
        }
        if let t0 = dimSwitchAt, state.hasRankingForDim {
            trace.log("dim-switch dim=\(state.dim) ms=\(Double(now - t0) / 1e6)")
            dimSwitchAt = nil
        }
    }
}

/// The newest job of a kind: starting one makes every older one stale (it checks and stops).
final class Ticket: @unchecked Sendable {
    private let lock = NSLock()
    private var latest = 0
    private var latestKey = Int.min

    /// Registers a job for `key` (a query generation, an item); returns its number. A job for the
    /// same key as the newest keeps the newest's number, so it is not cancelled by its own refresh.
    func start(_ key: Int) -> Int {
        lock.lock(); defer { lock.unlock() }
        if key != latestKey { latest += 1; latestKey = key }
        return latest
    }

    func isCurrent(_ n: Int) -> Bool { lock.lock(); defer { lock.unlock() }; return n == latest }
}

/// Appends timing lines to a file (CLIPSCOPE_TRACE=path); used to measure keystroke-to-results.
/// A failed write is dropped: tracing never stops the explorer.
public final class TraceLog: @unchecked Sendable {
    private let fd: Int32
    private let start = DispatchTime.now().uptimeNanoseconds

    public init?(path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        self.fd = fd
    }

    deinit { close(fd) }

    public func log(_ line: String) {
        let t = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        let bytes = Array("t=\(Int(t))ms \(line)\n".utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            done += n
        }
    }
}
