// On-disk format of the embedding cache (version 1). All integers little-endian.
//
// A store directory holds two files with the same layout, `vectors.bin` (compacted snapshot, replaced
// atomically) and `journal.bin` (append-only log of records written since the last compaction):
//
//   header  := magic "CSCACHE\0" (8) · version u32 · kind u32 (1 snapshot, 2 journal) · width u32
//              · identityLen u32 · identity (UTF-8) · preprocLen u32 · preproc (UTF-8) · crc32 u32
//              (the CRC covers every header byte before it)
//   record  := recordMagic u32 0x43535243 · payloadLen u32 · crc32(payload) u32 · payload
//   payload := kind u8 (1 vector, 2 failure, 3 tombstone) · pathLen u32 · path bytes
//              · size u64 · mtimeNs i64 · fingerprint u64
//              · vector: width × f32  |  failure: msgLen u32 · UTF-8 message  |  tombstone: nothing
//
// A record is trusted only if its magic, length and CRC all check and its vector is finite; reading
// stops at the first record that does not (a torn tail after kill -9, or corruption), keeping
// everything before it. Nothing in a file is ever used before its header matched the expected model.
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
    public var fingerprint: UInt64 // FileFingerprint of the content
    public var outcome: Outcome

    public init(path: ItemPath, size: UInt64, mtimeNs: Int64, fingerprint: UInt64, outcome: Outcome) {
        self.path = path; self.size = size; self.mtimeNs = mtimeNs; self.fingerprint = fingerprint; self.outcome = outcome
    }
}

enum CacheRecord: Equatable {
    case entry(CacheEntry)
    case tombstone(ItemPath)
}

enum CacheFileKind: UInt32 { case snapshot = 1, journal = 2 }

enum CacheFormat {
    static let magic: [UInt8] = Array("CSCACHE".utf8) + [0]
    static let version: UInt32 = 1
    static let recordMagic: UInt32 = 0x4353_5243   // bytes 43 52 53 43 on disk
    static let maxPayload = 64 << 20               // guards allocations against a corrupt length

    // MARK: header

    static func header(kind: CacheFileKind, width: Int, identity: String, preprocessing: String) -> [UInt8] {
        var w = ByteWriter()
        w.bytes(magic); w.u32(version); w.u32(kind.rawValue); w.u32(UInt32(width))
        let id = Array(identity.utf8), pre = Array(preprocessing.utf8)
        w.u32(UInt32(id.count)); w.bytes(id)
        w.u32(UInt32(pre.count)); w.bytes(pre)
        w.u32(Checksum.crc32(w.data))
        return w.data
    }

    enum HeaderCheck: Equatable {
        case ok(length: Int)
        case problem(String)
    }

    /// Checks a file's header against the expected store; `.problem` says why it cannot be used.
    static func checkHeader(_ data: [UInt8], kind: CacheFileKind, width: Int, identity: String, preprocessing: String) -> HeaderCheck {
        var r = ByteReader(data)
        guard let m = r.bytes(8), m == magic else { return .problem("not a clipscope cache file (bad magic)") }
        guard let v = r.u32() else { return .problem("truncated header") }
        guard v == version else { return .problem("format version \(v), this clipscope reads version \(version)") }
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
        return .ok(length: r.offset)
    }

    // MARK: records

