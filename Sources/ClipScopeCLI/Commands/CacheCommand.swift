// `clipscope cache merge DIR... --into DIR`: combine cache roots (the shards of a sharded index, or
// caches built on several machines) into one.
//
//   refused      stores of more than one (model identity, preprocessing, width) among the inputs, or
//                inputs whose path layouts differ (folder-relative vs absolute), or an --into whose
//                layout differs: nothing is created or changed
//   same path    the entry of the newer file (mtime) wins; equal mtimes: the later input on the command
//                line wins, the existing --into content counting as the first input
//   atomic       inputs are read under a shared lock and never modified; the merged store is written as a
//                new snapshot (temp file, fsync, rename), so a merge killed midway leaves --into as it was
//   idempotent   merging the same inputs again gives the same bytes
import CLISupport
import ArgumentParser
import FileIO
import Foundation
import VectorIndex

struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache", abstract: "Combine embedding caches.", subcommands: [CacheMergeCommand.self])
}

struct CacheMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Merge cache roots (e.g. the shards of `index --shard`) into one.",
        discussion: """
        Every input must hold the same model and preprocessing. For a path found in several inputs the \
        newer file (mtime) wins, then the later input. --into is created if missing and replaced atomically.
        """)

    @Argument(help: ArgumentHelp("Cache roots to merge (as given to --cache-dir).", valueName: "DIR"))
    var sources: [String] = []

    @Option(name: .long, help: ArgumentHelp("The cache root to merge into (created if missing).", valueName: "DIR"))
    var into: String

    func validate() throws {
        if sources.isEmpty { throw ValidationError("name at least one cache root to merge") }
    }

    func run() throws {
        var inputs: [(root: String, layout: PathLayout, store: StoreContents)] = []
        for source in sources {
            let root = URL(fileURLWithPath: source, isDirectory: true)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDir), isDir.boolValue else {
                throw CLIError.failure("\(TerminalSafe.name(source)): no such cache root (not a directory)")
            }
            let layout = try cacheCall { try EmbeddingCache.layout(ofRoot: root) }
            let stores = EmbeddingCache.stores(inRoot: root)
            var found = 0
            for dir in stores {
                guard let store = try cacheCall({
                    try EmbeddingCache.readStore(dir, onWait: { printError("waiting for another clipscope process writing \(dir.path) ...") })
                }) else { continue }
                for w in store.warnings { printError("clipscope: warning: \(w)") }
                inputs.append((source, layout, store))
                found += 1
            }
            if found == 0 { throw CLIError.failure("\(TerminalSafe.name(source)): holds no clipscope cache (no store-* directory with cache files)") }
        }
        let first = inputs[0]
        for other in inputs.dropFirst() where !Self.sameModel(first.store, other.store) {
            throw CLIError.failure("cannot merge caches of different models or preprocessing: "
                                   + Self.describe(first.root, first.store) + " and " + Self.describe(other.root, other.store))
        }
        for other in inputs.dropFirst() where other.layout != first.layout {
            throw CLIError.failure("cannot merge a \(first.layout.rawValue) cache (\(TerminalSafe.name(first.root))) with a "
                                   + "\(other.layout.rawValue) one (\(TerminalSafe.name(other.root)))")
        }
        let target = URL(fileURLWithPath: into, isDirectory: true)
        if FileManager.default.fileExists(atPath: target.path) {
            let layout = try cacheCall { try EmbeddingCache.layout(ofRoot: target) }
            if layout != first.layout, !EmbeddingCache.stores(inRoot: target).isEmpty {
                throw CLIError.failure("cannot merge \(first.layout.rawValue) caches into \(TerminalSafe.name(into)), which holds a cache of \(layout == .absolute ? "absolute" : "folder-relative") paths")
            }
            let existing = EmbeddingCache.stores(inRoot: target).compactMap { try? EmbeddingCache.readStore($0) }
            if let same = existing.first(where: { $0.directory.lastPathComponent == first.store.directory.lastPathComponent }),
               !Self.sameModel(same, first.store) {
                throw CLIError.failure("cannot merge caches of different models or preprocessing: "
                                       + Self.describe(into, same) + " and " + Self.describe(first.root, first.store))
            }
        }
        if first.layout == .folderRelative { try cacheCall { try EmbeddingCache.makeFolderRelative(root: target) } }

        let s = first.store
        let cache = try cacheCall {
            try EmbeddingCache(root: target, modelIdentity: s.modelIdentity, preprocessingKey: s.preprocessingKey, width: s.width,
                               onWait: { printError("waiting for another clipscope process using \(target.path) ...") },
                               warn: { printError("clipscope: \($0)") })
        }
        let before = cache.count
        var seen = Set<ItemPath>(), repeated = 0, total = 0
        do {
            for input in inputs {
                for e in input.store.entries { total += 1; if !seen.insert(e.path).inserted { repeated += 1 } }
                try cache.absorb(input.store.entries)
            }
            try cache.close()
        } catch { throw CLIError.failure("\(error)") }
        let after = try cacheCall { try EmbeddingCache.readStore(cache.storeDirectory) }
        let entries = after?.entries ?? []
        let vectors = entries.filter { if case .vector = $0.outcome { return true }; return false }.count
        try emit("merged \(total) entries from \(inputs.count) cache(s) into \(TerminalSafe.name(into)) (model \(s.modelIdentity)): "
                 + "\(entries.count) entries (\(vectors) vectors, \(entries.count - vectors) failures), \(before) there before"
                 + (repeated > 0 ? "; \(repeated) path(s) came from more than one input (newer file, then later input, kept)" : ""))
    }

    static func sameModel(_ a: StoreContents, _ b: StoreContents) -> Bool {
        a.modelIdentity == b.modelIdentity && a.preprocessingKey == b.preprocessingKey && a.width == b.width
    }

    static func describe(_ root: String, _ s: StoreContents) -> String {
        "\(TerminalSafe.name(root)) (model \(s.modelIdentity), preprocessing \(s.preprocessingKey), width \(s.width))"
    }

    private func cacheCall<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as CacheError { throw CLIError.failure(e.description) }
    }
}
