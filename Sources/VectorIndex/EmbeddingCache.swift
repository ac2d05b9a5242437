// The on-disk embedding cache: one store per (model identity, preprocessing key), shared by every
// folder the user indexes with that model. Format in CacheFormat.swift.
//
//   <root>/<store>/vectors.bin   compacted snapshot (atomic replace: temp + fsync + rename + dir fsync)
//   <root>/<store>/journal.bin   append-only records since the last compaction; each record is written
//                                with one write(2) before `put` returns, so kill -9 loses nothing that
//                                was reported done (a torn last record is detected by its CRC and cut)
//   <root>/<store>/lock          flock(2): one process at a time; a second one waits (onWait is told)
//
//   root  = $CLIPSCOPE_CACHE_DIR, else $XDG_CACHE_HOME/clipscope, else ~/.cache/clipscope
//   store = FNV-1a 64 of identity + NUL + preprocessing, in hex; the header repeats both strings in
//           full, so even a hash collision or a copied file cannot mix another model's vectors in.
//
// The snapshot is mapped read-only (mmap) for the session and read in place. Its entries are not
// copied out: they are found by path through an open-addressing table of record offsets into the
// mapping (one 8-byte slot per entry, at most half the slots used; the path is hashed and compared as
// base + stored bytes, FNV-1a 64), and an entry is decoded from its record when asked for. So a
// cached file costs ~16 bytes of memory, not a path copy and a dictionary entry, and the only full
// copy of the vectors in a process is the one its VectorIndex builds. Entries written in this session
// (journal, `put`, `absorb`) live in a dictionary by path beside it; a path is in one of the two.
// The mapping is handed back (MADV_DONTNEED) in aligned 2 MiB chunks: of the chunks read, only the
// two latest stay mapped (a page fault may map a whole 2 MiB page-cache folio), and passes over every
// entry go in file order, so the mapping does not stay resident. The index of entries by content (renames, copies)
// is built on its first use, the same way: a second table of record offsets, keyed by size + content
// hash (~16 bytes a snapshot entry), beside a dictionary of this session's entries. Compaction merges
// this session's entries (sorted) with the snapshot's live records in file order, one entry at a time.
//
// Opening never fails on a damaged file: the damage is reported through `warnings`/`warn`, the
// trusted records before it are kept, the rest is re-embedded, and the next compaction rewrites the file.
//
// A write that fails (full disk, read-only remount, quota) cuts the journal back to its last whole
// record and turns the cache memory-only for the rest of the session: `put` throws that first failure
// once (the entry is still kept in memory), later updates stay in memory, and `close` does not compact,
// so everything already committed stays exactly as it was. All writes go through a `CacheFileWriting`
// (POSIX write(2) by default; tests pass one that fails).
import FileIO
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct CacheError: Error, CustomStringConvertible {
    /// The cache file or directory concerned.
    public var path: String
    /// What went wrong, without the path ("cannot write the cache: No space left on device").
    public var reason: String
    public var description: String { "\(path): \(reason)" }
    init(_ path: String, _ what: String, errno code: Int32? = nil) {
        self.path = path
        reason = what + (code.map { ": " + String(cString: strerror($0)) } ?? "")
    }
}

/// Where the cache's bytes are written: write(2) by default. The seam for tests that need a full disk
/// or a read-only file system in the middle of a run.
public protocol CacheFileWriting: Sendable {
    /// Writes from `bytes` to `fd`: the count written, or -1 with `errno` set (as write(2)).
    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int
}

public struct PosixCacheWriter: CacheFileWriting {
    public init() {}
    public func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
        Glibc.write(fd, bytes.baseAddress, bytes.count)
    }
}

public final class EmbeddingCache {
    public let storeDirectory: URL
    public let modelIdentity: String
    public let preprocessingKey: String
    public let width: Int
    /// Problems found while opening (corrupt, foreign or truncated files), already passed to `warn`.
    public private(set) var warnings: [String] = []

