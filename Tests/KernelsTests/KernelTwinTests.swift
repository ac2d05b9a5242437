// Every fast kernel against its naive twin (Kernels/Reference.swift) on awkward sizes (T = 1, 7, 77;
// widths that are not multiples of 8), for the SIMD path and the forced scalar path.
import CKernels
import Foundation
@testable import Kernels
import Testing

/// Deterministic uniform values in [lo, hi) (SplitMix64).
struct SeededValues {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> Float {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        z ^= z >> 31
        return Float(Double(z >> 11) / Double(1 << 53))
    }
    mutating func array(_ n: Int, _ lo: Float = -1, _ hi: Float = 1) -> [Float] {
        (0..<n).map { _ in lo + (hi - lo) * next() }
    }
}

func relClose(_ a: [Float], _ b: [Float], rel: Float, abs absTol: Float = 1e-7) -> Bool {
    guard a.count == b.count else { return false }
    for (x, y) in zip(a, b) {
        if !(Swift.abs(x - y) <= absTol + rel * Swift.abs(y)) { return false }
    }
    return true
}

func withPath<T>(scalar: Bool, _ body: () throws -> T) rethrows -> T {
    cs_force_scalar(scalar ? 1 : 0)
    defer { cs_force_scalar(0) }
    return try body()
}

@Suite struct KernelTwinTests {
    static let sizes: [(Int, Int)] = [(1, 5), (7, 37), (77, 64), (3, 70)]

    @Test(arguments: [1, 7, 77]) func linearMatchesTwin(rows: Int) {
        var g = SeededValues(UInt64(rows))
        for (inF, outF) in [(13, 9), (64, 70), (37, 3)] {
            let x = g.array(rows * inF), w = g.array(outF * inF), b = g.array(outF)
            var y = [Float](repeating: .nan, count: rows * outF)
            Gemm.linear(x, rows: rows, inFeatures: inF, weight: w, outFeatures: outF, bias: b, into: &y)
            #expect(relClose(y, Reference.linear(x, rows: rows, inFeatures: inF, weight: w, outFeatures: outF, bias: b), rel: 1e-5, abs: 1e-5))
            var y2 = [Float](repeating: .nan, count: rows * outF)
            Gemm.linear(x, rows: rows, inFeatures: inF, weight: w, outFeatures: outF, bias: nil, into: &y2)
            #expect(relClose(y2, Reference.linear(x, rows: rows, inFeatures: inF, weight: w, outFeatures: outF, bias: nil), rel: 1e-5, abs: 1e-5))
        }
    }

    /// Gemm.matmul cuts K into chunks of Gemm.kChunk (Gemm.swift): every transpose, alpha and beta, strided
    /// operands, and K below, at and across the chunk size, against the double-precision triple loop.
    @Test(arguments: [false, true]) func matmulMatchesTwinAcrossKChunks(transA: Bool) {
        var g = SeededValues(transA ? 31 : 30)
        for transB in [false, true] {
            for k in [0, 1, 255, 256, 257, 600] {
                let m = 9, n = 13, pad = 3
                let lda = (transA ? m : k) + pad, ldb = (transB ? k : n) + pad, ldc = n + pad
                let a = g.array((transA ? k : m) * lda), b = g.array((transB ? n : k) * ldb)
                let c0 = g.array(m * ldc)
                let alpha: Float = 0.75, beta: Float = -0.5
                var c = c0
                a.withUnsafeBufferPointer { pa in
                    b.withUnsafeBufferPointer { pb in
                        c.withUnsafeMutableBufferPointer {
                            Gemm.matmul(pa.baseAddress!, transA: transA, lda: lda, pb.baseAddress!, transB: transB, ldb: ldb,
                                        into: $0.baseAddress!, ldc: ldc, m: m, n: n, k: k, alpha: alpha, beta: beta)
                        }
                    }
                }
                for i in 0..<m {
                    for j in 0..<ldc {
                        guard j < n else { #expect(c[i * ldc + j] == c0[i * ldc + j]); continue }   // padding untouched
                        var sum = 0.0
                        for p in 0..<k {
                            let av = transA ? a[p * lda + i] : a[i * lda + p], bv = transB ? b[j * ldb + p] : b[p * ldb + j]
                            sum += Double(av) * Double(bv)
                        }
                        let want = Double(alpha) * sum + Double(beta) * Double(c0[i * ldc + j])
                        #expect(Swift.abs(Double(c[i * ldc + j]) - want) <= 1e-5 * (1 + Swift.abs(want)) + 1e-6 * Double(k),
                                "k \(k) transA \(transA) transB \(transB) at \(i),\(j)")
                    }
                }
            }
        }
    }

