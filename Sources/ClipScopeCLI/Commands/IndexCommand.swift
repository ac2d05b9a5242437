// `clipscope index FOLDER`: embed a folder into the on-disk cache (incremental, resumable), with a
// progress bar on stderr and a summary on stdout. Exit 1 when some images failed to embed, or when
// the cache cannot be opened or written (the message names the cache file; what was saved stays).
import CLISupport
import ArgumentParser
import Foundation
import VectorIndex

struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index", abstract: "Embed a folder into the on-disk cache.",
        discussion: """
        Only new or changed images are embedded; renamed and copied files reuse their vectors. An \
        interrupted run (Ctrl-C, kill) keeps every finished image and resumes on the next run. Images \
        that fail are remembered and not retried until they change. Cache: $CLIPSCOPE_CACHE_DIR, else \
        $XDG_CACHE_HOME/clipscope, else ~/.cache/clipscope.
        """)
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var folderOptions: FolderOptions

    @Argument(help: "Folder of images (searched recursively).")
    var folder: String

    func run() throws {
        let backend = try makeBackend(modelOptions)
        folderOptions.configure(backend)
        let indexed = try IndexedFolder.open(folder, provider: backend, followLinks: folderOptions.followLinks, requireCache: true)
        try emit(indexed.summary(folder: folder))
        if let failure = indexed.report.cacheWriteFailure {
            let left = indexed.report.remaining > 0 ? "; \(indexed.report.remaining) image(s) not embedded" : ""
            throw CLIError.failure(IndexedFolder.cannotUse(failure)
                                   + "; the cache keeps every image saved before the failure\(left); free space or fix the cache and run again")
        }
        let failed = indexed.report.failed.count + indexed.report.knownFailures.count
        if failed > 0 { throw InputFailure("\(failed) image(s) could not be embedded") }
    }
}
