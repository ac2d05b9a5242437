// Fast path for the one big array of tokenizer.json: `model.vocab` = [[piece, score], …] (250,002 entries,
// ~16 MB). The scanner walks the JSON bytes just far enough to find that array, parses it into one
// contiguous byte buffer (no String per piece), and reports its byte range so the caller can hand the
// rest of the document to JSONDecoder. Any surprise (other layout, bad syntax) returns nil and the
// caller falls back to decoding everything with JSONDecoder, which then produces the precise error.
import Foundation

/// The vocabulary in three flat arrays: piece i is `bytes[offsets[i] ..< offsets[i+1]]`, score `scores[i]`.
struct VocabStorage: Sendable {
    var bytes: [UInt8] = []
    var offsets: [Int] = [0]
    var scores: [Double] = []

    var count: Int { scores.count }

    mutating func append(_ piece: some Sequence<UInt8>, score: Double) {
        bytes.append(contentsOf: piece)
        offsets.append(bytes.count)
        scores.append(score)
    }

    func piece(_ i: Int) -> String {
        String(decoding: bytes[offsets[i]..<offsets[i + 1]], as: UTF8.self)
    }

    init() {}
    init(_ entries: [VocabEntry]) {
        bytes.reserveCapacity(entries.count * 8)
        offsets.reserveCapacity(entries.count + 1)
        scores.reserveCapacity(entries.count)
        for e in entries { append(e.piece.utf8, score: e.score) }
    }
}

struct VocabScanner {
    private let p: UnsafeBufferPointer<UInt8>
    private var i = 0

    private init(_ p: UnsafeBufferPointer<UInt8>) { self.p = p }

    /// Finds top-level `"model": { … "vocab": [ … ] … }` and parses the array.
    /// Returns the byte range of the array (brackets included) and its entries, or nil.
    static func extractVocab(from p: UnsafeBufferPointer<UInt8>) -> (range: Range<Int>, vocab: VocabStorage)? {
        var s = VocabScanner(p)
        return s.findVocab()
    }

    private mutating func findVocab() -> (range: Range<Int>, vocab: VocabStorage)? {
        var key: [UInt8] = []
        guard expect(UInt8(ascii: "{")) else { return nil }
        while true {
            skipWS()
            guard i < p.count, p[i] == UInt8(ascii: "\"") else { return nil }
            key.removeAll(keepingCapacity: true)
            guard readString(into: &key), expect(UInt8(ascii: ":")) else { return nil }
            skipWS()
            if key.elementsEqual("model".utf8) {
                guard expect(UInt8(ascii: "{")) else { return nil }
                while true {
                    skipWS()
                    guard i < p.count, p[i] == UInt8(ascii: "\"") else { return nil }
                    key.removeAll(keepingCapacity: true)
                    guard readString(into: &key), expect(UInt8(ascii: ":")) else { return nil }
                    skipWS()
                    if key.elementsEqual("vocab".utf8) {
                        let start = i
                        guard let vocab = parseVocabArray() else { return nil }
                        return (start..<i, vocab)
                    }
                    guard skipValue(), nextMember() else { return nil }
                }
            }
            guard skipValue(), nextMember() else { return nil }
        }
    }

    /// After a member value: `,` → true (more members); anything else → false.
    private mutating func nextMember() -> Bool {
        skipWS()
        guard i < p.count, p[i] == UInt8(ascii: ",") else { return false }
        i += 1
        return true
    }

    private mutating func skipWS() {
        while i < p.count {
            let b = p[i]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            i += 1
        }
    }

    private mutating func expect(_ b: UInt8) -> Bool {
        skipWS()
        guard i < p.count, p[i] == b else { return false }
        i += 1
        return true
    }

