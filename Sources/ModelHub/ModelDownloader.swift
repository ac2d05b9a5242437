// `clipscope model download`: fetch a model's files from the hub's resolve endpoints, resumable and
// verified, into the HF cache layout (shared with Python) or ClipScope's own models directory.
//
// Per file:
//   1. HEAD {endpoint}/{repo}/resolve/{rev}/{file}, relative redirects followed (renamed repos),
//      absolute ones not: the hub's 302 to the CDN carries X-Repo-Commit, X-Linked-Etag (the LFS
//      SHA-256) and X-Linked-Size. Files after the first are asked for at the commit, so a branch
//      moving mid-download cannot mix revisions.
//   2. GET the resolve URL again (a fresh signed CDN URL on every attempt), following redirects
//      by hand: `Authorization` goes only to the endpoint's own origin. `Range: bytes=N-` when
//      N bytes are already in the `.incomplete` file; a 200 to a Range request restarts the file.
//   3. Size against X-Linked-Size/Content-Length, SHA-256 against the LFS etag (or git's blob
//      SHA-1 against the ETag of a regular file). A mismatch deletes the partial file and fails.
// The snapshot (or the models-dir folder) is installed only when every required file verified.
import FileIO
import Foundation

public struct DownloadOptions: Sendable {
    public enum Destination: Sendable, Equatable {
        /// The HF hub cache (nil: HubEnvironment.hfCacheForWriting).
        case hfCache(URL?)
        /// `<dir>/<owner>/<name>/` plain files + clipscope-checksums.json (nil: the ClipScope models dir).
        case modelsDirectory(URL?)
    }

    public var repo: RepoID
    /// Files that must exist; a 404 on any of them fails the download.
    public var files: [String]
    /// Files fetched when present (404 → skipped).
    public var optionalFiles: [String]
    public var destination: Destination
    /// Seconds without a byte before a request is abandoned.
    public var idleTimeout: TimeInterval
    /// Attempts per file for network failures (connection cut, timeout, 5xx); each resumes.
    public var maxAttempts: Int
    /// Pause before retry n is `retryDelay · 2^(n-1)`.
    public var retryDelay: TimeInterval
    /// Bytes asked for per GET (`Range: bytes=a-b`) when the size is known. URLSession on Linux hands
    /// the body to the delegate without back-pressure, so this bounds what can pile up in memory
    /// when the network is faster than the disk/CPU; it also gives each piece a fresh CDN URL.
    public var chunkSize: UInt64 = 64 << 20

    public static let defaultFiles = ["config.json", "preprocessor_config.json", "tokenizer.json", "model.safetensors"]
    public static let defaultOptionalFiles = ["tokenizer_config.json", "special_tokens_map.json", "README.md"]

    public init(repo: RepoID, files: [String] = DownloadOptions.defaultFiles,
                optionalFiles: [String] = DownloadOptions.defaultOptionalFiles,
                destination: Destination = .hfCache(nil), idleTimeout: TimeInterval = 30,
                maxAttempts: Int = 5, retryDelay: TimeInterval = 1) {
        self.repo = repo; self.files = files; self.optionalFiles = optionalFiles; self.destination = destination
        self.idleTimeout = idleTimeout; self.maxAttempts = maxAttempts; self.retryDelay = retryDelay
    }
}

public struct DownloadResult: Sendable {
    public struct File: Sendable, Equatable {
        public var path: String
        public var size: UInt64
        public var sha256: String?
        /// Skipped because the verified blob was already there.
        public var reused: Bool
    }
    /// The directory a resolver returns: snapshots/<commit>/ or <models>/<owner>/<name>/.
    public var directory: URL
    public var commit: String
    public var files: [File]
    public var bytesTransferred: UInt64
}

/// What the hub says about one file (from the HEAD answer).
struct RemoteFile {
    var path: String
    var commit: String?
    /// Normalized: no `W/`, no quotes.
    var etag: String
    var size: UInt64?
    var isLFS: Bool
}

public final class ModelDownloader {
    public let options: DownloadOptions
    let env: HubEnvironment
    let http: HubHTTP
    let progress: DownloadProgress
    /// Retry-After of the last 429/5xx answer in a transfer, used by the next pause.
    private var retryAfterHint: TimeInterval?

