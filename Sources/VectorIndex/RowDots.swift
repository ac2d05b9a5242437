// Row dot products y[i] (+)= Σ_{j<d} A[i·lda + j] · q[j] for a row-major panel [N × lda] (d ≤ lda):
// the only O(N·d) work in a search. Two implementations with identical contracts:
//
//   .blas   one cblas_sgemv(RowMajor, NoTrans, N, d, A, lda, q, beta = accumulate ? 1 : 0)
//   .simd   CKernels' vi_row_dots (AVX-512F / AVX2+FMA / portable C, chosen at run time), rows
//           split in 2 chunks across cores. Measured faster than Debian's OpenBLAS 0.3.21 sgemv here
//           (its transposed-gemv kernel is slow for short rows; see Scripts/bench/bench_index.py); sums in
//           a different order, so scores differ from .blas by float rounding only (tests bound both
//           against a Double reference).
//   .swift  the same loop in Swift SIMD (SSE2 in a default build); kept as a portable fallback twin.
//   naive   `naive`, the loop-only twin used by tests.
import CKernels
import COpenBLAS
import Foundation

public enum ScoreKernel: String, Sendable, CaseIterable {
    case blas, simd, swift
}

enum RowDots {
    static func compute(_ kernel: ScoreKernel, _ a: UnsafePointer<Float>, rows n: Int, d: Int, lda: Int,
                        _ q: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
        switch kernel {
        case .blas:
            cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(d), 1, a, Int32(lda), q, 1, accumulate ? 1 : 0, y, 1)
        case .simd, .swift:
            let chunks = n * d >= 1 << 20 ? 2 : 1
            let per = (n + chunks - 1) / chunks
            let body: (Int) -> Void = { c in
                let rows = (c * per)..<min(n, (c + 1) * per)
                if kernel == .simd {
                    vi_row_dots(a + rows.lowerBound * lda, rows.count, d, lda, q, y + rows.lowerBound, accumulate ? 1 : 0)
                } else {
                    simd(a, rows: rows, d: d, lda: lda, q, y, accumulate: accumulate)
                }
            }
            if chunks == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: chunks, execute: body) }
        }
    }

    @inline(__always)
    private static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    static func simd(_ a: UnsafePointer<Float>, rows: Range<Int>, d: Int, lda: Int,
                     _ q: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let d32 = d & ~31
        for i in rows {
            let row = a + i * lda
            var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>(), acc2 = SIMD8<Float>(), acc3 = SIMD8<Float>()
            var j = 0
            while j < d32 {
                acc0 += load8(row + j) * load8(q + j)
                acc1 += load8(row + j + 8) * load8(q + j + 8)
                acc2 += load8(row + j + 16) * load8(q + j + 16)
                acc3 += load8(row + j + 24) * load8(q + j + 24)
                j += 32
            }
            var s = ((acc0 + acc1) + (acc2 + acc3)).sum()
            while j < d { s += row[j] * q[j]; j += 1 }
            y[i] = accumulate ? y[i] + s : s
        }
    }

    /// Loop-only twin for tests.
    static func naive(_ a: [Float], rows n: Int, d: Int, lda: Int, _ q: [Float]) -> [Float] {
        (0..<n).map { i in (0..<d).reduce(Float(0)) { $0 + a[i * lda + $1] * q[$1] } }
    }
}
