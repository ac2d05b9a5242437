// `clipscope bench gemm`: the text tower's projection shapes through both paths of PackedLinear
// (streamed 16-bit panels vs unpack + one sgemm) and through plain sgemm on a float32 copy (how the
// weights were used before), for a range of row counts M. Random F16 weights with a rank-4 adapter.
// Chooses PackedLinear.smallRowLimit from data; numbers go to docs/perf.md.
// `--vision`: the vision tower's five float32 projections at jina-clip-v2's shapes (one image: M = 1297
// tokens, 1296 patches) through OpenBLAS (`Gemm.linear`) and oneDNN (`DnnlLinear`), interleaved shape by
// shape, best of R each, and the `GemmBackend.table` rows the faster library gives at this thread count.
import Foundation
import Kernels

enum GemmBench {
    struct Row { var m: Int; var k: Int; var n: Int; var streamedMs: Double; var unpackedMs: Double; var sgemmMs: Double }

    static func run(rowCounts: [Int] = [1, 4, 13, 24, 32, 48, 64, 96, 128, 192, 256, 327, 448, 608],
                    shapes: [(k: Int, n: Int)] = [(1024, 3072), (1024, 1024), (1024, 4096), (4096, 1024)],
                    repeats: Int = 5) -> [Row] {
        var rows: [Row] = []
        var rng = SplitMix(seed: 7)
        for (k, n) in shapes {
            var w16 = [UInt16](repeating: 0, count: n * k)
            var w32 = [Float](repeating: 0, count: n * k)
            for i in 0..<(n * k) {
                let v = Float16(Float(rng.next() % 2001) / 1000 - 1) * 0.05
                w16[i] = v.bitPattern
                w32[i] = Float(v)
            }
            let a = (0..<(4 * k)).map { _ in Float(rng.next() % 2001) / 1000 - 1 }
            let b = (0..<(n * 4)).map { _ in Float(rng.next() % 2001) / 100000 - 0.01 }
            let bias = (0..<n).map { _ in Float(rng.next() % 2001) / 1000 - 1 }
            let lin = w16.withUnsafeBytes {
                PackedLinear(weight: $0.baseAddress!, kind: .f16, outFeatures: n, inFeatures: k, bias: bias, loraA: a, loraB: b, rank: 4)
            }
            let ws = PackedLinear.Workspace()
            let maxM = rowCounts.max() ?? 1
            let x = (0..<(maxM * k)).map { _ in Float(rng.next() % 2001) / 1000 - 1 }
            var y = [Float](repeating: 0, count: maxM * n)
            for m in rowCounts {
                func time(_ body: () -> Void) -> Double { BenchSupport.bestMs(repeats: repeats, body) }
                let s = time { x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                    lin.apply(xp.baseAddress!, rows: m, into: yp.baseAddress!, workspace: ws, path: .streamed) } } }
                let u = time { x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                    lin.apply(xp.baseAddress!, rows: m, into: yp.baseAddress!, workspace: ws, path: .unpacked) } } }
                let g = time { x.withUnsafeBufferPointer { xp in w32.withUnsafeBufferPointer { wp in y.withUnsafeMutableBufferPointer { yp in
                    Gemm.matmul(xp.baseAddress!, lda: k, wp.baseAddress!, transB: true, ldb: k, into: yp.baseAddress!, ldc: n,
                                m: m, n: n, k: k) } } } }
                rows.append(Row(m: m, k: k, n: n, streamedMs: s, unpackedMs: u, sgemmMs: g))
            }
        }
        return rows
    }

    static func table(_ rows: [Row]) -> String {
        var out = "    M     K     N   streamed ms (GFLOPS)   unpack+sgemm ms (GFLOPS)   f32 sgemm ms (GFLOPS)\n"
        for r in rows {
            let f = 2 * Double(r.m * r.k * r.n) / 1e6
            out += String(format: "%5d %5d %5d   %8.3f (%6.1f)        %8.3f (%6.1f)            %8.3f (%6.1f)\n",
                          r.m, r.k, r.n, r.streamedMs, f / r.streamedMs, r.unpackedMs, f / r.unpackedMs, r.sgemmMs, f / r.sgemmMs)
        }
        return out
    }

    struct VisionRow { var projection: GemmBackend.Projection; var m, k, n: Int; var openblasMs, onednnMs: Double }

    /// jina-clip-v2's vision projections: (projection, M, K, N) for one 512² image.
    static let visionShapes: [(GemmBackend.Projection, Int, Int, Int)] = [
        (.patchEmbed, 1296, 588, 1024), (.qkv, 1297, 1024, 3072), (.proj, 1297, 1024, 1024),
        (.gateUp, 1297, 1024, 5460), (.down, 1297, 2730, 1024),
    ]

    static func runVision(threads: Int, repeats: Int) throws -> [VisionRow] {
        var rng = SplitMix(seed: 11)
        func values(_ n: Int, _ scale: Float) -> [Float] { (0..<n).map { _ in (Float(rng.next() % 2001) / 1000 - 1) * scale } }
        var rows: [VisionRow] = []
        let scratch = ScratchBuffer()
        for (projection, m, k, n) in visionShapes {
            let w = values(n * k, 0.05), bias = values(n, 1), x = values(m * k, 1)
            var y = [Float](repeating: 0, count: m * n)
            let dnnl = try DnnlLinear(weight: w, rows: m, outFeatures: n, inFeatures: k, bias: bias, threads: threads)
            var blas = Double.infinity, onednn = Double.infinity
            var failure: Error?
            // Interleaved: one timed run of each library per round (bestMs warms each up first).
            for _ in 0..<repeats {
                let b = BenchSupport.bestMs(repeats: 1) {
                    x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in y.withUnsafeMutableBufferPointer { yp in
                        Gemm.linear(xp.baseAddress!, rows: m, inFeatures: k, weight: wp.baseAddress!, outFeatures: n,
                                    bias: bias, into: yp.baseAddress!)
                    } } }
                }
                let d = BenchSupport.bestMs(repeats: 1) {
                    x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                        do { try dnnl.apply(xp.baseAddress!, count: m, into: yp.baseAddress!, scratch: scratch, threads: threads) } catch {
                            failure = error
                        }
                    } }
                }
                if let failure { throw failure }
                blas = min(blas, b)
                onednn = min(onednn, d)
            }
            rows.append(VisionRow(projection: projection, m: m, k: k, n: n, openblasMs: blas, onednnMs: onednn))
        }
        return rows
    }

    static func visionTable(_ rows: [VisionRow], threads: Int) -> String {
        var out = "projection     M     K     N   OpenBLAS ms (GFLOPS)   oneDNN ms (GFLOPS)   \(threads) thread(s), oneDNN \(DnnlLinear.version)\n"
        for r in rows {
            let f = 2 * Double(r.m * r.k * r.n) / 1e6
            out += r.projection.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)
                + String(format: " %5d %5d %5d   %9.2f (%6.1f)     %9.2f (%6.1f)\n",
                         r.m, r.k, r.n, r.openblasMs, f / r.openblasMs, r.onednnMs, f / r.onednnMs)
        }
        out += "\nGemmBackend.table rows these figures give (OpenBLAS where it is ≥ 3 % faster; one row per projection for\n"
             + "every thread count, since a per-count choice would make vectors depend on the thread count):\n"
        for r in rows {
            let winner: GemmBackend = r.openblasMs * 1.03 <= r.onednnMs ? .openblas : .onednn
            out += "    .\(r.projection): .\(winner.rawValue),\n"
        }
        return out
    }
}
