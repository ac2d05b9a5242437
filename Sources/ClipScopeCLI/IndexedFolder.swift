// Shared by index/search/compare/export: open the cache, bring a folder's vectors up to date (with a
// progress bar on stderr when it is a terminal), and hand back an exact VectorIndex of the folder.
// The cache lock is held only while indexing; searching runs on the in-memory index.
import CLISupport
import FileIO
import Foundation
import VectorIndex
#if canImport(Glibc)
import Glibc
#endif

/// Set by SIGINT while indexing: the indexer stops after the current file, the cache is compacted.
nonisolated(unsafe) private var interruptRequested: sig_atomic_t = 0

struct IndexedFolder {
    var scan: FolderScan
    var report: IndexReport
    var index: VectorIndex

    /// How the cache's bytes are written: write(2) in the program; tests run a command inside
    /// `IndexedFolder.$cacheWriter.withValue(…)` with a writer that fails (a full disk mid-run).
    @TaskLocal static var cacheWriter: any CacheFileWriting = PosixCacheWriter()

    /// The provider's store in the default cache root (waits, with a message, while another process holds it).
    /// `folder`: the scanned folder's realpath, against which a folder-relative root resolves its entries.
    static func openCache(for provider: any ImageEmbeddingProvider, root: URL = EmbeddingCache.defaultRoot(),
                          folder: ItemPath? = nil, warn: @escaping (String) -> Void) throws -> EmbeddingCache {
        do {
            return try openStore(for: provider, root: root, folder: folder, warn: warn)
        } catch {
            throw CLIError.failure("\(error)")
        }
    }

    private static func openStore(for provider: any ImageEmbeddingProvider, root: URL, folder: ItemPath? = nil,
                                  warn: @escaping (String) -> Void) throws -> EmbeddingCache {
        try EmbeddingCache(root: root, modelIdentity: provider.modelIdentity,
                           preprocessingKey: provider.preprocessingKey, width: provider.embeddingWidth, folder: folder,
                           onWait: { printError("waiting for another clipscope process using the cache in \(root.path) ...") },
                           warn: warn, writer: cacheWriter)
    }

    /// The one warning of a run whose cache could not be updated (it still prints its answer).
    static func cacheNotUpdated(_ error: Error) -> String {
        if let e = error as? CacheError {
            return "clipscope: warning: cache \(TerminalSafe.name(e.path)) could not be updated: \(e.reason); this run's vectors are not saved"
        }
        return "clipscope: warning: cache could not be updated: \(error); this run's vectors are not saved"
    }

    /// The provider's store, or, when it cannot be opened (read-only, not a directory, full), a temporary
    /// store removed by `discard` (with the warning): a search still gives its answer.
    static func openCacheOrTemporary(for provider: any ImageEmbeddingProvider, root: URL = EmbeddingCache.defaultRoot(),
                                     folder: ItemPath? = nil,
                                     warn: @escaping (String) -> Void) throws -> (cache: EmbeddingCache, discard: () -> Void) {
        do {
            return (try openStore(for: provider, root: root, folder: folder, warn: warn), {})
        } catch {
            printError(cacheNotUpdated(error))
            let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("clipscope-unsaved-\(getpid())-\(UUID().uuidString)")
            let cache = try openCache(for: provider, root: tmp, warn: warn)
            return (cache, { try? FileManager.default.removeItem(at: tmp) })
        }
    }

