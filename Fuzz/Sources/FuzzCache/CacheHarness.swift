// libFuzzer harness for the embedding cache reader (VectorIndex/CacheFormat.swift, EmbeddingCache.swift).
// Input layout:
//   byte 0      flags: bit 0 fix up CRCs (header CRC and every record CRC that can be located are
//               recomputed before writing, so mutations reach the record decoder instead of dying
//               at the checksum), bit 1 no vectors.bin, bit 2 no journal.bin
//   bytes 1..2  u16 LE: how many of the remaining bytes are vectors.bin (clamped); the rest is journal.bin
// The files go into a fresh store directory (tmpfs), the cache is opened (width 4, identity
// "fuzz-model", preprocessing "fuzz-pre" — the seeds carry those headers), every entry is read, one
// entry is put and one removed, the cache is closed (compaction rewrites both files) and opened again.
// Opening must never throw on damaged contents; the reopened cache must hold exactly what the first
// one held at close, without warnings. Seeds come from the library's own writer (LLVMFuzzerInitialize
// with CLIPSCOPE_FUZZ_WRITE_SEEDS=dir), so they pass magic, version, identity and CRCs.
import Foundation
import FuzzSupport
import VectorIndex

enum CacheHarness {
    static let width = 4, identity = "fuzz-model", preprocessing = "fuzz-pre"
    nonisolated(unsafe) static var root = URL(fileURLWithPath: "/")
    nonisolated(unsafe) static var store = ""

    static func open(_ root: URL, warnings: inout [String]) throws -> EmbeddingCache {
        var seen: [String] = []
        let cache = try EmbeddingCache(root: root, modelIdentity: identity, preprocessingKey: preprocessing, width: width,
                                       warn: { seen.append($0) })
        warnings = seen
        return cache
    }

    static func entry(_ path: String, _ outcome: CacheEntry.Outcome, size: UInt64 = 10, fp: UInt8 = 7) -> CacheEntry {
        CacheEntry(path: ItemPath(path), size: size, mtimeNs: 1_700_000_000_000_000_000,
                   contentHash: ContentHash(bytes: [UInt8](repeating: fp, count: 32)), outcome: outcome)
    }

    /// A snapshot (written by compaction) and a journal with vectors, a failure and a tombstone.
    static func seeds() throws -> [(String, [UInt8])] {
        let root = FuzzScratch.directory("cache-seeds")
        var w: [String] = []
        do {
            let c = try open(root, warnings: &w)
            try c.put(entry("/pics/a.jpg", .vector([1, 0, -0.5, 0.25])))
            try c.put(entry("/pics/b.png", .failure("b.png: not an image"), size: 3, fp: 9))
            try c.put(entry("/pics/c.jpg", .vector([0, 0, 0, 1]), size: 11, fp: 8))
            try c.close()
        }
        let c = try open(root, warnings: &w)
        try c.put(entry("/pics/d.jpg", .vector([0.5, 0.5, 0.5, 0.5]), size: 12, fp: 1))
        try c.remove(path: ItemPath("/pics/a.jpg"))
        try c.put(entry("/pics/\u{e9}.jpg", .failure("truncated"), size: 4, fp: 2))
        // Copied while still open: close() would compact the journal's records into the snapshot.
        let dir = c.storeDirectory
        let snap = try [UInt8](Data(contentsOf: dir.appendingPathComponent("vectors.bin")))
        let journal = try [UInt8](Data(contentsOf: dir.appendingPathComponent("journal.bin")))
        try c.close()
        func input(_ flags: UInt8, _ s: [UInt8], _ j: [UInt8]) -> [UInt8] {
            [flags, UInt8(s.count & 0xFF), UInt8(s.count >> 8)] + s + j
        }
        return [("both", input(0, snap, journal)), ("both_fixcrc", input(1, snap, journal)),
                ("snapshot_only", input(4, snap, [])), ("journal_only_fixcrc", input(3, [], journal))]
    }

