// Incremental folder indexing: scan → plan (diff against the cache) → embed what is missing.
//
//   unchanged   same path, size and mtime as a cached entry: reused without reading the file
//   by content  path new or changed, but (size, SHA-256 of the whole content) known: a rename, copy or
//               touch; reused
//   to embed    new content; embedded one file at a time (bounded memory), priority paths first;
//               a copy of a file embedded earlier in the same run reuses that vector
//   known fail  cached failure for unchanged content: reported, not retried until the file changes
//   removed     cached paths under the folder that the scan no longer finds: dropped from the cache
//   partial     a vector computed from a truncated image (`--allow-partial`) is reused only by runs that
//               accept partial images; any other run re-embeds the file (which then fails as truncated),
//               and a run that accepts them retries a cached truncation failure
//
// Files are opened without following a symbolic link as the last component unless the scan reached them
// through a link (then `ScannedFile.viaLink`): a file swapped for a link after the scan is refused.
//
// Every finished file is in the cache journal before the progress callback reports it, so a cancelled
// or killed run resumes where it stopped. When the cache cannot be written (full disk, read-only), the
// run records the failure in `IndexReport.cacheWriteFailure` and either stops there (`index`: nothing
// more could be saved) or goes on in memory (search, explore: the answer needs the vectors).
import FileIO
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct IndexingProgress: Sendable {
    public var done: Int
    public var total: Int
    public var itemsPerSecond: Double
    public var etaSeconds: Double?     // nil until the first file is done
    public var current: ItemPath       // relative path just finished
    public var vector: [Float]?        // its vector (nil when it failed), so a UI can add it to its index live
    public var failure: String?        // why it failed

    public init(done: Int, total: Int, itemsPerSecond: Double, etaSeconds: Double?, current: ItemPath,
                vector: [Float]? = nil, failure: String? = nil) {
        self.done = done; self.total = total; self.itemsPerSecond = itemsPerSecond; self.etaSeconds = etaSeconds
        self.current = current; self.vector = vector; self.failure = failure
    }
}

public struct IndexPlan: Sendable {
    public var scan: FolderScan
    public var unchanged: Int = 0
    public var reuse: [(file: ScannedFile, contentHash: ContentHash, outcome: CacheEntry.Outcome)] = []
    public var toEmbed: [(file: ScannedFile, contentHash: ContentHash)] = []
    public var knownFailures: [(path: ItemPath, reason: String)] = []
    public var removed: [ItemPath] = []                        // absolute paths
    public var unreadable: [(path: ItemPath, reason: String)] = []
    public var partial: [ItemPath] = []                        // reused partial vectors (relative paths)
    public var shard: ShardSpec?
    public var outsideShard = 0                                // files left to the other shards
}

public struct IndexReport: Sendable {
    public var files = 0                                       // supported images found
    public var embedded = 0
    public var reusedUnchanged = 0
    public var reusedByContent = 0                             // renamed, copied or touched
    public var failed: [(path: ItemPath, reason: String)] = [] // new failures in this run
    public var knownFailures: [(path: ItemPath, reason: String)] = []
    public var removed = 0
    public var unsupported: [(path: ItemPath, format: String)] = []
    public var skipped: [(path: ItemPath, reason: String)] = []
    public var partial: [ItemPath] = []                        // indexed from partial images (relative, sorted)
    public var cancelled = false
    public var remaining = 0                                   // not embedded because of cancellation or a cache failure
    /// The first cache write that failed (then the vectors of this run are not all saved).
    public var cacheWriteFailure: CacheError?
    public var shard: ShardSpec?
    public var outsideShard = 0                                // files left to the other shards
}

public final class FolderIndexer {
    public let provider: any ImageEmbeddingProvider
    public let cache: EmbeddingCache

    public init(provider: any ImageEmbeddingProvider, cache: EmbeddingCache) {
        self.provider = provider
        self.cache = cache
    }

