// FastLinear (precision `fast`, CKernels/bf16_gemm.c) against its naive twin Reference.bf16Linear: every
// output within the float32-summation bound of the exact sum of the bf16 products, on the AVX512-BF16
// path (where the CPU has it) and on the forced scalar path; tile remainders in rows (1…7, 13) and columns
// (n = 5, 17, 70 — not multiples of 16 or 64), odd K (a half-filled last pair); bit-identical results
// for any thread count; and the range guard sending a call with an unroundable value to float32.
import CKernels
import Foundation
@testable import Kernels
import Testing

@Suite struct FastLinearTests {
    static func run(_ lin: FastLinear, _ x: [Float], rows: Int, bias: [Float]?, threads: Int = 1,
                    scalar: Bool = false, fallback: () -> Void = {}) -> (y: [Float], fast: Bool) {
        var y = [Float](repeating: .nan, count: rows * lin.outFeatures)
        let scratch = FastLinear.Scratch()
        let fast = RowSplit.$pinnedThreads.withValue(threads) {
            RowSplit.$minWork.withValue(threads > 1 ? 0 : RowSplit.minWork) {
                withPath(scalar: scalar) {
                    y.withUnsafeMutableBufferPointer { yp in
                        (bias ?? []).withUnsafeBufferPointer { bp in
                            lin.apply(x, rows: rows, bias: bias == nil ? nil : bp.baseAddress, into: yp.baseAddress!,
                                      scratch: scratch, fallback: fallback)
                        }
                    }
                }
            }
        }
        return (y, fast)
    }

    @Test(arguments: [false, true]) func matchesTheTwinWithinTheSummationBound(scalar: Bool) {
        var g = SeededValues(scalar ? 41 : 40)
        for (k, n) in [(32, 64), (33, 17), (7, 5), (70, 70), (128, 100)] {
            let w = g.array(n * k), bias = g.array(n)
            let lin = FastLinear(weight: w, outFeatures: n, inFeatures: k)
            for rows in [1, 2, 5, 6, 7, 13] {
                let x = g.array(rows * k, -3, 3)
                let (want, bound) = Reference.bf16Linear(x, rows: rows, inFeatures: k, weight: w, outFeatures: n, bias: bias)
                let (got, fast) = Self.run(lin, x, rows: rows, bias: bias, scalar: scalar)
                #expect(fast)
                var worst: Float = 0
                for i in want.indices { worst = max(worst, abs(got[i] - want[i]) / bound[i]) }
                #expect(worst <= 1, "scalar \(scalar) \(rows)×\(k)→\(n): error \(worst)× the bound")
            }
            // No bias, and a result that is not just the float32 product: the operands really are bf16.
            let x = g.array(3 * k)
            let (want, bound) = Reference.bf16Linear(x, rows: 3, inFeatures: k, weight: w, outFeatures: n, bias: nil)
            let got = Self.run(lin, x, rows: 3, bias: nil, scalar: scalar).y
            #expect(zip(got, zip(want, bound)).allSatisfy { abs($0 - $1.0) <= $1.1 }, "no bias \(k)→\(n)")
        }
    }

    @Test func roundsOperandsToBF16() {
        // 1 + 2⁻⁹ is not a bfloat16 (8 significant bits): it rounds to 1, and 1 + 2⁻⁷ is one.
        let lin = FastLinear(weight: [1 + 0x1p-9, 3], outFeatures: 1, inFeatures: 2)
        let y = Self.run(lin, [1, 1 + 0x1p-7], rows: 1, bias: nil).y
        let want: Float = 4 + 3 * 0x1p-7            // 1·1 + 3·(1 + 2⁻⁷), exact in float32
        #expect(y == [want])
        #expect(Reference.bf16(1 + 0x1p-9) == 1 && Reference.bf16(1 + 3 * 0x1p-9) == 1 + 0x1p-7)
    }

    @Test func resultsDoNotDependOnTheThreadCount() {
        var g = SeededValues(7)
        let k = 96, n = 200, rows = 37
        let w = g.array(n * k), bias = g.array(n), x = g.array(rows * k)
        let lin = FastLinear(weight: w, outFeatures: n, inFeatures: k)
        let one = Self.run(lin, x, rows: rows, bias: bias, threads: 1).y
        for t in [2, 3, 4, 8, 16] {
            #expect(Self.run(lin, x, rows: rows, bias: bias, threads: t).y == one, "\(t) threads")
        }
    }

    @Test(arguments: [Float.nan, 3.4e38, -3.4e38]) func rangeGuardRunsTheFloat32Fallback(bad: Float) {
        var g = SeededValues(9)
        let k = 40, n = 20, rows = 8
        let w = g.array(n * k)
        var x = g.array(rows * k)
        let lin = FastLinear(weight: w, outFeatures: n, inFeatures: k)
        let before = FastLinear.fallbacks
        var called = 0
        let clean = Self.run(lin, x, rows: rows, bias: nil) { called += 1 }
        #expect(clean.fast && called == 0)
        x[5 * k + 33] = bad
        let guarded = Self.run(lin, x, rows: rows, bias: nil) { called += 1 }
        #expect(!guarded.fast && called == 1)
        #expect(FastLinear.fallbacks >= before + 1)
        // The largest finite bfloat16 magnitude itself is still packed.
        x[5 * k + 33] = FastLinear.rangeLimit
        #expect(Self.run(lin, x, rows: rows, bias: nil) { called += 1 }.fast && called == 1)
    }
}