    /// Recomputes the header CRC and the CRC of every record whose length fits, as the writer would.
    static func fixCRCs(_ b: inout [UInt8]) {
        func u32(_ at: Int) -> Int? {
            guard at >= 0, at + 4 <= b.count else { return nil }
            return Int(b[at]) | Int(b[at + 1]) << 8 | Int(b[at + 2]) << 16 | Int(b[at + 3]) << 24
        }
        func put32(_ v: UInt32, _ at: Int) { for i in 0..<4 { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) } }
        guard let idLen = u32(20), idLen < 1 << 20, let preLen = u32(24 + idLen), preLen < 1 << 20 else { return }
        let crcAt = 28 + idLen + preLen
        guard crcAt + 4 <= b.count else { return }
        put32(Checksum.crc32(b[0..<crcAt]), crcAt)
        var pos = crcAt + 4
        while let len = u32(pos + 4), pos + 12 + len <= b.count {
            put32(Checksum.crc32(b[(pos + 12)..<(pos + 12 + len)]), pos + 8)
            pos += 12 + len
        }
    }
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> Int32 {
    FuzzScratch.writeSeedsIfAsked(CacheHarness.seeds)
    CacheHarness.root = FuzzScratch.directory("cache")
    CacheHarness.store = CacheHarness.root.appendingPathComponent(
        EmbeddingCache.storeName(modelIdentity: CacheHarness.identity, preprocessingKey: CacheHarness.preprocessing)).path
    try? FileManager.default.createDirectory(atPath: CacheHarness.store, withIntermediateDirectories: true)
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 3 else { return 0 }
    let flags = data[0]
    let bytes = Array(UnsafeBufferPointer(start: data + 3, count: size - 3))
    let split = min(bytes.count, Int(data[1]) | Int(data[2]) << 8)
    var snapshot = Array(bytes[0..<split]), journal = Array(bytes[split...])
    if flags & 1 != 0 { CacheHarness.fixCRCs(&snapshot); CacheHarness.fixCRCs(&journal) }
    let store = CacheHarness.store
    for name in ["vectors.bin", "journal.bin"] { unlink(store + "/" + name) }
    if flags & 2 == 0 { FuzzScratch.write(snapshot, to: store + "/vectors.bin") }
    if flags & 4 == 0 { FuzzScratch.write(journal, to: store + "/journal.bin") }

    var warnings: [String] = []
    let cache: EmbeddingCache
    do { cache = try CacheHarness.open(CacheHarness.root, warnings: &warnings) } catch {
        FuzzScratch.violated("opening a damaged cache threw: \(error)")
    }
    var listed = cache.paths(under: ItemPath("/"))
    for path in listed {
        guard let e = cache.entry(forPath: path) else { FuzzScratch.violated("listed path \(path) has no entry") }
        if case let .vector(v) = e.outcome, v.count != CacheHarness.width || !v.allSatisfy({ $0.isFinite }) {
            FuzzScratch.violated("entry \(path) has a vector of \(v.count) values or a non-finite one")
        }
        if cache.outcome(size: e.size, contentHash: e.contentHash) == nil {
            FuzzScratch.violated("entry \(path) not findable by content")
        }
    }
    do {
        try cache.put(CacheHarness.entry("/fuzz/new.jpg", .vector([1, 2, 3, 4]), size: 99, fp: 99))
        if let victim = listed.first(where: { $0 != ItemPath("/fuzz/new.jpg") }) { try cache.remove(path: victim) }
        listed = cache.paths(under: ItemPath("/"))
        let count = cache.count
        var kept: [ItemPath: CacheEntry] = [:]
        for p in listed { kept[p] = cache.entry(forPath: p) }
        try cache.close()
        let again = try CacheHarness.open(CacheHarness.root, warnings: &warnings)
        if !warnings.isEmpty { FuzzScratch.violated("reopening after close warned: \(warnings)") }
        if again.count != count { FuzzScratch.violated("reopened cache has \(again.count) entries, \(count) at close") }
        for (p, e) in kept where again.entry(forPath: p) != e {
            FuzzScratch.violated("entry \(p) changed across close/reopen")
        }
        try again.close()
    } catch {
        FuzzScratch.violated("writing to the opened cache failed: \(error)")
    }
    return 0
}
