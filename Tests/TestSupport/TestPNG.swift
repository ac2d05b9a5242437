// PNG files built in test code (the broken-file corpus and the CLI's bad-input cases): chunks with
// their CRC, a zlib stream of stored deflate blocks (no compressor needed), 8-bit gray and RGB images.
public enum TestPNG {
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// CRC-32 as PNG chunks use it.
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xEDB8_8320 : 0) }
        }
        return crc ^ 0xFFFF_FFFF
    }

    public static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    /// length, type, data, CRC of type + data.
    public static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let td = Array(type.utf8) + data
        return be32(UInt32(data.count)) + td + be32(crc32(td))
    }

    /// zlib stream of stored (uncompressed) deflate blocks, with its Adler-32.
    public static func storedZlib(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var i = 0
        repeat {
            let n = min(65535, data.count - i)
            let final: UInt8 = i + n == data.count ? 1 : 0
            out += [final, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += data[i..<(i + n)]
            i += n
        } while i < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        return out + be32(b << 16 | a)
    }

    /// An 8-bit PNG of colour type `colorType` (0 gray, 2 RGB) from rows of samples (filter 0 per row).
    public static func image(width: Int, rows: [[UInt8]], colorType: UInt8) -> [UInt8] {
        let raw: [UInt8] = rows.flatMap { row -> [UInt8] in [0] + row }
        let ihdr = be32(UInt32(width)) + be32(UInt32(rows.count)) + [8, colorType, 0, 0, 0]
        return signature + chunk("IHDR", ihdr) + chunk("IDAT", storedZlib(raw)) + chunk("IEND", [])
    }

    /// An 8-bit grayscale PNG from rows of samples.
    public static func gray(width: Int, rows: [[UInt8]]) -> [UInt8] { image(width: width, rows: rows, colorType: 0) }

    /// An 8-bit RGB PNG of one colour.
    public static func solid(width: Int, height: Int, rgb: [UInt8]) -> [UInt8] {
        let row = [UInt8]((0..<width).flatMap { _ in rgb })
        return image(width: width, rows: [[UInt8]](repeating: row, count: height), colorType: 2)
    }
}
