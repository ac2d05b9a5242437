// Model resolution: hand-made HF caches, cache search order, the default order
// ($CLIPSCOPE_MODEL → jina-clip-v2 locally → demo), directories, demo and assets discovery.
import Foundation
import Testing
import TestSupport
@testable import ModelHub

@Suite struct ModelResolverTests {
    /// Resolves with no executable and `cwd` = root, so nothing outside the temporary tree is found.
    func resolve(_ value: String?, _ env: [String: String], root: URL, exe: URL? = nil) throws -> ResolvedModel {
        try ModelResolver.resolve(value, environment: env, executableURL: exe, currentDirectory: root)
    }

    func isolatedEnv(_ root: URL, _ extra: [String: String] = [:]) -> [String: String] {
        var env = ["HOME": root.appendingPathComponent("home").path]
        for (k, v) in extra { env[k] = v }
        return env
    }

    @Test func handMadeHFCacheIsFoundByRepoID() throws {
        let root = try Fixtures.tempDirectory("resolve-hf")
        defer { try? FileManager.default.removeItem(at: root) }
        let cache = root.appendingPathComponent("cache")
        let snap = try TestModels.hfCache(at: cache)
        let env = isolatedEnv(root, ["HF_HUB_CACHE": cache.path])

        for value in ["jinaai/jina-clip-v2", "jina-clip-v2", "jinaai/jina-clip-v2@main",
                      "jinaai/jina-clip-v2@\(TestModels.commit)", "jina-clip-v2@1234567"] {
            let m = try resolve(value, env, root: root)
            #expect(m.directory.standardizedFileURL.path == snap.standardizedFileURL.path, "\(value)")
            #expect(m.source == .hfCache(revision: TestModels.commit))
            #expect(m.name == "jinaai/jina-clip-v2")
            #expect(!m.isDemo)
        }
        // Files behind the symlinks are the fixture's bytes.
        let m = try resolve("jinaai/jina-clip-v2", env, root: root)
        #expect(try Data(contentsOf: m.directory.appendingPathComponent("model.safetensors")) == Data(contentsOf: Fixtures.tiny("model.safetensors")))

        let missingRev = #expect(throws: ModelHubError.self) { try resolve("jinaai/jina-clip-v2@v9", env, root: root) }
        #expect(missingRev?.description.contains("models--jinaai--jina-clip-v2 (revision v9)") == true)
        #expect(missingRev?.description.contains("clipscope model download jinaai/jina-clip-v2 --revision v9") == true)
    }

    @Test func snapshotWithADanglingBlobIsNotUsable() throws {
        let root = try Fixtures.tempDirectory("resolve-dangling")
        defer { try? FileManager.default.removeItem(at: root) }
        let cache = root.appendingPathComponent("cache")
        try TestModels.hfCache(at: cache)
        try FileManager.default.removeItem(at: cache.appendingPathComponent(
            "models--jinaai--jina-clip-v2/blobs/\(FakeHub.digests["model.safetensors"]!.sha256)"))
        #expect(throws: ModelHubError.self) { try resolve("jinaai/jina-clip-v2", isolatedEnv(root, ["HF_HUB_CACHE": cache.path]), root: root) }
    }

    @Test(arguments: ["HF_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME", "HOME"])
    func everyCacheLocationIsSearched(_ variable: String) throws {
        let root = try Fixtures.tempDirectory("resolve-loc")
        defer { try? FileManager.default.removeItem(at: root) }
        let base = root.appendingPathComponent("base")
        let cache: URL
        switch variable {
        case "HF_HUB_CACHE": cache = base
        case "HF_HOME": cache = base.appendingPathComponent("hub")
        case "XDG_CACHE_HOME": cache = base.appendingPathComponent("huggingface/hub")
        default: cache = base.appendingPathComponent(".cache/huggingface/hub")
        }
        let snap = try TestModels.hfCache(at: cache)
        var env = isolatedEnv(root)
        env[variable] = base.path
        #expect(try resolve("jinaai/jina-clip-v2", env, root: root).directory.standardizedFileURL.path == snap.standardizedFileURL.path)
        #expect(HubEnvironment(env).hfCacheForWriting.standardizedFileURL.path == cache.standardizedFileURL.path)
    }

