// Matryoshka helpers on the one prefix-cosine definition of the Retrieval module:
//   truncate(v, d)  = normalize(v[:d])                     normalize(x) = x / max(‖x‖₂, 1e-12)
//   cosine(a, b, d) = normalize(a[:d]) · normalize(b[:d])
// The same numbers VectorIndex.search scores with, and what CLIPEncoder.embed(…, dims:) returns.
import Retrieval

/// Helpers for Matryoshka embeddings: a jina-clip-v2 embedding cut to its first `dims` values and
/// re-normalized is a smaller embedding of the same text or image.
public enum Matryoshka {
    /// The first `dims` values of `vector`, L2-normalized: the embedding at a smaller size.
    /// - Throws: `ClipModelError.invalidDims` unless `1 <= dims <= vector.count`.
    public static func truncate(_ vector: [Float], dims: Int) throws -> [Float] {
        guard dims >= 1 && dims <= vector.count else { throw ClipModelError.invalidDims(dims, width: vector.count) }
        return PrefixCosine.normalizedPrefix(vector, dims: dims)
    }

    /// Cosine similarity of the first `dims` values of `a` and `b` (each prefix re-normalized);
    /// `nil` dims compares the full vectors. 0 when either prefix is all zeros.
    /// - Throws: `ClipModelError.invalidDims` unless `1 <= dims <= min(a.count, b.count)`.
    public static func cosine(_ a: [Float], _ b: [Float], dims: Int? = nil) throws -> Float {
        let width = min(a.count, b.count)
        let d = dims ?? width
        guard d >= 1 && d <= width else { throw ClipModelError.invalidDims(d, width: width) }
        return PrefixCosine.score(a, b, dims: d)
    }
}
