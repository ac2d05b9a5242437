// A Linear layer whose weight stays in its stored element type (F16 / BF16 / F32), packed once at load
// into panels of 16 output columns (layout in CKernels/packed_gemm.c), with an optional rank-r adapter
// kept as a separate term:
//
//   Y[M, N] = X[M, K] · Wᵀ + b + (X · Aᵀ) · (s·B)ᵀ        W [N, K], A [r, K], B [N, r]
//
// Two paths, chosen by the number of rows M:
// - M ≤ smallRowLimit (a typed query, a 32-caption batch): `cs_packed_gemm` streams the 16-bit panels once, converting in
//   registers (exact), with the adapter fused into the store; output panels are split over the threads.
//   This halves the bytes a memory-bound query moves compared with a float32 copy.
// - larger M (long batches): the panels are unpacked (adapter merged, float32, as the official
//   W + s·B·A) into a reused [K, N] scratch and multiplied by ONE Gemm.matmul, where BLAS's blocking wins.
// The weight is never converted to a float32 copy that lives longer than one call.
import CKernels
import COpenBLAS
import Dispatch

public final class PackedLinear: @unchecked Sendable {
    public enum Kind: Int32, Sendable { case f32 = 0, f16 = 1, bf16 = 2 }

    public let outFeatures: Int
    public let inFeatures: Int
    public let kind: Kind
    public let rank: Int
    let panels: UnsafeMutableRawPointer
    let panelCount: Int
    let bias: [Float]?
    let loraA: [Float]        // [rank, in]
    let loraBT: [Float]       // [rank, out] = (s·B)ᵀ

    /// Bytes held by the packed weight.
    public var packedBytes: Int { cs_packed_bytes(outFeatures, inFeatures, kind.rawValue) }

    /// Packs `weight` ([out, in] row-major in `kind`, any alignment). `loraA` is [rank, in], `loraB` is
    /// [out, rank] already multiplied by the adapter scale (both empty without an adapter).
    public init(weight: UnsafeRawPointer, kind: Kind, outFeatures: Int, inFeatures: Int, bias: [Float]?,
                loraA: [Float] = [], loraB: [Float] = [], rank: Int = 0) {
        precondition(loraA.count == rank * inFeatures && loraB.count == outFeatures * rank, "adapter shapes")
        self.outFeatures = outFeatures
        self.inFeatures = inFeatures
        self.kind = kind
        self.rank = rank
        self.bias = bias
        self.loraA = loraA
        var bt = [Float](repeating: 0, count: rank * outFeatures)
        for n in 0..<outFeatures { for j in 0..<rank { bt[j * outFeatures + n] = loraB[n * rank + j] } }
        loraBT = bt
        panelCount = (outFeatures + 15) / 16
        let bytes = max(64, cs_packed_bytes(outFeatures, inFeatures, kind.rawValue))
        panels = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        let panelsPtr = panels
        RowSplit.run(rows: panelCount, work: outFeatures * inFeatures) { r in
            cs_pack_panels(weight, kind.rawValue, outFeatures, inFeatures, r.lowerBound, r.upperBound, panelsPtr)
        }
    }

    deinit { panels.deallocate() }

    /// Up to this many rows the streaming kernel is used; above, unpack + one sgemm. Measured with
    /// `clipscope bench gemm` (docs/perf.md): at 327 rows (the 32-caption batch) streaming is as fast or
    /// faster on all four text shapes (fc1 1024→4096: 13.3–13.7 vs 16.7–19.7 ms); at 448 and more the
    /// unpacked sgemm wins on K = 4096 and on 1024 → 1024. Task-local, so a test that pins it (to force
    /// the unpacked path) cannot change the path of forwards other tasks run meanwhile.
    @TaskLocal public static var smallRowLimit = 384