    /// What an entry's outcome is: a vector or failure in memory, or a vector in the mapped snapshot.
    private enum Payload { case vector([Float]), failure(String), mapped(Int) }
    private struct Stored {
        var size: UInt64
        var mtimeNs: Int64
        var inode: UInt64
        var contentHash: ContentHash
        var isPartial: Bool
        var payload: Payload
        var key: ContentKey { ContentKey(size: size, contentHash: contentHash) }
    }
    /// Entries written in this session (journal, `put`, `absorb`), by path.
    private var entries: [ItemPath: Stored] = [:]
    /// The snapshot's entries (see the header): slot = tag << 40 | (record start + 1), 0 empty,
    /// −1 removed; the tag (23 high bits of the path's hash) spares reading a record on a probe
    /// that cannot match. Snapshots up to 1 TiB.
    private var slots: [Int] = []
    private var mappedLive = 0, mappedUsed = 0
    private var mappedVersion = CacheFormat.version
    private var scratch: [UInt8] = []
    private struct ContentKey: Hashable { var size: UInt64; var contentHash: ContentHash }
    private struct Known { var payload: Payload; var isPartial: Bool }
    /// The content index, built on first use: this session's entries (and those that gave way before it
    /// was built) by content in `byContent`; the snapshot's records by content in `contentSlots`, an
    /// open-addressing table like `slots` (slot = tag << 40 | (record start + 1), 0 empty; at most half
    /// used), whose records stay findable after their path is replaced or removed.
    private var byContent: [ContentKey: Known] = [:]
    private var contentSlots: [Int] = []
    /// Whether the content index is built; until then, entries replaced or removed are kept in `retired`
    /// (their content stays findable for the session).
    private var byContentReady = false
    private var retired: [Stored] = []
    private var mapping: CacheMapping?
    /// The root's path layout; with `.folderRelative`, `relativeBase` (the folder + "/") is what is
    /// stripped from paths on disk and put back on reading (nil: paths are used as stored, for merging).
    public let layout: PathLayout
    private let relativeBase: [UInt8]?
    private var journalFD: Int32 = -1
    private var lockFD: Int32 = -1
    private var needsCompaction = false
    private var lastSync = Date()
    private let warn: (String) -> Void
    private let writer: any CacheFileWriting
    /// The first write that failed; from then on the cache is memory-only (see the header comment).
    public private(set) var writeFailure: CacheError?

    private var snapshotPath: String { storeDirectory.appendingPathComponent("vectors.bin").path }
    private var journalPath: String { storeDirectory.appendingPathComponent("journal.bin").path }

    /// `$CLIPSCOPE_CACHE_DIR`, else `$XDG_CACHE_HOME/clipscope`, else `~/.cache/clipscope`.
    public static func defaultRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let dir = environment["CLIPSCOPE_CACHE_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir, isDirectory: true) }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent("clipscope", isDirectory: true)
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent(".cache/clipscope", isDirectory: true)
    }

    /// Directory name of the store for a model + preprocessing pair.
    public static func storeName(modelIdentity: String, preprocessingKey: String) -> String {
        let h = Checksum.fnv1a64(Array(modelIdentity.utf8) + [0] + Array(preprocessingKey.utf8))
        return "store-" + String(h, radix: 16).leftPadded(to: 16)
    }

