// libFuzzer harness for the tokenizer. The first input byte picks the mode (its low bit):
//   0: the rest is a tokenizer.json → Tokenizer(data:name:), then a few fixed strings are encoded
//      (with and without truncation) and decoded;
//   1: the rest is text (decoded as UTF-8 with replacement) for the demo model's real tokenizer
//      (Assets/models/demo/tokenizer.json, loaded once), encoded with and without maxLength
//      (the other 7 bits of the first byte choose it) and decoded back.
// A thrown TokenizerError is the right answer to a bad tokenizer.json; a trap, an ASan report, a hang,
// ids outside the vocabulary or a truncation that is not a prefix are findings.
import Foundation
import FuzzSupport
import Tokenizer

enum TokenizerHarness {
    nonisolated(unsafe) static var demo: Tokenizer?
    static let probes = ["", " ", "a red triangle", "un triángulo rojo", "东京 <mask> </s><s>", "\u{0}\u{85}\u{FEFF}e\u{301}",
                         String(repeating: "ab ", count: 40)]

    static func demoTokenizerURL() -> URL {
        if let env = ProcessInfo.processInfo.environment["CLIPSCOPE_FUZZ_TOKENIZER"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        // Fuzz/Sources/FuzzTokenizer/TokenizerHarness.swift → repository root.
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Assets/models/demo/tokenizer.json")
    }

    /// Encodes with and without truncation and checks what holds for every tokenizer.
    static func exercise(_ tok: Tokenizer, _ text: String, maxLength: Int, checkRange: Bool) {
        let e = tok.encode(text)
        if e.ids.count != e.tokens.count { FuzzScratch.violated("\(e.ids.count) ids but \(e.tokens.count) tokens") }
        if checkRange, let bad = e.ids.first(where: { $0 < 0 || Int($0) >= tok.vocabSize }) {
            FuzzScratch.violated("id \(bad) outside the vocabulary of \(tok.vocabSize) for \(text.debugDescription)")
        }
        let t = tok.encode(text, maxLength: maxLength)
        if checkRange && e.ids.count > maxLength && maxLength >= 2 && t.ids != Array(e.ids.prefix(maxLength - 1)) + [e.ids.last!] {
            FuzzScratch.violated("maxLength \(maxLength) gave \(t.ids), not a prefix of \(e.ids) for \(text.debugDescription)")
        }
        _ = tok.encode(text, addSpecialTokens: false)
        _ = tok.decode(e.ids)
        _ = tok.decode(t.ids, skipSpecialTokens: false)
    }
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> Int32 {
    let url = TokenizerHarness.demoTokenizerURL()
    do {
        TokenizerHarness.demo = try Tokenizer(contentsOf: url)
    } catch {
        print("fuzz-tokenizer: cannot load the demo tokenizer (\(error)); set CLIPSCOPE_FUZZ_TOKENIZER")
        exit(1)
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 1 else { return 0 }
    let mode = data[0]
    let rest = UnsafeBufferPointer(start: data + 1, count: size - 1)
    if mode & 1 == 0 {
        guard let tok = try? Tokenizer(data: Data(rest), name: "fuzz/tokenizer.json") else { return 0 }
        for (i, text) in TokenizerHarness.probes.enumerated() {
            // Ids of an arbitrary file's added tokens need not lie below vocabSize: no range check.
            TokenizerHarness.exercise(tok, text, maxLength: 2 + i, checkRange: false)
        }
        for id: Int32 in [-1, 0, 1, 2, 3, Int32(tok.vocabSize), Int32.max] { _ = tok.piece(for: id) }
    } else {
        guard let tok = TokenizerHarness.demo else { return 0 }
        let text = String(decoding: rest, as: UTF8.self)
        TokenizerHarness.exercise(tok, text, maxLength: Int(mode >> 1) % 64, checkRange: true)
    }
    return 0
}
