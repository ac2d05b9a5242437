// `index --encoder jina-api` against a loopback imitation of the Jina Embeddings API: nothing is
// uploaded before consent (no terminal and no --yes: refused, exit 2, no request); with --yes the folder
// is indexed in batches (--api-batch 2: 5 images in 3 requests) of PNGs fitted inside 512×512, one 429
// and one 500 are retried, the vectors land in the cache under `jina-api:jina-clip-v2` (a re-run sends
// nothing); a bad key stops the run with a clear message and records no failure for the images.
import Foundation
import Testing
import TestSupport
@testable import ClipScopeCLI
import CLISupport
import ModelHub
import Explorer
import Retrieval
import VectorIndex
#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct JinaAPIIndexTests {
    static let demo = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Assets/demo")

    final class FakeAPI: @unchecked Sendable {
        let lock = NSLock()
        var failures: [Int] = []
        var problems: [String] = []
        var batches: [Int] = []
        var texts: [(text: String, task: String?)] = []
        /// How long each answered request takes, and the most requests seen in flight at once.
        var delay: useconds_t = 0
        var inFlight = 0
        var maxInFlight = 0

        /// The imitation's vector for a text: the query direction the search tests rank by.
        static func textVector(_ text: String) -> [Double] {
            var v = [Double](repeating: 0, count: 1024)
            v[0] = 1; v[1] = -0.5; v[2] = Double(text.utf8.count) / 10; v[3] = 3
            return v
        }

        func handle(_ r: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response {
            guard r.headers["authorization"] == "Bearer test-key" else {
                return .init(status: 401, body: Data("{\"detail\": \"Invalid API key\"}".utf8))
            }
            guard r.method == "POST", r.path == "/v1/embeddings",
                  let doc = try? JSONSerialization.jsonObject(with: r.body) as? [String: Any],
                  doc["model"] as? String == "jina-clip-v2", doc["encoding_type"] as? String == "float",
                  let input = doc["input"] as? [[String: String]] else {
                lock.lock(); problems.append("request shape"); lock.unlock()
                return .init(status: 400)
            }
            lock.lock()
            let fail = failures.isEmpty ? nil : failures.removeFirst()
            if fail == nil { batches.append(input.count) }
            lock.unlock()
            if let fail { return .init(status: fail, headers: [("Retry-After", "0")]) }
            lock.lock(); inFlight += 1; maxInFlight = max(maxInFlight, inFlight); let pause = delay; lock.unlock()
            defer { lock.lock(); inFlight -= 1; lock.unlock() }
            if pause > 0 { usleep(pause) }
            var data: [[String: Any]] = []
            for (i, item) in input.enumerated() {
                if let t = item["text"] {
                    lock.lock(); texts.append((t, doc["task"] as? String)); lock.unlock()
                    data.append(["object": "embedding", "index": i, "embedding": Self.textVector(t)])
                    continue
                }
                guard let b = item["image"], let png = Data(base64Encoded: b), png.count > 24,
                      png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else {
                    lock.lock(); problems.append("not a PNG"); lock.unlock(); return .init(status: 400)
                }
                let w = png[16..<20].reduce(0) { $0 << 8 | Int($1) }, h = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
                if max(w, h) > 512 { lock.lock(); problems.append("\(w)×\(h) not fitted to 512"); lock.unlock() }
                var v = [Double](repeating: 0, count: 1024)
                v[0] = Double(w); v[1] = Double(h); v[2] = Double(png.count % 997)
                v[3] = Double(png.reduce(0) { ($0 &* 31 &+ Int($1)) % 100_003 } % 1000)     // the pixels: differs per image
                data.append(["object": "embedding", "index": i, "embedding": v])
            }
            let answer: [String: Any] = ["model": "jina-clip-v2", "object": "list",
                                         "usage": ["total_tokens": 4000 * input.count, "prompt_tokens": 4000 * input.count], "data": data]
            return .init(status: 200, body: (try? JSONSerialization.data(withJSONObject: answer)) ?? Data())
        }
    }

    func folder() throws -> URL {
        let dir = try Fixtures.tempDirectory("clipscope-jina-folder")
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.demo.path).sorted().filter { $0.hasSuffix(".png") || $0.hasSuffix(".jpg") }
        for name in names.prefix(5) { try FileManager.default.copyItem(at: Self.demo.appendingPathComponent(name), to: dir.appendingPathComponent(name)) }
        return dir
    }

    func run(_ args: [String], key: String, server: LoopbackHTTPServer) -> (status: Int32, stdout: String, stderr: String) {
        // Only `--encoder jina-api` reads these two variables, and this suite is serialized.
        setenv("JINA_API_KEY", key, 1); setenv("JINA_API_BASE", server.baseURL, 1)
        defer { unsetenv("JINA_API_KEY"); unsetenv("JINA_API_BASE") }
        return JinaAPIBackend.$terminalPath.withValue("/nonexistent/tty") { CommandOutput.runCapturingAll(args) }
    }

    @Test func indexesThroughTheAPIAfterConsent() throws {
        let fake = FakeAPI()
        let server = try LoopbackHTTPServer { fake.handle($0) }
        let dir = try folder(), cache = try Fixtures.tempDirectory("clipscope-jina-cache")
        let args = ["index", dir.path, "--encoder", "jina-api", "--api-batch", "2", "--cache-dir", cache.path]

        let refused = run(args, key: "test-key", server: server)
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("5 image(s) will be uploaded to \(server.baseURL)") && refused.stderr.contains("about 20000 tokens")
                && refused.stderr.contains("pass --yes"), "\(refused.stderr)")
        #expect(server.requests.isEmpty)                              // nothing left the machine

        fake.failures = [429, 500]
        let ok = run(args + ["--yes"], key: "test-key", server: server)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("5 of 5 images indexed: 5 embedded"), "\(ok.stdout)")
        #expect(ok.stderr.contains("rate limited (429)") && ok.stderr.contains("server error 500"), "\(ok.stderr)")
        #expect(ok.stderr.contains("Jina API: 3 request(s), 20000 tokens"), "\(ok.stderr)")
        #expect(fake.batches.sorted() == [1, 2, 2] && fake.problems.isEmpty, "\(fake.batches) \(fake.problems)")
        let storeDir = try #require(EmbeddingCache.stores(inRoot: cache).first)
        let store = try #require(try EmbeddingCache.readStore(storeDir))
        #expect(store.modelIdentity == "jina-api:jina-clip-v2" && store.entries.count == 5)

        let again = run(args, key: "test-key", server: server)            // all cached: no consent needed, nothing sent
        #expect(again.status == 0 && again.stdout.contains("0 embedded, 5 reused"), "\(again.stdout)")
        #expect(server.requests.count == 5)                          // 3 answered + the 429 + the 500
    }

    @Test func aBadKeyStopsTheRunAndRecordsNoFailure() throws {
        let fake = FakeAPI()
        let server = try LoopbackHTTPServer { fake.handle($0) }
        let dir = try folder(), cache = try Fixtures.tempDirectory("clipscope-jina-cache")
        let r = run(["index", dir.path, "--encoder", "jina-api", "--yes", "--cache-dir", cache.path], key: "wrong", server: server)
        #expect(r.status == 1)
        #expect(r.stderr.contains("the Jina API refused the key (HTTP 401): check JINA_API_KEY (Invalid API key)"), "\(r.stderr)")
        #expect(server.requests.count == 1)
        let stores = EmbeddingCache.stores(inRoot: cache)
        let entries = try stores.first.flatMap { try EmbeddingCache.readStore($0) }?.entries ?? []
        #expect(entries.isEmpty)                                     // retried on the next run, not remembered as failed
        let noKey = CommandOutput.runCapturingAll(["index", dir.path, "--encoder", "jina-api", "--cache-dir", cache.path])
        #expect(noKey.status == 2 && noKey.stderr.contains("JINA_API_KEY is not set"), "\(noKey.stderr)")
    }
}

