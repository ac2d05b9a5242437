// The two protocols the index layer needs from a model, and the item key type shared by the index,
// the cache and the CLI. VectorIndex knows nothing about how vectors are computed.
import FileIO
import Foundation

/// Embeds one image file. Implemented by the real model (ClipModel, wired in the CLI) and by fakes in tests.
public protocol ImageEmbeddingProvider: Sendable {
    /// Identifies the weights: vectors from two providers with different identities are never mixed.
    var modelIdentity: String { get }      // e.g. hash of config + weights header
    /// Identifies the preprocessing: a change re-embeds everything.
    var preprocessingKey: String { get }   // e.g. "size=512;bicubic;clip-mean-std"
    var embeddingWidth: Int { get }
    /// L2-normalized full-width vector; throws a descriptive error for files that cannot be decoded.
    func embedImage(at url: URL) throws -> [Float]
    /// True when images the decoder can read only in part (a truncated JPEG) are embedded
    /// (`--allow-partial`). Cached partial vectors are reused only then; otherwise they are re-embedded.
    var acceptsPartialImages: Bool { get }
    /// Folder indexing's call: the vector, marked when it comes from a partial image. `followLinks: false`
    /// opens the file with O_NOFOLLOW, so a file swapped for a symbolic link after the scan is refused.
    func embedImage(at url: URL, followLinks: Bool) throws -> ImageEmbedding
}

/// One image's vector and whether it was computed from part of the image.
public struct ImageEmbedding: Equatable, Sendable {
    public var vector: [Float]
    public var isPartial: Bool
    public init(vector: [Float], isPartial: Bool = false) { self.vector = vector; self.isPartial = isPartial }
}

extension ImageEmbeddingProvider {
    public var acceptsPartialImages: Bool { false }
    /// For providers that never see partial images and do their own opening (test fakes).
    public func embedImage(at url: URL, followLinks: Bool) throws -> ImageEmbedding {
        ImageEmbedding(vector: try embedImage(at: url))
    }
}

/// The encoder itself cannot work (a remote API refusing the key, unreachable after its retries):
/// folder indexing stops with this error instead of recording a failure for the image.
public struct EncoderUnavailable: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A provider that embeds many images per call (a remote API): folder indexing hands it the next
/// `batchSize` files to embed with `prefetch`, then asks for each one with `embedImage` as usual,
/// which answers from the batch.
public protocol BatchImageEmbeddingProvider: ImageEmbeddingProvider {
    var batchSize: Int { get }
    func prefetch(_ urls: [URL])
}

/// Everything `search`/`compare` need: images (for the folder) plus text queries.
public protocol SearchBackend: ImageEmbeddingProvider {
    /// Full-width (dims == nil) or truncated-then-normalized text embedding. `asQuery` prepends the
    /// `retrieval.query` instruction ("Represent the query for retrieving evidence documents: ").
    func embedText(_ text: String, asQuery: Bool, dims: Int?) throws -> [Float]
    /// Human-readable model id for output, e.g. "jinaai/jina-clip-v2".
    var modelName: String { get }
    /// Trained Matryoshka sizes, e.g. [32, 64, 128, 256, 512, 768, 1024].
    var matryoshkaDimensions: [Int] { get }
    /// The arithmetic the vectors come from ("exact" or "fast"), reported in JSON outputs.
    var precision: String { get }
}

extension SearchBackend {
    public var precision: String { "exact" }
}

/// An item key: a file path as raw bytes (file names need not be UTF-8), or for a text index the text.
/// Ordering is bytewise, which is the tie-break order of every ranking.
public struct ItemPath: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: String) { self.bytes = Array(string.utf8) }

    /// The bytes decoded as UTF-8, invalid sequences replaced by U+FFFD.
    public var string: String { String(decoding: bytes, as: UTF8.self) }
    /// For human output: control characters and non-UTF-8 bytes shown escaped (`ls -b` style).
    public var display: String { TerminalSafe.name(bytes: bytes) }
    public var isValidUTF8: Bool { String(validating: bytes, as: UTF8.self) != nil }
    public var base64: String { Data(bytes).base64EncodedString() }
    public var description: String { string }

    /// Bytewise order (memcmp, then the shorter first).
    public static func < (a: ItemPath, b: ItemPath) -> Bool {
        a.bytes.withUnsafeBufferPointer { x in
            b.bytes.withUnsafeBufferPointer { y in
                let n = min(x.count, y.count)
                let c = n == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, n)
                return c != 0 ? c < 0 : x.count < y.count
            }
        }
    }

    public static func == (a: ItemPath, b: ItemPath) -> Bool {
        a.bytes.withUnsafeBufferPointer { x in
            b.bytes.withUnsafeBufferPointer { y in
                x.count == y.count && (x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0)
            }
        }
    }

    /// The bytes hashed as one block (hashing them one by one dominated start-up at 100k files).
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        hasher.combine(bytes.count)
    }

    /// `self` + "/" + `component` (no separator added when `self` is empty or already ends in "/").
    public func appending(_ component: ItemPath) -> ItemPath {
        if bytes.isEmpty { return component }
        if bytes.last == UInt8(ascii: "/") { return ItemPath(bytes: bytes + component.bytes) }
        return ItemPath(bytes: bytes + [UInt8(ascii: "/")] + component.bytes)
    }

    /// Calls `body` with a NUL-terminated C string of the bytes (for open/stat/opendir).
    public func withCString<R>(_ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        var c = bytes.map { CChar(bitPattern: $0) }
        c.append(0)
        return try c.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// The last path component (after the final "/").
    public var lastComponent: ItemPath {
        if let i = bytes.lastIndex(of: UInt8(ascii: "/")) { return ItemPath(bytes: Array(bytes[(i + 1)...])) }
        return self
    }
}
