// The float32 vision projections run through oneDNN where the backend table picks it, held only there
// (the [Float] copies are dropped), and give the OpenBLAS path's embeddings within float32 summation
// noise; the tiny fixture's PyTorch reference is met by both (featuresAndEmbeddings runs the default).
import Foundation
@testable import ClipModel
import Kernels
import SafeTensors
import Testing
import TestSupport

@Suite struct VisionGemmBackendTests {
    @Test func oneDNNAndOpenBLASAgreeAndOnlyOneCopyIsHeld() throws {
        let pixels = try Tiny.pixels
        let dnnl = try ClipEmbedder.load(directory: Fixtures.tiny, threads: 2, gemm: .onednn)
        let blas = try ClipEmbedder.load(directory: Fixtures.tiny, threads: 2, gemm: .openblas)
        #expect(dnnl.visionGemm?.backend == .onednn && blas.visionGemm?.backend == .openblas)
        #expect(dnnl.visionGemm?.implementations.allSatisfy { !$0.isEmpty && !$0.hasPrefix("ref") } == true,
                "\(dnnl.visionGemm?.implementations ?? [])")
        let a = try dnnl.embed(pixelValues: pixels, count: 4), b = try blas.embed(pixelValues: pixels, count: 4)
        #expect(maxDiff(a, b) <= 1e-5, "oneDNN vs OpenBLAS: \(maxDiff(a, b))")
        let reference = try Tiny.rows("image_embeddings.npy")
        #expect(maxDiff(a, reference) <= 1e-5, "oneDNN vs PyTorch: \(maxDiff(a, reference))")
        let held = try VisionWeights(store: WeightStore(file: SafeTensorsFile(url: Fixtures.tiny("model.safetensors"))),
                                     config: dnnl.config.vision, gemm: .onednn, threads: 1)
        #expect(held.onednn != nil && held.patch.isEmpty && held.blocks.allSatisfy { $0.qkv.isEmpty && $0.gateUp.isEmpty && $0.down.isEmpty && $0.proj.isEmpty })
    }

    @Test func theTableDecidesTheDefault() throws {
        let model = try ClipEmbedder.load(directory: Fixtures.tiny, threads: 2)
        let want = GemmBackend.backend(for: .qkv, threads: 2)
        #expect(model.visionGemm?.backend == want)
        #expect(want == (DnnlLinear.hasAVX512 ? .onednn : .openblas))
    }
}