    /// Diffs a scan against the cache. An entry whose path, size, mtime and inode are unchanged is reused
    /// without reading the file; every new or changed file is hashed whole (SHA-256) to find copies.
    /// With a `shard`, files whose content belongs to another shard are left out (and their stale
    /// entries dropped), so the cache ends up holding this shard's files only.
    public func plan(_ scan: FolderScan, shard: ShardSpec? = nil) -> IndexPlan {
        var plan = IndexPlan(scan: scan)
        plan.shard = shard
        // Files whose cache entries stay (indexed like scan.files, sorted by relative path).
        var seen = [Bool](repeating: false, count: scan.files.count)
        for (n, file) in scan.files.enumerated() {
            if let e = cache.file(atPath: file.absolutePath), e.size == file.size, e.mtimeNs == file.mtimeNs,
               e.inode == 0 || file.inode == 0 || e.inode == file.inode {
                seen[n] = true
                if let shard, !shard.contains(e.contentHash) { plan.outsideShard += 1; continue }
                if !reusable(failure: e.failure, isPartial: e.isPartial) {
                    plan.toEmbed.append((file, e.contentHash))          // unchanged: the stored hash holds
                    continue
                }
                if let why = e.failure {
                    plan.knownFailures.append((file.relativePath, why))
                } else {
                    plan.unchanged += 1
                    if e.isPartial { plan.partial.append(file.relativePath) }
                }
                continue
            }
            let fp: ContentHash
            do { fp = try ContentHash.of(file.absolutePath, followLinks: file.viaLink) } catch {
                seen[n] = true
                plan.unreadable.append((file.relativePath, "unreadable: \(error)"))
                continue
            }
            if let shard, !shard.contains(fp) { plan.outsideShard += 1; continue }
            seen[n] = true
            if let known = cache.known(size: file.size, contentHash: fp), reusable(known.outcome, isPartial: known.isPartial) {
                if case let .failure(why) = known.outcome { plan.knownFailures.append((file.relativePath, why)) }
                if known.isPartial { plan.partial.append(file.relativePath) }
                plan.reuse.append((file, fp, known.outcome))
            } else {
                plan.toEmbed.append((file, fp))
            }
        }
        // Cached paths below the folder that no seen file has (found by binary search in the sorted
        // scan: no path is copied for the files that stay).
        let prefix = scan.root.bytes.last == UInt8(ascii: "/") ? scan.root.bytes : scan.root.bytes + [UInt8(ascii: "/")]
        cache.forEachPath(under: scan.root) { rest in
            if let n = scan.files.paths.index(ofRelative: rest), seen[n] { return }
            plan.removed.append(ItemPath(bytes: prefix + Array(rest)))
        }
        plan.removed.sort()
        return plan
    }

    /// Whether a cached outcome may stand for this run: a partial vector only when the provider accepts
    /// partial images, a truncation failure only when it does not (then the file is tried again).
    func reusable(_ outcome: CacheEntry.Outcome, isPartial: Bool) -> Bool {
        switch outcome {
        case .vector: return reusable(failure: nil, isPartial: isPartial)
        case let .failure(why): return reusable(failure: why, isPartial: isPartial)
        }
    }

    /// The same for an entry read without its vector (`failure` nil: a vector).
    func reusable(failure: String?, isPartial: Bool) -> Bool {
        guard let why = failure else { return !isPartial || provider.acceptsPartialImages }
        return !(provider.acceptsPartialImages && Self.isTruncation(why))
    }

    /// A failure that `--allow-partial` may turn into a (partial) vector: a JPEG whose data ends early.
    static func isTruncation(_ reason: String) -> Bool {
        reason.hasPrefix("image file is truncated") && reason.contains("JPEG")
    }

