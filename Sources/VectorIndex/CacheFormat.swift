// On-disk format of the embedding cache (version 3; version 2 files are read too (they never hold a
// partial vector) and rewritten as version 3 at once; a file of any other version is ignored with a
// warning and its store rebuilt, never misread). All integers little-endian.
//
// A store directory holds two files with the same layout, `vectors.bin` (compacted snapshot, replaced
// atomically) and `journal.bin` (append-only log of records written since the last compaction):
//
//   header  := magic "CSCACHE\0" (8) · version u32 · kind u32 (1 snapshot, 2 journal) · width u32
//              · identityLen u32 · identity (UTF-8) · preprocLen u32 · preproc (UTF-8) · crc32 u32
//              (the CRC covers every header byte before it)
//   record  := recordMagic u32 0x43535243 · payloadLen u32 · crc32(payload) u32 · payload
//   payload := kind u8 (1 vector, 2 failure, 3 tombstone, 4 partial vector: computed from an image the
//              decoder could read only in part, a truncated JPEG accepted with --allow-partial; since
//              version 3) · pathLen u32 · path bytes
//              · size u64 · mtimeNs i64 · inode u64 · contentHash (32 bytes: SHA-256 of the whole file)
//              · vector, partial vector: width × f32  |  failure: msgLen u32 · UTF-8 message  |  tombstone: nothing
//
// A record is trusted only if its magic, length and CRC all check and its vector is finite; reading
// stops at the first record that does not (a torn tail after kill -9, or corruption), keeping
// everything before it. Nothing in a file is ever used before its header matched the expected model.
import FileIO
import Foundation

/// What the cache knows about one file.
public struct CacheEntry: Equatable, Sendable {
    public enum Outcome: Equatable, Sendable {
        case vector([Float])       // full-width, as returned by the provider
        case failure(String)       // the provider's error; not retried until the file changes
    }
    public var path: ItemPath      // absolute path bytes
    public var size: UInt64
    public var mtimeNs: Int64
    public var inode: UInt64
    public var contentHash: ContentHash
    public var outcome: Outcome
    /// The vector was computed from part of the image (a truncated JPEG embedded with `--allow-partial`);
    /// reused only by runs that accept partial images, re-embedded by the others. False for failures.
    public var isPartial: Bool

    public init(path: ItemPath, size: UInt64, mtimeNs: Int64, inode: UInt64 = 0, contentHash: ContentHash, outcome: Outcome,
                isPartial: Bool = false) {
        self.path = path; self.size = size; self.mtimeNs = mtimeNs; self.inode = inode; self.contentHash = contentHash
        self.outcome = outcome
        if case .vector = outcome { self.isPartial = isPartial } else { self.isPartial = false }
    }
}

/// SHA-256 of a file's whole content: a cached vector is handed to another path only when this matches
/// (same size and ends, or an edit in the middle, are not enough).
/// Held inline as four words (no heap array per cached file); anything but 32 bytes reads as zero.
public struct ContentHash: Hashable, Sendable, CustomStringConvertible {
    private var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0
    /// The digest as four 64-bit words (native order), for hashing without a copy.
    var words: (UInt64, UInt64, UInt64, UInt64) { (w0, w1, w2, w3) }
    /// The 32 digest bytes.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        withUnsafeBytes(of: (w0, w1, w2, w3)) { raw in out.withUnsafeMutableBytes { $0.copyMemory(from: raw) } }
        return out
    }
    public init(bytes: [UInt8]) {
        guard bytes.count == 32 else { return }
        let h = bytes.withUnsafeBytes { ContentHash(raw: $0) }
        self = h
    }
    /// From 32 bytes in memory (a cache file read in place).
    init(raw: UnsafeRawBufferPointer) {
        w0 = raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        w1 = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        w2 = raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
        w3 = raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
    }
    public static let zero = ContentHash(bytes: [UInt8](repeating: 0, count: 32))
    /// Hashes the file at `path` (raw bytes: names need not be UTF-8) through SafeFile; `followLinks: false`
    /// refuses a symbolic link as the last component.
    public static func of(_ path: ItemPath, followLinks: Bool = true) throws -> ContentHash {
        let file = try SafeFile(pathBytes: path.bytes, displayPath: path.string, followLinks: followLinks)
        return ContentHash(bytes: try SHA256.digest(of: file))
    }
    public var description: String { SHA256.hex(bytes) }
}

