// `--follow-links`, `--allow-partial` and `--cache-dir`, shared by every command that scans a folder
// (index, search, compare, export, truncation, explore). By default a symbolic link whose target lies outside the folder is skipped and
// listed; links within the folder are always followed.
import ArgumentParser
import Foundation
import VectorIndex

struct FolderOptions: ParsableArguments {
    @Flag(name: .customLong("follow-links"), help: "Follow symbolic links that lead out of the folder (default: skip and list them).")
    var followLinks = false

    @Flag(name: .customLong("allow-partial"), help: "Embed truncated JPEGs as far as they go (rest grey) instead of failing them.")
    var allowPartial = false

    @Option(name: .customLong("cache-dir"), help: ArgumentHelp("Cache root (default: $CLIPSCOPE_CACHE_DIR, then $XDG_CACHE_HOME/clipscope, then ~/.cache/clipscope).", valueName: "DIR"))
    var cacheDir: String?

    /// `--cache-dir`, else `EmbeddingCache.defaultRoot()`.
    var cacheRoot: URL { cacheDir.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? EmbeddingCache.defaultRoot() }

    /// Applies the options that act inside the model backend (called by each command right after it
    /// makes its backend, before indexing). A per-backend setting, so commands run side by side in one
    /// process (the tests) never see each other's flag.
    func configure(_ backend: any SearchBackend) { (backend as? ModelBackend)?.allowPartial = allowPartial }
}
