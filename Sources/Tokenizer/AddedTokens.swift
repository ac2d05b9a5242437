// Added tokens (`added_tokens`: <s> <pad> </s> <unk> <mask> for XLM-R) are cut out of the text before the
// normalizer runs (those with `normalized: false`), anywhere in the text, like tokenizers'
// AddedVocabulary::find_matches:
//   · leftmost-longest, non-overlapping matches (Aho-Corasick LeftmostLongest over the UTF-8 bytes);
//   · single_word: the match is skipped when a word character (\w) touches it on either side;
//   · lstrip: the match swallows the whitespace before it (not past the previous match);
//   · rstrip: the match swallows the whitespace after it.
// Tokens with `normalized: true` are matched the same way, afterwards, in the normalized text.
import Foundation

struct AddedToken: Sendable {
    var id: Int32
    var content: [UInt8]
    var singleWord: Bool
    var lstrip: Bool
    var rstrip: Bool
    var normalized: Bool
    var special: Bool

    init(_ c: AddedTokenConfig) throws {
        id = try tokenId(c.id, "added token '\(c.content)'"); content = Array(c.content.utf8)
        singleWord = c.singleWord; lstrip = c.lstrip; rstrip = c.rstrip
        normalized = c.normalized; special = c.special
    }
}

/// One piece of a split: plain text (byte range) or a matched added token.
enum Segment: Equatable {
    case text(Range<Int>)
    case token(id: Int32, range: Range<Int>)
}

struct AddedTokenMatcher: Sendable {
    /// Tokens to search for, with the byte pattern actually searched (content, normalized if needed).
    private let patterns: [(pattern: [UInt8], token: AddedToken)]
    private var byFirstByte: [[Int]] = Array(repeating: [], count: 256)

    var isEmpty: Bool { patterns.isEmpty }

    init(_ patterns: [(pattern: [UInt8], token: AddedToken)]) {
        self.patterns = patterns.filter { !$0.pattern.isEmpty }
        for (k, p) in self.patterns.enumerated() { byFirstByte[Int(p.pattern[0])].append(k) }
    }

    /// Splits `text` into text segments and token matches (empty text segments are omitted).
    func split(_ text: UnsafeBufferPointer<UInt8>) -> [Segment] {
        let n = text.count
        guard !patterns.isEmpty, n > 0 else { return n > 0 ? [.text(0..<n)] : [] }
        var out: [Segment] = []
        var startOffset = 0
        var i = 0
        while i < n {
            let candidates = byFirstByte[Int(text[i])]
            if candidates.isEmpty { i += 1; continue }
            // Longest pattern matching at i.
            var best = -1, bestLen = 0
            for k in candidates {
                let p = patterns[k].pattern
                if p.count > bestLen, i + p.count <= n, memcmp(text.baseAddress! + i, p, p.count) == 0 {
                    best = k; bestLen = p.count
                }
            }
            if best < 0 { i += 1; continue }
            let token = patterns[best].token
            var start = i, stop = i + bestLen
            i = stop   // the search resumes after the raw match whatever happens below
            if token.singleWord {
                let wordBefore = start > 0 && lastScalar(text, before: start).map(isWordScalar) == true
                let wordAfter = stop < n && firstScalar(text, at: stop).map(isWordScalar) == true
                if wordBefore || wordAfter { continue }
            }
            if token.lstrip {
                var s = start
                while s > startOffset, let (scalar, len) = lastScalarAndLength(text, before: s), isUnicodeWhitespace(scalar) { s -= len }
                start = max(s, startOffset)
            }
            if token.rstrip {
                while stop < n, let scalar = firstScalar(text, at: stop), isUnicodeWhitespace(scalar) {
                    stop += utf8Length(text[stop])
                }
                stop = min(stop, n)
            }
            start = max(start, startOffset)
            if startOffset < start { out.append(.text(startOffset..<start)) }
            out.append(.token(id: token.id, range: start..<stop))
            startOffset = stop
            i = max(i, stop)
        }
        if startOffset < n { out.append(.text(startOffset..<n)) }
        return out
    }
}

// MARK: - UTF-8 helpers (input is valid UTF-8: it comes from a Swift String)

func firstScalar(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> Unicode.Scalar? {
    let n = min(utf8Length(p[i]), p.count - i)
    return decodeScalar(UnsafeBufferPointer(rebasing: p[i..<(i + n)]))
}

func lastScalar(_ p: UnsafeBufferPointer<UInt8>, before end: Int) -> Unicode.Scalar? {
    lastScalarAndLength(p, before: end)?.0
}

func lastScalarAndLength(_ p: UnsafeBufferPointer<UInt8>, before end: Int) -> (Unicode.Scalar, Int)? {
    guard end > 0 else { return nil }
    var s = end - 1
    while s > 0, p[s] & 0xC0 == 0x80, end - s < 4 { s -= 1 }
    guard let scalar = decodeScalar(UnsafeBufferPointer(rebasing: p[s..<end])) else { return nil }
    return (scalar, end - s)
}

func decodeScalar(_ bytes: UnsafeBufferPointer<UInt8>) -> Unicode.Scalar? {
    var it = bytes.makeIterator()
    var decoder = UTF8()
    if case let .scalarValue(s) = decoder.decode(&it) { return s }
    return nil
}
