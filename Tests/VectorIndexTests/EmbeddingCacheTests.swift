// The on-disk cache survives truncation, bit flips, kill during write, foreign versions and models:
// damage is reported as a warning, intact records are kept, and no loaded vector is ever wrong.
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
import TestSupport
@testable import VectorIndex

@Suite struct EmbeddingCacheTests {
    static let width = 16

    func open(_ root: URL, model: String = "model-A", pre: String = "pre-1", width: Int = width,
              onWait: (() -> Void)? = nil) throws -> EmbeddingCache {
        try EmbeddingCache(root: root, modelIdentity: model, preprocessingKey: pre, width: width, onWait: onWait)
    }

    func entry(_ i: Int, width: Int = width) -> CacheEntry {
        var rng = SeededRNG(UInt64(i) + 1000)
        return CacheEntry(path: ItemPath("/photos/img\(i).jpg"), size: UInt64(1000 + i), mtimeNs: Int64(i) * 1_000_000_007,
                          contentHash: testHash(UInt64(i) &* 0x9E37_79B9), outcome: .vector(rng.normalVector(width)))
    }

    func snapshotURL(_ c: EmbeddingCache) -> URL { c.storeDirectory.appendingPathComponent("vectors.bin") }
    func journalURL(_ c: EmbeddingCache) -> URL { c.storeDirectory.appendingPathComponent("journal.bin") }

