// DnnlLinear (oneDNN's f32 matmul, CDnnl/dnnl_linear.c) against its naive twin Reference.linear (float64
// sums): every output within the float32-summation bound γ_K·(Σ|x·w| + |b|), γ_K = K·2⁻²⁴ (a sum of K
// float32 products in any order); tile remainders in rows (1, 5, 13, 37) and columns (5, 17, 70 — not
// multiples of 16 or 64), odd K. Bit-identical results for 1–16 threads, including after the primitive is
// remade for another thread count; a call over several blocks of rows equals one call per block; the
// reordered weights take about the float32 copy's bytes (they replace it).
import Foundation
@testable import Kernels
import Testing

@Suite struct DnnlLinearTests {
    static func run(_ lin: DnnlLinear, _ x: [Float], blocks: Int = 1, threads: Int = 1) throws -> [Float] {
        var y = [Float](repeating: .nan, count: blocks * lin.rows * lin.outFeatures)
        try x.withUnsafeBufferPointer { xp in
            try y.withUnsafeMutableBufferPointer { yp in
                try lin.apply(xp.baseAddress!, count: blocks * lin.rows, into: yp.baseAddress!, scratch: ScratchBuffer(), threads: threads)
            }
        }
        return y
    }

    @Test func matchesTheTwinWithinTheSummationBound() throws {
        var g = SeededValues(50)
        for (k, n) in [(32, 64), (33, 17), (7, 5), (300, 70), (1024, 96)] {
            let w = g.array(n * k), bias = g.array(n)
            for rows in [1, 5, 13, 37] {
                let lin = try DnnlLinear(weight: w, rows: rows, outFeatures: n, inFeatures: k, bias: bias, threads: 2)
                let x = g.array(rows * k, -3, 3)
                let want = Reference.linear(x, rows: rows, inFeatures: k, weight: w, outFeatures: n, bias: bias)
                let got = try Self.run(lin, x, threads: 2)
                var worst: Float = 0
                for t in 0..<rows {
                    for o in 0..<n {
                        var mag = abs(bias[o])
                        for i in 0..<k { mag += abs(x[t * k + i] * w[o * k + i]) }
                        let bound = Float(k + 1) * 0x1p-24 * mag + 1e-30
                        worst = max(worst, abs(got[t * n + o] - want[t * n + o]) / bound)
                    }
                }
                #expect(worst <= 1, "\(rows)×\(k)→\(n): error \(worst)× the bound")
            }
            // No bias.
            let lin = try DnnlLinear(weight: w, rows: 3, outFeatures: n, inFeatures: k, bias: nil, threads: 1)
            let x = g.array(3 * k)
            let want = Reference.linear(x, rows: 3, inFeatures: k, weight: w, outFeatures: n, bias: nil)
            let got = try Self.run(lin, x)
            #expect(zip(got, want).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) }, "no bias \(k)→\(n)")
        }
    }

    @Test func bitIdenticalForEveryThreadCount() throws {
        var g = SeededValues(51)
        // The vision tower's proportions at small sizes: T = 37 or 65 rows, qkv / gate_up / down-like shapes.
        for (m, k, n) in [(37, 64, 192), (65, 96, 340), (65, 170, 96), (37, 300, 70)] {
            let w = g.array(n * k), bias = g.array(n), x = g.array(m * k, -3, 3)
            let lin = try DnnlLinear(weight: w, rows: m, outFeatures: n, inFeatures: k, bias: bias, threads: 1)
            let one = try Self.run(lin, x)
            for threads in [2, 3, 4, 8, 16, 1] {
                // The same object remade for each count (weights reordered if oneDNN asks for another layout) …
                #expect(try Self.run(lin, x, threads: threads) == one, "\(m)×\(k)→\(n), \(threads) threads (remade)")
                // … and a fresh one made for that count.
                let fresh = try DnnlLinear(weight: w, rows: m, outFeatures: n, inFeatures: k, bias: bias, threads: threads)
                #expect(try Self.run(fresh, x, threads: threads) == one, "\(m)×\(k)→\(n), \(threads) threads (fresh)")
            }
        }
    }

    @Test func blocksOfRowsEqualSeparateCalls() throws {
        var g = SeededValues(52)
        let (m, k, n) = (13, 40, 24)
        let w = g.array(n * k), bias = g.array(n), x = g.array(3 * m * k)
        let lin = try DnnlLinear(weight: w, rows: m, outFeatures: n, inFeatures: k, bias: bias, threads: 2)
        let all = try Self.run(lin, x, blocks: 3, threads: 2)
        for b in 0..<3 {
            let part = try Self.run(lin, Array(x[(b * m * k)..<((b + 1) * m * k)]), threads: 2)
            #expect(Array(all[(b * m * n)..<((b + 1) * m * n)]) == part, "block \(b)")
        }
    }

    @Test func badShapesAndScratchAreRefusedWithAMessage() throws {
        #expect { try DnnlLinear(weight: [], rows: 0, outFeatures: 0, inFeatures: 0, bias: nil, threads: 1) } throws: {
            "\($0)".contains("empty shape")
        }
        // An all-ones product is exact whatever the order: 64 in every output.
        let lin = try DnnlLinear(weight: [Float](repeating: 1, count: 64 * 64), rows: 64, outFeatures: 64, inFeatures: 64,
                                 bias: nil, threads: 1)
        let y = try Self.run(lin, [Float](repeating: 1, count: 64 * 64))
        #expect(y.allSatisfy { $0 == 64 })
    }

    @Test func reorderedWeightsReplaceTheFloat32Copy() throws {
        let (k, n) = (256, 192)
        let lin = try DnnlLinear(weight: [Float](repeating: 0.5, count: n * k), rows: 8, outFeatures: n, inFeatures: k,
                                 bias: nil, threads: 1)
        // oneDNN may pad to its blocks; it never keeps a second copy.
        #expect(lin.weightBytes >= n * k * 4 && lin.weightBytes < n * k * 4 * 5 / 4, "\(lin.weightBytes) bytes")
        #expect(!lin.implementation.isEmpty)
    }
}
