// `clipscope tokenize`: the model's tokenizer.json → one JSON object per text on stdout:
//   {"text": "…", "ids": [0, …, 2], "tokens": ["<s>", "▁…", …, "</s>"]}
// With --jsonl, texts come from stdin as JSON lines {"text": …}; every input line gets exactly one output
// line, in order; a line that cannot be used gets {"error": …} and the exit status becomes 1.
import ArgumentParser
import Foundation
import ModelHub
import Tokenizer

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenize text with the model's tokenizer.json.",
        discussion: """
        Prints one JSON object per text: {"text": ..., "ids": [...], "tokens": [...]}. Ids include \
        <s> and </s> unless --no-special-tokens; nothing is truncated unless --max-length is given \
        (the limit counts the special tokens, like jina-clip-v2's encode_text with max_length 512). \
        With --jsonl, reads JSON lines {"text": ...} from stdin and writes exactly one line per input \
        line; lines that cannot be read get {"error": ...} and the exit status is 1.
        """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: ArgumentHelp("A tokenizer.json to use instead of the model's.", valueName: "FILE"))
    var tokenizer: String?

    @Option(name: .customLong("max-length"), help: ArgumentHelp("Truncate to N ids, special tokens included (N ≥ 2).", valueName: "N"))
    var maxLength: Int?

    @Flag(name: .customLong("no-special-tokens"), help: "Leave out <s> and </s>.")
    var noSpecialTokens = false

    @Flag(help: "Read JSON lines {\"text\": ...} from stdin.")
    var jsonl = false

    @Option(name: .customLong("bench-repeat"), help: .hidden)
    var benchRepeat: Int?

    @Argument(help: "Texts to tokenize.")
    var texts: [String] = []

    func validate() throws {
        try NumericOptions.maxLength(maxLength)
        try NumericOptions.repeats(benchRepeat, "bench-repeat")
    }

    func run() throws {
        if jsonl && !texts.isEmpty { throw CLIError.usage("give texts as arguments or --jsonl on stdin, not both") }
        if !jsonl && texts.isEmpty { throw CLIError.usage("nothing to tokenize: give TEXT arguments or --jsonl (JSON lines on stdin)") }
        let url = try TokenizeCommand.tokenizerURL(model: modelOptions.model, tokenizer: tokenizer,
                                                   environment: ProcessInfo.processInfo.environment)
        let started = Date()
        let tok: Tokenizer
        do { tok = try Tokenizer(contentsOf: url) } catch { throw CLIError.failure("\(error)") }
        let loadSeconds = Date().timeIntervalSince(started)
        let options = TokenizeOptions(addSpecialTokens: !noSpecialTokens, maxLength: maxLength)

        if let benchRepeat {
            let input = jsonl ? TokenizeCommand.readAllLines().compactMap { JSONLines.text(ofLine: $0) } : texts
            print(TokenizeCommand.benchmark(tok, texts: input, repeats: max(1, benchRepeat), loadSeconds: loadSeconds))
            return
        }
        let out = StdoutWriter()
        if jsonl {
            var lineNumber = 0
            var failures = 0
            while let line = StdinLines.next() {
                lineNumber += 1
                let result = JSONLines.process(line: line, number: lineNumber, tokenizer: tok, options: options)
                if result.failed { failures += 1 }
                out.write(result.output + "\n")
                out.flush()   // one answer per line as it comes (a driver may wait for each)
            }
            out.flush()
            if failures > 0 { throw InputFailure("clipscope tokenize: \(failures) of \(lineNumber) input lines failed") }
        } else {
            for text in texts {
                out.write(JSONLines.encodingLine(text: text, encoding: options.encode(text, with: tok)) + "\n")
            }
            out.flush()
        }
    }

    /// --tokenizer FILE, else the tokenizer.json of the resolved model (--model DIR|NAME).
    static func tokenizerURL(model: String?, tokenizer: String?, environment: [String: String]) throws -> URL {
        let fm = FileManager.default
        if let tokenizer {
            if model != nil { throw CLIError.usage("give --model DIR or --tokenizer FILE, not both") }
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: tokenizer, isDirectory: &isDir) else {
                throw CLIError.failure("\(tokenizer): no such file")
            }
            if isDir.boolValue { throw CLIError.failure("\(tokenizer): is a directory; --tokenizer wants a tokenizer.json file (use --model DIR for a model folder)") }
            return URL(fileURLWithPath: tokenizer)
        }
        // --model DIR|NAME, else the shared default order ($CLIPSCOPE_MODEL, jina-clip-v2, demo).
        let resolved: ResolvedModel
        do { resolved = try ModelResolver.resolve(model, environment: environment) } catch {
            throw CLIError.failure("\(error)")
        }
        let url = resolved.directory.appendingPathComponent("tokenizer.json")
        guard fm.fileExists(atPath: url.path) else {
            throw CLIError.failure("\(resolved.directory.path): no tokenizer.json in this directory")
        }
        return url
    }

    static func readAllLines() -> [[UInt8]] {
        var lines: [[UInt8]] = []
        while let l = StdinLines.next() { lines.append(l) }
        return lines
    }

    /// Single-thread throughput: every text encoded `repeats` times (with special tokens, no truncation).
    /// Reports wall and thread-CPU seconds (CPU time is the fairer figure on a busy machine).
    static func benchmark(_ tok: Tokenizer, texts: [String], repeats: Int, loadSeconds: Double) -> String {
        func cpuSeconds() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        }
        var tokens = 0
        var bytes = 0
        for t in texts { bytes += t.utf8.count }
        _ = texts.map { tok.encode($0) }   // warm-up (fills the word cache, like tokenizers' own)
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = cpuSeconds()
        for _ in 0..<repeats { for t in texts { tokens += tok.encode(t).ids.count } }
        let cpu = cpuSeconds() - cpuStart
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return "{\"impl\": \"clipscope (Swift)\", \"load_seconds\": \(loadSeconds), \"texts\": \(texts.count), "
            + "\"repeats\": \(repeats), \"tokens\": \(tokens), \"seconds\": \(seconds), \"cpu_seconds\": \(cpu), "
            + "\"tokens_per_second\": \(Double(tokens) / seconds), \"tokens_per_cpu_second\": \(Double(tokens) / cpu), "
            + "\"mb_per_second\": \(Double(bytes * repeats) / seconds / 1e6)}"
    }
}

