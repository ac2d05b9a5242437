// PackedLinear (16-bit panels streamed, or unpacked into one sgemm) against the naive twin with the
// adapter merged in Double: every element kind, both paths, every SIMD level, awkward sizes (N not a
// multiple of 16, K odd, row counts around the 14-row tile), strided inputs/outputs.
import CKernels
import Foundation
@testable import Kernels
import Testing

@Suite struct PackedLinearTests {
    /// Stored bits of `values` in `kind`, and the values those bits decode to.
    static func encode(_ values: [Float], _ kind: PackedLinear.Kind) -> (bytes: [UInt8], decoded: [Float]) {
        switch kind {
        case .f32:
            return (values.withUnsafeBytes { Array($0) }, values)
        case .f16:
            let h = values.map { Float16($0) }
            return (h.map(\.bitPattern).withUnsafeBytes { Array($0) }, h.map { Float($0) })
        case .bf16:
            let b = values.map { UInt16($0.bitPattern >> 16) }      // truncation: any BF16 value will do
            return (b.withUnsafeBytes { Array($0) }, b.map { Float(bitPattern: UInt32($0) << 16) })
        }
    }

    /// Reference with W' = W + B·A (B [N, r] scaled, A [r, K]) in Double.
    static func reference(_ x: [Float], rows: Int, k: Int, w: [Float], n: Int, bias: [Float]?, a: [Float], b: [Float], r: Int) -> [Float] {
        var merged = w
        if r > 0 {
            for o in 0..<n { for i in 0..<k {
                var s = Double(w[o * k + i])
                for j in 0..<r { s += Double(b[o * r + j]) * Double(a[j * k + i]) }
                merged[o * k + i] = Float(s)
            } }
        }
        return Reference.linear(x, rows: rows, inFeatures: k, weight: merged, outFeatures: n, bias: bias)
    }

    static let shapes: [(k: Int, n: Int)] = [(13, 9), (64, 130), (37, 3), (16, 32), (1024, 67), (40, 48)]

    @Test(arguments: [PackedLinear.Kind.f32, .f16, .bf16])
    func bothPathsMatchTheTwinOnEverySIMDLevel(kind: PackedLinear.Kind) {
        var g = SeededValues(UInt64(17 + kind.rawValue))
        // Forced SIMD levels are per thread: pin one compute thread for this test's calls.
        RowSplit.$pinnedThreads.withValue(1) {
        for (k, n) in Self.shapes {
            for rank in [0, 4] {
                let (bytes, w) = Self.encode(g.array(n * k), kind)
                let a = g.array(rank * k), b = g.array(n * rank, -0.1, 0.1), bias = g.array(n)
                let lin = bytes.withUnsafeBytes {
                    PackedLinear(weight: $0.baseAddress!, kind: kind, outFeatures: n, inFeatures: k, bias: bias, loraA: a, loraB: b, rank: rank)
                }
                let ws = PackedLinear.Workspace()
                for rows in [1, 2, 13, 14, 15, 29, 70] {
                    let x = g.array(rows * k)
                    let ref = Self.reference(x, rows: rows, k: k, w: w, n: n, bias: bias, a: a, b: b, r: rank)
                    for mode: Int32 in [0, 2, 1] {                        // best SIMD, AVX2 only, scalar
                        for path in [PackedLinear.Path.streamed, .unpacked] {
                            var y = [Float](repeating: .nan, count: rows * n)
                            cs_force_scalar(mode)
                            y.withUnsafeMutableBufferPointer { lin.apply(x, rows: rows, into: $0.baseAddress!, workspace: ws, path: path) }
                            cs_force_scalar(0)
                            #expect(relClose(y, ref, rel: 1e-5, abs: 3e-5), "\(kind) mode \(mode) \(path) \(rows)×\(k)→\(n) rank \(rank)")
                        }
                    }
                }
            }
        }
        }
    }

    @Test func threadsStridesAndNoBias() {
        var g = SeededValues(99)
        RowSplit.$pinnedThreads.withValue(2) {
        for (k, n) in [(64, 130), (1024, 300), (96, 1024)] {
            let (bytes, w) = Self.encode(g.array(n * k), .f16)
            let a = g.array(4 * k), b = g.array(n * 4, -0.1, 0.1)
            let lin = bytes.withUnsafeBytes {
                PackedLinear(weight: $0.baseAddress!, kind: .f16, outFeatures: n, inFeatures: k, bias: nil, loraA: a, loraB: b, rank: 4)
            }
            let ws = PackedLinear.Workspace()
            for rows in [1, 13, 33, 100] {
                let x = g.array(rows * k)
                let ref = Self.reference(x, rows: rows, k: k, w: w, n: n, bias: nil, a: a, b: b, r: 4)
                let ldx = k + 5, ldy = n + 3
                var xs = [Float](repeating: 9, count: rows * ldx)
                for t in 0..<rows { for i in 0..<k { xs[t * ldx + i] = x[t * k + i] } }
                for path in [PackedLinear.Path.streamed, .unpacked, .automatic] {
                    var ys = [Float](repeating: 42, count: rows * ldy + 1)
                    ys.withUnsafeMutableBufferPointer {
                        lin.apply(xs, rows: rows, ldx: ldx, into: $0.baseAddress! + 1, ldy: ldy, workspace: ws, path: path)
                    }
                    for t in 0..<rows {
                        #expect(ys[t * ldy] == 42 && ys[t * ldy + n + 1] == 42, "\(path): columns outside the block untouched")
                        #expect(relClose(Array(ys[(t * ldy + 1)..<(t * ldy + 1 + n)]), Array(ref[(t * n)..<((t + 1) * n)]), rel: 1e-5, abs: 3e-5),
                                "\(path) \(rows)×\(k)→\(n)")
                    }
                }
            }
        }
        }
    }

    /// 16-bit → float32 is exact, so unpacking a weight without an adapter gives back exactly Wᵀ.
    @Test(arguments: [PackedLinear.Kind.f32, .f16, .bf16]) func unpackIsTheExactTranspose(kind: PackedLinear.Kind) {
        var g = SeededValues(5)
        let k = 70, n = 37
        let (bytes, w) = Self.encode(g.array(n * k), kind)
        let lin = bytes.withUnsafeBytes { PackedLinear(weight: $0.baseAddress!, kind: kind, outFeatures: n, inFeatures: k, bias: nil) }
        var wT = [Float](repeating: .nan, count: k * n)
        wT.withUnsafeMutableBufferPointer { lin.unpack(into: $0.baseAddress!) }
        var exact = true
        for o in 0..<n { for i in 0..<k where wT[i * n + o] != w[o * k + i] { exact = false } }
        #expect(exact)
        #expect(lin.packedBytes == 3 * 16 * k * (kind == .f32 ? 4 : 2))
    }

    /// An unaligned 16-bit source (safetensors data need not be aligned) packs the same.
    @Test func unalignedSource() {
        var g = SeededValues(8)
        let k = 33, n = 20
        let (bytes, w) = Self.encode(g.array(n * k), .f16)
        let shifted = [UInt8](repeating: 0, count: 1) + bytes
        let lin = shifted.withUnsafeBytes { PackedLinear(weight: $0.baseAddress! + 1, kind: .f16, outFeatures: n, inFeatures: k, bias: nil) }
        var wT = [Float](repeating: .nan, count: k * n)
        wT.withUnsafeMutableBufferPointer { lin.unpack(into: $0.baseAddress!) }
        #expect((0..<n).allSatisfy { o in (0..<k).allSatisfy { i in wT[i * n + o] == w[o * k + i] } })
    }
}
