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
                                     config: dnnl.config.vision, gemm: { _ in .onednn }, threads: 1)
        #expect(held.onednn != nil && held.patch.isEmpty && held.blocks.allSatisfy { $0.qkv.isEmpty && $0.gateUp.isEmpty && $0.down.isEmpty && $0.proj.isEmpty })
    }

    /// A table that gives some projections to each library: those keep their [Float] weight, the others
    /// do not, and the tower's features are within float32 noise of both single-library towers.
    @Test func mixedTableRunsEachProjectionThroughItsLibrary() throws {
        let file = try SafeTensorsFile(url: Fixtures.tiny("model.safetensors"))
        let config = try ModelConfig.load(directory: Fixtures.tiny).vision
        func tower(_ gemm: @escaping (GemmBackend.Projection) -> GemmBackend) throws -> (VisionWeights, [[Float]]) {
            let w = try VisionWeights(store: WeightStore(file: file), config: config, gemm: gemm, threads: 2)
            let pixels = try Tiny.pixels
            let f = try pixels.withUnsafeBufferPointer { try VisionTower(config: config, weights: w).forward(pixels: $0.baseAddress!, count: 4, trace: nil) }
            return (w, f)
        }
        let (mixed, m) = try tower { [.gateUp, .patchEmbed].contains($0) ? .openblas : .onednn }
        #expect(!mixed.patch.isEmpty && mixed.blocks.allSatisfy { !$0.gateUp.isEmpty && $0.qkv.isEmpty && $0.proj.isEmpty && $0.down.isEmpty })
        #expect(mixed.onednn?.patch == nil && mixed.onednn?.blocks.allSatisfy { $0.gateUp == nil && $0.qkv != nil } == true)
        let (_, a) = try tower { _ in .onednn }, (_, b) = try tower { _ in .openblas }
        #expect(maxDiff(m, a) <= 1e-5 && maxDiff(m, b) <= 1e-5, "\(maxDiff(m, a)) \(maxDiff(m, b))")
    }

    @Test func theTableDecidesTheDefault() throws {
        let model = try ClipEmbedder.load(directory: Fixtures.tiny, threads: 2)
        let want = GemmBackend.backend(for: .qkv)
        #expect(model.visionGemm?.backend == want)
        #expect(want == (DnnlLinear.hasAVX512 ? .onednn : .openblas))
    }
}
