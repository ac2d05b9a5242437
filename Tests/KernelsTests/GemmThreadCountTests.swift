// Gemm gives bit-identical products for every OpenBLAS thread count (Gemm.swift's header: OpenBLAS splits
// M and N over threads, never K, and Gemm cuts K into chunks OpenBLAS does not block further), so the
// towers' GEMMs need no pinning for vectors to be independent of the thread count. Shapes large enough
// for OpenBLAS to use its threads (above its 4·65536 multiply-add threshold), with row counts that leave
// remainders of the micro-kernel, and inner sizes that OpenBLAS 0.3.21 alone sums differently on one
// thread and on several (K = 322 and 588, the patch embedding 3·14·14, on Cooperlake whose Q is 320;
// 2730 = EVA02-L's SwiGLU hidden width; 1024 = the towers' width), through both entry points.
// The count is process-wide and other suites' GEMMs run meanwhile: they only ever see another count,
// which by this very property does not change their results; it is restored to all cores at the end.
import Foundation
@testable import Kernels
import Testing
import TestSupport

@Suite(.serialized) struct GemmThreadCountTests {
    @Test func sgemmIsBitIdenticalForEveryOpenBLASThreadCount() {
        defer { Gemm.setThreads(ProcessInfo.processInfo.activeProcessorCount) }
        var g = SeededValues(2026)
        for (m, k, n) in [(131, 200, 96), (327, 64, 257), (45, 512, 130), (300, 322, 200), (257, 588, 64),
                          (97, 2730, 80), (130, 1024, 96)] {
            let x = g.array(m * k, -2, 2), w = g.array(n * k, -0.5, 0.5), bias = g.array(n)
            func product(_ threads: Int) -> [Float] {
                Gemm.setThreads(threads)
                var y = [Float](repeating: .nan, count: m * n)
                y.withUnsafeMutableBufferPointer {
                    Gemm.linear(x, rows: m, inFeatures: k, weight: w, outFeatures: n, bias: bias, into: $0.baseAddress!)
                }
                return y
            }
            let one = product(1)
            #expect(!one.contains { !$0.isFinite })
            for threads in [2, 3, 4, 8, 16] {
                #expect(product(threads) == one, "\(m)×\(k)·\(k)×\(n) with \(threads) OpenBLAS threads")
            }
        }
    }
}
