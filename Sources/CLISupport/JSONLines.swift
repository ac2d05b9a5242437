// The JSON-lines protocol of `tokenize --jsonl` (and `bench tokenizer --jsonl`): one input line
// {"text": …} → one output line {"text": …, "ids": […], "tokens": […]} or {"error": …}. Free of I/O
// so tests can call it.
import Foundation
import Tokenizer

public struct TokenizeOptions {
    public var addSpecialTokens = true
    public var maxLength: Int?
    public init(addSpecialTokens: Bool = true, maxLength: Int? = nil) {
        self.addSpecialTokens = addSpecialTokens; self.maxLength = maxLength
    }
    public func encode(_ text: String, with tok: Tokenizer) -> Encoding {
        tok.encode(text, addSpecialTokens: addSpecialTokens, maxLength: maxLength)
    }
}

/// JSON-lines formatting and parsing for `tokenize --jsonl` (kept free of I/O so tests can call it).
public enum JSONLines {
    /// `{"text": …, "ids": […], "tokens": […]}` with keys in that order.
    public static func encodingLine(text: String, encoding: Encoding) -> String {
        JSON.object([("text", .string(text)), ("ids", .array(encoding.ids.map { .int(Int($0)) })),
                     ("tokens", .array(encoding.tokens.map { .string($0) }))]).rendered
    }

    /// `{"text": …, "error": …}`, or `{"error": …}` when there is no text.
    public static func errorLine(text: String?, error: String) -> String {
        JSON.object((text.map { [("text", JSON.string($0))] } ?? []) + [("error", .string(error))]).rendered
    }

    /// The text of a JSON line `{"text": "…"}`, or a message saying why there is none.
    public static func parse(line: [UInt8]) -> Result<String, LineError> {
        guard String(validating: line, as: UTF8.self) != nil else { return .failure(LineError(message: "not valid UTF-8")) }
        guard line.contains(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0D) }) else {
            return .failure(LineError(message: "empty line (expected {\"text\": ...})"))
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(line), options: [])
        } catch {
            // JSONSerialization rejects lone surrogate escapes ("\ud800"); read them as U+FFFD instead.
            guard let repaired = repairLoneSurrogates(line),
                  let again = try? JSONSerialization.jsonObject(with: Data(repaired), options: []) else {
                return .failure(LineError(message: "not valid JSON"))
            }
            object = again
        }
        guard let dict = object as? [String: Any] else { return .failure(LineError(message: "not a JSON object (expected {\"text\": ...})")) }
        guard let value = dict["text"] else { return .failure(LineError(message: "no \"text\" field")) }
        guard let text = value as? String else { return .failure(LineError(message: "\"text\" is not a string")) }
        return .success(text)
    }

    public struct LineError: Error { public var message: String }

    /// Replaces `\uD800`–`\uDFFF` escapes that are not part of a surrogate pair by `\ufffd`.
    /// Returns nil when there was nothing to repair.
    public static func repairLoneSurrogates(_ line: [UInt8]) -> [UInt8]? {
        func hex(_ i: Int) -> UInt32? {
            guard i + 6 <= line.count, line[i] == UInt8(ascii: "\\"), line[i + 1] == UInt8(ascii: "u") else { return nil }
            var v: UInt32 = 0
            for k in 2..<6 {
                guard let d = Character(Unicode.Scalar(line[i + k])).hexDigitValue else { return nil }
                v = v << 4 | UInt32(d)
            }
            return v
        }
        var out: [UInt8] = []
        out.reserveCapacity(line.count)
        var changed = false
        var i = 0
        let replacement = Array("\\ufffd".utf8)
        while i < line.count {
            guard line[i] == UInt8(ascii: "\\"), i + 1 < line.count else { out.append(line[i]); i += 1; continue }
            guard let v = hex(i) else { out.append(line[i]); out.append(line[i + 1]); i += 2; continue }
            if (0xD800..<0xDC00).contains(v), let w = hex(i + 6), (0xDC00..<0xE000).contains(w) {
                out.append(contentsOf: line[i..<(i + 12)]); i += 12
            } else if (0xD800..<0xE000).contains(v) {
                out.append(contentsOf: replacement); i += 6; changed = true
            } else {
                out.append(contentsOf: line[i..<(i + 6)]); i += 6
            }
        }
        return changed ? out : nil
    }

    public static func text(ofLine line: [UInt8]) -> String? {
        if case let .success(t) = parse(line: line) { return t }
        return nil
    }

    /// One input line → one output line.
    public static func process(line: [UInt8], number: Int, tokenizer: Tokenizer, options: TokenizeOptions) -> (output: String, failed: Bool) {
        switch parse(line: line) {
        case let .success(text):
            return (encodingLine(text: text, encoding: options.encode(text, with: tokenizer)), false)
        case let .failure(e):
            return (errorLine(text: nil, error: "line \(number): \(e.message)"), true)
        }
    }
}
