// Naive twins of every kernel: plain loops over Swift arrays, Double accumulation, no BLAS, no SIMD.
// Tests (`@testable import Kernels`) use them to check the fast paths on awkward sizes.
import Foundation
@testable import Kernels

enum Reference {
    /// y[t, o] = Σ_i x[t, i]·w[o, i] + b[o]
    static func linear(_ x: [Float], rows: Int, inFeatures: Int, weight: [Float], outFeatures: Int, bias: [Float]?) -> [Float] {
        var y = [Float](repeating: 0, count: rows * outFeatures)
        for t in 0..<rows {
            for o in 0..<outFeatures {
                var s = Double(bias?[o] ?? 0)
                for i in 0..<inFeatures { s += Double(x[t * inFeatures + i]) * Double(weight[o * inFeatures + i]) }
                y[t * outFeatures + o] = Float(s)
            }
        }
        return y
    }

    /// bfloat16 rounding as the fast GEMM's contract: nearest, ties to even, NaN stays NaN (no flush).
    static func bf16(_ v: Float) -> Float {
        if v.isNaN { return v }
        var u = v.bitPattern
        u = u &+ 0x7fff &+ ((u >> 16) & 1)
        return Float(bitPattern: u & 0xffff_0000)
    }

    /// The fast GEMM's contract in Double: y[t, o] = b[o] + Σ_i bf16(x[t, i])·bf16(w[o, i]), and the error
    /// bound a float32 sum of those products may have: k·2⁻²⁴·(|b[o]| + Σ_i |products|) per output.
    static func bf16Linear(_ x: [Float], rows: Int, inFeatures k: Int, weight: [Float], outFeatures n: Int,
                           bias: [Float]?) -> (y: [Float], bound: [Float]) {
        var y = [Float](repeating: 0, count: rows * n), bound = y
        let xb = x.map(bf16), wb = weight.map(bf16)
        for t in 0..<rows {
            for o in 0..<n {
                var s = Double(bias?[o] ?? 0), mag = abs(s)
                for i in 0..<k {
                    let p = Double(xb[t * k + i]) * Double(wb[o * k + i])
                    s += p; mag += abs(p)
                }
                y[t * n + o] = Float(s)
                bound[t * n + o] = Float(Double(k + 1) * 0x1p-24 * mag) + Float.leastNormalMagnitude
            }
        }
        return (y, bound)
    }

    static func layerNorm(_ x: [Float], rows: Int, dim: Int, weight: [Float], bias: [Float], eps: Float) -> [Float] {
        var y = x
        for r in 0..<rows {
            let row = x[(r * dim)..<((r + 1) * dim)].map(Double.init)
            let mean = row.reduce(0, +) / Double(dim)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(dim)
            let rstd = 1 / (variance + Double(eps)).squareRoot()
            for i in 0..<dim { y[r * dim + i] = Float((row[i] - mean) * rstd * Double(weight[i]) + Double(bias[i])) }
        }
        return y
    }

    static func geluErf(_ x: [Float]) -> [Float] {
        x.map { Float(0.5 * Double($0) * (1 + erf(Double($0) / 2.0.squareRoot()))) }
    }

    static func swiglu(gate: [Float], up: [Float]) -> [Float] {
        zip(gate, up).map { g, u in Float(Double(g) / (1 + Foundation.exp(-Double(g))) * Double(u)) }
    }

    static func softmaxRows(_ s: [Float], rows: Int, cols: Int, keyBias: [Float]?) -> [Float] {
        var out = s
        for r in 0..<rows {
            let row = (0..<cols).map { Double(s[r * cols + $0]) + Double(keyBias?[$0] ?? 0) }
            let m = row.max() ?? 0
            let e = row.map { Foundation.exp($0 - m) }
            let sum = e.reduce(0, +)
            for c in 0..<cols { out[r * cols + c] = Float(e[c] / sum) }
        }
        return out
    }

    /// NeoX half-split RoPE on [rows, heads·hd] (packed), positions 0..<rows, angles in Double.
    static func neoxRope(_ x: [Float], rows: Int, heads: Int, headDim: Int, base: Double) -> [Float] {
        var y = x
        let half = headDim / 2
        for t in 0..<rows {
            for h in 0..<heads {
                let o = t * heads * headDim + h * headDim
                for i in 0..<half {
                    let theta = Double(t) / Foundation.pow(base, Double(2 * i) / Double(headDim))
                    let a = Double(x[o + i]), b = Double(x[o + i + half])
                    y[o + i] = Float(a * Foundation.cos(theta) - b * Foundation.sin(theta))
                    y[o + i + half] = Float(b * Foundation.cos(theta) + a * Foundation.sin(theta))
                }
            }
        }
        return y
    }

    /// EVA 2-D interleaved RoPE on grid² patch rows [grid², heads·hd] (packed), angles in Double.
    static func evaRope2D(_ x: [Float], grid: Int, heads: Int, headDim: Int, ptSeqLen: Int, theta: Double = 10000) -> [Float] {
        var y = x
        let dq = headDim / 2
        for r in 0..<grid {
            for c in 0..<grid {
                let t = r * grid + c
                for h in 0..<heads {
                    let o = t * heads * headDim + h * headDim
                    for j in 0..<(headDim / 2) {        // pair index
                        let axisPos = j < dq / 2 ? r : c
                        let k = j % (dq / 2)
                        let f = 1 / Foundation.pow(theta, Double(2 * k) / Double(dq))
                        let angle = Double(axisPos) / Double(grid) * Double(ptSeqLen) * f
                        let a = Double(x[o + 2 * j]), b = Double(x[o + 2 * j + 1])
                        y[o + 2 * j] = Float(a * Foundation.cos(angle) - b * Foundation.sin(angle))
                        y[o + 2 * j + 1] = Float(b * Foundation.cos(angle) + a * Foundation.sin(angle))
                    }
                }
            }
        }
        return y
    }

    /// softmax(scale·q·kᵀ + keyBias)·v per head; q, k, v, out packed [T, heads·D].
    static func attention(q: [Float], k: [Float], v: [Float], tokens t: Int, heads: Int, headDim d: Int,
                          scale: Float, keyBias: [Float]?) -> [Float] {
        let w = heads * d
        var out = [Float](repeating: 0, count: t * w)
        for h in 0..<heads {
            for i in 0..<t {
                var s = [Double](repeating: 0, count: t)
                for j in 0..<t {
                    var dot = 0.0
                    for e in 0..<d { dot += Double(q[i * w + h * d + e]) * Double(k[j * w + h * d + e]) }
                    s[j] = dot * Double(scale) + Double(keyBias?[j] ?? 0)
                }
                let m = s.max()!
                let ex = s.map { Foundation.exp($0 - m) }
                let sum = ex.reduce(0, +)
                for e in 0..<d {
                    var acc = 0.0
                    for j in 0..<t { acc += ex[j] / sum * Double(v[j * w + h * d + e]) }
                    out[i * w + h * d + e] = Float(acc)
                }
            }
        }
        return out
    }

    static func l2Normalized(_ x: [Float]) -> [Float] {
        let n = max(x.map { Double($0) * Double($0) }.reduce(0, +).squareRoot(), 1e-12)
        return x.map { Float(Double($0) / n) }
    }
}
