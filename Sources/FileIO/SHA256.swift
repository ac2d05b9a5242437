// SHA-256 (FIPS 180-4), streaming. Written by hand to keep the build free of crypto packages;
// checked against the FIPS example vectors and `sha256sum` of the fixture files.
// The Hugging Face hub names LFS blobs by the SHA-256 of their content, so this is what
// verifies a downloaded model.safetensors and `clipscope model verify`; it is also the weights identity
// of a model and the content identity of a cached image (VectorIndex).
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct SHA256: Sendable, BlockHash {
    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    public var h: [UInt32] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ]
    public var pending: [UInt8] = []
    public var byteCount: UInt64 = 0

    public init() { pending.reserveCapacity(64) }

    public mutating func update(_ data: Data) {
        data.withUnsafeBytes { update(UnsafeRawBufferPointer($0)) }
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public mutating func update(_ buffer: UnsafeRawBufferPointer) { absorb(buffer) }

    /// The 32-byte digest. The hasher itself is left unchanged, so it can be finalized again after more input.
    public func finalize() -> [UInt8] { digest() }

    /// Lower-case hex digest (64 characters), the form the hub uses in `X-Linked-Etag` and blob names.
    public func hexDigest() -> String { SHA256.hex(finalize()) }

    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    public static func hash(_ data: Data) -> String {
        var hasher = SHA256()
        hasher.update(data)
        return hasher.hexDigest()
    }

    /// Hashes a file in 4 MiB chunks; `progress` gets the bytes hashed so far.
    public static func hash(fileAt url: URL, progress: ((UInt64) -> Void)? = nil) throws -> String {
        var hasher = SHA256()
        try hashFile(url.path) { chunk in
            hasher.update(chunk)
            progress?(hasher.byteCount)
        }
        return hasher.hexDigest()
    }

    /// The 32-byte digest of a file's whole content (SafeFile: regular files only, bounded reads).
    public static func digest(ofFile path: String) throws -> [UInt8] { try digest(of: SafeFile(path: path)) }

    /// The same for a file already opened (so the bytes hashed are those of that descriptor).
    public static func digest(of file: SafeFile) throws -> [UInt8] {
        var hasher = SHA256()
        try hashFile(file) { hasher.update($0) }
        return hasher.finalize()
    }

    /// Feeds a file to `body` in 4 MiB chunks through SafeFile.
    static func hashFile(_ path: String, chunkSize: Int = 4 << 20, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try hashFile(SafeFile(path: path), chunkSize: chunkSize, body)
    }

    static func hashFile(_ file: SafeFile, chunkSize: Int = 4 << 20, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let path = file.path
        var offset = 0
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        while offset < file.size {
            let n = min(chunkSize, file.size - offset)
            try buffer.withUnsafeMutableBytes { b in
                var got = 0
                while got < n {
                    let r = pread(file.fd, b.baseAddress! + got, n - got, off_t(offset + got))
                    if r < 0 { if errno == EINTR { continue }; throw SafeFileError(path: path, reason: "cannot read: \(SafeFile.strerror(errno))", code: errno) }
                    if r == 0 { throw SafeFileError(path: path, reason: "changed while being read (\(file.size) bytes at open, ended after \(offset + got))") }
                    got += r
                }
                try body(UnsafeRawBufferPointer(start: b.baseAddress!, count: n))
            }
            offset += n
        }
    }

    public mutating func compress(blocks: UnsafeRawPointer, count: Int) {
        let k = SHA256.k
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            k.withUnsafeBufferPointer { k in
                var h0 = h[0], h1 = h[1], h2 = h[2], h3 = h[3], h4 = h[4], h5 = h[5], h6 = h[6], h7 = h[7]
                for block in 0..<count {
                    let p = blocks + block * 64
                    for t in 0..<16 {
                        let b = p + t * 4
                        w[t] = UInt32(b.load(as: UInt8.self)) << 24 | UInt32(b.load(fromByteOffset: 1, as: UInt8.self)) << 16
                            | UInt32(b.load(fromByteOffset: 2, as: UInt8.self)) << 8 | UInt32(b.load(fromByteOffset: 3, as: UInt8.self))
                    }
                    for t in 16..<64 {
                        let x = w[t - 15], y = w[t - 2]
                        let s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3)
                        let s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >> 10)
                        w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
                    }
                    var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, hh = h7
                    for t in 0..<64 {
                        let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                        let ch = (e & f) ^ (~e & g)
                        let t1 = hh &+ s1 &+ ch &+ k[t] &+ w[t]
                        let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                        let maj = (a & b) ^ (a & c) ^ (b & c)
                        let t2 = s0 &+ maj
                        hh = g; g = f; f = e; e = d &+ t1
                        d = c; c = b; b = a; a = t1 &+ t2
                    }
                    h0 = h0 &+ a; h1 = h1 &+ b; h2 = h2 &+ c; h3 = h3 &+ d
                    h4 = h4 &+ e; h5 = h5 &+ f; h6 = h6 &+ g; h7 = h7 &+ hh
                }
                h = [h0, h1, h2, h3, h4, h5, h6, h7]
            }
        }
    }
}

@inline(__always) private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

