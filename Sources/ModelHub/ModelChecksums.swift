// `clipscope-checksums.json`: what a download into ClipScope's own models directory recorded, so
// `clipscope model verify` can re-hash plain files (an HF cache records them in its blob names).
//
//   { "repo": "jinaai/jina-clip-v2", "revision": "main", "commit": "<40 hex>",
//     "files": { "config.json": { "sha256": "<64 hex>", "size": 2324 }, … } }
import FileIO
import Foundation

public struct ModelChecksums: Codable, Equatable, Sendable {
    public struct Entry: Codable, Equatable, Sendable {
        public var sha256: String
        public var size: UInt64
        public init(sha256: String, size: UInt64) { self.sha256 = sha256; self.size = size }
    }

    public static let fileName = "clipscope-checksums.json"

    public var repo: String?
    public var revision: String?
    public var commit: String?
    public var files: [String: Entry]

    public init(repo: String?, revision: String?, commit: String?, files: [String: Entry]) {
        self.repo = repo; self.revision = revision; self.commit = commit; self.files = files
    }

    public static func load(from directory: URL) throws -> ModelChecksums? {
        let url = directory.appendingPathComponent(fileName)
        let data: Data
        do { guard let d = try SafeFile.readIfPresent(url.path) else { return nil }; data = d } catch let e as SafeFileError {
            throw ModelHubError.badFile(e.description)
        }
        do {
            return try JSONDecoder().decode(ModelChecksums.self, from: data)
        } catch {
            throw ModelHubError.badFile("\(url.path): not a valid checksums file (\(error.localizedDescription))")
        }
    }

    public func write(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(self) } catch {
            throw ModelHubError.io("cannot encode checksums: \(error.localizedDescription)")
        }
        try FileSystem.writeAtomically(data, to: directory.appendingPathComponent(ModelChecksums.fileName))
    }
}
