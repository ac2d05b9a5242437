// A client for the Jina Embeddings API (`POST {base}/v1/embeddings`, Bearer key), the remote twin of
// the local encoder:
//
//   request   {"model": "jina-clip-v2", "encoding_type": "float", "dimensions": N (when set),
//              "task": "retrieval.query" (query texts only: the API prepends the query instruction),
//              "input": [{"text": T} | {"image": BASE64}, …]}
//   answer    {"model", "object": "list", "usage": {"total_tokens", "prompt_tokens"},
//              "data": [{"object": "embedding", "index": i, "embedding": [floats]}, …]}
//
//   batching      inputs go `batchSize` per request; up to `concurrency` requests are in flight at once;
//                 the vectors come back in input order whatever order the requests finish in
//   retries       429 and 5xx (HTTPRetry: Retry-After honoured, else exponential backoff), transport
//                 failures too, up to `maxAttempts` per request; 401/403 end at once ("check JINA_API_KEY");
//                 other 4xx end at once with the API's message
//   consent       `consent` is asked once, before the first byte leaves the machine; false → nothing is sent
//   cost          images cost 4,000 tokens per 512×512 tile (`imageTokens`), so callers send them at ≤ 512 px
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

public struct JinaAPIConfig: Sendable {
    public static let defaultBase = "https://api.jina.ai"
    public var base: URL
    public var key: String
    public var model = "jina-clip-v2"
    public var dimensions: Int?
    public var batchSize = 32
    public var concurrency = 4
    public var maxAttempts = 5
    public var retryDelay: TimeInterval = 1
    public var idleTimeout: TimeInterval = 120

    public init(base: URL, key: String) { self.base = base; self.key = key }

    /// `JINA_API_KEY` (required) and `JINA_API_BASE` (default https://api.jina.ai).
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> JinaAPIConfig {
        guard let key = env["JINA_API_KEY"], !key.isEmpty else {
            throw JinaAPIError("JINA_API_KEY is not set: get a key at https://jina.ai/embeddings and export JINA_API_KEY=…")
        }
        let text = env["JINA_API_BASE"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultBase
        guard let base = URL(string: text), let scheme = base.scheme?.lowercased(), scheme == "https" || scheme == "http", base.host != nil else {
            throw JinaAPIError("JINA_API_BASE=\"\(text)\" is not an http(s) URL")
        }
        return JinaAPIConfig(base: base, key: key)
    }

    /// The cache identity of vectors from this API model.
    public var modelIdentity: String { "jina-api:\(model)" }
}

public struct JinaAPIError: Error, CustomStringConvertible, Equatable {
    public var description: String
    /// HTTP status of the answer that ended the request (nil: transport, parse or consent).
    public var status: Int?
    public init(_ description: String, status: Int? = nil) { self.description = description; self.status = status }
}

public enum JinaInput: Sendable, Equatable {
    case text(String)
    case image(Data)     // encoded image bytes (PNG, JPEG, …), sent as base64
}

public final class JinaEmbeddingsClient: @unchecked Sendable {
    public let config: JinaAPIConfig
    private let http: HubHTTP
    private let note: @Sendable (String) -> Void
    private let consent: @Sendable () -> Bool
    private let lock = NSLock()
    private var consented: Bool?
    private var tokens = 0
    private var requests = 0

    /// `note`: one line per retry; `consent`: asked once, before the first upload.
    public init(config: JinaAPIConfig, note: @escaping @Sendable (String) -> Void = { _ in },
                consent: @escaping @Sendable () -> Bool = { true }) {
        self.config = config
        self.http = HubHTTP(idleTimeout: config.idleTimeout, userAgent: "clipscope/0.1 (swift; jina-api)")
        self.note = note
        self.consent = consent
    }

    /// Tokens the API reported so far (`usage.total_tokens`) and the requests answered.
    public var usage: (tokens: Int, requests: Int) { lock.lock(); defer { lock.unlock() }; return (tokens, requests) }

    /// Jina's price of an image: 4,000 tokens per 512×512 tile.
    public static func imageTokens(width: Int, height: Int) -> Int {
        max(1, (width + 511) / 512) * max(1, (height + 511) / 512) * 4000
    }

    /// One vector per input, in input order. `task`: Jina's `task` field ("retrieval.query" for search
    /// queries; nil sends none, which embeds texts as they are).
    public func embed(_ inputs: [JinaInput], task: String? = nil) throws -> [[Float]] {
        guard !inputs.isEmpty else { return [] }
        try askConsent()
        let size = max(1, config.batchSize)
        let batches = stride(from: 0, to: inputs.count, by: size).map { $0..<min($0 + size, inputs.count) }
        let run = BatchRun(count: inputs.count, batches: batches)
        let work: @Sendable () -> Void = { [self] in
            while let range = run.take() {
                do { run.store(try self.request(Array(inputs[range]), task: task), at: range) } catch { run.fail(error) }
            }
        }
        // `concurrency` worker threads (not GCD's pool, which runs only as many blocking calls as there
        // are cores) each take the next batch until none is left or one has failed.
        let workers = min(max(1, config.concurrency), batches.count)
        if workers == 1 {
            work()
        } else {
            let group = DispatchGroup()
            for _ in 0..<workers {
                group.enter()
                let thread = Thread { work(); group.leave() }
                thread.name = "clipscope-jina-api"
                thread.start()
            }
            group.wait()
        }
        return try run.result()
    }

    /// The shared state of one `embed`: the next batch to send, the vectors, the first error.
    private final class BatchRun: @unchecked Sendable {
        private let lock = NSLock()
        private let batches: [Range<Int>]
        private var next = 0
        private var out: [[Float]]
        private var firstError: Error?
        init(count: Int, batches: [Range<Int>]) { self.batches = batches; out = [[Float]](repeating: [], count: count) }

