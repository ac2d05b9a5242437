// `clipscope serve` end to end: the server runs in-process on a free loopback port with the tiny conformance
// model (Tests/Fixtures/jina-clip-v2-tiny, width 64, trained sizes 16/32/64) and is called over HTTP with
// URLSession. Every vector is compared with ClipScopeKit's own output for the same input (tolerance 1e-6:
// a batch may group rows differently from a single call); base64 answers equal the float answers exactly.
@testable import ClipScopeServe
import ClipScopeKit
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import TestSupport
import XCTest
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Log lines of one server, for assertions.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    var lines: [String] { lock.lock(); defer { lock.unlock() }; return stored }
    func append(_ s: String) { lock.lock(); stored.append(s); lock.unlock() }
    func remove(_ s: String) { lock.lock(); stored.removeAll { $0 == s }; lock.unlock() }
}

final class ServeTests: XCTestCase {
    static let tinyEncoder = Result { try CLIPEncoder.load(directory: Fixtures.tiny, threads: 1) }
    func encoder() throws -> CLIPEncoder { try Self.tinyEncoder.get() }
    static let tolerance: Float = 1e-6
    static let png0 = "image_0_landscape_97x71.png"
    static let png1 = "image_1_portrait_50x83.png"

    struct Answer {
        var status: Int
        var json: [String: Any]
        var detail: String { json["detail"] as? String ?? "" }
        var vectors: [[Float]] {
            (json["data"] as? [[String: Any]] ?? []).map { ($0["embedding"] as? [NSNumber] ?? []).map(\.floatValue) }
        }
    }

