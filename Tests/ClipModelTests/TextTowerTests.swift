// Text tower against the official outputs of the tiny fixture (tolerances from its README):
// per-layer hidden states, raw features, normalized / truncated / query embeddings, for the F16, F32
// and BF16 encodings of the checkpoint.
import ClipModel
import Kernels
import Foundation
import Testing
import TestSupport

@Suite struct TextTowerTests {
    @Test(arguments: ["f16", "f32"]) func hiddenStatesPerLayer(dtype: String) throws {
        let expected = try Tiny.npy("text_0_hidden_states.npy")     // [3, 14, 64]
        let ids = try Tiny.ids("text_0_input_ids.npy")
        let rec = TraceRecorder()
        let raw = try Tiny.model(dtype).textFeatures(tokenIDs: [ids], trace: rec.trace)
        #expect(rec.names == ["text.embed", "text.layer.0", "text.layer.1", "text.pooled"])
        let per = 14 * 64
        for (i, name) in ["text.embed", "text.layer.0", "text.layer.1"].enumerated() {
            let (values, shape) = try #require(rec.get(name))
            #expect(shape == [1, 14, 64])
            let want = Array(expected.floats[(i * per)..<((i + 1) * per)])
            #expect(maxAbsDiff(values, want) <= 1e-5, "\(name): max diff \(maxAbsDiff(values, want))")
        }
        let alone = try Tiny.rows("text_0_raw_features_alone.npy")
        #expect(maxDiff(raw, alone) <= 1e-5)
        #expect(rec.get("text.pooled")?.1 == [1, 64])
    }

    @Test(arguments: ["f16", "f32"]) func rawFeaturesOfThePaddedBatch(dtype: String) throws {
        let padded = try Tiny.npy("texts_input_ids_padded.npy")      // [6, 32], pad id 1
        let ids = stride(from: 0, to: padded.count, by: 32).map { Array(padded.ints[$0..<($0 + 32)]) }
        let raw = try Tiny.model(dtype).textFeatures(tokenIDs: ids)
        let want = try Tiny.rows("text_raw_features.npy")
        #expect(maxDiff(raw, want) <= 1e-5, "max diff \(maxDiff(raw, want))")
        // Unpadded input (padded internally) gives the same features.
        let unpadded = try Tiny.model(dtype).textFeatures(tokenIDs: try Tiny.textIDs)
        #expect(maxDiff(unpadded, want) <= 1e-5)
    }

    @Test(arguments: ["f16", "f32"]) func normalizedAndTruncatedEmbeddings(dtype: String) throws {
        let m = Tiny.model(dtype)
        let ids = try Tiny.textIDs
        for (dims, file) in [(nil, "text_embeddings.npy"), (16, "text_embeddings_trunc16.npy"), (32, "text_embeddings_trunc32.npy")] as [(Int?, String)] {
            let e = try m.embed(tokenIDs: ids, dims: dims)
            let want = try Tiny.rows(file)
            #expect(maxDiff(e, want) <= 1e-5, "\(file): \(maxDiff(e, want))")
        }
        let q = try m.embed(tokenIDs: try Tiny.queryIDs)
        #expect(maxDiff(q, try Tiny.rows("text_query_embeddings.npy")) <= 1e-5)
    }

    @Test func bf16CheckpointMatchesItsReference() throws {
        let e = try Tiny.bf16.embed(tokenIDs: try Tiny.textIDs)
        let want = try Tiny.rows("bf16_text_embeddings.npy")
        #expect(maxDiff(e, want) <= 1e-5, "\(maxDiff(e, want))")
        // and it is a different model from the F16 one (the test can tell them apart)
        #expect(maxDiff(e, try Tiny.rows("text_embeddings.npy")) > 1e-4)
    }

    @Test func singleSequencesMatchTheBatch() throws {
        let ids = try Tiny.textIDs
        let batch = try Tiny.f16.embed(tokenIDs: ids)
        for (i, seq) in ids.enumerated() {
            let one = try Tiny.f16.embed(tokenIDs: [seq])
            #expect(maxAbsDiff(one[0], batch[i]) <= 1e-6)
        }
    }

    /// The many-rows path of the projections (unpack with the adapter merged + one sgemm) gives the
    /// official features too: forced for every row count here (batches of the fixture are small).
    @Test(arguments: ["f16", "bf16"]) func unpackedProjectionPathMatches(dtype: String) throws {
        let m = dtype == "f16" ? Tiny.f16 : Tiny.bf16
        let e = try PackedLinear.$smallRowLimit.withValue(0) { try m.embed(tokenIDs: try Tiny.textIDs) }
        #expect(try e != m.embed(tokenIDs: try Tiny.textIDs), "the pin took effect: the other path's sums differ in the last bits")
        let want = try Tiny.rows(dtype == "f16" ? "text_embeddings.npy" : "bf16_text_embeddings.npy")
        #expect(maxDiff(e, want) <= 1e-5, "\(maxDiff(e, want))")
    }

