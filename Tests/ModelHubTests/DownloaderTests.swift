// The downloader against the loopback fake hub: complete download into a valid HF cache layout,
// resume with Range after a cut, corruption refused, 401/404/timeout messages, offline mode,
// Authorization never sent to the CDN host, models-dir destination with checksums.
import FileIO
import Foundation
import Testing
import TestSupport
@testable import ModelHub

@Suite struct DownloaderTests {
    static let repo = RepoID(owner: "jinaai", name: "jina-clip-v2")

    func options(_ dest: DownloadOptions.Destination = .hfCache(nil), attempts: Int = 3, idle: TimeInterval = 5,
                 repo: RepoID = DownloaderTests.repo) -> DownloadOptions {
        DownloadOptions(repo: repo, destination: dest, idleTimeout: idle, maxAttempts: attempts, retryDelay: 0)
    }

    @Test func downloadCompletesIntoHFCacheLayoutThatTheResolverFinds() throws {
        let hub = try FakeHub(requireToken: "hf_secret", cdnHost: "localhost")
        let root = try Fixtures.tempDirectory("hub-dl")
        defer { try? FileManager.default.removeItem(at: root) }
        let env = hub.environment(root: root, extra: ["HF_TOKEN": "hf_secret"])
        let result = try ModelDownloader(options: options(), environment: env).run()

        let cache = root.appendingPathComponent("hf-cache/models--jinaai--jina-clip-v2")
        #expect(result.commit == FakeHub.commit)
        #expect(result.directory.standardizedFileURL.path == cache.appendingPathComponent("snapshots/\(FakeHub.commit)").standardizedFileURL.path)
        #expect(try String(contentsOf: cache.appendingPathComponent("refs/main"), encoding: .utf8) == FakeHub.commit)
        #expect(try String(contentsOf: root.appendingPathComponent("hf-cache/CACHEDIR.TAG"), encoding: .utf8)
                .hasPrefix("Signature: 8a477f597d28d172789f06886806bc55\n"))
        for (name, d) in FakeHub.digests {
            let link = cache.appendingPathComponent("snapshots/\(FakeHub.commit)/\(name)")
            let target = try FileManager.default.destinationOfSymbolicLink(atPath: link.path)
            let isLFS = name == "model.safetensors" || name == "tokenizer.json"
            #expect(target == "../../blobs/" + (isLFS ? d.sha256 : d.git), "\(name)")
            #expect(try Data(contentsOf: link) == Data(contentsOf: Fixtures.tiny(name)), "\(name)")
        }
        // huggingface_hub's lock files exist (and are free again).
        let lockFile = root.appendingPathComponent("hf-cache/.locks/models--jinaai--jina-clip-v2/\(FakeHub.digests["model.safetensors"]!.sha256).lock")
        #expect(try FileLock(lockFile).tryLock())
        // Optional files absent on the hub are skipped; no partial files remain.
        let blobs = try FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent("blobs").path)
        #expect(blobs.count == 4)
        #expect(!blobs.contains { $0.hasSuffix(".incomplete") })
        #expect(result.bytesTransferred == FakeHub.digests.keys.reduce(0) { $0 + UInt64(hub.files[$1]!.data.count) })

        // Authorization went to the hub, never to the CDN on another port.
        #expect(hub.hub.requests.allSatisfy { $0.headers["authorization"] == "Bearer hf_secret" })
        #expect(!hub.cdn.requests.isEmpty)
        #expect(hub.cdn.requests.allSatisfy { $0.headers["authorization"] == nil })
        // Files after the first are requested at the commit.
        #expect(hub.hub.requests.filter { $0.path.contains("/resolve/\(FakeHub.commit)/") }.count >= 4)

        let resolved = try ModelResolver.resolve("jinaai/jina-clip-v2", environment: env, executableURL: nil, currentDirectory: root)
        #expect(resolved.source == .hfCache(revision: FakeHub.commit))
        #expect(resolved.directory.standardizedFileURL.path == result.directory.standardizedFileURL.path)
        #expect(try ModelResolver.resolve(nil, environment: env, executableURL: nil, currentDirectory: root).directory == resolved.directory)

        // A second run reuses the blobs and transfers nothing.
        let again = try ModelDownloader(options: options(), environment: env).run()
        #expect(again.bytesTransferred == 0)
        #expect(again.files.allSatisfy { $0.reused })
    }

    @Test func interruptedDownloadResumesWithRange() throws {
        let hub = try FakeHub()
        hub.set("model.safetensors", .init(cutAfter: 200_000, cutTimes: 1))
        hub.set("config.json", .init(cutAfter: 1000, cutTimes: 1))
        let root = try Fixtures.tempDirectory("hub-resume")
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try ModelDownloader(options: options(attempts: 3), environment: hub.environment(root: root)).run()

        let ranges = hub.cdn.requests.compactMap { $0.headers["range"] }
        #expect(ranges == ["bytes=200000-"])
        #expect(hub.hub.requests.contains { $0.method == "GET" && $0.headers["range"] == "bytes=1000-" })
        let model = result.directory.appendingPathComponent("model.safetensors")
        #expect(try Data(contentsOf: model) == Data(contentsOf: Fixtures.tiny("model.safetensors")))
        #expect(result.bytesTransferred == FakeHub.digests.keys.reduce(0) { $0 + UInt64(hub.files[$1]!.data.count) })
    }

    @Test func resumesAcrossRunsFromTheIncompleteFile() throws {
        let hub = try FakeHub()
        hub.set("model.safetensors", .init(cutAfter: 300_000, cutTimes: 1))
        let root = try Fixtures.tempDirectory("hub-resume2")
        defer { try? FileManager.default.removeItem(at: root) }
        let env = hub.environment(root: root)
        #expect(throws: ModelHubError.self) { try ModelDownloader(options: options(attempts: 1), environment: env).run() }
        let cache = root.appendingPathComponent("hf-cache/models--jinaai--jina-clip-v2")
        let partial = cache.appendingPathComponent("blobs/\(FakeHub.digests["model.safetensors"]!.sha256).incomplete")
        #expect(try FileSystem.fileSize(partial) == 300_000)
        #expect(!FileManager.default.fileExists(atPath: cache.appendingPathComponent("snapshots/\(FakeHub.commit)").path))

        let result = try ModelDownloader(options: options(attempts: 1), environment: env).run()
        #expect(hub.cdn.requests.last?.headers["range"] == "bytes=300000-")
        #expect(try SHA256.hash(fileAt: result.directory.appendingPathComponent("model.safetensors"))
                == FakeHub.digests["model.safetensors"]!.sha256)
    }

    @Test func largeFilesComeInRangedChunksAndResumeInsideAChunk() throws {
        let hub = try FakeHub()
        hub.set("model.safetensors", .init(cutAfter: 50_000, cutTimes: 1))
        let root = try Fixtures.tempDirectory("hub-chunks")
        defer { try? FileManager.default.removeItem(at: root) }
        var opts = options(attempts: 2)
        opts.chunkSize = 200_000
        let result = try ModelDownloader(options: opts, environment: hub.environment(root: root)).run()
        // 558194 bytes: cut inside the first chunk, resumed, then the remaining chunks.
        let modelBlob = FakeHub.digests["model.safetensors"]!.sha256
        #expect(hub.cdn.requests.filter { $0.path.contains(modelBlob) }.compactMap { $0.headers["range"] } ==
                ["bytes=0-199999", "bytes=50000-249999", "bytes=250000-449999", "bytes=450000-558193"])
        // tokenizer.json (341724 bytes, LFS) also came in two pieces.
        #expect(hub.cdn.requests.filter { $0.path.contains(FakeHub.digests["tokenizer.json"]!.sha256) }.count == 2)
        #expect(try SHA256.hash(fileAt: result.directory.appendingPathComponent("model.safetensors"))
                == FakeHub.digests["model.safetensors"]!.sha256)
    }

    @Test func serverIgnoringRangeRestartsTheFile() throws {
        let hub = try FakeHub()
        hub.set("model.safetensors", .init(cutAfter: 100_000, cutTimes: 1, ignoreRange: true))
        let root = try Fixtures.tempDirectory("hub-norange")
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try ModelDownloader(options: options(), environment: hub.environment(root: root)).run()
        #expect(hub.cdn.requests.contains { $0.headers["range"] == "bytes=100000-" })
        #expect(try SHA256.hash(fileAt: result.directory.appendingPathComponent("model.safetensors"))
                == FakeHub.digests["model.safetensors"]!.sha256)
    }

    @Test func corruptedFileIsRefusedAndNoSnapshotIsWritten() throws {
        let hub = try FakeHub()
        hub.set("model.safetensors", .init(corrupt: true))
        let root = try Fixtures.tempDirectory("hub-corrupt")
        defer { try? FileManager.default.removeItem(at: root) }
        let error = #expect(throws: ModelHubError.self) {
            try ModelDownloader(options: options(), environment: hub.environment(root: root)).run()
        }
        guard case .corrupted(let message)? = error else { Issue.record("expected .corrupted, got \(String(describing: error))"); return }
        #expect(message.contains("model.safetensors"))
        #expect(message.contains("SHA-256"))
        let cache = root.appendingPathComponent("hf-cache/models--jinaai--jina-clip-v2")
        let snapshots = (try? FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent("snapshots").path)) ?? []
        #expect(snapshots.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: cache.appendingPathComponent("refs/main").path))
        let blobs = try FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent("blobs").path)
        #expect(!blobs.contains { $0.hasPrefix(FakeHub.digests["model.safetensors"]!.sha256) })
        #expect(throws: ModelHubError.self) {
            try ModelResolver.resolve("jinaai/jina-clip-v2", environment: hub.environment(root: root), executableURL: nil, currentDirectory: root)
        }
    }

    @Test func corruptedRegularFileIsCaughtByItsGitBlobID() throws {
        let hub = try FakeHub()
        hub.set("config.json", .init(corrupt: true))
        let root = try Fixtures.tempDirectory("hub-corrupt-git")
        defer { try? FileManager.default.removeItem(at: root) }
        let error = #expect(throws: ModelHubError.self) {
            try ModelDownloader(options: options(), environment: hub.environment(root: root)).run()
        }
        #expect(error?.description.contains("config.json") == true)
        #expect(error?.description.contains("git blob id") == true)
    }

    @Test func unauthorizedGivesAClearMessage() throws {
        let hub = try FakeHub(requireToken: "hf_right")
        let root = try Fixtures.tempDirectory("hub-401")
        defer { try? FileManager.default.removeItem(at: root) }
        let noToken = #expect(throws: ModelHubError.self) {
            try ModelDownloader(options: options(), environment: hub.environment(root: root)).run()
        }
        #expect(noToken == .http(status: 401, message: noToken?.description ?? ""))
        #expect(noToken?.description.contains("HF_TOKEN") == true)
        // A wrong token read from the HF token file: the message says it was rejected.
        let hfHome = root.appendingPathComponent("hfhome")
        try FileManager.default.createDirectory(at: hfHome, withIntermediateDirectories: true)
        try "hf_wrong\n".write(to: hfHome.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        let wrong = #expect(throws: ModelHubError.self) {
            try ModelDownloader(options: options(), environment: hub.environment(root: root, extra: ["HF_HOME": hfHome.path])).run()
        }
        #expect(wrong?.description.contains("rejected") == true)
        #expect(hub.hub.requests.last?.headers["authorization"] == "Bearer hf_wrong")
    }

    @Test func notFoundMessagesNameRepoRevisionAndFile() throws {
        let hub = try FakeHub()
        let root = try Fixtures.tempDirectory("hub-404")
        defer { try? FileManager.default.removeItem(at: root) }
        let env = hub.environment(root: root)
        let repo = #expect(throws: ModelHubError.self) {
            try ModelDownloader(options: options(repo: RepoID(owner: "nobody", name: "nothing")), environment: env).run()
        }
        #expect(repo?.description.contains("repository nobody/nothing not found") == true)
        let rev = #expect(throws: ModelHubError.self) {
            try ModelDownloader(options: options(repo: RepoID(owner: "jinaai", name: "jina-clip-v2", revision: "v9")), environment: env).run()
        }
        #expect(rev?.description.contains("revision v9 not found") == true)
        var opts = options()
        opts.files.append("missing.bin")
        let file = #expect(throws: ModelHubError.self) { try ModelDownloader(options: opts, environment: env).run() }
        #expect(file?.description.contains("missing.bin") == true)
        #expect(file?.description.contains("404") == true)
    }

    /// 429 is retried after the server's Retry-After (1 s here; the configured delay is 0).
    @Test func rateLimitIsRetriedAfterRetryAfter() throws {
        let hub = try FakeHub()
        hub.set("tokenizer.json", .init(status: 429, statusTimes: 1))
        let root = try Fixtures.tempDirectory("hub-429")
        defer { try? FileManager.default.removeItem(at: root) }
        let progress = RecordingProgress()
        let start = Date()
        let result = try ModelDownloader(options: options(attempts: 3), environment: hub.environment(root: root), progress: progress).run()
        #expect(Date().timeIntervalSince(start) >= 0.9)
        #expect(progress.notes.contains { $0.contains("rate limited (429); retrying in 1") && $0.contains("(Retry-After)") }, "\(progress.notes)")
        #expect(result.files.count == 4)
        #expect(ModelDownloader.retryAfter("120") == 120 && ModelDownloader.retryAfter(nil) == nil && ModelDownloader.retryAfter("soon") == nil)
    }

    /// An HF_ENDPOINT that cannot work fails at once with a message naming it (it was retried for 15 s).
    @Test func badEndpointFailsFast() throws {
        let root = try Fixtures.tempDirectory("hub-bad-endpoint")
        defer { try? FileManager.default.removeItem(at: root) }
        let env = ["HF_HOME": root.path, "HF_HUB_CACHE": root.appendingPathComponent("hub").path, "HOME": root.path,
                   "HF_ENDPOINT": "htp://huggingface.co"]
        let start = Date()
        let error = #expect(throws: ModelHubError.self) {
            try ModelDownloader(options: options(attempts: 5), environment: env).run()
        }
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(error?.description.contains("HF_ENDPOINT") == true, "\(String(describing: error))")
    }

    @Test func serverErrorsAreRetriedThenReported() throws {
        let hub = try FakeHub()
        hub.set("tokenizer.json", .init(status: 503, statusTimes: 2))
        let root = try Fixtures.tempDirectory("hub-503")
        defer { try? FileManager.default.removeItem(at: root) }
        let progress = RecordingProgress()
        let result = try ModelDownloader(options: options(attempts: 3), environment: hub.environment(root: root), progress: progress).run()
        #expect(progress.notes.filter { $0.contains("server error 503") }.count == 2)
        #expect(result.files.count == 4)

        let hub2 = try FakeHub()
        hub2.set("config.json", .init(status: 500))
        let error = #expect(throws: ModelHubError.self) {
            try ModelDownloader(options: options(attempts: 2), environment: hub2.environment(root: root)).run()
        }
        #expect(error == .http(status: 500, message: error?.description ?? ""))
        #expect(error?.description.contains("config.json") == true)
    }

    @Test func stalledServerTimesOutWithAClearMessage() throws {
        let hub = try FakeHub()
        hub.set("model.safetensors", .init(stall: 30))
        let root = try Fixtures.tempDirectory("hub-stall")
        defer { try? FileManager.default.removeItem(at: root) }
        let error = #expect(throws: ModelHubError.self) {
            try ModelDownloader(options: options(attempts: 2, idle: 1), environment: hub.environment(root: root)).run()
        }
        guard case .network(let message)? = error else { Issue.record("expected .network, got \(String(describing: error))"); return }
        #expect(message.contains("timed out: no data from 127.0.0.1:\(hub.cdn.port) for 1 s"))
        #expect(message.contains("model.safetensors"))
        #expect(message.contains("gave up after 2 attempt(s)"))
        // Both attempts reached the stalled CDN and were abandoned (the server would have waited 30 s).
        #expect(hub.cdn.requests.filter { $0.path.contains(FakeHub.digests["model.safetensors"]!.sha256) }.count == 2)
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent(
            "hf-cache/models--jinaai--jina-clip-v2/snapshots/\(FakeHub.commit)").path))
    }

    @Test func offlineModeRefusesTheNetwork() throws {
        let hub = try FakeHub()
        let root = try Fixtures.tempDirectory("hub-offline")
        defer { try? FileManager.default.removeItem(at: root) }
        let error = #expect(throws: ModelHubError.self) {
            try ModelDownloader(options: options(), environment: hub.environment(root: root, extra: ["HF_HUB_OFFLINE": "1"])).run()
        }
        guard case .offline(let message)? = error else { Issue.record("expected .offline"); return }
        #expect(message.contains("HF_HUB_OFFLINE"))
        #expect(hub.hub.requests.isEmpty && hub.cdn.requests.isEmpty)
    }

    @Test func waitsForAnotherProcessHoldingTheHFLock() throws {
        let hub = try FakeHub()
        let root = try Fixtures.tempDirectory("hub-lock")
        defer { try? FileManager.default.removeItem(at: root) }
        let lockFile = root.appendingPathComponent("hf-cache/.locks/models--jinaai--jina-clip-v2/\(FakeHub.digests["model.safetensors"]!.sha256).lock")
        let held = try FileLock(lockFile)
        #expect(held.tryLock())
        // Released when the downloader says it waits (or after 20 s, so a failure cannot hang the suite).
        DispatchQueue.global().asyncAfter(deadline: .now() + 20) { held.unlock() }
        let progress = RecordingProgress { if $0.contains("another process") { held.unlock() } }
        let result = try ModelDownloader(options: options(), environment: hub.environment(root: root), progress: progress).run()
        #expect(progress.notes.contains { $0.contains("another process is downloading it") })
        #expect(try SHA256.hash(fileAt: result.directory.appendingPathComponent("model.safetensors"))
                == FakeHub.digests["model.safetensors"]!.sha256)
    }

    @Test func aCommitThatIsNotAHashIsRefused() throws {
        let hub = try FakeHub()
        hub.commitHeader = "../../../escape"
        let root = try Fixtures.tempDirectory("hub-badcommit")
        defer { try? FileManager.default.removeItem(at: root) }
        let error = #expect(throws: ModelHubError.self) {
            try ModelDownloader(options: options(), environment: hub.environment(root: root)).run()
        }
        #expect(error?.description.contains("not a 40-hex commit id") == true)
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("escape").path))
    }

    @Test func resolveCacheRedirectsKeepTheCommitAndTheToken() throws {
        let hub = try FakeHub(requireToken: "hf_t")
        hub.resolveCache = true
        let root = try Fixtures.tempDirectory("hub-rcache")
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try ModelDownloader(options: options(), environment: hub.environment(root: root, extra: ["HF_TOKEN": "hf_t"])).run()
        #expect(result.commit == FakeHub.commit)
        let cacheHits = hub.hub.requests.filter { $0.path.hasPrefix("/api/resolve-cache/") }
        #expect(cacheHits.count == 4)   // HEAD + GET for config.json and preprocessor_config.json
        #expect(cacheHits.allSatisfy { $0.headers["authorization"] == "Bearer hf_t" })
        #expect(try ModelVerifier.verify(result.directory).allSatisfy { $0.status == .ok })
    }

    @Test func relativeRedirectOfARenamedRepoIsFollowed() throws {
        let hub = try FakeHub()
        let root = try Fixtures.tempDirectory("hub-renamed")
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try ModelDownloader(options: options(repo: RepoID(owner: "oldowner", name: "oldname")),
                                         environment: hub.environment(root: root)).run()
        #expect(result.commit == FakeHub.commit)
        #expect(result.directory.path.contains("models--oldowner--oldname"))
    }

    @Test func downloadIntoModelsDirectoryRecordsChecksums() throws {
        let hub = try FakeHub()
        hub.set("model.safetensors", .init(cutAfter: 50_000, cutTimes: 1))
        let root = try Fixtures.tempDirectory("hub-models")
        defer { try? FileManager.default.removeItem(at: root) }
        let models = root.appendingPathComponent("models")
        let env = hub.environment(root: root, extra: ["CLIPSCOPE_MODELS_DIR": models.path])
        let result = try ModelDownloader(options: options(.modelsDirectory(nil)), environment: env).run()
        #expect(result.directory.standardizedFileURL.path == models.appendingPathComponent("jinaai/jina-clip-v2").standardizedFileURL.path)
        let record = try #require(try ModelChecksums.load(from: result.directory))
        #expect(record.commit == FakeHub.commit)
        for (name, d) in FakeHub.digests { #expect(record.files[name]?.sha256 == d.sha256, "\(name)") }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: models.appendingPathComponent("jinaai").path)
        #expect(leftovers.filter { !$0.hasPrefix(".") } == ["jina-clip-v2"])
        #expect(!leftovers.contains { $0.hasSuffix(".partial") })
        let resolved = try ModelResolver.resolve("jina-clip-v2", environment: env, executableURL: nil, currentDirectory: root)
        #expect(resolved.source == .clipscopeModels)
        #expect(try ModelVerifier.verify(resolved.directory).allSatisfy { $0.status == .ok })

        // Again: already installed, nothing transferred, nothing moved.
        let cdnGets = hub.cdn.requests.count
        let again = try ModelDownloader(options: options(.modelsDirectory(nil)), environment: env).run()
        #expect(again.bytesTransferred == 0 && again.files.allSatisfy { $0.reused })
        #expect(hub.cdn.requests.count == cdnGets)
    }
}

final class RecordingProgress: DownloadProgress, @unchecked Sendable {
    private let lock = NSLock()
    private var _notes: [String] = []
    private let onNote: (String) -> Void
    init(onNote: @escaping (String) -> Void = { _ in }) { self.onNote = onNote }
    var notes: [String] { lock.lock(); defer { lock.unlock() }; return _notes }
    func begin(file: String, total: UInt64?, resumedFrom: UInt64) {}
    func update(file: String, bytes: UInt64) {}
    func finish(file: String, bytes: UInt64, skipped: Bool) {}
    func note(_ message: String) { lock.lock(); _notes.append(message); lock.unlock(); onNote(message) }
}
