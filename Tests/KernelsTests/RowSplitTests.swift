// RowSplit: the kernels split over threads (minWork = 0) give bit-identical results to one unsplit call
// (minWork = Int.max), on sizes that are not multiples of 8 or 64 so the split meets the scalar tails.
import Foundation
@testable import Kernels
import Testing

@Suite(.serialized) struct RowSplitTests {
    /// Runs `body` once unsplit and once split over 3 pinned compute threads (pins are per task, so
    /// suites running concurrently keep their own counts); returns both outputs.
    private func both(_ body: () -> [Float]) -> ([Float], [Float]) {
        let whole = RowSplit.$minWork.withValue(Int.max) { body() }
        let split = RowSplit.$pinnedThreads.withValue(3) { RowSplit.$minWork.withValue(0) { body() } }
        return (whole, split)
    }

    @Test func chunksCoverEveryRowOnce() {
        for threads in [1, 2, 3, 16] {
            for n in [0, 1, 2, 63, 64, 65, 1000] {
                var hits = [Int](repeating: 0, count: n)
                let lock = NSLock()
                RowSplit.$pinnedThreads.withValue(threads) {
                    RowSplit.$minWork.withValue(0) {
                        RowSplit.run(elements: n) { r in
                            #expect(r.lowerBound % 64 == 0)
                            lock.lock(); for i in r { hits[i] += 1 }; lock.unlock()
                        }
                    }
                }
                #expect(hits.allSatisfy { $0 == 1 }, "n = \(n), \(threads) threads")
            }
        }
    }

    @Test func layerNormSoftmaxAreBitIdentical() {
        var g = SeededValues(11)
        let rows = 37, dim = 203
        let x = g.array(rows * dim, -3, 3), w = g.array(dim), b = g.array(dim), bias = g.array(dim, -2, 2)
        let (ln1, ln2) = both {
            var y = [Float](repeating: 0, count: rows * dim)
            LayerNorm.apply(x, rows: rows, dim: dim, weight: w, bias: b, eps: 1e-6, into: &y)
            return y
        }
        #expect(ln1 == ln2)
        let (sm1, sm2) = both {
            var s = x
            Softmax.rows(&s, rows: rows, cols: dim, keyBias: bias)
            return s
        }
        #expect(sm1 == sm2)
    }

    @Test func elementwiseAreBitIdentical() {
        var g = SeededValues(12)
        let n = 64 * 5 + 13, h = 91, rows = 9
        let a = g.array(n, -6, 6), c = g.array(n, -6, 6), fused = g.array(rows * 2 * h, -6, 6)
        let (ge1, ge2) = both { var v = a; Activation.geluErf(&v, count: n); return v }
        #expect(ge1 == ge2)
        let (sw1, sw2) = both {
            var o = [Float](repeating: 0, count: n)
            Activation.swiglu(gate: a, up: c, into: &o, count: n)
            return o
        }
        #expect(sw1 == sw2)
        let (ad1, ad2) = both { var v = c; VectorOps.add(a, into: &v, count: n); return v }
        #expect(ad1 == ad2)
        let (sr1, sr2) = both {
            var o = [Float](repeating: 0, count: rows * h)
            Activation.swigluRows(fused, ld: 2 * h, upOffset: h, rows: rows, count: h, into: &o, ldo: h)
            return o
        }
        #expect(sr1 == sr2)
        // and swigluRows equals the per-row swiglu it replaces
        var perRow = [Float](repeating: 0, count: rows * h)
        fused.withUnsafeBufferPointer { f in
            perRow.withUnsafeMutableBufferPointer { o in
                for t in 0..<rows {
                    Activation.swiglu(gate: f.baseAddress! + t * 2 * h, up: f.baseAddress! + t * 2 * h + h,
                                      into: o.baseAddress! + t * h, count: h)
                }
            }
        }
        #expect(sr1 == perRow)
    }
}