    @Test func defaultOrderIsEnvThenLocalJinaThenDemo() throws {
        let root = try Fixtures.tempDirectory("resolve-order")
        defer { try? FileManager.default.removeItem(at: root) }
        let assets = root.appendingPathComponent("assets")
        try TestModels.plainModel(at: assets.appendingPathComponent("models/demo"))
        var env = isolatedEnv(root, ["CLIPSCOPE_ASSETS": assets.path,
                                     "CLIPSCOPE_MODELS_DIR": root.appendingPathComponent("models").path,
                                     "HF_HUB_CACHE": root.appendingPathComponent("cache").path])

        // Only the demo exists.
        var m = try resolve(nil, env, root: root)
        #expect(m.source == .bundledDemo && m.isDemo && m.name == "demo")

        // ClipScope's models dir beats the demo.
        let own = try TestModels.plainModel(at: root.appendingPathComponent("models/jinaai/jina-clip-v2"))
        m = try resolve(nil, env, root: root)
        #expect(m.source == .clipscopeModels)
        #expect(m.directory.standardizedFileURL.path == own.standardizedFileURL.path)

        // The HF cache beats ClipScope's models dir.
        let snap = try TestModels.hfCache(at: root.appendingPathComponent("cache"))
        m = try resolve(nil, env, root: root)
        #expect(m.directory.standardizedFileURL.path == snap.standardizedFileURL.path)

        // $CLIPSCOPE_MODEL beats everything; an explicit value beats $CLIPSCOPE_MODEL.
        let custom = try TestModels.plainModel(at: root.appendingPathComponent("custom"))
        env["CLIPSCOPE_MODEL"] = custom.path
        m = try resolve(nil, env, root: root)
        #expect(m.source == .directory && m.directory.standardizedFileURL.path == custom.standardizedFileURL.path)
        #expect(try resolve("demo", env, root: root).isDemo)

        env["CLIPSCOPE_MODEL"] = root.appendingPathComponent("nope").path
        let bad = #expect(throws: ModelHubError.self) { try resolve(nil, env, root: root) }
        #expect(bad?.description.contains("$CLIPSCOPE_MODEL") == true)
    }

    @Test func nothingFoundListsWhereItLooked() throws {
        let root = try Fixtures.tempDirectory("resolve-none")
        defer { try? FileManager.default.removeItem(at: root) }
        let env = isolatedEnv(root, ["HF_HUB_CACHE": root.appendingPathComponent("cache").path])
        let error = #expect(throws: ModelHubError.self) { try resolve(nil, env, root: root) }
        let text = error?.description ?? ""
        #expect(text.contains("Looked in:"))
        #expect(text.contains(root.appendingPathComponent("cache/models--jinaai--jina-clip-v2").path))
        #expect(text.contains(root.appendingPathComponent("home/.local/share/clipscope/models/jinaai/jina-clip-v2").path))
        #expect(text.contains("models/demo"))
        #expect(text.contains("clipscope model download"))
        let demo = #expect(throws: ModelHubError.self) { try resolve("demo", env, root: root) }
        #expect(demo?.description.contains("CLIPSCOPE_ASSETS") == true)
    }

    @Test func directoriesAreCheckedForTheRequiredFiles() throws {
        let root = try Fixtures.tempDirectory("resolve-dir")
        defer { try? FileManager.default.removeItem(at: root) }
        let env = isolatedEnv(root)
        let m = try resolve(Fixtures.tiny.path, env, root: root)
        #expect(m.source == .directory && m.name == "jina-clip-v2-tiny")

        try TestModels.plainModel(at: root.appendingPathComponent("partial"), files: ["config.json"])
        let partial = #expect(throws: ModelHubError.self) { try resolve("partial", env, root: root) }
        #expect(partial?.description.contains("missing model.safetensors, tokenizer.json") == true)

        let file = #expect(throws: ModelHubError.self) { try resolve(Fixtures.tiny("config.json").path, env, root: root) }
        #expect(file?.description.contains("is a file") == true)

        // A relative directory that looks like a repo id wins over the repo.
        let local = try TestModels.plainModel(at: root.appendingPathComponent("jinaai/jina-clip-v2"))
        #expect(try resolve("jinaai/jina-clip-v2", env, root: root).directory.standardizedFileURL.path == local.standardizedFileURL.path)

        // An HF repo folder given as a directory goes to its refs/main snapshot.
        let snap = try TestModels.hfCache(at: root.appendingPathComponent("cache"))
        let viaFolder = try resolve(root.appendingPathComponent("cache/models--jinaai--jina-clip-v2").path, env, root: root)
        #expect(viaFolder.directory.standardizedFileURL.path == snap.standardizedFileURL.path)
        #expect(viaFolder.source == .hfCache(revision: TestModels.commit))
    }

