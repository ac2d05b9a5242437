// Element-wise and per-row kernels (LayerNorm, GELU, SwiGLU, softmax, residual add, L2 normalize).
// The loops live in CKernels (AVX2/FMA with a scalar fallback chosen at run time); these wrappers
// only fix the Swift-side signatures. Naive twins: Tests/KernelsTests/Reference.swift.
// Large calls (image shapes) are split over the compute threads by `RowSplit`: whole rows, or element
// ranges starting at multiples of 64, so every value goes through the same code path (vector body or
// scalar tail) as in a single-threaded call — results are bit-identical to the unsplit kernel.
import CKernels
import Dispatch

public enum LayerNorm {
    /// y[r, :] = (x[r, :] − μ) / √(σ² + eps) · weight + bias over rows of `dim` (biased σ²). y may be x.
    public static func apply(_ x: UnsafePointer<Float>, rows: Int, dim: Int,
                             weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, eps: Float,
                             into y: UnsafeMutablePointer<Float>) {
        RowSplit.run(rows: rows, work: rows * dim) { r in
            cs_layernorm(x + r.lowerBound * dim, y + r.lowerBound * dim, r.count, dim, weight, bias, eps)
        }
    }
}

public enum Activation {
    /// In place: x = 0.5·x·(1 + erf(x/√2)) (exact erf GELU, PyTorch `approximate="none"`).
    public static func geluErf(_ x: UnsafeMutablePointer<Float>, count: Int) {
        RowSplit.run(elements: count) { r in cs_gelu_erf(x + r.lowerBound, r.count) }
    }

    /// out = SiLU(gate) ⊙ up (SwiGLU gate); out may alias gate or up.
    public static func swiglu(gate: UnsafePointer<Float>, up: UnsafePointer<Float>,
                              into out: UnsafeMutablePointer<Float>, count: Int) {
        RowSplit.run(elements: count) { r in cs_silu_mul(gate + r.lowerBound, up + r.lowerBound, out + r.lowerBound, r.count) }
    }

    /// For each of `rows` rows of a fused [rows, ld] buffer: out[r, 0..<count] = SiLU(gate row) ⊙ (up row),
    /// where gate = g + r·ld and up = g + r·ld + upOffset; out has row stride `ldo`.
    public static func swigluRows(_ g: UnsafePointer<Float>, ld: Int, upOffset: Int, rows: Int, count: Int,
                                  into out: UnsafeMutablePointer<Float>, ldo: Int) {
        RowSplit.run(rows: rows, work: rows * count) { r in
            for t in r { cs_silu_mul(g + t * ld, g + t * ld + upOffset, out + t * ldo, count) }
        }
    }

    /// In place: x = eˣ (vectorized; exposed for tests).
    public static func exp(_ x: UnsafeMutablePointer<Float>, count: Int) { cs_exp(x, count) }
}

public enum Softmax {
    /// In place over `rows` rows of `cols` values at stride `ld`, after adding keyBias[c] (if given)
    /// to every row — the additive key-padding bias (−10000 on pads in the text tower).
    public static func rows(_ s: UnsafeMutablePointer<Float>, rows: Int, cols: Int, ld: Int? = nil,
                            keyBias: UnsafePointer<Float>? = nil) {
        let ld = ld ?? cols
        RowSplit.run(rows: rows, work: rows * cols) { r in cs_softmax_rows(s + r.lowerBound * ld, r.count, cols, ld, keyBias) }
    }
}

public enum VectorOps {
    /// y += x
    public static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        RowSplit.run(elements: count) { r in cs_add_inplace(y + r.lowerBound, x + r.lowerBound, r.count) }
    }

    /// x / max(‖x‖₂, 1e-12) (torch `F.normalize`).
    public static func l2Normalized(_ x: ArraySlice<Float>) -> [Float] {
        var s: Double = 0
        for v in x { s += Double(v) * Double(v) }
        let n = Float(max(s.squareRoot(), 1e-12))
        return x.map { $0 / n }
    }

    public static func l2Normalized(_ x: [Float]) -> [Float] { l2Normalized(x[...]) }

    /// Whether the SIMD paths of CKernels are in use on this machine.
    public static var simdActive: Bool { cs_simd_active() != 0 }
}

/// Splits row-wise / element-wise kernel calls over the compute threads when the call is large enough to
/// pay for the hand-off (image shapes); small calls (text queries) run inline.
///
/// The compute thread count is `threads`: pinned per task with `RowSplit.$pinnedThreads.withValue(n)`
/// (every `ClipEmbedder` forward pins its own count), else OpenBLAS's process-wide count. Pinning is
/// per task, not global, so two encoders with different counts in one process never disturb each other.
/// No partition in Kernels changes a result: rows and 64-aligned element chunks run the same code per
/// value, attention splits whole (sequence, head) pairs, packed GEMMs whole panel pairs, and nothing
/// reduces across a split — vectors are bit-identical for every thread count (ThreadCountTests).
public enum RowSplit {
    /// Calls below this many values run on the calling thread only; pinned per task like the thread
    /// count (tests pin 0 to split even tiny shapes).
    @TaskLocal public static var minWork = 1 << 16

    /// The thread count pinned for the current task, if any.
    @TaskLocal public static var pinnedThreads: Int?

    /// Threads the kernels split over: the pinned count, else OpenBLAS's.
    public static var threads: Int { max(1, pinnedThreads ?? Gemm.threads) }

    /// body(rows range) over contiguous row chunks covering 0..<rows.
    public static func run(rows: Int, work: Int, _ body: (Range<Int>) -> Void) {
        let parts = min(threads, rows)
        guard parts > 1, work >= minWork else { if rows > 0 { body(0..<rows) }; return }
        let chunk = (rows + parts - 1) / parts
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            let r0 = p * chunk, r1 = min(rows, r0 + chunk)
            if r0 < r1 { body(r0..<r1) }
        }
    }

    /// body(element range) over chunks of 0..<count that start at multiples of 64.
    public static func run(elements count: Int, _ body: (Range<Int>) -> Void) {
        let blocks = (count + 63) / 64
        run(rows: blocks, work: count) { r in body(r.lowerBound * 64..<min(count, r.upperBound * 64)) }
    }
}
