// The fixture tokenizers, loaded once per test process (the real one is 17 MB), and golden-file reading.
import Foundation
import TestSupport
@testable import Tokenizer

enum Shared {
    static let jinaURL = Fixtures.xlmr.appendingPathComponent("tokenizer.json")
    static let e5URL = Fixtures.xlmr.appendingPathComponent("tokenizer.e5.json")
    static let tinyURL = Fixtures.tiny("tokenizer.json")

    private static let jinaResult = Result { try Tokenizer(contentsOf: jinaURL) }
    private static let e5Result = Result { try Tokenizer(contentsOf: e5URL) }
    private static let tinyResult = Result { try Tokenizer(contentsOf: tinyURL) }

    static func jina() throws -> Tokenizer { try jinaResult.get() }
    static func e5() throws -> Tokenizer { try e5Result.get() }
    static func tiny() throws -> Tokenizer { try tinyResult.get() }
}

struct GoldenLine {
    var line: Int
    var text: String
    var ids: [Int32]
}

enum Golden {
    /// Reads a golden .jsonl file: one {"text", "ids", …} object per line.
    static func read(_ url: URL) throws -> [GoldenLine] {
        let data = try Data(contentsOf: url)
        var out: [GoldenLine] = []
        for (i, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() where !line.isEmpty {
            let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
            guard let text = object?["text"] as? String, let ids = object?["ids"] as? [Int] else {
                throw NSError(domain: "golden", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(url.lastPathComponent) line \(i + 1): bad golden line"])
            }
            out.append(GoldenLine(line: i + 1, text: text, ids: ids.map(Int32.init)))
        }
        return out
    }
}

/// A small tokenizer.json around a hand-made Unigram vocabulary (for per-stage tests).
func makeTokenizerJSON(vocab: [(String, Double)], unkId: Int? = 0,
                       normalizer: String = "null",
                       preTokenizer: String = #"{"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": true}"#,
                       addedTokens: String = "[]", postProcessor: String = "null",
                       decoder: String = #"{"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": true}"#) -> Data {
    func quote(_ s: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: [s], options: [.fragmentsAllowed])
        let text = String(decoding: data, as: UTF8.self)
        return String(text.dropFirst().dropLast())
    }
    let v = vocab.map { "[\(quote($0.0)), \($0.1)]" }.joined(separator: ", ")
    let unk = unkId.map(String.init) ?? "null"
    let json = """
    {"version": "1.0", "truncation": null, "padding": null, "added_tokens": \(addedTokens),
     "normalizer": \(normalizer), "pre_tokenizer": \(preTokenizer), "post_processor": \(postProcessor),
     "decoder": \(decoder), "model": {"type": "Unigram", "unk_id": \(unk), "vocab": [\(v)]}}
    """
    return Data(json.utf8)
}