    /// Opens (creating if needed) the store and takes its lock; blocks while another process holds it.
    /// `folder` (a realpath): the folder this run works on; a folder-relative root (see `PathLayout`)
    /// resolves its entries against it. Without it such a root's entries keep their stored relative paths.
    public init(root: URL, modelIdentity: String, preprocessingKey: String, width: Int, folder: ItemPath? = nil,
                onWait: (() -> Void)? = nil, warn: @escaping (String) -> Void = { _ in },
                writer: any CacheFileWriting = PosixCacheWriter()) throws {
        layout = try Self.layout(ofRoot: root)
        if layout == .folderRelative, let folder {
            relativeBase = folder.bytes.last == UInt8(ascii: "/") ? folder.bytes : folder.bytes + [UInt8(ascii: "/")]
        } else {
            relativeBase = nil
        }
        self.modelIdentity = modelIdentity
        self.preprocessingKey = preprocessingKey
        self.width = width
        self.warn = warn
        self.writer = writer
        storeDirectory = root.appendingPathComponent(Self.storeName(modelIdentity: modelIdentity, preprocessingKey: preprocessingKey), isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: storeDirectory, withIntermediateDirectories: true)
        } catch {
            throw CacheError(storeDirectory.path, "cannot create the cache directory (set CLIPSCOPE_CACHE_DIR to a writable place)")
        }
        try moveAsideIfNotAFile(storeDirectory.appendingPathComponent("lock").path)
        try acquireLock(onWait: onWait)
        do {
            try moveAsideIfNotAFile(snapshotPath)
            try moveAsideIfNotAFile(journalPath)
            try loadSnapshot()
            try openJournal()
        } catch {
            releaseLock()
            throw error
        }
    }

    deinit { try? close() }

    // MARK: queries

    public var count: Int { entries.count + mappedLive }
    public func entry(forPath path: ItemPath) -> CacheEntry? {
        lookup(path).map { CacheEntry(path: path, size: $0.size, mtimeNs: $0.mtimeNs, inode: $0.inode, contentHash: $0.contentHash,
                                       outcome: outcome($0.payload), isPartial: $0.isPartial) }
    }
    /// An entry without its vector (nothing is read from the snapshot): what a scan is compared with.
    public func file(atPath path: ItemPath) -> CachedFile? {
        guard let e = lookup(path) else { return nil }
        var failure: String?
        if case let .failure(why) = e.payload { failure = why }
        return CachedFile(size: e.size, mtimeNs: e.mtimeNs, inode: e.inode, contentHash: e.contentHash,
                          isPartial: e.isPartial, failure: failure)
    }
    /// Any known outcome for this content (a renamed or copied file), whatever its path was.
    public func outcome(size: UInt64, contentHash: ContentHash) -> CacheEntry.Outcome? {
        knownContent(ContentKey(size: size, contentHash: contentHash)).map { outcome($0.payload) }
    }
    /// Like `outcome`, with the entry's partial mark (see `CacheEntry.isPartial`).
    public func known(size: UInt64, contentHash: ContentHash) -> (outcome: CacheEntry.Outcome, isPartial: Bool)? {
        knownContent(ContentKey(size: size, contentHash: contentHash)).map { (outcome($0.payload), $0.isPartial) }
    }

    private func outcome(_ p: Payload) -> CacheEntry.Outcome {
        switch p {
        case let .vector(v): return .vector(v)
        case let .failure(why): return .failure(why)
        case let .mapped(offset):
            guard let mapping else { return .failure("cache snapshot no longer mapped") }
            return .vector(mapping.vector(at: offset, width: width))
        }
    }

    /// What is known for a content: this session's entry, else a snapshot record's (building the index
    /// on first use: 16 bytes a snapshot entry, its records read in file order once).
    private func knownContent(_ key: ContentKey) -> Known? {
        if !byContentReady {
            byContent.reserveCapacity(entries.count + retired.count)
            for e in retired { byContent[e.key] = Known(payload: e.payload, isPartial: e.isPartial) }
            for e in entries.values { byContent[e.key] = Known(payload: e.payload, isPartial: e.isPartial) }
            if let mapping, mappedLive > 0 {
                let records = mappedRecords()
                var n = 16
                while n < 2 * records.count { n *= 2 }
                contentSlots = [Int](repeating: 0, count: n)
                for start in records {
                    guard let r = CacheFormat.trustedView(mapping.raw, at: start, width: width, version: mappedVersion) else { continue }
                    mapping.touch(start..<(r.vectorOffset >= 0 ? r.vectorOffset : CacheFormat.pathEnd(mapping.raw, recordAt: start) + 56))
                    let m = Self.contentHash(ContentKey(size: r.size, contentHash: r.contentHash))
                    var i = Self.home(m, mask: n - 1)
                    while contentSlots[i] != 0 { i = (i + 1) & (n - 1) }
                    contentSlots[i] = Self.tag(m) | (start + 1)
                }
            }
            retired = []
            byContentReady = true
        }
        if let k = byContent[key] { return k }
        guard !contentSlots.isEmpty else { return nil }
        let m = Self.contentHash(key), tag = Self.tag(m), mask = contentSlots.count - 1
        var i = Self.home(m, mask: mask)
        while contentSlots[i] != 0 {
            let s = contentSlots[i]
            if s & ~(1 << 40 - 1) == tag, let e = mappedStored(Self.start(s)), e.key == key {
                return Known(payload: e.payload, isPartial: e.isPartial)
            }
            i = (i + 1) & mask
        }
        return nil
    }

    /// A content key's hash for `contentSlots` (the SHA-256 words are uniform already: mixed with the size).
    private static func contentHash(_ key: ContentKey) -> UInt64 {
        let w = key.contentHash.words
        return mixed(w.0 ^ key.size) ^ w.1
    }

    /// Sets `entries[path]`, keeping the content index (or the retired list) up to date.
    private func store(_ path: ItemPath, _ e: Stored?) {
        var old = e.map { entries.updateValue($0, forKey: path) } ?? entries.removeValue(forKey: path)
        if old == nil, let i = slot(of: path) {            // the snapshot's entry gives way
            old = mappedStored(Self.start(slots[i]))
            slots[i] = -1; mappedLive -= 1
        }
        if byContentReady {
            if let e { byContent[e.key] = Known(payload: e.payload, isPartial: e.isPartial) }
        } else if let old {
            retired.append(old)
        }
    }

    private static func stored(_ e: CacheEntry) -> Stored {
        let payload: Payload
        switch e.outcome {
        case let .vector(v): payload = .vector(v)
        case let .failure(why): payload = .failure(why)
        }
        return Stored(size: e.size, mtimeNs: e.mtimeNs, inode: e.inode, contentHash: e.contentHash, isPartial: e.isPartial, payload: payload)
    }
    /// Paths cached below a directory prefix (absolute, without trailing slash).
    public func paths(under directory: ItemPath) -> [ItemPath] {
        let prefix = directory.bytes.last == UInt8(ascii: "/") ? directory.bytes : directory.bytes + [UInt8(ascii: "/")]
        var out: [ItemPath] = []
        forEachPath(under: directory) { rest in out.append(ItemPath(bytes: prefix + Array(rest))) }
        return out
    }

    /// Calls `body` with the rest of every cached path below `directory` (the bytes after
    /// `directory` + "/"), in no particular order; the bytes are valid during the call only. Nothing
    /// is allocated per path.
    public func forEachPath(under directory: ItemPath, _ body: (UnsafeRawBufferPointer) -> Void) {
        let prefix = directory.bytes.last == UInt8(ascii: "/") ? directory.bytes : directory.bytes + [UInt8(ascii: "/")]
        for p in entries.keys where p.bytes.starts(with: prefix) {
            p.bytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[prefix.count...])) }
        }
        guard mappedLive > 0, let mapping else { return }
        for start in mappedRecords() {
            materializePath(ofRecordAt: start, mapping.raw)
            if scratch.starts(with: prefix) { scratch.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[prefix.count...])) } }
        }
    }

    // MARK: private: the snapshot's entries in place

    private static let fnvBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    private static func fnv(_ h: UInt64, _ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h = h
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }
    /// The FNV bits mixed, so that the low ones (the home slot) and the high ones (the tag) vary.
    private static func mixed(_ h: UInt64) -> UInt64 {
        var x = h ^ (h >> 31)
        x = x &* 0xbf58_476d_1ce4_e5b9
        return x ^ (x >> 29)
    }
    private static func home(_ m: UInt64, mask: Int) -> Int { Int(truncatingIfNeeded: m) & mask }
    private static func tag(_ m: UInt64) -> Int { Int(m >> 41) << 40 }
    /// The record start a live slot holds.
    @inline(__always) private static func start(_ s: Int) -> Int { (s & (1 << 40 - 1)) - 1 }

    /// A record's stored path bytes, and whether its path in memory is `relativeBase` + them.
    private func storedPath(ofRecordAt start: Int, _ raw: UnsafeRawBufferPointer) -> (UnsafeRawBufferPointer, based: Bool) {
        let end = CacheFormat.pathEnd(raw, recordAt: start)
        let p = UnsafeRawBufferPointer(rebasing: raw[(start + 17)..<end])
        return (p, relativeBase != nil && p.first != UInt8(ascii: "/"))
    }

    private func hash(ofRecordAt start: Int, _ raw: UnsafeRawBufferPointer) -> UInt64 {
        let (p, based) = storedPath(ofRecordAt: start, raw)
        guard based, let base = relativeBase else { return Self.fnv(Self.fnvBasis, p) }
        return base.withUnsafeBytes { Self.fnv(Self.fnv(Self.fnvBasis, $0), p) }
    }

    /// Whether a record's path in memory is `q`.
    private func recordPath(at start: Int, _ raw: UnsafeRawBufferPointer, equals q: UnsafeRawBufferPointer) -> Bool {
        let (p, based) = storedPath(ofRecordAt: start, raw)
        var q = q
        if based, let base = relativeBase {
            guard q.count == base.count + p.count else { return false }
            let same = base.withUnsafeBytes { b in b.count == 0 || memcmp(b.baseAddress!, q.baseAddress!, b.count) == 0 }
            guard same else { return false }
            q = UnsafeRawBufferPointer(rebasing: q[base.count...])
        }
        return q.count == p.count && (p.count == 0 || memcmp(p.baseAddress!, q.baseAddress!, p.count) == 0)
    }

    /// `scratch` = a record's path in memory.
    private func materializePath(ofRecordAt start: Int, _ raw: UnsafeRawBufferPointer) {
        let (p, based) = storedPath(ofRecordAt: start, raw)
        scratch.removeAll(keepingCapacity: true)
        if based, let base = relativeBase { scratch += base }
        scratch += p
        mapping?.touch(start..<CacheFormat.pathEnd(raw, recordAt: start))
    }

    /// The slot holding `path`'s snapshot entry.
    private func slot(of path: ItemPath) -> Int? {
        guard mappedLive > 0, let raw = mapping?.raw else { return nil }
        return path.bytes.withUnsafeBytes { q -> Int? in
            let mask = slots.count - 1
            let m = Self.mixed(Self.fnv(Self.fnvBasis, q)), tag = Self.tag(m)
            var i = Self.home(m, mask: mask)
            while true {
                let s = slots[i]
                if s == 0 { return nil }
                if s > 0 && s & ~(1 << 40 - 1) == tag {
                    let start = Self.start(s)
                    mapping?.touch(start..<CacheFormat.pathEnd(raw, recordAt: start))
                    if recordPath(at: start, raw, equals: q) { return i }
                }
                i = (i + 1) & mask
            }
        }
    }

    /// Adds the snapshot record at `start` (while loading); returns the start of the record it
    /// replaces (same path), if any.
    private func insertMapped(_ start: Int, _ raw: UnsafeRawBufferPointer) -> Int? {
        if (mappedUsed + 1) * 2 > slots.count { rehash(max(16, slots.count * 2), raw) }
        materializePath(ofRecordAt: start, raw)
        let mask = slots.count - 1
        let m = Self.mixed(hash(ofRecordAt: start, raw)), tag = Self.tag(m)
        var i = Self.home(m, mask: mask)
        var free: Int?
        while slots[i] != 0 {
            let s = slots[i]
            if s < 0 { if free == nil { free = i } }
            else if s & ~(1 << 40 - 1) == tag, scratch.withUnsafeBytes({ recordPath(at: Self.start(s), raw, equals: $0) }) {
                slots[i] = tag | (start + 1)
                return Self.start(s)
            }
            i = (i + 1) & mask
        }
        let at = free ?? i
        if slots[at] == 0 { mappedUsed += 1 }
        slots[at] = tag | (start + 1)
        mappedLive += 1
        return nil
    }

    /// Removes the snapshot entry at `path` (a tombstone while loading); returns its record's start.
    private func removeMapped(_ path: ItemPath) -> Int? {
        guard let i = slot(of: path) else { return nil }
        let start = Self.start(slots[i])
        slots[i] = -1; mappedLive -= 1
        return start
    }

    private func rehash(_ capacity: Int, _ raw: UnsafeRawBufferPointer) {
        var n = 16
        while n < capacity { n *= 2 }
        let old = slots
        slots = [Int](repeating: 0, count: n)
        mappedUsed = 0
        let mask = n - 1
        for s in old where s > 0 {
            var i = Self.home(Self.mixed(hash(ofRecordAt: Self.start(s), raw)), mask: mask)
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = s
            mappedUsed += 1
        }
    }

    /// The starts of the live snapshot records in file order (so a pass over them reads the mapping
    /// front to back, not in hash order).
    private func mappedRecords() -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(mappedLive)
        for s in slots where s > 0 { out.append(Self.start(s)) }
        out.sort()
        return out
    }

    /// The entry of the snapshot record at `start`, decoded (a vector stays in the mapping).
    private func mappedStored(_ start: Int) -> Stored? {
        guard let mapping, let r = CacheFormat.trustedView(mapping.raw, at: start, width: width, version: mappedVersion) else { return nil }
        mapping.touch(start..<(r.vectorOffset >= 0 ? r.vectorOffset : CacheFormat.pathEnd(mapping.raw, recordAt: start) + 56))
        switch r.kind {
        case 2:
            return Stored(size: r.size, mtimeNs: r.mtimeNs, inode: r.inode, contentHash: r.contentHash, isPartial: false,
                          payload: .failure(String(decoding: r.message, as: UTF8.self)))
        case 1, 4:
            return Stored(size: r.size, mtimeNs: r.mtimeNs, inode: r.inode, contentHash: r.contentHash, isPartial: r.kind == 4,
                          payload: .mapped(r.vectorOffset))
        default:
            return nil
        }
    }

    /// Any entry for `path`: this session's, else the snapshot's.
    private func lookup(_ path: ItemPath) -> Stored? {
        if !entries.isEmpty, let e = entries[path] { return e }
        return slot(of: path).flatMap { mappedStored(Self.start(slots[$0])) }
    }

    // MARK: updates

    /// Records an outcome; it is in the journal (survives kill -9) when this returns without throwing.
    /// A failed write throws once (the entry is kept in memory all the same); see `writeFailure`.
    public func put(_ entry: CacheEntry) throws {
        if case let .vector(v) = entry.outcome, v.count != width || !v.allSatisfy({ $0.isFinite }) {
            throw CacheError(entry.path.string, "refusing to cache a vector of \(v.count) values (expected \(width), finite)")
        }
        apply(.entry(entry))
        try append(.entry(entry))
    }

    /// Takes `incoming` entries without journaling them: they reach the disk only with the atomic
    /// snapshot rewrite of `close()` (so a merge killed before that changes nothing). An incoming entry
    /// replaces a stored one for the same path unless the stored file is newer (`mtimeNs`).
    public func absorb(_ incoming: [CacheEntry]) throws {
        for e in incoming {
            if case let .vector(v) = e.outcome, v.count != width || !v.allSatisfy({ $0.isFinite }) {
                throw CacheError(e.path.string, "refusing to cache a vector of \(v.count) values (expected \(width), finite)")
            }
            if let old = lookup(e.path), old.mtimeNs > e.mtimeNs { continue }
            store(e.path, Self.stored(e))
            needsCompaction = true
        }
    }

    /// Forgets a path (the file was removed). Its content stays findable for the rest of this session.
    public func remove(path: ItemPath) throws {
        guard lookup(path) != nil else { return }
        store(path, nil)
        try append(.tombstone(path))
    }

    /// Makes the journal durable (fsync); `put` already survives a process kill without this.
    public func sync() {
        if journalFD >= 0 { fsync(journalFD) }
        lastSync = Date()
    }

    /// Compacts (snapshot rewritten atomically, journal emptied) and releases the lock. Idempotent.
    public func close() throws {
        guard lockFD >= 0 else { return }
        defer {
            if journalFD >= 0 { Glibc.close(journalFD); journalFD = -1 }
            releaseLock()
        }
        if needsCompaction && writeFailure == nil { try compact() }
    }

    /// Test hook: drops the file descriptors and the lock without compacting, leaving the files exactly
    /// as a process killed with SIGKILL would.
    func abandonForTesting() {
        if journalFD >= 0 { Glibc.close(journalFD); journalFD = -1 }
        releaseLock()
    }

    // MARK: private: loading

    private func acquireLock(onWait: (() -> Void)?) throws {
        let path = storeDirectory.appendingPathComponent("lock").path
        lockFD = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lockFD >= 0 else { throw CacheError(path, "cannot open the cache lock file", errno: errno) }
        if flock(lockFD, LOCK_EX | LOCK_NB) == 0 { return }
        onWait?()
        while flock(lockFD, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let code = errno
            Glibc.close(lockFD); lockFD = -1
            throw CacheError(path, "cannot lock the cache", errno: code)
        }
    }

    /// A cache file that is a directory, FIFO, link, … (never written by clipscope) is moved aside to
    /// NAME.not-a-file-<time> and the store rebuilt; if it cannot be moved the error names what to remove.
    private func moveAsideIfNotAFile(_ path: String) throws {
        guard let kind = SafeFile.nonRegularKind(atPath: path, followLinks: false) else { return }
        let aside = path + ".not-a-file-\(Int(Date().timeIntervalSince1970))"
        if rename(path, aside) == 0 {
            report("warning: \(path) was \(kind), not a file; moved it to \(aside); the cache is rebuilt")
            return
        }
        throw CacheError(path, "is \(kind), not a regular file, and cannot be moved aside (\(SafeFile.strerror(errno))); "
                         + "remove it (rm -r '\(path)') and run again")
    }

    private func releaseLock() {
        if lockFD >= 0 { flock(lockFD, LOCK_UN); Glibc.close(lockFD); lockFD = -1 }
    }

    private func report(_ message: String) {
        warnings.append(message)
        warn(message)
    }

    private func apply(_ record: CacheRecord) {
        switch record {
        case let .entry(e):
            store(inMemory(e.path), Self.stored(e))
        case let .tombstone(p):
            store(inMemory(p), nil)
        }
    }

    /// A stored relative path resolved against the folder (folder-relative roots opened for a folder).
    private func inMemory(_ p: ItemPath) -> ItemPath {
        guard let base = relativeBase, p.bytes.first != UInt8(ascii: "/") else { return p }
        return ItemPath(bytes: base + p.bytes)
    }

    /// The inverse: a path under the folder is written relative to it.
    private func onDisk(_ record: CacheRecord) -> CacheRecord {
        guard let base = relativeBase else { return record }
        func strip(_ p: ItemPath) -> ItemPath { p.bytes.starts(with: base) ? ItemPath(bytes: Array(p.bytes.dropFirst(base.count))) : p }
        switch record {
        case var .entry(e): e.path = strip(e.path); return .entry(e)
        case let .tombstone(p): return .tombstone(strip(p))
        }
    }

    /// Maps the snapshot and reads its records in place (vectors stay in the mapping).
    private func loadSnapshot() throws {
        let file: SafeFile
        do { file = try SafeFile(path: snapshotPath) } catch let e as SafeFileError {
            if e.isMissing { return }
            throw CacheError(snapshotPath, "cannot read the cache file: " + e.reason)
        }
        guard let map = CacheMapping(file: file) else {
            throw CacheError(snapshotPath, "cannot read the cache file", errno: errno)
        }
        let raw = map.raw
        let head = Array(UnsafeRawBufferPointer(rebasing: raw[0..<min(raw.count, (2 << 20) + 64)]))
        switch CacheFormat.checkHeader(head, kind: .snapshot, width: width, identity: modelIdentity, preprocessing: preprocessingKey) {
        case let .problem(why):
            report("warning: cache file \(snapshotPath) ignored: \(why); it will be rebuilt")
            needsCompaction = true
        case .ok where raw.count >= 1 << 40 - 1:
            report("warning: cache file \(snapshotPath) ignored: larger than 1 TiB; it will be rebuilt")
            needsCompaction = true
        case let .ok(length, version):
            mapping = map
            mappedVersion = version
            rehash(2 * (raw.count / (73 + 4 * width)) + 16, raw)
            let scanned = CacheFormat.scanRecords(raw, from: length, width: width, version: version) { r in
                map.touch(r.recordStart..<(r.recordStart + 1))
                // A path recorded twice: the later record holds; the earlier content stays findable.
                let replaced = r.kind == 3 ? removeMapped(inMemory(r.pathValue)) : insertMapped(r.recordStart, raw)
                if let replaced, let old = mappedStored(replaced) { retired.append(old) }
            }
            map.dropPages()
            if version < CacheFormat.version { needsCompaction = true }   // rewritten in the current version
            if let why = scanned.problem {
                report("warning: cache file \(snapshotPath) is damaged (\(why)); kept \(scanned.count) intact entries, the rest will be re-embedded")
                needsCompaction = true
            }
        }
    }

    private func openJournal() throws {
        let path = journalPath
        let header = CacheFormat.header(kind: .journal, width: width, identity: modelIdentity, preprocessing: preprocessingKey)
        if let data = try readFileIfPresent(path) {
            switch CacheFormat.checkHeader(data, kind: .journal, width: width, identity: modelIdentity, preprocessing: preprocessingKey) {
            case let .problem(why):
                report("warning: cache journal \(path) ignored: \(why); it will be rebuilt")
                needsCompaction = true
            case let .ok(length, version):
                let decoded = CacheFormat.decodeRecords(data, from: length, width: width, version: version)
                decoded.records.forEach(apply)
                if !decoded.records.isEmpty { needsCompaction = true }
                if let why = decoded.problem {
                    report("warning: cache journal \(path) ends in a damaged record (\(why); an interrupted run?); kept \(decoded.records.count) complete records")
                    needsCompaction = true
                }
                if version < CacheFormat.version {
                    // An older journal gets no newer records: compact now (snapshot and journal rewritten in
                    // the current version), then append to the fresh journal.
                    try compact()
                    journalFD = open(path, O_WRONLY | O_CLOEXEC)
                    guard journalFD >= 0 else { throw CacheError(path, "cannot open the cache journal", errno: errno) }
                    lseek(journalFD, 0, SEEK_END)
                    return
                }
                journalFD = open(path, O_WRONLY | O_CLOEXEC)
                guard journalFD >= 0 else { throw CacheError(path, "cannot open the cache journal", errno: errno) }
                // Cut a torn tail so new records follow the last good one.
                if decoded.goodEnd < data.count { ftruncate(journalFD, off_t(decoded.goodEnd)) }
                lseek(journalFD, off_t(decoded.goodEnd), SEEK_SET)
                return
            }
        }
        journalFD = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard journalFD >= 0 else { throw CacheError(path, "cannot create the cache journal", errno: errno) }
        try writeAll(journalFD, header, path: path)
        fsync(journalFD)
    }

    /// A cache file's bytes (nil when absent); a directory, FIFO or device in its place is refused by name.
    private func readFileIfPresent(_ path: String) throws -> [UInt8]? {
        do { return try SafeFile.readIfPresent(path).map { [UInt8]($0) } } catch let e as SafeFileError {
            throw CacheError(path, "cannot read the cache file: " + e.reason)
        }
    }

    // MARK: private: writing

    private func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { writer.write(fd, UnsafeRawBufferPointer(rebasing: $0[done...])) }
            if n < 0 { if errno == EINTR { continue }; throw CacheError(path, "cannot write the cache", errno: errno) }
            if n == 0 { throw CacheError(path, "cannot write the cache: no byte written") }
            done += n
        }
    }

    private func append(_ record: CacheRecord) throws {
        guard writeFailure == nil else { return }                 // memory-only since the first failure
        guard journalFD >= 0 else { throw CacheError(journalPath, "the cache is closed") }
        let start = lseek(journalFD, 0, SEEK_CUR)
        do {
            try writeAll(journalFD, CacheFormat.encode(onDisk(record)), path: journalPath)
        } catch let e as CacheError {
            // Cut a partly written record so the journal ends at its last whole one (best effort: a
            // torn tail is also cut when the cache is next opened).
            if start >= 0 { ftruncate(journalFD, start); lseek(journalFD, start, SEEK_SET) }
            writeFailure = e
            throw e
        }
        needsCompaction = true
        if Date().timeIntervalSince(lastSync) > 2 { sync() }
    }

    /// Snapshot = header + every live entry (sorted by path), written to a temp file, fsynced, renamed
    /// over vectors.bin, directory fsynced; only then is the journal emptied.
    private func compact() throws {
        let tmp = snapshotPath + ".tmp.\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CacheError(tmp, "cannot write the cache snapshot", errno: errno) }
        do {
            var buf = CacheFormat.header(kind: .snapshot, width: width, identity: modelIdentity, preprocessing: preprocessingKey)
            // This session's entries (sorted) merged with the snapshot's live records in file order (path
            // order, as compaction wrote them): one entry decoded at a time, no path held per entry.
            let session = entries.keys.sorted()
            var next = 0
            func write(_ e: CacheEntry) throws {
                buf += CacheFormat.encode(onDisk(.entry(e)))
                if buf.count > 1 << 20 { try writeAll(fd, buf, path: tmp); buf.removeAll(keepingCapacity: true) }
            }
            func writeSession(before path: ItemPath?) throws {
                while next < session.count, path.map({ session[next] < $0 }) ?? true {
                    if let e = entry(forPath: session[next]) { try write(e) }
                    next += 1
                }
            }
            if let raw = mapping?.raw, mappedLive > 0 {
                for start in mappedRecords() {
                    materializePath(ofRecordAt: start, raw)
                    let path = ItemPath(bytes: scratch)
                    try writeSession(before: path)
                    guard let s = mappedStored(start) else { continue }
                    try write(CacheEntry(path: path, size: s.size, mtimeNs: s.mtimeNs, inode: s.inode, contentHash: s.contentHash,
                                         outcome: outcome(s.payload), isPartial: s.isPartial))
                }
            }
            try writeSession(before: nil)
            try writeAll(fd, buf, path: tmp)
            guard fsync(fd) == 0 else { throw CacheError(tmp, "cannot flush the cache snapshot", errno: errno) }
            Glibc.close(fd)
        } catch {
            Glibc.close(fd); unlink(tmp)
            throw error
        }
        guard rename(tmp, snapshotPath) == 0 else {
            let code = errno; unlink(tmp)
            throw CacheError(snapshotPath, "cannot replace the cache snapshot", errno: code)
        }
        let dirFD = open(storeDirectory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 { fsync(dirFD); Glibc.close(dirFD) }
        // The snapshot now holds everything: reset the journal to its header.
        let header = CacheFormat.header(kind: .journal, width: width, identity: modelIdentity, preprocessing: preprocessingKey)
        // Replaced by rename too, so a crash here leaves either the old journal (replayed harmlessly
        // over the new snapshot) or the empty one, never a headerless file.
        if journalFD >= 0 { Glibc.close(journalFD); journalFD = -1 }
        let tmpJournal = journalPath + ".tmp.\(getpid())"
        let jfd = open(tmpJournal, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard jfd >= 0 else { throw CacheError(tmpJournal, "cannot reset the cache journal", errno: errno) }
        defer { Glibc.close(jfd) }
        try writeAll(jfd, header, path: tmpJournal)
        fsync(jfd)
        guard rename(tmpJournal, journalPath) == 0 else {
            let code = errno; unlink(tmpJournal)
            throw CacheError(journalPath, "cannot reset the cache journal", errno: code)
        }
        needsCompaction = false
    }
}

/// An entry as a scan compares it (`EmbeddingCache.file(atPath:)`): no vector is read.
public struct CachedFile: Sendable {
    public var size: UInt64
    public var mtimeNs: Int64
    public var inode: UInt64
    public var contentHash: ContentHash
    public var isPartial: Bool
    /// The cached failure; nil when the entry holds a vector.
    public var failure: String?
    public var outcome: CacheEntry.Outcome? { failure.map { .failure($0) } }
}

/// A cache snapshot mapped read-only (or, where mmap fails, read into memory), valid until deinit.
final class CacheMapping {
    /// The mapping is handed back in aligned chunks of this size: a page fault may map a whole
    /// page-cache folio (up to 2 MiB on ext4 with large folios) around the byte touched.
    static let chunk = 2 << 20
    /// How many chunks touched last stay mapped; touching another hands the oldest back.
    static let keep = 2
    let raw: UnsafeRawBufferPointer
    private let mapped: Bool
    private var recent: [Int] = []          // chunk numbers, the latest last

    init?(file: SafeFile) {
        let n = file.size
        if n == 0 {
            raw = UnsafeRawBufferPointer(start: nil, count: 0); mapped = false; return
        }
        if let p = mmap(nil, n, PROT_READ, MAP_PRIVATE, file.fd, 0), p != MAP_FAILED {
            raw = UnsafeRawBufferPointer(start: p, count: n); mapped = true; return
        }
        guard let data = try? file.readAll() else { return nil }
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: n, alignment: 16)
        data.withUnsafeBytes { buf.copyMemory(from: $0) }
        raw = UnsafeRawBufferPointer(buf); mapped = false
    }

    deinit {
        guard let base = raw.baseAddress else { return }
        if mapped { munmap(UnsafeMutableRawPointer(mutating: base), raw.count) } else { base.deallocate() }
    }

    /// A vector of `width` floats at `offset`, copied out.
    func vector(at offset: Int, width: Int) -> [Float] {
        touch(offset..<(offset + 4 * width))
        return CacheFormat.floats(raw, at: offset, count: width)
    }

    /// Notes that bytes `range` are being read: their chunks become the latest, and the chunks beyond
    /// the `keep` latest are handed back, so at most (keep + 1) × chunk bytes of the mapping stay
    /// resident whatever the order of reads.
    func touch(_ range: Range<Int>) {
        guard mapped, let base = raw.baseAddress, !range.isEmpty else { return }
        for c in (range.lowerBound / Self.chunk)...((range.upperBound - 1) / Self.chunk) where recent.last != c {
            if let i = recent.firstIndex(of: c) { recent.remove(at: i) }
            recent.append(c)
            guard recent.count > Self.keep else { continue }
            let old = recent.removeFirst() * Self.chunk
            madvise(UnsafeMutableRawPointer(mutating: base + old), min(Self.chunk, raw.count - old), MADV_DONTNEED)
        }
    }

    /// Lets the kernel take back the mapped pages (they are read again from the file when touched).
    func dropPages() {
        recent = []
        guard mapped, let base = raw.baseAddress else { return }
        madvise(UnsafeMutableRawPointer(mutating: base), raw.count, MADV_DONTNEED)
    }
}

extension String {
    func leftPadded(to n: Int, with c: Character = "0") -> String {
        count >= n ? self : String(repeating: c, count: n - count) + self
    }
}
