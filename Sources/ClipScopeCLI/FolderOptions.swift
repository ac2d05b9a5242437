// `--follow-links`, shared by every command that scans a folder (index, search, compare, export,
// truncation, explore). By default a symbolic link whose target lies outside the folder is skipped and
// listed; links within the folder are always followed.
import ArgumentParser
import VectorIndex

struct FolderOptions: ParsableArguments {
    @Flag(name: .customLong("follow-links"), help: "Follow symbolic links that lead out of the folder (default: skip and list them).")
    var followLinks = false

    @Flag(name: .customLong("allow-partial"), help: "Embed truncated JPEGs as far as they go (rest grey) instead of failing them.")
    var allowPartial = false

    /// Applies the options that act inside the model backend (called by each command right after it
    /// makes its backend, before indexing). A per-backend setting, so commands run side by side in one
    /// process (the tests) never see each other's flag.
    func configure(_ backend: any SearchBackend) { (backend as? ModelBackend)?.allowPartial = allowPartial }
}
