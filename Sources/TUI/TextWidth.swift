// Cell widths of text, per grapheme cluster, independent of the C library's locale tables so
// tests and layouts are deterministic: East Asian Wide/Fullwidth and emoji presentation → 2,
// combining marks / format characters / Hangul medial jamo → 0, everything else → 1.
// An emoji cluster (ZWJ sequence, flag pair, keycap, VS16) is 2 cells, as modern terminals draw it;
// CursesTerminal places each cluster at the column computed here, so ncurses and we agree.

public enum TextWidth {
    /// Width of one Unicode scalar (wcwidth-like; controls are 0 and are never drawn).
    public static func width(of scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }
        if v < 0x300 { return 1 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if v >= 0x1160 && v <= 0x11FF { return 0 }          // Hangul medial vowels / final consonants
        if v == 0x200B { return 0 }
        if isWide(v) { return 2 }
        if scalar.properties.isEmojiPresentation { return 2 }
        return 1
    }

    /// Width of one grapheme cluster (what the terminal draws as one glyph).
    public static func width(of cluster: Character) -> Int {
        let scalars = cluster.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if scalars.count == 1 { return width(of: first) }
        var isEmoji = false
        var total = 0
        for s in scalars {
            if s.value == 0xFE0F || s.value == 0x200D || s.value == 0x20E3 || (0x1F1E6...0x1F1FF).contains(s.value) {
                isEmoji = true
            }
            total += width(of: s)
        }
        if isEmoji && first.properties.isEmoji { return 2 }
        if first.properties.isEmojiPresentation { return 2 }
        return total
    }

    /// Width of a string in cells.
    public static func width(_ text: String) -> Int {
        var w = 0
        for c in text { w += width(of: c) }
        return w
    }

    /// The longest prefix of `text` that fits in `width` cells (a wide cluster that would
    /// straddle the edge is dropped, never split).
    public static func truncate(_ text: String, width limit: Int) -> String {
        guard limit > 0 else { return "" }
        var w = 0
        var end = text.startIndex
        for i in text.indices {
            let cw = width(of: text[i])
            if w + cw > limit { return String(text[..<i]) }
            w += cw
            end = text.index(after: i)
        }
        return String(text[..<end])
    }

    /// `text` padded with spaces on the right to at least `width` cells.
    public static func pad(_ text: String, width limit: Int) -> String {
        let w = width(text)
        return w >= limit ? text : text + String(repeating: " ", count: limit - w)
    }

    /// `text` padded with spaces on the left to at least `width` cells (numbers in columns).
    public static func padLeft(_ text: String, width limit: Int) -> String {
        let w = width(text)
        return w >= limit ? text : String(repeating: " ", count: limit - w) + text
    }

    /// Fits `text` into `width` cells, replacing the middle with "…" when it is too long
    /// (ncdu's `shorten`): "holiday/2019/beach.jpg" → "holiday/…/beach.jpg"-like.
    public static func shorten(_ text: String, width limit: Int) -> String {
        guard limit > 0 else { return "" }
        if width(text) <= limit { return text }
        if limit == 1 { return "…" }
        let keep = limit - 1
        let headBudget = (keep + 1) / 2
        let tailBudget = keep - headBudget
        let head = truncate(text, width: headBudget)
        var tail = ""
        var tw = 0
        for c in text.reversed() {
            let cw = width(of: c)
            if tw + cw > tailBudget { break }
            tail.insert(c, at: tail.startIndex)
            tw += cw
        }
        return head + "…" + tail
    }

    /// Replaces control characters (tabs, newlines, escapes) by spaces / U+FFFD so they can
    /// never move the terminal cursor.
    public static func sanitize(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            if let s = c.unicodeScalars.first, c.unicodeScalars.count == 1,
               s.value < 0x20 || (s.value >= 0x7F && s.value < 0xA0) {
                out.append(s == "\t" || s == "\n" || s == "\r" ? " " : "\u{FFFD}")
            } else {
                out.append(c)
            }
        }
        return out
    }

    // East Asian Wide (W) and Fullwidth (F) blocks, Unicode 15 (emoji handled by property).
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0,
        0x23F3...0x23F3, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
        0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19,
        0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x17000...0x18CFF,
        0x1AFF0...0x1B2FF, 0x1F200...0x1F202, 0x1F210...0x1F23B, 0x1F240...0x1F248,
        0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    private static func isWide(_ v: UInt32) -> Bool {
        if v < 0x1100 { return false }
        var lo = 0, hi = wideRanges.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let r = wideRanges[mid]
            if v < r.lowerBound { hi = mid - 1 } else if v > r.upperBound { lo = mid + 1 } else { return true }
        }
        return false
    }
}