    @Test func demoAndAssetsAreFoundFromTheExecutableOrTheWorkingDirectory() throws {
        let root = try Fixtures.tempDirectory("resolve-assets")
        defer { try? FileManager.default.removeItem(at: root) }
        let env = isolatedEnv(root)

        // make install: <prefix>/bin/clipscope + <prefix>/share/clipscope/{demo,models/demo}
        let prefix = root.appendingPathComponent("prefix")
        try TestModels.plainModel(at: prefix.appendingPathComponent("share/clipscope/models/demo"))
        let installed = prefix.appendingPathComponent("bin/clipscope")
        var m = try resolve("demo", env, root: root, exe: installed)
        #expect(m.directory.standardizedFileURL.path == prefix.appendingPathComponent("share/clipscope/models/demo").standardizedFileURL.path)
        #expect(ModelResolver.assetsDirectory(environment: env, executableURL: installed, currentDirectory: root)?.path
                == prefix.appendingPathComponent("share/clipscope").standardizedFileURL.path)

        // A built clone: repo/.build/x86_64-unknown-linux-gnu/release/clipscope → repo/Assets.
        let repo = root.appendingPathComponent("clone")
        try TestModels.plainModel(at: repo.appendingPathComponent("Assets/models/demo"))
        try FileManager.default.createDirectory(at: repo.appendingPathComponent("Assets/demo"), withIntermediateDirectories: true)
        let built = repo.appendingPathComponent(".build/x86_64-unknown-linux-gnu/release/clipscope")
        m = try resolve("demo", env, root: root, exe: built)
        #expect(m.directory.standardizedFileURL.path == repo.appendingPathComponent("Assets/models/demo").standardizedFileURL.path)
        #expect(ModelResolver.assetsDirectory(environment: env, executableURL: built, currentDirectory: root)?.path
                == repo.appendingPathComponent("Assets").standardizedFileURL.path)

        // From the working directory (executable elsewhere).
        let cwd = repo.appendingPathComponent("some/sub/dir")
        try FileManager.default.createDirectory(at: cwd, withIntermediateDirectories: true)
        m = try ModelResolver.resolve("demo", environment: env, executableURL: root.appendingPathComponent("elsewhere/clipscope"),
                                      currentDirectory: cwd)
        #expect(m.source == .bundledDemo)

        // $CLIPSCOPE_ASSETS comes first.
        let custom = root.appendingPathComponent("custom-assets")
        try TestModels.plainModel(at: custom.appendingPathComponent("models/demo"))
        let withEnv = isolatedEnv(root, ["CLIPSCOPE_ASSETS": custom.path])
        #expect(try resolve("demo", withEnv, root: root, exe: built).directory.standardizedFileURL.path
                == custom.appendingPathComponent("models/demo").standardizedFileURL.path)
        #expect(ModelResolver.assetsDirectory(environment: withEnv, executableURL: built, currentDirectory: root)?.path
                == custom.standardizedFileURL.path)
        #expect(ModelResolver.assetsDirectory(environment: env, executableURL: nil, currentDirectory: root) == nil)
    }

    @Test func repoIDParsing() {
        #expect(RepoID(parsing: "jinaai/jina-clip-v2") == RepoID(owner: "jinaai", name: "jina-clip-v2"))
        #expect(RepoID(parsing: "jina-clip-v2@v1.0") == RepoID(owner: "jinaai", name: "jina-clip-v2", revision: "v1.0"))
        #expect(RepoID(parsing: "a/b@refs/pr/3")?.revision == "refs/pr/3")
        #expect(RepoID(parsing: "a/b")?.cacheFolderName == "models--a--b")
        for bad in ["", "a", "a/b/c", "/b", "a/", "a/b@", "a/b@../x", "a--x/b", "a/.b", "a b/c", "a/b@x y"] {
            #expect(RepoID(parsing: bad) == nil, "\(bad)")
        }
    }
}