    private mutating func skipValue() -> Bool {
        skipWS()
        guard i < p.count else { return false }
        switch p[i] {
        case UInt8(ascii: "\""):
            var dummy: [UInt8] = []
            return readString(into: &dummy)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            // Depth-count brackets outside strings; validity is left to JSONDecoder later.
            var depth = 0
            while i < p.count {
                switch p[i] {
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1; i += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1; i += 1
                    if depth == 0 { return true }
                case UInt8(ascii: "\""):
                    guard skipString() else { return false }
                default: i += 1
                }
            }
            return false
        default:
            while i < p.count, !(p[i] == UInt8(ascii: ",") || p[i] == UInt8(ascii: "}") || p[i] == UInt8(ascii: "]")
                                 || p[i] == 0x20 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0x09) { i += 1 }
            return true
        }
    }

    private mutating func skipString() -> Bool {
        i += 1
        while i < p.count {
            let b = p[i]
            if b == UInt8(ascii: "\"") { i += 1; return true }
            i += b == UInt8(ascii: "\\") ? 2 : 1
        }
        return false
    }

    /// Reads a JSON string at `i` (which must be `"`), appending its UTF-8 bytes to `out`.
    private mutating func readString(into out: inout [UInt8]) -> Bool {
        guard i < p.count, p[i] == UInt8(ascii: "\"") else { return false }
        i += 1
        while i < p.count {
            let b = p[i]
            if b == UInt8(ascii: "\"") { i += 1; return true }
            if b < 0x20 { return false }
            if b != UInt8(ascii: "\\") { out.append(b); i += 1; continue }
            guard i + 1 < p.count else { return false }
            let e = p[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var v = readHex4() else { return false }
                if (0xD800..<0xDC00).contains(v), i + 1 < p.count, p[i] == UInt8(ascii: "\\"), p[i + 1] == UInt8(ascii: "u") {
                    let save = i
                    i += 2
                    if let lo = readHex4(), (0xDC00..<0xE000).contains(lo) {
                        v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                    } else { i = save }
                }
                let scalar = Unicode.Scalar(v) ?? "\u{FFFD}"
                out.append(contentsOf: String(Character(scalar)).utf8)
            default: return false
            }
        }
        return false
    }

    private mutating func readHex4() -> UInt32? {
        guard i + 4 <= p.count else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = p[i + k]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: return nil
            }
            v = v << 4 | d
        }
        i += 4
        return v
    }

    private mutating func readNumber() -> Double? {
        let start = i
        while i < p.count {
            let c = p[i]
            guard (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+")
                    || c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") else { break }
            i += 1
        }
        let n = i - start
        guard n > 0, n < 64 else { return nil }
        // strtod needs a NUL-terminated copy; JSON numbers are plain C locale numbers.
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf -> Double? in
            for k in 0..<n { buf[k] = CChar(bitPattern: p[start + k]) }
            buf[n] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            let v = strtod(buf.baseAddress!, &end)
            guard let end, end - buf.baseAddress! == n else { return nil }
            return v
        }
    }

    private mutating func parseVocabArray() -> VocabStorage? {
        guard expect(UInt8(ascii: "[")) else { return nil }
        var vocab = VocabStorage()
        vocab.bytes.reserveCapacity(p.count / 2)
        vocab.offsets.reserveCapacity(p.count / 40)
        vocab.scores.reserveCapacity(p.count / 40)
        skipWS()
        if i < p.count, p[i] == UInt8(ascii: "]") { i += 1; return vocab }
        while true {
            guard expect(UInt8(ascii: "[")) else { return nil }
            skipWS()
            guard readString(into: &vocab.bytes), expect(UInt8(ascii: ",")) else { return nil }
            skipWS()
            guard let score = readNumber(), expect(UInt8(ascii: "]")) else { return nil }
            vocab.offsets.append(vocab.bytes.count)
            vocab.scores.append(score)
            skipWS()
            guard i < p.count else { return nil }
            if p[i] == UInt8(ascii: ",") { i += 1; continue }
            if p[i] == UInt8(ascii: "]") { i += 1; return vocab }
            return nil
        }
    }
}
