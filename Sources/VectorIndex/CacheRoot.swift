// A cache root as a whole: its path layout, the stores it holds, and a read-only look at one store
// (for `clipscope cache merge`).
//
//   layout.json absent                                  paths stored absolute (the shared default cache)
//   layout.json {"paths": "folder-relative", …}          paths stored relative to the folder that was indexed,
//                                                        so roots written on machines that mount the folder at
//                                                        different places merge; such a root serves one folder tree
import FileIO
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a cache root stores paths.
public enum PathLayout: String, Sendable {
    case absolute
    case folderRelative = "folder-relative"
}

/// Everything one store holds, read without modifying it.
public struct StoreContents: Sendable {
    public var directory: URL
    public var modelIdentity: String
    public var preprocessingKey: String
    public var width: Int
    /// Live entries (snapshot, then journal replayed), sorted by stored path.
    public var entries: [CacheEntry]
    /// Damage met while reading (the intact records before it are in `entries`).
    public var warnings: [String]
}

extension EmbeddingCache {
    public static let layoutFileName = "layout.json"

    /// The root's layout; an unreadable or unknown layout file is an error naming it.
    public static func layout(ofRoot root: URL) throws -> PathLayout {
        let path = root.appendingPathComponent(layoutFileName).path
        let data: Data
        do {
            guard let d = try SafeFile.readIfPresent(path) else { return .absolute }
            data = d
        } catch let e as SafeFileError {
            // A root that cannot exist (a file where a directory should be) has no layout; opening its
            // store then reports the real problem.
            if e.code == ENOTDIR { return .absolute }
            throw CacheError(path, "cannot read the cache layout: " + e.reason)
        }
        guard let doc = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let paths = doc["paths"] as? String, let layout = PathLayout(rawValue: paths) else {
            throw CacheError(path, "not a clipscope cache layout file (expected {\"paths\": \"folder-relative\"} or no file)")
        }
        return layout
    }

    /// Creates `root` if needed and records (atomically) that it stores folder-relative paths.
    public static func makeFolderRelative(root: URL) throws {
        do { try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true) } catch {
            throw CacheError(root.path, "cannot create the cache directory")
        }
        if try layout(ofRoot: root) == .folderRelative { return }
        let text = "{\"format\": \"clipscope cache root\", \"paths\": \"folder-relative\"}\n"
        do { try AtomicFile.write(Data(text.utf8), to: root.appendingPathComponent(layoutFileName).path) } catch {
            throw CacheError(root.appendingPathComponent(layoutFileName).path, "cannot write the cache layout: \(error)")
        }
    }

    /// The store directories in a root (`store-*`), sorted by name; a missing root has none.
    public static func stores(inRoot root: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { $0.hasPrefix("store-") && !$0.contains(".") }.sorted().compactMap { name in
            let url = root.appendingPathComponent(name, isDirectory: true)
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue ? url : nil
        }
    }

    /// Reads a store without changing it: the header of its snapshot (or journal) names the model,
    /// preprocessing and width; entries are the snapshot's with the journal replayed over them. Holds a
    /// shared lock while reading, so a process still writing the store is waited for. nil: no cache files.
    public static func readStore(_ directory: URL, onWait: (() -> Void)? = nil) throws -> StoreContents? {
        let lockPath = directory.appendingPathComponent("lock").path
        let lockFD = open(lockPath, O_RDONLY | O_CLOEXEC)
        if lockFD >= 0 {
            if flock(lockFD, LOCK_SH | LOCK_NB) != 0 {
                onWait?()
                while flock(lockFD, LOCK_SH) != 0 && errno == EINTR {}
            }
        }
        defer { if lockFD >= 0 { flock(lockFD, LOCK_UN); Glibc.close(lockFD) } }

        func read(_ name: String) throws -> [UInt8]? {
            let path = directory.appendingPathComponent(name).path
            do { return try SafeFile.readIfPresent(path).map { [UInt8]($0) } } catch let e as SafeFileError {
                throw CacheError(path, "cannot read the cache file: " + e.reason)
            }
        }
        let snapshot = try read("vectors.bin"), journal = try read("journal.bin")
        guard let first = snapshot ?? journal else { return nil }
        guard let head = CacheFormat.readHeader(first) else {
            throw CacheError(directory.appendingPathComponent(snapshot != nil ? "vectors.bin" : "journal.bin").path,
                             "not a clipscope cache file of a format this clipscope reads")
        }
        var out = StoreContents(directory: directory, modelIdentity: head.identity, preprocessingKey: head.preprocessing,
                                width: head.width, entries: [], warnings: [])
        var live: [ItemPath: CacheEntry] = [:]
        for (name, data, kind) in [("vectors.bin", snapshot, CacheFileKind.snapshot), ("journal.bin", journal, .journal)] {
            guard let data else { continue }
            let path = directory.appendingPathComponent(name).path
            switch CacheFormat.checkHeader(data, kind: kind, width: head.width, identity: head.identity, preprocessing: head.preprocessing) {
            case let .problem(why):
                out.warnings.append("\(path) ignored: \(why)")
            case let .ok(length, version):
                let decoded = CacheFormat.decodeRecords(data, from: length, width: head.width, version: version)
                for r in decoded.records {
                    switch r {
                    case let .entry(e): live[e.path] = e
                    case let .tombstone(p): live[p] = nil
                    }
                }
                if let why = decoded.problem { out.warnings.append("\(path) is damaged (\(why)); kept \(decoded.records.count) intact records") }
            }
        }
        out.entries = live.keys.sorted().map { live[$0]! }
        return out
    }
}