// `search`/`compare --encoder jina-api` on an API-indexed folder: the cached API vectors ranked by the
// query vector the API returns for the text (sent alone, with `task: retrieval.query`); `--query-encoder
// local` sends nothing; images missing from the API cache are counted, never uploaded; no key → exit 2.
extension JinaAPIIndexTests {
    /// A folder of 5 images indexed through the imitation; returns (folder, cache root).
    func indexedFolder(_ fake: FakeAPI, _ server: LoopbackHTTPServer) throws -> (URL, URL) {
        let dir = try folder(), cache = try Fixtures.tempDirectory("clipscope-jina-cache")
        let r = run(["index", dir.path, "--encoder", "jina-api", "--yes", "--cache-dir", cache.path], key: "test-key", server: server)
        try #require(r.status == 0, "\(r.stderr)")
        return (dir, cache)
    }

    /// (file name, score) by the search JSON's ranks.
    func results(_ stdout: String) throws -> [(String, Double)] {
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
        let items = try #require(doc["results"] as? [[String: Any]])
        return items.map { (($0["path"] as? String) ?? "", ($0["score"] as? NSNumber)?.doubleValue ?? .nan) }
    }

    @Test func searchRanksTheCachedAPIVectorsByTheAPIQueryVector() throws {
        let fake = FakeAPI()
        let server = try LoopbackHTTPServer { fake.handle($0) }
        let (dir, cache) = try indexedFolder(fake, server)
        let before = server.requests.count

        let r = run(["search", dir.path, "--text", "a red triangle", "--encoder", "jina-api", "--top", "5", "--json",
                     "--cache-dir", cache.path], key: "test-key", server: server)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(server.requests.count == before + 1)                   // the query text only
        #expect(fake.texts.count == 1 && fake.texts.first?.text == "a red triangle" && fake.texts.first?.task == "retrieval.query",
                "\(fake.texts)")

