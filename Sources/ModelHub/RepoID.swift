// A hub model id `owner/name` with an optional `@revision` (branch, tag or commit).
import FileIO
import Foundation

public struct RepoID: Hashable, Sendable, CustomStringConvertible {
    public var owner: String
    public var name: String
    /// nil means "main".
    public var revision: String?

    public static let jinaClipV2 = RepoID(owner: "jinaai", name: "jina-clip-v2", revision: nil)

    public init(owner: String, name: String, revision: String? = nil) {
        self.owner = owner; self.name = name; self.revision = revision
    }

    /// Parses `owner/name[@REV]`; also the short name `jina-clip-v2[@REV]`. Nil if the shape is wrong.
    public init?(parsing value: String) {
        var text = value
        var rev: String?
        if let at = text.firstIndex(of: "@") {
            rev = String(text[text.index(after: at)...])
            text = String(text[..<at])
            guard let r = rev, RepoID.isValidRevision(r) else { return nil }
        }
        if text == "jina-clip-v2" { self = RepoID(owner: "jinaai", name: "jina-clip-v2", revision: rev); return }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, RepoID.isValidPart(String(parts[0])), RepoID.isValidPart(String(parts[1])) else { return nil }
        self = RepoID(owner: String(parts[0]), name: String(parts[1]), revision: rev)
    }

    /// `owner/name` (no revision).
    public var id: String { "\(owner)/\(name)" }
    public var effectiveRevision: String { revision ?? "main" }
    public var description: String { revision.map { "\(id)@\($0)" } ?? id }

    /// The HF cache folder name: `models--owner--name`.
    public var cacheFolderName: String { "models--\(owner)--\(name)" }

    /// Hub naming rule: letters, digits, `-`, `_`, `.`; no leading/trailing `-`/`.`, no `--` or `..`.
    static func isValidPart(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 96, !s.contains("--"), !s.contains("..") else { return false }
        guard let first = s.first, let last = s.last, first != "-", first != ".", last != "-", last != "." else { return false }
        return s.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_.".unicodeScalars.contains($0) }
    }

    /// A branch/tag/commit: no path tricks, no whitespace. `refs/pr/1` is allowed (PR refs).
    static func isValidRevision(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 256, !s.hasPrefix("/"), !s.hasSuffix("/"),
              !s.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_./".unicodeScalars.contains($0)) }
    }

    static func isCommitHash(_ s: String) -> Bool { Hex.isHex(s, length: 40) }
}
