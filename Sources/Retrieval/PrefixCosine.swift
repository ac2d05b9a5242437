// Matryoshka prefix cosine: the score of ClipScope at dimension d.
//
//   slice(x, d)     = x[0 ..< d]
//   normalize(v)    = v / max(‖v‖₂, 1e-12)                        (torch F.normalize)
//   cos_d(a, b)     = normalize(slice(a, d)) · normalize(slice(b, d))
//
// Both sides are sliced to their first d components and re-normalised, so a full-width unit vector and
// its d-prefix score the same against any item. Norms are summed in Double. This is the reference
// definition; the index's panel/SIMD path (VectorIndex) and the batched GEMM of TruncationCurve are
// tested against it.

public enum PrefixCosine {
    /// The norm floor of `normalize` (torch F.normalize's eps).
    public static let normFloor: Double = 1e-12

    /// normalize(slice(x, d)); d is clamped to 0 ... x.count.
    public static func normalizedPrefix(_ x: [Float], dims d: Int) -> [Float] {
        normalized(x[0..<max(0, min(d, x.count))])
    }

    /// x / max(‖x‖₂, 1e-12).
    public static func normalized(_ x: ArraySlice<Float>) -> [Float] {
        let inv = Float(1 / max(norm(x), normFloor))
        return x.map { $0 * inv }
    }

    /// ‖x‖₂ summed in Double.
    public static func norm(_ x: ArraySlice<Float>) -> Double {
        var s = 0.0
        for v in x { s += Double(v) * Double(v) }
        return s.squareRoot()
    }

    /// cos_d(a, b): 0 when either prefix is all zeros; d is clamped to the shorter vector.
    public static func score(_ a: [Float], _ b: [Float], dims d: Int) -> Float {
        let n = max(0, min(d, a.count, b.count))
        var dot = 0.0, na = 0.0, nb = 0.0
        for i in 0..<n {
            let x = Double(a[i]), y = Double(b[i])
            dot += x * y; na += x * x; nb += y * y
        }
        return Float(dot / (max(na.squareRoot(), normFloor) * max(nb.squareRoot(), normFloor)))
    }
}