        // Expected: cosine of each cached API vector with the imitation's vector for the text, ties by name.
        let storeDir = try #require(EmbeddingCache.stores(inRoot: cache).first)
        let store = try #require(try EmbeddingCache.readStore(storeDir))
        let q = FakeAPI.textVector("a red triangle")
        let qn = q.map { $0 * $0 }.reduce(0, +).squareRoot()
        var expected: [(String, Double)] = store.entries.compactMap { e in
            guard case let .vector(v) = e.outcome else { return nil }
            let dot = zip(v, q).map { Double($0) * $1 }.reduce(0, +)
            let n = v.map { Double($0) * Double($0) }.reduce(0, +).squareRoot()
            return (String(decoding: e.path.bytes, as: UTF8.self).split(separator: "/").last.map(String.init) ?? "", dot / (n * qn))
        }
        expected.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        let got = try results(r.stdout)
        #expect(expected.count == 5 && got.map(\.0) == expected.map(\.0), "\(got) vs \(expected)")
        for (g, e) in zip(got, expected) { #expect(abs(g.1 - e.1) < 1e-4, "\(g) vs \(e)") }
        #expect(Set(expected.map { (($0.1 * 1e6).rounded()) }).count > 1)   // the order is not all ties

        let cmp = run(["compare", dir.path, "--text", "a red triangle", "--dims", "64,1024", "--encoder", "jina-api",
                       "--cache-dir", cache.path], key: "test-key", server: server)
        #expect(cmp.status == 0 && server.requests.count == before + 2, "\(cmp.stderr)")
    }

    @Test func localQueryEncoderSendsNothingAndMissingImagesAreNotUploaded() throws {
        let fake = FakeAPI()
        let server = try LoopbackHTTPServer { fake.handle($0) }
        let (dir, cache) = try indexedFolder(fake, server)
        let before = server.requests.count
        let args = ["search", dir.path, "--text", "red", "--encoder", "jina-api", "--cache-dir", cache.path]

        let local = BackendFactory.$current.withValue(BackendFactory { _ in FakeSearchBackend() }) {
            run(args + ["--query-encoder", "local", "--json"], key: "", server: server)     // no key needed
        }
        #expect(local.status == 0, "\(local.stderr)")
        #expect(try results(local.stdout).count == 5)
        #expect(server.requests.count == before)
        #expect(local.stderr.components(separatedBy: "agree only to the API's numeric precision").count == 2, "\(local.stderr)")

        let noKey = run(args, key: "", server: server)
        #expect(noKey.status == 2 && noKey.stderr.contains("JINA_API_KEY is not set"), "\(noKey.stderr)")
        #expect(server.requests.count == before)

        let names = try FileManager.default.contentsOfDirectory(atPath: Self.demo.path).sorted().filter { $0.hasSuffix(".png") || $0.hasSuffix(".jpg") }
        let extra = try #require(names.dropFirst(5).first)                  // an image the API has not seen
        try FileManager.default.copyItem(at: Self.demo.appendingPathComponent(extra), to: dir.appendingPathComponent("zz-" + extra))
        let missing = run(args, key: "test-key", server: server)
        #expect(missing.status == 1, "\(missing.stderr)")
        #expect(missing.stderr.contains("1 image(s) in \(dir.path) are not in the Jina API cache")
                && missing.stderr.contains("clipscope index \(dir.path) --encoder jina-api"), "\(missing.stderr)")
        #expect(server.requests.count == before)                       // nothing uploaded, no query sent either
    }
}