    /// Pad ids inside a sequence stay masked keys; trailing ones are dropped without changing a result.
    @Test func trailingPadsAreDroppedInteriorPadsMasked() throws {
        let seq = try Tiny.textIDs[0]
        let plain = try Tiny.f16.embed(tokenIDs: [seq])[0]
        let padded = try Tiny.f16.embed(tokenIDs: [seq + [1, 1, 1, 1, 1]])[0]
        #expect(maxAbsDiff(plain, padded) <= 1e-6)
        let interior = Array(seq[..<2]) + [1, 1] + Array(seq[2...])
        let withInterior = try Tiny.f16.embed(tokenIDs: [interior])[0]
        #expect(maxAbsDiff(plain, withInterior) > 1e-4, "interior pads shift positions, so the result differs")
    }

    @Test func refusesBadInput() throws {
        #expect(try Tiny.f16.embed(tokenIDs: []).isEmpty)
        #expect(throws: ClipModelError.self) { try Tiny.f16.embed(tokenIDs: [[1, 1]]) }
        #expect(throws: ClipModelError.self) { try Tiny.f16.embed(tokenIDs: [[]]) }
        #expect(throws: ClipModelError.self) { try Tiny.f16.embed(tokenIDs: [[0, 9999, 2]]) }
        #expect(throws: ClipModelError.invalidDims(0, width: 64)) { try Tiny.f16.embed(tokenIDs: [[0, 2]], dims: 0) }
        #expect(throws: ClipModelError.invalidDims(65, width: 64)) { try Tiny.f16.embed(tokenIDs: [[0, 2]], dims: 65) }
        #expect(try Tiny.f16.embed(tokenIDs: [[0, 5, 2]], dims: 7)[0].count == 7)
    }
}

/// From strings: the fixture's texts through DIR/tokenizer.json (max_length 32 as in the fixture).
@Suite struct TextFromStringsTests {
    static let texts = [
        "A photo of a blue cat sitting on a red mat.",
        "Ｔｈｅ ﬁnest café in Zürich — Москва, Αθήνα ① x²",
        "一只蓝色的猫坐在红色的垫子上。東京タワー",
        "I ❤️ pizza 🍕🍕 and my family 👨\u{200d}👩\u{200d}👧!",
        "",
        "The quick brown fox jumps over the lazy dog while a beautiful sunset paints the beach in orange and pink; meanwhile un beau coucher de soleil sur la plage attire les touristes, und der Hund läuft über die Straße zum Bahnhof, während die Kinder im Park spielen. El gato azul duerme en la alfombra roja y sueña con peces; синий кот спит на красном ковре, and the story goes on and on for a very long time until the end.",
    ]

    @Test func idsMatchTheFixture() throws {
        #expect(try Tiny.f16.tokenize(Self.texts, maxLength: 32) == Tiny.textIDs)
        #expect(try Tiny.f16.tokenize(Self.texts, asQuery: true, maxLength: 32) == Tiny.queryIDs)
    }

    @Test func embeddingsMatchTheFixture() throws {
        let e = try Tiny.f16.embed(texts: Self.texts, maxLength: 32)
        #expect(maxDiff(e, try Tiny.rows("text_embeddings.npy")) <= 1e-5)
        let q = try Tiny.f16.embed(texts: Self.texts, asQuery: true, maxLength: 32)
        #expect(maxDiff(q, try Tiny.rows("text_query_embeddings.npy")) <= 1e-5)
        let t16 = try Tiny.f16.embed(texts: Self.texts, dims: 16, maxLength: 32)
        #expect(maxDiff(t16, try Tiny.rows("text_embeddings_trunc16.npy")) <= 1e-5)
    }

    @Test func defaultMaxLengthIs512() throws {
        // Text 5 has 140 tokens untruncated: the default keeps them all.
        let ids = try Tiny.f16.tokenize([Self.texts[5]])
        #expect(ids[0] == (try Tiny.ids("text_5_input_ids_untruncated.npy")))
        #expect(throws: ClipModelError.self) { try Tiny.f16.tokenize(["x"], maxLength: 1) }
    }
}

@Suite struct BatchingTests {
    @Test func smallBatchesGiveTheSameResultsInInputOrder() throws {
        let m = try ClipEmbedder.load(directory: Fixtures.tiny, threads: 1)
        m.textBatchSize = 2
        m.imageBatchSize = 3
        let ids = try Tiny.textIDs
        #expect(maxDiff(try m.embed(tokenIDs: ids), try Tiny.rows("text_embeddings.npy")) <= 1e-5)
        #expect(maxDiff(try m.embed(pixelValues: try Tiny.pixels, count: 4), try Tiny.rows("image_embeddings.npy")) <= 1e-5)
    }
}
