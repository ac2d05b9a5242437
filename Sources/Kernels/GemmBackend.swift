// Which library runs the vision tower's float32 projections: OpenBLAS (`Gemm.linear`) or oneDNN
// (`DnnlLinear`). The choice comes from the fixed table below, never from a timing at load, so the same
// build on the same machine with the same thread count gives the same bits in every process (caches
// written by several processes are merged). `clipscope bench gemm --vision` times both libraries on
// these shapes and prints the rows in this format; docs/perf.md ("oneDNN") has the measurements.
//
//   backend(projection, threads) = the first row whose projection and thread range match,
//                                  OpenBLAS when oneDNN has no AVX-512 f32 kernels on this CPU or no row matches.
import Foundation

public enum GemmBackend: String, Sendable, CaseIterable {
    case openblas, onednn

    /// The vision tower's projections, named as in `bench --profile` and `bench gemm --vision`.
    public enum Projection: String, Sendable, CaseIterable {
        case patchEmbed = "patch_embed", qkv, proj, gateUp = "gate_up", down
    }

    public struct Row: Sendable {
        public let projection: Projection
        public let threads: ClosedRange<Int>
        public let backend: GemmBackend
    }

    /// Measured with `clipscope bench gemm --vision` (best of 3, both libraries interleaved in one process)
    /// on AVX-512 machines: an AMD Zen 4 class VM (1–2 threads) and a Sapphire Rapids class Xeon (2, 8 and
    /// 16 threads, Scripts/bench/gemm_onednn.sh). oneDNN was ahead on every shape except gate_up at 2 threads
    /// on the Xeon (224 vs 267 GFLOPS, one run; 213–217 vs 192–198 on the Zen 4): oneDNN there too, one
    /// path per shape for every AVX-512 machine.
    public static let table: [Row] = Projection.allCases.map { Row(projection: $0, threads: 1...Int.max, backend: .onednn) }

    /// The backend for `projection` at `threads` on this CPU.
    public static func backend(for projection: Projection, threads: Int) -> GemmBackend {
        guard DnnlLinear.hasAVX512 else { return .openblas }
        return table.first { $0.projection == projection && $0.threads.contains(threads) }?.backend ?? .openblas
    }
}
