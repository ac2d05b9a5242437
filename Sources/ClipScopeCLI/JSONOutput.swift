// A minimal JSON value with ORDERED object keys, so `--json` output reads in the documented order
// (Foundation's encoders either reorder or sort keys). Output is one line per document.
import Foundation
import VectorIndex

enum JSON {
    case string(String)
    case int(Int)
    case number(Double)         // written with 6 decimals (scores, metrics)
    case bool(Bool)
    case null
    case array([JSON])
    case object([(String, JSON)])

    static func optional(_ v: Double?) -> JSON { v.map { .number($0) } ?? .null }

    var rendered: String {
        var out = ""
        render(into: &out)
        return out
    }

    func render(into out: inout String) {
        switch self {
        case let .string(s): JSON.escape(s, into: &out)
        case let .int(i): out += String(i)
        case let .number(d): out += d.isFinite ? String(format: "%.6f", d) : "null"
        case let .bool(b): out += b ? "true" : "false"
        case .null: out += "null"
        case let .array(items):
            out += "["
            for (i, item) in items.enumerated() { if i > 0 { out += ", " }; item.render(into: &out) }
            out += "]"
        case let .object(fields):
            out += "{"
            for (i, (k, v)) in fields.enumerated() {
                if i > 0 { out += ", " }
                JSON.escape(k, into: &out); out += ": "; v.render(into: &out)
            }
            out += "}"
        }
    }

    static func escape(_ s: String, into out: inout String) { out += JSONText.quote(s) }

    /// `"path": …` plus `"path_b64"` with the raw bytes when they are not valid UTF-8 (the string
    /// then holds U+FFFD replacements).
    static func pathFields(_ path: ItemPath, key: String = "path") -> [(String, JSON)] {
        var f: [(String, JSON)] = [(key, .string(path.string))]
        if !path.isValidUTF8 { f.append((key + "_b64", .string(path.base64))) }
        return f
    }

    /// One search result: {"rank", "score", "path"[, "path_b64"]}.
    static func hit(_ h: SearchHit) -> JSON {
        .object([("rank", .int(h.rank)), ("score", .number(Double(h.score)))] + pathFields(h.key))
    }
}
