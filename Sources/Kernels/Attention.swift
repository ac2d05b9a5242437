// Multi-head scaled-dot-product attention. `packedSequences` is what the towers call: with AVX-512 the
// blocked kernel of CKernels/attention.c per (sequence, head), split over the threads; without it,
// `multiHead` per sequence — for one sequence, as GEMMs per head:
//
// T = tokens, H = heads, D = head dim. q, k, v are [T, ·] row-major with head h in columns
// [h·D, (h+1)·D) at row strides ldq/ldk/ldv (so a fused [T, 3·H·D] qkv buffer is read in place).
// Per head: S[T, T] = scale · Q_h · K_hᵀ (one sgemm), S += keyBias (per key), softmax over keys,
// O_h = S · V_h (one sgemm) written to out[:, h·D ..] at stride ldo. scores: caller-owned [T·T] scratch.
import CKernels
import Dispatch

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

extension Attention {
    /// Per-thread scratch for `packedSequences` (grown to the longest sequence seen).
    public final class Scratch: @unchecked Sendable {
        fileprivate var buffers: [ScratchBuffer] = []
        public init() {}
        fileprivate func buffers(_ parts: Int) -> [ScratchBuffer] {
            while buffers.count < parts { buffers.append(ScratchBuffer()) }
            return Array(buffers.prefix(parts))
        }
    }

    /// Attention over variable-length sequences packed row after row WITHOUT padding: sequence s is rows
    /// starts[s] ..< starts[s] + lengths[s] of q/k/v/out (heads side by side in columns, as `multiHead`).
    /// keyBias (may be nil) is per row, e.g. −10000 on pad ids that occur inside a sequence. With AVX-512
    /// each (sequence, head) runs the blocked kernel `cs_attention_heads`, the pairs split over the compute
    /// threads in contiguous runs of about equal work (T²·D each). Without it, each sequence goes through
    /// `multiHead` (per-head sgemm): 32 sequences of 20 tokens take 1.5 ms that way, 34 ms through the
    /// scalar kernel.
    public static func packedSequences(q: UnsafePointer<Float>, ldq: Int, k: UnsafePointer<Float>, ldk: Int,
                                       v: UnsafePointer<Float>, ldv: Int, starts: [Int], lengths: [Int],
                                       heads: Int, headDim d: Int, scale: Float, keyBias: UnsafePointer<Float>?,
                                       out: UnsafeMutablePointer<Float>, ldo: Int, scratch: Scratch) {
        let seqs = starts.count
        guard seqs > 0, heads > 0 else { return }
        let maxLen = lengths.max() ?? 0
        if cs_simd_level() < 2 {
            let scores = scratch.buffers(1)[0].reserve(maxLen * maxLen)
            for (r, t) in zip(starts, lengths) {
                multiHead(q: q + r * ldq, ldq: ldq, k: k + r * ldk, ldk: ldk, v: v + r * ldv, ldv: ldv, tokens: t,
                          heads: heads, headDim: d, scale: scale, keyBias: keyBias.map { $0 + r },
                          out: out + r * ldo, ldo: ldo, scores: scores)
            }
            return
        }
        let need = cs_attention_scratch(maxLen, d)
        // Tasks are (sequence, head) pairs in order; work per task ∝ T².
        let total = lengths.reduce(0) { $0 + $1 * $1 } * heads
        // Small calls (a short query) stay on the calling thread: the hand-off would cost more.
        let parts = total * d >= RowSplit.minWork * 4 ? max(1, min(RowSplit.threads, seqs * heads)) : 1
        let bufs = scratch.buffers(parts)
        func runTasks(_ range: Range<Int>, _ buf: UnsafeMutablePointer<Float>) {
            var i = range.lowerBound
            while i < range.upperBound {
                let s = i / heads, h0 = i % heads
                let h1 = min(heads, h0 + (range.upperBound - i))
                let r = starts[s], t = lengths[s]
                cs_attention_heads(q + r * ldq, ldq, k + r * ldk, ldk, v + r * ldv, ldv, t, h0, h1, d, scale,
                                   keyBias.map { $0 + r }, out + r * ldo, ldo, buf)
                i += h1 - h0
            }
        }
        if parts == 1 { runTasks(0..<(seqs * heads), bufs[0].reserve(need)); return }
        // Split points by cumulative work.
        var bounds = [0]
        var acc = 0, next = 1
        for i in 0..<(seqs * heads) {
            acc += lengths[i / heads] * lengths[i / heads]
            if next < parts, acc * parts >= total * next { bounds.append(i + 1); next += 1 }
        }
        while bounds.count < parts + 1 { bounds.append(seqs * heads) }
        bounds[parts] = seqs * heads
        let ptrs = bufs.map { $0.reserve(need) }
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            if bounds[p] < bounds[p + 1] { runTasks(bounds[p]..<bounds[p + 1], ptrs[p]) }
        }
    }
}
