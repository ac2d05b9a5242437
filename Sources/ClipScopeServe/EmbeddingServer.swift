// `clipscope serve`: a local HTTP endpoint with the request and response shape of the Jina Embeddings API,
// on Hummingbird (SwiftNIO), over ClipScopeKit's encoder.
//
//   POST /v1/embeddings → {"model", "object": "list", "usage": {"total_tokens", "prompt_tokens"},
//                          "data": [{"object": "embedding", "index": i, "embedding": [...] | "<base64 f32 LE>"}]}
//   GET  /healthz       → 200 {"status": "ok"}       GET /v1/stats → the batch and decode counters (ServeStats)
//   errors              → 4xx/5xx {"detail": message}; the server goes on serving
//
// Per input:  text  → tokens = the tokenizer's count (<s>, instruction if task=retrieval.query, text, </s>; ≤ 512)
//             image → base64 / data URI / (--allow-urls) http(s) URL → decode + crop → 4000 tokens per 512² tile
//                     of the decoded image: ⌈w/512⌉·⌈h/512⌉·4000
//             embedding = normalize(features[:d]) (normalized, the default) or features[:d], d = dimensions ?? width
import ClipScopeKit
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A server-side failure (not the client's request).
struct ServeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The service group of a running server, for `shutdown()`.
private final class RunningGroup: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: ServiceGroup?
    var group: ServiceGroup? { lock.lock(); defer { lock.unlock() }; return stored }
    func set(_ g: ServiceGroup) { lock.lock(); stored = g; lock.unlock() }
}

/// How `clipscope serve` listens and what it accepts.
public struct ServeConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (reported to `onRunning`).
    public var port = 8080
    /// The `model` answered when a request names none.
    public var modelName = "jina-clip-v2"
    /// Fetch `{"url"}` inputs (http and https only; file URLs never).
    public var allowURLs = false
    /// Most inputs (texts + images) per encoder batch.
    public var maxBatch = 32
    /// Largest request body accepted (larger: 413); also the largest image fetched from a URL.
    public var maxRequestBytes = 32 << 20
    /// Most images decoded at once across all requests (each holds its decoded picture meanwhile).
    public var maxConcurrentDecodes = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// How long the first request of a batch waits for others to join.
    public var batchWindow: Duration = .milliseconds(5)
    /// Where log lines go (one per batch, errors, startup).
    public var log: @Sendable (String) -> Void = { line in
        try? FileHandle.standardError.write(contentsOf: Data(("clipscope serve: " + line + "\n").utf8))
    }

    public init() {}

    /// Whether `host` only accepts connections from this machine.
    public var isLoopback: Bool {
        let h = host.lowercased()
        return h == "localhost" || h == "::1" || h == "[::1]" || h.hasPrefix("127.")
    }
}

/// The /v1/embeddings server. `run` serves until its task is cancelled.
@available(macOS 14, iOS 17, tvOS 17, *)
public final class EmbeddingServer: Sendable {
    let encoder: CLIPEncoder
    let configuration: ServeConfiguration
    let batcher: EmbeddingBatcher
    let decodeGate: DecodeGate
    private let running = RunningGroup()

    /// Tokens Jina's API counts per 512×512 tile of an image.
    static let tokensPerTile = 4000
    static let tileSide = 512

    public init(encoder: CLIPEncoder, configuration: ServeConfiguration) {
        self.encoder = encoder
        self.configuration = configuration
        self.batcher = EmbeddingBatcher(encoder: encoder, maxBatch: configuration.maxBatch,
                                        window: configuration.batchWindow, log: configuration.log)
        self.decodeGate = DecodeGate(limit: configuration.maxConcurrentDecodes)
    }

    /// The counters so far (batches, their largest size, answered requests).
    public var stats: ServeStats {
        get async {
            var s = await batcher.stats
            s.largestConcurrentDecodes = await decodeGate.largest
            return s
        }
    }