    public init(options: DownloadOptions, environment: [String: String] = ProcessInfo.processInfo.environment,
                progress: DownloadProgress = SilentProgress()) {
        self.options = options
        self.env = HubEnvironment(environment)
        self.http = HubHTTP(idleTimeout: options.idleTimeout)
        self.progress = progress
    }

    /// Throws `.offline` when HF_HUB_OFFLINE forbids the network.
    public static func ensureOnline(_ repo: RepoID, environment: [String: String]) throws {
        let env = HubEnvironment(environment)
        guard env.isOffline else { return }
        var message = "HF_HUB_OFFLINE=\(env.value("HF_HUB_OFFLINE") ?? "1") is set: not downloading \(repo) (no network access in offline mode)."
        var looked: [String] = []
        if let local = ModelResolver.findRepo(repo, env: env, looked: &looked) {
            message += " It is already available locally: \(local.directory.path)"
        } else {
            message += " Unset HF_HUB_OFFLINE to download, or use a local model (`clipscope model list`)."
        }
        throw ModelHubError.offline(message)
    }

    public func run() throws -> DownloadResult {
        let repo = options.repo
        try ModelDownloader.ensureOnline(repo, environment: env.variables)
        guard !options.files.isEmpty else { throw ModelHubError.invalidArgument("no files to download") }
        for f in options.files + options.optionalFiles where !DownloadPlacement.isSafeRelativePath(f) {
            throw ModelHubError.invalidArgument("unsafe file name \(f)")
        }
        let placement = try DownloadPlacement(options: options, env: env)

        // Metadata first: commit, etags, sizes; files after the first are pinned to the commit.
        var remotes: [RemoteFile] = []
        var commit: String?
        for (index, path) in (options.files + options.optionalFiles).enumerated() {
            let optional = index >= options.files.count
            guard let remote = try metadata(path, revision: commit ?? repo.effectiveRevision, optional: optional) else { continue }
            if commit == nil {
                if let c = remote.commit {
                    guard RepoID.isCommitHash(c) else {
                        throw ModelHubError.protocolError("\(env.endpoint) sent X-Repo-Commit `\(c)`, not a 40-hex commit id")
                    }
                    commit = c
                }
                else if RepoID.isCommitHash(repo.effectiveRevision) { commit = repo.effectiveRevision.lowercased() }
                else {
                    throw ModelHubError.protocolError("\(env.endpoint) did not send X-Repo-Commit for \(repo)/\(path); cannot name the snapshot")
                }
            }
            remotes.append(remote)
        }
        guard let commit else { throw ModelHubError.protocolError("no file metadata for \(repo)") }
        if let installed = try placement.alreadyInstalled(commit: commit, remotes: remotes) {
            for f in installed.files { progress.finish(file: f.path, bytes: f.size, skipped: true) }
            return installed
        }

        var done: [DownloadResult.File] = []
        var transferred: UInt64 = 0
        for remote in remotes {
            let (file, bytes) = try fetch(remote, commit: commit, placement: placement)
            done.append(file)
            transferred += bytes
        }
        let directory = try placement.install(commit: commit, remotes: remotes, files: done)
        return DownloadResult(directory: directory, commit: commit, files: done, bytesTransferred: transferred)
    }

    // MARK: metadata

    func resolveURL(_ path: String, revision: String) -> URL {
        let rev = revision.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_."))) ?? revision
        let file = path.split(separator: "/").map {
            String($0).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? String($0)
        }.joined(separator: "/")
        return URL(string: "\(env.endpoint)/\(options.repo.id)/resolve/\(rev)/\(file)")!
    }

    private var endpointURL: URL { URL(string: env.endpoint) ?? URL(string: "https://huggingface.co")! }

    /// Headers for a request to `url`: the token only on the endpoint's own origin.
    func headers(for url: URL, extra: [String: String] = [:]) -> [String: String] {
        var h = extra
        if let token = env.token, sameOrigin(url, endpointURL) { h["Authorization"] = "Bearer \(token)" }
        return h
    }

