// The bundled demo model (Assets/models/demo, plain merged layout, F16) must give the embeddings of
// the PyTorch model it was trained as (Tests/Fixtures/demo/expected.json, from Tools/demo-model/export.py):
// ids exact, normalized embeddings ≤ 1e-5, raw features ≤ 1e-4. Images go through our own decoder
// and Pillow-exact preprocessing, so this checks the whole path a user's query and folder take.
import ClipModel
import Foundation
import Imaging
import Testing
import TestSupport

@Suite struct DemoModelConformanceTests {
    struct Expected: Decodable {
        struct Text: Decodable {
            var text: String; var task: String?; var input_ids: [Int32]
            var embedding: [Float]; var embedding_trunc16: [Float]; var raw_features: [Float]
        }
        struct Image: Decodable {
            var file: String; var embedding: [Float]; var embedding_trunc16: [Float]; var raw_features: [Float]
        }
        var texts: [Text]
        var images: [Image]
    }

    static let repoRoot = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent()
    static let expected = Result {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: Fixtures.url("demo/expected.json")))
    }
    static let model = Result {
        try ClipEmbedder.load(directory: repoRoot.appendingPathComponent("Assets/models/demo"))
    }

    @Test func textIdsAndEmbeddingsMatchPyTorch() throws {
        let m = try Self.model.get(), e = try Self.expected.get()
        #expect(e.texts.count >= 5)
        for t in e.texts {
            let asQuery = t.task == "retrieval.query"
            let ids = try m.tokenize([t.text], asQuery: asQuery)[0]
            #expect(ids == t.input_ids, "ids of \(t.text)")
            let full = try m.embed(texts: [t.text], asQuery: asQuery)[0]
            let d16 = try m.embed(texts: [t.text], dims: 16, asQuery: asQuery)[0]
            let raw = try m.textFeatures(tokenIDs: [ids])[0]
            #expect(maxAbsDiff(full, t.embedding) <= 1e-5, "embedding of \(t.text): \(maxAbsDiff(full, t.embedding))")
            #expect(maxAbsDiff(d16, t.embedding_trunc16) <= 1e-5, "trunc16 of \(t.text)")
            #expect(maxAbsDiff(raw, t.raw_features) <= 1e-4, "raw features of \(t.text)")
        }
    }

    @Test func imageEmbeddingsMatchPyTorch() throws {
        let m = try Self.model.get(), e = try Self.expected.get()
        #expect(!e.images.isEmpty)
        for img in e.images {
            let decoded = try ImageDecoder.decode(fileAt: Self.repoRoot.appendingPathComponent(img.file))
            let pixels = m.config.preprocessor.pixelValues(for: decoded.image)
            let full = try m.embed(pixelValues: pixels, count: 1)[0]
            let d16 = try m.embed(pixelValues: pixels, count: 1, dims: 16)[0]
            let raw = try m.imageFeatures(pixelValues: pixels, count: 1)[0]
            #expect(maxAbsDiff(full, img.embedding) <= 1e-5, "embedding of \(img.file): \(maxAbsDiff(full, img.embedding))")
            #expect(maxAbsDiff(d16, img.embedding_trunc16) <= 1e-5, "trunc16 of \(img.file)")
            #expect(maxAbsDiff(raw, img.raw_features) <= 1e-4, "raw features of \(img.file)")
        }
    }
}

/// Text and image forwards run concurrently (separate tower locks, shared read-only weights):
/// results must equal the serial ones exactly.
@Suite struct ConcurrentTowersTests {
    @Test func textAndImageForwardsInParallelEqualSerial() throws {
        let m = try ClipEmbedder.load(directory: Fixtures.tiny)
        let ids = try NPY.load(Fixtures.tiny("text_0_input_ids.npy")).ints
        let pixels = try NPY.load(Fixtures.tiny("image_0_pixel_values.npy")).floats
        let text = try m.embed(tokenIDs: [ids])[0]
        let image = try m.embed(pixelValues: pixels, count: 1)[0]
        let lock = NSLock()
        var mismatches = 0
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            let same: Bool
            if i % 2 == 0 { same = (try? m.embed(tokenIDs: [ids])[0]) == text }
            else { same = (try? m.embed(pixelValues: pixels, count: 1)[0]) == image }
            if !same { lock.lock(); mismatches += 1; lock.unlock() }
        }
        #expect(mismatches == 0)
    }
}
