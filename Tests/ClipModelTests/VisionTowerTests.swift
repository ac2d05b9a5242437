// Vision tower against the official outputs of the tiny fixture: per-block hidden states of image 0,
// raw CLS features, normalized / truncated embeddings, BF16 checkpoint, and the JPEG's pixel values.
import ClipModel
import Foundation
import Testing
import TestSupport

@Suite struct VisionTowerTests {
    @Test(arguments: ["f16", "f32"]) func hiddenStatesPerBlock(dtype: String) throws {
        let expected = try Tiny.npy("image_0_hidden_states.npy")      // [4, 17, 64]
        let pix = try Tiny.npy("image_0_pixel_values.npy").floats
        let rec = TraceRecorder()
        _ = try Tiny.model(dtype).imageFeatures(pixelValues: pix, count: 1, trace: rec.trace)
        let names = ["vision.embed", "vision.block.0", "vision.block.1", "vision.norm"]
        #expect(rec.names == names)
        let per = 17 * 64
        for (i, name) in names.enumerated() {
            let (values, shape) = try #require(rec.get(name))
            #expect(shape == [1, 17, 64])
            let want = Array(expected.floats[(i * per)..<((i + 1) * per)])
            #expect(maxAbsDiff(values, want) <= 1e-4, "\(name): \(maxAbsDiff(values, want))")
        }
    }

    @Test(arguments: ["f16", "f32"]) func featuresAndEmbeddings(dtype: String) throws {
        let m = Tiny.model(dtype)
        let pix = try Tiny.pixels
        let raw = try m.imageFeatures(pixelValues: pix, count: 4)
        #expect(maxDiff(raw, try Tiny.rows("image_raw_features.npy")) <= 2e-5)
        for (dims, file) in [(nil, "image_embeddings.npy"), (16, "image_embeddings_trunc16.npy"), (32, "image_embeddings_trunc32.npy")] as [(Int?, String)] {
            let e = try m.embed(pixelValues: pix, count: 4, dims: dims)
            let want = try Tiny.rows(file)
            #expect(maxDiff(e, want) <= 1e-5, "\(file): \(maxDiff(e, want))")
        }
    }

    @Test func bf16ImageEmbeddings() throws {
        let e = try Tiny.bf16.embed(pixelValues: try Tiny.pixels, count: 4)
        #expect(maxDiff(e, try Tiny.rows("bf16_image_embeddings.npy")) <= 1e-5)
    }

    @Test func jpegPixelValuesToEmbedding() throws {
        let pix = try Tiny.npy("jpeg_pixel_values.npy").floats
        let e = try Tiny.f16.embed(pixelValues: pix, count: 1)
        #expect(maxDiff(e, try Tiny.rows("jpeg_embedding.npy")) <= 1e-5)
    }

    @Test func batchEqualsSingles() throws {
        let pix = try Tiny.pixels
        let batch = try Tiny.f16.embed(pixelValues: pix, count: 4)
        let n = 3 * 60 * 60
        for i in 0..<4 {
            let one = try Tiny.f16.embed(pixelValues: Array(pix[(i * n)..<((i + 1) * n)]), count: 1)
            #expect(maxAbsDiff(one[0], batch[i]) <= 1e-6)
        }
    }

    @Test func refusesWrongPixelCount() {
        #expect(throws: ClipModelError.self) { try Tiny.f16.embed(pixelValues: [Float](repeating: 0, count: 100), count: 1) }
        #expect(throws: ClipModelError.self) { try Tiny.f16.embed(pixelValues: [Float](repeating: 0, count: 3 * 60 * 60), count: 2) }
    }
}