    /// Starts a server on a free port, runs `body` with its base URL, then stops it.
    func withServer(_ configure: (inout ServeConfiguration) -> Void = { _ in },
                    _ body: (URL, EmbeddingServer, LogLines) async throws -> Void) async throws {
        let log = LogLines()
        var c = ServeConfiguration()
        c.port = 0
        c.modelName = "tiny"
        c.log = { log.append($0) }
        configure(&c)
        let server = EmbeddingServer(encoder: try encoder(), configuration: c)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let task = Task {
            defer { continuation.finish() }
            try await server.run { continuation.yield($0) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            _ = try await task.value
            return XCTFail("the server did not start")
        }
        do {
            try await body(URL(string: "http://127.0.0.1:\(port)")!, server, log)
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
        try await task.value
    }

    func post(_ base: URL, _ body: Data, path: String = "v1/embeddings") async throws -> Answer {
        var request = URLRequest(url: base.appendingPathComponent(path))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return Answer(status: status, json: json)
    }

    func post(_ base: URL, _ object: [String: Any]) async throws -> Answer {
        try await post(base, JSONSerialization.data(withJSONObject: object))
    }

    /// GET base/path as a JSON object.
    func get(_ base: URL, _ path: String) async throws -> [String: Any] {
        let (data, _) = try await URLSession.shared.data(from: base.appendingPathComponent(path))
        return (try JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    func base64(_ file: String) throws -> String { try Data(contentsOf: Fixtures.tiny(file)).base64EncodedString() }

    func assertClose(_ got: [Float], _ want: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, what, file: file, line: line)
        let err = zip(got, want).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThanOrEqual(err, Self.tolerance, "\(what): max |Δ| \(err)", file: file, line: line)
    }

    // MARK: the request examples

    func testHealthz() async throws {
        try await withServer { base, _, _ in
            let (_, response) = try await URLSession.shared.data(from: base.appendingPathComponent("healthz"))
            XCTAssertEqual((response as? HTTPURLResponse)?.statusCode, 200)
        }
    }

    /// Jina's documented request (dimensions as a string, {"text"} and {"image"} objects), answered with the
    /// documented response shape and the vectors ClipScopeKit gives for the same text and picture.
    func testJinaRequestExampleMatchesTheEncoder() async throws {
        let e = try encoder()
        try await withServer { base, _, _ in
            let png = try base64(Self.png0)
            let answer = try await post(base, [
                "model": "jina-clip-v2", "encoding_type": "float", "dimensions": "32",
                "input": [["text": "Bridge close-shot"], ["image": png], ["image": "data:image/png;base64," + png], "a plain string"],
            ])
            XCTAssertEqual(answer.status, 200, answer.detail)
            XCTAssertEqual(answer.json["model"] as? String, "jina-clip-v2")
            XCTAssertEqual(answer.json["object"] as? String, "list")
            let data = answer.json["data"] as? [[String: Any]] ?? []
            XCTAssertEqual(data.map { $0["index"] as? Int }, [0, 1, 2, 3])
            XCTAssertEqual(data.map { $0["object"] as? String }, Array(repeating: "embedding", count: 4))
            let v = answer.vectors
            let texts = try await e.embed(texts: ["Bridge close-shot", "a plain string"], dims: 32)
            let image = try await e.embed(images: [Fixtures.tiny(Self.png0)], dims: 32)[0]
            assertClose(v[0], texts[0], "text")
            assertClose(v[1], image, "base64 image")
            XCTAssertEqual(v[2], v[1], "a data URI is the same image")
            assertClose(v[3], texts[1], "plain string")
            // usage: the tokenizer's count per text, 4000 per 512² tile (97×71 is one tile)
            let tokens = try e.tokenCount("Bridge close-shot") + e.tokenCount("a plain string") + 2 * 4000
            let usage = answer.json["usage"] as? [String: Any]
            XCTAssertEqual(usage?["total_tokens"] as? Int, tokens)
            XCTAssertEqual(usage?["prompt_tokens"] as? Int, tokens)

            // a single string, no model (the server's name is echoed), dimensions as a number, the full width by default
            let one = try await post(base, ["input": "Bridge close-shot"])
            XCTAssertEqual(one.json["model"] as? String, "tiny")
            assertClose(one.vectors[0], try await e.embed(texts: ["Bridge close-shot"])[0], "full width")
            XCTAssertEqual(one.vectors[0].count, 64)
        }
    }

    func testQueryTaskAddsTheInstructionAndNoTaskDoesNot() async throws {
        let e = try encoder()
        try await withServer { base, _, _ in
            let query = try await post(base, ["input": ["a blue cat"], "task": "retrieval.query", "dimensions": 16])
            let plain = try await post(base, ["input": ["a blue cat"], "dimensions": 16])
            assertClose(query.vectors[0], try await e.embed(texts: ["a blue cat"], query: true, dims: 16)[0], "query")
            assertClose(plain.vectors[0], try await e.embed(texts: ["a blue cat"], query: false, dims: 16)[0], "no task")
            XCTAssertGreaterThan(zip(query.vectors[0], plain.vectors[0]).map { abs($0 - $1) }.max() ?? 0, 1e-3)
            XCTAssertEqual(query.json["usage"].flatMap { ($0 as? [String: Any])?["total_tokens"] as? Int },
                           try e.tokenCount("a blue cat", query: true))
        }
    }

    /// dimensions d = the full vector's first d values re-normalized (Retrieval's prefix, via Matryoshka);
    /// normalized: false gives the raw prefix, whose normalization is the normalized answer.
    func testDimensionsAndNormalized() async throws {
        try await withServer { base, _, _ in
            let png = try base64(Self.png1)
            let input: [Any] = ["a red mat", ["image": png]]
            let full = try await post(base, ["input": input]).vectors
            for d in [1, 16, 17, 32, 64] {
                let cut = try await post(base, ["input": input, "dimensions": String(d)]).vectors
                for i in 0..<2 { assertClose(cut[i], try Matryoshka.truncate(full[i], dims: d), "dims \(d) input \(i)") }
            }
            let raw = try await post(base, ["input": input, "dimensions": 32, "normalized": false]).vectors
            let normalized = try await post(base, ["input": input, "dimensions": 32]).vectors
            for i in 0..<2 {
                let norm = sqrt(raw[i].reduce(0) { $0 + $1 * $1 })
                XCTAssertGreaterThan(abs(norm - 1), 1e-3, "raw features are not unit length")
                assertClose(try Matryoshka.truncate(raw[i], dims: 32), normalized[i], "normalize(raw) input \(i)")
            }
            for bad in [0, 65, -3] as [Any] + ["abc", "", 1.5] as [Any] {
                let answer = try await post(base, ["input": input, "dimensions": bad])
                XCTAssertEqual(answer.status, 400, "dimensions \(bad)")
                XCTAssertTrue(answer.detail.contains("dimensions"), answer.detail)
            }
        }
    }

    func testBase64EncodingRoundTrips() async throws {
        try await withServer { base, _, _ in
            let input: [Any] = ["a red mat", ["image": try base64(Self.png0)]]
            let floats = try await post(base, ["input": input, "dimensions": 16]).vectors
            for key in ["encoding_type", "embedding_type"] {
                let answer = try await post(base, ["input": input, "dimensions": 16, key: "base64"])
                XCTAssertEqual(answer.status, 200, answer.detail)
                let strings = (answer.json["data"] as? [[String: Any]] ?? []).compactMap { $0["embedding"] as? String }
                XCTAssertEqual(strings.count, 2)
                for (s, want) in zip(strings, floats) {
                    let bytes = try XCTUnwrap(Data(base64Encoded: s))
                    XCTAssertEqual(bytes.count, 16 * 4)
                    let got = stride(from: 0, to: bytes.count, by: 4).map { o -> Float in
                        var bits: UInt32 = 0
                        for k in 0..<4 { bits |= UInt32(bytes[o + k]) << (8 * UInt32(k)) }
                        return Float(bitPattern: bits)
                    }
                    XCTAssertEqual(got, want, "\(key): little-endian float32 = the float answer")
                }
            }
        }
    }

    // MARK: batching

    /// 16 clients at once (texts and images): each gets its own vectors, and the encoder saw batches of several.
    func testConcurrentClientsAreBatched() async throws {
        let e = try encoder()
        let texts = (0..<16).map { "client \($0): a photo of \(["a cat", "a dog", "a bridge", "the sea"][$0 % 4])" }
        let want = try await e.embed(texts: texts)
        let wantImages = try await e.embed(images: [Fixtures.tiny(Self.png0), Fixtures.tiny(Self.png1)])
        let pngs = [try base64(Self.png0), try base64(Self.png1)]
        try await withServer({ $0.batchWindow = .milliseconds(300); $0.maxBatch = 64 }) { base, server, log in
            let answers = try await withThrowingTaskGroup(of: (Int, Answer).self) { group in
                for i in 0..<16 {
                    group.addTask {
                        let input: [Any] = i % 4 == 0 ? [texts[i], ["image": pngs[i / 4 % 2]]] : [texts[i]]
                        return (i, try await self.post(base, ["input": input]))
                    }
                }
                var out: [Int: Answer] = [:]
                for try await (i, a) in group { out[i] = a }
                return out
            }
            for i in 0..<16 {
                let a = try XCTUnwrap(answers[i])
                XCTAssertEqual(a.status, 200, a.detail)
                assertClose(a.vectors[0], want[i], "client \(i) text")
                if i % 4 == 0 { assertClose(a.vectors[1], wantImages[i / 4 % 2], "client \(i) image") }
            }
            let stats = await server.stats
            XCTAssertEqual(stats.succeeded, 16)
            XCTAssertEqual(stats.inputs, 20)
            XCTAssertGreaterThan(stats.largestBatch, 1, "no batch held more than one input: \(stats)")
            XCTAssertLessThan(stats.batches, 16)
            XCTAssertTrue(log.lines.contains { $0.hasPrefix("batch of") && !$0.hasPrefix("batch of 1 ") }, "\(log.lines)")
        }
    }

    /// 12 clients with 2 images each against a server that decodes at most 2 images at once: every
    /// answer is right, and the server never had more than 2 decodes running.
    func testImageDecodingIsBounded() async throws {
        let e = try encoder()
        let want = try await e.embed(images: [Fixtures.tiny(Self.png0), Fixtures.tiny(Self.png1)])
        let pngs = [try base64(Self.png0), try base64(Self.png1)]
        try await withServer({ $0.maxConcurrentDecodes = 2; $0.maxBatch = 64 }) { base, server, _ in
            try await withThrowingTaskGroup(of: Answer.self) { group in
                for _ in 0..<12 { group.addTask { try await self.post(base, ["input": [["image": pngs[0]], ["image": pngs[1]]]]) } }
                for try await a in group {
                    XCTAssertEqual(a.status, 200, a.detail)
                    assertClose(a.vectors[0], want[0], "first image")
                    assertClose(a.vectors[1], want[1], "second image")
                }
            }
            let stats = await server.stats
            XCTAssertEqual(stats.succeeded, 12)
            XCTAssertTrue((1...2).contains(stats.largestConcurrentDecodes), "\(stats)")
            let json = try await get(base, "v1/stats")
            XCTAssertEqual(json["largest_concurrent_decodes"] as? Int, stats.largestConcurrentDecodes)
        }
    }

    /// The gate itself: 24 holders that each keep their slot 20 ms never exceed the limit, and do reach it.
    func testDecodeGateNeverAdmitsMoreThanItsLimit() async throws {
        for limit in [1, 3] {
            let gate = DecodeGate(limit: limit)
            let counter = LogLines()          // one line per holder inside the gate
            let seen = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<24 {
                    group.addTask {
                        await gate.acquire()
                        counter.append("\(i)")
                        let inside = counter.lines.count
                        try await Task.sleep(for: .milliseconds(20))
                        counter.remove("\(i)")
                        await gate.release()
                        return inside
                    }
                }
                var most = 0
                for try await n in group { most = max(most, n) }
                return most
            }
            let largest = await gate.largest
            XCTAssertLessThanOrEqual(seen, limit)
            XCTAssertEqual(largest, limit)
        }
    }

    func testMaxBatchSplitsTheQueue() async throws {
        try await withServer({ $0.batchWindow = .milliseconds(300); $0.maxBatch = 2 }) { base, server, _ in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<6 { group.addTask { try await self.post(base, ["input": ["text \(i)"]]).status } }
                for try await status in group { XCTAssertEqual(status, 200) }
            }
            let stats = await server.stats
            XCTAssertLessThanOrEqual(stats.largestBatch, 2)
            XCTAssertGreaterThanOrEqual(stats.batches, 3)
        }
    }

    // MARK: errors

    /// Malformed, oversized and refused requests get a 4xx with a message; the next request is answered.
    func testBadRequestsGet4xxAndTheServerGoesOn() async throws {
        try await withServer({ $0.maxRequestBytes = 4096 }) { base, server, _ in
            let cases: [(Data, Int, String)] = [
                (Data("{\"input\": [\"a\",".utf8), 400, "malformed JSON"),
                (Data("not json".utf8), 400, "malformed JSON"),
                (Data("[1, 2]".utf8), 400, "JSON object"),
                (Data(), 400, "empty"),
                (Data("{\"inputs\": [\"a\"]}".utf8), 400, "missing \"input\""),
                (Data("{\"input\": []}".utf8), 400, "empty"),
                (Data("{\"input\": [42]}".utf8), 400, "input[0]"),
                (Data("{\"input\": [{\"text\": \"a\", \"image\": \"b\"}]}".utf8), 400, "exactly one"),
                (Data("{\"input\": [{\"image\": \"%%%\"}]}".utf8), 400, "base64"),
                (Data("{\"input\": [{\"image\": \"aGVsbG8gd29ybGQ=\"}]}".utf8), 400, "input[0]"),
                (Data("{\"input\": [{\"url\": \"http://127.0.0.1:9/x.png\"}]}".utf8), 400, "--allow-urls"),
                (Data("{\"input\": \"a\", \"encoding_type\": \"binary\"}".utf8), 400, "encoding_type"),
                (Data("{\"input\": \"a\", \"task\": \"classification\"}".utf8), 400, "task"),
                (Data(("{\"input\": \"" + String(repeating: "x", count: 5000) + "\"}").utf8), 413, "larger than the limit"),
            ]
            for (body, status, message) in cases {
                let answer = try await post(base, body)
                XCTAssertEqual(answer.status, status, String(decoding: body.prefix(60), as: UTF8.self))
                XCTAssertTrue(answer.detail.contains(message), "\(answer.detail) lacks \(message)")
                let next = try await post(base, ["input": "still serving"])
                XCTAssertEqual(next.status, 200, next.detail)
            }
            let stats = await server.stats
            XCTAssertEqual(stats.failed, cases.count)
            XCTAssertEqual(stats.succeeded, cases.count)
        }
    }

    /// {"url"} inputs: fetched over http only with allowURLs (here from a second loopback server), file URLs never.
    func testURLInputs() async throws {
        let pngData = try Data(contentsOf: Fixtures.tiny(Self.png0))
        let router = Router()
        router.get("848.jpg") { _, _ in
            Response(status: .ok, headers: [.contentType: "image/png"], body: .init(byteBuffer: ByteBuffer(bytes: pngData)))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var quiet = Logger(label: "test-images")
        quiet.logLevel = .warning
        let images = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                 onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: quiet)
        let imageGroup = ServiceGroup(configuration: .init(services: [images], logger: Logger(label: "test-images")))
        let imageTask = Task { defer { continuation.finish() }; try await imageGroup.run() }
        var it = ports.makeAsyncIterator()
        let firstPort = await it.next()
        let imagePort = try XCTUnwrap(firstPort)
        let url = "http://127.0.0.1:\(imagePort)/848.jpg"
        let want = try await encoder().embed(images: [Fixtures.tiny(Self.png0)])[0]
        try await withServer({ $0.allowURLs = true }) { base, _, _ in
            let answer = try await post(base, ["model": "jina-clip-v2", "input": [["text": "Bridge close-shot"], ["url": url], ["image": url]]])
            XCTAssertEqual(answer.status, 200, answer.detail)
            assertClose(answer.vectors[1], want, "url")
            XCTAssertEqual(answer.vectors[2], answer.vectors[1], "a URL in \"image\" is fetched too")
            for refused in ["file:///etc/passwd", "FILE:///etc/hosts", "ftp://127.0.0.1/x.png"] {
                let no = try await post(base, ["input": [["url": refused]]])
                XCTAssertEqual(no.status, 400, refused)
                XCTAssertTrue(no.detail.contains("not an http(s) URL"), no.detail)
            }
            let missing = try await post(base, ["input": [["url": "http://127.0.0.1:\(imagePort)/missing.png"]]])
            XCTAssertEqual(missing.status, 400)
            XCTAssertTrue(missing.detail.contains("404"), missing.detail)
        }
        await imageGroup.triggerGracefulShutdown()
        try await imageTask.value
    }

    // MARK: request parsing

    func testRequestParsing() throws {
        let r = try EmbeddingsRequest.parse(Data("""
            {"model": "x", "input": ["a", {"text": "b"}, {"image": "QUJD"}, {"url": "https://e.com/1.jpg"}, {"image": "https://e.com/2.jpg"}],
             "dimensions": " 32", "normalized": false, "embedding_type": "base64", "task": "retrieval.query", "late_chunking": false}
            """.utf8))
        XCTAssertEqual(r.inputs, [.text("a"), .text("b"), .image("QUJD"), .url("https://e.com/1.jpg"), .url("https://e.com/2.jpg")])
        XCTAssertEqual(r.dimensions, 32)
        XCTAssertEqual(r.normalized, false)
        XCTAssertEqual(r.encoding, .base64)
        XCTAssertTrue(r.isQuery)
        let d = try EmbeddingsRequest.parse(Data("{\"input\": \"a\", \"dimensions\": null, \"task\": \"retrieval.passage\"}".utf8))
        XCTAssertEqual(d.inputs, [.text("a")])
        XCTAssertNil(d.dimensions)
        XCTAssertTrue(d.normalized)
        XCTAssertEqual(d.encoding, .float)
        XCTAssertFalse(d.isQuery)
        XCTAssertThrowsError(try EmbeddingsRequest.parse(Data("{\"input\": \"a\", \"encoding_type\": \"float\", \"embedding_type\": \"base64\"}".utf8)))
        // a client's control bytes never reach a message raw
        XCTAssertEqual(EmbeddingsRequest.quoted("a\u{1b}[2J\"b"), "\"a\\u001b[2J\\\"b\"")
        XCTAssertEqual(EmbeddingServer.imageTokens(width: 512, height: 512), 4000)
        XCTAssertEqual(EmbeddingServer.imageTokens(width: 513, height: 1024), 16000)
        XCTAssertEqual(EmbeddingServer.imageTokens(width: 2000, height: 10), 16000)
    }
}
