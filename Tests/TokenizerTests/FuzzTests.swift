// Property tests: any Swift string (random code points, controls, huge inputs, invalid UTF-8 decoded
// with replacement) encodes without crashing, ids stay in range, truncation is a prefix, decode works.
import Foundation
import Testing
import TestSupport
@testable import Tokenizer

typealias SplitMix64 = SeededGenerator

func randomText<G: RandomNumberGenerator>(_ g: inout G, maxParts: Int = 12) -> String {
    let ranges: [ClosedRange<UInt32>] = [0x20...0x7E, 0x00...0x1F, 0x7F...0xFF, 0x300...0x36F, 0x370...0x52F, 0x590...0x6FF,
                                         0x900...0x9FF, 0xE00...0xE7F, 0x1100...0x11FF, 0x2000...0x206F, 0x2100...0x24FF,
                                         0x3000...0x30FF, 0x4E00...0x4FFF, 0xAC00...0xAD00, 0xFB00...0xFB4F, 0xFE00...0xFE6F,
                                         0xFF00...0xFFEF, 0x1D400...0x1D7FF, 0x1F300...0x1F9FF, 0xE0000...0xE007F, 0x0...0x10FFFF]
    let fragments = ["<s>", "</s>", "<pad>", "<unk>", "<mask>", " <mask> ", "\r\n", "\u{200D}", "  ", "\t", "\u{2581}",
                     "e\u{301}", "ﬁ\u{301}", "\u{85}", "\u{FEFF}", "hello", "Zürich", "東京"]
    var s = String.UnicodeScalarView()
    for _ in 0..<Int.random(in: 0...maxParts, using: &g) {
        if Bool.random(using: &g) {
            s.append(contentsOf: fragments.randomElement(using: &g)!.unicodeScalars)
        } else {
            let r = ranges.randomElement(using: &g)!
            for _ in 0..<Int.random(in: 1...6, using: &g) {
                if let u = Unicode.Scalar(UInt32.random(in: r, using: &g)) { s.append(u) }
            }
        }
    }
    return String(s)
}

@Suite struct FuzzTests {
    private func checkInvariants(_ tok: Tokenizer, _ text: String, file: String) {
        let e = tok.encode(text)
        #expect(e.ids.count == e.tokens.count)
        #expect(e.ids.first == 0 && e.ids.last == 2, "\(file): \(text.debugDescription)")
        #expect(e.ids.allSatisfy { $0 >= 0 && Int($0) < tok.vocabSize }, "\(file): \(text.debugDescription)")
        // Truncation keeps a prefix of the pieces and ends with </s>.
        if e.ids.count > 4 {
            let m = Int.random(in: 2..<e.ids.count)
            let t = tok.encode(text, maxLength: m).ids
            #expect(t == Array(e.ids.prefix(m - 1)) + [2], "\(file) maxLength \(m): \(text.debugDescription)")
        }
        _ = tok.decode(e.ids)
        _ = tok.decode(e.ids, skipSpecialTokens: false)
    }

    @Test func randomStringsNeverCrashTiny() throws {
        let tok = try Shared.tiny()
        var g = SplitMix64(state: 20_261_129)
        for _ in 0..<400 { checkInvariants(tok, randomText(&g), file: "tiny") }
    }

    @Test func randomStringsNeverCrashReal() throws {
        let tok = try Shared.jina()
        var g = SplitMix64(state: 42)
        for _ in 0..<150 { checkInvariants(tok, randomText(&g), file: "jina") }
    }

    @Test func invalidUTF8AndControls() throws {
        let tok = try Shared.jina()
        var g = SplitMix64(state: 7)
        for _ in 0..<50 {
            let bytes = (0..<Int.random(in: 0...64, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
            checkInvariants(tok, String(decoding: bytes, as: UTF8.self), file: "random bytes")
        }
        let controls = String(String.UnicodeScalarView((0...0x9F).compactMap { Unicode.Scalar(UInt32($0)) }))
        checkInvariants(tok, controls, file: "controls")
        checkInvariants(tok, "\u{FFFD}\u{FFFD}", file: "replacement chars")
        checkInvariants(tok, "", file: "empty")
    }

    @Test func megabyteInputs() throws {
        let tok = try Shared.jina()
        let unit = "Ein Foto einer Katze 🐈 — 猫の写真。 "
        let big = String(repeating: unit, count: 1_000_000 / unit.utf8.count + 1)
        #expect(big.utf8.count >= 1_000_000)
        // Truncated encoding stops early but gives exactly what a full encoding would start with.
        let head = tok.encode(big, maxLength: 512)
        #expect(head.ids.count == 512)
        #expect(head.ids.last == 2)
        let prefix = tok.encode(String(repeating: unit, count: 200)).ids
        #expect(Array(head.ids.prefix(511)) == Array(prefix.prefix(511)))
        // One 1 MB "word" without spaces (the worst case for Viterbi) on the tiny vocabulary.
        let tiny = try Shared.tiny()
        let word = String(repeating: "東京タワー", count: 1_000_000 / 15 + 1)
        let e = tiny.encode(word)
        #expect(e.ids.count > 2)
        #expect(e.ids.allSatisfy { $0 >= 0 && Int($0) < tiny.vocabSize })
    }

    @Test func batchEqualsSingleEncodes() throws {
        let tok = try Shared.tiny()
        var g = SplitMix64(state: 99)
        let texts = (0..<100).map { _ in randomText(&g) }   // ≥ 64: the concurrent path
        let batch = tok.encodeBatch(texts, maxLength: 16)
        #expect(batch == texts.map { tok.encode($0, maxLength: 16) })
        #expect(tok.encodeBatch([]) == [])
    }
}
