// `clipscope model list`: every model available locally — HF cache snapshots (all caches),
// ClipScope's models directory, and the bundled demo — with size, location and whether it is usable
// (holds config.json + model.safetensors + tokenizer.json).
import FileIO
import Foundation

public struct ModelEntry: Codable, Equatable, Sendable {
    public enum Source: String, Codable, Sendable { case hfCache = "hf-cache", clipscopeModels = "clipscope-models", demo }
    /// `owner/name`, or the folder name.
    public var name: String
    public var source: Source
    /// The snapshot commit (HF layout) or recorded commit (ClipScope download).
    public var commit: String?
    /// Refs pointing at this snapshot (`main`, tags…).
    public var refs: [String]
    public var path: String
    public var bytes: UInt64
    public var usable: Bool
    public var missing: [String]
}

public enum ModelCatalog {
    public static func list(environment: [String: String] = ProcessInfo.processInfo.environment) -> [ModelEntry] {
        list(environment: environment, executableURL: ModelResolver.currentExecutable(),
             currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
    }

    public static func list(environment: [String: String], executableURL: URL?, currentDirectory: URL) -> [ModelEntry] {
        let env = HubEnvironment(environment)
        var out: [ModelEntry] = []
        for repo in HFCacheScanner.repos(in: env.hfCacheCandidates) { out += snapshots(of: repo, source: .hfCache) }

        let models = env.clipscopeModelsDirectory
        for repo in HFCacheScanner.repos(in: [models]) { out += snapshots(of: repo, source: .clipscopeModels) }
        for first in sortedChildren(models) where !first.hasPrefix(".") && !first.hasPrefix("models--") {
            let dir = models.appendingPathComponent(first, isDirectory: true)
            if FileSystem.isFile(dir.appendingPathComponent("config.json")) {
                out.append(plain(dir, name: first))
                continue
            }
            for second in sortedChildren(dir) where !second.hasPrefix(".") {
                let sub = dir.appendingPathComponent(second, isDirectory: true)
                if FileSystem.isFile(sub.appendingPathComponent("config.json")) { out.append(plain(sub, name: "\(first)/\(second)")) }
            }
        }
        var looked: [String] = []
        if let demo = ModelResolver.findDemo(env: env, exe: executableURL, cwd: currentDirectory, looked: &looked) {
            out.append(ModelEntry(name: "demo", source: .demo, commit: nil, refs: [], path: demo.directory.path,
                                  bytes: directorySize(demo.directory), usable: true, missing: []))
        }
        return out
    }

    private static func snapshots(of repo: HFCacheRepo, source: ModelEntry.Source) -> [ModelEntry] {
        let refs = repo.allRefs()
        return repo.snapshotCommits().map { commit in
            let dir = repo.snapshot(commit)
            let missing = ModelResolver.missingFiles(dir)
            return ModelEntry(name: repo.repo.owner.isEmpty ? repo.repo.name : repo.repo.id, source: source, commit: commit,
                              refs: refs.filter { $0.commit == commit }.map(\.name), path: dir.path,
                              bytes: directorySize(dir), usable: missing.isEmpty, missing: missing)
        }
    }

    private static func plain(_ dir: URL, name: String) -> ModelEntry {
        let record = try? ModelChecksums.load(from: dir)
        let missing = ModelResolver.missingFiles(dir)
        return ModelEntry(name: record?.repo ?? name, source: .clipscopeModels, commit: record?.commit,
                          refs: record?.revision.map { [$0] } ?? [], path: dir.path, bytes: directorySize(dir),
                          usable: missing.isEmpty, missing: missing)
    }

    private static func sortedChildren(_ dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    }

    /// Sum of file sizes below `dir`, following the snapshot symlinks to their blobs.
    static func directorySize(_ dir: URL) -> UInt64 {
        ((try? ModelVerifier.listFiles(dir)) ?? []).reduce(0) { $0 + ((try? FileSystem.fileSize(dir.appendingPathComponent($1))) ?? 0) }
    }
}
