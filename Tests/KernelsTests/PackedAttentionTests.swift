// Attention over sequences packed without padding (the direct short-sequence kernel) against the naive
// twin run on each sequence alone: lengths 1…70, a pad key inside one sequence, head dims that are and
// are not multiples of 16, one and two threads, SIMD and scalar.
import CKernels
import Foundation
@testable import Kernels
import Testing

@Suite struct PackedAttentionTests {
    @Test(arguments: [16, 64, 24]) func matchesTheTwinPerSequence(headDim d: Int) {
        var g = SeededValues(UInt64(d))
        let heads = 3, w = heads * d
        let lengths = [13, 1, 70, 5, 32, 17]
        var starts: [Int] = []
        var n = 0
        for l in lengths { starts.append(n); n += l }
        let q = g.array(n * w, -2, 2), k = g.array(n * w, -2, 2), v = g.array(n * w)
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
        let saved = RowSplit.minWork
        defer { RowSplit.minWork = saved; Gemm.setThreads(2) }
        for (threads, minWork, mode) in [(1, saved, Int32(0)), (2, 0, Int32(0)), (1, saved, Int32(1))] {
            Gemm.setThreads(threads)
            RowSplit.minWork = minWork
            var out = [Float](repeating: .nan, count: n * w)
            cs_force_scalar(mode)
            out.withUnsafeMutableBufferPointer { o in
                Attention.packedSequences(q: q, ldq: w, k: k, ldk: w, v: v, ldv: w, starts: starts, lengths: lengths,
                                          heads: heads, headDim: d, scale: scale, keyBias: bias,
                                          out: o.baseAddress!, ldo: w, scratch: Attention.Scratch())
            }
            cs_force_scalar(0)
            #expect(relClose(out, want, rel: 1e-5, abs: 1e-6), "threads \(threads) mode \(mode) d \(d)")
        }
    }
}