enum CacheRecord: Equatable {
    case entry(CacheEntry)
    case tombstone(ItemPath)
}

enum CacheFileKind: UInt32 { case snapshot = 1, journal = 2 }

enum CacheFormat {
    static let magic: [UInt8] = Array("CSCACHE".utf8) + [0]
    static let version: UInt32 = 3
    /// Versions this clipscope reads: 2 differs from 3 only in never holding kind 4 (partial vector).
    static let readableVersions: ClosedRange<UInt32> = 2...3
    static let recordMagic: UInt32 = 0x4353_5243   // bytes 43 52 53 43 on disk
    static let maxPayload = 64 << 20               // guards allocations against a corrupt length

    // MARK: header

    static func header(kind: CacheFileKind, width: Int, identity: String, preprocessing: String,
                       version: UInt32 = version) -> [UInt8] {
        var w = ByteWriter()
        w.bytes(magic); w.u32(version); w.u32(kind.rawValue); w.u32(UInt32(width))
        let id = Array(identity.utf8), pre = Array(preprocessing.utf8)
        w.u32(UInt32(id.count)); w.bytes(id)
        w.u32(UInt32(pre.count)); w.bytes(pre)
        w.u32(Checksum.crc32(w.data))
        return w.data
    }

    enum HeaderCheck: Equatable {
        case ok(length: Int, version: UInt32)
        case problem(String)
    }

    struct Header { var width: Int; var identity: String; var preprocessing: String }

    /// The model, preprocessing and width a file's header names (nil: not a readable header of a readable version).
    static func readHeader(_ data: [UInt8]) -> Header? {
        var r = ByteReader(data)
        guard let m = r.bytes(8), m == magic, let v = r.u32(), readableVersions.contains(v), r.u32() != nil, let w = r.u32(),
              let idLen = r.u32(), idLen < 1 << 20, let id = r.bytes(Int(idLen)),
              let preLen = r.u32(), preLen < 1 << 20, let pre = r.bytes(Int(preLen)) else { return nil }
        let end = r.offset
        guard let crc = r.u32(), crc == Checksum.crc32(data[0..<end]) else { return nil }
        return Header(width: Int(w), identity: String(decoding: id, as: UTF8.self), preprocessing: String(decoding: pre, as: UTF8.self))
    }

    /// Checks a file's header against the expected store; `.problem` says why it cannot be used.
    static func checkHeader(_ data: [UInt8], kind: CacheFileKind, width: Int, identity: String, preprocessing: String) -> HeaderCheck {
        var r = ByteReader(data)
        guard let m = r.bytes(8), m == magic else { return .problem("not a clipscope cache file (bad magic)") }
        guard let v = r.u32() else { return .problem("truncated header") }
        guard readableVersions.contains(v) else {
            return .problem("format version \(v), this clipscope reads versions \(readableVersions.lowerBound)–\(readableVersions.upperBound)")
        }
        guard let k = r.u32(), let w = r.u32(), let idLen = r.u32(), idLen < 1 << 20, let id = r.bytes(Int(idLen)),
              let preLen = r.u32(), preLen < 1 << 20, let pre = r.bytes(Int(preLen)) else {
            return .problem("truncated header")
        }
        let end = r.offset
        guard let crc = r.u32() else { return .problem("truncated header") }
        guard crc == Checksum.crc32(data[0..<end]) else { return .problem("header checksum mismatch") }
        guard k == kind.rawValue else { return .problem("file kind \(k), expected \(kind.rawValue)") }
        let foundID = String(decoding: id, as: UTF8.self), foundPre = String(decoding: pre, as: UTF8.self)
        guard foundID == identity else { return .problem("written for another model (\(foundID))") }
        guard foundPre == preprocessing else { return .problem("written with other preprocessing (\(foundPre))") }
        guard Int(w) == width else { return .problem("vector width \(w), expected \(width)") }
        return .ok(length: r.offset, version: v)
    }