    /// Indexes `folder` incrementally with `provider` and loads its vectors. `cacheRoot` defaults to
    /// `EmbeddingCache.defaultRoot()`; with a `shard`, only that shard's files are embedded and loaded.
    /// `requireCache` (`index`, and every shard): a
    /// cache that cannot be opened or written ends the run with exit 1 naming the cache file (what was
    /// committed before stays); otherwise the answer is computed anyway and one warning says the cache
    /// could not be updated.
    static func open(_ folder: String, provider: any ImageEmbeddingProvider, showProgress: Bool = true,
                     followLinks: Bool = false, cacheRoot: URL? = nil, shard: ShardSpec? = nil,
                     requireCache: Bool = false, beforeEmbedding: ((Int) throws -> Void)? = nil,
                     progressNote: ((IndexingProgress) -> String)? = nil) throws -> IndexedFolder {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir) else {
            throw CLIError.failure("\(folder): no such folder")
        }
        guard isDir.boolValue else { throw CLIError.failure("\(folder): not a folder") }
        let scan: FolderScan
        do { scan = try FolderScanner.scan(URL(fileURLWithPath: folder), followLinks: followLinks) } catch { throw CLIError.failure("\(error)") }
        let cache: EmbeddingCache
        var discard: () -> Void = {}
        let root = cacheRoot ?? EmbeddingCache.defaultRoot()
        let requireCache = requireCache || shard != nil       // a shard's cache is its only output
        if requireCache {
            do { cache = try openStore(for: provider, root: root, folder: scan.root, warn: { printError("clipscope: \($0)") }) } catch {
                throw CLIError.failure(Self.cannotUse(error))
            }
        } else {
            (cache, discard) = try openCacheOrTemporary(for: provider, root: root, folder: scan.root, warn: { printError("clipscope: \($0)") })
        }
        defer {
            try? cache.close()
            discard()
        }
        let indexer = FolderIndexer(provider: provider, cache: cache)
        let plan = indexer.plan(scan, shard: shard)

        if !plan.toEmbed.isEmpty { try beforeEmbedding?(plan.toEmbed.count) }
        let bar = ProgressBar(enabled: showProgress && isatty(2) == 1, note: progressNote)
        if !plan.toEmbed.isEmpty && showProgress {
            printError("embedding \(plan.toEmbed.count) of \(scan.files.count) images (\(plan.unchanged + plan.reuse.count) already cached)")
        }
        interruptRequested = 0
        let previous = signal(SIGINT) { _ in interruptRequested = 1 }
        defer { signal(SIGINT, previous) }
        var estimated = false
        var report = try indexer.run(plan, progress: { p in
            if !estimated && showProgress && p.total >= 5, let eta = p.etaSeconds, eta > 10 {
                estimated = true
                bar.clear()
                printError("estimated time for \(p.total) images: \(ProgressBar.duration(eta + 1 / max(p.itemsPerSecond, 1e-9)))")
            }
            bar.update(p)
        }, isCancelled: { interruptRequested != 0 }, stopOnCacheFailure: requireCache)
        bar.finish()
        // A failed final write (full disk) loses only what the journal did not hold; the answer stands.
        do { try cache.close() } catch let e as CacheError where report.cacheWriteFailure == nil { report.cacheWriteFailure = e }
        if let failure = report.cacheWriteFailure, !requireCache { printError(Self.cacheNotUpdated(failure)) }
        if report.cancelled {
            printError("interrupted: \(report.embedded) images embedded and saved, \(report.remaining) left; run the same command again to resume")
            throw CLIError(description: "interrupted", exitStatus: 130)
        }
        let index: VectorIndex
        do { index = try indexer.buildIndex(scan) } catch { throw CLIError.failure("\(error)") }
        return IndexedFolder(scan: scan, report: report, index: index)
    }

    /// `index`'s error when the cache cannot be opened or written.
    static func cannotUse(_ error: Error) -> String {
        if let e = error as? CacheError { return "cannot update the cache \(TerminalSafe.name(e.path)): \(e.reason)" }
        return "cannot update the cache: \(error)"
    }

    /// One-line warning for search/compare/export when some files could not be indexed.
    func printProblemsBriefly() {
        let failed = report.failed.count + report.knownFailures.count
        if failed > 0 {
            printError("note: \(failed) image(s) could not be embedded and are not searched (see `clipscope index`)")
        }
    }

    /// "jpeg 20, png 14, webp 2": the images found, by file extension (.jpg counts as jpeg), most first.
    static func formatCounts(_ files: ScannedFiles) -> String {
        var counts: [String: Int] = [:]
        for i in files.indices {
            let ext = FolderScanner.fileExtension(Array(files.paths.nameBytes(i)))
            counts[ext == "jpg" ? "jpeg" : ext, default: 0] += 1
        }
        return counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    /// The `clipscope index` summary (stderr-independent text; printed to stdout by the command).
    func summary(folder: String) -> String {
        let r = report
        var lines: [String] = []
        lines.append("\(TerminalSafe.name(folder)): \(index.count) of \(r.files) images indexed: \(r.embedded) embedded, "
                     + "\(r.reusedUnchanged) reused, \(r.reusedByContent) reused after rename/copy, "
                     + "\(r.failed.count + r.knownFailures.count) failed, \(r.removed) removed from the cache")
        if let shard = r.shard {
            lines.append("shard \(shard): \(r.files - r.outsideShard) of \(r.files) images belong to this shard, \(r.outsideShard) to the other \(shard.count - 1)")
        }
        if !scan.files.isEmpty { lines.append("by format: " + Self.formatCounts(scan.files)) }
        if !r.partial.isEmpty {
            lines.append("partial: \(r.partial.count) image(s) indexed from truncated data (--allow-partial; the rest of each is grey)")
            lines += r.partial.map { "  \($0.display)" }
        }
        if !r.failed.isEmpty {
            lines.append("failed:")
            lines += r.failed.map { "  \($0.path.display): \(TerminalSafe.name($0.reason))" }
        }
        if !r.knownFailures.isEmpty {
            lines.append("failed before (unchanged since, not retried):")
            lines += r.knownFailures.map { "  \($0.path.display): \(TerminalSafe.name($0.reason))" }
        }
        if !r.unsupported.isEmpty {
            var byFormat: [String: Int] = [:]
            for u in r.unsupported { byFormat[u.format, default: 0] += 1 }
            let parts = byFormat.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            lines.append("unsupported formats, not indexed: \(r.unsupported.count) (\(parts))")
        }
        if !r.skipped.isEmpty {
            lines.append("skipped:")
            lines += r.skipped.map { "  \($0.path.display): \(TerminalSafe.name($0.reason))" }
        }
        return lines.joined(separator: "\n")
    }
}

