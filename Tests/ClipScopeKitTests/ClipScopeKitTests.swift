// ClipScopeKit through its product only (plain `import ClipScopeKit`): the encoder against the official
// outputs of the tiny conformance fixture (Tests/Fixtures/jina-clip-v2-tiny, tolerance 1e-5 as its
// README states), HF-cache resolution, the tokenizer, the index, the Matryoshka helpers, the errors, and
// the bundled demo model ranking its own demo pictures.
import ClipScopeKit
import Foundation
import TestSupport
import XCTest

final class ClipScopeKitTests: XCTestCase {
    static let texts = [
        "A photo of a blue cat sitting on a red mat.",
        "Ｔｈｅ ﬁnest café in Zürich — Москва, Αθήνα ① x²",
        "一只蓝色的猫坐在红色的垫子上。東京タワー",
        "I ❤️ pizza 🍕🍕 and my family 👨‍👩‍👧!",
        "",
    ]   // texts 0–4 of the fixture (text 5 is cut at 32 tokens there, 512 here)
    static let text5 = "The quick brown fox jumps over the lazy dog while a beautiful sunset paints the beach in orange and pink; meanwhile un beau coucher de soleil sur la plage attire les touristes, und der Hund läuft über die Straße zum Bahnhof, während die Kinder im Park spielen. El gato azul duerme en la alfombra roja y sueña con peces; синий кот спит на красном ковре, and the story goes on and on for a very long time until the end."
    static let pngs = ["image_0_landscape_97x71.png", "image_1_portrait_50x83.png", "image_2_gray_64x80.png",
                       "image_3_rgba_120x60.png"]
    static let tolerance: Float = 1e-5

    static let tinyEncoder = Result { try CLIPEncoder.load(directory: Fixtures.tiny, threads: 1) }
    func encoder() throws -> CLIPEncoder { try Self.tinyEncoder.get() }

    func rows(_ file: String) throws -> [[Float]] {
        let a = try NPY.load(Fixtures.tiny(file))
        let f = a.floats, w = a.shape.last!
        return stride(from: 0, to: f.count, by: w).map { Array(f[$0..<($0 + w)]) }
    }

