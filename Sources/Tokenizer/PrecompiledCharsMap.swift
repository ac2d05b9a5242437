// SentencePiece `precompiled_charsmap`: the normalization rules of XLM-R (nmt_nfkc plus tweaks) as a
// Darts-clone double-array trie ("XCDA") over UTF-8 keys, followed by a blob of NUL-terminated
// replacement strings.
//
// Layout (little-endian): u32 trie_size (bytes) · trie_size/4 u32 units · replacement blob.
// Unit bits (Darts-clone): has_leaf = bit 8; label = bits 0–7 | bit 31; offset = (u >> 10) << ((u & 512) >> 6);
// a leaf unit's value = u & 0x7fff_ffff (an index into the blob).
//
// How Hugging Face `tokenizers` applies it (normalizers/precompiled.rs + spm_precompiled), which is what
// the goldens follow and differs from SentencePiece/llama.cpp's longest-match loop:
//   for each extended grapheme cluster g:
//     if g.utf8.count < 6 and the trie has a key that is a prefix of g → replace ALL of g by the value of
//       the SHORTEST such key (e.g. "\r\n" → " ", because "\r" is a key);
//     otherwise, for each scalar c of g: replace c by its value if c (or a prefix of it) is a key, else keep c.
// A NUL byte ends the key walk, so U+0000 is never replaced.
import Foundation

struct PrecompiledCharsMap: Sendable {
    private let units: [UInt32]
    private let blob: [UInt8]
    /// Replacement for each single ASCII byte (nil = keep), precomputed for the fast path.
    private var asciiTable: [[UInt8]?] = Array(repeating: nil, count: 128)

    init(data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.count >= 4 else { throw ConfigError.invalid("Precompiled normalizer: precompiled_charsmap is too short (\(bytes.count) bytes)") }
        let trieSize = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
        guard trieSize % 4 == 0, trieSize >= 4, 4 + trieSize <= bytes.count else {
            throw ConfigError.invalid("Precompiled normalizer: precompiled_charsmap declares a \(trieSize)-byte trie but has \(bytes.count - 4) bytes")
        }
        var units = [UInt32](repeating: 0, count: trieSize / 4)
        for k in 0..<units.count {
            let o = 4 + 4 * k
            units[k] = UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
        }
        let blob = Array(bytes[(4 + trieSize)...])
        guard String(validating: blob, as: UTF8.self) != nil else {
            throw ConfigError.invalid("Precompiled normalizer: replacement strings are not valid UTF-8")
        }
        self.units = units
        self.blob = blob
        for b in 0..<128 {
            var key = UInt8(b)
            if let r = withUnsafePointer(to: &key, { lookup(UnsafeBufferPointer(start: $0, count: 1)) }) {
                asciiTable[b] = Array(blob[r])
            }
        }
    }

    /// Shortest key that is a prefix of `key` → the byte range of its replacement in the blob.
    /// (spm_precompiled `transform`: `common_prefix_search(key)[0]`.) Out-of-range units count as "no key".
    func lookup(_ key: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        units.withUnsafeBufferPointer { u -> Range<Int>? in
            guard !u.isEmpty else { return nil }
            @inline(__always) func offset(_ x: UInt32) -> Int { Int((x >> 10) << ((x & 512) >> 6)) }
            var node = offset(u[0])
            for c in key {
                if c == 0 { return nil }
                node ^= Int(c)
                guard node < u.count else { return nil }
                let unit = u[node]
                guard unit & 0x8000_00FF == UInt32(c) else { return nil }
                node ^= offset(unit)
                if (unit >> 8) & 1 == 1 {
                    guard node < u.count else { return nil }
                    let start = Int(u[node] & 0x7FFF_FFFF)
                    guard start <= blob.count else { return nil }
                    var end = start
                    while end < blob.count, blob[end] != 0 { end += 1 }
                    return start..<end
                }
            }
            return nil
        }
    }

    /// Applies the map to `text` grapheme by grapheme, as described at the top of the file.
    func normalize(_ text: Substring) -> String { normalize(text, trackFirst: false).text }

    /// Same, plus (with `trackFirst`) how many leading output bytes tokenizers aligns to the first input
    /// character (original offset 0) — what Metaspace's prepend_scheme "first" looks at after
    /// WhitespaceSplit. It replays tokenizers' `replace()` change list and `transform_range` walk:
    /// change 0 takes the next input char, change +1 (inserted) inherits the previous one's alignment,
    /// change −k takes one and swallows k more; a deletion at the very start is lost, as in tokenizers.
    func normalize(_ text: Substring, trackFirst: Bool) -> (text: String, firstBytes: Int) {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 8)
        var g: [UInt8] = []
        g.reserveCapacity(32)
        var changes: [Int] = []          // per output character (only when tracking)
        var outCharBytes: [Int] = []
        func record(old: Int, new: UnsafeBufferPointer<UInt8>) {
            var newChars = 0
            var k = 0
            while k < new.count { let n = utf8Length(new[k]); outCharBytes.append(n); changes.append(0); newChars += 1; k += n }
            let diff = newChars - old
            if diff > 0 { for j in (changes.count - diff)..<changes.count { changes[j] = 1 } }
            else if diff < 0, !changes.isEmpty { changes[changes.count - 1] += diff }
        }
        blob.withUnsafeBufferPointer { blobBuf in
            for ch in text {
                g.removeAll(keepingCapacity: true)
                g.append(contentsOf: ch.utf8)
                if g.count == 1, g[0] < 0x80 {
                    if let r = asciiTable[Int(g[0])] {
                        out.append(contentsOf: r)
                        if trackFirst { r.withUnsafeBufferPointer { record(old: 1, new: $0) } }
                    } else {
                        out.append(g[0])
                        if trackFirst { changes.append(0); outCharBytes.append(1) }
                    }
                    continue
                }
                g.withUnsafeBufferPointer { gb in
                    if gb.count < 6, let r = lookup(gb) {
                        let rep = UnsafeBufferPointer(rebasing: blobBuf[r])
                        out.append(contentsOf: rep)
                        if trackFirst { record(old: ch.unicodeScalars.count, new: rep) }
                        return
                    }
                    var k = 0
                    while k < gb.count {
                        let n = utf8Length(gb[k])
                        let part = UnsafeBufferPointer(rebasing: gb[k..<min(k + n, gb.count)])
                        if let r = lookup(part) {
                            let rep = UnsafeBufferPointer(rebasing: blobBuf[r])
                            out.append(contentsOf: rep)
                            if trackFirst { record(old: 1, new: rep) }
                        } else {
                            out.append(contentsOf: part)
                            if trackFirst { changes.append(0); outCharBytes.append(part.count) }
                        }
                        k += n
                    }
                }
            }
        }
        var firstBytes = 0
        if trackFirst {
            var consumed = 0   // input characters consumed so far
            for (j, c) in changes.enumerated() {
                let align = c > 0 ? max(consumed - 1, 0) : consumed
                if align != 0 { break }
                firstBytes += outCharBytes[j]
                if c <= 0 { consumed += 1 - c }
            }
        }
        return (String(decoding: out, as: UTF8.self), firstBytes)
    }
}

/// Length of the UTF-8 sequence starting with lead byte `b` (1 for stray continuation bytes).
@inline(__always) func utf8Length(_ b: UInt8) -> Int {
    if b < 0xC0 { return 1 }
    if b < 0xE0 { return 2 }
    if b < 0xF0 { return 3 }
    return 4
}
