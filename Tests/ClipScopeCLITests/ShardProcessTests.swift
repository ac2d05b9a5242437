// Sharded indexing as a scheduler runs it: every step is a separate process of the built executable
// (`.build/debug/clipscope`, which `swift test` builds with the tests) on the bundled demo model with
// `--threads 1`. 4 shards of 12 pictures run side by side, `cache merge` joins them, and the merged
// cache's export equals the export of one `--threads 1` run over the folder bit for bit. A shard re-run
// embeds nothing and leaves its cache byte for byte; a shard killed with SIGKILL after its first vector
// leaves nothing half-written: the re-run keeps what was finished, completes, and writes the same bytes
// as the uninterrupted run.
import Foundation
import Testing
import TestSupport
import VectorIndex
#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct ShardProcessTests {
    static let binary = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/debug/clipscope")

    /// A started process with its stdout and stderr going to files (no pipe to fill up).
    struct Launched {
        let process: Process
        let out: URL, err: URL
        /// Waits for the end: (exit status or signal, killed by a signal, stdout, stderr).
        func wait() -> (status: Int32, signalled: Bool, stdout: String, stderr: String) {
            process.waitUntilExit()
            let text = { (u: URL) in (try? String(contentsOf: u, encoding: .utf8)) ?? "" }
            return (process.terminationStatus, process.terminationReason == .uncaughtSignal, text(out), text(err))
        }
    }

    static func launch(_ args: [String], logs: URL) throws -> Launched {
        let name = UUID().uuidString
        let out = logs.appendingPathComponent(name + ".out"), err = logs.appendingPathComponent(name + ".err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        return Launched(process: p, out: out, err: err)
    }

    static func run(_ args: [String], logs: URL) throws -> (status: Int32, signalled: Bool, stdout: String, stderr: String) {
        try launch(args, logs: logs).wait()
    }

    static func snapshot(_ root: URL) throws -> Data {
        let stores = EmbeddingCache.stores(inRoot: root)
        try #require(stores.count == 1, "\(root.path): \(stores)")
        return try Data(contentsOf: stores[0].appendingPathComponent("vectors.bin"))
    }

    @Test func fourShardProcessesMergeToOneRunBitForBitAndSurviveReRunsAndKills() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "\(Self.binary.path) is built with the tests")
        let photos = try ShardCLITests().folder()
        let work = try Fixtures.tempDirectory("clipscope-shard-processes")
        let model = ["--model", "demo"]
        func shardArgs(_ i: Int) -> [String] {
            ["index", photos.path, "--shard", "\(i)/4", "--threads", "1", "--cache-dir", work.appendingPathComponent("shard\(i)").path] + model
        }

        // The 4 shards at once, as 4 jobs of an array would run.
        let launched = try (1...4).map { try Self.launch(shardArgs($0), logs: work) }
        var members: [Int: Int] = [:]
        for (i, l) in zip(1...4, launched) {
            let r = l.wait()
            #expect(r.status == 0 && !r.signalled, "shard \(i): \(r.stderr)")
            let m = try #require(ShardCLITests().members(r.stdout), "\(r.stdout)")
            #expect(r.stdout.contains(": \(m) of 12 images indexed: \(m) embedded"), "\(r.stdout)")
            members[i] = m
        }
        #expect(members.values.reduce(0, +) == 12)

        let merged = work.appendingPathComponent("merged")
        let m = try Self.run(["cache", "merge"] + (1...4).map { work.appendingPathComponent("shard\($0)").path } + ["--into", merged.path], logs: work)
        #expect(m.status == 0 && m.stdout.contains("12 entries (12 vectors, 0 failures)"), "\(m.stdout) \(m.stderr)")

        // One process over the whole folder, then both caches exported (all cached: nothing is embedded).
        let single = work.appendingPathComponent("single")
        let s = try Self.run(["index", photos.path, "--threads", "1", "--cache-dir", single.path] + model, logs: work)
        #expect(s.status == 0 && s.stdout.contains("12 of 12 images indexed: 12 embedded"), "\(s.stdout) \(s.stderr)")
        let fromMerged = try Self.run(["index", photos.path, "--cache-dir", merged.path] + model, logs: work)
        #expect(fromMerged.stdout.contains("12 of 12 images indexed: 0 embedded"), "\(fromMerged.stdout) \(fromMerged.stderr)")
        for (root, name) in [(single, "single"), (merged, "merged")] {
            let e = try Self.run(["export", photos.path, "--out", work.appendingPathComponent(name + ".npy").path, "--cache-dir", root.path] + model, logs: work)
            #expect(e.status == 0, "\(e.stderr)")
        }
        let a = try Data(contentsOf: work.appendingPathComponent("single.npy")), b = try Data(contentsOf: work.appendingPathComponent("merged.npy"))
        #expect(a.count > 12 * 128 * 4 && a == b)                                    // bit for bit
        #expect(try Data(contentsOf: work.appendingPathComponent("single.paths.jsonl"))
                == Data(contentsOf: work.appendingPathComponent("merged.paths.jsonl")))

        // A re-run of a finished shard: nothing embedded, its cache unchanged to the byte.
        let shard1 = work.appendingPathComponent("shard1")
        let before = try Self.snapshot(shard1)
        let again = try Self.run(shardArgs(1), logs: work)
        #expect(again.status == 0 && again.stdout.contains("\(members[1] ?? -1) of 12 images indexed: 0 embedded"), "\(again.stdout)")
        #expect(try Self.snapshot(shard1) == before)

        // The largest shard, from scratch, killed (SIGKILL) as soon as its first vector is in the journal;
        // tried again if the run had already finished (a very fast machine).
        let (k, size) = try #require(members.max { $0.value < $1.value })
        try #require(size >= 2)
        let root = work.appendingPathComponent("shard\(k)")
        let reference = try Self.snapshot(root)
        var killed = false
        for _ in 0..<3 where !killed {
            try FileManager.default.removeItem(at: root)
            let l = try Self.launch(shardArgs(k), logs: work)
            var journalStart: Int?
            let deadline = Date().addingTimeInterval(60)
            while l.process.isRunning && Date() < deadline {
                if let store = EmbeddingCache.stores(inRoot: root).first,
                   let n = (try? FileManager.default.attributesOfItem(atPath: store.appendingPathComponent("journal.bin").path))?[.size] as? Int {
                    // The journal is created empty, then gets its header (one write); a record after it.
                    if let start = journalStart, n > start { kill(l.process.processIdentifier, SIGKILL); break }
                    if journalStart == nil && n > 0 { journalStart = n }
                }
                usleep(1000)
            }
            let r = l.wait()
            killed = r.signalled && r.status == SIGKILL
        }
        try #require(killed, "the shard finished before it could be killed, three times")
        let store = try #require(EmbeddingCache.stores(inRoot: root).first)
        let files = try FileManager.default.contentsOfDirectory(atPath: store.path).sorted()
        #expect(Set(files).isSubset(of: ["journal.bin", "lock", "vectors.bin"]), "\(files)")       // no stray temporary file
        let resumed = try Self.run(shardArgs(k), logs: work)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let embedded = resumed.stdout.components(separatedBy: "indexed: ").dropFirst().first.flatMap { Int($0.prefix { $0.isNumber }) }
        let e = try #require(embedded, "\(resumed.stdout)")
        #expect(e < size, "the killed run's finished vectors are kept: \(resumed.stdout)")
        #expect(resumed.stdout.contains("\(size) of 12 images indexed: \(e) embedded, \(size - e) reused"), "\(resumed.stdout)")
        #expect(try Self.snapshot(root) == reference)                                // the same bytes as the uninterrupted run
    }
}
