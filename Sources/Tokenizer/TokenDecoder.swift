// Decoding ids back to text: tokenizers' `Tokenizer::decode` = ids → token strings (added tokens first,
// then the model vocabulary; unknown ids are dropped; special tokens skipped on request) → decoder →
// concatenation. The Metaspace decoder turns every replacement character into a space, except in the
// first token, where it is removed (prepend scheme always/first), undoing the prepended ▁.
import Foundation

enum TokenDecoder: Sendable {
    case metaspace(replacement: Unicode.Scalar, prependScheme: PrependScheme)

    init(_ config: DecoderConfig) {
        switch config {
        case let .metaspace(replacement, scheme):
            self = .metaspace(replacement: replacement.unicodeScalars.first ?? "\u{2581}", prependScheme: scheme)
        }
    }

    func decode(_ tokens: [String]) -> String {
        switch self {
        case let .metaspace(rep, scheme):
            var out = ""
            for (i, token) in tokens.enumerated() {
                for c in token.unicodeScalars {
                    if c == rep {
                        if i == 0 && scheme != .never { continue }
                        out.unicodeScalars.append(" ")
                    } else {
                        out.unicodeScalars.append(c)
                    }
                }
            }
            return out
        }
    }
}
