// The Hugging Face hub cache layout, read and written exactly as huggingface_hub does:
//
//   <cache>/models--owner--name/
//       blobs/<sha256 for LFS files | git blob sha1 for regular files>
//       blobs/<etag>.incomplete              (a download in progress; resumed with Range)
//       refs/<revision>                      (text: the 40-hex commit the revision points to)
//       snapshots/<commit>/<file>            (relative symlink → ../../blobs/<etag>)
import FileIO
import Foundation

public struct HFCacheRepo: Sendable {
    /// `<cache>/models--owner--name`
    public let root: URL
    public let repo: RepoID

    public init(cache: URL, repo: RepoID) {
        self.repo = repo
        self.root = cache.appendingPathComponent(repo.cacheFolderName, isDirectory: true)
    }

    public init(root: URL, repo: RepoID) {
        self.repo = repo
        self.root = root
    }

    public var blobs: URL { root.appendingPathComponent("blobs", isDirectory: true) }
    public var snapshots: URL { root.appendingPathComponent("snapshots", isDirectory: true) }
    public var refs: URL { root.appendingPathComponent("refs", isDirectory: true) }

    public func blob(_ etag: String) -> URL { blobs.appendingPathComponent(etag) }
    public func incompleteBlob(_ etag: String) -> URL { blobs.appendingPathComponent(etag + ".incomplete") }
    public func snapshot(_ commit: String) -> URL { snapshots.appendingPathComponent(commit, isDirectory: true) }

    /// The commit `refs/<revision>` points to, if recorded. Only a 40-hex commit id counts: anything else
    /// (`../../elsewhere`, a path, garbage, a FIFO) is ignored, so a ref can never lead out of snapshots/.
    public func commit(forRef revision: String) -> String? {
        guard let data = try? SafeFile.read(refs.appendingPathComponent(revision).path, limit: 4096, what: "ref"),
              let text = String(data: data, encoding: .utf8) else { return nil }
        let c = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return Self.isCommitID(c) ? c.lowercased() : nil
    }

    /// 40 hex digits: the only thing a ref may hold.
    public static func isCommitID(_ s: String) -> Bool { Hex.isHex(s, length: 40) }

    /// The snapshot directory for a revision: a commit hash (or unique prefix of one) names its snapshot
    /// directly, a branch/tag goes through refs/. Nil when not cached.
    public func snapshotDirectory(revision: String) -> (directory: URL, commit: String)? {
        if let commit = commit(forRef: revision), FileSystem.isDirectory(snapshot(commit)) {
            return (snapshot(commit), commit)
        }
        if Hex.isHex(revision, length: revision.count), revision.count >= 7 {
            let matches = snapshotCommits().filter { $0.hasPrefix(revision.lowercased()) }
            if matches.count == 1 { return (snapshot(matches[0]), matches[0]) }
        }
        return nil
    }

    /// Every snapshot commit present (sorted).
    public func snapshotCommits() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: snapshots.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && FileSystem.isDirectory(snapshot($0)) }.sorted()
    }

    /// Every ref name with its commit (`main`, `refs/pr/1`…).
    public func allRefs() -> [(name: String, commit: String)] {
        guard let e = FileManager.default.enumerator(at: refs, includingPropertiesForKeys: nil) else { return [] }
        var out: [(String, String)] = []
        for case let url as URL in e where FileSystem.isFile(url) {
            let name = String(url.standardizedFileURL.path.dropFirst(refs.standardizedFileURL.path.count + 1))
            if let c = commit(forRef: name) { out.append((name, c)) }
        }
        return out.sorted { $0.0 < $1.0 }
    }

    // MARK: writing

    /// Links `files` (relative path → blob etag) into snapshots/<commit>/. A new snapshot is built in a
    /// hidden temporary directory and renamed into place, so it appears complete or not at all; an
    /// existing one (e.g. made by Python with other files) gets each link added atomically.
    public func installSnapshot(commit: String, files: [(path: String, etag: String)]) throws {
        try FileSystem.createDirectory(snapshots)
        let final = snapshot(commit)
        if !FileSystem.isDirectory(final) {
            let tmp = snapshots.appendingPathComponent(".tmp-\(commit)-\(UUID().uuidString)", isDirectory: true)
            try FileSystem.createDirectory(tmp)
            do {
                for f in files { try link(f.path, etag: f.etag, in: tmp) }
                try FileSystem.rename(tmp, to: final)
                return
            } catch {
                try? FileManager.default.removeItem(at: tmp)
                if !FileSystem.isDirectory(final) { throw error }   // lost a race: fall through and add links
            }
        }
        for f in files { try link(f.path, etag: f.etag, in: final) }
    }

    /// snapshots/<x>/<path> → ../../blobs/<etag> (one more ../ per directory level in `path`).
    private func link(_ path: String, etag: String, in dir: URL) throws {
        let dest = dir.appendingPathComponent(path)
        try FileSystem.createDirectory(dest.deletingLastPathComponent())
        let depth = path.split(separator: "/").count - 1
        let target = String(repeating: "../", count: depth + 2) + "blobs/" + etag
        let tmp = dest.deletingLastPathComponent().appendingPathComponent(".\(dest.lastPathComponent).\(UUID().uuidString).lnk")
        guard symlink(target, tmp.path) == 0 else {
            throw ModelHubError.io("cannot create symlink \(tmp.path): \(String(cString: strerror(errno)))")
        }
        do { try FileSystem.rename(tmp, to: dest) } catch { unlink(tmp.path); throw error }
    }

    /// Marks the cache root with a CACHEDIR.TAG (backup tools skip it), as huggingface_hub does; best effort.
    static func tagCacheDirectory(_ cache: URL) {
        let tag = cache.appendingPathComponent("CACHEDIR.TAG")
        guard !FileManager.default.fileExists(atPath: tag.path) else { return }
        let text = "Signature: 8a477f597d28d172789f06886806bc55\n"
            + "# This file is a cache directory tag created by huggingface_hub.\n"
            + "# For information about cache directory tags, see:\n#\thttps://bford.info/cachedir/\n"
        try? FileSystem.writeAtomically(Data(text.utf8), to: tag)
    }

    /// Writes refs/<revision> = commit (atomically). Not written when the revision is the commit itself.
    public func writeRef(_ revision: String, commit: String) throws {
        guard revision != commit else { return }
        try FileSystem.writeAtomically(Data(commit.utf8), to: refs.appendingPathComponent(revision))
    }
}

/// Walks all HF caches for models.
public enum HFCacheScanner {
    /// Every `models--*` repo in the given caches.
    public static func repos(in caches: [URL]) -> [HFCacheRepo] {
        var out: [HFCacheRepo] = []
        for cache in caches where FileSystem.isDirectory(cache) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: cache.path)) ?? []
            for name in names.sorted() where name.hasPrefix("models--") {
                let parts = name.dropFirst("models--".count).components(separatedBy: "--")
                let repo: RepoID
                if parts.count == 2 { repo = RepoID(owner: parts[0], name: parts[1]) }
                else if parts.count == 1 { repo = RepoID(owner: "", name: parts[0]) }   // canonical models without owner
                else { continue }
                out.append(HFCacheRepo(root: cache.appendingPathComponent(name, isDirectory: true), repo: repo))
            }
        }
        return out
    }
}