// `clipscope explore FOLDER --encoder jina-api` through the explorer's backend (no terminal needed): the
// API-indexed folder opens from the `jina-api:jina-clip-v2` cache, a file the API has not seen is shown
// failed with the command that fills the cache and is never uploaded (indexing does nothing), typed
// queries go to the API with `task: retrieval.query` and rank the cached vectors, and `--query-encoder
// local` sends nothing at all.
extension JinaAPIIndexTests {
    final class Finished: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        func post(_ e: BackendEvent) { if case .finished = e { done.signal() } }
    }

    /// `clipscope explore ARGS`' backend, made with the imitation's key and address set.
    func explorer(_ args: [String], key: String, server: LoopbackHTTPServer) throws -> ExplorerModelBackend {
        setenv("JINA_API_KEY", key, 1); setenv("JINA_API_BASE", server.baseURL, 1)
        defer { unsetenv("JINA_API_KEY"); unsetenv("JINA_API_BASE") }
        let command = try ExploreCommand.parse(args)
        return try #require(try command.makeBackend() as? ExplorerModelBackend)
    }

    @Test func explorerOpensTheAPICacheAndSendsOnlyQueries() throws {
        let fake = FakeAPI()
        let server = try LoopbackHTTPServer { fake.handle($0) }
        let (dir, cache) = try indexedFolder(fake, server)
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.demo.path).sorted().filter { $0.hasSuffix(".png") || $0.hasSuffix(".jpg") }
        let extra = try #require(names.dropFirst(5).first)
        try FileManager.default.copyItem(at: Self.demo.appendingPathComponent(extra), to: dir.appendingPathComponent("zz-" + extra))
        let before = server.requests.count

        let explorer = try explorer([dir.path, "--encoder", "jina-api", "--cache-dir", cache.path], key: "test-key", server: server)
        let items = explorer.items()
        #expect(items.count == 6 && items.filter { $0.state == .embedded }.count == 5)
        let missing = try #require(items.first { $0.relativePath.hasPrefix("zz-") })
        guard case let .failed(why) = missing.state else { Issue.record("\(missing.state)"); return }
        #expect(why.contains("not in the Jina API cache") && why.contains("clipscope index \(dir.path) --encoder jina-api"), "\(why)")
        #expect(explorer.warnings.contains { $0.hasPrefix("1 image(s) are not in the Jina API cache") }, "\(explorer.warnings)")
        #expect(explorer.dimensions == [32, 64, 128, 256, 512, 768, 1024] && !explorer.isDemo)
        let events = Finished()
        explorer.startIndexing(post: { events.post($0) })
        #expect(events.done.wait(timeout: .now() + 10) == .success)
        #expect(server.requests.count == before)                       // nothing uploaded, not even after "indexing"

        let q = try explorer.embedText("a red triangle", asQuery: true)
        #expect(server.requests.count == before + 1)
        #expect(fake.texts.last?.text == "a red triangle" && fake.texts.last?.task == "retrieval.query", "\(fake.texts)")
        let expected = FakeAPI.textVector("a red triangle").map(Float.init)
        #expect(q == expected)
        // Scores: the prefix cosine of each cached API vector with the query; the missing file has none.
        let s = explorer.scores(query: q, dims: 1024)
        for item in explorer.items() {
            guard let v = explorer.vector(of: item.id) else { #expect(s[item.id] == -.infinity); continue }
            #expect(abs(s[item.id] - PrefixCosine.score(v, q, dims: 1024)) < 1e-5)
        }
        #expect(s.filter { $0.isFinite }.count == 5)
        explorer.finish()

        // --query-encoder local: the local model embeds the text; no key needed, nothing sent.
        let local = try BackendFactory.$current.withValue(BackendFactory { _ in FakeSearchBackend() }) {
            try self.explorer([dir.path, "--encoder", "jina-api", "--query-encoder", "local", "--cache-dir", cache.path], key: "", server: server)
        }
        let lq = try local.embedText("a red triangle", asQuery: true)
        #expect(lq == (try FakeSearchBackend().embedText("a red triangle", asQuery: true, dims: nil)))
        #expect(local.scores(query: lq, dims: 64).filter { $0.isFinite }.count == 5)
        #expect(server.requests.count == before + 1)
        local.finish()
    }
}

