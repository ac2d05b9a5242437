// Per-stage behaviour: charsmap normalizer, pre-tokenizers, Unigram Viterbi, added tokens, post-processor,
// decoder. Expected values are hand-computed or were printed by Hugging Face `tokenizers` 0.23.
import Foundation
import Testing
import TestSupport
@testable import Tokenizer

private func words(_ pre: PreTokenizer, _ text: String, first: Bool = true) -> [String] {
    var input = WordBuffer()
    input.bytes = Array(text.utf8)
    input.addWord(from: 0, first: first)
    var out = WordBuffer()
    pre.apply(input, into: &out)
    return (0..<out.count).map { String(decoding: out.bytes[out.starts[$0]..<out.ends[$0]], as: UTF8.self) }
}

private let rep = Array("\u{2581}".utf8)

@Suite struct PreTokenizerTests {
    @Test func metaspacePrependSchemes() {
        let always = PreTokenizer.metaspace(replacement: rep, prependScheme: .always, split: true)
        let never = PreTokenizer.metaspace(replacement: rep, prependScheme: .never, split: true)
        let first = PreTokenizer.metaspace(replacement: rep, prependScheme: .first, split: true)
        #expect(words(always, "hello world") == ["▁hello", "▁world"])
        #expect(words(never, "hello world") == ["hello", "▁world"])
        #expect(words(first, "hello world", first: true) == ["▁hello", "▁world"])
        #expect(words(first, "hello world", first: false) == ["hello", "▁world"])
        // Already starting with the replacement (or a space): no second ▁.
        #expect(words(always, " x") == ["▁x"])
        #expect(words(always, "▁x") == ["▁x"])
    }

    @Test func metaspaceSplitIsMergedWithNext() {
        let always = PreTokenizer.metaspace(replacement: rep, prependScheme: .always, split: true)
        #expect(words(always, "a▁▁b") == ["▁a", "▁", "▁b"])
        #expect(words(always, "a ") == ["▁a", "▁"])
        #expect(words(always, "a  b") == ["▁a", "▁", "▁b"])
        let noSplit = PreTokenizer.metaspace(replacement: rep, prependScheme: .always, split: false)
        #expect(words(noSplit, "hello world") == ["▁hello▁world"])
    }

    @Test func whitespaceSplitUsesUnicodeWhiteSpace() {
        let ws = PreTokenizer.whitespaceSplit
        #expect(words(ws, "  a\u{0085}b\u{00A0}c\u{3000}d\t\ne  f\u{2028}g\u{1680}h ") == ["a", "b", "c", "d", "e", "f", "g", "h"])
        // ZWSP, ZWJ, word joiner are not White_Space.
        #expect(words(ws, "a\u{200B}b c\u{200D}d\u{2060}e") == ["a\u{200B}b", "c\u{200D}d\u{2060}e"])
        #expect(words(ws, " \t\n ") == [])
        #expect(words(ws, "") == [])
    }

    @Test func jinaSequence() {
        let seq = PreTokenizer.sequence([.whitespaceSplit, .metaspace(replacement: rep, prependScheme: .always, split: true)])
        #expect(words(seq, "  Hello   wide\u{3000}world▁x ") == ["▁Hello", "▁wide", "▁world", "▁x"])
    }