struct TokenizeOptions {
    var addSpecialTokens = true
    var maxLength: Int?
    func encode(_ text: String, with tok: Tokenizer) -> Encoding {
        tok.encode(text, addSpecialTokens: addSpecialTokens, maxLength: maxLength)
    }
}

/// JSON-lines formatting and parsing for `tokenize --jsonl` (kept free of I/O so tests can call it).
enum JSONLines {
    /// `{"text": …, "ids": […], "tokens": […]}` with keys in that order.
    static func encodingLine(text: String, encoding: Encoding) -> String {
        var s = "{\"text\": " + JSONText.quote(text) + ", \"ids\": ["
        s += encoding.ids.map(String.init).joined(separator: ", ")
        s += "], \"tokens\": ["
        s += encoding.tokens.map(JSONText.quote).joined(separator: ", ")
        return s + "]}"
    }

    /// `{"text": …, "error": …}`, or `{"error": …}` when there is no text.
    static func errorLine(text: String?, error: String) -> String {
        if let text { return "{\"text\": " + JSONText.quote(text) + ", \"error\": " + JSONText.quote(error) + "}" }
        return "{\"error\": " + JSONText.quote(error) + "}"
    }

    /// The text of a JSON line `{"text": "…"}`, or a message saying why there is none.
    static func parse(line: [UInt8]) -> Result<String, LineError> {
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

    struct LineError: Error { var message: String }

    /// Replaces `\uD800`–`\uDFFF` escapes that are not part of a surrogate pair by `\ufffd`.
    /// Returns nil when there was nothing to repair.
    static func repairLoneSurrogates(_ line: [UInt8]) -> [UInt8]? {
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

    static func text(ofLine line: [UInt8]) -> String? {
        if case let .success(t) = parse(line: line) { return t }
        return nil
    }

    /// One input line → one output line.
    static func process(line: [UInt8], number: Int, tokenizer: Tokenizer, options: TokenizeOptions) -> (output: String, failed: Bool) {
        switch parse(line: line) {
        case let .success(text):
            return (encodingLine(text: text, encoding: options.encode(text, with: tokenizer)), false)
        case let .failure(e):
            return (errorLine(text: nil, error: "line \(number): \(e.message)"), true)
        }
    }
}

enum JSONText {
    /// A JSON string literal. Control characters (C0, DEL, the C1 range U+0080…U+009F), U+2028 and
    /// U+2029 are escaped, so no output byte is a terminal control and the output splits into lines
    /// only where it should; other characters are written as UTF-8.
    static func quote(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if u.value < 0x20 || (u.value >= 0x7F && u.value <= 0x9F) || u.value == 0x2028 || u.value == 0x2029 {
                    out += String(format: "\\u%04x", u.value)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}

/// Raw stdin lines (split on \n only, bytes kept as they are so invalid UTF-8 can be reported).
enum StdinLines {
    static func next() -> [UInt8]? {
        var linePtr: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(linePtr) }
        let n = getline(&linePtr, &capacity, stdin)
        guard n >= 0, let linePtr else { return nil }
        var bytes = [UInt8](UnsafeRawBufferPointer(start: linePtr, count: n))
        if bytes.last == 0x0A { bytes.removeLast() }
        return bytes
    }
}

/// Buffered stdout (flushes at 64 KB and on request).
final class StdoutWriter {
    private var buffer: [UInt8] = []
    func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }
    func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { _ = fwrite($0.baseAddress, 1, $0.count, stdout) }
        fflush(stdout)
        buffer.removeAll(keepingCapacity: true)
    }
}
