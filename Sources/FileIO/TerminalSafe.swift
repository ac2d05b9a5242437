// File names (and other outside text) on a terminal: every control character is shown escaped, as
// `ls -b` does, so a name can never move the cursor, recolour or retitle the terminal, or split a line.
//   \a \b \t \n \v \f \r and \\ as C escapes; every other C0 byte, ESC (\033), DEL (\177) and the C1
//   controls U+0080…U+009F (their UTF-8 bytes, \302\233 for CSI) as 3-digit octal; bytes that are not
//   UTF-8 as octal too. Everything else (accents, CJK, emoji) is kept.
//   TerminalSafe.name(s)        for a name inside human output
//   TerminalSafe.line(s)        for a whole output line: the same, but newlines and tabs are kept (the
//                               writer's own layout) — applied by the CLI's stdout/stderr writers
public enum TerminalSafe {
    public static func name(_ s: String) -> String { escape(Array(s.utf8), keepLayout: false) }
    public static func name(bytes: [UInt8]) -> String { escape(bytes, keepLayout: false) }
    public static func line(_ s: String) -> String {
        // Fast path: nothing to escape (the common case for every line the CLI prints).
        if !s.utf8.contains(where: { $0 < 0x20 && $0 != 0x0A && $0 != 0x09 || $0 == 0x7F || $0 == 0xC2 }) { return s }
        return escape(Array(s.utf8), keepLayout: true)
    }

    /// True when `s` would be printed unchanged by `name`.
    public static func isClean(_ s: String) -> Bool { name(s) == s }

    static func escape(_ b: [UInt8], keepLayout: Bool) -> String {
        var out = [UInt8]()
        out.reserveCapacity(b.count + 8)
        func octal(_ x: UInt8) { out += [0x5C, 0x30 + (x >> 6), 0x30 + ((x >> 3) & 7), 0x30 + (x & 7)] }
        var i = 0
        while i < b.count {
            let c = b[i]
            if c < 0x80 {
                switch c {
                case 0x0A where keepLayout, 0x09 where keepLayout: out.append(c)
                case 0x07: out += Array("\\a".utf8)
                case 0x08: out += Array("\\b".utf8)
                case 0x09: out += Array("\\t".utf8)
                case 0x0A: out += Array("\\n".utf8)
                case 0x0B: out += Array("\\v".utf8)
                case 0x0C: out += Array("\\f".utf8)
                case 0x0D: out += Array("\\r".utf8)
                case 0x5C where !keepLayout: out += Array("\\\\".utf8)
                case 0x00..<0x20, 0x7F: octal(c)
                default: out.append(c)
                }
                i += 1
                continue
            }
            let n = sequenceLength(b, at: i)
            if n == 0 { octal(c); i += 1; continue }
            if n == 2 && c == 0xC2 && b[i + 1] < 0xA0 {          // U+0080…U+009F: C1 controls
                octal(b[i]); octal(b[i + 1]); i += 2; continue
            }
            out += b[i..<(i + n)]
            i += n
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Length of a well-formed UTF-8 sequence at `i` (1…4), or 0 when the bytes there are not UTF-8.
    static func sequenceLength(_ b: [UInt8], at i: Int) -> Int {
        let c = b[i]
        let (n, lo, hi): (Int, UInt8, UInt8)
        switch c {
        case 0xC2...0xDF: (n, lo, hi) = (2, 0x80, 0xBF)
        case 0xE0: (n, lo, hi) = (3, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (n, lo, hi) = (3, 0x80, 0xBF)
        case 0xED: (n, lo, hi) = (3, 0x80, 0x9F)
        case 0xF0: (n, lo, hi) = (4, 0x90, 0xBF)
        case 0xF1...0xF3: (n, lo, hi) = (4, 0x80, 0xBF)
        case 0xF4: (n, lo, hi) = (4, 0x80, 0x8F)
        default: return 0
        }
        guard i + n <= b.count, b[i + 1] >= lo, b[i + 1] <= hi else { return 0 }
        for k in 2..<max(2, n) where b[i + k] < 0x80 || b[i + k] > 0xBF { return 0 }
        return n
    }
}
