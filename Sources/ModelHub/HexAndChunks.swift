// Hex digits and chunked file reads for the hub's hashes (SHA-256 itself lives in FileIO).
import FileIO
import Foundation

@inline(__always) func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { (x << n) | (x >> (32 - n)) }

enum Hex {
    static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// True for a lower- or upper-case hex string of exactly `length` characters.
    static func isHex(_ s: String, length: Int) -> Bool {
        s.utf8.count == length && s.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }
    }
}

/// Reads a file in fixed-size chunks without loading it whole (model files are ~1.7 GB).
enum FileChunks {
    static func read(_ url: URL, chunkSize: Int = 4 << 20, _ body: (Data) throws -> Void) throws {
        do {
            let file = try SafeFile(path: url.path)     // FIFOs and devices refused; reads bounded by fstat's size
            var offset = 0
            while offset < file.size {
                let chunk = try file.read(at: offset, count: chunkSize)
                offset += chunk.count
                try body(chunk)
            }
        } catch let e as SafeFileError {
            throw ModelHubError.io(e.description)
        }
    }
}