    /// Every entry the cache holds equals the original; returns how many of `originals` it holds.
    func expectNoWrongVector(_ c: EmbeddingCache, _ originals: [CacheEntry]) -> Int {
        var found = 0
        for e in originals {
            if let got = c.entry(forPath: e.path) { #expect(got == e); found += 1 }
        }
        #expect(c.count == found)
        return found
    }

    @Test func roundTripThroughSnapshotAndJournal() throws {
        let root = try Fixtures.tempDirectory()
        let entries = (0..<10).map { entry($0) }
        let failure = CacheEntry(path: ItemPath(bytes: [0x2F, 0x62, 0xFF, 0x2E, 0x6A, 0x70, 0x67]), size: 5, mtimeNs: -3,
                                 contentHash: testHash(42), outcome: .failure("bad.jpg: not a JPEG file"))
        do {
            let c = try open(root)
            for e in entries { try c.put(e) }
            try c.put(failure)
            try c.remove(path: entries[3].path)
            try c.close()
        }
        let c = try open(root)
        #expect(c.warnings.isEmpty)
        #expect(c.count == 10)
        #expect(c.entry(forPath: entries[3].path) == nil)
        #expect(c.entry(forPath: failure.path) == failure)
        for e in entries where e != entries[3] { #expect(c.entry(forPath: e.path) == e) }
        // removed paths stay findable by content for the session (rename detection)
        #expect(c.outcome(size: entries[4].size, contentHash: entries[4].contentHash) == entries[4].outcome)
        #expect(c.paths(under: ItemPath("/photos")).count == 9)
        #expect(c.paths(under: ItemPath("/phot")).isEmpty)
        try c.close()
    }

    /// The content index built before any change (a lookup first): snapshot contents whose path is then
    /// removed or replaced stay findable, this session's are found too; compaction writes every entry once,
    /// in path order (the session's merged with the snapshot's).
    @Test func contentIndexBuiltFirstAndCompactionInPathOrder() throws {
        let root = try Fixtures.tempDirectory()
        let es = (0..<60).map { entry($0) }
        do { let c = try open(root); for i in es.indices where i % 2 == 0 { try c.put(es[i]) }; try c.close() }
        let c = try open(root)
        #expect(c.outcome(size: 1, contentHash: testHash(123_456)) == nil)          // builds the index
        #expect(c.outcome(size: es[4].size, contentHash: es[4].contentHash) == es[4].outcome)
        #expect(c.outcome(size: es[4].size + 1, contentHash: es[4].contentHash) == nil)
        try c.remove(path: es[4].path)
        var changed = es[6]; changed.contentHash = testHash(424_242); changed.outcome = .vector([Float](repeating: 0.5, count: Self.width))
        try c.put(changed)
        for i in es.indices where i % 2 == 1 { try c.put(es[i]) }                              // interleaved in path order
        #expect(c.outcome(size: es[4].size, contentHash: es[4].contentHash) == es[4].outcome)      // removed
        #expect(c.outcome(size: es[6].size, contentHash: es[6].contentHash) == es[6].outcome)      // replaced
        #expect(c.outcome(size: changed.size, contentHash: changed.contentHash) == changed.outcome)
        #expect(c.outcome(size: es[7].size, contentHash: es[7].contentHash) == es[7].outcome)      // this session's
        try c.close()
        var all = es; all[6] = changed; all.remove(at: 4)
        let reopened = try open(root)
        #expect(expectNoWrongVector(reopened, all) == 59)
        reopened.abandonForTesting()
        let bytes = try [UInt8](Data(contentsOf: snapshotURL(reopened)))
        guard case let .ok(length, version) = CacheFormat.checkHeader(bytes, kind: .snapshot, width: Self.width, identity: "model-A", preprocessing: "pre-1") else {
            Issue.record("bad snapshot header"); return
        }
        var order: [ItemPath] = []
        _ = bytes.withUnsafeBytes { raw in CacheFormat.scanRecords(raw, from: length, width: Self.width, version: version) { order.append($0.pathValue) } }
        #expect(order.count == 59 && order == order.sorted())
    }

    @Test func killDuringWriteKeepsEveryCompleteRecord() throws {
        let root = try Fixtures.tempDirectory()
        let entries = (0..<6).map { entry($0) }
        let c = try open(root)
        for e in entries { try c.put(e) }
        c.abandonForTesting()                              // SIGKILL: no compaction, journal left as is
        // The 6th record was being written when the process died: cut it in the middle.
        let jURL = journalURL(c)
        let journal = try Data(contentsOf: jURL)
        let recordSize = CacheFormat.encode(.entry(entries[5])).count
        try journal.prefix(journal.count - recordSize / 2).write(to: jURL)

        let c2 = try open(root)
        #expect(c2.warnings.count == 1)
        #expect(c2.warnings.first?.contains("journal") == true)
        #expect(expectNoWrongVector(c2, entries) == 5)
        // Appending after the torn tail must not leave garbage in between.
        try c2.put(entries[5])
        c2.abandonForTesting()
        let c3 = try open(root)
        #expect(c3.warnings.isEmpty)
        #expect(expectNoWrongVector(c3, entries) == 6)
        try c3.close()
        let c4 = try open(root)                            // compacted snapshot
        #expect(c4.warnings.isEmpty && c4.count == 6)
        #expect(try Data(contentsOf: journalURL(c4)).count < 200)   // journal reset to its header
    }

    @Test func bitFlipInSnapshotDropsOnlyDamagedAndLaterRecords() throws {
        let root = try Fixtures.tempDirectory()
        let entries = (0..<8).map { entry($0) }
        let c = try open(root)
        for e in entries { try c.put(e) }
        try c.close()
        let url = snapshotURL(c)
        var bytes = [UInt8](try Data(contentsOf: url))
        // Records are sorted by path; flip a byte inside the vector of the 4th record (img3).
        let header = CacheFormat.header(kind: .snapshot, width: Self.width, identity: "model-A", preprocessing: "pre-1").count
        let rec = CacheFormat.encode(.entry(entries[0])).count
        bytes[header + 3 * rec + rec - 5] ^= 0x10
        try Data(bytes).write(to: url)

        let c2 = try open(root)
        #expect(c2.warnings.count == 1)
        #expect(c2.warnings[0].contains("checksum mismatch"))
        #expect(expectNoWrongVector(c2, entries) == 3)
        for e in entries[3...] { try c2.put(e) }           // re-embedded
        try c2.close()
        let c3 = try open(root)
        #expect(c3.warnings.isEmpty)
        #expect(expectNoWrongVector(c3, entries) == 8)
    }

    @Test func truncatedSnapshotKeepsItsIntactPrefix() throws {
        let root = try Fixtures.tempDirectory()
        let entries = (0..<8).map { entry($0) }
        let c = try open(root)
        for e in entries { try c.put(e) }
        try c.close()
        let data = try Data(contentsOf: snapshotURL(c))
        try data.prefix(data.count / 2).write(to: snapshotURL(c))
        let c2 = try open(root)
        #expect(c2.warnings.count == 1)
        let kept = expectNoWrongVector(c2, entries)
        #expect(kept >= 3 && kept < 8)
    }

    @Test func headerDamageVersionAndModelMismatchRebuild() throws {
        let root = try Fixtures.tempDirectory()
        let entries = (0..<4).map { entry($0) }
        let c = try open(root)
        for e in entries { try c.put(e) }
        try c.close()
        let pristine = try Data(contentsOf: snapshotURL(c))

        func reopenWith(_ mutate: (inout [UInt8]) -> Void, expect phrase: String) throws {
            var b = [UInt8](pristine)
            mutate(&b)
            try Data(b).write(to: snapshotURL(c))
            let c2 = try open(root)
            #expect(c2.warnings.count == 1 && c2.warnings[0].contains(phrase), "\(c2.warnings)")
            #expect(c2.count == 0)
            c2.abandonForTesting()
        }
        try reopenWith({ $0[8] = 4 }, expect: "format version 4")                  // future version
        try reopenWith({ $0[8] = 1 }, expect: "format version 1, this clipscope reads versions 2–3")   // old caches are rebuilt
        try reopenWith({ $0[0] = UInt8(ascii: "X") }, expect: "bad magic")
        try reopenWith({ $0[24] ^= 1 }, expect: "header checksum mismatch")        // inside the identity
        try reopenWith({ $0 = [] }, expect: "bad magic")                            // empty file
    }

    /// Version 3 adds the partial mark (record kind 4); it survives the journal and the snapshot.
    @Test func partialMarkRoundTrips() throws {
        let root = try Fixtures.tempDirectory()
        var cut = entry(7); cut.isPartial = true
        let whole = entry(8)
        do { let c = try open(root); try c.put(cut); try c.put(whole); c.abandonForTesting() }     // journal only
        do {
            let c = try open(root)
            #expect(c.entry(forPath: cut.path)?.isPartial == true && c.entry(forPath: whole.path)?.isPartial == false)
            #expect(c.known(size: cut.size, contentHash: cut.contentHash)?.isPartial == true)
            try c.close()                                                                          // compacted
        }
        let c = try open(root)
        #expect(c.warnings.isEmpty)
        #expect(c.entry(forPath: cut.path) == cut && c.entry(forPath: whole.path) == whole)
        try c.close()
        // A failure is never partial, whatever the caller passed.
        #expect(CacheEntry(path: cut.path, size: 1, mtimeNs: 1, contentHash: .zero, outcome: .failure("x"), isPartial: true).isPartial == false)
    }

    /// Snapshot entries are found in place (the table of record offsets): with many small failure
    /// records the table grows past its first size; every entry reads back equal; a `put`, a `remove`
    /// and an older `absorb` over snapshot entries behave as over session entries; a snapshot that
    /// records a path twice (then a tombstone for another) keeps the later record, and the content of
    /// what it replaced stays findable; `forEachPath` lists exactly the live paths once.
    @Test func snapshotEntriesAreFoundInPlace() throws {
        // Wide vectors and short failures: the table's first size (from the file size) is too small.
        let root = try Fixtures.tempDirectory(), w = 256
        let vectors = (0..<300).map { entry($0, width: w) }
        let failures = (0..<700).map { i in
            CacheEntry(path: ItemPath("/photos/bad/\(i).jpg"), size: UInt64(i), mtimeNs: 1, contentHash: testHash(UInt64(i) + 5000),
                       outcome: .failure("not a JPEG file"))
        }
        do { let c = try open(root, width: w); for e in vectors + failures { try c.put(e) }; try c.close() }    // compacted
        var all = vectors + failures
        do {
            let c = try open(root, width: w)
            #expect(c.warnings.isEmpty && expectNoWrongVector(c, all) == 1000)
            #expect(c.entry(forPath: ItemPath("/photos/img1000.jpg")) == nil && c.entry(forPath: ItemPath("/photos/img1.jp")) == nil)
            var changed = vectors[10]; changed.mtimeNs += 1; changed.contentHash = testHash(99_999); changed.outcome = .vector([Float](repeating: 0.5, count: w))
            try c.put(changed)
            try c.remove(path: vectors[11].path)
            var older = vectors[12]; older.mtimeNs -= 1; older.outcome = .failure("older")
            try c.absorb([older])                                         // the stored file is newer: ignored
            #expect(c.count == 999 && c.entry(forPath: changed.path) == changed && c.entry(forPath: vectors[11].path) == nil)
            #expect(c.entry(forPath: vectors[12].path) == vectors[12])
            // The replaced and removed snapshot contents are still known by content (renames).
            #expect(c.outcome(size: vectors[10].size, contentHash: vectors[10].contentHash) == vectors[10].outcome)
            #expect(c.outcome(size: vectors[11].size, contentHash: vectors[11].contentHash) == vectors[11].outcome)
            var listed: [String] = []
            c.forEachPath(under: ItemPath("/photos/bad")) { listed.append(String(decoding: $0, as: UTF8.self)) }
            #expect(listed.sorted() == (0..<700).map { "\($0).jpg" }.sorted())
            #expect(c.paths(under: ItemPath("/photos")).count == 999)
            try c.close()
            all[10] = changed; all.remove(at: 11)
        }
        do { let c = try open(root, width: w); #expect(c.warnings.isEmpty && expectNoWrongVector(c, all) == 999); c.abandonForTesting() }
        // A hand-written snapshot: img0 twice (the second wins), img1 then its tombstone.
        let store = try open(root, width: w)
        let dir = store.storeDirectory
        store.abandonForTesting()
        var again = vectors[0]; again.outcome = .vector([Float](repeating: 0.25, count: w)); again.contentHash = testHash(77)
        let records: [CacheRecord] = [.entry(vectors[0]), .entry(vectors[1]), .entry(again), .tombstone(vectors[1].path), .entry(vectors[2])]
        try Data(CacheFormat.header(kind: .snapshot, width: w, identity: "model-A", preprocessing: "pre-1")
                 + records.flatMap { CacheFormat.encode($0) }).write(to: dir.appendingPathComponent("vectors.bin"))
        try Data(CacheFormat.header(kind: .journal, width: w, identity: "model-A", preprocessing: "pre-1"))
            .write(to: dir.appendingPathComponent("journal.bin"))
        let c = try open(root, width: w)
        #expect(c.warnings.isEmpty && c.count == 2)
        #expect(c.entry(forPath: vectors[0].path) == again && c.entry(forPath: vectors[1].path) == nil && c.entry(forPath: vectors[2].path) == vectors[2])
        #expect(c.outcome(size: vectors[0].size, contentHash: vectors[0].contentHash) == vectors[0].outcome)
        #expect(c.outcome(size: vectors[1].size, contentHash: vectors[1].contentHash) == vectors[1].outcome)
        c.abandonForTesting()
    }

    /// A store written by the previous format (version 2: same records, no partial kind) still opens with
    /// every entry, is rewritten as version 3 at once, and a kind-4 record inside a version-2 file is refused.
    @Test func versionTwoCachesStillOpenAndAreUpgraded() throws {
        let root = try Fixtures.tempDirectory()
        let entries = (0..<6).map { entry($0) }
        let probe = try open(root)
        let store = probe.storeDirectory
        probe.abandonForTesting()
        func v2(_ kind: CacheFileKind, _ records: [CacheEntry]) -> Data {
            Data(CacheFormat.header(kind: kind, width: Self.width, identity: "model-A", preprocessing: "pre-1", version: 2)
                 + records.flatMap { CacheFormat.encode(.entry($0)) })
        }
        try v2(.snapshot, Array(entries[0..<4])).write(to: store.appendingPathComponent("vectors.bin"))
        try v2(.journal, Array(entries[4...])).write(to: store.appendingPathComponent("journal.bin"))
        do {
            let c = try open(root)
            #expect(c.warnings.isEmpty, "\(c.warnings)")
            #expect(expectNoWrongVector(c, entries) == 6)
            for name in ["vectors.bin", "journal.bin"] {                    // upgraded on open
                let bytes = [UInt8](try Data(contentsOf: store.appendingPathComponent(name)))
                #expect(bytes[8] == 3, "\(name)")
            }
            var cut = entry(9); cut.isPartial = true
            try c.put(cut)
            c.abandonForTesting()
        }
        let c = try open(root)
        #expect(c.warnings.isEmpty && c.count == 7 && c.entry(forPath: entry(9).path)?.isPartial == true)
        c.abandonForTesting()
        // The partial kind did not exist in version 2: such a record there is damage, not a vector.
        var cut = entry(1); cut.isPartial = true
        try v2(.snapshot, [entries[0], cut]).write(to: store.appendingPathComponent("vectors.bin"))
        try Data(CacheFormat.header(kind: .journal, width: Self.width, identity: "model-A", preprocessing: "pre-1"))
            .write(to: store.appendingPathComponent("journal.bin"))
        let damaged = try open(root)
        #expect(damaged.warnings.count == 1 && damaged.warnings[0].contains("malformed record"), "\(damaged.warnings)")
        #expect(damaged.count == 1 && damaged.entry(forPath: entries[0].path) == entries[0])
        damaged.abandonForTesting()
    }

    /// A disk that fills up in the middle of a record: `put` throws once naming journal.bin and ENOSPC,
    /// the torn record is cut, later updates stay in memory only, `close` does not compact, and a reopen
    /// finds exactly the records committed before the failure, with no warning.
    @Test func fullDiskMidRunKeepsWhatWasCommitted() throws {
        let root = try Fixtures.tempDirectory()
        let entries = (0..<8).map { entry($0) }
        let probe = try open(root)
        try probe.put(entries[0]); try probe.close()
        let snapshotBefore = try Data(contentsOf: snapshotURL(probe))
        let recordSize = CacheFormat.encode(.entry(entries[1])).count
        let disk = FullDiskWriter(budget: 3 * recordSize + recordSize / 2)        // room for 3.5 records
        let c = try EmbeddingCache(root: root, modelIdentity: "model-A", preprocessingKey: "pre-1", width: Self.width, writer: disk)
        var failures: [CacheError] = []
        for e in entries[1...] {
            do { try c.put(e) } catch let error as CacheError { failures.append(error) }
        }
        #expect(failures.count == 1)
        #expect(failures.first?.path == journalURL(c).path && failures.first?.reason == "cannot write the cache: No space left on device")
        #expect(c.writeFailure != nil && c.count == 8)                             // still answers from memory
        #expect(c.entry(forPath: entries[7].path) == entries[7])
        try c.close()                                                               // no compaction attempted
        #expect(try Data(contentsOf: snapshotURL(c)) == snapshotBefore)
        let reopened = try open(root)
        #expect(reopened.warnings.isEmpty, "\(reopened.warnings)")              // the torn record was cut
        #expect(expectNoWrongVector(reopened, entries) == 4)                       // entries 0…3
        #expect(reopened.entry(forPath: entries[3].path) == entries[3] && reopened.entry(forPath: entries[4].path) == nil)
        try reopened.close()
    }

    @Test func anotherModelsStoreIsNeverMixedIn() throws {
        let root = try Fixtures.tempDirectory()
        let a = try open(root, model: "model-A")
        try a.put(entry(1))
        try a.close()
        let b = try open(root, model: "model-B")
        #expect(b.storeDirectory != a.storeDirectory)
        #expect(b.count == 0 && b.warnings.isEmpty)
        b.abandonForTesting()
        // Even a file copied into B's store (or a hash collision) is refused by its header.
        try FileManager.default.removeItem(at: b.storeDirectory.appendingPathComponent("journal.bin"))
        try FileManager.default.copyItem(at: snapshotURL(a), to: snapshotURL(b))
        let b2 = try open(root, model: "model-B")
        #expect(b2.count == 0)
        #expect(b2.warnings.count == 1 && b2.warnings[0].contains("another model (model-A)"))
        b2.abandonForTesting()
        // Same model, other preprocessing or width: separate stores, refused headers.
        let p = try open(root, pre: "pre-2")
        p.abandonForTesting()
        try FileManager.default.copyItem(at: snapshotURL(a), to: snapshotURL(p))
        let p2 = try open(root, pre: "pre-2")
        #expect(p2.count == 0 && p2.warnings[0].contains("other preprocessing"))
        p2.abandonForTesting()
        let a2 = try open(root)                                // A itself is intact
        #expect(a2.count == 1 && a2.entry(forPath: entry(1).path) == entry(1))
    }

    @Test func refusesVectorsOfTheWrongWidth() throws {
        let root = try Fixtures.tempDirectory()
        let c = try open(root)
        #expect(throws: CacheError.self) { try c.put(entry(1, width: 8)) }
        var bad = entry(2); bad.outcome = .vector([Float](repeating: .nan, count: Self.width))
        #expect(throws: CacheError.self) { try c.put(bad) }
        #expect(c.count == 0)
    }

    @Test func secondProcessWaitsForTheLock() throws {
        let root = try Fixtures.tempDirectory()
        let first = try open(root)
        try first.put(entry(1))
        let waited = Locked(false), opened = Locked(-1)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            // flock locks belong to the open file description, so a second open in-process also waits.
            let second = try? EmbeddingCache(root: root, modelIdentity: "model-A", preprocessingKey: "pre-1",
                                             width: Self.width, onWait: { waited.set(true) })
            opened.set(second?.count ?? -2)
            try? second?.close()
            done.signal()
        }
        while !waited.get() { usleep(1000) }                // the second opener reported that it waits
        #expect(opened.get() == -1)                         // ... and has not opened yet
        try first.put(entry(2))
        try first.close()
        done.wait()
        #expect(opened.get() == 2)                          // it then saw everything the first wrote
    }

    @Test func defaultRootFollowsTheEnvironment() {
        #expect(EmbeddingCache.defaultRoot(environment: ["CLIPSCOPE_CACHE_DIR": "/x/y", "XDG_CACHE_HOME": "/c", "HOME": "/h"]).path == "/x/y")
        #expect(EmbeddingCache.defaultRoot(environment: ["XDG_CACHE_HOME": "/c", "HOME": "/h"]).path == "/c/clipscope")
        #expect(EmbeddingCache.defaultRoot(environment: ["HOME": "/h"]).path == "/h/.cache/clipscope")
        #expect(EmbeddingCache.storeName(modelIdentity: "a", preprocessingKey: "b") != EmbeddingCache.storeName(modelIdentity: "a", preprocessingKey: "c"))
    }

    @Test func checksumsMatchKnownValues() {
        #expect(Checksum.crc32(Array("123456789".utf8)) == 0xCBF4_3926)      // the standard CRC-32 check value
        #expect(Checksum.fnv1a64(Array("a".utf8)) == 0xAF63_DC4C_8601_EC8C)   // FNV-1a 64 test vector
        var rng = SeededRNG(5)
        for n in [0, 1, 7, 8, 9, 63, 4133] {                                   // sliced-by-8 == bitwise twin
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(Checksum.crc32(bytes) == Checksum.crc32Naive(bytes), "n=\(n)")
            #expect(Checksum.crc32(bytes[...]) == Checksum.crc32Naive(bytes))
        }
    }
}

/// A tiny lock-protected box for cross-thread test flags.
final class Locked<T>: @unchecked Sendable {
    private var value: T
    private let lock = NSLock()
    init(_ v: T) { value = v }
    func get() -> T { lock.lock(); defer { lock.unlock() }; return value }
    func set(_ v: T) { lock.lock(); value = v; lock.unlock() }
}

/// A distinct content hash per number (test entries have no files behind them).
func testHash(_ n: UInt64) -> ContentHash {
    ContentHash(bytes: withUnsafeBytes(of: n.littleEndian) { Array($0) } + [UInt8](repeating: 0xA5, count: 24))
}

/// A disk with `budget` bytes free: writes past it are cut short, then fail with ENOSPC.
final class FullDiskWriter: CacheFileWriting, @unchecked Sendable {
    private let lock = NSLock()
    private var left: Int
    init(budget: Int) { left = budget }
    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
        lock.lock(); defer { lock.unlock() }
        guard left > 0 else { errno = ENOSPC; return -1 }
        let n = Glibc.write(fd, bytes.baseAddress, min(bytes.count, left))
        if n > 0 { left -= n }
        return n
    }
}
