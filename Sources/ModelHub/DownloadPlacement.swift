// Where a download's bytes go, for the two destinations:
//
//   HF cache      partial  blobs/<etag>.incomplete → blobs/<etag>; then snapshots/<commit>/<file>
//                 symlinks (new snapshot appears at once, see HFCacheRepo.installSnapshot) and refs/<rev>.
//   models dir    partial  <models>/<owner>/.<name>.partial/<file>.incomplete → …/<file>; then
//                 clipscope-checksums.json, and the staging folder is renamed to <models>/<owner>/<name>
//                 (an older copy is moved aside first and deleted after).
import FileIO
import Foundation

struct DownloadPlacement {
    enum Kind { case cache(HFCacheRepo), models(final: URL, staging: URL) }
    let kind: Kind
    let options: DownloadOptions

    init(options: DownloadOptions, env: HubEnvironment) throws {
        self.options = options
        switch options.destination {
        case .hfCache(let dir):
            kind = .cache(HFCacheRepo(cache: dir ?? env.hfCacheForWriting, repo: options.repo))
        case .modelsDirectory(let dir):
            let owner = (dir ?? env.clipscopeModelsDirectory).appendingPathComponent(options.repo.owner, isDirectory: true)
            kind = .models(final: owner.appendingPathComponent(options.repo.name, isDirectory: true),
                           staging: owner.appendingPathComponent(".\(options.repo.name).partial", isDirectory: true))
        }
    }

    /// No absolute paths, no `..`, no empty components.
    static func isSafeRelativePath(_ p: String) -> Bool {
        !p.isEmpty && !p.hasPrefix("/") && !p.split(separator: "/", omittingEmptySubsequences: false)
            .contains { $0.isEmpty || $0 == "." || $0 == ".." }
    }

    func partialURL(_ remote: RemoteFile) -> URL {
        switch kind {
        case .cache(let repo): return repo.incompleteBlob(remote.etag)
        case .models(_, let staging): return staging.appendingPathComponent(remote.path + ".incomplete")
        }
    }

    /// The lock guarding one file's download: huggingface_hub's path in the HF cache.
    func lockURL(_ remote: RemoteFile) -> URL {
        switch kind {
        case .cache(let repo):
            return repo.root.deletingLastPathComponent().appendingPathComponent(".locks/\(repo.root.lastPathComponent)/\(remote.etag).lock")
        case .models(_, let staging):
            return staging.deletingLastPathComponent().appendingPathComponent(".locks/\(options.repo.name)-\(remote.etag).lock")
        }
    }

    /// The verified file when it is already in place (a blob of the cache, or a staged file), else nil.
    func existingVerified(_ remote: RemoteFile) throws -> DownloadResult.File? {
        let url: URL
        switch kind {
        case .cache(let repo): url = repo.blob(remote.etag)
        case .models(_, let staging): url = staging.appendingPathComponent(remote.path)
        }
        guard FileSystem.isFile(url) else { return nil }
        let size = try FileSystem.fileSize(url)
        if let expected = remote.size, size != expected { return nil }
        switch kind {
        case .cache:
            // Blobs are named by their hash and only renamed into place after verification.
            return DownloadResult.File(path: remote.path, size: size, sha256: remote.isLFS ? remote.etag.lowercased() : nil, reused: true)
        case .models:
            let sha = try SHA256.hash(fileAt: url)
            if remote.isLFS, sha != remote.etag.lowercased() { return nil }
            return DownloadResult.File(path: remote.path, size: size, sha256: sha, reused: true)
        }
    }

    /// For the models dir: the folder already holds this commit with every file at the expected size
    /// (and LFS hash) per its clipscope-checksums.json → nothing to do. The HF cache checks per blob instead.
    func alreadyInstalled(commit: String, remotes: [RemoteFile]) throws -> DownloadResult? {
        guard case .models(let final, _) = kind, let record = try? ModelChecksums.load(from: final),
              record.commit == commit else { return nil }
        var files: [DownloadResult.File] = []
        for r in remotes {
            guard let entry = record.files[r.path], FileSystem.isFile(final.appendingPathComponent(r.path)),
                  let size = try? FileSystem.fileSize(final.appendingPathComponent(r.path)), size == entry.size,
                  r.size == nil || r.size == size, !r.isLFS || entry.sha256 == r.etag.lowercased() else { return nil }
            files.append(DownloadResult.File(path: r.path, size: size, sha256: entry.sha256, reused: true))
        }
        return DownloadResult(directory: final, commit: commit, files: files, bytesTransferred: 0)
    }

    /// Moves a verified partial file to its final blob/staged name.
    func accept(_ remote: RemoteFile, from partial: URL) throws {
        switch kind {
        case .cache(let repo): try FileSystem.rename(partial, to: repo.blob(remote.etag))
        case .models(_, let staging): try FileSystem.rename(partial, to: staging.appendingPathComponent(remote.path))
        }
    }

    /// Publishes the complete download; returns the model directory.
    func install(commit: String, remotes: [RemoteFile], files: [DownloadResult.File]) throws -> URL {
        switch kind {
        case .cache(let repo):
            try repo.installSnapshot(commit: commit, files: remotes.map { ($0.path, $0.etag) })
            HFCacheRepo.tagCacheDirectory(repo.root.deletingLastPathComponent())
            try repo.writeRef(options.repo.effectiveRevision, commit: commit)
            return repo.snapshot(commit)
        case .models(let final, let staging):
            var entries: [String: ModelChecksums.Entry] = [:]
            for f in files { entries[f.path] = ModelChecksums.Entry(sha256: f.sha256 ?? "", size: f.size) }
            let record = ModelChecksums(repo: options.repo.id, revision: options.repo.effectiveRevision, commit: commit, files: entries)
            try record.write(to: staging)
            var aside: URL?
            if FileManager.default.fileExists(atPath: final.path) {
                let old = final.deletingLastPathComponent().appendingPathComponent(".\(final.lastPathComponent).old-\(UUID().uuidString)")
                try FileSystem.rename(final, to: old)
                aside = old
            }
            do { try FileSystem.rename(staging, to: final) } catch {
                if let aside { try? FileSystem.rename(aside, to: final) }
                throw error
            }
            if let aside { try? FileManager.default.removeItem(at: aside) }
            return final
        }
    }
}
