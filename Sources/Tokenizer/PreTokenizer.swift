// Pre-tokenizers: split a normalized piece into words (UTF-8 byte ranges). Works on bytes with
// ping-pong buffers so that a sentence costs a few memcpy's, not one String per word.
//
//  WhitespaceSplit: split on Unicode White_Space (Rust `char::is_whitespace`), dropping it.
//  Metaspace(▁, scheme, split): ' ' → ▁; prepend ▁ unless the word already starts with it
//    (always: every word; first: only the word at original offset 0; never: none); with split,
//    cut before every ▁ (tokenizers' SplitDelimiterBehavior::MergedWithNext gives exactly that:
//    "▁a▁▁b" → "▁a", "▁", "▁b"; "a▁" → "a", "▁").
import Foundation

/// Words as ranges into one byte buffer. `first[i]`: word i starts at original offset 0 of the input
/// (what Metaspace's "first" scheme checks).
struct WordBuffer {
    var bytes: [UInt8] = []
    var starts: [Int] = []
    var ends: [Int] = []
    var first: [Bool] = []
    /// For a word with `first` set: how many of its leading bytes come from original offset 0
    /// (normalizers can turn the first character into several, e.g. "‾" → " ̅").
    var firstPrefix = 1

    var count: Int { starts.count }

    mutating func removeAll() {
        firstPrefix = 1
        bytes.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        first.removeAll(keepingCapacity: true)
    }

    mutating func addWord(from start: Int, first isFirst: Bool) {
        guard bytes.count > start else { return }   // tokenizers drops empty splits
        starts.append(start)
        ends.append(bytes.count)
        first.append(isFirst)
    }
}

indirect enum PreTokenizer: Sendable {
    case sequence([PreTokenizer])
    case whitespaceSplit
    case metaspace(replacement: [UInt8], prependScheme: PrependScheme, split: Bool)

    /// Whether some Metaspace uses prepend_scheme "first" (only then are alignments worth tracking).
    var usesFirstScheme: Bool {
        switch self {
        case let .sequence(list): return list.contains { $0.usesFirstScheme }
        case .whitespaceSplit: return false
        case let .metaspace(_, scheme, _): return scheme == .first
        }
    }

    /// The non-sequence stages in application order.
    var leaves: [PreTokenizer] {
        if case let .sequence(list) = self { return list.flatMap(\.leaves) }
        return [self]
    }

    init(_ config: PreTokenizerConfig) {
        switch config {
        case let .sequence(list): self = .sequence(list.map(PreTokenizer.init))
        case .whitespaceSplit: self = .whitespaceSplit
        case let .metaspace(replacement, scheme, split):
            self = .metaspace(replacement: Array(replacement.utf8), prependScheme: scheme, split: split)
        }
    }

    /// Splits every word of `input` into `output` (cleared first).
    func apply(_ input: WordBuffer, into output: inout WordBuffer) {
        output.removeAll()
        output.firstPrefix = input.firstPrefix
        switch self {
        case let .sequence(list):
            var current = input
            for stage in list {
                var next = WordBuffer()
                next.firstPrefix = current.firstPrefix
                stage.apply(current, into: &next)
                current = next
            }
            output = current
        case .whitespaceSplit:
            input.bytes.withUnsafeBufferPointer { src in
                for w in 0..<input.count {
                    var i = input.starts[w]
                    let end = input.ends[w]
                    var wordStart = -1
                    var isFirst = false
                    while i < end {
                        let b = src[i]
                        var n = 1
                        var space = false
                        if b < 0x80 {
                            space = b == 0x20 || (b >= 0x09 && b <= 0x0D)
                        } else {
                            n = utf8Length(b)
                            space = isWhitespaceUTF8(src, i, end)
                        }
                        if space {
                            if wordStart >= 0 { output.addWord(from: wordStart, first: isFirst); wordStart = -1 }
                        } else {
                            if wordStart < 0 {
                                wordStart = output.bytes.count
                                isFirst = input.first[w] && i - input.starts[w] < max(input.firstPrefix, 1)
                                if isFirst { output.firstPrefix = max(1, input.firstPrefix - (i - input.starts[w])) }
                            }
                            output.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: src[i..<min(i + n, end)]))
                        }
                        i += n
                    }
                    if wordStart >= 0 { output.addWord(from: wordStart, first: isFirst) }
                }
            }
        case let .metaspace(rep, scheme, split):
            input.bytes.withUnsafeBufferPointer { src in
                for w in 0..<input.count {
                    let start = input.starts[w], end = input.ends[w]
                    let outStart = output.bytes.count
                    // ' ' → replacement; then the prepend check looks at the replaced text.
                    for i in start..<end {
                        if src[i] == 0x20 { output.bytes.append(contentsOf: rep) } else { output.bytes.append(src[i]) }
                    }
                    let startsWithRep = output.bytes.count - outStart >= rep.count
                        && output.bytes[outStart..<(outStart + rep.count)].elementsEqual(rep)
                    let prepend: Bool
                    switch scheme {
                    case .always: prepend = !startsWithRep
                    case .first: prepend = !startsWithRep && input.first[w]
                    case .never: prepend = false
                    }
                    if prepend { output.bytes.insert(contentsOf: rep, at: outStart) }
                    guard split else { output.addWord(from: outStart, first: input.first[w]); continue }
                    // Cut before every occurrence of the replacement (a whole UTF-8 character).
                    var pieceStart = outStart
                    var i = outStart
                    let total = output.bytes.count
                    while i < total {
                        if i > pieceStart, output.bytes[i] == rep[0], i + rep.count <= total,
                           output.bytes[i..<(i + rep.count)].elementsEqual(rep) {
                            output.starts.append(pieceStart); output.ends.append(i)
                            output.first.append(pieceStart == outStart && input.first[w])
                            pieceStart = i
                            i += rep.count
                            continue
                        }
                        i += 1
                    }
                    if total > pieceStart {
                        output.starts.append(pieceStart); output.ends.append(total)
                        output.first.append(pieceStart == outStart && input.first[w])
                    }
                }
            }
        }
    }
}

/// Is the multi-byte UTF-8 character at `i` one of the non-ASCII White_Space characters?
/// U+0085 C2 85 · U+00A0 C2 A0 · U+1680 E1 9A 80 · U+2000–200A E2 80 80–8A · U+2028/2029 E2 80 A8/A9 ·
/// U+202F E2 80 AF · U+205F E2 81 9F · U+3000 E3 80 80.
@inline(__always) func isWhitespaceUTF8(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> Bool {
    let b = p[i]
    if b == 0xC2 { return i + 1 < end && (p[i + 1] == 0x85 || p[i + 1] == 0xA0) }
    guard b >= 0xE1, b <= 0xE3, i + 2 < end else { return false }
    let b1 = p[i + 1], b2 = p[i + 2]
    switch b {
    case 0xE1: return b1 == 0x9A && b2 == 0x80
    case 0xE2:
        if b1 == 0x80 { return b2 <= 0x8A || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF }
        return b1 == 0x81 && b2 == 0x9F
    default: return b1 == 0x80 && b2 == 0x80
    }
}
