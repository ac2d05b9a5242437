// `--model VALUE` → a directory holding config.json + model.safetensors + tokenizer.json.
//
// VALUE is one of
//   a directory                   used as is (an HF cache repo folder `models--o--n` → its refs/main snapshot)
//   owner/name[@REV]              HF caches first (see HubEnvironment), then ClipScope's models dir
//   jina-clip-v2[@REV]            = jinaai/jina-clip-v2
//   demo                          the bundled demo model in the assets folder
// With no VALUE: $CLIPSCOPE_MODEL, then jina-clip-v2 found locally, then the demo.
// An existing directory wins over a repo id of the same spelling (as in huggingface_hub).
import FileIO
import Foundation

public struct ResolvedModel: Equatable, Sendable {
    public enum Source: Equatable, Sendable {
        case directory
        /// Found in an HF cache; the snapshot's commit.
        case hfCache(revision: String)
        case clipscopeModels
        case bundledDemo
    }
    public var directory: URL
    public var name: String
    public var isDemo: Bool
    public var source: Source

    public init(directory: URL, name: String, isDemo: Bool, source: Source) {
        self.directory = directory; self.name = name; self.isDemo = isDemo; self.source = source
    }
}

public enum ModelResolver {
    /// The files a model directory must contain.
    public static let requiredFiles = ["config.json", "model.safetensors", "tokenizer.json"]

