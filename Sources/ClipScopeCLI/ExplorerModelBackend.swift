// The explorer's view of the model and the folder: a SearchBackend (the local ModelBackend, or the
// Jina API's JinaAPIBackend), the on-disk EmbeddingCache and FolderIndexer (VectorIndex), adapted to
// Explorer's protocol.
//
// At open: the folder is scanned and planned against the cache; cached vectors (and vectors of
// renamed/copied files) go straight into an exact VectorIndex, so a folder embedded once opens
// ready. `startIndexing` embeds the rest on one worker thread (the cache journal keeps every
// finished vector across Ctrl-C / kill), posting each vector as it arrives. With `embedsImages`
// false (the Jina API: a folder is uploaded only by `index --encoder jina-api`, after consent) nothing
// is embedded: files missing from the cache are shown failed with the command that fills it, and
// no failure is recorded in the cache.
// Thread safety: `state` (index + item states) is guarded by `lock`; the encoder serialises its
// own forwards; the cache is used by the indexing thread only once it has started.
import CLISupport
import FileIO
import ClipModel
import Explorer
import Foundation
import Imaging
import VectorIndex

final class ExplorerModelBackend: ExplorerBackend, ExplorerSuggestions, @unchecked Sendable {
    let backend: any SearchBackend
    let folderPath: String
    /// False: files missing from the cache are not embedded (see the header).
    let embedsImages: Bool
    private let scan: FolderScan
    private let plan: IndexPlan
    private let idOfKey: [ItemPath: Int]          // relative path → item id
    private var idOfRow: [Int] = []                // index row → item id (−1: not an item), guarded by `lock`
    private let lock = NSLock()
    private var itemList: [FolderItem]
    private let index: VectorIndex                 // rows keyed by relative path
    private var cache: EmbeddingCache?
    private var discardCache: () -> Void = {}
    private var worker: Thread?
    private var cancelled = false
    private let workerDone = DispatchSemaphore(value: 0)
    /// Cache warnings (rebuilt stores, …), shown by the CLI after the UI closes.
    private(set) var warnings: [String] = []
    /// How long each start-up phase took (scan, cache, plan, index, items), in ms, for the trace.
    private(set) var startupPhases: [(name: String, ms: Double)] = []

    /// `cacheRoot`: where the embedding cache lives (default: $CLIPSCOPE_CACHE_DIR, XDG, ~/.cache).
    /// `missingReason`: with `embedsImages` false, what a file missing from the cache shows.
    /// `progress`: told what start-up is doing ("scanning …", "loading 100000 vectors …"), for a line
    /// on stderr before the screen starts.
    init(backend: any SearchBackend, folder: String, cacheRoot: URL = EmbeddingCache.defaultRoot(), followLinks: Bool = false,
         embedsImages: Bool = true, missingReason: String = "not in the cache", progress: ((String) -> Void)? = nil) throws {
        self.backend = backend
        self.folderPath = folder
        self.embedsImages = embedsImages
        var phases: [(name: String, ms: Double)] = []
        var t0 = DispatchTime.now().uptimeNanoseconds
        func lap(_ name: String) {
            let t = DispatchTime.now().uptimeNanoseconds
            phases.append((name, Double(t - t0) / 1e6))
            t0 = t
        }
        progress?("scanning \(TerminalSafe.name(folder)) ...")
        do { scan = try FolderScanner.scan(URL(fileURLWithPath: folder), followLinks: followLinks) } catch { throw CLIError.failure("\(error)") }
        lap("scan")
        progress?("\(scan.files.count) images found; opening the cache ...")
        var collected: [String] = []
        // A cache that cannot be opened: a temporary store for this session (the warning is printed now,
        // before the UI starts); one that fails while indexing: the explorer goes on in memory.
        let (cache, discard) = try IndexedFolder.openCacheOrTemporary(for: backend, root: cacheRoot, folder: scan.root,
                                                                      warn: { collected.append($0) })
        discardCache = discard
        lap("cache")
        progress?("\(scan.files.count) images found; comparing with the cache (\(cache.count) entries) ...")
        let indexer = FolderIndexer(provider: backend, cache: cache)
        plan = indexer.plan(scan)
        lap("plan")
        progress?("\(scan.files.count) images found; loading \(plan.unchanged) cached vectors ...")
        do { index = try indexer.buildIndex(scan) } catch { throw CLIError.failure("\(error)") }
        lap("index")
        progress?("\(scan.files.count) images, \(index.count) with vectors; starting the explorer ...")
        // Renamed or copied files: their content is known, so their vectors are usable at once
        // (the indexing run records them under their new path).
        for r in plan.reuse {
            if case let .vector(v) = r.outcome, !index.contains(r.file.relativePath) {
                try? index.add(r.file.relativePath, vector: v)
            }
        }
        let failures = Dictionary(plan.knownFailures.map { ($0.path, $0.reason) }, uniquingKeysWith: { a, _ in a })
        var ids: [ItemPath: Int] = [:]
        var items: [FolderItem] = []
        var missing = 0
        for (id, f) in scan.files.enumerated() {
            ids[f.relativePath] = id
            let state: ItemState
            if index.contains(f.relativePath) { state = .embedded }
            else if let why = failures[f.relativePath] ?? failures[f.absolutePath] { state = .failed(why) }
            else if !embedsImages { state = .failed(missingReason); missing += 1 }
            else { state = .pending }
            // Pixel sizes are read with the first preview of each image, not per file at start-up.
            items.append(FolderItem(id: id, relativePath: f.relativePath.string, absolutePath: f.absolutePath.string,
                                    byteSize: Int(f.size), pixelWidth: 0, pixelHeight: 0, state: state))
        }
        idOfKey = ids
        itemList = items
        self.cache = cache
        if !embedsImages && missing > 0 { collected.append("\(missing) image(s) are \(missingReason)") }
        warnings = collected
        thumbnailStore = ThumbnailStore(directory: ThumbnailStore.directory(inCacheRoot: cacheRoot))
        lap("items")
        startupPhases = phases
    }

