// Matrix products through OpenBLAS.
//
// Convention (said once, used everywhere): a Linear weight is PyTorch `[out, in]` row-major, and
//   Y[T, out] = X[T, in] · Wᵀ + b
// is ONE Gemm.matmul(NoTrans, Trans, M = T, N = out, K = in) for all tokens of a batch —
// never a loop over rows. The bias is broadcast into Y first and the GEMM accumulates with beta = 1.
// Leading dimensions are explicit so projections can read/write column blocks of wider buffers
// (e.g. q, k and v living side by side in one [T, 3d] buffer).
//
// Every product is the same sum in the same order whatever OpenBLAS's thread count (so caches filled by
// processes with different `--threads` can be merged): OpenBLAS splits M and N over its threads, never K,
// but its single- and multi-threaded drivers cut K into blocks of at most GEMM_Q at DIFFERENT points when
// Q < K < 2Q (0.3.21: level3.c rounds the half to the unroll, level3_thread.c does not; Cooperlake's Q is
// 320, so K = 322…638, 2730, … differed between 1 and 2 threads). So K is cut here, into chunks of
// `kChunk` = 256 ≤ every x86-64 core's Q, each one cblas_sgemm accumulating into C (beta = 1 after the
// first): C = Σ_chunks op(A)[:, chunk] · op(B)[chunk, :] in chunk order, and no call has a K that
// OpenBLAS blocks further.
import CKernels
import COpenBLAS
import Foundation

public enum Gemm {
    /// Number of OpenBLAS threads (process-wide). Also makes sure a fast OpenBLAS core is selected.
    public static func setThreads(_ n: Int) {
        _ = selectedCore
        openblas_set_num_threads(Int32(max(1, n)))
    }

    /// The OpenBLAS kernel set in use (e.g. "SkylakeX", "Haswell").
    public static var coreName: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }

    /// Debian's DYNAMIC_ARCH OpenBLAS 0.3.21 does not recognise newer CPUs (e.g. Sapphire Rapids in a VM
    /// reports "Intel(R) Xeon(R) Processor") and falls back to the SSE3 "Prescott" kernels, 3–4× slower.
    /// When that happens and the user did not set OPENBLAS_CORETYPE, re-run OpenBLAS's core selection
    /// with the best core the CPU flags allow. Runs once, before the first GEMM of the process.
    public static let selectedCore: String = {
        let fallbackCores: Set<String> = ["prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "unknown",
                                          "katmai", "coppermine", "northwood", "banias", "sandybridge"]
        let current = coreName
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
              fallbackCores.contains(current.lowercased()) else { return current }
        let features = cs_cpu_features()
        let wanted = (features & 4) != 0 ? "SkylakeX" : (features & 1) != 0 ? "Haswell" : nil
        guard let wanted,
              let quitSym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "gotoblas_dynamic_quit"),
              let initSym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "gotoblas_dynamic_init") else { return current }
        typealias VoidFn = @convention(c) () -> Void
        setenv("OPENBLAS_CORETYPE", wanted, 1)
        unsafeBitCast(quitSym, to: VoidFn.self)()
        unsafeBitCast(initSym, to: VoidFn.self)()
        unsetenv("OPENBLAS_CORETYPE")
        return coreName
    }()
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// y[t, 0..<outFeatures] = x[t, 0..<inFeatures] · weightᵀ + bias, for t in 0..<rows.
    /// weight: [outFeatures, inFeatures] contiguous; ldx/ldy default to the packed widths.
    public static func linear(_ x: UnsafePointer<Float>, rows: Int, inFeatures: Int,
                              weight: UnsafePointer<Float>, outFeatures: Int, bias: UnsafePointer<Float>?,
                              into y: UnsafeMutablePointer<Float>, ldx: Int? = nil, ldy: Int? = nil) {
        let ldx = ldx ?? inFeatures, ldy = ldy ?? outFeatures
        guard rows > 0, outFeatures > 0 else { return }
        _ = selectedCore
        var beta: Float = 0
        if let bias {
            broadcastRows(bias, count: outFeatures, rows: rows, into: y, ld: ldy)
            beta = 1
        }
        if inFeatures == 0 {
            if bias == nil { for t in 0..<rows { (y + t * ldy).update(repeating: 0, count: outFeatures) } }
            return
        }
        matmul(x, lda: ldx, weight, transB: true, ldb: inFeatures, into: y, ldc: ldy,
               m: rows, n: outFeatures, k: inFeatures, beta: beta)
    }

    /// The largest K one cblas_sgemm call gets (see the header): at most every core's GEMM_Q.
    public static let kChunk = 256

    /// y[t, 0..<count] = bias for t in 0..<rows (row stride ld): the start of every `Y = X·W + b` GEMM with
    /// beta = 1. Split over the threads: at image shapes this writes 5–28 MB per call.
    public static func broadcastRows(_ bias: UnsafePointer<Float>, count: Int, rows: Int,
                                     into y: UnsafeMutablePointer<Float>, ld: Int) {
        RowSplit.run(rows: rows, work: rows * count) { r in
            for t in r { (y + t * ld).update(from: bias, count: count) }
        }
    }

    /// C[m, n] = alpha · op(A)[m, k] · op(B)[k, n] + beta · C, row-major with explicit leading dimensions.
    public static func matmul(_ a: UnsafePointer<Float>, transA: Bool = false, lda: Int,
                              _ b: UnsafePointer<Float>, transB: Bool = false, ldb: Int,
                              into c: UnsafeMutablePointer<Float>, ldc: Int,
                              m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0) {
        guard m > 0, n > 0 else { return }
        _ = selectedCore
        let ta = transA ? CblasTrans : CblasNoTrans, tb = transB ? CblasTrans : CblasNoTrans
        // At least one call, so k = 0 is OpenBLAS's own C = beta · C.
        var k0 = 0, chunkBeta = beta
        repeat {
            let kc = min(kChunk, k - k0)
            // Column block k0..<k0+kc of op(A) [m, k] and row block of op(B) [k, n].
            let ap = transA ? a + k0 * lda : a + k0
            let bp = transB ? b + k0 : b + k0 * ldb
            cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(kc), alpha, ap, Int32(lda), bp, Int32(ldb),
                        chunkBeta, c, Int32(ldc))
            k0 += kc
            chunkBeta = 1
        } while k0 < k
    }
}