    private func metadata(_ path: String, revision: String, optional: Bool) throws -> RemoteFile? {
        var url = resolveURL(path, revision: revision)
        var attempt = 0
        var hops = 0
        var carried: [String: String] = [:]   // metadata headers of earlier (relative-redirect) hops
        while true {
            let r = http.send("HEAD", url, headers: headers(for: url))
            guard let head = r.head, r.transportError == nil, !r.timedOut else {
                attempt += 1
                let why = describeTransport(r, url: url)
                // A host that does not resolve or a URL that cannot be fetched will not get better: say so now.
                if Self.isPermanent(r.transportError) {
                    throw ModelHubError.network("cannot reach the hub at \(url.scheme ?? "?")://\(url.host ?? "?") (\(why)); "
                                                + "check HF_ENDPOINT (now \(env.endpoint))")
                }
                if attempt >= options.maxAttempts { throw ModelHubError.network("cannot reach the hub for \(options.repo)/\(path): \(why)") }
                progress.note("\(path): \(why); retrying (\(attempt)/\(options.maxAttempts - 1))")
                pause(attempt)
                continue
            }
            if (300..<400).contains(head.status), let loc = head.header("location"), URL(string: loc)?.host == nil,
               let next = URL(string: loc, relativeTo: url)?.absoluteURL, hops < 5 {
                // Relative redirect (renamed repo, /api/resolve-cache/…): follow, keep what it told us.
                for k in ["x-repo-commit", "x-linked-etag", "x-linked-size"] { if let v = head.header(k) { carried[k] = v } }
                url = next; hops += 1; continue
            }
            func header(_ k: String) -> String? { head.header(k) ?? carried[k] }
            if head.status == 404, optional { return nil }
            if HTTPRetry.isRetryable(status: head.status), attempt + 1 < options.maxAttempts {
                attempt += 1
                let wait = Self.retryAfter(head.header("retry-after"))
                progress.note("\(path): \(head.status == 429 ? "rate limited (429)" : "server error \(head.status)"); retrying"
                              + (wait.map { " in \(formatSeconds($0)) (Retry-After)" } ?? "") + " (\(attempt)/\(options.maxAttempts - 1))")
                pause(attempt, retryAfter: wait); continue
            }
            guard (200..<400).contains(head.status) else { throw httpError(head, body: r.errorBody, file: path, revision: revision) }
            let linked = header("x-linked-etag")
            guard let rawTag = linked ?? head.header("etag") else {
                throw ModelHubError.protocolError("\(url.absoluteString): no ETag or X-Linked-Etag header; cannot verify \(path)")
            }
            let size = (header("x-linked-size") ?? (head.status < 300 ? head.header("content-length") : nil)).flatMap { UInt64($0) }
            let etag = ModelDownloader.normalizeETag(rawTag)
            guard ModelDownloader.isSafeETag(etag) else {
                throw ModelHubError.protocolError("\(url.absoluteString): unusable ETag `\(rawTag)` for \(path)")
            }
            return RemoteFile(path: path, commit: header("x-repo-commit")?.lowercased(), etag: etag, size: size,
                              isLFS: linked != nil || Hex.isHex(etag, length: 64))
        }
    }