    /// Applies a plan: records reuses and removals, then embeds `toEmbed`, priority paths (relative) first.
    /// `stopOnCacheFailure`: end the run at the first failed cache write (else go on in memory).
    public func run(_ plan: IndexPlan, priority: [ItemPath] = [],
                    progress: ((IndexingProgress) -> Void)? = nil,
                    isCancelled: () -> Bool = { false }, stopOnCacheFailure: Bool = false) throws -> IndexReport {
        var report = IndexReport()
        report.files = plan.scan.files.count
        report.unsupported = plan.scan.unsupported
        report.skipped = plan.scan.skipped + plan.unreadable
        report.reusedUnchanged = plan.unchanged
        report.knownFailures = plan.knownFailures
        report.shard = plan.shard
        report.outsideShard = plan.outsideShard
        var partial = plan.partial
        let reusedPartial = Set(plan.partial)
        /// Runs a cache update; a failed write is recorded once (the cache keeps the entry in memory).
        func saving(_ update: () throws -> Void) throws {
            do { try update() } catch let e as CacheError where cache.writeFailure != nil {
                if report.cacheWriteFailure == nil { report.cacheWriteFailure = e }
            }
        }
        for r in plan.reuse {
            try saving { try cache.put(CacheEntry(path: r.file.absolutePath, size: r.file.size, mtimeNs: r.file.mtimeNs,
                                     inode: r.file.inode, contentHash: r.contentHash, outcome: r.outcome,
                                     isPartial: reusedPartial.contains(r.file.relativePath))) }
            if case .vector = r.outcome { report.reusedByContent += 1 }
        }
        for path in plan.removed { try saving { try cache.remove(path: path) } }
        report.removed = plan.removed.count

        let order = Self.prioritized(plan.toEmbed, priority: priority)
        var prefetchedUpTo = 0
        let start = Date()
        for (i, item) in order.enumerated() {
            if isCancelled() {
                report.cancelled = true
                report.remaining = order.count - i
                break
            }
            if stopOnCacheFailure && report.cacheWriteFailure != nil {
                report.remaining = order.count - i
                break
            }
            if let batch = provider as? BatchImageEmbeddingProvider, i >= prefetchedUpTo {
                // The next files whose content is not known yet, one batch (copies within it sent once).
                var urls: [URL] = [], contents = Set<[UInt8]>()
                var j = i
                while j < order.count && urls.count < max(1, batch.batchSize) {
                    let next = order[j]
                    if next.file.absolutePath.isValidUTF8, cache.known(size: next.file.size, contentHash: next.contentHash) == nil,
                       contents.insert(next.contentHash.bytes).inserted {
                        urls.append(URL(fileURLWithPath: next.file.absolutePath.string))
                    }
                    j += 1
                }
                prefetchedUpTo = j
                batch.prefetch(urls)
            }
            let outcome: CacheEntry.Outcome
            var duplicate = false, isPartial = false
            if let known = cache.known(size: item.file.size, contentHash: item.contentHash),
               reusable(known.outcome, isPartial: known.isPartial) {
                // Same content as a file embedded earlier in this run (a copy): reuse it.
                outcome = known.outcome
                isPartial = known.isPartial
                duplicate = true
            } else {
                var path = ""
                do {
                    let e = try withUTF8URL(for: item.file) { url, follow in
                        path = url.path
                        return try provider.embedImage(at: url, followLinks: follow)
                    }
                    let v = e.vector
                    if v.count != provider.embeddingWidth || !v.allSatisfy({ $0.isFinite }) {
                        outcome = .failure("the model returned \(v.count) values (expected \(provider.embeddingWidth), finite)")
                    } else {
                        outcome = .vector(v)
                        isPartial = e.isPartial
                    }
                } catch let e as EncoderUnavailable {
                    throw e
                } catch {
                    // Stored without the path, so a copy that shares this failure is reported under its own name.
                    let text = String(describing: error)
                    outcome = .failure(!path.isEmpty && text.hasPrefix(path + ": ") ? String(text.dropFirst(path.count + 2)) : text)
                }
            }
            try saving {
                try cache.put(CacheEntry(path: item.file.absolutePath, size: item.file.size, mtimeNs: item.file.mtimeNs,
                                         inode: item.file.inode, contentHash: item.contentHash, outcome: outcome,
                                         isPartial: isPartial))
            }
            if isPartial { partial.append(item.file.relativePath) }
            switch (outcome, duplicate) {
            case (.vector, false): report.embedded += 1
            case (.vector, true): report.reusedByContent += 1
            case let (.failure(why), false): report.failed.append((item.file.relativePath, why))
            case let (.failure(why), true): report.knownFailures.append((item.file.relativePath, why))
            }
            let done = i + 1
            let elapsed = Date().timeIntervalSince(start)
            let rate = elapsed > 0 ? Double(done) / elapsed : 0
            progress?(IndexingProgress(done: done, total: order.count, itemsPerSecond: rate,
                                       etaSeconds: rate > 0 ? Double(order.count - done) / rate : nil,
                                       current: item.file.relativePath,
                                       vector: { if case let .vector(v) = outcome { return v }; return nil }(),
                                       failure: { if case let .failure(f) = outcome { return f }; return nil }()))
        }
        report.partial = partial.sorted()
        return report
    }