    /// Y = X·Wᵀ + b (+ adapter term). x rows at stride ldx (default K), y rows at stride ldy (default N).
    public func apply(_ x: UnsafePointer<Float>, rows m: Int, ldx: Int? = nil, into y: UnsafeMutablePointer<Float>,
                      ldy: Int? = nil, workspace ws: Workspace, path: Path = .automatic) {
        let ldx = ldx ?? inFeatures, ldy = ldy ?? outFeatures
        guard m > 0, outFeatures > 0 else { return }
        let small = path == .streamed || (path == .automatic && m <= Self.smallRowLimit)
        if small { streamed(x, m, ldx, y, ldy, ws) } else { unpacked(x, m, ldx, y, ldy, ws) }
    }

    /// Which path `apply` takes: by row count, or forced (tests and `bench gemm`).
    public enum Path: Sendable { case automatic, streamed, unpacked }

    private func streamed(_ x: UnsafePointer<Float>, _ m: Int, _ ldx: Int, _ y: UnsafeMutablePointer<Float>, _ ldy: Int,
                          _ ws: Workspace) {
        let t = ws.lowRank.reserve(max(1, m * rank))
        if rank > 0 {
            loraA.withUnsafeBufferPointer { cs_lowrank_down(x, ldx, m, inFeatures, $0.baseAddress!, rank, t) }
        }
        let parts = max(1, min(RowSplit.threads, panelCount / 8))
        // Chunks of whole panel pairs so the kernel's 2-panel tiles line up.
        let pairs = (panelCount + 1) / 2, chunk = (pairs + parts - 1) / parts * 2
        withPointers { bias, bt in
            let r = rank > 0 ? rank : 0
            let tp: UnsafePointer<Float>? = rank > 0 ? UnsafePointer(t) : nil
            if parts == 1 {
                cs_packed_gemm(x, ldx, m, inFeatures, panels, kind.rawValue, outFeatures, 0, panelCount, bias, tp, r, bt, y, ldy)
                return
            }
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                let p0 = p * chunk, p1 = min(panelCount, p0 + chunk)
                if p0 < p1 {
                    cs_packed_gemm(x, ldx, m, inFeatures, panels, kind.rawValue, outFeatures, p0, p1, bias, tp, r, bt, y, ldy)
                }
            }
        }
    }

    private func unpacked(_ x: UnsafePointer<Float>, _ m: Int, _ ldx: Int, _ y: UnsafeMutablePointer<Float>, _ ldy: Int,
                          _ ws: Workspace) {
        let k = inFeatures, n = outFeatures
        let wT = ws.weight.reserve(k * n)
        unpack(into: wT)
        var beta: Float = 0
        if let bias {
            Gemm.broadcastRows(bias, count: n, rows: m, into: y, ld: ldy)
            beta = 1
        }
        Gemm.matmul(x, lda: ldx, wT, ldb: n, into: y, ldc: ldy, m: m, n: n, k: k, beta: beta)
    }

    /// The float32 (W + s·B·A)ᵀ, [K, N] row-major (for tests and the large-M path).
    public func unpack(into wT: UnsafeMutablePointer<Float>) {
        let k = inFeatures, n = outFeatures
        withPointers { _, bt in
            loraA.withUnsafeBufferPointer { a in
                let ap = rank > 0 ? a.baseAddress : nil
                RowSplit.run(rows: panelCount, work: k * n) { r in
                    cs_unpack_panels(panels, kind.rawValue, n, k, r.lowerBound, r.upperBound, ap, rank, bt, wT, n)
                }
            }
        }
    }

    private func withPointers<R>(_ body: (UnsafePointer<Float>?, UnsafePointer<Float>?) -> R) -> R {
        let b = bias ?? []
        return b.withUnsafeBufferPointer { bp in
            loraBT.withUnsafeBufferPointer { btp in
                body(bias == nil ? nil : bp.baseAddress, rank > 0 ? btp.baseAddress : nil)
            }
        }
    }

    /// Per-forward scratch reused across calls (grown to the largest use): the float32 [K, N] weight of
    /// the large-M path and the [M, r] adapter intermediate.
    public final class Workspace: @unchecked Sendable {
        let weight = ScratchBuffer(), lowRank = ScratchBuffer()
        public init() {}
    }
}
