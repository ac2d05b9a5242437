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
// Files are referred to by id: item id = the file's id in one PathTable (every path once, in scan
// order); the index holds rows without keys, mapped to ids by `idOfRow` / `rowOfID`. The scan's own
// file list is not kept after start-up.
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
    /// Every file's paths once; ids are the scan's order (sorted by relative path).
    let paths: PathTable
    /// For the indexing run (taken by `startIndexing`); the scan's file list in it is emptied.
    private var plan: IndexPlan?
    private var idOfRow: [Int32] = []              // index row → item id, guarded by `lock`
    private var rowOfID: [Int32]                   // item id → index row (−1: no vector), guarded by `lock`
    private let lock = NSLock()
    /// Item id → file size; the reason of each item that failed (or is missing, see `embedsImages`),
    /// guarded by `lock`. An item's state: failed when it has a reason, else embedded when it has a row,
    /// else pending. `items()` builds the snapshot from these (8 bytes a file held here, not an item).
    private let byteSizes: [UInt64]
    private var failures: [Int32: String]
    private let index: VectorIndex                 // rows without keys (see idOfRow)
    private var cache: EmbeddingCache?
    private var discardCache: () -> Void = {}
    private var worker: Thread?
    private var cancelled = false
    private let workerDone = DispatchSemaphore(value: 0)
    /// Cache warnings (rebuilt stores, …), shown by the CLI after the UI closes.
    private(set) var warnings: [String] = []
    /// How long each start-up phase took (scan, cache, plan, index, items), in ms, and the resident
    /// memory at its end (MiB), for the trace.
    private(set) var startupPhases: [(name: String, ms: Double, rssMiB: Double)] = []

    /// `cacheRoot`: where the embedding cache lives (default: $CLIPSCOPE_CACHE_DIR, XDG, ~/.cache).
    /// `missingReason`: with `embedsImages` false, what a file missing from the cache shows.
    /// `progress`: told what start-up is doing ("scanning …", "loading 100000 vectors …"), for a line
    /// on stderr before the screen starts.
    init(backend: any SearchBackend, folder: String, cacheRoot: URL = EmbeddingCache.defaultRoot(), followLinks: Bool = false,
         embedsImages: Bool = true, missingReason: String = "not in the cache", progress: ((String) -> Void)? = nil) throws {
        self.backend = backend
        self.folderPath = folder
        self.embedsImages = embedsImages
        var phases: [(name: String, ms: Double, rssMiB: Double)] = []
        var t0 = DispatchTime.now().uptimeNanoseconds
        func lap(_ name: String) {
            let t = DispatchTime.now().uptimeNanoseconds
            phases.append((name, Double(t - t0) / 1e6, Self.residentMiB()))
            t0 = t
        }
        progress?("scanning \(TerminalSafe.name(folder)) ...")
        let scan: FolderScan
        do { scan = try FolderScanner.scan(URL(fileURLWithPath: folder), followLinks: followLinks) } catch { throw CLIError.failure("\(error)") }
        lap("scan")
        let n = scan.files.count
        progress?("\(n) images found; opening the cache ...")
        var collected: [String] = []
        // A cache that cannot be opened: a temporary store for this session (the warning is printed now,
        // before the UI starts); one that fails while indexing: the explorer goes on in memory.
        let (cache, discard) = try IndexedFolder.openCacheOrTemporary(for: backend, root: cacheRoot, folder: scan.root,
                                                                      warn: { collected.append($0) })
        discardCache = discard
        lap("cache")
        progress?("\(n) images found; comparing with the cache (\(cache.count) entries) ...")
        let indexer = FolderIndexer(provider: backend, cache: cache)
        var plan = indexer.plan(scan)
        lap("plan")
        progress?("\(n) images found; loading \(plan.unchanged) cached vectors ...")
        paths = scan.files.paths
        let index = VectorIndex(width: backend.embeddingWidth, storage: .float32)
        index.reserveCapacity(n)
        var rowOfID = [Int32](repeating: -1, count: n), idOfRow: [Int32] = []
        func add(_ id: Int, _ v: [Float]) throws {
            rowOfID[id] = Int32(try index.appendRow(v))
            idOfRow.append(Int32(id))
        }
        do {
            for (id, f) in scan.files.enumerated() { if let v = indexer.cachedVector(of: f) { try add(id, v) } }
        } catch { throw CLIError.failure("\(error)") }
        lap("index")
        progress?("\(n) images, \(index.count) with vectors; starting the explorer ...")
        // Renamed or copied files: their content is known, so their vectors are usable at once
        // (the indexing run records them under their new path).
        for r in plan.reuse {
            if case let .vector(v) = r.outcome, let id = paths.index(ofRelative: r.file.relativePath.bytes), rowOfID[id] < 0 {
                try? add(id, v)
            }
        }
        var failures: [Int32: String] = [:]
        for (path, why) in plan.knownFailures {
            if let id = paths.index(ofRelative: path.bytes), rowOfID[id] < 0 { failures[Int32(id)] = why }
        }
        var missing = 0
        if !embedsImages {
            for id in 0..<n where rowOfID[id] < 0 && failures[Int32(id)] == nil { failures[Int32(id)] = missingReason; missing += 1 }
        }
        byteSizes = scan.files.indices.map { scan.files.size($0) }
        self.failures = failures
        // The run needs the plan's own lists (to embed, to reuse, removed); the table holds the paths.
        plan.scan.files = ScannedFiles(root: scan.root)
        self.plan = plan
        self.index = index
        self.rowOfID = rowOfID
        self.idOfRow = idOfRow
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

    /// Resident memory of this process now (MiB; /proc/self/statm), 0 when unreadable.
    static func residentMiB() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
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
        // Pixel sizes are read with the first preview of each image, not per file at start-up.
        return (0..<paths.count).map { id in
            let state: ItemState = failures[Int32(id)].map { .failed($0) } ?? (rowOfID[id] >= 0 ? .embedded : .pending)
            return FolderItem(id: id, paths: paths, path: id, byteSize: Int(clamping: byteSizes[id]), pixelWidth: 0, pixelHeight: 0, state: state)
        }
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
        var out = [Float](repeating: -.infinity, count: paths.count)
        guard let s = try? index.scores(for: query, dims: dims) else { return out }
        for (row, id) in idOfRow.enumerated() where row < s.count { out[Int(id)] = s[row] }
        return out
    }

    func vector(of id: Int) -> [Float]? {
        lock.lock(); defer { lock.unlock() }
        guard id >= 0, id < rowOfID.count, rowOfID[id] >= 0 else { return nil }
        return index.vector(at: Int(rowOfID[id]))
    }

    /// Decoded previews by content identity and box (bounded; shared by every preview request).
    let previewCache = PreviewCache()

    func preview(of id: Int, maxWidth: Int, maxHeight: Int) -> PreviewImage? {
        guard id >= 0, id < paths.count, maxWidth > 0, maxHeight > 0 else { return nil }
        let path = paths.absolute(id)
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
        guard id >= 0, id < paths.count, maxWidth > 0, maxHeight > 0 else { return nil }
        let path = paths.absolute(id)
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
        guard embedsImages, worker == nil, let cache, let plan else { lock.unlock(); post(.finished); return }
        self.plan = nil
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
                    guard let id = self.paths.index(ofRelative: p.current.bytes) else { return }
                    let state: ItemState
                    self.lock.lock()
                    if let v = p.vector, (try? self.upsert(id, v)) != nil {
                        state = .embedded
                        self.failures[Int32(id)] = nil
                    } else {
                        let why = p.failure ?? "could not be embedded"
                        state = .failed(why)
                        self.failures[Int32(id)] = why
                    }
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

    /// The row of item `id` gets vector `v` (a new row when it has none). Caller holds `lock`.
    private func upsert(_ id: Int, _ v: [Float]) throws {
        let row = Int(rowOfID[id])
        if row >= 0 { try index.update(row: row, vector: v); return }
        rowOfID[id] = Int32(try index.appendRow(v))
        idOfRow.append(Int32(id))
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
