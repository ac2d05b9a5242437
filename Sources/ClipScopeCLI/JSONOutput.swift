// JSON fields shared by the index commands' `--json` documents.
import CLISupport
import Foundation
import VectorIndex

extension JSON {
    /// `"path": …` plus `"path_b64"` with the raw bytes when they are not valid UTF-8 (the string
    /// then holds U+FFFD replacements).
    static func pathFields(_ path: ItemPath, key: String = "path") -> [(String, JSON)] {
        var f: [(String, JSON)] = [(key, .string(path.string))]
        if !path.isValidUTF8 { f.append((key + "_b64", .string(path.base64))) }
        return f
    }

    /// One search result: {"rank", "score", "path"[, "path_b64"][, "partial": true]}; `partial` marks a
    /// vector computed from a truncated image (`--allow-partial`).
    static func hit(_ h: SearchHit, partial: Set<ItemPath> = []) -> JSON {
        .object([("rank", .int(h.rank)), ("score", .number(Double(h.score)))] + pathFields(h.key)
                + (partial.contains(h.key) ? [("partial", .bool(true))] : []))
    }
}