    // MARK: records

    static func encode(_ record: CacheRecord) -> [UInt8] {
        var p = ByteWriter()
        let path: ItemPath, size: UInt64, mtime: Int64, inode: UInt64, hash: ContentHash
        switch record {
        case let .entry(e):
            path = e.path; size = e.size; mtime = e.mtimeNs; inode = e.inode; hash = e.contentHash
            switch e.outcome {
            case .vector: p.u8(e.isPartial ? 4 : 1)
            case .failure: p.u8(2)
            }
        case let .tombstone(t):
            path = t; size = 0; mtime = 0; inode = 0; hash = .zero
            p.u8(3)
        }
        p.u32(UInt32(path.bytes.count)); p.bytes(path.bytes)
        p.u64(size); p.u64(UInt64(bitPattern: mtime)); p.u64(inode)
        p.bytes(hash.bytes)
        if case let .entry(e) = record {
            switch e.outcome {
            case let .vector(v): p.floats(v)
            case let .failure(msg): let m = Array(msg.utf8); p.u32(UInt32(m.count)); p.bytes(m)
            }
        }
        var w = ByteWriter()
        w.u32(recordMagic); w.u32(UInt32(p.data.count)); w.u32(Checksum.crc32(p.data)); w.bytes(p.data)
        return w.data
    }

    struct Decoded {
        var records: [CacheRecord] = []
        var goodEnd: Int              // offset just past the last trusted record
        var problem: String?          // why reading stopped early (nil: clean end of file)
    }

    /// One record read in place: `path` and `message` point into the scanned bytes; a vector's
    /// `width` floats start at byte `vectorOffset` of them (kinds 1 and 4; -1 otherwise).
    struct RecordView {
        var kind: UInt8
        var path: UnsafeRawBufferPointer
        var size: UInt64
        var mtimeNs: Int64
        var inode: UInt64
        var contentHash: ContentHash
        var vectorOffset: Int
        var message: UnsafeRawBufferPointer
        /// Where the record (its marker) starts in the scanned bytes.
        var recordStart = 0

        var pathValue: ItemPath { ItemPath(bytes: Array(path)) }
        func vector(in raw: UnsafeRawBufferPointer, width: Int) -> [Float] { CacheFormat.floats(raw, at: vectorOffset, count: width) }
        /// The record as a value (the vector copied out of the scanned bytes).
        func record(in raw: UnsafeRawBufferPointer, width: Int) -> CacheRecord {
            let p = pathValue
            switch kind {
            case 3: return .tombstone(p)
            case 2:
                return .entry(CacheEntry(path: p, size: size, mtimeNs: mtimeNs, inode: inode, contentHash: contentHash,
                                         outcome: .failure(String(decoding: message, as: UTF8.self))))
            default:
                return .entry(CacheEntry(path: p, size: size, mtimeNs: mtimeNs, inode: inode, contentHash: contentHash,
                                         outcome: .vector(vector(in: raw, width: width)), isPartial: kind == 4))
            }
        }
    }

