// `--precision exact|fast`: which arithmetic the towers' GEMMs use.
//   exact: float32 everywhere (the default; what every fixture is checked against).
//   fast:  the vision tower's five projections (patch, qkv, proj, gate_up, down) as FastLinear GEMMs —
//          bfloat16 operands, float32 sums (AVX512-BF16 `vdpbf16ps`); LayerNorm, attention, softmax,
//          residuals, pooling and the text tower stay float32. Gate: cosine ≥ 0.999 to `exact` for every
//          image (FastPrecisionTests; full-size figures in docs/perf.md).
// A CPU without AVX512-BF16 runs `exact` when `fast` is asked (`effective`); the callers say so once.
// The precision is part of the embedding cache key: fast and exact vectors never share a store.
import Kernels

public enum Precision: String, Sendable, CaseIterable {
    case exact, fast

    /// Whether this CPU has the fast 16-bit GEMM.
    public static var fastSupported: Bool { FastLinear.hardwareSupported }

    /// What `self` runs as on this CPU.
    public var effective: Precision { self == .fast && !Self.fastSupported ? .exact : self }

    /// The line printed once when `fast` was asked on a CPU that cannot run it.
    public static let unsupportedNote = "note: this CPU has no AVX512-BF16: --precision fast runs exact (float32)"
}
