// `clipscope bench tokenizer [--model DIR|NAME | --tokenizer FILE] [--repeats N] [--jsonl | TEXT…]`:
// single-thread tokenizer throughput over the given texts (or JSON lines {"text": …} on stdin), as
// one JSON object: impl, load_seconds, texts, repeats, tokens, seconds, cpu_seconds,
// tokens_per_second, tokens_per_cpu_second, mb_per_second. Scripts/bench/bench_tokenizer.sh runs it
// next to Hugging Face `tokenizers` on the same corpus.
import ArgumentParser
import CLISupport
import Foundation
import Tokenizer

struct TokenizerBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer", abstract: "Time the tokenizer on texts (arguments, or JSON lines on stdin with --jsonl).")

    @OptionGroup var modelOptions: ModelOptions
    @Option(name: .long, help: ArgumentHelp("A tokenizer.json to use instead of the model's.", valueName: "FILE"))
    var tokenizer: String?
    @Option(help: ArgumentHelp("Times every text is encoded.", valueName: "N")) var repeats = 5
    @Flag(help: "Read JSON lines {\"text\": ...} from stdin (lines without a text are skipped).") var jsonl = false
    @Argument(help: "Texts to tokenize.") var texts: [String] = []

    func validate() throws {
        try NumericOptions.repeats(repeats)
        if jsonl && !texts.isEmpty { throw ValidationError("give texts as arguments or --jsonl on stdin, not both") }
        if !jsonl && texts.isEmpty { throw ValidationError("nothing to tokenize: give TEXT arguments or --jsonl") }
    }

    func run() throws {
        let url = try ModelOptions.tokenizerURL(model: modelOptions.model, tokenizer: tokenizer,
                                                environment: ProcessInfo.processInfo.environment)
        let started = Date()
        let tok: Tokenizer
        do { tok = try Tokenizer(contentsOf: url) } catch { throw CLIError.failure("\(error)") }
        let loadSeconds = Date().timeIntervalSince(started)
        var input = texts
        if jsonl {
            input = []
            while let line = StdinLines.next() {
                if case let .success(text) = JSONLines.parse(line: line) { input.append(text) }
            }
        }
        try emit(Self.measure(tok, texts: input, repeats: repeats, loadSeconds: loadSeconds).rendered)
    }

    /// Every text encoded `repeats` times (with special tokens, no truncation) after one warm-up pass.
    /// Wall and thread-CPU seconds (CPU time is the fairer figure on a busy machine).
    static func measure(_ tok: Tokenizer, texts: [String], repeats: Int, loadSeconds: Double) -> JSON {
        func cpuSeconds() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        }
        var tokens = 0
        let bytes = texts.reduce(0) { $0 + $1.utf8.count }
        _ = texts.map { tok.encode($0) }   // warm-up (fills the word cache, like tokenizers' own)
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = cpuSeconds()
        for _ in 0..<repeats { for t in texts { tokens += tok.encode(t).ids.count } }
        let cpu = cpuSeconds() - cpuStart
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return .object([
            ("impl", .string("clipscope (Swift)")), ("load_seconds", .double(loadSeconds)), ("texts", .int(texts.count)),
            ("repeats", .int(repeats)), ("tokens", .int(tokens)), ("seconds", .double(seconds)), ("cpu_seconds", .double(cpu)),
            ("tokens_per_second", .double(Double(tokens) / seconds)), ("tokens_per_cpu_second", .double(Double(tokens) / cpu)),
            ("mb_per_second", .double(Double(bytes * repeats) / seconds / 1e6)),
        ])
    }
}
