// `--precision fast`: a Linear layer whose GEMM runs on bfloat16 operands with float32 sums
// (CKernels/bf16_gemm.c, AVX512-BF16 `vdpbf16ps`):
//
//   Y[M, N] = bf16(X)[M, K] · bf16(W)ᵀ + b        (float32 sums; contract in bf16_gemm.c)
//
// The weight is packed once at load into 16-bit panels (half the bytes of the float32 copy, which the
// tower keeps for the range guard's fallback); X is packed per call into 6-row groups. Both packings
// and the panel groups of the GEMM are split over the compute threads (RowSplit.threads); no split
// changes a result.
//
// Range guard: bfloat16 has float32's exponent range, so the only activations it cannot carry are those
// that round to ±∞ (|x| > `FastLinear.rangeLimit`, ≈ 3.39e38) and NaN. A call whose X holds one runs
// the float32 GEMM instead (`fallback`), and `FastLinear.fallbacks` counts it (`clipscope bench` reports
// the count); such a vector then equals what the exact path computes for that layer.
import CKernels
import Foundation

public final class FastLinear: @unchecked Sendable {
    public let outFeatures: Int
    public let inFeatures: Int
    let packed: UnsafeMutablePointer<UInt32>
    let panels: Int

    /// |x| above this (or NaN) cannot be rounded to a finite bfloat16: that call runs in float32.
    public static let rangeLimit: Float = 3.3895313e38

    /// Whether this CPU runs the bfloat16 kernel (AVX512-BF16); elsewhere its scalar path is correct but slow.
    public static var hardwareSupported: Bool { cs_bf16_supported() != 0 }

    /// Number of fast GEMM calls (process-wide) that ran in float32 because of the range guard.
    public static var fallbacks: Int { fallbackCount.value }
    private static let fallbackCount = Counter()

    /// A thread-safe count.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        var value: Int { lock.lock(); defer { lock.unlock() }; return n }
        func add(_ k: Int) { lock.lock(); n += k; lock.unlock() }
    }

    /// Packs W [outFeatures, inFeatures] (row-major float32, rows `ldw` apart) into bfloat16 panels.
    public init(weight: UnsafePointer<Float>, outFeatures: Int, inFeatures: Int, ldw: Int? = nil) {
        self.outFeatures = outFeatures
        self.inFeatures = inFeatures
        panels = (outFeatures + 15) / 16
        let words = max(16, cs_bf16_weight_words(outFeatures, inFeatures))
        packed = .allocate(capacity: words)
        let dst = packed, n = outFeatures, k = inFeatures, ld = ldw ?? inFeatures
        RowSplit.run(rows: panels, work: n * k) { r in
            cs_bf16_pack_weight(weight, ld, n, k, r.lowerBound, r.upperBound, dst)
        }
    }

    deinit { packed.deallocate() }

    /// Bytes of the packed weight.
    public var packedBytes: Int { cs_bf16_weight_words(outFeatures, inFeatures) * 4 }

    /// Per-call scratch: the packed activations (grown to the largest call).
    public final class Scratch: @unchecked Sendable {
        fileprivate var words: UnsafeMutablePointer<UInt32> = .allocate(capacity: 1)
        fileprivate var capacity = 0
        public init() {}
        deinit { words.deallocate() }
        fileprivate func reserve(_ n: Int) -> UnsafeMutablePointer<UInt32> {
            if n > capacity { words.deallocate(); words = .allocate(capacity: n); capacity = n }
            return words
        }
    }

    /// y[t, 0..<N] = bf16(x[t, :]) · bf16(W)ᵀ + bias for t < rows (x rows `ldx` apart, y rows `ldy` apart).
    /// When x holds a value the range guard refuses, runs `fallback` (the float32 GEMM) instead, counted.
    /// Returns false in that case.
    @discardableResult
    public func apply(_ x: UnsafePointer<Float>, rows m: Int, ldx: Int? = nil, bias: UnsafePointer<Float>?,
                      into y: UnsafeMutablePointer<Float>, ldy: Int? = nil, scratch: Scratch,
                      fallback: () -> Void) -> Bool {
        let k = inFeatures, n = outFeatures, ldx = ldx ?? k, ldy = ldy ?? n
        guard m > 0, n > 0 else { return true }
        let groups = (m + 5) / 6
        let xp = scratch.reserve(max(1, cs_bf16_act_words(m, k)))
        let limit = Self.rangeLimit
        let outside = Counter()
        RowSplit.run(rows: groups, work: m * k) { r in
            let c = cs_bf16_pack_act(x, ldx, m, k, r.lowerBound, r.upperBound, xp, limit)
            if c > 0 { outside.add(c) }
        }
        if outside.value > 0 {
            Self.fallbackCount.add(1)
            fallback()
            return false
        }
        // Panel groups of 4 (one tile's width) split over the threads.
        let w = packed, pg = (panels + 3) / 4, np = panels
        RowSplit.run(rows: pg, work: m * n) { r in
            cs_bf16_gemm(xp, m, k, w, n, r.lowerBound * 4, min(np, r.upperBound * 4), bias, y, ldy)
        }
        return true
    }
}
