// Sharded indexing end to end on the demo model: 4 shards (two of them indexing a copy of the folder
// at another path, as another machine's mount point would) merged with `cache merge` give the same
// export, bit for bit, as one run over the folder; the explorer's loader opens the merged cache with
// nothing left to embed; shards and merges re-run without change; bad I/N and mixed caches are refused.
import Foundation
import Testing
import TestSupport
@testable import ClipScopeCLI
import CLISupport
import Explorer
import ModelHub
import VectorIndex

/// The fake model, counting the images it is asked to embed.
final class CountingBackend: SearchBackend, @unchecked Sendable {
    let fake = FakeSearchBackend()
    private let lock = NSLock()
    private var calls = 0
    var imageCalls: Int { lock.lock(); defer { lock.unlock() }; return calls }
    var modelIdentity: String { fake.modelIdentity }
    var preprocessingKey: String { fake.preprocessingKey }
    var embeddingWidth: Int { fake.embeddingWidth }
    var modelName: String { fake.modelName }
    var matryoshkaDimensions: [Int] { fake.matryoshkaDimensions }
    var acceptsPartialImages: Bool { false }
    func embedImage(at url: URL) throws -> [Float] {
        lock.lock(); calls += 1; lock.unlock()
        return try fake.embedImage(at: url)
    }
    func embedImage(at url: URL, followLinks: Bool) throws -> ImageEmbedding { ImageEmbedding(vector: try embedImage(at: url)) }
    func embedText(_ text: String, asQuery: Bool, dims: Int?) throws -> [Float] { try fake.embedText(text, asQuery: asQuery, dims: dims) }
}

@Suite(.serialized) struct ShardCLITests {
    static let demo = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Assets/demo")