    static func encode(_ record: CacheRecord) -> [UInt8] {
        var p = ByteWriter()
        let path: ItemPath, size: UInt64, mtime: Int64, fp: UInt64
        switch record {
        case let .entry(e):
            path = e.path; size = e.size; mtime = e.mtimeNs; fp = e.fingerprint
            switch e.outcome {
            case .vector: p.u8(1)
            case .failure: p.u8(2)
            }
        case let .tombstone(t):
            path = t; size = 0; mtime = 0; fp = 0
            p.u8(3)
        }
        p.u32(UInt32(path.bytes.count)); p.bytes(path.bytes)
        p.u64(size); p.u64(UInt64(bitPattern: mtime)); p.u64(fp)
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

    /// Decodes records from `start` until the end or the first untrustworthy record.
    static func decodeRecords(_ data: [UInt8], from start: Int, width: Int) -> Decoded {
        var out = Decoded(goodEnd: start)
        var pos = start
        while pos < data.count {
            var r = ByteReader(data, offset: pos)
            guard let magic = r.u32(), let len = r.u32(), let crc = r.u32() else {
                out.problem = "incomplete record header at byte \(pos)"; return out
            }
            guard magic == recordMagic else { out.problem = "bad record marker at byte \(pos)"; return out }
            guard Int(len) <= maxPayload else { out.problem = "implausible record length at byte \(pos)"; return out }
            guard let payload = r.bytes(Int(len)) else { out.problem = "incomplete record at byte \(pos)"; return out }
            guard Checksum.crc32(payload) == crc else { out.problem = "checksum mismatch in record at byte \(pos)"; return out }
            guard let record = decodePayload(payload, width: width) else {
                out.problem = "malformed record at byte \(pos)"; return out
            }
            out.records.append(record)
            pos = r.offset
            out.goodEnd = pos
        }
        return out
    }

    private static func decodePayload(_ payload: [UInt8], width: Int) -> CacheRecord? {
        var r = ByteReader(payload)
        guard let kind = r.u8(), let pathLen = r.u32(), let pathBytes = r.bytes(Int(pathLen)),
              let size = r.u64(), let mtime = r.u64(), let fp = r.u64() else { return nil }
        let path = ItemPath(bytes: pathBytes)
        let base = CacheEntry(path: path, size: size, mtimeNs: Int64(bitPattern: mtime), fingerprint: fp, outcome: .failure(""))
        switch kind {
        case 1:
            guard let v = r.floats(width), v.allSatisfy({ $0.isFinite }), r.atEnd else { return nil }
            var e = base; e.outcome = .vector(v); return .entry(e)
        case 2:
            guard let n = r.u32(), let m = r.bytes(Int(n)), r.atEnd else { return nil }
            var e = base; e.outcome = .failure(String(decoding: m, as: UTF8.self)); return .entry(e)
        case 3:
            return r.atEnd ? .tombstone(path) : nil
        default:
            return nil
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
        for x in v { u32(x.bitPattern) }
    }
}

struct ByteReader {
    let data: [UInt8]
    private(set) var offset: Int
    init(_ data: [UInt8], offset: Int = 0) { self.data = data; self.offset = offset }
    var atEnd: Bool { offset == data.count }

    mutating func bytes(_ n: Int) -> [UInt8]? {
        guard n >= 0, data.count - offset >= n else { return nil }
        defer { offset += n }
        return Array(data[offset..<(offset + n)])
    }
    mutating func u8() -> UInt8? {
        guard offset < data.count else { return nil }
        defer { offset += 1 }
        return data[offset]
    }
    mutating func u32() -> UInt32? {
        guard data.count - offset >= 4 else { return nil }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(data[offset + i]) << (8 * i) }
        offset += 4
        return v
    }
    mutating func u64() -> UInt64? {
        guard data.count - offset >= 8 else { return nil }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(data[offset + i]) << (8 * i) }
        offset += 8
        return v
    }
    mutating func floats(_ n: Int) -> [Float]? {
        guard n >= 0, data.count - offset >= 4 * n else { return nil }
        var out = [Float](repeating: 0, count: n)
        data.withUnsafeBytes { raw in
            for i in 0..<n {
                out[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4 * i, as: UInt32.self)))
            }
        }
        offset += 4 * n
        return out
    }
}

/// CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320) and FNV-1a 64, written here to avoid a dependency.
public enum Checksum {
    private static let crcTable: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    public static func crc32<C: Collection>(_ bytes: C, seed: UInt32 = 0) -> UInt32 where C.Element == UInt8 {
        var c = ~seed
        let t = crcTable
        if let r = bytes.withContiguousStorageIfAvailable({ buf -> UInt32 in
            var c2 = c
            for b in buf { c2 = t[Int((c2 ^ UInt32(b)) & 0xFF)] ^ (c2 >> 8) }
            return c2
        }) {
            c = r
        } else {
            for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
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