    public static func resolve(_ value: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ResolvedModel {
        try resolve(value, environment: environment, executableURL: currentExecutable(),
                     currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
    }

    /// Testable form: the executable location and working directory are explicit.
    public static func resolve(_ value: String?, environment: [String: String], executableURL: URL?,
                               currentDirectory: URL) throws -> ResolvedModel {
        let env = HubEnvironment(environment)
        var looked: [String] = []
        if let raw = value?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            return try resolveValue(raw, env: env, exe: executableURL, cwd: currentDirectory, looked: &looked)
        }
        if let fromEnv = env.value("CLIPSCOPE_MODEL") {
            do {
                return try resolveValue(fromEnv, env: env, exe: executableURL, cwd: currentDirectory, looked: &looked)
            } catch let e as ModelHubError {
                throw ModelHubError.modelNotFound("$CLIPSCOPE_MODEL=\(fromEnv): \(e.description)")
            }
        }
        if let found = findRepo(.jinaClipV2, env: env, looked: &looked) { return found }
        if let demo = findDemo(env: env, exe: executableURL, cwd: currentDirectory, looked: &looked) { return demo }
        throw ModelHubError.modelNotFound(
            "no model found: jina-clip-v2 is not downloaded and the demo model is missing.\n"
            + lookedList(looked)
            + "\nDownload the model with `clipscope model download jinaai/jina-clip-v2`, or pass --model DIR.")
    }

    private static func resolveValue(_ raw: String, env: HubEnvironment, exe: URL?, cwd: URL,
                                     looked: inout [String]) throws -> ResolvedModel {
        if raw == "demo" {
            if let demo = findDemo(env: env, exe: exe, cwd: cwd, looked: &looked) { return demo }
            throw ModelHubError.modelNotFound("the bundled demo model was not found.\n" + lookedList(looked)
                + "\nSet $CLIPSCOPE_ASSETS to the ClipScope Assets folder.")
        }
        let path = raw.hasPrefix("/") || raw.hasPrefix("~") ? env.expand(raw) : cwd.appendingPathComponent(raw)
        if FileSystem.isDirectory(path) { return try directoryModel(path.standardizedFileURL) }
        let looksLikePath = raw.hasPrefix("/") || raw.hasPrefix(".") || raw.hasPrefix("~") || raw.hasSuffix("/")
        if !looksLikePath, let repo = RepoID(parsing: raw) {
            if let found = findRepo(repo, env: env, looked: &looked) { return found }
            throw ModelHubError.modelNotFound("model \(repo) is not available locally.\n" + lookedList(looked)
                + "\nDownload it with `clipscope model download \(repo.id)"
                + (repo.revision.map { " --revision \($0)" } ?? "") + "`.")
        }
        if FileManager.default.fileExists(atPath: path.path) {
            throw ModelHubError.invalidModelDirectory("\(path.path) is a file; --model needs a model directory (with \(requiredFiles.joined(separator: ", "))) or a name")
        }
        throw ModelHubError.modelNotFound("no model directory \(path.path), and `\(raw)` is not a model name (demo, jina-clip-v2, owner/name[@REV])")
    }

    /// A directory given by the user: must hold the required files (an HF repo folder is followed to refs/main).
    static func directoryModel(_ dir: URL) throws -> ResolvedModel {
        if FileSystem.isDirectory(dir.appendingPathComponent("snapshots")),
           !FileSystem.isFile(dir.appendingPathComponent("config.json")) {
            let name = dir.lastPathComponent
            let parts = name.hasPrefix("models--") ? name.dropFirst(8).components(separatedBy: "--") : []
            let repo = parts.count == 2 ? RepoID(owner: parts[0], name: parts[1]) : RepoID(owner: "", name: name)
            let cacheRepo = HFCacheRepo(root: dir, repo: repo)
            if let snap = cacheRepo.snapshotDirectory(revision: "main") ?? cacheRepo.snapshotCommits().last.map({ (cacheRepo.snapshot($0), $0) }) {
                let missing = missingFiles(snap.0)
                guard missing.isEmpty else {
                    throw ModelHubError.invalidModelDirectory("\(snap.0.path) is missing \(missing.joined(separator: ", "))")
                }
                return ResolvedModel(directory: snap.0, name: parts.count == 2 ? repo.id : name, isDemo: false,
                                     source: .hfCache(revision: snap.1))
            }
        }
        let missing = missingFiles(dir)
        guard missing.isEmpty else {
            throw ModelHubError.invalidModelDirectory(
                "\(dir.path) is not a model directory: missing \(missing.joined(separator: ", ")) (needs \(requiredFiles.joined(separator: ", ")))")
        }
        return ResolvedModel(directory: dir, name: dir.lastPathComponent, isDemo: false, source: .directory)
    }

    /// Required files absent from `dir` (a dangling symlink counts as absent).
    public static func missingFiles(_ dir: URL) -> [String] {
        requiredFiles.filter { !FileSystem.isFile(dir.appendingPathComponent($0)) }
    }

    /// HF caches, then ClipScope's models directory.
    static func findRepo(_ repo: RepoID, env: HubEnvironment, looked: inout [String]) -> ResolvedModel? {
        for cache in env.hfCacheCandidates {
            let cacheRepo = HFCacheRepo(cache: cache, repo: repo)
            looked.append(cacheRepo.root.path + " (revision \(repo.effectiveRevision))")
            if let snap = cacheRepo.snapshotDirectory(revision: repo.effectiveRevision), missingFiles(snap.directory).isEmpty {
                return ResolvedModel(directory: snap.directory, name: repo.id, isDemo: false, source: .hfCache(revision: snap.commit))
            }
        }
        let models = env.clipscopeModelsDirectory
        for dir in [models.appendingPathComponent(repo.owner).appendingPathComponent(repo.name),
                    models.appendingPathComponent(repo.name)] {
            looked.append(dir.path)
            guard FileSystem.isDirectory(dir), missingFiles(dir).isEmpty else { continue }
            if let rev = repo.revision {
                let record = try? ModelChecksums.load(from: dir)
                guard let r = record, r.revision == rev || (r.commit ?? "").hasPrefix(rev) else { continue }
            }
            return ResolvedModel(directory: dir, name: repo.id, isDemo: false, source: .clipscopeModels)
        }
        let hfLayout = HFCacheRepo(cache: models, repo: repo)
        looked.append(hfLayout.root.path + " (revision \(repo.effectiveRevision))")
        if let snap = hfLayout.snapshotDirectory(revision: repo.effectiveRevision), missingFiles(snap.directory).isEmpty {
            return ResolvedModel(directory: snap.directory, name: repo.id, isDemo: false, source: .clipscopeModels)
        }
        return nil
    }

    static func findDemo(env: HubEnvironment, exe: URL?, cwd: URL, looked: inout [String]) -> ResolvedModel? {
        for assets in assetCandidates(env: env, exe: exe, cwd: cwd) {
            let dir = assets.appendingPathComponent("models/demo", isDirectory: true)
            looked.append(dir.path)
            if FileSystem.isDirectory(dir), missingFiles(dir).isEmpty {
                return ResolvedModel(directory: dir.standardizedFileURL, name: "demo", isDemo: true, source: .bundledDemo)
            }
        }
        return nil
    }

    // MARK: assets

    /// The ClipScope assets folder (holds `demo/` images and `models/demo/`), or nil.
    public static func assetsDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        assetsDirectory(environment: environment, executableURL: currentExecutable(),
                        currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
    }

    public static func assetsDirectory(environment: [String: String], executableURL: URL?, currentDirectory: URL) -> URL? {
        assetCandidates(env: HubEnvironment(environment), exe: executableURL, cwd: currentDirectory).first {
            FileSystem.isDirectory($0.appendingPathComponent("models/demo")) || FileSystem.isDirectory($0.appendingPathComponent("demo"))
        }?.standardizedFileURL
    }

    /// In order: $CLIPSCOPE_ASSETS; <exe dir>/../share/clipscope (make install); the nearest `Assets`
    /// folder above the executable (a built clone: .build/release/clipscope → repo/Assets); the
    /// nearest `Assets` folder above the current directory.
    static func assetCandidates(env: HubEnvironment, exe: URL?, cwd: URL) -> [URL] {
        var out: [URL] = []
        if let v = env.value("CLIPSCOPE_ASSETS") { out.append(env.expand(v)) }
        if let exe {
            let exeDir = exe.deletingLastPathComponent()
            out.append(exeDir.deletingLastPathComponent().appendingPathComponent("share/clipscope", isDirectory: true))
            out.append(contentsOf: ancestors(of: exeDir).map { $0.appendingPathComponent("Assets", isDirectory: true) })
        }
        out.append(contentsOf: ancestors(of: cwd).map { $0.appendingPathComponent("Assets", isDirectory: true) })
        var seen = Set<String>()
        return out.filter { seen.insert($0.standardizedFileURL.path).inserted }
    }

    private static func ancestors(of dir: URL) -> [URL] {
        var out: [URL] = []
        var current = dir.standardizedFileURL
        for _ in 0..<32 {
            out.append(current)
            let parent = current.deletingLastPathComponent().standardizedFileURL
            if parent.path == current.path { break }
            current = parent
        }
        return out
    }

    /// The running executable with symlinks resolved (/proc/self/exe on Linux).
    static func currentExecutable() -> URL? {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        #endif
        return Bundle.main.executableURL?.resolvingSymlinksInPath()
    }

    private static func lookedList(_ looked: [String]) -> String {
        "Looked in:\n" + looked.map { "  - \($0)" }.joined(separator: "\n")
    }
}