    deinit {
        cancelIndexing()
        worker = nil
        try? cache?.close()
        discardCache()
    }

    /// Width × height from the file's header (the first 256 KiB), 0 × 0 when unreadable.
    static func pixelSize(_ path: String) -> (Int, Int) {
        guard let file = try? SafeFile(path: path), let head = try? file.read(at: 0, count: 256 * 1024) else { return (0, 0) }
        guard let d = try? ImageDecoder.dimensions(data: head, path: path) else { return (0, 0) }
        return (d.width, d.height)
    }

    // MARK: ExplorerBackend

    var modelName: String { backend.modelName }
    var isDemo: Bool { (backend as? ModelBackend)?.resolved.isDemo ?? false }
    var dimensions: [Int] {
        let width = backend.embeddingWidth
        let dims = backend.matryoshkaDimensions.filter { $0 >= 1 && $0 <= width }.sorted()
        return dims.last == width ? dims : dims + [width]
    }

    /// The demo model knows shapes and colours only: its views start with examples from that world
    /// (the exact phrasings of Tools/demo-model/captions.py).
    var suggestedCrossLingual: [(String, String)]? {
        guard isDemo else { return nil }
        return [("en", "two blue stars"), ("zh", "两颗蓝色的星星"), ("es", "dos estrellas azules"), ("ar", "نجمتان زرقاوان"),
                ("hi", "दो नीले तारे"), ("ru", "две синие звезды"), ("ja", "二つの青い星"), ("de", "zwei blaue Sterne")]
    }
    var suggestedLabels: [String]? {
        guard isDemo else { return nil }
        return ["a triangle", "a circle", "a square", "a star", "a heart", "a moon",
                "something red", "something blue", "something green", "三角形", "una estrella"]
    }

    func items() -> [FolderItem] {
        lock.lock(); defer { lock.unlock() }
        return itemList
    }

    /// The local model that tokenizes: the backend itself, or the Jina API's local query encoder.
    private var localModel: ModelBackend? {
        (backend as? ModelBackend) ?? ((backend as? JinaAPIBackend)?.localText as? ModelBackend)
    }

    /// Vocabulary pieces without <s> </s>; unknown characters show as "<unk>" (none without a local model).
    func tokenize(_ text: String) -> [String] {
        guard let tok = try? localModel?.model.tokenizer else { return [] }
        let enc = tok.encode(text, addSpecialTokens: false)
        return zip(enc.ids, enc.tokens).map { id, piece in
            id == tok.unkId ? "<unk>" : (tok.piece(for: id) ?? piece)
        }
    }

    func embedText(_ text: String, asQuery: Bool) throws -> [Float] {
        try backend.embedText(text, asQuery: asQuery, dims: nil)
    }

    func scores(query: [Float], dims: Int) -> [Float] {
        lock.lock(); defer { lock.unlock() }
        var out = [Float](repeating: -.infinity, count: itemList.count)
        guard let s = try? index.scores(for: query, dims: dims) else { return out }
        // Rows only ever get appended here (upsert of new paths), so the row → id table is extended,
        // not rebuilt, and a search does no hashing.
        if idOfRow.count > index.count { idOfRow = [] }
        for row in idOfRow.count..<index.count { idOfRow.append(idOfKey[index.keys[row]] ?? -1) }
        for (row, id) in idOfRow.enumerated() where id >= 0 && row < s.count { out[id] = s[row] }
        return out
    }

    func vector(of id: Int) -> [Float]? {
        lock.lock(); defer { lock.unlock() }
        guard id >= 0, id < itemList.count, let row = index.row(of: scan.files[id].relativePath) else { return nil }
        return index.vector(at: row)
    }

    /// Decoded previews by content identity and box (bounded; shared by every preview request).
    let previewCache = PreviewCache()

