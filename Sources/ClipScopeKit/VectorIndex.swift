// ClipScopeKit's index: keys (file paths, ids) → embeddings, exact top-k by prefix cosine at any dims.
//   score(key) = cos_d(stored[key], query) = normalize(stored[:d]) · normalize(query[:d])
// The same index and ranking order as `clipscope search`: score descending, equal scores by key
// (bytewise ascending). A lock makes it safe to share between threads; the core index is single-owner.
import Foundation
import VectorIndex

/// One search result.
public struct SearchResult: Sendable, Hashable {
    /// 1 for the best match.
    public let rank: Int
    /// The key the vector was added under.
    public let key: String
    /// Cosine similarity of the first `dims` values of the stored vector and of the query (−1 … 1).
    public let score: Float

    public init(rank: Int, key: String, score: Float) {
        self.rank = rank; self.key = key; self.score = score
    }
}

/// An exact, in-memory index of embeddings by key, searched by cosine similarity at any Matryoshka size.
///
/// Add full-width embeddings once; search at any `dims` without re-embedding: the score is the cosine of
/// the first `dims` values of both sides (each re-normalized), which is what the model was trained for.
/// Search is exhaustive (no approximation), so rankings at two sizes can be compared item by item.
///
/// ```swift
/// let index = VectorIndex(width: encoder.embeddingWidth)
/// for (url, vector) in zip(urls, try encoder.embed(images: urls)) {
///     try index.add(url.lastPathComponent, vector: vector)
/// }
/// let query = try encoder.embed(texts: ["ein roter Kreis"], query: true)[0]
/// let top5 = try index.search(query, dims: 64, k: 5)
/// ```
public final class VectorIndex: @unchecked Sendable {
    private let core: PanelVectorIndex
    private let lock = NSLock()

    /// Length of the vectors the index holds.
    public let width: Int

    /// An empty index of `width`-long vectors (``CLIPEncoder/embeddingWidth``).
    public init(width: Int) {
        self.width = max(1, width)
        core = PanelVectorIndex(width: self.width)
    }

    /// Number of vectors.
    public var count: Int { locked { core.count } }

    /// Every key, in insertion order (a removal moves the last key into the removed one's place).
    public var keys: [String] { locked { core.keys.map(\.string) } }

    /// Whether `key` is in the index.
    public func contains(_ key: String) -> Bool { locked { core.contains(ItemPath(key)) } }

    /// Adds a vector under a new key.
    /// - Throws: `VectorIndexError` if the key is already present, the vector is not ``width`` long, or
    ///   it holds NaN or infinity.
    public func add(_ key: String, vector: [Float]) throws {
        try locked { try core.add(ItemPath(key), vector: vector) }
    }

    /// Removes a key and its vector. Returns `false` if the key was not in the index.
    @discardableResult
    public func remove(_ key: String) -> Bool { locked { core.remove(ItemPath(key)) } }

    /// The `k` keys whose vectors are closest to `query`, best first.
    ///
    /// - Parameters:
    ///   - query: An embedding (full width, or at least `dims` long).
    ///   - dims: Compare the first `dims` values (`1...width`); `nil` for the full width.
    ///   - k: At most this many results (fewer when the index is smaller; none for `k < 1`).
    /// - Throws: `VectorIndexError` if `dims` is out of range or the query is shorter than `dims`.
    public func search(_ query: [Float], dims: Int? = nil, k: Int) throws -> [SearchResult] {
        let d = dims ?? width
        return try locked {
            let hits = try core.search(query, dims: d, k: min(max(0, k), core.count))
            return hits.map { SearchResult(rank: $0.rank, key: $0.key.string, score: $0.score) }
        }
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }
}
