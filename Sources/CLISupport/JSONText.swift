// The JSON string escaper every JSON line of the CLI goes through (JSON.string, JSON-lines output).
import Foundation

public enum JSONText {
    /// A JSON string literal. Control characters (C0, DEL, the C1 range U+0080…U+009F), U+2028 and
    /// U+2029 are escaped, so no output byte is a terminal control and the output splits into lines
    /// only where it should; other characters are written as UTF-8.
    public static func quote(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if u.value < 0x20 || (u.value >= 0x7F && u.value <= 0x9F) || u.value == 0x2028 || u.value == 0x2029 {
                    out += String(format: "\\u%04x", u.value)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
