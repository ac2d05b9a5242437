// The Jina Embeddings API client against a loopback imitation of the API: the request shape (path,
// Bearer key, model, encoding_type, dimensions, text and base64 image inputs), batching with several
// requests in flight and vectors back in input order, one 429 (Retry-After) and one 500 retried, a
// bad key reported at once, and nothing sent before consent.
import Foundation
import Testing
@testable import ModelHub
import TestSupport

@Suite struct JinaEmbeddingsClientTests {
    /// The imitation: checks every request's shape and answers vector [index-in-request-input hash…]:
    /// a text "t" gets [len(t), 1, 0, …]; an image gets [bytes, 2, 0, …] (width `dims`).
    final class FakeJina: @unchecked Sendable {
        let lock = NSLock()
        var failures: [Int] = []            // statuses to answer first, in order (then 200)
        var problems: [String] = []
        var batchSizes: [Int] = []
        var inFlight = 0, maxInFlight = 0
        let dims = 8

        func handle(_ r: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response {
            lock.lock(); inFlight += 1; maxInFlight = max(maxInFlight, inFlight); lock.unlock()
            defer { lock.lock(); inFlight -= 1; lock.unlock() }
            usleep(50_000)                                      // long enough for requests to overlap
            func problem(_ p: String) -> LoopbackHTTPServer.Response {
                lock.lock(); problems.append(p); lock.unlock()
                return .init(status: 400, body: Data("{\"detail\": \"\(p)\"}".utf8))
            }
            guard r.method == "POST", r.path == "/v1/embeddings" else { return problem("bad path \(r.method) \(r.path)") }
            guard r.headers["authorization"] == "Bearer good-key" else {
                return .init(status: 401, body: Data("{\"detail\": \"Invalid API key\"}".utf8))
            }
            guard r.headers["content-type"]?.hasPrefix("application/json") == true else { return problem("content-type") }
            guard let doc = try? JSONSerialization.jsonObject(with: r.body) as? [String: Any] else { return problem("body is not JSON") }
            guard doc["model"] as? String == "jina-clip-v2", doc["encoding_type"] as? String == "float",
                  (doc["dimensions"] as? NSNumber)?.intValue == dims, let input = doc["input"] as? [[String: String]] else {
                return problem("shape: \(doc.keys.sorted())")
            }
            lock.lock()
            let fail = failures.isEmpty ? nil : failures.removeFirst()
            if fail == nil { batchSizes.append(input.count) }
            lock.unlock()
            if let fail { return .init(status: fail, headers: fail == 429 ? [("Retry-After", "0")] : []) }
            var data: [[String: Any]] = []
            for (i, item) in input.enumerated() {
                var v = [Double](repeating: 0, count: dims)
                if let t = item["text"], item.count == 1 { v[0] = Double(t.count); v[1] = 1 }
                else if let b = item["image"], item.count == 1, let bytes = Data(base64Encoded: b) { v[0] = Double(bytes.count); v[1] = 2 }
                else { return problem("input item \(item.keys.sorted())") }
                data.append(["object": "embedding", "index": i, "embedding": v])
            }
            let answer: [String: Any] = ["model": "jina-clip-v2", "object": "list",
                                         "usage": ["total_tokens": 10 * input.count, "prompt_tokens": 10 * input.count], "data": data]
            return .init(status: 200, headers: [("Content-Type", "application/json")], body: (try? JSONSerialization.data(withJSONObject: answer)) ?? Data())
        }
    }

    func client(_ server: LoopbackHTTPServer, key: String = "good-key", batch: Int = 4, consent: @escaping @Sendable () -> Bool = { true },
                notes: NotesBox = NotesBox()) -> JinaEmbeddingsClient {
        var c = JinaAPIConfig(base: URL(string: server.baseURL)!, key: key)
        c.dimensions = 8; c.batchSize = batch; c.concurrency = 3; c.retryDelay = 0.01; c.maxAttempts = 3; c.idleTimeout = 10
        return JinaEmbeddingsClient(config: c, note: { notes.add($0) }, consent: consent)
    }

    final class NotesBox: @unchecked Sendable {
        let lock = NSLock(); var lines: [String] = []
        func add(_ s: String) { lock.lock(); lines.append(s); lock.unlock() }
    }