    func assertClose(_ got: [[Float]], _ want: [[Float]], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, what, file: file, line: line)
        for (i, (g, w)) in zip(got, want).enumerated() {
            XCTAssertEqual(g.count, w.count, "\(what) row \(i)", file: file, line: line)
            let err = zip(g, w).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThanOrEqual(err, Self.tolerance, "\(what) row \(i): max |Δ| \(err)", file: file, line: line)
        }
    }

    // MARK: encoder

    func testModelFacts() throws {
        let e = try encoder()
        XCTAssertEqual(e.embeddingWidth, 64)
        XCTAssertEqual(e.matryoshkaDimensions, [16, 32, 64])
        XCTAssertEqual(e.imageSize, 60)
        XCTAssertEqual(e.queryInstruction, "Represent the query for retrieving evidence documents: ")
    }

    func testTextEmbeddingsMatchTheOfficialOutputs() throws {
        let e = try encoder()
        assertClose(try e.embed(texts: Self.texts), Array(try rows("text_embeddings.npy").prefix(5)), "texts")
        assertClose(try e.embed(texts: Self.texts, dims: 16), Array(try rows("text_embeddings_trunc16.npy").prefix(5)), "dims 16")
        // query: texts 0, 2, 3, 4 (text 1 with the instruction is cut at 32 tokens in the fixture)
        let q = [0, 2, 3, 4]
        let want = try rows("text_query_embeddings.npy")
        assertClose(try e.embed(texts: q.map { Self.texts[$0] }, query: true), q.map { want[$0] }, "queries")
        XCTAssertEqual(try e.embed(texts: []), [])
    }

    func testImageFilesMatchTheOfficialOutputs() throws {
        let e = try encoder()
        let urls = Self.pngs.map(Fixtures.tiny)
        assertClose(try e.embed(images: urls), try rows("image_embeddings.npy"), "images")
        assertClose(try e.embed(images: urls, dims: 32), try rows("image_embeddings_trunc32.npy"), "images dims 32")
        // more images than one forward batch: same results, same order
        let many = urls + urls.reversed() + [urls[0]]
        let want = try rows("image_embeddings.npy")
        assertClose(try e.embed(images: many), (Array(0..<4) + [3, 2, 1, 0, 0]).map { want[$0] }, "9 images")
    }

    func testPixelBufferMatchesTheOfficialOutput() throws {
        let decoded = try NPY.load(Fixtures.tiny("jpeg_decoded_uint8.npy"))   // [90, 120, 3], as Pillow decodes it
        let buffer = try PixelBuffer(width: decoded.shape[1], height: decoded.shape[0], rgb: decoded.bytes)
        assertClose(try encoder().embed(images: [buffer]), try rows("jpeg_embedding.npy"), "pixel buffer")
    }

    /// Image bytes in memory embed exactly as the same file; raw features normalized are the embeddings
    /// (bit for bit, any dims); token counts are the tokenizer's ids with the specials and the instruction.
    func testPreparedImagesFeaturesAndTokenCounts() throws {
        let e = try encoder()
        let files = Self.pngs.map(Fixtures.tiny) + [Fixtures.tiny("image_jpeg_120x90_q90.jpg")]
        let prepared = try files.map { try e.prepareImage(data: Data(contentsOf: $0), name: $0.lastPathComponent) }
        XCTAssertEqual(prepared.map(\.sourceWidth), [97, 50, 64, 120, 120])
        XCTAssertEqual(prepared.map(\.sourceHeight), [71, 83, 80, 60, 90])
        XCTAssertEqual(prepared.map(\.crop.width), Array(repeating: 60, count: 5))
        let fromFiles = try e.embed(images: files)
        XCTAssertEqual(try e.embed(images: prepared.map(\.crop)), fromFiles)
        let raw = try e.features(images: prepared.map(\.crop))
        XCTAssertEqual(try raw.map { try Matryoshka.truncate($0, dims: 64) }, fromFiles)
        XCTAssertEqual(try raw.map { try Matryoshka.truncate($0, dims: 16) }, try e.embed(images: files, dims: 16))
        XCTAssertGreaterThan(abs(raw[0].reduce(0) { $0 + $1 * $1 } - 1), 1e-3, "features are not normalized")
        let texts = Array(Self.texts.prefix(4))
        for query in [false, true] {
            let features = try e.features(texts: texts, query: query)
            XCTAssertEqual(try features.map { try Matryoshka.truncate($0, dims: 32) }, try e.embed(texts: texts, query: query, dims: 32))
        }
        XCTAssertEqual(try e.features(texts: []), [])
        let tok = try e.tokenizer
        XCTAssertEqual(try e.tokenCount(texts[0]), tok.encode(texts[0]).count)
        XCTAssertEqual(try e.tokenCount(texts[0], query: true), tok.encode(e.queryInstruction + texts[0]).count)
        XCTAssertEqual(try e.tokenCount(""), 2)
        XCTAssertEqual(try e.tokenCount(Self.text5 + Self.text5 + Self.text5 + Self.text5), 512, "cut at 512 as embed cuts")
        XCTAssertThrowsError(try e.prepareImage(data: Data("not an image".utf8), name: "input[3]")) { error in
            XCTAssertTrue(error is ImageError)
            XCTAssertTrue("\(error)".contains("input[3]"), "\(error)")
        }
    }

    func testAsyncFormsGiveTheSameEmbeddings() async throws {
        let e = try await CLIPEncoder.load(directory: Fixtures.tiny, threads: 1)
        let urls = Self.pngs.map(Fixtures.tiny)
        let buffer = try PixelBuffer(width: 2, height: 1, rgb: [255, 0, 0, 0, 0, 255])
        let texts = try await e.embed(texts: Self.texts, query: true, dims: 32)
        let images = try await e.embed(images: urls, dims: 16)
        let fromBuffer = try await e.embed(images: [buffer])
        let sync = try Self.synchronousEmbeddings(e, urls: urls, buffer: buffer)
        XCTAssertEqual(texts, sync.texts)
        XCTAssertEqual(images, sync.images)
        XCTAssertEqual(fromBuffer, sync.buffer)
        XCTAssertEqual(fromBuffer.first?.count, 64)
        let byRepoFailure: Error? = await { do { _ = try await CLIPEncoder.load(repo: "acme/not-downloaded"); return nil } catch { return error } }()
        XCTAssertTrue(byRepoFailure is ModelHubError, "\(String(describing: byRepoFailure))")
    }

    /// The synchronous forms (inside an async function the async overloads would be chosen).
    static func synchronousEmbeddings(_ e: CLIPEncoder, urls: [URL], buffer: PixelBuffer) throws
        -> (texts: [[Float]], images: [[Float]], buffer: [[Float]]) {
        (try e.embed(texts: texts, query: true, dims: 32), try e.embed(images: urls, dims: 16), try e.embed(images: [buffer]))
    }

    func testLoadByRepoIDFromAHuggingFaceCache() throws {
        let cache = try Fixtures.tempDirectory("clipscopekit-hf")
        defer { try? FileManager.default.removeItem(at: cache) }
        let repo = cache.appendingPathComponent("models--acme--tiny-clip")
        let snapshot = repo.appendingPathComponent("snapshots/0123456789abcdef0123456789abcdef01234567")
        try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: repo.appendingPathComponent("refs"), withIntermediateDirectories: true)
        try "0123456789abcdef0123456789abcdef01234567".write(to: repo.appendingPathComponent("refs/main"), atomically: true, encoding: .utf8)
        for f in ["config.json", "model.safetensors", "tokenizer.json", "preprocessor_config.json"] {
            try FileManager.default.createSymbolicLink(at: snapshot.appendingPathComponent(f), withDestinationURL: Fixtures.tiny(f))
        }
        let old = ProcessInfo.processInfo.environment["HF_HUB_CACHE"]
        setenv("HF_HUB_CACHE", cache.path, 1)
        defer { if let old { setenv("HF_HUB_CACHE", old, 1) } else { unsetenv("HF_HUB_CACHE") } }

        let e = try CLIPEncoder.load(repo: "acme/tiny-clip", threads: 1)
        XCTAssertEqual(e.directory.standardizedFileURL.path, snapshot.standardizedFileURL.path)
        assertClose(try e.embed(texts: [Self.texts[0]]), [try rows("text_embeddings.npy")[0]], "text via repo id")

        XCTAssertThrowsError(try CLIPEncoder.load(repo: "acme/not-downloaded", threads: 1)) { error in
            XCTAssertTrue(error is ModelHubError, "\(error)")
            XCTAssertTrue("\(error)".contains("acme/not-downloaded"), "\(error)")
        }
        XCTAssertThrowsError(try CLIPEncoder.load(repo: "no slash here", threads: 1)) { XCTAssertTrue($0 is ModelHubError) }
    }

    // MARK: errors

    func testErrorsAreTypedAndNameTheProblem() throws {
        let e = try encoder()
        for d in [0, 65] {
            XCTAssertThrowsError(try e.embed(texts: ["x"], dims: d)) {
                XCTAssertEqual($0 as? ClipModelError, .invalidDims(d, width: 64))
            }
            XCTAssertThrowsError(try e.embed(images: [Fixtures.tiny(Self.pngs[0])], dims: d)) {
                XCTAssertEqual($0 as? ClipModelError, .invalidDims(d, width: 64))
            }
        }
        let missing = Fixtures.tiny("no-such-image.png")
        XCTAssertThrowsError(try e.embed(images: [missing])) { error in
            XCTAssertTrue(error is ImageError, "\(error)")
            XCTAssertTrue("\(error)".contains("no-such-image.png"), "\(error)")
        }
        let notImage = Fixtures.tiny("config.json")
        XCTAssertThrowsError(try e.embed(images: [notImage])) { XCTAssertTrue($0 is ImageError, "\($0)") }
        XCTAssertThrowsError(try PixelBuffer(width: 2, height: 2, rgb: [0, 0, 0])) { XCTAssertTrue($0 is ClipModelError) }
        XCTAssertThrowsError(try PixelBuffer(width: 0, height: 2, rgb: [])) { XCTAssertTrue($0 is ClipModelError) }
        XCTAssertThrowsError(try PixelBuffer(width: Int.max, height: 2, rgb: [])) { XCTAssertTrue($0 is ClipModelError) }

        let empty = try Fixtures.tempDirectory("clipscopekit-empty")
        defer { try? FileManager.default.removeItem(at: empty) }
        XCTAssertThrowsError(try CLIPEncoder.load(directory: empty, threads: 1)) { error in
            XCTAssertTrue(error is ModelConfigError, "\(error)")
            XCTAssertTrue("\(error)".contains("config.json"), "\(error)")
        }
        try FileManager.default.copyItem(at: Fixtures.tiny("config.json"), to: empty.appendingPathComponent("config.json"))
        try FileManager.default.copyItem(at: Fixtures.tiny("preprocessor_config.json"), to: empty.appendingPathComponent("preprocessor_config.json"))
        XCTAssertThrowsError(try CLIPEncoder.load(directory: empty, threads: 1)) { error in
            XCTAssertTrue(error is SafeTensorsError, "\(error)")
            XCTAssertTrue("\(error)".contains("model.safetensors"), "\(error)")
        }
        XCTAssertThrowsError(try Tokenizer(contentsOf: empty.appendingPathComponent("tokenizer.json"))) {
            XCTAssertTrue($0 is TokenizerError, "\($0)")
        }
    }

    // MARK: tokenizer

    func testTokenizerMatchesTheFixtureIDs() throws {
        let fromModel = try encoder().tokenizer
        let fromFile = try Tokenizer(contentsOf: Fixtures.tiny("tokenizer.json"))
        XCTAssertEqual(fromModel.vocabularySize, 363)
        for (i, text) in Self.texts.enumerated() {
            let want = try NPY.load(Fixtures.tiny("text_\(i)_input_ids.npy")).ints.map(Int.init)
            XCTAssertEqual(fromModel.encode(text), want, "text \(i)")
            XCTAssertEqual(fromFile.encode(text), want, "text \(i)")
        }
        let long = try NPY.load(Fixtures.tiny("text_5_input_ids.npy")).ints.map(Int.init)
        let untruncated = try NPY.load(Fixtures.tiny("text_5_input_ids_untruncated.npy")).ints.map(Int.init)
        XCTAssertEqual(fromFile.encode(Self.text5), untruncated)
        XCTAssertEqual(fromFile.encode(Self.text5, maxLength: 32), long)

        let ids = fromFile.encode(Self.texts[0])
        XCTAssertEqual(ids.first, 0)
        XCTAssertEqual(ids.last, 2)
        XCTAssertEqual(fromFile.encode(Self.texts[0], addSpecialTokens: false), Array(ids.dropFirst().dropLast()))
        XCTAssertEqual(fromFile.decode(ids), Self.texts[0])
        XCTAssertEqual(fromFile.decode(ids + [-5, 1 << 40, 363]), Self.texts[0], "unknown ids are skipped")
        XCTAssertTrue(fromFile.decode(ids, skipSpecialTokens: false).hasPrefix("<s>"))
        XCTAssertEqual(fromFile.tokenize("a red mat", addSpecialTokens: false).joined(), "▁a▁red▁mat")
    }

    // MARK: index and Matryoshka

    func testVectorIndexAddRemoveSearch() throws {
        let index = VectorIndex(width: 4)
        try index.add("a", vector: [1, 0, 0, 0])
        try index.add("b", vector: [0.6, 0.8, 0, 0])
        try index.add("c", vector: [0, 0, 1, 1])
        try index.add("d", vector: [1, 0, 5, 0])
        XCTAssertEqual(index.count, 4)
        XCTAssertTrue(index.contains("c"))

        // full width: cosine with [1, 0, 0, 0]
        let full = try index.search([1, 0, 0, 0], k: 10)
        XCTAssertEqual(full.map(\.key), ["a", "b", "d", "c"])
        XCTAssertEqual(full.map(\.rank), [1, 2, 3, 4])
        XCTAssertEqual(full[1].score, 0.6, accuracy: 1e-6)
        XCTAssertEqual(full[2].score, Float(1 / 26.0.squareRoot()), accuracy: 1e-6)
        // first 2 values only: d's prefix [1, 0] ties with a's; ties go by key
        let two = try index.search([1, 0, 0, 0], dims: 2, k: 3)
        XCTAssertEqual(two.map(\.key), ["a", "d", "b"])
        XCTAssertEqual(two[1].score, 1, accuracy: 1e-6)
        XCTAssertEqual(try index.search([1, 0], dims: 2, k: 1).map(\.key), ["a"], "a dims-long query works")
        XCTAssertEqual(try index.search([1, 0, 0, 0], k: 0), [])
        XCTAssertEqual(try index.search([1, 0, 0, 0], k: .max).count, 4)

        XCTAssertThrowsError(try index.add("a", vector: [0, 1, 0, 0])) { XCTAssertEqual($0 as? VectorIndexError, .duplicateKey("a")) }
        XCTAssertThrowsError(try index.add("e", vector: [1, 0])) { XCTAssertTrue($0 is VectorIndexError) }
        XCTAssertThrowsError(try index.add("e", vector: [.nan, 0, 0, 0])) { XCTAssertEqual($0 as? VectorIndexError, .nonFiniteValue(key: "e")) }
        XCTAssertThrowsError(try index.search([1, 0, 0, 0], dims: 5, k: 1)) { XCTAssertTrue($0 is VectorIndexError) }
        XCTAssertThrowsError(try index.search([1, 0], dims: 3, k: 1)) { XCTAssertTrue($0 is VectorIndexError) }

        XCTAssertTrue(index.remove("a"))
        XCTAssertFalse(index.remove("a"))
        XCTAssertEqual(index.count, 3)
        XCTAssertEqual(Set(index.keys), ["b", "c", "d"])
        XCTAssertEqual(try index.search([1, 0, 0, 0], dims: 2, k: 1).map(\.key), ["d"])
    }

    func testMatryoshkaHelpersAgreeWithTheEncoderAndTheIndex() throws {
        let e = try encoder()
        let full = try e.embed(texts: Self.texts)
        let at16 = try e.embed(texts: Self.texts, dims: 16)
        for (f, t) in zip(full, at16) {
            let truncated = try Matryoshka.truncate(f, dims: 16)
            XCTAssertEqual(truncated.count, 16)
            for (a, b) in zip(truncated, t) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        }
        let index = VectorIndex(width: e.embeddingWidth)
        for (i, v) in full.enumerated() { try index.add("text \(i)", vector: v) }
        for dims in [16, 32, 64] {
            let hits = try index.search(full[0], dims: dims, k: 5)
            for h in hits {
                let i = Int(h.key.dropFirst(5))!
                XCTAssertEqual(h.score, try Matryoshka.cosine(full[0], full[i], dims: dims), accuracy: 1e-5, "\(h.key) at \(dims)")
            }
            XCTAssertEqual(hits.first?.key, "text 0")
        }
        XCTAssertEqual(try Matryoshka.cosine([3, 4, 100], [3, 4, -100], dims: 2), 1, accuracy: 1e-6)
        XCTAssertEqual(try Matryoshka.cosine([1, 0], [0, 1]), 0, accuracy: 1e-6)
        XCTAssertEqual(try Matryoshka.truncate([3, 4, 12], dims: 2), [0.6, 0.8])
        XCTAssertThrowsError(try Matryoshka.truncate([1, 2], dims: 3)) { XCTAssertEqual($0 as? ClipModelError, .invalidDims(3, width: 2)) }
        XCTAssertThrowsError(try Matryoshka.cosine([1, 2], [1], dims: 2)) { XCTAssertEqual($0 as? ClipModelError, .invalidDims(2, width: 1)) }
    }

    // MARK: the bundled demo model

    func testDemoModelFindsRedTrianglesInThreeLanguages() throws {
        let assets = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Assets")
        let e = try CLIPEncoder.load(directory: assets.appendingPathComponent("models/demo"), threads: 1)
        let folder = assets.appendingPathComponent("demo")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".png") || $0.hasSuffix(".jpg") }.sorted()
        XCTAssertEqual(files.count, 36)
        let index = VectorIndex(width: e.embeddingWidth)
        for (name, v) in zip(files, try e.embed(images: files.map { folder.appendingPathComponent($0) })) {
            try index.add(name, vector: v)
        }
        // At the full 128 values the best match is a red triangle; at 32 still something red (the demo
        // model's colours are sturdier than its shapes: 红色的三角形 puts the red star first there).
        for query in ["a red triangle", "红色的三角形", "un triángulo rojo"] {
            let q = try e.embed(texts: [query], query: true)[0]
            let full = try index.search(q, dims: 128, k: 1)
            XCTAssertTrue(full.first?.key.contains("red_triangle") == true, "\(query) at 128: \(full)")
            let small = try index.search(q, dims: 32, k: 1)
            XCTAssertTrue(small.first?.key.contains("_red_") == true, "\(query) at 32: \(small)")
        }
    }
}
