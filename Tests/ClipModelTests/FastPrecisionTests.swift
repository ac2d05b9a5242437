// Precision `fast` on the tiny fixture model: the vision GEMMs run on bfloat16 operands (FastLinear)
// where the CPU has AVX512-BF16, and every image embedding keeps cosine ≥ 0.999 to the exact one and
// to the PyTorch float32 reference (image_embeddings.npy), within a documented max |Δ| ≤ 0.02 per
// component. Text embeddings are untouched (the text tower stays float32). Without AVX512-BF16 the
// embedder reports `exact` and its vectors are the exact ones, bit for bit. A fast embedder holds no
// float32 vision projections until a float32 GEMM is needed; then they load from the checkpoint and give
// the exact embedder's vectors bit for bit.
import ClipModel
import Foundation
import Kernels
import Testing
import TestSupport

@Suite struct FastPrecisionTests {
    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var d = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) { d += Double(x) * Double(y); na += Double(x) * Double(x); nb += Double(y) * Double(y) }
        return d / (na * nb).squareRoot()
    }

    @Test(arguments: ["f16", "f32"]) func imageEmbeddingsStayWithinTheGate(dtype: String) throws {
        let weights = dtype == "f32" ? Fixtures.tiny("model.f32.safetensors") : Fixtures.tiny("model.safetensors")
        let fast = try ClipEmbedder.load(directory: Fixtures.tiny, weights: weights, threads: 1, precision: .fast)
        let exact = Tiny.model(dtype)
        #expect(fast.precision == (Precision.fastSupported ? .fast : .exact))
        let pixels = try Tiny.pixels
        let got = try fast.embed(pixelValues: pixels, count: 4)
        let base = try exact.embed(pixelValues: pixels, count: 4)
        let reference = try Tiny.rows("image_embeddings.npy")
        for i in 0..<4 {
            #expect(Self.cosine(got[i], base[i]) >= 0.999, "\(dtype) image \(i): cosine to exact \(Self.cosine(got[i], base[i]))")
            #expect(Self.cosine(got[i], reference[i]) >= 0.999, "\(dtype) image \(i): cosine to the reference")
        }
        #expect(maxDiff(got, reference) <= 0.02, "\(dtype): max |Δ| \(maxDiff(got, reference))")
        if fast.precision == .fast {
            #expect(got != base, "the fast path ran: bf16 operands change the last bits")
        } else {
            #expect(got == base)
        }
        let ids = try Tiny.textIDs
        #expect(try fast.embed(tokenIDs: ids) == exact.embed(tokenIDs: ids))
    }

    @Test func exactForwardsOfAFastEmbedderLoadTheFloat32WeightsOnce() throws {
        let fast = try ClipEmbedder.load(directory: Fixtures.tiny, threads: 1, precision: .fast)
        let exact = Tiny.model("f16")
        let pixels = try Tiny.pixels
        #expect(fast.holdsFloat32VisionWeights == (fast.precision == .exact))
        _ = try fast.embed(pixelValues: pixels, count: 4)
        #expect(fast.holdsFloat32VisionWeights == (fast.precision == .exact), "fast forwards need no float32 weights")
        #expect(try fast.embed(pixelValues: pixels, count: 4, precision: .exact) == exact.embed(pixelValues: pixels, count: 4))
        #expect(fast.holdsFloat32VisionWeights)
    }

    /// A pixel bfloat16 cannot carry (finite in float32, ±∞ in bfloat16): the range guard sends the GEMMs
    /// to float32, whose weights the fast embedder then loads; the vector is the exact embedder's.
    @Test func rangeGuardFallsBackToTheExactWeights() throws {
        let fast = try ClipEmbedder.load(directory: Fixtures.tiny, threads: 1, precision: .fast)
        try #require(fast.precision == .fast || !Precision.fastSupported)
        let exact = Tiny.model("f16")
        let all = try Tiny.pixels
        var pixels = Array(all[0..<(all.count / 4)])
        pixels[5] = 3.4e38
        let before = FastLinear.fallbacks
        let got = try fast.imageFeatures(pixelValues: pixels, count: 1)[0]
        let base = try exact.imageFeatures(pixelValues: pixels, count: 1)[0]
        #expect(zip(got, base).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) },
                "float32 GEMMs throughout, as the exact embedder")
        if fast.precision == .fast {
            #expect(FastLinear.fallbacks > before)
            #expect(fast.holdsFloat32VisionWeights)
        }
    }
}