    /// `count` little-endian floats at byte `offset` of `raw`.
    static func floats(_ raw: UnsafeRawBufferPointer, at offset: Int, count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buf, n in
            #if _endian(little)
            UnsafeMutableRawBufferPointer(buf).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + 4 * count)]))
            #else
            for i in 0..<count {
                buf[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4 * i, as: UInt32.self)))
            }
            #endif
            n = count
        }
    }

    struct Scanned {
        var count = 0                 // records visited
        var goodEnd: Int              // offset just past the last trusted record
        var problem: String?          // why reading stopped early (nil: clean end of file)
    }

    /// Visits records of `raw` from `start`, in place, until the end or the first untrustworthy record
    /// (bad marker, length or CRC, malformed payload, non-finite vector). `version` 2 files never hold
    /// kind 4, so one there is malformed.
    static func scanRecords(_ raw: UnsafeRawBufferPointer, from start: Int, width: Int, version: UInt32 = version,
                            _ visit: (RecordView) -> Void) -> Scanned {
        var out = Scanned(goodEnd: start)
        var pos = start
        let n = raw.count
        func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
        func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        while pos < n {
            guard n - pos >= 12 else { out.problem = "incomplete record header at byte \(pos)"; return out }
            let magic = u32(pos), len = u32(pos + 4), crc = u32(pos + 8)
            guard magic == recordMagic else { out.problem = "bad record marker at byte \(pos)"; return out }
            guard Int(len) <= maxPayload else { out.problem = "implausible record length at byte \(pos)"; return out }
            let body = pos + 12, end = body + Int(len)
            guard end <= n else { out.problem = "incomplete record at byte \(pos)"; return out }
            guard Checksum.crc32(UnsafeRawBufferPointer(rebasing: raw[body..<end])) == crc else {
                out.problem = "checksum mismatch in record at byte \(pos)"; return out
            }
            guard var view = payloadView(raw, body, end, width: width, version: version) else {
                out.problem = "malformed record at byte \(pos)"; return out
            }
            view.recordStart = pos
            visit(view)
            out.count += 1
            pos = end
            out.goodEnd = pos
        }
        return out
    }

    /// The record at `start` of `raw` that `scanRecords` already trusted (its CRC and vector are not
    /// checked again); nil if it is not a whole record there.
    static func trustedView(_ raw: UnsafeRawBufferPointer, at start: Int, width: Int, version: UInt32) -> RecordView? {
        guard start >= 0, raw.count - start >= 12 else { return nil }
        let end = start + 12 + Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4, as: UInt32.self)))
        guard end <= raw.count, var view = payloadView(raw, start + 12, end, width: width, version: version, checkVector: false) else { return nil }
        view.recordStart = start
        return view
    }

    /// Bytes of a record from its marker to the end of its path: what a lookup by path reads.
    static func pathEnd(_ raw: UnsafeRawBufferPointer, recordAt start: Int) -> Int {
        start + 17 + Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 13, as: UInt32.self)))
    }

    private static func payloadView(_ raw: UnsafeRawBufferPointer, _ start: Int, _ end: Int, width: Int, version: UInt32,
                                    checkVector: Bool = true) -> RecordView? {
        // kind u8 · pathLen u32 · path · size u64 · mtime u64 · inode u64 · hash 32
        guard end - start >= 5 else { return nil }
        let kind = raw[start]
        let pathLen = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 1, as: UInt32.self)))
        let pathStart = start + 5
        guard pathLen <= end - pathStart, end - (pathStart + pathLen) >= 56 else { return nil }
        let m = pathStart + pathLen
        func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        var view = RecordView(kind: kind, path: UnsafeRawBufferPointer(rebasing: raw[pathStart..<m]),
                              size: u64(m), mtimeNs: Int64(bitPattern: u64(m + 8)), inode: u64(m + 16),
                              contentHash: ContentHash(raw: UnsafeRawBufferPointer(rebasing: raw[(m + 24)..<(m + 56)])),
                              vectorOffset: -1, message: UnsafeRawBufferPointer(start: nil, count: 0))
        let rest = m + 56
        switch kind {
        case 1, 4:
            guard kind == 1 || version >= 3, width >= 0, end - rest == 4 * width else { return nil }
            for i in 0..<(checkVector ? width : 0) {
                let bits = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: rest + 4 * i, as: UInt32.self))
                guard Float(bitPattern: bits).isFinite else { return nil }
            }
            view.vectorOffset = rest
        case 2:
            guard end - rest >= 4 else { return nil }
            let len = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: rest, as: UInt32.self)))
            guard end - (rest + 4) == len else { return nil }
            view.message = UnsafeRawBufferPointer(rebasing: raw[(rest + 4)..<end])
        case 3:
            guard rest == end else { return nil }
        default:
            return nil
        }
        return view
    }

    /// Decodes records from `start` until the end or the first untrustworthy record (`scanRecords`).
    static func decodeRecords(_ data: [UInt8], from start: Int, width: Int, version: UInt32 = version) -> Decoded {
        data.withUnsafeBytes { raw in
            var records: [CacheRecord] = []
            let s = scanRecords(raw, from: start, width: width, version: version) { records.append($0.record(in: raw, width: width)) }
            return Decoded(records: records, goodEnd: s.goodEnd, problem: s.problem)
        }
    }
}

