// Which library runs the vision tower's float32 projections: OpenBLAS (`Gemm.linear`) or oneDNN
// (`DnnlLinear`). The choice comes from the fixed table below, never from a timing at load, so the same
// build on the same machine gives the same bits in every process (caches written by several processes
// are merged). It is one choice per projection for every thread count: a choice per count would make
// vectors depend on the thread count, which they do not (docs/perf.md, "Thread count").
// `clipscope bench gemm --vision --threads N` times both libraries on these shapes and prints the entries
// its figures give; docs/perf.md ("oneDNN") has the measurements.
//
//   backend(projection) = table[projection] on CPUs where oneDNN has its AVX-512 f32 kernels, else OpenBLAS.
import Foundation

public enum GemmBackend: String, Sendable, CaseIterable {
    case openblas, onednn

    /// The vision tower's projections, named as in `bench --profile` and `bench gemm --vision`.
    public enum Projection: String, Sendable, CaseIterable {
        case patchEmbed = "patch_embed", qkv, proj, gateUp = "gate_up", down
    }

    /// `clipscope bench gemm --vision` (best of 3, both libraries interleaved in one process), AMD Zen 4 class
    /// VM: oneDNN ahead on every projection at 2 threads (204–214 vs 165–199 GFLOPS) and on four of five at
    /// 1 thread (gate_up even: 103.3 vs 103.8). `Scripts/bench/gemm_onednn.sh` on a Sapphire Rapids class
    /// Xeon: oneDNN ahead on every vision shape at 8 and 16 threads and on three of four at 2 (gate_up 224
    /// vs 267 GFLOPS, one run).
    public static let table: [Projection: GemmBackend] = [
        .patchEmbed: .onednn, .qkv: .onednn, .proj: .onednn, .gateUp: .onednn, .down: .onednn,
    ]

    /// The backend for `projection` on this CPU.
    public static func backend(for projection: Projection) -> GemmBackend {
        guard DnnlLinear.hasAVX512 else { return .openblas }
        return table[projection] ?? .openblas
    }
}
