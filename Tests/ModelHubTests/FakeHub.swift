// A loopback imitation of the Hugging Face hub serving the tiny fixture model:
//   hub  127.0.0.1:A  HEAD/GET /{owner}/{name}/resolve/{rev}/{file}
//        regular files → 200 with ETag = git blob id, X-Repo-Commit, body
//        LFS files     → 302 to the CDN with X-Linked-Etag = SHA-256, X-Linked-Size, X-Repo-Commit
//        unknown repo/revision/file → 404 with X-Error-Code (RepoNotFound/RevisionNotFound/EntryNotFound)
//        requireToken set and no/wrong `Authorization: Bearer …` → 401
//        a request for `oldowner/oldname` → 307 relative redirect to the real repo (renamed repo)
//   cdn  127.0.0.1:B  GET /blobs/{sha256}?sig=… with Range support (206 + Content-Range)
// Per-file behaviour: cut the connection after N body bytes (the first `cutTimes` GETs), serve
// corrupted bytes, answer a fixed status, stall (timeout). Expected digests are hard-coded from
// `sha256sum` / `git hash-object`, independent of the code under test.
import Foundation
import TestSupport

final class FakeHub: @unchecked Sendable {
    struct Behaviour {
        var cutAfter: Int?
        var cutTimes = 1
        var corrupt = false
        var status: Int?
        /// How many hub requests for the file get `status` (then it is served normally).
        var statusTimes = Int.max
        var stall: TimeInterval = 0
        /// Ignore Range and always answer 200 with the whole file.
        var ignoreRange = false
    }

    struct FileInfo {
        var data: Data
        var sha256: String
        var gitSHA1: String
        var isLFS: Bool
    }

    static let commit = "e10d47f5691d0454a0fb5d13f46f2199b74cb436"
    static let owner = "jinaai", name = "jina-clip-v2"
    /// sha256sum / git hash-object of Tests/Fixtures/jina-clip-v2-tiny files.
    static let digests: [String: (sha256: String, git: String)] = [
        "config.json": ("9a81b88a9de78c6c67d2d381e55d1cc292e9368d728a641ad5e107028bc05ab6", "26ec7db36be1f2db246382274d9c6d9ec17818ff"),
        "model.safetensors": ("b88ff97148aff89d57371387044623cea5dcbb76412bf4425995c9642cc58074", "fab9fe53fe7fc0908648528269535c76e4e05e81"),
        "tokenizer.json": ("b2dc2299bbc4b31c331bfc44af0376ba0835cafd094a47958f3ff628993cd3c7", "e36ba52ac3f1ec2fdb16e5019d5a3b9ba90be839"),
        "preprocessor_config.json": ("fdf4eb8b027636e67989a544e0d06326f00b0761a7a32e2d5b7717f568971252", "70032f64ec1f35b8b5de581319d73fe4e7eb81f4"),
    ]

    let files: [String: FileInfo]
    var requireToken: String?
    /// Sent as X-Repo-Commit instead of the real commit (to test that bad values are refused).
    var commitHeader = FakeHub.commit
    /// Regular files answer like the current hub: 307 (relative) to /api/resolve-cache/models/…, whose
    /// 200 carries the ETag but not X-Repo-Commit (that is on the 307).
    var resolveCache = false
    private let lock = NSLock()
    private var behaviours: [String: Behaviour] = [:]
    private var gets: [String: Int] = [:]
    private var statusServed: [String: Int] = [:]
    private(set) var hub: LoopbackHTTPServer!
    private(set) var cdn: LoopbackHTTPServer!

    /// Host name in the CDN redirect: `localhost` makes the blob host differ by name as well as by port.
    let cdnHost: String

    init(requireToken: String? = nil, cdnHost: String = "127.0.0.1") throws {
        self.cdnHost = cdnHost
        var files: [String: FileInfo] = [:]
        for (name, d) in FakeHub.digests {
            files[name] = FileInfo(data: try Data(contentsOf: Fixtures.tiny(name)), sha256: d.sha256, gitSHA1: d.git,
                                   isLFS: name.hasSuffix(".safetensors") || name == "tokenizer.json")
        }
        self.files = files
        self.requireToken = requireToken
        // weak: a connection accepted while the test ends must not touch a freed FakeHub.
        cdn = try LoopbackHTTPServer { [weak self] in self?.serveCDN($0) ?? .init(status: 503) }
        hub = try LoopbackHTTPServer { [weak self] in self?.serveHub($0) ?? .init(status: 503) }
    }

    deinit { hub?.stop(); cdn?.stop() }

    var endpoint: String { hub.baseURL }

    func set(_ file: String, _ behaviour: Behaviour) { lock.lock(); behaviours[file] = behaviour; lock.unlock() }

    /// Environment for the code under test: endpoint, a private cache and data dir under `root`.
    func environment(root: URL, extra: [String: String] = [:]) -> [String: String] {
        var env = ["HF_ENDPOINT": endpoint, "HOME": root.appendingPathComponent("home").path,
                   "HF_HUB_CACHE": root.appendingPathComponent("hf-cache").path,
                   "XDG_DATA_HOME": root.appendingPathComponent("data").path]
        for (k, v) in extra { env[k] = v }
        return env
    }