    func preview(of id: Int, maxWidth: Int, maxHeight: Int) -> PreviewImage? {
        guard id >= 0, id < scan.files.count, maxWidth > 0, maxHeight > 0 else { return nil }
        let path = scan.files[id].absolutePath.string
        let key = PreviewCacheKey.identity(ofFileAt: path).map { PreviewCacheKey(identity: $0, maxWidth: maxWidth, maxHeight: maxHeight) }
        if let key, let hit = previewCache.get(key) { return hit }
        guard let t = try? Thumbnail.makeOriented(fileAt: URL(fileURLWithPath: path), maxWidth: maxWidth, maxHeight: maxHeight) else { return nil }
        let (w, h) = Self.pixelSize(path)
        let image = PreviewImage(width: t.image.width, height: t.image.height, rgb: t.image.pixels, orientation: t.orientation,
                                 sourceWidth: w, sourceHeight: h)
        if let key { previewCache.put(key, image) }
        return image
    }

    /// Grid thumbnails: in memory by file identity and box (bounded), then on disk by content next to
    /// the embedding cache (ThumbnailStore), else decoded at reduced size. Runs on the thumbnail worker.
    let thumbnailCache = PreviewCache(byteLimit: 48 << 20)
    let thumbnailStore: ThumbnailStore

    func thumbnail(of id: Int, maxWidth: Int, maxHeight: Int) -> PreviewImage? {
        guard id >= 0, id < scan.files.count, maxWidth > 0, maxHeight > 0 else { return nil }
        let path = scan.files[id].absolutePath.string
        let key = PreviewCacheKey.identity(ofFileAt: path).map { PreviewCacheKey(identity: $0, maxWidth: maxWidth, maxHeight: maxHeight) }
        if let key, let hit = thumbnailCache.get(key) { return hit }
        guard let t = try? thumbnailStore.thumbnail(fileAt: path, maxWidth: maxWidth, maxHeight: maxHeight) else { return nil }
        let image = PreviewImage(width: t.image.width, height: t.image.height, rgb: t.image.pixels, orientation: t.orientation,
                                 sourceWidth: t.sourceWidth, sourceHeight: t.sourceHeight)
        if let key { thumbnailCache.put(key, image) }
        return image
    }

    func startIndexing(post: @escaping @Sendable (BackendEvent) -> Void) {
        lock.lock()
        guard embedsImages, worker == nil, let cache else { lock.unlock(); post(.finished); return }
        let plan = self.plan
        let thread = Thread { [weak self] in
            guard let self else { return }
            let indexer = FolderIndexer(provider: self.backend, cache: cache)
            let total = plan.toEmbed.count
            post(.progress(done: 0, total: total))
            // Arriving vectors are posted in batches (every 50 ms or 256 items): one merge and one
            // frame per batch, not per vector.
            var batch: [ItemChange] = []
            var lastFlush = DispatchTime.now().uptimeNanoseconds
            var progress = (done: 0, total: total)
            func flush() {
                guard !batch.isEmpty else { return }
                post(.itemsChanged(batch))
                post(.progress(done: progress.done, total: progress.total))
                batch.removeAll(keepingCapacity: true)
                lastFlush = DispatchTime.now().uptimeNanoseconds
            }
            do {
                let report = try indexer.run(plan, progress: { p in
                    guard let id = self.idOfKey[p.current] else { return }
                    let state: ItemState
                    self.lock.lock()
                    if let v = p.vector, (try? self.index.upsert(p.current, vector: v)) != nil {
                        state = .embedded
                    } else {
                        state = .failed(p.failure ?? "could not be embedded")
                    }
                    self.itemList[id].state = state
                    self.lock.unlock()
                    batch.append(ItemChange(id: id, state: state))
                    progress = (p.done, p.total)
                    if batch.count >= 256 || DispatchTime.now().uptimeNanoseconds - lastFlush >= 50_000_000 { flush() }
                }, isCancelled: { self.isCancelled })
                if let failure = report.cacheWriteFailure {
                    // Shown after the UI closes, with the "clipscope: " prefix the command adds.
                    let line = IndexedFolder.cacheNotUpdated(failure)
                    self.lock.lock(); self.warnings.append(String(line.dropFirst("clipscope: ".count))); self.lock.unlock()
                }
            } catch {
                self.lock.lock(); self.warnings.append("indexing stopped: \(error)"); self.lock.unlock()
            }
            flush()
            try? cache.close()
            self.lock.lock(); self.cache = nil; self.lock.unlock()
            post(.finished)
            self.workerDone.signal()
        }
        thread.name = "clipscope-indexer"
        thread.stackSize = 8 << 20
        worker = thread
        lock.unlock()
        thread.start()
    }

    private var isCancelled: Bool {
        lock.lock(); defer { lock.unlock() }
        return cancelled
    }

    func cancelIndexing() {
        lock.lock(); cancelled = true; lock.unlock()
    }

    /// Stops indexing after the current image and waits (bounded) until the cache is closed, so
    /// every finished vector is compacted into the store before the process exits.
    func finish(timeout: TimeInterval = 30) {
        cancelIndexing()
        lock.lock(); let started = worker != nil; lock.unlock()
        if started { _ = workerDone.wait(timeout: .now() + timeout) }
        lock.lock(); let open = cache; cache = nil; worker = nil; lock.unlock()
        try? open?.close()
    }
}