    /// 12 demo pictures (both formats, two sub-folders) copied to a fresh folder; `text`: 12 short
    /// texts under the same names instead (what the fake backend embeds).
    func folder(text: Bool = false) throws -> URL {
        let dir = try Fixtures.tempDirectory("clipscope-shard-folder")
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.demo.path).sorted().filter { $0.hasSuffix(".jpg") || $0.hasSuffix(".png") }
        for (i, name) in names.prefix(12).enumerated() {
            let sub = dir.appendingPathComponent(i % 3 == 0 ? "a" : "b")
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            if text { try Data("picture \(name) number \(i)".utf8).write(to: sub.appendingPathComponent(name)); continue }
            try FileManager.default.copyItem(at: Self.demo.appendingPathComponent(name), to: sub.appendingPathComponent(name))
        }
        return dir
    }

    /// Runs a command line in-process; `cacheDir` becomes `--cache-dir` (the environment is process-wide
    /// and other suites run beside this one, so it is never changed here).
    func run(_ args: [String], cacheDir: URL? = nil) -> (status: Int32, stdout: String, stderr: String) {
        CommandOutput.runCapturingAll(args + (cacheDir.map { ["--cache-dir", $0.path] } ?? []))
    }

    func snapshot(_ root: URL) throws -> Data {
        let stores = EmbeddingCache.stores(inRoot: root)
        #expect(stores.count == 1)
        return try Data(contentsOf: stores[0].appendingPathComponent("vectors.bin"))
    }

    /// "shard 2/4: 3 of 12 images belong to this shard, …" → 3
    func members(_ out: String) -> Int? {
        guard let line = out.split(separator: "\n").first(where: { $0.hasPrefix("shard ") }),
              let colon = line.firstIndex(of: ":") else { return nil }
        return Int(line[line.index(colon, offsetBy: 2)...].prefix { $0.isNumber })
    }

    /// 4 shards (two over a copy of the folder at another path, with other mtimes), re-run, merged twice
    /// in two orders; returns (folder, merged root, single run's export, merged cache's export) after
    /// checking every step. `demo`: the bundled model, else the deterministic fake backend.
    func shardMergeExport(demo: Bool) throws -> (photos: URL, merged: URL, single: URL, fromMerged: URL) {
        let model = demo ? ["--model", "demo"] : []
        func cli(_ args: [String], cacheDir: URL? = nil) -> (status: Int32, stdout: String, stderr: String) {
            demo ? run(args, cacheDir: cacheDir)
                 : BackendFactory.$current.withValue(BackendFactory { _ in FakeSearchBackend() }) { run(args, cacheDir: cacheDir) }
        }
        let photos = try folder(text: !demo)
        let elsewhere = try Fixtures.tempDirectory("clipscope-shard-mount").appendingPathComponent("photos")
        try FileManager.default.copyItem(at: photos, to: elsewhere)
        let work = try Fixtures.tempDirectory("clipscope-shard-work")
        var total = 0
        for i in 1...4 {
            let r = cli(["index", (i <= 2 ? photos : elsewhere).path, "--shard", "\(i)/4",
                         "--cache-dir", work.appendingPathComponent("shard\(i)").path] + model)
            #expect(r.status == 0, "\(r.stderr)")
            let m = try #require(members(r.stdout), "\(r.stdout)")
            #expect(r.stdout.contains(": \(m) of 12 images indexed: \(m) embedded"), "\(r.stdout)")
            total += m
        }
        #expect(total == 12)                                            // a partition of the folder

        // Re-running a shard embeds nothing and leaves its cache byte for byte as it was.
        let shard1 = work.appendingPathComponent("shard1")
        let before = try snapshot(shard1)
        let again = cli(["index", photos.path, "--shard", "1/4", "--cache-dir", shard1.path] + model)
        #expect(again.status == 0 && again.stdout.contains(" 0 embedded"), "\(again.stdout)")
        #expect(try snapshot(shard1) == before)

        let merged = work.appendingPathComponent("merged/cache")        // created with its parent
        let shards = (1...4).map { work.appendingPathComponent("shard\($0)").path }
        let m = cli(["cache", "merge"] + shards + ["--into", merged.path])
        #expect(m.status == 0, "\(m.stderr)")
        #expect(m.stdout.contains("12 entries (12 vectors, 0 failures)"), "\(m.stdout)")
        let mergedBytes = try snapshot(merged)
        #expect(cli(["cache", "merge"] + shards.reversed() + ["--into", merged.path]).status == 0)
        #expect(try snapshot(merged) == mergedBytes)                   // idempotent, whatever the order
        #expect(mergedBytes.range(of: Data(photos.path.utf8)) == nil)   // paths are stored relative

        let single = work.appendingPathComponent("single.npy"), fromMerged = work.appendingPathComponent("merged.npy")
        let s = cli(["export", photos.path, "--out", single.path] + model, cacheDir: work.appendingPathComponent("single-cache"))
        #expect(s.status == 0, "\(s.stderr)")
        if !demo {
            // `clipscope explore` on the merged cache: every file is cached, and indexing (which the
            // explorer starts at once) calls the encoder for no image.
            let counting = CountingBackend()
            let opened = try BackendFactory.$current.withValue(BackendFactory { _ in counting }) {
                try ExploreCommand.parse([photos.path, "--cache-dir", merged.path]).makeBackend()
            }
            let explorer = try #require(opened as? ExplorerModelBackend)
            #expect(explorer.items().count == 12 && explorer.items().allSatisfy { $0.state == .embedded })
            let finished = DispatchSemaphore(value: 0)
            explorer.startIndexing(post: { if case .finished = $0 { finished.signal() } })
            #expect(finished.wait(timeout: .now() + 30) == .success)
            explorer.finish()
            #expect(counting.imageCalls == 0)
        }
        if demo {
            // The explorer's loader finds every vector in the merged cache: nothing pending, nothing to embed.
            let backend = try ModelBackend.load(try ModelResolver.resolve("demo"))
            let explorer = try ExplorerModelBackend(backend: backend, folder: photos.path, cacheRoot: merged)
            #expect(explorer.items().count == 12)
            #expect(explorer.items().allSatisfy { $0.state == .embedded })
            explorer.finish()
        }
        let fromCache = cli(["index", photos.path] + model, cacheDir: merged)
        #expect(fromCache.stdout.contains("12 of 12 images indexed: 0 embedded"), "\(fromCache.stdout)")
        let e = cli(["export", photos.path, "--out", fromMerged.path] + model, cacheDir: merged)
        #expect(e.status == 0, "\(e.stderr)")
        #expect(try Data(contentsOf: work.appendingPathComponent("single.paths.jsonl"))
                == Data(contentsOf: work.appendingPathComponent("merged.paths.jsonl")))
        return (photos, merged, single, fromMerged)
    }

    /// The cache machinery loses and changes nothing: on a deterministic encoder, the merged cache's
    /// export is the single run's, bit for bit.
    @Test func fourShardsMergeToTheExportOfOneRunBitForBit() throws {
        let r = try shardMergeExport(demo: false)
        let a = try Data(contentsOf: r.single), b = try Data(contentsOf: r.fromMerged)
        #expect(a == b && a.count > 12 * 1024 * 4)
    }

    /// The same with the demo model. Its vectors differ in the last bits between 1 and 2 compute threads
    /// (OpenBLAS), and other suites change the thread count while this one runs, so a shard's vectors
    /// and a later single run's agree to float precision (1e-5), not necessarily bit for bit.
    @Test func fourDemoModelShardsMergeToTheExportOfOneRun() throws {
        let r = try shardMergeExport(demo: true)
        let a = try NPY.load(r.single), b = try NPY.load(r.fromMerged)
        #expect(a.shape == [12, 128] && b.shape == a.shape)
        #expect(maxAbsDiff(a.floats, b.floats) < 1e-5)
    }

    @Test func badShardsAreUsageErrors() throws {
        let photos = try folder()
        let cache = try Fixtures.tempDirectory("clipscope-shard-cache")
        for bad in ["0/2", "3/2", "a/b", "1/0", "2"] {
            let r = run(["index", photos.path, "--model", "demo", "--shard", bad, "--cache-dir", cache.path])
            #expect(r.status == 2, "--shard \(bad): \(r.stderr)")
        }
        // Kubernetes: JOB_COMPLETION_INDEX needs --shard-count; with it, index 2 is shard 3. Slurm: task 12 of
        // an array 10-17 is shard 3 of 8. --shard wins over both. (Checked on the parsed command with an
        // explicit environment: setting the variables would reach every suite running beside this one.)
        func shard(_ args: [String], _ env: [String: String]) throws -> String? {
            try IndexCommand.parse([photos.path] + args).resolveShard(environment: env).map { "\($0.0)" }
        }
        let k8s = ["JOB_COMPLETION_INDEX": "2"]
        #expect(try shard(["--shard-count", "4"], k8s) == "3/4")
        #expect(try shard(["--shard", "1/2", "--shard-count", "4"], k8s) == "1/2")
        #expect(throws: CLIError.self) { try shard([], k8s) }
        let slurm = ["SLURM_ARRAY_TASK_ID": "12", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_COUNT": "8"]
        #expect(try shard([], slurm) == "3/8")
        #expect(try shard([], [:]) == nil)
        #expect(run(["index", photos.path, "--model", "demo", "--shard-count", "4"], cacheDir: cache).status == 2)
        let r = run(["index", photos.path, "--model", "demo", "--shard", "3/4"], cacheDir: cache)
        #expect(r.status == 0 && r.stdout.contains("shard 3/4: "), "\(r.stdout)")
        // The shared cache (absolute paths) is never turned into a shard's cache.
        let shared = try Fixtures.tempDirectory("clipscope-shared-cache")
        #expect(run(["index", photos.path, "--model", "demo"], cacheDir: shared).status == 0)
        let refused = run(["index", photos.path, "--model", "demo", "--shard", "1/2"], cacheDir: shared)
        #expect(refused.status == 2 && refused.stderr.contains("give --cache-dir a directory of its own"), "\(refused.stderr)")
    }

    @Test func mergeRefusesMixedModelsAndLayouts() throws {
        let work = try Fixtures.tempDirectory("clipscope-merge-refusal")
        func store(_ name: String, model: String, pre: String = "pre", relative: Bool = true) throws -> String {
            let root = work.appendingPathComponent(name)
            if relative { try EmbeddingCache.makeFolderRelative(root: root) }
            let c = try EmbeddingCache(root: root, modelIdentity: model, preprocessingKey: pre, width: 4)
            try c.put(CacheEntry(path: ItemPath("x.jpg"), size: 1, mtimeNs: 1, contentHash: .zero, outcome: .vector([1, 0, 0, 0])))
            try c.close()
            return root.path
        }
        let a = try store("a", model: "model-A"), b = try store("b", model: "model-B"), c = try store("c", model: "model-A", pre: "other")
        let abs = try store("abs", model: "model-A", relative: false)
        let into = work.appendingPathComponent("into").path
        let mixed = run(["cache", "merge", a, b, "--into", into])
        #expect(mixed.status == 1)
        #expect(mixed.stderr.contains("different models or preprocessing") && mixed.stderr.contains("model model-A")
                && mixed.stderr.contains("model model-B"), "\(mixed.stderr)")
        #expect(run(["cache", "merge", a, c, "--into", into]).stderr.contains("preprocessing other"))
        #expect(run(["cache", "merge", a, abs, "--into", into]).stderr.contains("folder-relative"))
        #expect(run(["cache", "merge", a, work.appendingPathComponent("nothing").path, "--into", into]).status == 1)
        #expect(run(["cache", "merge", "--into", into]).status == 2)
        #expect(!FileManager.default.fileExists(atPath: into))          // nothing created by a refused merge
        #expect(run(["cache", "merge", a, "--into", into]).status == 0)
        // An --into that holds another model gets a store of its own beside it (one store per model, as
        // in every cache root); the other model's store is not touched.
        let other = URL(fileURLWithPath: try store("other-into", model: "model-B"))
        let otherStore = try #require(EmbeddingCache.stores(inRoot: other).first).appendingPathComponent("vectors.bin")
        let bytes = try Data(contentsOf: otherStore)
        #expect(run(["cache", "merge", a, "--into", other.path]).status == 0)
        #expect(try Data(contentsOf: otherStore) == bytes)
        #expect(EmbeddingCache.stores(inRoot: other).count == 2)
        // An absolute-path --into is refused for folder-relative inputs.
        #expect(run(["cache", "merge", a, "--into", abs]).stderr.contains("which holds a cache of absolute paths"))
        #expect(run(["cache", "merge", a, "--into", abs]).status == 1)
    }
}
