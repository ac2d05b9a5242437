// Matrix products through OpenBLAS.
//
// Convention (said once, used everywhere): a Linear weight is PyTorch `[out, in]` row-major, and
//   Y[T, out] = X[T, in] · Wᵀ + b
// is ONE cblas_sgemm(RowMajor, NoTrans, Trans, M = T, N = out, K = in) for all tokens of a batch —
// never a loop over rows. The bias is broadcast into Y first and the GEMM accumulates with beta = 1.
// Leading dimensions are explicit so projections can read/write column blocks of wider buffers
// (e.g. q, k and v living side by side in one [T, 3d] buffer).
import COpenBLAS

public enum Gemm {
    /// Number of OpenBLAS threads (process-wide).
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// y[t, 0..<outFeatures] = x[t, 0..<inFeatures] · weightᵀ + bias, for t in 0..<rows.
    /// weight: [outFeatures, inFeatures] contiguous; ldx/ldy default to the packed widths.
    public static func linear(_ x: UnsafePointer<Float>, rows: Int, inFeatures: Int,
                              weight: UnsafePointer<Float>, outFeatures: Int, bias: UnsafePointer<Float>?,
                              into y: UnsafeMutablePointer<Float>, ldx: Int? = nil, ldy: Int? = nil) {
        let ldx = ldx ?? inFeatures, ldy = ldy ?? outFeatures
        guard rows > 0, outFeatures > 0 else { return }
        var beta: Float = 0
        if let bias {
            for t in 0..<rows { (y + t * ldy).update(from: bias, count: outFeatures) }
            beta = 1
        }
        if inFeatures == 0 {
            if bias == nil { for t in 0..<rows { (y + t * ldy).update(repeating: 0, count: outFeatures) } }
            return
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(outFeatures), Int32(inFeatures),
                    1, x, Int32(ldx), weight, Int32(inFeatures), beta, y, Int32(ldy))
    }

    /// C[m, n] = alpha · op(A)[m, k] · op(B)[k, n] + beta · C, row-major with explicit leading dimensions.
    public static func matmul(_ a: UnsafePointer<Float>, transA: Bool = false, lda: Int,
                              _ b: UnsafePointer<Float>, transB: Bool = false, ldb: Int,
                              into c: UnsafeMutablePointer<Float>, ldc: Int,
                              m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0) {
        guard m > 0, n > 0 else { return }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