    /// `W/"abc"` → `abc`.
    static func normalizeETag(_ raw: String) -> String {
        var t = raw.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("W/") { t = String(t.dropFirst(2)) }
        return t.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    // MARK: body

    /// Downloads one file into its partial location with resume and retries, verifies it and moves it
    /// into place. Returns the file record and the bytes that crossed the network.
    private func fetch(_ remote: RemoteFile, commit: String, placement: DownloadPlacement) throws -> (DownloadResult.File, UInt64) {
        // The same lock file huggingface_hub takes (<cache>/.locks/models--o--n/<etag>.lock, flock),
        // so a Python download and this one never write the same .incomplete file at once.
        let lock = try FileLock(placement.lockURL(remote))
        if !lock.tryLock() {
            progress.note("\(remote.path): another process is downloading it; waiting…")
            try lock.lock()
        }
        defer { lock.unlock() }
        if let existing = try placement.existingVerified(remote) {
            progress.finish(file: remote.path, bytes: existing.size, skipped: true)
            return (existing, 0)
        }
        let partial = placement.partialURL(remote)
        try FileSystem.createDirectory(partial.deletingLastPathComponent())
        var transferred: UInt64 = 0
        var attempt = 0
        var restarts = 0
        var begun = false
        while true {
            var offset = FileSystem.isFile(partial) ? try FileSystem.fileSize(partial) : 0
            if let size = remote.size, offset > size { try truncate(partial, to: 0); offset = 0 }
            if !begun { progress.begin(file: remote.path, total: remote.size, resumedFrom: offset); begun = true }
            if let size = remote.size, offset == size { break }   // complete from an earlier run
            if let size = remote.size, let free = FileSystem.freeBytes(partial.deletingLastPathComponent()),
               size - offset > free {
                throw ModelHubError.io("not enough disk space for \(remote.path) in \(partial.deletingLastPathComponent().path): "
                    + "needs \(ProgressFormat.bytes(size - offset)), \(ProgressFormat.bytes(free)) free")
            }
            let outcome = try transfer(remote, commit: commit, to: partial, offset: offset)
            transferred += outcome.bytes
            switch outcome.state {
            case .complete: break
            case .progressed:
                attempt = 0
                continue
            case .restart:
                restarts += 1
                if restarts > 3 {
                    throw ModelHubError.protocolError("\(options.repo)/\(remote.path): the server keeps answering range requests "
                        + "inconsistently (restarted \(restarts - 1) times)")
                }
                try truncate(partial, to: 0)
                continue
            case .retry(let why):
                attempt += 1
                if attempt >= options.maxAttempts {
                    let have = (try? FileSystem.fileSize(partial)) ?? 0
                    throw ModelHubError.network("\(options.repo)/\(remote.path): \(why); gave up after \(attempt) attempt(s). "
                        + "\(ProgressFormat.bytes(have)) kept in \(partial.path); run the command again to resume.")
                }
                progress.note("\(remote.path): \(why); resuming (attempt \(attempt + 1) of \(options.maxAttempts))")
                pause(attempt)
                continue
            }
            break
        }
        let file = try verify(remote, at: partial)
        try placement.accept(remote, from: partial)
        progress.finish(file: remote.path, bytes: file.size, skipped: false)
        return (file, transferred)
    }

    /// complete: the file is whole · progressed: a chunk arrived, ask for the next · restart: start the
    /// file over (Range ignored or inconsistent) · retry: network trouble, resume after a pause.
    private enum TransferState { case complete, progressed, restart, retry(String) }

    /// One GET of the resolve URL (redirects followed by hand) appending to `partial` from `offset`.
    private func transfer(_ remote: RemoteFile, commit: String, to partial: URL, offset: UInt64) throws -> (state: TransferState, bytes: UInt64) {
        var url = resolveURL(remote.path, revision: commit)
        for _ in 0..<10 {
            var extra: [String: String] = [:]
            if let size = remote.size, size > options.chunkSize {
                extra["Range"] = "bytes=\(offset)-\(min(size, offset + options.chunkSize) - 1)"
            } else if offset > 0 {
                extra["Range"] = "bytes=\(offset)-"
            }
            let writer = try PartialFileWriter(partial, offset: offset)
            let path = remote.path, progress = self.progress
            let r = http.send("GET", url, headers: headers(for: url, extra: extra)) { data in
                try writer.append(data)
                progress.update(file: path, bytes: writer.position)
            }
            try writer.close()
            if let e = r.sinkError { throw ModelHubError.io("writing \(partial.path): \(e.localizedDescription)") }
            guard let head = r.head else { return (.retry(describeTransport(r, url: url)), r.bytesReceived) }
            switch head.status {
            case 301, 302, 303, 307, 308:
                guard let loc = head.header("location"), let next = URL(string: loc, relativeTo: url)?.absoluteURL else {
                    throw ModelHubError.protocolError("\(url.absoluteString) answered \(head.status) without a Location header")
                }
                url = next
                continue
            case 200 where offset > 0:
                return (.restart, r.bytesReceived)   // Range ignored: start the file over
            case 206:
                let start = head.header("content-range").flatMap(ModelDownloader.contentRangeStart)
                if start != offset { return (.restart, r.bytesReceived) }
            case 416:
                return (.restart, 0)
            case 200:
                break
            case 500..., 429:
                retryAfterHint = Self.retryAfter(head.header("retry-after"))
                return (.retry(head.status == 429 ? "rate limited (429) by \(url.host ?? "?")" : "server error \(head.status) from \(url.host ?? "?")"),
                        r.bytesReceived)
            default:
                throw httpError(head, body: r.errorBody, file: remote.path, revision: commit)
            }
            if r.timedOut || r.transportError != nil { return (.retry(describeTransport(r, url: url)), r.bytesReceived) }
            if let size = remote.size, writer.position < size {
                // A clean 206 (curl checked its Content-Length): ask for the next piece.
                if head.status == 206, r.bytesReceived > 0 { return (.progressed, r.bytesReceived) }
                return (.retry("connection closed at \(writer.position) of \(size) bytes"), r.bytesReceived)
            }
            return (.complete, r.bytesReceived)
        }
        throw ModelHubError.protocolError("too many redirects for \(remote.path) (last: \(url.absoluteString))")
    }

    /// The etag names a file in blobs/: letters, digits, `-`, `_`, `.`; not hidden, not empty.
    static func isSafeETag(_ etag: String) -> Bool {
        !etag.isEmpty && etag.count <= 200 && !etag.hasPrefix(".")
            && etag.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) }
    }

    /// `bytes 100-199/200` → 100.
    static func contentRangeStart(_ value: String) -> UInt64? {
        let v = value.trimmingCharacters(in: .whitespaces)
        guard v.lowercased().hasPrefix("bytes ") else { return nil }
        let spec = v.dropFirst(6)
        guard let dash = spec.firstIndex(of: "-") else { return nil }
        return UInt64(spec[..<dash].trimmingCharacters(in: .whitespaces))
    }

    /// Size and hash checks; on mismatch the partial file is deleted (a resume could not fix it).
    private func verify(_ remote: RemoteFile, at partial: URL) throws -> DownloadResult.File {
        let size = try FileSystem.fileSize(partial)
        func refuse(_ what: String) -> ModelHubError {
            try? FileManager.default.removeItem(at: partial)
            return ModelHubError.corrupted("\(options.repo)/\(remote.path) is corrupted: \(what). "
                + "The download was discarded and nothing was installed; run the command again.")
        }
        if let expected = remote.size, size != expected { throw refuse("\(size) bytes, the hub says \(expected)") }
        if size >= 50_000_000 { progress.note("verifying \(remote.path) (SHA-256 of \(ProgressFormat.bytes(size)))") }
        let sha = try SHA256.hash(fileAt: partial)
        if remote.isLFS {
            guard Hex.isHex(remote.etag, length: 64) else {
                throw refuse("the hub's LFS etag \(remote.etag) is not a SHA-256")
            }
            if sha != remote.etag.lowercased() { throw refuse("SHA-256 \(sha), expected \(remote.etag.lowercased())") }
        } else if Hex.isHex(remote.etag, length: 40) {
            let git = try GitBlobSHA1.hash(fileAt: partial)
            if git != remote.etag.lowercased() { throw refuse("git blob id \(git), expected \(remote.etag.lowercased())") }
        }
        return DownloadResult.File(path: remote.path, size: size, sha256: sha, reused: false)
    }

    // MARK: helpers

    private func truncate(_ url: URL, to size: UInt64) throws {
        guard Foundation.truncate(url.path, off_t(size)) == 0 else {
            throw ModelHubError.io("cannot truncate \(url.path): \(String(cString: strerror(errno)))")
        }
    }

    /// Pause before retry `attempt` (HTTPRetry.delay with retryDelay as the base).
    private func pause(_ attempt: Int, retryAfter: TimeInterval? = nil) {
        let hinted = retryAfter ?? retryAfterHint
        retryAfterHint = nil
        let delay = HTTPRetry.delay(attempt: attempt, base: options.retryDelay, retryAfter: hinted)
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
    }

    static func retryAfter(_ value: String?) -> TimeInterval? { HTTPRetry.retryAfter(value) }

    /// Transport errors that retrying cannot fix: an unknown host, a malformed or unsupported URL.
    static func isPermanent(_ error: Error?) -> Bool {
        guard let e = error as? URLError else { return false }
        return [.cannotFindHost, .dnsLookupFailed, .unsupportedURL, .badURL].contains(e.code)
    }

    private func describeTransport(_ r: HTTPResult, url: URL) -> String {
        let host = url.host.map { h in url.port.map { "\(h):\($0)" } ?? h } ?? url.absoluteString
        if r.timedOut { return "timed out: no data from \(host) for \(formatSeconds(options.idleTimeout))" }
        if let e = r.transportError { return "connection to \(host) failed (\(e.localizedDescription))" }
        return "no answer from \(host)"
    }

    private func formatSeconds(_ s: TimeInterval) -> String {
        s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s)
    }

    private func httpError(_ head: HTTPHead, body: Data, file: String, revision: String) -> ModelHubError {
        let repo = options.repo
        let code = head.header("x-error-code") ?? ""
        let serverMessage = head.header("x-error-message").map { " (\($0))" } ?? ""
        let where_ = "\(head.url.absoluteString)"
        let message: String
        switch head.status {
        case 401 where code == "GatedRepo", 403 where code == "GatedRepo":
            message = "\(head.status): \(repo.id) is gated; accept its conditions at \(env.endpoint)/\(repo.id) "
                + "and set HF_TOKEN to a token of that account.\(serverMessage)"
        case 401:
            message = env.token == nil
                ? "401 Unauthorized: \(repo.id) needs an access token (gated, private or misspelled repository). "
                    + "Set HF_TOKEN or log in with `huggingface-cli login`.\(serverMessage)"
                : "401 Unauthorized: the hub rejected the access token for \(repo.id) (from HF_TOKEN or the HF token file).\(serverMessage)"
        case 403:
            message = "403 Forbidden: no access to \(repo.id); if it is gated, accept its conditions at \(env.endpoint)/\(repo.id).\(serverMessage)"
        case 404 where code == "RepoNotFound":
            message = "404: repository \(repo.id) not found on \(env.endpoint).\(serverMessage)"
        case 404 where code == "RevisionNotFound":
            message = "404: revision \(revision) not found in \(repo.id).\(serverMessage)"
        case 404:
            message = "404 Not Found: \(file) in \(repo.id) at revision \(revision) (\(where_)).\(serverMessage)"
        default:
            let snippet = String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            message = "HTTP \(head.status) from \(where_) for \(file)\(serverMessage)" + (snippet.isEmpty ? "" : ": \(snippet)")
        }
        return .http(status: head.status, message: message)
    }
}

