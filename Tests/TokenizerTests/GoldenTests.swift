// Real XLM-R tokenizer (250,002 pieces) against the Hugging Face `tokenizers` goldens, and the tiny
// jina-clip-v2 fixture's ids (the ones the model fixture was computed from).
import Foundation
import Testing
import TestSupport
@testable import Tokenizer

@Suite struct GoldenTests {
    private func check(_ tok: Tokenizer, _ file: String, maxLength: Int? = nil) throws {
        let lines = try Golden.read(Fixtures.xlmr.appendingPathComponent(file))
        #expect(lines.count > 20)
        var mismatches = 0
        for g in lines {
            let got = tok.encode(g.text, maxLength: maxLength).ids
            if got != g.ids {
                mismatches += 1
                if mismatches <= 5 {
                    Issue.record("\(file) line \(g.line) \(g.text.debugDescription.prefix(80)): want \(g.ids.prefix(30)) got \(got.prefix(30))")
                }
            }
        }
        #expect(mismatches == 0, "\(mismatches) of \(lines.count) lines of \(file) differ")
    }

    @Test func jinaVariantMatchesAllGoldens() throws {
        try check(Shared.jina(), "golden-dev.jsonl")
    }

    @Test func e5VariantMatchesAllGoldens() throws {
        guard FileManager.default.fileExists(atPath: Shared.e5URL.path) else {
            print("SKIPPED e5 goldens: \(Shared.e5URL.path) is not in this clone")
            return
        }
        try check(Shared.e5(), "golden-dev.e5.jsonl")
    }

    @Test func truncationAt512MatchesGoldens() throws {
        try check(Shared.jina(), "golden-dev-truncate512.jsonl", maxLength: 512)
    }

    @Test func realVocabularyFacts() throws {
        let tok = try Shared.jina()
        #expect(tok.vocabSize == 250_002)
        #expect(tok.padId == 1)
        #expect(tok.unkId == 3)
        #expect(tok.piece(for: 0) == "<s>")
        #expect(tok.piece(for: 250_001) == "<mask>")
        #expect(tok.piece(for: 35378) == "▁Hello")
        #expect(tok.piece(for: 250_002) == nil)
        #expect(tok.piece(for: -1) == nil)
    }

    // MARK: tiny fixture (manifest.json → text.texts)

    private func tinyTexts() throws -> [String] {
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.tiny("manifest.json"))) as? [String: Any]
        let text = manifest?["text"] as? [String: Any]
        return try #require(text?["texts"] as? [String])
    }

    private func tinyQueryPrefix() throws -> String {
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.tiny("manifest.json"))) as? [String: Any]
        let text = manifest?["text"] as? [String: Any]
        return try #require(text?["instruction_prefix_retrieval_query"] as? String)
    }

    @Test func tinyFixtureUntruncatedIds() throws {
        let tok = try Shared.tiny()
        let texts = try tinyTexts()
        #expect(texts.count == 6)
        for (i, text) in texts.enumerated() {
            let want = try NPY.load(Fixtures.tiny("text_\(i)_input_ids_untruncated.npy")).ints
            #expect(tok.encode(text).ids == want, "text \(i)")
        }
    }

    @Test func tinyFixtureTruncatedAt32AndQueryPrefixed() throws {
        let tok = try Shared.tiny()
        let texts = try tinyTexts()
        let prefix = try tinyQueryPrefix()
        for (i, text) in texts.enumerated() {
            let want = try NPY.load(Fixtures.tiny("text_\(i)_input_ids.npy")).ints
            #expect(tok.encode(text, maxLength: 32).ids == want, "text \(i)")
            let wantQuery = try NPY.load(Fixtures.tiny("text_\(i)_query_input_ids.npy")).ints
            #expect(tok.encode(prefix + text, maxLength: 32).ids == wantQuery, "query text \(i)")
        }
        // The padded batch: encodeBatch + right padding with padId.
        let padded = try NPY.load(Fixtures.tiny("texts_input_ids_padded.npy"))
        let batch = tok.encodeBatch(texts, maxLength: 32)
        let width = padded.shape[1]
        var rows: [Int32] = []
        for e in batch { rows += e.ids + Array(repeating: tok.padId, count: width - e.ids.count) }
        #expect(rows == padded.ints)
    }

    @Test func tinyStoredTruncationIsIgnored() throws {
        // The tiny tokenizer.json stores truncation max_length 77 / padding Fixed 77: never applied.
        let tok = try Shared.tiny()
        let long = String(repeating: "a photo of a cat ", count: 40)
        let ids = tok.encode(long).ids
        #expect(ids.count > 77)
        #expect(ids.last == 2)
        #expect(!ids.contains(1))
    }
}
