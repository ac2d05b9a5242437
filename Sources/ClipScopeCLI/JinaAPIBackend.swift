// `--encoder jina-api`: the Jina Embeddings API as the image encoder of `index`. Each image is decoded,
// fitted inside 512×512 (Jina prices 4,000 tokens per 512×512 tile, so this is one tile) and sent as a
// PNG; folder indexing hands the backend a batch of files at a time (`prefetch`), sent through
// ModelHub.JinaEmbeddingsClient (batches, concurrency limit, retries, consent before the first upload).
// Vectors are cached under the model identity `jina-api:jina-clip-v2`, apart from the local encoder's.
// For `search`/`compare` (`uploads` false) it uploads no image: query texts go to the API with
// `task: retrieval.query`, or to `localText` (`--query-encoder local`) and then nothing is sent.
import CLISupport
import Foundation
import Imaging
import ModelHub
import Retrieval
import VectorIndex

final class JinaAPIBackend: SearchBackend, BatchImageEmbeddingProvider, @unchecked Sendable {
    let client: JinaEmbeddingsClient
    let modelIdentity: String
    let preprocessingKey = "jina-api:fit-512;png"
    let embeddingWidth = 1024
    let modelName: String
    let matryoshkaDimensions = [32, 64, 128, 256, 512, 768, 1024]
    static let side = 512
    /// False for queries: no image leaves the machine (an image query must be in the API-indexed folder).
    var uploads = true
    /// `--query-encoder local`: the local model that embeds query texts instead of the API.
    var localText: (any SearchBackend)?

    private let lock = NSLock()
    private var prefetched: [String: Result<[Float], Error>] = [:]

    init(client: JinaEmbeddingsClient) {
        self.client = client
        modelIdentity = client.config.modelIdentity
        modelName = "\(client.config.model) (Jina API, \(client.config.base.absoluteString))"
    }

    var batchSize: Int { max(1, client.config.batchSize * client.config.concurrency) }

    /// The image as uploaded: fitted inside 512×512, PNG.
    static func uploadBytes(_ url: URL) throws -> Data {
        let image = try Thumbnail.make(fileAt: url, maxWidth: side, maxHeight: side, options: DecodeOptions(allowPartial: false))
        return PNGWriter.encode(image)
    }

    func prefetch(_ urls: [URL]) {
        guard uploads else { return }
        var inputs: [(String, JinaInput)] = []
        var results: [String: Result<[Float], Error>] = [:]
        for url in urls {
            do { inputs.append((url.path, .image(try Self.uploadBytes(url)))) } catch { results[url.path] = .failure(error) }
        }
        if !inputs.isEmpty {
            do {
                let vectors = try client.embed(inputs.map(\.1))
                for ((path, _), v) in zip(inputs, vectors) { results[path] = .success(v) }
            } catch {
                for (path, _) in inputs { results[path] = .failure(EncoderUnavailable("\(error)")) }
            }
        }
        lock.lock(); prefetched.merge(results) { $1 }; lock.unlock()
    }

    func embedImage(at url: URL) throws -> [Float] {
        lock.lock(); let ready = prefetched.removeValue(forKey: url.path); lock.unlock()
        if let ready { return try ready.get() }
        guard uploads else {
            throw CLIError.failure("\(url.path) is not in the Jina API cache and a query uploads no image: "
                                   + "use an image of the indexed folder, or index it with `clipscope index --encoder jina-api`")
        }
        let bytes = try Self.uploadBytes(url)
        do { return try client.embed([.image(bytes)])[0] } catch { throw EncoderUnavailable("\(error)") }
    }

    func embedText(_ text: String, asQuery: Bool, dims: Int?) throws -> [Float] {
        if let localText {
            guard localText.embeddingWidth == embeddingWidth else {
                throw CLIError.failure("--query-encoder local: the local model \(localText.modelName) has width \(localText.embeddingWidth), "
                                       + "the Jina API's vectors \(embeddingWidth); use --model jina-clip-v2")
            }
            return try localText.embedText(text, asQuery: asQuery, dims: dims)
        }
        let v = try client.embed([.text(text)], task: asQuery ? "retrieval.query" : nil)[0]
        guard let d = dims, d < v.count else { return v }
        return PrefixCosine.normalizedPrefix(v, dims: d)
    }

    /// Tokens of one uploaded image: one 512×512 tile.
    static var tokensPerImage: Int { JinaEmbeddingsClient.imageTokens(width: side, height: side) }

    /// The progress bar's cost: the tokens the API has counted so far (`usage`: images and any texts)
    /// and the estimate for the run, those plus 4,000 per image still to send:
    /// `tokens 12000 of ~20000 (3/5 images)`.
    static func costNote(done: Int, total: Int, usedTokens: Int) -> String {
        "tokens \(usedTokens) of ~\(usedTokens + max(0, total - done) * tokensPerImage) (\(done)/\(total) images)"
    }

    func costNote(_ p: IndexingProgress) -> String {
        Self.costNote(done: p.done, total: p.total, usedTokens: client.usage.tokens)
    }

    /// Where the consent question is asked (tests point it at a path that does not exist).
    @TaskLocal static var terminalPath = "/dev/tty"

    /// The statement shown before the first upload; true when the user agrees. `--yes` skips it;
    /// without a terminal to ask on, the upload is refused.
    static func askConsent(images: Int, base: URL, yes: Bool) -> Bool {
        let statement = "\(images) image(s) will be uploaded to \(base.absoluteString) (Jina Embeddings API), resized to at most "
            + "\(side)×\(side): about \(images * tokensPerImage) tokens. The images leave this machine."
        if yes { printError(statement + " (--yes)"); return true }
        guard let tty = FileHandle(forUpdatingAtPath: terminalPath) else {
            printError(statement + " Refused: no terminal to confirm on; pass --yes to upload from a script.")
            return false
        }
        tty.write(Data((statement + " Upload? [y/N] ").utf8))
        let answer = String(decoding: tty.availableDataLine(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return answer == "y" || answer == "yes"
    }
}

private extension FileHandle {
    /// Bytes up to the first newline (blocking).
    func availableDataLine() -> Data {
        var line = Data()
        while true {
            let b = readData(ofLength: 1)
            if b.isEmpty || b.first == 0x0A { return line }
            line.append(b)
            if line.count > 1024 { return line }
        }
    }
}

/// A PNG of an RGB image: 8-bit truecolour, filter 0, stored (uncompressed) deflate blocks.
enum PNGWriter {
    static func encode(_ image: RGBImage) -> Data {
        var raw = [UInt8]()
        raw.reserveCapacity((image.width * 3 + 1) * image.height)
        for y in 0..<image.height {
            raw.append(0)
            raw.append(contentsOf: image.pixels[(y * image.width * 3)..<((y + 1) * image.width * 3)])
        }
        var z: [UInt8] = [0x78, 0x01]
        var pos = 0
        repeat {
            let n = min(65535, raw.count - pos)
            z.append(pos + n == raw.count ? 1 : 0)
            z += [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            z += raw[pos..<(pos + n)]
            pos += n
        } while pos < raw.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        z += be32(b << 16 | a)
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        func chunk(_ type: String, _ body: [UInt8]) {
            let t = Array(type.utf8)
            out += be32(UInt32(body.count)) + t + body + be32(Checksum.crc32(t + body))
        }
        chunk("IHDR", be32(UInt32(image.width)) + be32(UInt32(image.height)) + [8, 2, 0, 0, 0])
        chunk("IDAT", z)
        chunk("IEND", [])
        return Data(out)
    }

    private static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
}
