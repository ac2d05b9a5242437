// The licence shown before a download, and the memory of acceptances in ClipScope's data dir
// (`<data>/accepted-licences.json`: { "jinaai/jina-clip-v2": { "licence": "cc-by-nc-4.0", "acceptedAt": "…" } }).
//
// Decision: accepted before (same licence id) → go; `--yes` → record and go; a TTY → ask, record
// on "y"; no TTY and no `--yes` → refuse with a message saying how to accept.
import FileIO
import Foundation

public struct LicenceTerms: Equatable, Sendable {
    /// SPDX-like id (`cc-by-nc-4.0`), or "unknown".
    public var id: String
    public var summary: String
    public var url: String

    /// What ClipScope knows about a repo's licence (the real model's, so it can be shown offline of the hub).
    public static func forRepo(_ repo: RepoID, endpoint: String) -> LicenceTerms {
        if repo.id.lowercased() == "jinaai/jina-clip-v2" {
            return LicenceTerms(
                id: "cc-by-nc-4.0",
                summary: """
                jinaai/jina-clip-v2 is licensed under Creative Commons Attribution-NonCommercial 4.0 \
                (CC-BY-NC-4.0): you may use and share it for non-commercial purposes with attribution. \
                Commercial use needs a licence from Jina AI (see the model card).
                """,
                url: "https://creativecommons.org/licenses/by-nc/4.0/")
        }
        return LicenceTerms(id: "unknown",
                            summary: "The licence of \(repo.id) is not known to ClipScope; read it on the model card before use.",
                            url: "\(endpoint)/\(repo.id)")
    }
}

public struct LicenceGate {
    public enum Decision: Equatable, Sendable { case acceptedBefore, acceptedNow, declined }

    let env: HubEnvironment
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) { env = HubEnvironment(environment) }

    public var storeURL: URL { env.clipscopeDataDirectory.appendingPathComponent("accepted-licences.json") }

    public func wasAccepted(_ repo: RepoID, terms: LicenceTerms) -> Bool {
        guard let data = try? Data(contentsOf: storeURL),
              let all = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let entry = all[repo.id] as? [String: Any] else { return false }
        return (entry["licence"] as? String) == terms.id
    }

    public func recordAcceptance(_ repo: RepoID, terms: LicenceTerms) throws {
        var all: [String: Any] = [:]
        if let data = try? Data(contentsOf: storeURL), let existing = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            all = existing
        }
        all[repo.id] = ["licence": terms.id, "acceptedAt": ISO8601DateFormatter().string(from: Date())]
        let data = try JSONSerialization.data(withJSONObject: all, options: [.prettyPrinted, .sortedKeys])
        try FileSystem.writeAtomically(data, to: storeURL)
    }

    /// Shows the terms through `show` and decides. `ask` is nil without a TTY; it returns the user's answer.
    public func decide(_ repo: RepoID, terms: LicenceTerms, yes: Bool, show: (String) -> Void,
                       ask: ((String) -> String?)?) throws -> Decision {
        if wasAccepted(repo, terms: terms) {
            show("Licence of \(repo.id): \(terms.id) (accepted before).")
            return .acceptedBefore
        }
        show("Licence of \(repo.id): \(terms.id)\n\(terms.summary)\n\(terms.url)")
        if yes {
            try recordAcceptance(repo, terms: terms)
            return .acceptedNow
        }
        guard let ask else {
            throw ModelHubError.licenceNotAccepted(
                "not downloading \(repo.id): its licence (\(terms.id)) must be accepted first. "
                + "Run the command in a terminal to answer the prompt, or pass --yes to accept it.")
        }
        let answer = ask("Accept the licence and download? [y/N] ")?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        guard answer == "y" || answer == "yes" else { return .declined }
        try recordAcceptance(repo, terms: terms)
        return .acceptedNow
    }
}