    func inputs(_ n: Int) -> [JinaInput] {
        (0..<n).map { i in i % 3 == 0 ? .image(Data(repeating: UInt8(i), count: 100 + i)) : .text(String(repeating: "x", count: i + 1)) }
    }

    func expected(_ input: JinaInput) -> [Float] {
        var v = [Float](repeating: 0, count: 8)
        switch input {
        case let .text(t): v[0] = Float(t.count); v[1] = 1
        case let .image(d): v[0] = Float(d.count); v[1] = 2
        }
        return v
    }

    @Test func batchesRunSideBySideAndComeBackInOrder() throws {
        let fake = FakeJina()
        let server = try LoopbackHTTPServer { fake.handle($0) }
        let c = client(server)
        let xs = inputs(22)
        let vectors = try c.embed(xs)
        #expect(fake.problems.isEmpty, "\(fake.problems)")
        #expect(vectors == xs.map(expected))
        #expect(fake.batchSizes.sorted() == [2, 4, 4, 4, 4, 4])     // 22 inputs, 4 per request
        #expect(fake.maxInFlight >= 2 && fake.maxInFlight <= 3)     // concurrency limit 3
        #expect(c.usage.tokens == 220 && c.usage.requests == 6)
        #expect(JinaEmbeddingsClient.imageTokens(width: 512, height: 512) == 4000)
        #expect(JinaEmbeddingsClient.imageTokens(width: 513, height: 200) == 8000)
    }

    @Test func one429AndOne500AreRetried() throws {
        let fake = FakeJina()
        fake.failures = [429, 500]
        let server = try LoopbackHTTPServer { fake.handle($0) }
        let notes = NotesBox()
        let c = client(server, batch: 8, notes: notes)
        let xs = inputs(5)
        #expect(try c.embed(xs) == xs.map(expected))
        #expect(server.requests.count == 3)
        #expect(notes.lines.contains { $0.contains("rate limited (429)") && $0.contains("Retry-After") }, "\(notes.lines)")
        #expect(notes.lines.contains { $0.contains("server error 500") }, "\(notes.lines)")
        // Errors that outlast the attempts are reported with the status.
        fake.failures = [503, 503, 503]
        #expect { try c.embed(xs) } throws: { ($0 as? JinaAPIError)?.status == 503 && "\($0)".contains("after 3 attempts") }
    }

    @Test func aBadKeyIsReportedAtOnce() throws {
        let fake = FakeJina()
        let server = try LoopbackHTTPServer { fake.handle($0) }
        let c = client(server, key: "wrong")
        #expect { try c.embed(inputs(3)) } throws: { e in
            "\(e)".contains("refused the key (HTTP 401): check JINA_API_KEY") && "\(e)".contains("Invalid API key")
        }
        #expect(server.requests.count == 1)                          // not retried
        #expect(throws: JinaAPIError.self) { try JinaAPIConfig.fromEnvironment([:]) }
        #expect(throws: JinaAPIError.self) { try JinaAPIConfig.fromEnvironment(["JINA_API_KEY": "k", "JINA_API_BASE": "file:///etc"]) }
        let env = try JinaAPIConfig.fromEnvironment(["JINA_API_KEY": "k"])
        #expect(env.base.absoluteString == "https://api.jina.ai" && env.modelIdentity == "jina-api:jina-clip-v2")
    }

    @Test func nothingIsSentBeforeConsent() throws {
        let fake = FakeJina()
        let server = try LoopbackHTTPServer { fake.handle($0) }
        final class Asked: @unchecked Sendable { var count = 0 }
        let asked = Asked()
        let refused = client(server, consent: { asked.count += 1; return false })
        #expect { try refused.embed(inputs(3)) } throws: { "\($0)".contains("nothing was sent") }
        #expect(throws: JinaAPIError.self) { try refused.embed(inputs(3)) }
        #expect(asked.count == 1)                                    // asked once
        #expect(server.requests.isEmpty)
        let agreed = client(server, consent: { asked.count += 1; return true })
        #expect(try agreed.embed(inputs(2)).count == 2)
        #expect(server.requests.count == 1 && asked.count == 2)
    }
}