    /// Serves until `shutdown()` (or, with `handleSignals`, SIGINT/SIGTERM) stops it after answering the
    /// requests in flight, or the calling task is cancelled. `onRunning` gets the port once it is listening.
    public func run(handleSignals: Bool = false, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let router = Router()
        router.get("healthz") { _, _ in Self.json(200, "{\"status\":\"ok\"}") }
        router.get("v1/stats") { [self] _, _ in
            let s = await self.stats
            return Self.json(200, "{\"batches\":\(s.batches),\"inputs\":\(s.inputs),\"largest_batch\":\(s.largestBatch),\"largest_requests_per_batch\":\(s.largestRequestsPerBatch),\"largest_concurrent_decodes\":\(s.largestConcurrentDecodes),\"succeeded\":\(s.succeeded),\"failed\":\(s.failed)}")
        }
        router.post("v1/embeddings") { [self] request, _ in await self.answer(request) }
        var logger = Logger(label: "clipscope.serve")
        logger.logLevel = .warning
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "clipscope"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [app], gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [], logger: logger))
        running.set(group)
        try await group.run()
    }

    /// Stops a running server: it stops accepting, answers the requests in flight, and `run` returns.
    public func shutdown() async {
        await running.group?.triggerGracefulShutdown()
    }

    // MARK: POST /v1/embeddings

    func answer(_ request: Request) async -> Response {
        do {
            let response = try await embeddings(request)
            await batcher.recordAnswer(ok: true)
            return response
        } catch let error as RequestError {
            await batcher.recordAnswer(ok: false)
            return Self.error(error.status, error.message)
        } catch {
            await batcher.recordAnswer(ok: false)
            configuration.log("request failed: \(error)")
            return Self.error(500, "\(error)")
        }
    }

    private func embeddings(_ request: Request) async throws -> Response {
        let limit = configuration.maxRequestBytes
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw RequestError(status: 413, message: "request body of \(length) bytes is larger than the limit of \(limit) (--max-request-bytes)")
        }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: limit) } catch is NIOTooManyBytesError {
            throw RequestError(status: 413, message: "request body is larger than the limit of \(limit) bytes (--max-request-bytes)")
        }
        let parsed = try EmbeddingsRequest.parse(Data(buffer.readableBytesView))
        let width = encoder.embeddingWidth
        let dims = parsed.dimensions ?? width
        guard (1...width).contains(dims) else {
            throw RequestError.bad("\"dimensions\": \(dims) is out of range: this model gives 1…\(width) (trained sizes \(encoder.matryoshkaDimensions.map(String.init).joined(separator: ", ")))")
        }

        // Inputs → texts (with the instruction) and cropped images, each remembering its place.
        var texts: [String] = [], images: [PixelBuffer] = []
        var slots: [(isText: Bool, row: Int)] = []
        var tokens = 0
        let instruction = parsed.isQuery ? encoder.queryInstruction : ""
        for (i, input) in parsed.inputs.enumerated() {
            switch input {
            case .text(let t):
                tokens += try encoder.tokenCount(t, query: parsed.isQuery)
                slots.append((true, texts.count))
                texts.append(instruction + t)
            case .image(let s):
                let prepared = try await prepare(try Self.imageBytes(s, index: i), index: i)
                tokens += Self.imageTokens(width: prepared.sourceWidth, height: prepared.sourceHeight)
                slots.append((false, images.count))
                images.append(prepared.crop)
            case .url(let s):
                let prepared = try await prepare(try await fetch(s, index: i), index: i)
                tokens += Self.imageTokens(width: prepared.sourceWidth, height: prepared.sourceHeight)
                slots.append((false, images.count))
                images.append(prepared.crop)
            }
        }

        let rows = try await batcher.embed(.init(texts: texts, images: images))
        var data = ""
        data.reserveCapacity(slots.count * dims * 12)
        for (i, slot) in slots.enumerated() {
            let raw = slot.isText ? rows.texts[slot.row] : rows.images[slot.row]
            let vector = parsed.normalized ? try Matryoshka.truncate(raw, dims: dims) : Array(raw.prefix(dims))
            if i > 0 { data += "," }
            data += "{\"object\":\"embedding\",\"index\":\(i),\"embedding\":"
            data += parsed.encoding == .base64 ? "\"" + Self.base64(vector) + "\"" : Self.floats(vector)
            data += "}"
        }
        let model = parsed.model ?? configuration.modelName
        let body = "{\"model\":\(Self.jsonString(model)),\"object\":\"list\",\"usage\":{\"total_tokens\":\(tokens),\"prompt_tokens\":\(tokens)},\"data\":[\(data)]}"
        return Self.json(200, body)
    }

    /// Decodes and crops off the server's threads, at most `maxConcurrentDecodes` at once (DecodeGate);
    /// an undecodable image is the client's error.
    private func prepare(_ bytes: Data, index: Int) async throws -> PreparedImage {
        let encoder = self.encoder
        await decodeGate.acquire()
        do {
            let prepared = try await EmbeddingBatcher.offload { try encoder.prepareImage(data: bytes, name: "input[\(index)]") }
            await decodeGate.release()
            return prepared
        } catch let error as ImageError {
            await decodeGate.release()
            throw RequestError.bad("\(error)")
        } catch {
            await decodeGate.release()
            throw error
        }
    }

    /// Base64 (plain or a `data:…;base64,` URI) → bytes.
    static func imageBytes(_ s: String, index: Int) throws -> Data {
        var payload = Substring(s)
        if payload.hasPrefix("data:") {
            guard let comma = payload.firstIndex(of: ","), payload[..<comma].hasSuffix(";base64") else {
                throw RequestError.bad("input[\(index)].image: a data URI must be base64 (data:image/…;base64,…)")
            }
            payload = payload[payload.index(after: comma)...]
        }
        guard let bytes = Data(base64Encoded: String(payload), options: .ignoreUnknownCharacters), !bytes.isEmpty else {
            throw RequestError.bad("input[\(index)].image is not base64 image bytes, a data URI or an http(s) URL")
        }
        return bytes
    }

    /// An image from an http(s) URL (only with --allow-urls), at most maxRequestBytes.
    private func fetch(_ s: String, index: Int) async throws -> Data {
        guard configuration.allowURLs else {
            throw RequestError.bad("input[\(index)]: URL inputs are off; start the server with --allow-urls to fetch http(s) images, or send the image as base64")
        }
        guard let url = URL(string: s), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw RequestError.bad("input[\(index)]: \(EmbeddingsRequest.quoted(s)) is not an http(s) URL (file URLs are never read)")
        }
        var request = URLRequest(url: url, timeoutInterval: 30)
        request.httpMethod = "GET"
        let (data, response): (Data, URLResponse)
        do { (data, response) = try await URLSession.shared.data(for: request) } catch {
            throw RequestError.bad("input[\(index)]: fetching \(EmbeddingsRequest.quoted(s)) failed: \(error.localizedDescription)")
        }
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            throw RequestError.bad("input[\(index)]: fetching \(EmbeddingsRequest.quoted(s)) answered HTTP \(http.statusCode)")
        }
        guard data.count <= configuration.maxRequestBytes else {
            throw RequestError(status: 413, message: "input[\(index)]: the image at \(EmbeddingsRequest.quoted(s)) is \(data.count) bytes, more than \(configuration.maxRequestBytes)")
        }
        return data
    }

    static func imageTokens(width: Int, height: Int) -> Int {
        let tiles = ((width + tileSide - 1) / tileSide) * ((height + tileSide - 1) / tileSide)
        return max(1, tiles) * tokensPerTile
    }

    // MARK: JSON output

    static func json(_ status: Int, _ body: String) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func error(_ status: Int, _ message: String) -> Response {
        json(status, "{\"detail\":\(jsonString(message))}")
    }

    /// Each value as the shortest text that reads back as the same Float.
    static func floats(_ v: [Float]) -> String {
        "[" + v.map { $0.isFinite ? "\($0)" : "null" }.joined(separator: ",") + "]"
    }

    /// Little-endian float32 bytes, base64 (what Jina's `encoding_type: base64` answers).
    static func base64(_ v: [Float]) -> String {
        var bytes = Data(capacity: v.count * 4)
        for f in v { withUnsafeBytes(of: f.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        return bytes.base64EncodedString()
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
