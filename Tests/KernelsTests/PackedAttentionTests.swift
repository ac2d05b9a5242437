// Attention over sequences packed without padding against the naive twin run on each sequence alone:
// short and long length sets (1…300 tokens), a pad key inside one sequence, head dims that are and are
// not multiples of 16, one and two threads, and every path: the blocked AVX-512 kernel, and without
// AVX-512 (forced AVX2 or scalar) per-head sgemm; plus the C kernel's own scalar fallback, called directly.
import CKernels
import Foundation
@testable import Kernels
import Testing

@Suite struct PackedAttentionTests {
    static let shortLengths = [13, 1, 63, 5, 32, 17]
    static let longLengths = [13, 1, 70, 5, 130, 300, 17]

    /// out of packedSequences for the given lengths, and the twin's answer, with q scaled by qScale.
    static func run(lengths: [Int], headDim d: Int, threads: Int, mode: Int32, qScale: Float = 1) -> ([Float], [Float]) {
        var g = SeededValues(UInt64(d * 31 + lengths.count))
        let heads = 3, w = heads * d
        var starts: [Int] = []
        var n = 0
        for l in lengths { starts.append(n); n += l }
        let q = g.array(n * w, -2, 2).map { $0 * qScale }, k = g.array(n * w, -2, 2), v = g.array(n * w)
        var bias = [Float](repeating: 0, count: n)
        bias[starts[0] + 4] = -10000                 // a pad id inside sequence 0
        let scale = 1 / Float(d).squareRoot()
        var want = [Float](repeating: 0, count: n * w)
        for (s, l) in lengths.enumerated() {
            let r = starts[s] * w..<(starts[s] + l) * w
            let o = Reference.attention(q: Array(q[r]), k: Array(k[r]), v: Array(v[r]), tokens: l, heads: heads, headDim: d,
                                        scale: scale, keyBias: Array(bias[starts[s]..<(starts[s] + l)]))
            want.replaceSubrange(r, with: o)
        }
        defer { cs_force_scalar(0) }
        var out = [Float](repeating: .nan, count: n * w)
        cs_force_scalar(mode)
        RowSplit.$pinnedThreads.withValue(threads) {
            RowSplit.$minWork.withValue(threads > 1 ? 0 : RowSplit.minWork) {
                out.withUnsafeMutableBufferPointer { o in
                    Attention.packedSequences(q: q, ldq: w, k: k, ldk: w, v: v, ldv: w, starts: starts, lengths: lengths,
                                              heads: heads, headDim: d, scale: scale, keyBias: bias,
                                              out: o.baseAddress!, ldo: w, scratch: Attention.Scratch())
                }
            }
        }
        return (out, want)
    }

    // Modes: 0 = best SIMD (AVX-512 where present), 2 = AVX2 only, 1 = scalar (forced on the calling
    // thread only, so those run on one thread).
    @Test(arguments: [16, 64, 24]) func matchesTheTwinPerSequence(headDim d: Int) {
        for lengths in [Self.shortLengths, Self.longLengths] {
            for (threads, mode) in [(1, Int32(0)), (2, 0), (1, 2), (1, 1)] {
                let (out, want) = Self.run(lengths: lengths, headDim: d, threads: threads, mode: mode)
                #expect(relClose(out, want, rel: 1e-5, abs: 1e-6), "threads \(threads) mode \(mode) d \(d) max length \(lengths.max()!)")
            }
        }
    }

    /// Scores spread by far more than 87 (q × 20: standard deviation ~26): many probabilities underflow.
    /// They come out as exact zeros (subnormals would make the P·V products take microcode assists) and
    /// the result still matches the twin — to 1e-4: float32 scores of magnitude ~100 carry ~1e-5 absolute
    /// error, which e^x turns into that relative error of the near-tied top weights.
    @Test(arguments: [Int32(0), 2, 1]) func peakedRowsMatchTheTwin(mode: Int32) {
        let (out, want) = Self.run(lengths: [300, 70], headDim: 64, threads: 1, mode: mode, qScale: 20)
        #expect(relClose(out, want, rel: 1e-4, abs: 1e-5), "mode \(mode)")
    }

    /// cs_attention_heads without AVX-512 (its scalar loop; `packedSequences` then uses sgemm instead, but
    /// the entry point must still be right on its own).
    @Test func scalarKernelMatchesTheTwin() {
        var g = SeededValues(77)
        let t = 37, heads = 2, d = 24, w = heads * d
        let q = g.array(t * w, -2, 2), k = g.array(t * w, -2, 2), v = g.array(t * w)
        var bias = [Float](repeating: 0, count: t)
        bias[5] = -10000
        var scratch = [Float](repeating: 0, count: cs_attention_scratch(t, d))
        var out = [Float](repeating: .nan, count: t * w)
        cs_force_scalar(1)
        cs_attention_heads(q, w, k, w, v, w, t, 0, heads, d, 0.2, bias, &out, w, &scratch)
        cs_force_scalar(0)
        let want = Reference.attention(q: q, k: k, v: v, tokens: t, heads: heads, headDim: d, scale: 0.2, keyBias: bias)
        #expect(relClose(out, want, rel: 1e-5, abs: 1e-6))
    }
}
