// Post-processing for a single sequence: TemplateProcessing `single` (XLM-R: `<s> $A </s>`) or the
// Roberta/Bert form `cls A sep`. Only the ids and token strings are produced (no type ids, no masks:
// jina-clip-v2 recomputes the mask as ids != pad inside the model).
import Foundation

struct PostProcessor: Sendable {
    /// Special ids/tokens before and after the sequence.
    var prefix: [(id: Int32, token: String)]
    var suffix: [(id: Int32, token: String)]

    /// Number of ids added around a single sequence (what truncation reserves).
    var addedCount: Int { prefix.count + suffix.count }

    init(_ config: PostProcessorConfig) throws {
        switch config {
        case let .clsSep(cls, sep):
            prefix = [(try tokenId(cls.1, "post_processor cls"), cls.0)]
            suffix = [(try tokenId(sep.1, "post_processor sep"), sep.0)]
        case let .template(single, specialTokens):
            prefix = []; suffix = []
            var seenSequence = false
            for piece in single {
                switch piece {
                case let .special(name):
                    guard let entry = specialTokens[name] else {
                        throw ConfigError.invalid("post_processor: template uses special token '\(name)' missing from special_tokens")
                    }
                    guard entry.ids.count == entry.tokens.count else {
                        throw ConfigError.invalid("post_processor: special token '\(name)' has \(entry.ids.count) ids but \(entry.tokens.count) tokens")
                    }
                    let items = try zip(entry.ids, entry.tokens).map { (try tokenId($0, "post_processor '\(name)'"), $1) }
                    if seenSequence { suffix += items } else { prefix += items }
                case let .sequence(name):
                    guard name == "A", !seenSequence else {
                        throw ConfigError.invalid("post_processor: single template must contain $A exactly once (found $\(name))")
                    }
                    seenSequence = true
                }
            }
            guard seenSequence else { throw ConfigError.invalid("post_processor: single template has no $A") }
        }
    }
}

/// A token id from the file as Int32 (ids are 0 ..< 2^31); anything else is a load error, not a trap.
func tokenId(_ value: Int, _ what: String) throws -> Int32 {
    guard value >= 0, let id = Int32(exactly: value) else { throw ConfigError.invalid("\(what): id \(value) is out of range") }
    return id
}
