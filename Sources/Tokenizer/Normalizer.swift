// Normalizers: text → text, applied to each piece of the input between added tokens.
// Precompiled is the one XLM-R uses; the others appear in related tokenizer.json files
// (multilingual-e5 adds Replace(" {2,}" → " ")).
import Foundation

indirect enum Normalizer: Sendable {
    case sequence([Normalizer])
    case precompiled(PrecompiledCharsMap)
    case nfc, nfd, nfkc, nfkd, lowercase
    case strip(left: Bool, right: Bool)
    case replaceString(String, with: String)
    /// `c{n,}` where c is one character: runs of ≥ n copies of c → content (no regex engine needed).
    case replaceRun(Unicode.Scalar, minimum: Int, with: String)
    case replaceRegex(RegexBox, with: String)
    case prepend(String)

    init(_ config: NormalizerConfig) throws {
        switch config {
        case let .sequence(list): self = .sequence(try list.map(Normalizer.init))
        case let .precompiled(data):
            // An empty charsmap (some converted files carry one) changes nothing.
            self = data.isEmpty ? .sequence([]) : .precompiled(try PrecompiledCharsMap(data: data))
        case .nfc: self = .nfc
        case .nfd: self = .nfd
        case .nfkc: self = .nfkc
        case .nfkd: self = .nfkd
        case .lowercase: self = .lowercase
        case let .strip(left, right): self = .strip(left: left, right: right)
        case let .replace(.string(s), content): self = .replaceString(s, with: content)
        case let .replace(.regex(pattern), content):
            if let (scalar, n) = Normalizer.simpleRun(pattern) {
                self = .replaceRun(scalar, minimum: n, with: content)
            } else {
                do {
                    self = .replaceRegex(RegexBox(try NSRegularExpression(pattern: pattern)), with: content)
                } catch {
                    throw ConfigError.invalid("Replace normalizer: cannot compile regex \"\(pattern)\"")
                }
            }
        case let .prepend(s): self = .prepend(s)
        }
    }

    /// Recognises the pattern `c{n,}` (c a literal, non-special character, n ≥ 1).
    static func simpleRun(_ pattern: String) -> (Unicode.Scalar, Int)? {
        let scalars = Array(pattern.unicodeScalars)
        guard scalars.count >= 5, scalars[1] == "{", scalars.last == "}", scalars[scalars.count - 2] == "," else { return nil }
        let c = scalars[0]
        guard !"\\^$.|?*+()[]{}".unicodeScalars.contains(c) else { return nil }
        let digits = String(String.UnicodeScalarView(scalars[2..<(scalars.count - 2)]))
        guard let n = Int(digits), n >= 1 else { return nil }
        return (c, n)
    }

    func normalize(_ text: String) -> String {
        switch self {
        case let .sequence(list):
            var s = text
            for n in list { s = n.normalize(s) }
            return s
        case let .precompiled(map): return map.normalize(text[...])
        case .nfc: return text.precomposedStringWithCanonicalMapping
        case .nfd: return text.decomposedStringWithCanonicalMapping
        // Foundation's one-step NFKC leaves some Hangul jamo uncomposed (ﾢￌ → 꼬, not 꼬); NFKD + NFC is right.
        case .nfkc: return text.decomposedStringWithCompatibilityMapping.precomposedStringWithCanonicalMapping
        case .nfkd: return text.decomposedStringWithCompatibilityMapping
        case .lowercase: return text.lowercased()
        case let .strip(left, right):
            var scalars = Substring(text).unicodeScalars[...]
            if left { while let f = scalars.first, isUnicodeWhitespace(f) { scalars.removeFirst() } }
            if right { while let l = scalars.last, isUnicodeWhitespace(l) { scalars.removeLast() } }
            return String(String.UnicodeScalarView(scalars))
        case let .replaceString(pattern, content):
            return Normalizer.replaceLiteral(text, pattern, content)
        case let .replaceRun(c, minimum, content):
            var out = String.UnicodeScalarView()
            var run = 0
            func flush() {
                if run >= minimum { out.append(contentsOf: content.unicodeScalars) }
                else { for _ in 0..<run { out.append(c) } }
                run = 0
            }
            for s in text.unicodeScalars {
                if s == c { run += 1; continue }
                if run > 0 { flush() }
                out.append(s)
            }
            if run > 0 { flush() }
            return String(out)
        case let .replaceRegex(box, content):
            let ns = text as NSString
            return box.regex.stringByReplacingMatches(in: text, range: NSRange(location: 0, length: ns.length),
                                                      withTemplate: NSRegularExpression.escapedTemplate(for: content))
        case let .prepend(s):
            return text.isEmpty ? text : s + text
        }
    }
}

extension Normalizer {
    /// `normalize` plus the number of leading output bytes aligned to the input's first character
    /// (see PrecompiledCharsMap). Exact for Precompiled; for other normalizers it assumes the first
    /// output character alone comes from the first input character.
    func normalizeTracked(_ text: String) -> (text: String, firstBytes: Int) {
        switch self {
        case let .precompiled(map): return map.normalize(text[...], trackFirst: true)
        case let .sequence(list) where list.count == 1: return list[0].normalizeTracked(text)
        default:
            let out = normalize(text)
            return (out, out.unicodeScalars.first.map { String($0).utf8.count } ?? 0)
        }
    }

    /// Every non-overlapping occurrence of `pattern`, left to right, by code points (no
    /// grapheme-aware matching: "o" is replaced in "o\u{0301}" too, as in tokenizers).
    static func replaceLiteral(_ text: String, _ pattern: String, _ content: String) -> String {
        let p = Array(pattern.utf8)
        guard !p.isEmpty else { return text }
        let t = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(t.count)
        var i = 0
        while i < t.count {
            if t[i] == p[0], i + p.count <= t.count, t[i..<(i + p.count)].elementsEqual(p) {
                out.append(contentsOf: content.utf8)
                i += p.count
            } else {
                out.append(t[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// NSRegularExpression is immutable and thread-safe; the box only carries the Sendable promise.
final class RegexBox: @unchecked Sendable {
    let regex: NSRegularExpression
    init(_ regex: NSRegularExpression) { self.regex = regex }
}

/// Rust `char::is_whitespace` = Unicode White_Space (what WhitespaceSplit and Strip use).
@inline(__always) func isUnicodeWhitespace(_ s: Unicode.Scalar) -> Bool {
    switch s.value {
    case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
    default: return false
    }
}

/// Rust regex `\w` (Unicode): Alphabetic, marks, decimal digits, connector punctuation, Join_Control.
func isWordScalar(_ s: Unicode.Scalar) -> Bool {
    let p = s.properties
    if p.isAlphabetic || p.isJoinControl { return true }
    switch p.generalCategory {
    case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
    default: return false
    }
}
