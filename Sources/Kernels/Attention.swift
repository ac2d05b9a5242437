// Multi-head scaled-dot-product attention for one sequence, as GEMMs per head.
//
// T = tokens, H = heads, D = head dim. q, k, v are [T, ·] row-major with head h in columns
// [h·D, (h+1)·D) at row strides ldq/ldk/ldv (so a fused [T, 3·H·D] qkv buffer is read in place).
// Per head: S[T, T] = scale · Q_h · K_hᵀ (one sgemm), S += keyBias (per key), softmax over keys,
// O_h = S · V_h (one sgemm) written to out[:, h·D ..] at stride ldo. scores: caller-owned [T·T] scratch.
public enum Attention {
    public static func multiHead(q: UnsafePointer<Float>, ldq: Int,
                                 k: UnsafePointer<Float>, ldk: Int,
                                 v: UnsafePointer<Float>, ldv: Int,
                                 tokens t: Int, heads: Int, headDim d: Int, scale: Float,
                                 keyBias: UnsafePointer<Float>?,
                                 out: UnsafeMutablePointer<Float>, ldo: Int,
                                 scores: UnsafeMutablePointer<Float>) {
        for h in 0..<heads {
            let off = h * d
            Gemm.matmul(q + off, lda: ldq, k + off, transB: true, ldb: ldk, into: scores, ldc: t,
                        m: t, n: t, k: d, alpha: scale)
            Softmax.rows(scores, rows: t, cols: t, keyBias: keyBias)
            Gemm.matmul(scores, lda: t, v + off, ldb: ldv, into: out + off, ldc: ldo, m: t, n: d, k: t)
        }
    }
}
