// SHA-1 (FIPS 180-4) and git's blob id: sha1("blob <size>\0" + content). The hub's ETag of a
// regular (non-LFS) file such as config.json is its git blob id, and the HF cache names that
// file's blob after it, so this lets `verify` and the downloader check small files too.
// SHA-1 is used only as git's content address here, never for security.
import FileIO
import Foundation

public struct SHA1: Sendable, BlockHash {
    public var h: [UInt32] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0]
    public var pending: [UInt8] = []
    public var byteCount: UInt64 = 0

    public init() { pending.reserveCapacity(64) }

    public mutating func update(_ data: Data) { data.withUnsafeBytes { update(UnsafeRawBufferPointer($0)) } }
    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    public mutating func update(_ buffer: UnsafeRawBufferPointer) { absorb(buffer) }

    public func finalize() -> [UInt8] { digest() }

    public func hexDigest() -> String { Hex.encode(finalize()) }

    public mutating func compress(blocks: UnsafeRawPointer, count: Int) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { w in
            var h0 = h[0], h1 = h[1], h2 = h[2], h3 = h[3], h4 = h[4]
            for block in 0..<count {
                let p = blocks + block * 64
                for t in 0..<16 {
                    let b = p + t * 4
                    w[t] = UInt32(b.load(as: UInt8.self)) << 24 | UInt32(b.load(fromByteOffset: 1, as: UInt8.self)) << 16
                        | UInt32(b.load(fromByteOffset: 2, as: UInt8.self)) << 8 | UInt32(b.load(fromByteOffset: 3, as: UInt8.self))
                }
                for t in 16..<80 { w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1) }
                var a = h0, b = h1, c = h2, d = h3, e = h4
                for t in 0..<80 {
                    let f: UInt32, k: UInt32
                    switch t {
                    case 0..<20: f = (b & c) | (~b & d); k = 0x5A827999
                    case 20..<40: f = b ^ c ^ d; k = 0x6ED9EBA1
                    case 40..<60: f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC
                    default: f = b ^ c ^ d; k = 0xCA62C1D6
                    }
                    let temp = rotl(a, 5) &+ f &+ e &+ k &+ w[t]
                    e = d; d = c; c = rotl(b, 30); b = a; a = temp
                }
                h0 = h0 &+ a; h1 = h1 &+ b; h2 = h2 &+ c; h3 = h3 &+ d; h4 = h4 &+ e
            }
            h = [h0, h1, h2, h3, h4]
        }
    }
}

/// git's object id of a blob of known size, fed in pieces.
public struct GitBlobSHA1: Sendable {
    private var sha = SHA1()
    public let size: UInt64

    public init(size: UInt64) {
        self.size = size
        sha.update(Array("blob \(size)\u{0}".utf8))
    }

    public mutating func update(_ data: Data) { sha.update(data) }

    public var hexDigest: String { sha.hexDigest() }

    public static func hash(fileAt url: URL) throws -> String {
        let size = try FileSystem.fileSize(url)
        var hasher = GitBlobSHA1(size: size)
        try FileChunks.read(url) { hasher.update($0) }
        return hasher.hexDigest
    }
}
