// `clipscope tokenize`: JSON-line formatting and parsing, tokenizer resolution, exit statuses.
import Foundation
import Testing
import TestSupport
import Tokenizer
@testable import ClipScopeCLI
@testable import CLISupport

@Suite struct TokenizeCommandTests {
    static let tinyTokenizer = Result { try Tokenizer(contentsOf: Fixtures.tiny("tokenizer.json")) }

    @Test func encodingLineKeepsKeyOrderAndEscapes() throws {
        let line = JSONLines.encodingLine(text: "a \"q\"\\\n\t\u{1}\u{2028}é▁",
                                          encoding: Encoding(ids: [0, 5, 2], tokens: ["<s>", "▁a", "</s>"]))
        #expect(line == #"{"text": "a \"q\"\\\n\t\u0001\u2028é▁", "ids": [0, 5, 2], "tokens": ["<s>", "▁a", "</s>"]}"#)
        // It is valid JSON that round-trips.
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(object?["text"] as? String == "a \"q\"\\\n\t\u{1}\u{2028}é▁")
        #expect(object?["ids"] as? [Int] == [0, 5, 2])
        #expect(JSONLines.errorLine(text: nil, error: "line 3: not valid JSON") == #"{"error": "line 3: not valid JSON"}"#)
        #expect(JSONLines.errorLine(text: "x", error: "bad") == #"{"text": "x", "error": "bad"}"#)
    }

    @Test func processOneLinePerInput() throws {
        let tok = try Self.tinyTokenizer.get()
        let options = TokenizeOptions(addSpecialTokens: true, maxLength: nil)
        let ok = JSONLines.process(line: Array(#"{"text": "I ❤️ pizza", "id": 7}"#.utf8), number: 1, tokenizer: tok, options: options)
        #expect(!ok.failed)
        #expect(ok.output == #"{"text": "I ❤️ pizza", "ids": [0, 87, 6, 3, 304, 2], "tokens": ["<s>", "▁I", "▁", "❤️", "▁pizza", "</s>"]}"#)

        let cases: [([UInt8], String)] = [
            (Array("not json".utf8), "line 2: not valid JSON"),
            ([0x7B, 0x22, 0xFF, 0x22, 0x7D], "line 2: not valid UTF-8"),
            (Array(#"["text"]"#.utf8), "line 2: not a JSON object"),
            (Array(#"{"txt": "a"}"#.utf8), "line 2: no \"text\" field"),
            (Array(#"{"text": 5}"#.utf8), "line 2: \"text\" is not a string"),
            (Array("   ".utf8), "line 2: empty line"),
        ]
        for (bytes, prefix) in cases {
            let r = JSONLines.process(line: bytes, number: 2, tokenizer: tok, options: options)
            #expect(r.failed)
            let object = try JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [String: Any]
            let message = try #require(object?["error"] as? String)
            #expect(message.hasPrefix(prefix), "\(message)")
        }
    }

    @Test func loneSurrogatesBecomeReplacementCharacters() throws {
        let tok = try Self.tinyTokenizer.get()
        let options = TokenizeOptions(addSpecialTokens: true, maxLength: nil)
        let r = JSONLines.process(line: Array(#"{"text": "a\ud800b \udc00 \ud83d\ude00"}"#.utf8), number: 1, tokenizer: tok, options: options)
        #expect(!r.failed)
        let object = try JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [String: Any]
        #expect(object?["text"] as? String == "a\u{FFFD}b \u{FFFD} 😀")
        #expect(JSONLines.repairLoneSurrogates(Array(#"{"text": "\\ud800"}"#.utf8)) == nil)   // an escaped backslash, not an escape
    }

    @Test func maxLengthAndNoSpecialTokens() throws {
        let tok = try Self.tinyTokenizer.get()
        let text = "A photo of a blue cat sitting on a red mat."
        #expect(TokenizeOptions(addSpecialTokens: false, maxLength: nil).encode(text, with: tok).ids.first != 0)
        #expect(TokenizeOptions(addSpecialTokens: true, maxLength: 5).encode(text, with: tok).ids.count == 5)
    }

    @Test func tokenizerResolution() throws {
        let dir = Fixtures.tiny.path
        #expect(try ModelOptions.tokenizerURL(model: dir, tokenizer: nil, environment: [:]).lastPathComponent == "tokenizer.json")
        #expect(try ModelOptions.tokenizerURL(model: nil, tokenizer: nil, environment: ["CLIPSCOPE_MODEL": dir]).path.hasPrefix(dir))
        let file = Fixtures.tiny("tokenizer.json").path
        #expect(try ModelOptions.tokenizerURL(model: nil, tokenizer: file, environment: [:]).path == file)
        func status(_ model: String?, _ tokenizer: String?, _ env: [String: String] = [:]) -> Int32? {
            do { _ = try ModelOptions.tokenizerURL(model: model, tokenizer: tokenizer, environment: env); return nil }
            catch let e as CLIError { return e.exitStatus } catch { return -1 }
        }
        #expect(status(dir, file) == 2)
        #expect(status("no-such-model-name", nil) == 1)        // names go through ModelResolver
        #expect(status("/nonexistent", nil) == 1)
        #expect(status(Fixtures.root.path, nil) == 1)          // a directory without tokenizer.json
        #expect(status(nil, dir) == 1)                          // --tokenizer given a directory
        #expect(status(nil, "/nonexistent/tokenizer.json") == 1)
    }

    @Test func exitStatuses() {
        let tokenizer = Fixtures.tiny("tokenizer.json").path
        #expect(ClipScopeMain.runReturningStatus(["tokenize", "--tokenizer", tokenizer, "hello"]) == 0)
        #expect(ClipScopeMain.runReturningStatus(["tokenize", "--model", Fixtures.tiny.path, "--max-length", "8", "hello", "world"]) == 0)
        #expect(ClipScopeMain.runReturningStatus(["tokenize", "--tokenizer", tokenizer]) == 2)          // nothing to tokenize
        #expect(ClipScopeMain.runReturningStatus(["tokenize", "--tokenizer", tokenizer, "--max-length", "1", "x"]) == 2)
        #expect(ClipScopeMain.runReturningStatus(["tokenize", "--tokenizer", tokenizer, "--jsonl", "x"]) == 2)
        #expect(ClipScopeMain.runReturningStatus(["tokenize", "--tokenizer", "/nonexistent.json", "x"]) == 1)
        #expect(ClipScopeMain.runReturningStatus(["tokenize", "--max-length", "abc", "x"]) == 2)
    }
}
