// Every integer option of every command is checked here, before anything is allocated from it:
// a value outside its range is a usage error (exit 2) that names the option and the range.
//   --top       1 … ∞, then clamped to the number of items (`clampedTop`), so a huge k never sizes a buffer
//   --dims      1 … model width (`checkDims`, once the model is known; lists in eval/compare the same)
//   --threads   1 … maxThreads      --max-length 2 … maxTokens      --repeats, --retries 1 … maxRepeats
import ArgumentParser
import Foundation

public enum NumericOptions {
    /// Compute threads beyond this are refused (OpenBLAS and the worker pools size buffers per thread).
    public static let maxThreads = 1024
    /// The text tower's trained context (jina-clip-v2: 8192 tokens); `<s>` and `</s>` included.
    public static let maxTokens = 8192
    /// Upper bound for repeat counts (--repeats, --retries, benchmark counts).
    public static let maxRepeats = 1_000_000

    /// `value` must lie in `range`; otherwise a usage error "--NAME N is outside LO…HI" (+ why).
    public static func check(_ value: Int?, _ name: String, _ range: ClosedRange<Int>, why: String = "") throws {
        guard let value, !range.contains(value) else { return }
        let bound = range.upperBound == Int.max ? "at least \(range.lowerBound)" : "\(range.lowerBound)…\(range.upperBound)"
        throw ValidationError("--\(name) \(value) is out of range: it must be \(bound)" + (why.isEmpty ? "" : " (\(why))"))
    }

    public static func threads(_ value: Int?) throws { try check(value, "threads", 1...maxThreads) }
    public static func maxLength(_ value: Int?) throws {
        try check(value, "max-length", 2...maxTokens, why: "it counts <s> and </s>; the text tower's context is \(maxTokens) tokens")
    }
    public static func repeats(_ value: Int?, _ name: String = "repeats") throws { try check(value, name, 1...maxRepeats) }
    public static func top(_ value: Int) throws { try check(value, "top", 1...Int.max) }

    /// `--top` above the number of items means "all of them".
    public static func clampedTop(_ top: Int, items: Int) -> Int { max(0, min(top, items)) }

    /// A comma-separated list of dimensions, each 1…width (eval, compare); nil width = checked later.
    public static func dimsList(_ s: String, width: Int?) throws -> [Int] {
        let parts = s.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var out: [Int] = []
        for p in parts {
            guard let d = Int(p), d >= 1, d <= (width ?? Int.max) else {
                throw ValidationError("--dims: \"\(p)\" is not a dimension between 1 and \(width.map(String.init) ?? "the model's width")")
            }
            out.append(d)
        }
        return out
    }
}