    private func behaviour(_ file: String) -> Behaviour { lock.lock(); defer { lock.unlock() }; return behaviours[file] ?? Behaviour() }

    /// Counts GETs per file; returns the count including this one.
    private func countGet(_ file: String) -> Int {
        lock.lock(); defer { lock.unlock() }
        gets[file, default: 0] += 1
        return gets[file]!
    }

    private func serveHub(_ req: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response {
        let cachePrefix = "/api/resolve-cache/models/\(FakeHub.owner)/\(FakeHub.name)/\(FakeHub.commit)/"
        if req.path.hasPrefix(cachePrefix), let file = files[String(req.path.dropFirst(cachePrefix.count))] {
            if let token = requireToken, req.headers["authorization"] != "Bearer \(token)" { return .init(status: 401) }
            var r = body(file.data, name: String(req.path.dropFirst(cachePrefix.count)), req: req, behaviour: Behaviour())
            r.headers.append(("ETag", "\"\(file.gitSHA1)\""))
            return r
        }
        let parts = req.path.split(separator: "/", maxSplits: 4).map(String.init)
        guard parts.count == 5, parts[2] == "resolve" else { return .init(status: 404, headers: [("X-Error-Code", "RepoNotFound")]) }
        if let token = requireToken, req.headers["authorization"] != "Bearer \(token)" {
            return .init(status: 401, headers: [("X-Error-Message", "Invalid credentials in Authorization header")])
        }
        if parts[0] == "oldowner" && parts[1] == "oldname" {
            return .init(status: 307, headers: [("Location", "/\(FakeHub.owner)/\(FakeHub.name)/resolve/\(parts[3])/\(parts[4])")])
        }
        guard parts[0] == FakeHub.owner, parts[1] == FakeHub.name else {
            return .init(status: 404, headers: [("X-Error-Code", "RepoNotFound"), ("X-Error-Message", "Repository not found")])
        }
        guard parts[3] == "main" || parts[3] == FakeHub.commit else {
            return .init(status: 404, headers: [("X-Error-Code", "RevisionNotFound"), ("X-Error-Message", "Invalid rev id: \(parts[3])")])
        }
        let name = parts[4].removingPercentEncoding ?? parts[4]
        guard let file = files[name] else {
            return .init(status: 404, headers: [("X-Error-Code", "EntryNotFound"), ("X-Error-Message", "Entry not found")])
        }
        let b = behaviour(name)
        if let status = b.status {
            lock.lock()
            let served = statusServed[name, default: 0]
            if served < b.statusTimes { statusServed[name] = served + 1 }
            lock.unlock()
            if served < b.statusTimes { return .init(status: status, headers: status == 429 ? [("Retry-After", "1")] : []) }
        }
        if file.isLFS {
            return .init(status: 302, headers: [
                ("Location", "http://\(cdnHost):\(cdn.port)/blobs/\(file.sha256)?sig=abc"), ("X-Repo-Commit", commitHeader),
                ("X-Linked-Etag", "\"\(file.sha256)\""), ("X-Linked-Size", "\(file.data.count)"),
                ("ETag", "W/\"redirect-not-the-hash\""), ("Content-Length", "0")])
        }
        if resolveCache {
            return .init(status: 307, headers: [("Location", cachePrefix + name), ("X-Repo-Commit", commitHeader)])
        }
        var r = body(file.data, name: name, req: req, behaviour: b)
        r.headers += [("ETag", "\"\(file.gitSHA1)\""), ("X-Repo-Commit", commitHeader)]
        return r
    }

    private func serveCDN(_ req: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response {
        let path = req.path.split(separator: "?").first.map(String.init) ?? req.path
        guard path.hasPrefix("/blobs/"), let (name, file) = files.first(where: { $0.value.sha256 == path.dropFirst(7) }) else {
            return .init(status: 404)
        }
        return body(file.data, name: name, req: req, behaviour: behaviour(name))
    }

    /// The bytes of a file, honouring Range and the file's behaviour.
    private func body(_ whole: Data, name: String, req: LoopbackHTTPServer.Request, behaviour b: Behaviour) -> LoopbackHTTPServer.Response {
        var data = whole
        if b.corrupt { data[data.count / 2] ^= 0xFF }
        var r: LoopbackHTTPServer.Response
        if !b.ignoreRange, let range = req.headers["range"], range.hasPrefix("bytes="),
           let start = Int(range.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false).first ?? "") {
            let endText = range.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false).dropFirst().first ?? ""
            let end = min(Int(endText) ?? (data.count - 1), data.count - 1)
            if start >= data.count || end < start {
                r = .init(status: 416, headers: [("Content-Range", "bytes */\(data.count)")])
            } else {
                r = .init(status: 206, headers: [("Content-Range", "bytes \(start)-\(end)/\(data.count)")],
                          body: data.subdata(in: start..<(end + 1)))
            }
        } else {
            r = .init(status: 200, body: data)
        }
        if req.method == "GET" {
            let n = countGet(name)
            if let cut = b.cutAfter, n <= b.cutTimes { r.cutAfter = cut }
        }
        r.stall = b.stall
        return r
    }
}
