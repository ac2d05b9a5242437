// Builders for model folders in temporary directories: a plain model directory, and a hand-made
// Hugging Face cache (blobs named by hash, snapshots/<commit>/<file> → ../../blobs/<hash>, refs/main).
import Foundation
import TestSupport

enum TestModels {
    static let modelFiles = ["config.json", "model.safetensors", "tokenizer.json", "preprocessor_config.json"]
    static let commit = "1234567890abcdef1234567890abcdef12345678"

    /// A plain model directory holding copies of the tiny fixture files.
    @discardableResult
    static func plainModel(at dir: URL, files: [String] = modelFiles) throws -> URL {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for f in files { try FileManager.default.copyItem(at: Fixtures.tiny(f), to: dir.appendingPathComponent(f)) }
        return dir
    }

    /// `<cache>/models--owner--name` in the HF layout; returns the snapshot directory.
    /// LFS-style files (model.safetensors, tokenizer.json) get SHA-256 blob names, the others git blob ids.
    @discardableResult
    static func hfCache(at cache: URL, owner: String = "jinaai", name: String = "jina-clip-v2", commit: String = commit,
                        refs: [String] = ["main"], files: [String] = modelFiles) throws -> URL {
        let root = cache.appendingPathComponent("models--\(owner)--\(name)")
        let blobs = root.appendingPathComponent("blobs"), snap = root.appendingPathComponent("snapshots/\(commit)")
        try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: snap, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("refs"), withIntermediateDirectories: true)
        for f in files {
            let d = FakeHub.digests[f]!
            let blob = (f == "model.safetensors" || f == "tokenizer.json") ? d.sha256 : d.git
            if !FileManager.default.fileExists(atPath: blobs.appendingPathComponent(blob).path) {
                try FileManager.default.copyItem(at: Fixtures.tiny(f), to: blobs.appendingPathComponent(blob))
            }
            try FileManager.default.createSymbolicLink(atPath: snap.appendingPathComponent(f).path,
                                                       withDestinationPath: "../../blobs/\(blob)")
        }
        for r in refs { try commit.write(to: root.appendingPathComponent("refs/\(r)"), atomically: true, encoding: .utf8) }
        return snap
    }
}