/// An exclusive flock(2) on a lock file (created if needed), released by unlock() or process exit.
final class FileLock {
    private let fd: Int32
    let url: URL

    init(_ url: URL) throws {
        self.url = url
        try FileSystem.createDirectory(url.deletingLastPathComponent())
        fd = open(url.path, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else { throw ModelHubError.io("cannot open lock file \(url.path): \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    func tryLock() -> Bool { flock(fd, LOCK_EX | LOCK_NB) == 0 }

    func lock() throws {
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw ModelHubError.io("cannot lock \(url.path): \(String(cString: strerror(errno)))") }
        }
    }

    func unlock() { flock(fd, LOCK_UN) }
}

/// Appends to a partial file from a known offset (the file is truncated to it first).
final class PartialFileWriter: @unchecked Sendable {
    private let handle: FileHandle
    private let url: URL
    private(set) var position: UInt64

    init(_ url: URL, offset: UInt64) throws {
        self.url = url
        if !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw ModelHubError.io("cannot create \(url.path)")
            }
        }
        do {
            handle = try FileHandle(forWritingTo: url)
            try handle.truncate(atOffset: offset)
            try handle.seek(toOffset: offset)
        } catch {
            throw ModelHubError.io("cannot open \(url.path) for writing: \(error.localizedDescription)")
        }
        position = offset
    }

    private var closed = false
    private let lock = NSLock()

    /// Called on URLSession's delegate queue; a late call after close() (a cancelled transfer) is refused.
    func append(_ data: Data) throws {
        lock.lock(); defer { lock.unlock() }
        guard !closed else { throw ModelHubError.io("\(url.path): write after the transfer ended") }
        try handle.write(contentsOf: data)
        position += UInt64(data.count)
    }

    func close() throws {
        lock.lock(); defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        try handle.close()
    }
}
