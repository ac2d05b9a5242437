// A minimal JSON value with ORDERED object keys, so `--json` output reads in the documented order
// (Foundation's encoders either reorder or sort keys). Rendered on one line per document.
import Foundation

public enum JSON: Sendable {
    case string(String)
    case int(Int)
    /// Written with 6 decimals (scores, metrics); non-finite as null.
    case number(Double)
    /// Written with a fixed number of decimals (benchmark figures); non-finite as null.
    case fixed(Double, places: Int)
    /// Written as the shortest text that reads back as the same Float (embeddings).
    case float(Float)
    /// Written as the shortest text that reads back as the same Double.
    case double(Double)
    case bool(Bool)
    case null
    case array([JSON])
    case object([(String, JSON)])

    public static func optional(_ v: Double?) -> JSON { v.map { .number($0) } ?? .null }

    public var rendered: String {
        var out = ""
        render(into: &out)
        return out
    }

    public func render(into out: inout String) {
        switch self {
        case let .string(s): out += JSONText.quote(s)
        case let .int(i): out += String(i)
        case let .number(d): out += d.isFinite ? String(format: "%.6f", d) : "null"
        case let .fixed(d, places): out += d.isFinite ? String(format: "%.\(places)f", d) : "null"
        case let .float(f): out += f.isFinite ? "\(f)" : "null"
        case let .double(d): out += d.isFinite ? "\(d)" : "null"
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
                out += JSONText.quote(k); out += ": "; v.render(into: &out)
            }
            out += "}"
        }
    }
}