    @Test func linearWritesColumnBlocksWithStrides() {
        var g = SeededValues(5)
        let rows = 7, inF = 11, outF = 6, ldy = 20
        let x = g.array(rows * inF), w = g.array(outF * inF), b = g.array(outF)
        var y = [Float](repeating: 42, count: rows * ldy)
        y.withUnsafeMutableBufferPointer { Gemm.linear(x, rows: rows, inFeatures: inF, weight: w, outFeatures: outF, bias: b, into: $0.baseAddress! + 4, ldy: ldy) }
        let ref = Reference.linear(x, rows: rows, inFeatures: inF, weight: w, outFeatures: outF, bias: b)
        for t in 0..<rows {
            for o in 0..<ldy {
                if o >= 4 && o < 4 + outF { #expect(Swift.abs(y[t * ldy + o] - ref[t * outF + o - 4]) < 1e-5) }
                else { #expect(y[t * ldy + o] == 42) }   // untouched outside the block
            }
        }
    }

    @Test(arguments: [false, true]) func layerNormMatchesTwin(scalar: Bool) {
        var g = SeededValues(11)
        for (rows, dim) in Self.sizes {
            let x = g.array(rows * dim, -3, 5), w = g.array(dim), b = g.array(dim)
            var y = [Float](repeating: 0, count: x.count)
            withPath(scalar: scalar) { LayerNorm.apply(x, rows: rows, dim: dim, weight: w, bias: b, eps: 1e-5, into: &y) }
            #expect(relClose(y, Reference.layerNorm(x, rows: rows, dim: dim, weight: w, bias: b, eps: 1e-5), rel: 1e-5, abs: 2e-6))
            var inPlace = x
            withPath(scalar: scalar) {
                inPlace.withUnsafeMutableBufferPointer { p in
                    LayerNorm.apply(p.baseAddress!, rows: rows, dim: dim, weight: w, bias: b, eps: 1e-6, into: p.baseAddress!)
                }
            }
            #expect(relClose(inPlace, Reference.layerNorm(x, rows: rows, dim: dim, weight: w, bias: b, eps: 1e-6), rel: 1e-5, abs: 2e-6))
        }
    }

    @Test func layerNormHandComputed() {
        // x = [1, 2, 3, 4]: mean 2.5, var 1.25 → (x − 2.5)/√1.25
        var y = [Float](repeating: 0, count: 4)
        LayerNorm.apply([1, 2, 3, 4], rows: 1, dim: 4, weight: [1, 1, 2, 1], bias: [0, 0, 0, 1], eps: 0, into: &y)
        let s = Float(1.25).squareRoot()
        #expect(relClose(y, [-1.5 / s, -0.5 / s, 2 * 0.5 / s, 1.5 / s + 1], rel: 1e-6))
    }

    @Test(arguments: [false, true]) func geluMatchesTwinAndKnownValues(scalar: Bool) {
        var g = SeededValues(3)
        let x = g.array(77, -6, 6) + g.array(200, -30, 30) + [0, 1, -1, 3, 0, 0, 0, 0]
        var y = x
        withPath(scalar: scalar) { Activation.geluErf(&y, count: y.count) }
        // |Δerf| ≤ 1.5e-7 on the vector path → |ΔGELU| ≤ 0.5·|x|·1.5e-7
        for (i, v) in x.enumerated() {
            let want: Float = Reference.geluErf([v])[0]
            let tol: Float = 1e-7 + 8e-8 * Swift.abs(v) + 2e-7 * Swift.abs(want)
            let err: Float = Swift.abs(y[i] - want)
            #expect(err <= tol, "x = \(v)")
        }
        // GELU(1) = 0.8413447460685429 (erf form); the tanh approximation gives 0.8411920
        #expect(Swift.abs(y[278] - 0.84134475) < 2e-7)
        #expect(Swift.abs(y[279] + 0.15865526) < 2e-7)
        #expect(y[277] == 0)
    }

    @Test(arguments: [false, true]) func swigluMatchesTwin(scalar: Bool) {
        var g = SeededValues(4)
        for n in [1, 7, 77, 170] {
            let a = g.array(n, -12, 12), b = g.array(n, -3, 3)
            var out = [Float](repeating: 0, count: n)
            withPath(scalar: scalar) { Activation.swiglu(gate: a, up: b, into: &out, count: n) }
            #expect(relClose(out, Reference.swiglu(gate: a, up: b), rel: 2e-6, abs: 1e-7))
        }
    }

    @Test(arguments: [false, true]) func vectorExpIsAccurate(scalar: Bool) {
        var g = SeededValues(8)
        let x = g.array(1000, -87, 88) + [0, -100, -10000]
        var y = x
        withPath(scalar: scalar) { Activation.exp(&y, count: y.count) }
        for i in 0..<1000 { #expect(Swift.abs(y[i] - Float(Foundation.exp(Double(x[i])))) <= 3e-7 * Float(Foundation.exp(Double(x[i])))) }
        #expect(y[1000] == 1)
        #expect(y[1001] < 1e-37 && y[1002] < 1e-37)
    }

    /// Modes: 0 = best SIMD (AVX-512 where present), 2 = AVX2 only, 1 = scalar.
    @Test(arguments: [Int32(0), 2, 1]) func softmaxMatchesTwin(mode: Int32) {
        var g = SeededValues(6)
        for (rows, cols) in Self.sizes + [(3, 1025)] {
            let s = g.array(rows * cols, -8, 8)
            let bias: [Float] = (0..<cols).map { $0 % 3 == 2 ? -10000 : 0 }
            var y = s
            cs_force_scalar(mode)
            Softmax.rows(&y, rows: rows, cols: cols, keyBias: bias)
            var z = s
            Softmax.rows(&z, rows: rows, cols: cols)
            cs_force_scalar(0)
            #expect(relClose(y, Reference.softmaxRows(s, rows: rows, cols: cols, keyBias: bias), rel: 2e-6, abs: 1e-8), "mode \(mode)")
            #expect(relClose(z, Reference.softmaxRows(s, rows: rows, cols: cols, keyBias: nil), rel: 2e-6, abs: 1e-8), "mode \(mode)")
        }
    }

    /// Probabilities below the smallest normal float are flushed to 0 (subnormal operands slow every
    /// FMA that reads them ~100×); everything else still matches the twin.
    @Test(arguments: [Int32(0), 2, 1]) func softmaxNeverReturnsSubnormals(mode: Int32) {
        let cols = 1025
        // Scores 0 … −130 in steps of 0.127: e^x crosses FLT_MIN (x ≈ −87.3) inside the row, and the
        // normalized values cross it a little earlier (x ≈ −87.3 + ln Σ).
        let s: [Float] = (0..<cols).map { -Float($0) * 0.127 }
        var y = s
        cs_force_scalar(mode)
        Softmax.rows(&y, rows: 1, cols: cols)
        cs_force_scalar(0)
        #expect(y.allSatisfy { $0 == 0 || $0 >= Float.leastNormalMagnitude }, "mode \(mode)")
        #expect(y.filter { $0 == 0 }.count > 300, "mode \(mode)")     // the tail really underflows
        #expect(relClose(y, Reference.softmaxRows(s, rows: 1, cols: cols, keyBias: nil), rel: 2e-6, abs: 1e-37), "mode \(mode)")
        var e = s
        withPath(scalar: mode == 1) { Activation.exp(&e, count: cols) }
        #expect(e.allSatisfy { $0 == 0 || $0 >= Float.leastNormalMagnitude }, "mode \(mode)")
    }

    @Test func softmaxRespectsStride() {
        var s: [Float] = [0, 0, 99, 1, 1, 99]     // 2 rows of 2 at ld 3; the third column is untouched
        Softmax.rows(&s, rows: 2, cols: 2, ld: 3)
        #expect(s == [0.5, 0.5, 99, 0.5, 0.5, 99])
    }

    @Test(arguments: [false, true]) func residualAdd(scalar: Bool) {
        var g = SeededValues(9)
        let a = g.array(77), b = g.array(77)
        var y = a
        withPath(scalar: scalar) { VectorOps.add(b, into: &y, count: 77) }
        #expect(y == zip(a, b).map { $0 + $1 })
    }

    @Test(arguments: [1, 7, 77]) func neoxRopeMatchesTwin(rows: Int) {
        var g = SeededValues(UInt64(10 + rows))
        let heads = 3, hd = 16
        let x = g.array(rows * heads * hd, -2, 2)
        let rope = NeoXRope(headDim: hd, base: 20000, positions: rows)
        var y = x
        y.withUnsafeMutableBufferPointer { rope.apply($0.baseAddress!, rows: rows, ld: heads * hd, heads: heads) }
        #expect(relClose(y, Reference.neoxRope(x, rows: rows, heads: heads, headDim: hd, base: 20000), rel: 1e-5, abs: 2e-6))
    }

    @Test func neoxRopeIsHalfSplitNotInterleaved() {
        // One head of 4 dims at position 1: pairs are (0, 2) and (1, 3).
        let rope = NeoXRope(headDim: 4, base: 10000, positions: 2)
        var x: [Float] = [0, 0, 0, 0, 1, 0, 0, 0]
        x.withUnsafeMutableBufferPointer { rope.apply($0.baseAddress!, rows: 2, ld: 4, heads: 1) }
        #expect(Swift.abs(x[4] - Foundation.cos(Float(1))) < 1e-7)
        #expect(Swift.abs(x[6] - Foundation.sin(Float(1))) < 1e-7)
        #expect(x[5] == 0 && x[7] == 0)
    }

    @Test(arguments: [2, 4, 5]) func evaRopeMatchesTwin(grid: Int) {
        var g = SeededValues(UInt64(20 + grid))
        let heads = 2, hd = 16
        let x = g.array(grid * grid * heads * hd, -2, 2)
        let rope = EvaRope2D(headDim: hd, grid: grid, ptSeqLen: 16)
        var y = x
        y.withUnsafeMutableBufferPointer { rope.apply($0.baseAddress!, ld: heads * hd, heads: heads) }
        #expect(relClose(y, Reference.evaRope2D(x, grid: grid, heads: heads, headDim: hd, ptSeqLen: 16), rel: 1e-5, abs: 2e-6))
    }

    @Test func evaRopeRowsThenColumnsInterleaved() {
        // grid 2, hd 8: patch (row 0, col 1) rotates only the column half; pair (4, 5) by t_1·f_0 = 8.
        let rope = EvaRope2D(headDim: 8, grid: 2, ptSeqLen: 16)
        var x = [Float](repeating: 0, count: 4 * 8)
        x[8 + 0] = 1; x[8 + 4] = 1
        x.withUnsafeMutableBufferPointer { rope.apply($0.baseAddress!, ld: 8, heads: 1) }
        #expect(x[8 + 0] == 1 && x[8 + 1] == 0)                        // row index 0: no rotation
        #expect(Swift.abs(x[8 + 4] - Foundation.cos(Float(8))) < 1e-6)
        #expect(Swift.abs(x[8 + 5] - Foundation.sin(Float(8))) < 1e-6)
    }

    @Test(arguments: [1, 7, 77]) func attentionMatchesTwin(tokens: Int) {
        var g = SeededValues(UInt64(30 + tokens))
        let heads = 3, d = 10, w = heads * d
        let q = g.array(tokens * w), k = g.array(tokens * w), v = g.array(tokens * w)
        let bias: [Float] = (0..<tokens).map { $0 > 0 && $0 % 4 == 0 ? -10000 : 0 }
        // q, k, v in one fused [T, 3w] buffer, read in place with strides.
        var qkv = [Float](repeating: 0, count: tokens * 3 * w)
        for t in 0..<tokens {
            for i in 0..<w {
                qkv[t * 3 * w + i] = q[t * w + i]; qkv[t * 3 * w + w + i] = k[t * w + i]; qkv[t * 3 * w + 2 * w + i] = v[t * w + i]
            }
        }
        var out = [Float](repeating: .nan, count: tokens * w)
        var scores = [Float](repeating: 0, count: tokens * tokens)
        qkv.withUnsafeBufferPointer { p in
            let b = p.baseAddress!
            Attention.multiHead(q: b, ldq: 3 * w, k: b + w, ldk: 3 * w, v: b + 2 * w, ldv: 3 * w,
                                tokens: tokens, heads: heads, headDim: d, scale: 0.125, keyBias: bias,
                                out: &out, ldo: w, scores: &scores)
        }
        let ref = Reference.attention(q: q, k: k, v: v, tokens: tokens, heads: heads, headDim: d, scale: 0.125, keyBias: bias)
        #expect(relClose(out, ref, rel: 1e-5, abs: 1e-6))
    }

    @Test func l2Normalize() {
        #expect(VectorOps.l2Normalized([3, 4]) == [0.6, 0.8])
        #expect(VectorOps.l2Normalized([0, 0]) == [0, 0])
        var g = SeededValues(1)
        let x = g.array(70)
        #expect(relClose(VectorOps.l2Normalized(x), Reference.l2Normalized(x), rel: 1e-6))
    }
}

@Suite struct OpenBLASCoreTests {
    @Test func aVectorCoreIsSelectedOnAVX2Machines() {
        var y = [Float](repeating: 0, count: 4)
        Gemm.linear([1, 2], rows: 2, inFeatures: 1, weight: [3, 4], outFeatures: 2, bias: nil, into: &y)
        #expect(y == [3, 4, 6, 8])
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil, (cs_cpu_features() & 1) != 0 else { return }
        #expect(!["Prescott", "Core2", "Nehalem", "unknown"].contains(Gemm.coreName), "OpenBLAS core \(Gemm.coreName)")
    }
}
