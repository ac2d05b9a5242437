// Element-wise and per-row kernels (LayerNorm, GELU, SwiGLU, softmax, residual add, L2 normalize).
// The loops live in CKernels (AVX2/FMA with a scalar fallback chosen at run time); these wrappers
// only fix the Swift-side signatures. Naive twins: Reference.swift.
import CKernels

public enum LayerNorm {
    /// y[r, :] = (x[r, :] − μ) / √(σ² + eps) · weight + bias over rows of `dim` (biased σ²). y may be x.
    public static func apply(_ x: UnsafePointer<Float>, rows: Int, dim: Int,
                             weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, eps: Float,
                             into y: UnsafeMutablePointer<Float>) {
        cs_layernorm(x, y, rows, dim, weight, bias, eps)
    }
}

public enum Activation {
    /// In place: x = 0.5·x·(1 + erf(x/√2)) (exact erf GELU, PyTorch `approximate="none"`).
    public static func geluErf(_ x: UnsafeMutablePointer<Float>, count: Int) { cs_gelu_erf(x, count) }

    /// out = SiLU(gate) ⊙ up (SwiGLU gate); out may alias gate or up.
    public static func swiglu(gate: UnsafePointer<Float>, up: UnsafePointer<Float>,
                              into out: UnsafeMutablePointer<Float>, count: Int) {
        cs_silu_mul(gate, up, out, count)
    }

    /// In place: x = eˣ (vectorized; exposed for tests).
    public static func exp(_ x: UnsafeMutablePointer<Float>, count: Int) { cs_exp(x, count) }
}

public enum Softmax {
    /// In place over `rows` rows of `cols` values at stride `ld`, after adding keyBias[c] (if given)
    /// to every row — the additive key-padding bias (−10000 on pads in the text tower).
    public static func rows(_ s: UnsafeMutablePointer<Float>, rows: Int, cols: Int, ld: Int? = nil,
                            keyBias: UnsafePointer<Float>? = nil) {
        cs_softmax_rows(s, rows, cols, ld ?? cols, keyBias)
    }
}

public enum VectorOps {
    /// y += x
    public static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        cs_add_inplace(y, x, count)
    }

    /// x / max(‖x‖₂, 1e-12) (torch `F.normalize`).
    public static func l2Normalized(_ x: ArraySlice<Float>) -> [Float] {
        var s: Double = 0
        for v in x { s += Double(v) * Double(v) }
        let n = Float(max(s.squareRoot(), 1e-12))
        return x.map { $0 / n }
    }

    public static func l2Normalized(_ x: [Float]) -> [Float] { l2Normalized(x[...]) }

    /// Matryoshka output: the first `dims` values, then L2-normalized.
    public static func truncatedNormalized(_ x: [Float], dims: Int) -> [Float] {
        l2Normalized(x[0..<min(dims, x.count)])
    }

    /// Whether the SIMD paths of CKernels are in use on this machine.
    public static var simdActive: Bool { cs_simd_active() != 0 }
}