    @Test func legacyAndCurrentMetaspaceConfig() throws {
        func decode(_ json: String) throws -> PreTokenizerConfig {
            try JSONDecoder().decode(PreTokenizerConfig.self, from: Data(json.utf8))
        }
        guard case let .metaspace(_, s1, split1) = try decode(#"{"type":"Metaspace","replacement":"▁","add_prefix_space":true}"#) else { Issue.record("not metaspace"); return }
        #expect(s1 == .always && split1)
        guard case let .metaspace(_, s2, _) = try decode(#"{"type":"Metaspace","replacement":"▁","add_prefix_space":false}"#) else { Issue.record("not metaspace"); return }
        #expect(s2 == .never)
        guard case let .metaspace(_, s3, split3) = try decode(#"{"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":false}"#) else { Issue.record("not metaspace"); return }
        #expect(s3 == .first && !split3)
        #expect(throws: (any Error).self) { try decode(#"{"type":"Metaspace","replacement":"▁","prepend_scheme":"sometimes"}"#) }
    }
}

@Suite struct NormalizerTests {
    @Test func precompiledCharsmapExamples() throws {
        let normalizer = try #require(try Shared.tiny().normalizer)   // the real XLM-R charsmap
        let cases: [(String, String)] = [
            ("ﬁ①²Ｃ㍻A\u{030A}", "fi12C平成Å"),                  // compatibility mappings, composition
            ("a\u{200D}b\u{200B}c\u{FEFF}d", "a b c d"),          // ZWJ, ZWSP, BOM → space
            ("x\u{07}y\u{1B}z\u{7F}", "xyz"),                      // BEL, ESC, DEL deleted
            ("l\r\nm", "l m"),                                     // CR LF is one grapheme → one space
            ("tab\there", "tab here"),
            ("n\u{0}o", "n\u{0}o"),                                // NUL kept
            ("soft\u{AD}hyphen", "soft\u{AD}hyphen"),              // soft hyphen kept
            ("wj\u{2060}x\u{202E}v\u{FE0F}", "wj\u{2060}x\u{202E}v\u{FE0F}"),
            ("e\u{0301}", "\u{E9}"),
            ("ﬁ\u{0301}", "fi"),                                   // tokenizers' grapheme rule drops the accent
            ("\u{3000}\u{A0}\u{2028}\u{2029}", "    "),
            ("next\u{85}line", "next\u{85}line"),
            ("", ""),
        ]
        for (input, want) in cases {
            #expect(normalizer.normalize(input) == want, "\(input.debugDescription)")
        }
    }

    @Test func charsmapLookupIsShortestPrefix() throws {
        let normalizer = try #require(try Shared.tiny().normalizer)
        guard case let .precompiled(map) = normalizer else { Issue.record("not Precompiled"); return }
        let crlf = Array("\r\n".utf8)
        let r = try #require(crlf.withUnsafeBufferPointer { map.lookup($0) })
        let plainA = Array("a".utf8)
        #expect(plainA.withUnsafeBufferPointer { map.lookup($0) } == nil)
        _ = r
        #expect(map.normalize("\r\n"[...]) == " ")
    }

    @Test func otherNormalizers() throws {
        #expect(Normalizer.strip(left: true, right: true).normalize(" \u{3000}a b\t") == "a b")
        #expect(Normalizer.strip(left: false, right: true).normalize("  a  ") == "  a")
        #expect(try Normalizer(.replace(.regex(" {2,}"), content: " ")).normalize("a  b   c d") == "a b c d")
        #expect(try Normalizer(.replace(.regex("[0-9]+"), content: "#")).normalize("a12b3") == "a#b#")
        #expect(Normalizer.replaceString("o", with: "0").normalize("foo\u{0301}") == "f00\u{0301}")
        #expect(Normalizer.nfkc.normalize("\u{FFA2}\u{FFCC}ﬁ") == "\u{AF2C}fi")
        #expect(Normalizer.lowercase.normalize("ÉCOLE") == "école")
        #expect(Normalizer.prepend("▁").normalize("x") == "▁x")
        #expect(Normalizer.prepend("▁").normalize("") == "")
        #expect(Normalizer.simpleRun(" {2,}")! == (" ", 2))
        #expect(Normalizer.simpleRun("[ ]{2,}") == nil)
    }
}

@Suite struct UnigramTests {
    private func tokenizer(_ vocab: [(String, Double)], unkId: Int? = 0) throws -> Tokenizer {
        try Tokenizer(data: makeTokenizerJSON(vocab: vocab, unkId: unkId), name: "hand-made.json")
    }

    @Test func viterbiPicksTheBestPath() throws {
        // "▁ab": ▁ab (−5) loses to ▁a + b (−2 − 2.5 = −4.5).
        let tok = try tokenizer([("<unk>", 0), ("▁", -1), ("▁a", -2), ("b", -2.5), ("▁ab", -5), ("c", -3)])
        #expect(tok.encode("ab").tokens == ["▁a", "b"])
        #expect(tok.encode("ab").ids == [2, 3])
        #expect(tok.encode("abc ab").ids == [2, 3, 5, 2, 3])
    }

    @Test func tiesKeepTheFirstCandidate() throws {
        // "▁x": ▁x (−2) is found first (from position 0); ▁ + x (−1 − 1) ties and does not replace it.
        let tok = try tokenizer([("<unk>", 0), ("▁", -1), ("x", -1), ("▁x", -2)])
        #expect(tok.encode("x").tokens == ["▁x"])
    }

    @Test func consecutiveUnknownsFuseIntoOneUnk() throws {
        let tok = try tokenizer([("<unk>", 0), ("▁", -1), ("▁a", -2), ("b", -2.5)])
        let e = tok.encode("axyzb")
        #expect(e.ids == [2, 0, 3])
        #expect(e.tokens == ["▁a", "xyz", "b"])
        // Separate unknown runs stay separate.
        #expect(tok.encode("axbyb").ids == [2, 0, 3, 0, 3])
    }

    @Test func unknownPenaltyIsMinScoreMinusTen() throws {
        // min score −100 ("bc") → an <unk> edge costs −110. "▁abcd" has two paths:
        //   U = ▁a (−1) + <unk> b (−110) + cd (−1) = −112      C = ▁a (−1) + bc (−100) + d
        // so C wins with d = −10 (−111) and loses with d = −12 (−113): the penalty is pinned to −110.
        let c = try tokenizer([("<unk>", 0), ("▁a", -1), ("cd", -1), ("bc", -100), ("d", -10)])
        #expect(c.model.unkScore == -110)
        #expect(c.encode("abcd").tokens == ["▁a", "bc", "d"])
        let u = try tokenizer([("<unk>", 0), ("▁a", -1), ("cd", -1), ("bc", -100), ("d", -12)])
        #expect(u.encode("abcd").ids == [1, 0, 2])
        #expect(u.encode("abcd").tokens == ["▁a", "b", "cd"])
    }

    @Test func realTokenizerFusesUnknownEmoji() throws {
        let tiny = try Shared.tiny()
        let e = tiny.encode("🍕🍕 pizza")
        #expect(e.ids == [0, 6, 3, 304, 2])
        #expect(e.tokens == ["<s>", "▁", "🍕🍕", "▁pizza", "</s>"])
        #expect(tiny.encode("I ❤️ pizza").ids == [0, 87, 6, 3, 304, 2])
    }

    @Test func wordCacheGivesTheSameAnswer() throws {
        let tok = try Shared.tiny()
        let first = tok.encode("hello hello Zürich café")
        let again = tok.encode("hello hello Zürich café")
        #expect(first == again)
        // Canonically equivalent but different bytes must not share a cache entry.
        let composed = tok.encode("\u{E9}\u{E9}\u{E9}x", addSpecialTokens: false)
        let decomposed = tok.encode("e\u{301}e\u{301}e\u{301}x", addSpecialTokens: false)
        #expect(composed.ids == decomposed.ids)   // the charsmap composes both …
        let word = Array("\u{2581}e\u{301}".utf8)
        let key1 = word.withUnsafeBufferPointer { WordCache.Key($0) }
        let key2 = Array("\u{2581}\u{E9}".utf8).withUnsafeBufferPointer { WordCache.Key($0) }
        #expect(key1 != key2)                    // … and the cache keys differ anyway
    }
}

@Suite struct AddedTokenAndPipelineTests {
    @Test func specialTokensAreMatchedInRawText() throws {
        let tok = try Shared.jina()
        #expect(tok.encode("a<mask>b").ids == [0, 10, 250_001, 876, 2])
        let spaced = tok.encode("x <mask> y")
        #expect(spaced.ids == [0, 1022, 250_001, 113, 2])
        #expect(spaced.tokens == ["<s>", "▁x", " <mask>", "▁y", "</s>"])   // lstrip took the space
        #expect(tok.encode("<MASK>").ids == [0, 4426, 40639, 605, 2740, 2])
        #expect(tok.encode("<pad>").ids == [0, 1, 2])
        #expect(tok.encode("</s></s>").ids == [0, 2, 2, 2])
    }

    @Test func singleWordAndRstrip() throws {
        let added = #"[{"id": 8, "content": "[X]", "single_word": true, "lstrip": false, "rstrip": true, "normalized": false, "special": true}]"#
        let vocab: [(String, Double)] = [("<unk>", 0), ("▁", -1), ("▁a", -2), ("b", -2), ("[", -3), ("X", -3), ("]", -3), ("[X]", -1)]
        let tok = try Tokenizer(data: makeTokenizerJSON(vocab: vocab, addedTokens: added), name: "single-word.json")
        #expect(tok.vocabSize == 9)
        // Glued to word characters: not the added token (the vocabulary piece [X] is used instead).
        #expect(tok.encode("a[X]b").ids == [2, 7, 3])
        let e = tok.encode("a [X]  b")
        #expect(e.ids == [2, 1, 8, 1, 3])
        #expect(e.tokens == ["▁a", "▁", "[X]  ", "▁", "b"])   // rstrip swallowed the spaces
    }

    @Test func normalizedAddedTokensAreMatchedAfterNormalization() throws {
        let added = #"[{"id": 5, "content": "AB", "single_word": false, "lstrip": false, "rstrip": false, "normalized": true, "special": false}]"#
        let tok = try Tokenizer(data: makeTokenizerJSON(vocab: [("<unk>", 0), ("▁", -1), ("a", -2), ("b", -2), ("x", -2)],
                                                        normalizer: #"{"type": "Lowercase"}"#, addedTokens: added), name: "normalized.json")
        #expect(tok.encode("xAB").ids == [1, 4, 5])
        #expect(tok.encode("xab").ids == [1, 4, 5])
        #expect(tok.encode("xab").tokens == ["▁", "x", "ab"])
    }

    @Test func specialsAndTruncation() throws {
        let tok = try Shared.jina()
        #expect(tok.encode("Hello world", addSpecialTokens: false).ids == [35378, 8999])
        #expect(tok.encode("Hello world", maxLength: 3).ids == [0, 35378, 2])
        #expect(tok.encode("Hello world", maxLength: 4).ids == [0, 35378, 8999, 2])
        #expect(tok.encode("Hello world", maxLength: 100).ids == [0, 35378, 8999, 2])
        #expect(tok.encode("Hello world", addSpecialTokens: false, maxLength: 1).ids == [35378])
        #expect(tok.encode("Hello world", maxLength: 1).ids == [0, 2])
        #expect(tok.encode("").ids == [0, 2])
        #expect(tok.encode("", addSpecialTokens: false).ids == [])
    }

    @Test func robertaProcessingIsClsASep() throws {
        let post = #"{"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0], "trim_offsets": true, "add_prefix_space": true}"#
        let tok = try Tokenizer(data: makeTokenizerJSON(vocab: [("<s>", 0), ("<pad>", 0), ("</s>", 0), ("<unk>", 0), ("▁a", -1)], unkId: 3,
                                                        postProcessor: post), name: "roberta.json")
        #expect(tok.encode("a a").ids == [0, 4, 4, 2])
        #expect(tok.padId == 1)
    }

    @Test func decodeLikeTokenizers() throws {
        let tok = try Shared.jina()
        let cases: [(String, String, String)] = [
            ("Hello world", "Hello world", "<s> Hello world</s>"),
            ("a<mask>b", "a b", "<s> a<mask> b</s>"),
            ("  leading and trailing  ", "leading and trailing", "<s> leading and trailing</s>"),
            ("ﬁnest café ①", "finest café 1", "<s> finest café 1</s>"),
            ("nul\u{0}x", "nulx", "<s> nul<unk>x</s>"),
            ("line\r\nbreak", "line break", "<s> line break</s>"),
        ]
        for (text, skip, keep) in cases {
            let ids = tok.encode(text).ids
            #expect(tok.decode(ids) == skip, "\(text.debugDescription)")
            #expect(tok.decode(ids, skipSpecialTokens: false) == keep, "\(text.debugDescription)")
        }
        #expect(tok.decode([999_999_999, -5, 35378]) == "Hello")   // unknown ids are skipped
        #expect(tok.decode([]) == "")
    }
}

@Suite struct PrependFirstTests {
    /// The tiny tokenizer with prepend_scheme "first" (values printed by tokenizers 0.23).
    private func firstScheme() throws -> Tokenizer {
        let text = try String(contentsOf: Shared.tinyURL, encoding: .utf8)
        let first = #"{"type": "Sequence", "pretokenizers": [{"type": "WhitespaceSplit"}, {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": true}]}"#
        var object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        object["pre_tokenizer"] = try JSONSerialization.jsonObject(with: Data(first.utf8))
        return try Tokenizer(data: JSONSerialization.data(withJSONObject: object), name: "tiny-first.json")
    }

    @Test func onlyTheWordAtOriginalOffsetZeroGetsTheMetaspace() throws {
        let tok = try firstScheme()
        #expect(tok.encode("a b").tokens == ["<s>", "▁a", "b", "</s>"])
        #expect(tok.encode("  a b").tokens == ["<s>", "a", "b", "</s>"])           // leading spaces: offset 2
        #expect(tok.encode("<s>a b").ids == [0, 0, 11, 131, 2])                    // after a special token
        #expect(tok.encode("\u{2581}a").ids == [0, 11, 2])                          // ▁ normalizes to a space
        // Offsets follow tokenizers' alignment rules: a deleted leading BEL is "lost" (a stays at 0) and
        // the " ̅" that ‾ expands to still comes from offset 0.
        #expect(tok.encode("\u{7}a b").tokens == ["<s>", "▁a", "b", "</s>"])
        #expect(tok.encode("\u{203E}\u{205C} x").ids == [0, 6, 3, 149, 2])
    }
}