        /// The next batch, or nil when all are taken or one has failed.
        func take() -> Range<Int>? {
            lock.lock(); defer { lock.unlock() }
            guard firstError == nil, next < batches.count else { return nil }
            next += 1
            return batches[next - 1]
        }
        func store(_ vectors: [[Float]], at range: Range<Int>) {
            lock.lock(); for (i, v) in zip(range, vectors) { out[i] = v }; lock.unlock()
        }
        func fail(_ error: Error) { lock.lock(); if firstError == nil { firstError = error }; lock.unlock() }
        func result() throws -> [[Float]] {
            lock.lock(); defer { lock.unlock() }
            if let firstError { throw firstError }
            return out
        }
    }

    private func askConsent() throws {
        lock.lock(); defer { lock.unlock() }
        if consented == nil { consented = consent() }
        guard consented == true else {
            throw JinaAPIError("nothing was sent to \(config.base.absoluteString): the upload was not confirmed")
        }
    }

    /// The JSON body of one request.
    func body(_ inputs: [JinaInput], task: String? = nil) throws -> Data {
        var doc: [String: Any] = ["model": config.model, "encoding_type": "float"]
        if let d = config.dimensions { doc["dimensions"] = d }
        if let task { doc["task"] = task }
        doc["input"] = inputs.map { input -> [String: String] in
            switch input {
            case let .text(t): return ["text": t]
            case let .image(d): return ["image": d.base64EncodedString()]
            }
        }
        return try JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys])
    }

    /// One request with its retries.
    func request(_ inputs: [JinaInput], task: String? = nil) throws -> [[Float]] {
        let url = config.base.appendingPathComponent("v1/embeddings")
        let payload = try body(inputs, task: task)
        let headers = ["Authorization": "Bearer \(config.key)", "Content-Type": "application/json", "Accept": "application/json"]
        var attempt = 0
        while true {
            attempt += 1
            var received = Data()
            let r = http.send("POST", url, headers: headers, body: payload, sink: { received.append($0) })
            let last = attempt >= max(1, config.maxAttempts)
            guard let head = r.head else {
                let why = r.timedOut ? "no answer for \(Int(config.idleTimeout)) s" : (r.transportError.map { "\($0.localizedDescription)" } ?? "no answer")
                if last { throw JinaAPIError("\(url.absoluteString): \(why) (after \(attempt) attempts)") }
                note("Jina API: \(why); retrying (\(attempt)/\(config.maxAttempts - 1))")
                Thread.sleep(forTimeInterval: HTTPRetry.delay(attempt: attempt, base: config.retryDelay, retryAfter: nil))
                continue
            }
            switch head.status {
            case 200..<300:
                return try parse(received, count: inputs.count)
            case 401, 403:
                throw JinaAPIError("the Jina API refused the key (HTTP \(head.status)): check JINA_API_KEY"
                                   + Self.detail(r.errorBody).map { " (\($0))" }.orEmpty, status: head.status)
            case let s where HTTPRetry.isRetryable(status: s) && !last:
                let wait = HTTPRetry.retryAfter(head.header("retry-after"))
                note("Jina API: " + (s == 429 ? "rate limited (429)" : "server error \(s)") + "; retrying"
                     + (wait.map { " in \($0) s (Retry-After)" } ?? "") + " (\(attempt)/\(config.maxAttempts - 1))")
                Thread.sleep(forTimeInterval: HTTPRetry.delay(attempt: attempt, base: config.retryDelay, retryAfter: wait))
            default:
                throw JinaAPIError("the Jina API answered HTTP \(head.status)" + (HTTPRetry.isRetryable(status: head.status) ? " after \(attempt) attempts" : "")
                                   + Self.detail(r.errorBody).map { ": \($0)" }.orEmpty, status: head.status)
            }
        }
    }

    /// `data[i].embedding` by `index`; every input must get one finite vector of one width.
    func parse(_ data: Data, count: Int) throws -> [[Float]] {
        guard let doc = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let items = doc["data"] as? [[String: Any]] else {
            throw JinaAPIError("the Jina API's answer is not the expected JSON ({\"data\": [{\"index\", \"embedding\"}, …]})")
        }
        var out = [[Float]?](repeating: nil, count: count)
        for item in items {
            guard let i = (item["index"] as? NSNumber)?.intValue, (0..<count).contains(i), out[i] == nil,
                  let values = item["embedding"] as? [NSNumber] else {
                throw JinaAPIError("the Jina API's answer has a malformed or repeated item in \"data\"")
            }
            let v = values.map { $0.floatValue }
            guard !v.isEmpty, v.allSatisfy({ $0.isFinite }) else { throw JinaAPIError("the Jina API returned an empty or non-finite vector") }
            out[i] = v
        }
        let vectors = out.compactMap { $0 }
        guard vectors.count == count, Set(vectors.map(\.count)).count == 1 else {
            throw JinaAPIError("the Jina API returned \(vectors.count) vectors of mixed or missing widths for \(count) inputs")
        }
        let used = ((doc["usage"] as? [String: Any])?["total_tokens"] as? NSNumber)?.intValue ?? 0
        lock.lock(); tokens += used; requests += 1; lock.unlock()
        return vectors
    }

    /// `detail` (Jina's error field) or the body's first 300 characters.
    static func detail(_ body: Data) -> String? {
        if let doc = try? JSONSerialization.jsonObject(with: body) as? [String: Any], let d = doc["detail"] {
            return "\(d)"
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}

private extension Optional where Wrapped == String {
    var orEmpty: String { self ?? "" }
}
