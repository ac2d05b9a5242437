// `clipscope tokenize`: the model's tokenizer.json → one JSON object per text on stdout:
//   {"text": "…", "ids": [0, …, 2], "tokens": ["<s>", "▁…", …, "</s>"]}
// With --jsonl, texts come from stdin as JSON lines {"text": …}; every input line gets exactly one output
// line, in order; a line that cannot be used gets {"error": …} and the exit status becomes 1.
// The protocol itself is CLISupport's JSONLines.
import ArgumentParser
import CLISupport
import Foundation
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

    @Argument(help: "Texts to tokenize.")
    var texts: [String] = []

    func validate() throws {
        try NumericOptions.maxLength(maxLength)
    }

    func run() throws {
        if jsonl && !texts.isEmpty { throw CLIError.usage("give texts as arguments or --jsonl on stdin, not both") }
        if !jsonl && texts.isEmpty { throw CLIError.usage("nothing to tokenize: give TEXT arguments or --jsonl (JSON lines on stdin)") }
        let url = try ModelOptions.tokenizerURL(model: modelOptions.model, tokenizer: tokenizer,
                                                environment: ProcessInfo.processInfo.environment)
        let tok: Tokenizer
        do { tok = try Tokenizer(contentsOf: url) } catch { throw CLIError.failure("\(error)") }
        let options = TokenizeOptions(addSpecialTokens: !noSpecialTokens, maxLength: maxLength)

        if jsonl {
            var lineNumber = 0
            var failures = 0
            while let line = StdinLines.next() {
                lineNumber += 1
                let result = JSONLines.process(line: line, number: lineNumber, tokenizer: tok, options: options)
                if result.failed { failures += 1 }
                try emit(result.output)
                try flushOutput()   // one answer per line as it comes (a driver may wait for each)
            }
            if failures > 0 { throw InputFailure("clipscope tokenize: \(failures) of \(lineNumber) input lines failed") }
        } else {
            for text in texts {
                try emit(JSONLines.encodingLine(text: text, encoding: options.encode(text, with: tok)))
            }
        }
    }
}