    /// Scan + plan + run in one call.
    public func index(folder: URL, priority: [ItemPath] = [], followLinks: Bool = false,
                      progress: ((IndexingProgress) -> Void)? = nil,
                      isCancelled: () -> Bool = { false }) throws -> (FolderScan, IndexReport) {
        let scan = try FolderScanner.scan(folder, followLinks: followLinks)
        let report = try run(plan(scan), priority: priority, progress: progress, isCancelled: isCancelled)
        return (scan, report)
    }

    /// An index of the scan's files that have a cached vector, keyed by relative path (sorted order).
    public func buildIndex(_ scan: FolderScan, storage: VectorIndex.Storage = .float32) throws -> VectorIndex {
        let index = VectorIndex(width: provider.embeddingWidth, storage: storage)
        index.reserveCapacity(scan.files.count)
        for file in scan.files {
            guard let v = cachedVector(of: file) else { continue }
            try index.add(file.relativePath, vector: v)
        }
        return index
    }

    /// The cached vector of an unchanged file (same size and mtime, no failure, not a partial image
    /// unless the provider accepts those); nil otherwise.
    public func cachedVector(of file: ScannedFile) -> [Float]? {
        guard let e = cache.file(atPath: file.absolutePath), e.size == file.size, e.mtimeNs == file.mtimeNs, e.failure == nil,
              !e.isPartial || provider.acceptsPartialImages,
              let full = cache.entry(forPath: file.absolutePath), case let .vector(v) = full.outcome else { return nil }
        return v
    }

    /// The file's URL and whether its last component may be a followed link (only when the scan reached
    /// it through one). Foundation URLs cannot carry non-UTF-8 file names on Linux, so such a file is
    /// opened here (O_NOFOLLOW unless `viaLink`) and handed to the provider through a temporary symlink
    /// with an ASCII name (same extension) to /proc/self/fd/N, which always reaches that open file.
    private func withUTF8URL<R>(for file: ScannedFile, _ body: (URL, Bool) throws -> R) throws -> R {
        if file.absolutePath.isValidUTF8 { return try body(URL(fileURLWithPath: file.absolutePath.string), file.viaLink) }
        let opened = try SafeFile(pathBytes: file.absolutePath.bytes, displayPath: file.absolutePath.display,
                                  followLinks: file.viaLink)
        let ext = FolderScanner.fileExtension(file.absolutePath.lastComponent.bytes)
        let link = FileManager.default.temporaryDirectory
            .appendingPathComponent("clipscope-\(getpid())-\(UUID().uuidString).\(ext)").path
        guard symlink("/proc/self/fd/\(opened.fd)", link) == 0 else {
            throw ScanError(description: "file name is not valid UTF-8 and no temporary link could be made: \(String(cString: strerror(errno)))")
        }
        defer { unlink(link) }
        return try withExtendedLifetime(opened) { try body(URL(fileURLWithPath: link), true) }
    }

    static func prioritized(_ items: [(file: ScannedFile, contentHash: ContentHash)], priority: [ItemPath]) -> [(file: ScannedFile, contentHash: ContentHash)] {
        guard !priority.isEmpty else { return items }
        var rank: [ItemPath: Int] = [:]
        for (i, p) in priority.enumerated() where rank[p] == nil { rank[p] = i }
        let first = items.filter { rank[$0.file.relativePath] != nil }.sorted { rank[$0.file.relativePath]! < rank[$1.file.relativePath]! }
        let rest = items.filter { rank[$0.file.relativePath] == nil }
        return first + rest
    }
}