/// `[#####.....]  45/120  2.3 img/s  ETA 0:33  NOTE  path` on stderr, redrawn at most 10 times a second
/// (NOTE: the encoder's, e.g. the Jina API's token count and estimate).
final class ProgressBar {
    let enabled: Bool
    let note: ((IndexingProgress) -> String)?
    private var lastDraw = Date.distantPast
    private var drawn = false
    init(enabled: Bool, note: ((IndexingProgress) -> String)? = nil) { self.enabled = enabled; self.note = note }

    func update(_ p: IndexingProgress) {
        guard enabled else { return }
        let now = Date()
        guard p.done == p.total || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        printErrorRaw("\r" + Self.line(p, note: note?(p)) + "\u{1B}[K")
        drawn = true
    }

    /// One frame of the bar, at most 160 characters (the path is cut first).
    static func line(_ p: IndexingProgress, note: String? = nil) -> String {
        let width = 30
        let filled = p.total > 0 ? width * min(p.done, p.total) / p.total : width
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let eta = p.etaSeconds.map { "ETA " + Self.duration($0) } ?? "ETA ?"
        let line = "[\(bar)] \(p.done)/\(p.total)  \(String(format: "%.1f", p.itemsPerSecond)) img/s  \(eta)  "
            + (note.map { $0 + "  " } ?? "") + p.current.display
        return String(line.prefix(160))
    }

    func clear() {
        if drawn { printErrorRaw("\r\u{1B}[K"); drawn = false }
    }

    func finish() {
        if drawn { printErrorRaw("\n"); drawn = false }
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) }
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
