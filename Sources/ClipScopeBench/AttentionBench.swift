// `clipscope bench attention`: one layer of multi-head attention at the vision shape (T = 1297 tokens:
// CLS + 36² patches of 14 px at 512 px; 16 heads of 64, q/k/v side by side in a [T, 3·1024] buffer, as the
// tower has them) and at a few other lengths, through the kernel the towers use (Attention.packedSequences: the blocked AVX-512 kernel) and
// through per-head sgemm + softmax + sgemm (Attention.multiHead, the path without AVX-512).
// Best of `repeats` runs; GFLOPS count the two products, 4·T²·D per head.
import Foundation
import Kernels

enum AttentionBench {
    struct Row { var tokens: Int; var sequences: Int; var kernelMs: Double; var sgemmMs: Double; var maxDiff: Float }

    static func run(cases: [(tokens: Int, sequences: Int)] = [(1297, 1), (1297, 4), (577, 1), (256, 4), (64, 16), (20, 32)],
                    heads: Int = 16, headDim d: Int = 64, repeats: Int = 5) -> [Row] {
        var rng = SplitMix(seed: 11)
        let w = heads * d
        return cases.map { c in
            let n = c.tokens * c.sequences
            let qkv = (0..<(n * 3 * w)).map { _ in Float(rng.next() % 2001) / 500 - 2 }
            var kernelOut = [Float](repeating: 0, count: n * w), sgemmOut = kernelOut
            let starts = (0..<c.sequences).map { $0 * c.tokens }, lengths = [Int](repeating: c.tokens, count: c.sequences)
            let scratch = Attention.Scratch(), scores = ScratchBuffer()
            let scale = 1 / Float(d).squareRoot()
            func time(_ body: () -> Void) -> Double { BenchSupport.bestMs(repeats: repeats, body) }
            let kernel = time {
                qkv.withUnsafeBufferPointer { p in kernelOut.withUnsafeMutableBufferPointer { o in
                    let b = p.baseAddress!
                    Attention.packedSequences(q: b, ldq: 3 * w, k: b + w, ldk: 3 * w, v: b + 2 * w, ldv: 3 * w,
                                              starts: starts, lengths: lengths, heads: heads, headDim: d, scale: scale,
                                              keyBias: nil, out: o.baseAddress!, ldo: w, scratch: scratch)
                } }
            }
            let sgemm = time {
                qkv.withUnsafeBufferPointer { p in sgemmOut.withUnsafeMutableBufferPointer { o in
                    let sc = scores.reserve(c.tokens * c.tokens)
                    for s in starts {
                        let b = p.baseAddress! + s * 3 * w
                        Attention.multiHead(q: b, ldq: 3 * w, k: b + w, ldk: 3 * w, v: b + 2 * w, ldv: 3 * w,
                                            tokens: c.tokens, heads: heads, headDim: d, scale: scale, keyBias: nil,
                                            out: o.baseAddress! + s * w, ldo: w, scores: sc)
                    }
                } }
            }
            let diff = zip(kernelOut, sgemmOut).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
            return Row(tokens: c.tokens, sequences: c.sequences, kernelMs: kernel, sgemmMs: sgemm, maxDiff: diff)
        }
    }

    static func table(_ rows: [Row], heads: Int = 16, headDim d: Int = 64) -> String {
        var out = "     T  seqs   kernel ms (GFLOPS)   sgemm ms (GFLOPS)   max |diff|\n"
        for r in rows {
            let f = 4 * Double(r.tokens * r.tokens * d * heads * r.sequences) / 1e6
            out += String(format: "%6d %5d   %8.2f (%6.1f)    %8.2f (%6.1f)    %.1e\n",
                          r.tokens, r.sequences, r.kernelMs, f / r.kernelMs, r.sgemmMs, f / r.sgemmMs, r.maxDiff)
        }
        return out
    }
}
