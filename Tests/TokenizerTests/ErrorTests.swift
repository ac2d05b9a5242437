// Bad tokenizer files give a TokenizerError naming the file and the problem — never a crash or a
// silent default.
import Foundation
import Testing
import TestSupport
@testable import Tokenizer

@Suite struct ErrorTests {
    private func loadError(_ data: Data, name: String = "bad.json") -> TokenizerError? {
        do {
            _ = try Tokenizer(data: data, name: name)
            return nil
        } catch let e as TokenizerError {
            return e
        } catch {
            Issue.record("unexpected error type \(type(of: error)): \(error)")
            return nil
        }
    }

    private let vocab: [(String, Double)] = [("<unk>", 0), ("▁a", -1)]

    @Test func unknownComponentTypesAreNamed() throws {
        let cases: [(Data, String)] = [
            (makeTokenizerJSON(vocab: vocab, normalizer: #"{"type": "Fancy"}"#), "normalizer type 'Fancy'"),
            (makeTokenizerJSON(vocab: vocab, normalizer: #"{"type": "Sequence", "normalizers": [{"type": "BertNormalizer"}]}"#), "normalizer type 'BertNormalizer'"),
            (makeTokenizerJSON(vocab: vocab, preTokenizer: #"{"type": "ByteLevel", "add_prefix_space": false}"#), "pre_tokenizer type 'ByteLevel'"),
            (makeTokenizerJSON(vocab: vocab, postProcessor: #"{"type": "ByteLevel"}"#), "post_processor type 'ByteLevel'"),
            (makeTokenizerJSON(vocab: vocab, decoder: ###"{"type": "WordPiece", "prefix": "##"}"###), "decoder type 'WordPiece'"),
            (Data(#"{"model": {"type": "BPE", "vocab": {}, "merges": []}}"#.utf8), "model type 'BPE'"),
        ]
        for (data, fragment) in cases {
            let e = try #require(loadError(data, name: "my/tokenizer.json"))
            #expect(e.file == "my/tokenizer.json")
            #expect(e.message.contains(fragment), "\(e.description)")
            #expect(e.description.hasPrefix("my/tokenizer.json: "))
        }
    }

    @Test func missingOrEmptyVocab() throws {
        let missing = try #require(loadError(Data(#"{"model": {"type": "Unigram", "unk_id": 0}}"#.utf8)))
        #expect(missing.message.contains("vocab"), "\(missing)")
        let empty = try #require(loadError(Data(#"{"model": {"type": "Unigram", "unk_id": 0, "vocab": []}}"#.utf8)))
        #expect(empty.message.contains("empty"), "\(empty)")
        let noModel = try #require(loadError(Data(#"{"normalizer": null}"#.utf8)))
        #expect(noModel.message.contains("model"), "\(noModel)")
        let badUnk = try #require(loadError(makeTokenizerJSON(vocab: vocab, unkId: 7)))
        #expect(badUnk.message.contains("unk_id 7"), "\(badUnk)")
    }

    @Test func notJSON() throws {
        for bytes in [Data("hello".utf8), Data(), Data([0xFF, 0xFE, 0x00]), Data("{\"model\": ".utf8)] {
            let e = try #require(loadError(bytes))
            #expect(e.message.contains("not valid JSON"), "\(e)")
        }
        // A real file cut in the middle of the vocabulary.
        let tiny = try Data(contentsOf: Shared.tinyURL)
        let e = try #require(loadError(tiny.prefix(tiny.count - 500)))
        #expect(e.message.contains("not valid JSON"), "\(e)")
    }

    @Test func wrongTypesAndBadCharsmap() throws {
        let wrongVocab = try #require(loadError(Data(#"{"model": {"type": "Unigram", "unk_id": 0, "vocab": [["a", "x"]]}}"#.utf8)))
        #expect(wrongVocab.message.contains("model.vocab"), "\(wrongVocab)")
        let badBase64 = try #require(loadError(makeTokenizerJSON(vocab: vocab, normalizer: #"{"type": "Precompiled", "precompiled_charsmap": "%%%"}"#)))
        #expect(badBase64.message.contains("base64"), "\(badBase64)")
        let shortMap = try #require(loadError(makeTokenizerJSON(vocab: vocab, normalizer: #"{"type": "Precompiled", "precompiled_charsmap": "AAEAAA=="}"#)))
        #expect(shortMap.message.contains("precompiled_charsmap"), "\(shortMap)")
        let noType = try #require(loadError(makeTokenizerJSON(vocab: vocab, normalizer: #"{"lowercase": true}"#)))
        #expect(noType.message.contains("without a \"type\""), "\(noType)")
        let badTemplate = try #require(loadError(makeTokenizerJSON(vocab: vocab, postProcessor:
            #"{"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<cls>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}], "special_tokens": {}}"#)))
        #expect(badTemplate.message.contains("<cls>"), "\(badTemplate)")
    }

    @Test func outOfRangeIdsAreErrors() throws {
        let huge = #"[{"id": 99999999999, "content": "<x>", "special": true}]"#
        let e1 = try #require(loadError(makeTokenizerJSON(vocab: vocab, addedTokens: huge)))
        #expect(e1.message.contains("out of range"), "\(e1)")
        let negative = #"[{"id": -4, "content": "<x>", "special": true}]"#
        let e2 = try #require(loadError(makeTokenizerJSON(vocab: vocab, addedTokens: negative)))
        #expect(e2.message.contains("out of range"), "\(e2)")
        let post = #"{"type": "RobertaProcessing", "sep": ["</s>", 4294967296], "cls": ["<s>", 0]}"#
        let e3 = try #require(loadError(makeTokenizerJSON(vocab: vocab, postProcessor: post)))
        #expect(e3.message.contains("out of range"), "\(e3)")
    }

    @Test func missingFileNamesThePath() throws {
        let url = URL(fileURLWithPath: "/nonexistent/dir/tokenizer.json")
        do {
            _ = try Tokenizer(contentsOf: url)
            Issue.record("loaded a missing file")
        } catch let e as TokenizerError {
            #expect(e.file == url.path)
            #expect(e.message == "no such file")
        }
    }

    @Test func emptyCharsmapIsIdentityAndNullComponentsAreFine() throws {
        let tok = try Tokenizer(data: makeTokenizerJSON(vocab: vocab, normalizer: #"{"type": "Precompiled", "precompiled_charsmap": ""}"#,
                                                        preTokenizer: "null", decoder: "null"), name: "plain.json")
        #expect(tok.encode("▁a", addSpecialTokens: false).ids == [1])
        #expect(tok.decode([1, 1]) == "▁a ▁a")   // no decoder: tokens joined by spaces
        #expect(tok.unkId == 0)
    }
}
