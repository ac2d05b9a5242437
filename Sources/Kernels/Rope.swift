// Rotary position embeddings.
//
// Text (XLM-R flash, NeoX / half-split): per head vector u[0..<hd], i < hd/2, θ = p · invFreq[i],
//   u'[i] = u[i]·cos θ − u[i+hd/2]·sin θ,   u'[i+hd/2] = u[i+hd/2]·cos θ + u[i]·sin θ.
//   invFreq[i] = 1 / base^(2i/hd) and θ are computed in Float like the official code (torch fp32).
// Vision (EVA02 VisionRotaryEmbeddingFast, 2-D, interleaved / GPT-J): angles per head dim
//   [t_r f0, t_r f0, t_r f1, t_r f1, …, t_c f0, t_c f0, …] (first half follows the patch row, second
//   the column), t_n = n · ptSeqLen / grid, f_k = 1/θ^(2k/(hd/2)); pairs (2k, 2k+1) rotate together:
//   u'[2k] = u[2k]·cos − u[2k+1]·sin,  u'[2k+1] = u[2k+1]·cos + u[2k]·sin. The CLS token is not rotated
//   (callers pass the patch rows only).
import Foundation

/// NeoX half-split RoPE tables: cos/sin [positions, hd/2].
public struct NeoXRope: Sendable {
    public let headDim: Int
    public let base: Float
    public private(set) var positions: Int
    public private(set) var cos: [Float]
    public private(set) var sin: [Float]

    public init(headDim: Int, base: Float, positions: Int) {
        self.headDim = headDim
        self.base = base
        self.positions = 0
        self.cos = []
        self.sin = []
        ensure(positions: positions)
    }

    public static func inverseFrequencies(headDim: Int, base: Float) -> [Float] {
        (0..<(headDim / 2)).map { i in 1 / Foundation.pow(base, Float(2 * i) / Float(headDim)) }
    }

    /// Grows the tables to cover positions 0..<n.
    public mutating func ensure(positions n: Int) {
        guard n > positions else { return }
        let half = headDim / 2
        let inv = Self.inverseFrequencies(headDim: headDim, base: base)
        var c = [Float](repeating: 0, count: n * half), s = c
        for p in 0..<n {
            for i in 0..<half {
                let theta = Float(p) * inv[i]
                c[p * half + i] = Foundation.cos(theta)
                s[p * half + i] = Foundation.sin(theta)
            }
        }
        cos = c; sin = s; positions = n
    }

    /// Rotates `heads` heads of `rows` consecutive tokens (positions 0..<rows) in place; head h of
    /// token t starts at x + t·ld + h·headDim.
    public func apply(_ x: UnsafeMutablePointer<Float>, rows: Int, ld: Int, heads: Int) {
        precondition(rows <= positions, "RoPE table covers \(positions) positions, need \(rows)")
        let half = headDim / 2
        cos.withUnsafeBufferPointer { cb in
            sin.withUnsafeBufferPointer { sb in
                for t in 0..<rows {
                    let c = cb.baseAddress! + t * half, s = sb.baseAddress! + t * half
                    for h in 0..<heads {
                        let u = x + t * ld + h * headDim
                        for i in 0..<half {
                            let a = u[i], b = u[i + half]
                            u[i] = a * c[i] - b * s[i]
                            u[i + half] = b * c[i] + a * s[i]
                        }
                    }
                }
            }
        }
    }
}

/// EVA02 2-D interleaved RoPE tables: cos/sin [grid², hd] for the patch tokens (row-major patches).
public struct EvaRope2D: Sendable {
    public let headDim: Int
    public let grid: Int
    public let cos: [Float]
    public let sin: [Float]

    /// headDim: per-head size (64 for jina-clip-v2); ptSeqLen: pretraining grid (16); theta 10000.
    public init(headDim: Int, grid: Int, ptSeqLen: Int, theta: Float = 10000) {
        self.headDim = headDim
        self.grid = grid
        let dq = headDim / 2                       // rotary dims per axis
        let nf = dq / 2                            // frequencies per axis
        let freqs = (0..<nf).map { k in 1 / Foundation.pow(theta, Float(2 * k) / Float(dq)) }
        // torch: arange(ft) / ft * pt in float32
        let t = (0..<grid).map { Float($0) / Float(grid) * Float(ptSeqLen) }
        var c = [Float](repeating: 0, count: grid * grid * headDim), s = c
        for r in 0..<grid {
            for col in 0..<grid {
                let base = (r * grid + col) * headDim
                for k in 0..<nf {
                    let ar = t[r] * freqs[k], ac = t[col] * freqs[k]
                    c[base + 2 * k] = Foundation.cos(ar); c[base + 2 * k + 1] = Foundation.cos(ar)
                    s[base + 2 * k] = Foundation.sin(ar); s[base + 2 * k + 1] = Foundation.sin(ar)
                    c[base + dq + 2 * k] = Foundation.cos(ac); c[base + dq + 2 * k + 1] = Foundation.cos(ac)
                    s[base + dq + 2 * k] = Foundation.sin(ac); s[base + dq + 2 * k + 1] = Foundation.sin(ac)
                }
            }
        }
        cos = c; sin = s
    }

    /// Rotates grid² patch rows in place (x points at the first PATCH token, not CLS). Rows are split over
    /// the compute threads (same arithmetic per element either way).
    public func apply(_ x: UnsafeMutablePointer<Float>, ld: Int, heads: Int) {
        let rows = grid * grid
        cos.withUnsafeBufferPointer { cb in
            sin.withUnsafeBufferPointer { sb in
                RowSplit.run(rows: rows, work: rows * heads * headDim) { range in
                    for t in range {
                        let c = cb.baseAddress! + t * headDim, s = sb.baseAddress! + t * headDim
                        for h in 0..<heads {
                            let u = x + t * ld + h * headDim
                            var i = 0
                            while i < headDim {
                                let a = u[i], b = u[i + 1]
                                u[i] = a * c[i] - b * s[i]
                                u[i + 1] = b * c[i + 1] + a * s[i + 1]
                                i += 2
                            }
                        }
                    }
                }
            }
        }
    }
}
