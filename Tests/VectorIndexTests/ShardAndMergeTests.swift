// Sharding by content hash (a partition, balanced, independent of order), the scheduler variables,
// folder-relative cache roots (written under one mount point, read under another) and the merge
// primitives (read a store without changing it; newer file, then later input, wins).
import FileIO
import Foundation
import Testing
import TestSupport
@testable import VectorIndex

@Suite struct ShardAndMergeTests {
    func hash(_ i: Int) -> ContentHash {
        var h = SHA256()
        h.update(Data("file \(i)".utf8))
        return ContentHash(bytes: h.finalize())
    }

    @Test func shardsPartitionTheContentAndAreBalanced() throws {
        let n = 4000
        let hashes = (0..<n).map(hash)
        for count in [1, 2, 4, 7] {
            var sizes = [Int](repeating: 0, count: count + 1)
            for h in hashes {
                let s = ShardSpec.shard(of: h, count: count)
                #expect((1...count).contains(s))
                // exactly one shard claims each content
                #expect((1...count).filter { ShardSpec(index: $0, count: count)!.contains(h) } == [s])
                sizes[s] += 1
            }
            // binomial: n/N ± 4σ (σ = √(n·p·(1−p)) ≤ 32 here); the hashes are fixed, so this cannot flake
            let expected = Double(n) / Double(count)
            let sigma = (Double(n) * (1 / Double(count)) * (1 - 1 / Double(count))).squareRoot()
            for s in 1...count { #expect(abs(Double(sizes[s]) - expected) <= 4 * sigma + 1e-9, "shard \(s)/\(count): \(sizes[s])") }
        }
        // the formula: top 64 bits · N / 2^64, + 1
        var bytes = [UInt8](repeating: 0, count: 32)
        bytes[0] = 0x80                                   // h = 2^63: exactly the middle
        #expect(ShardSpec.shard(of: ContentHash(bytes: bytes), count: 2) == 2)
        bytes[0] = 0x7F; for k in 1..<8 { bytes[k] = 0xFF }
        #expect(ShardSpec.shard(of: ContentHash(bytes: bytes), count: 2) == 1)
        #expect(ShardSpec.shard(of: .zero, count: 5) == 1)
        #expect(ShardSpec.shard(of: ContentHash(bytes: [UInt8](repeating: 0xFF, count: 32)), count: 5) == 5)
    }

    @Test func parseAcceptsOnlyIOfN() throws {
        #expect(try ShardSpec.parse("3/8") == ShardSpec(index: 3, count: 8))
        #expect(try ShardSpec.parse("1/1") == ShardSpec(index: 1, count: 1))
        for bad in ["0/2", "3/2", "a/b", "2", "1/2/3", "-1/2", "1/0", "", "/"] {
            #expect(throws: ShardSpec.Problem.self, "\(bad)") { try ShardSpec.parse(bad) }
        }
    }

    @Test func schedulerVariables() throws {
        #expect(try ShardSpec.fromEnvironment([:], shardCount: 4) == nil)
        #expect(try ShardSpec.fromEnvironment(["JOB_COMPLETION_INDEX": "0"], shardCount: 4)?.0 == ShardSpec(index: 1, count: 4))
        #expect(try ShardSpec.fromEnvironment(["JOB_COMPLETION_INDEX": "3"], shardCount: 4)?.0 == ShardSpec(index: 4, count: 4))
        #expect(throws: ShardSpec.Problem.self) { try ShardSpec.fromEnvironment(["JOB_COMPLETION_INDEX": "4"], shardCount: 4) }
        #expect(throws: ShardSpec.Problem.self) { try ShardSpec.fromEnvironment(["JOB_COMPLETION_INDEX": "0"], shardCount: nil) }
        #expect(throws: ShardSpec.Problem.self) { try ShardSpec.fromEnvironment(["JOB_COMPLETION_INDEX": "x"], shardCount: 2) }
        let slurm = ["SLURM_ARRAY_TASK_ID": "12", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_COUNT": "8"]
        #expect(try ShardSpec.fromEnvironment(slurm, shardCount: nil)?.0 == ShardSpec(index: 3, count: 8))
        var stepped = slurm; stepped["SLURM_ARRAY_TASK_STEP"] = "2"     // --array=10-24:2 → 10,12,… → 1,2,…
        #expect(try ShardSpec.fromEnvironment(stepped, shardCount: nil)?.0 == ShardSpec(index: 2, count: 8))
        var outside = slurm; outside["SLURM_ARRAY_TASK_ID"] = "18"
        #expect(throws: ShardSpec.Problem.self) { try ShardSpec.fromEnvironment(outside, shardCount: nil) }
        #expect(throws: ShardSpec.Problem.self) { try ShardSpec.fromEnvironment(["SLURM_ARRAY_TASK_ID": "1"], shardCount: nil) }
    }

    func entry(_ path: String, mtime: Int64, value: Float, width: Int = 4) -> CacheEntry {
        CacheEntry(path: ItemPath(path), size: 10, mtimeNs: mtime, contentHash: hash(Int(value * 1000)),
                   outcome: .vector([value] + [Float](repeating: 0, count: width - 1)))
    }

    @Test func folderRelativeRootsResolveAgainstTheFolderOfEachRun() throws {
        let root = try Fixtures.tempDirectory()
        try EmbeddingCache.makeFolderRelative(root: root)
        #expect(try EmbeddingCache.layout(ofRoot: root) == .folderRelative)
        do {
            let c = try EmbeddingCache(root: root, modelIdentity: "m", preprocessingKey: "p", width: 4, folder: ItemPath("/mnt/a/photos"))
            try c.put(entry("/mnt/a/photos/x/1.jpg", mtime: 1, value: 1))
            try c.close()
        }
        let bytes = try Data(contentsOf: root.appendingPathComponent(EmbeddingCache.storeName(modelIdentity: "m", preprocessingKey: "p") + "/vectors.bin"))
        #expect(bytes.range(of: Data("x/1.jpg".utf8)) != nil && bytes.range(of: Data("/mnt/a".utf8)) == nil)
        let other = try EmbeddingCache(root: root, modelIdentity: "m", preprocessingKey: "p", width: 4, folder: ItemPath("/data/photos"))
        #expect(other.entry(forPath: ItemPath("/data/photos/x/1.jpg"))?.outcome == .vector([1, 0, 0, 0]))
        #expect(other.paths(under: ItemPath("/data/photos")) == [ItemPath("/data/photos/x/1.jpg")])
        try other.close()
        // an absolute root (no layout file) is unchanged: the folder plays no part
        let plain = try Fixtures.tempDirectory()
        #expect(try EmbeddingCache.layout(ofRoot: plain) == .absolute)
        try Data("{\"paths\": \"sideways\"}".utf8).write(to: plain.appendingPathComponent("layout.json"))
        #expect(throws: CacheError.self) { try EmbeddingCache.layout(ofRoot: plain) }
    }

    @Test func readStoreChangesNothingAndAbsorbKeepsTheNewerFileThenTheLaterInput() throws {
        let a = try Fixtures.tempDirectory(), b = try Fixtures.tempDirectory()
        for (root, entries) in [(a, [entry("p/1.jpg", mtime: 5, value: 1), entry("p/2.jpg", mtime: 5, value: 2)]),
                                (b, [entry("p/1.jpg", mtime: 4, value: 3), entry("p/2.jpg", mtime: 5, value: 4), entry("p/3.jpg", mtime: 1, value: 5)])] {
            let c = try EmbeddingCache(root: root, modelIdentity: "m", preprocessingKey: "p", width: 4)
            for e in entries { try c.put(e) }
            c.abandonForTesting()                     // records in the journal only, as after kill -9
        }
        let storeA = EmbeddingCache.stores(inRoot: a)
        #expect(storeA.count == 1)
        let journal = storeA[0].appendingPathComponent("journal.bin")
        let before = try Data(contentsOf: journal)
        let sa = try #require(try EmbeddingCache.readStore(storeA[0]))
        let sb = try #require(try EmbeddingCache.readStore(EmbeddingCache.stores(inRoot: b)[0]))
        #expect(try Data(contentsOf: journal) == before)
        #expect(!FileManager.default.fileExists(atPath: storeA[0].appendingPathComponent("vectors.bin").path))
        #expect(sa.modelIdentity == "m" && sa.preprocessingKey == "p" && sa.width == 4 && sa.entries.count == 2)

        let into = try Fixtures.tempDirectory()
        let c = try EmbeddingCache(root: into, modelIdentity: "m", preprocessingKey: "p", width: 4)
        try c.absorb(sa.entries)
        try c.absorb(sb.entries)
        #expect(c.entry(forPath: ItemPath("p/1.jpg"))?.outcome == .vector([1, 0, 0, 0]))   // a's file is newer
        #expect(c.entry(forPath: ItemPath("p/2.jpg"))?.outcome == .vector([4, 0, 0, 0]))   // same mtime: later input
        #expect(c.entry(forPath: ItemPath("p/3.jpg")) != nil)
        #expect(throws: CacheError.self) { try c.absorb([self.entry("p/4.jpg", mtime: 1, value: 1, width: 3)]) }
        try c.close()
        let merged = try #require(try EmbeddingCache.readStore(c.storeDirectory))
        #expect(merged.entries.map(\.path.string) == ["p/1.jpg", "p/2.jpg", "p/3.jpg"])
    }
}