// MARK: byte helpers

struct ByteWriter {
    var data: [UInt8] = []
    mutating func u8(_ v: UInt8) { data.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
    mutating func bytes(_ b: [UInt8]) { data.append(contentsOf: b) }
    mutating func floats(_ v: [Float]) {
        #if _endian(little)
        v.withUnsafeBytes { data.append(contentsOf: $0) }
        #else
        for x in v { u32(x.bitPattern) }
        #endif
    }
}

/// Bounds-checked little-endian reads from `data[offset..<end]`; every read returns nil past `end`.
struct ByteReader {
    let data: [UInt8]
    let end: Int
    private(set) var offset: Int
    init(_ data: [UInt8], offset: Int = 0, end: Int? = nil) {
        self.data = data; self.offset = offset; self.end = end ?? data.count
    }
    var atEnd: Bool { offset == end }

    mutating func bytes(_ n: Int) -> [UInt8]? {
        guard n >= 0, end - offset >= n else { return nil }
        defer { offset += n }
        return Array(data[offset..<(offset + n)])
    }
    mutating func u8() -> UInt8? {
        guard offset < end else { return nil }
        defer { offset += 1 }
        return data[offset]
    }
    mutating func u32() -> UInt32? {
        guard end - offset >= 4 else { return nil }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(data[offset + i]) << (8 * i) }
        offset += 4
        return v
    }
    mutating func u64() -> UInt64? {
        guard end - offset >= 8 else { return nil }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(data[offset + i]) << (8 * i) }
        offset += 8
        return v
    }
    mutating func floats(_ n: Int) -> [Float]? {
        guard n >= 0, end - offset >= 4 * n else { return nil }
        let start = offset
        let out = data.withUnsafeBytes { CacheFormat.floats($0, at: start, count: n) }
        offset += 4 * n
        return out
    }
}

/// CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320) and FNV-1a 64, written here to avoid a dependency.
public enum Checksum {
    /// Slicing-by-8 tables: table k maps a byte that is k positions further from the end of an
    /// 8-byte block (table 0 is the classic byte-at-a-time table).
    private static let crcTables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            t[i] = c
        }
        for i in 0..<256 {
            for k in 1..<8 { t[k * 256 + i] = (t[(k - 1) * 256 + i] >> 8) ^ t[Int(t[(k - 1) * 256 + i] & 0xFF)] }
        }
        return t
    }()

    public static func crc32<C: Collection>(_ bytes: C, seed: UInt32 = 0) -> UInt32 where C.Element == UInt8 {
        if let r = bytes.withContiguousStorageIfAvailable({ crc32(UnsafeRawBufferPointer($0), seed: seed) }) { return r }
        return Array(bytes).withUnsafeBytes { crc32($0, seed: seed) }
    }

    public static func crc32(_ buf: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        var c = ~seed
        crcTables.withUnsafeBufferPointer { t in
            var i = 0
            let n = buf.count
            while n - i >= 8 {
                let lo = UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: i, as: UInt32.self)) ^ c
                let hi = UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self))
                c = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                  ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                  ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                  ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                i += 8
            }
            while i < n {
                c = t[Int((c ^ UInt32(buf[i])) & 0xFF)] ^ (c >> 8)
                i += 1
            }
        }
        return ~c
    }

    /// Byte-at-a-time twin (tests check the sliced version against it).
    static func crc32Naive(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return ~c
    }

    public static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325
    public static func fnv1a64<C: Collection>(_ bytes: C, seed: UInt64 = fnvOffset) -> UInt64 where C.Element == UInt8 {
        var h = seed
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }
}
