// `clipscope bench gemm`: the text tower's projection shapes through both paths of PackedLinear
// (streamed 16-bit panels vs unpack + one sgemm) and through plain sgemm on a float32 copy (how the
// weights were used before), for a range of row counts M. Random F16 weights with a rank-4 adapter.
// Chooses PackedLinear.smallRowLimit from data; numbers go to docs/perf.md.
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
}