// The Jina API's cost and load: `--api-concurrency N` bounds the requests in flight (checked at the
// loopback imitation, which holds each request 0.2 s), and the progress bar's note counts the tokens
// the API reports in `usage` (images and query texts) plus 4,000 per image still to send.
extension JinaAPIIndexTests {
    @Test func apiConcurrencyBoundsTheRequestsInFlight() throws {
        for limit in [1, 3] {
            let fake = FakeAPI()
            fake.delay = 200_000
            let server = try LoopbackHTTPServer { fake.handle($0) }
            let dir = try folder(), cache = try Fixtures.tempDirectory("clipscope-jina-cache")
            let r = run(["index", dir.path, "--encoder", "jina-api", "--yes", "--api-batch", "1", "--api-concurrency", "\(limit)",
                         "--cache-dir", cache.path], key: "test-key", server: server)
            #expect(r.status == 0 && r.stdout.contains("5 of 5 images indexed: 5 embedded"), "\(r.stdout) \(r.stderr)")
            #expect(fake.batches == [1, 1, 1, 1, 1])
            #expect(fake.maxInFlight <= limit, "limit \(limit): \(fake.maxInFlight) in flight")
            // 3 files are handed over at once and each answer takes 0.2 s: the requests overlap.
            if limit > 1 { #expect(fake.maxInFlight >= 2, "limit \(limit): \(fake.maxInFlight) in flight") }
        }
        let server = try LoopbackHTTPServer { _ in .init(status: 500) }
        let bad = run(["index", try folder().path, "--encoder", "jina-api", "--yes", "--api-concurrency", "0"], key: "test-key", server: server)
        #expect(bad.status == 2 && bad.stderr.contains("api-concurrency"), "\(bad.stderr)")
        #expect(server.requests.isEmpty)
    }

    @Test func progressNoteCountsTheAPIsTokensAndEstimatesTheRest() throws {
        #expect(JinaAPIBackend.costNote(done: 3, total: 5, usedTokens: 12000) == "tokens 12000 of ~20000 (3/5 images)")
        #expect(JinaAPIBackend.costNote(done: 5, total: 5, usedTokens: 20018) == "tokens 20018 of ~20018 (5/5 images)")

        let fake = FakeAPI()
        let server = try LoopbackHTTPServer { fake.handle($0) }
        var config = JinaAPIConfig(base: try #require(URL(string: server.baseURL)), key: "test-key")
        config.batchSize = 2
        let api = JinaAPIBackend(client: JinaEmbeddingsClient(config: config))
        let urls = try FileManager.default.contentsOfDirectory(at: try folder(), includingPropertiesForKeys: nil)
            .sorted { $0.path < $1.path }
        api.prefetch(Array(urls.prefix(3)))                      // 3 images: 2 requests, 12,000 tokens by `usage`
        #expect(api.client.usage.tokens == 12000 && api.client.usage.requests == 2)
        #expect(JinaAPIBackend.costNote(done: 3, total: 5, usedTokens: api.client.usage.tokens) == "tokens 12000 of ~20000 (3/5 images)")
        _ = try api.embedText("a red triangle", asQuery: true, dims: nil)    // a text: what the API counts for it
        #expect(api.client.usage.tokens == 16000)
        _ = try api.embedImage(at: urls[0])                       // prefetched: no request
        #expect(api.client.usage.requests == 3)

        // The bar: done/total, rate, ETA, the note, then the path; at most 160 characters.
        let p = IndexingProgress(done: 3, total: 5, itemsPerSecond: 1.5, etaSeconds: 2,
                                 current: ItemPath(String(repeating: "d/", count: 80) + "x.png"))
        let line = ProgressBar.line(p, note: JinaAPIBackend.costNote(done: 3, total: 5, usedTokens: 12000))
        #expect(line.hasPrefix("[##################............] 3/5  ") && line.contains("tokens 12000 of ~20000 (3/5 images)  d/d/"), "\(line)")
        #expect(line.count == 160)
    }
}
