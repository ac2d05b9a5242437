// BMP in Swift, read as Pillow's BmpImagePlugin reads it (so `convert("RGB")` matches bit for bit):
//   headers: 12 (OS/2 core, 3-byte palette entries), 40, 52, 56, 64, 108, 124 (4-byte entries);
//   height < 0 (top byte 0xFF) = top-down rows, else bottom-up; row stride = ((w·bits + 31) >> 3) & ~3
//   1/4/8-bit: indices (MSB first) through the palette (clrUsed entries, else 2^bits; index past
//     the table → black); 16-bit: 5-5-5 (raw) or 5-6-5 / 5-5-5 bitfields, channel = v·255 / (2^n − 1)
//     (integer division); 24-bit BGR; 32-bit BGRX (alpha dropped) or one of Pillow's bitfield layouts
//   RLE8 / RLE4: Pillow's decoder, quirks included (an odd RLE4 literal run reads ⌊n/2⌋ bytes but
//     advances x by n; a delta skips one byte pair and uses the next; absolute runs realign to an
//     even file offset); fewer pixels than width × height is an error, as in Pillow.
// The size is checked against `DecodeOptions.maxPixels` before any pixel buffer exists.
import Foundation

extension ImageDecoder {
    private struct BMPHeader {
        var width = 0, height = 0, bits = 0, compression = 0, colors = 0
        var topDown = false
        var headerSize = 0, paletteStart = 0, paletteEntry = 4, dataOffset = 0
        var masks: [UInt32] = []       // r, g, b, a for BITFIELDS
    }

    private static func le32(_ b: [UInt8], _ o: Int) -> UInt32 {
        UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
    }
    private static func le16(_ b: [UInt8], _ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }

    private static func bmpHeader(_ data: Data, path: String) throws -> BMPHeader {
        func bad(_ why: String) -> ImageError { ImageError(path: path, kind: .corrupt("BMP: \(why)")) }
        let head = [UInt8](data.prefix(14 + 124 + 12))
        guard head.count >= 18 else { throw ImageError(path: path, kind: .truncated("BMP: header ends early")) }
        var h = BMPHeader()
        h.dataOffset = Int(le32(head, 10))
        h.headerSize = Int(le32(head, 14))
        guard head.count >= 14 + h.headerSize else { throw ImageError(path: path, kind: .truncated("BMP: header ends early")) }
        var afterHeader = 14 + h.headerSize
        if h.headerSize == 12 {
            h.width = le16(head, 18); h.height = le16(head, 20); h.bits = le16(head, 24)
            h.paletteEntry = 3
        } else if [40, 52, 56, 64, 108, 124].contains(h.headerSize) {
            h.width = Int(le32(head, 18))
            let rawHeight = le32(head, 22)
            h.topDown = head[25] == 0xFF
            h.height = h.topDown ? Int(UInt32(0) &- rawHeight) : Int(rawHeight)
            h.bits = le16(head, 28)
            h.compression = Int(le32(head, 30))
            h.colors = Int(le32(head, 46))
            if h.compression == 3 {
                if h.headerSize - 4 >= 48 {
                    h.masks = [le32(head, 54), le32(head, 58), le32(head, 62), h.headerSize - 4 >= 52 ? le32(head, 66) : 0]
                } else {
                    guard head.count >= afterHeader + 12 else { throw ImageError(path: path, kind: .truncated("BMP: bit masks missing")) }
                    h.masks = [le32(head, afterHeader), le32(head, afterHeader + 4), le32(head, afterHeader + 8), 0]
                    afterHeader += 12
                }
            }
        } else {
            throw bad("unsupported header size \(h.headerSize)")
        }
        if h.colors == 0 { h.colors = h.bits < 31 ? 1 << h.bits : 0 }
        h.paletteStart = afterHeader
        if h.dataOffset == 14 + h.headerSize && h.bits <= 8 { h.dataOffset += 4 * h.colors }
        guard [1, 4, 8, 16, 24, 32].contains(h.bits) else { throw bad("unsupported pixel depth (\(h.bits) bits)") }
        guard h.width > 0, h.height > 0 else { throw bad("empty image (\(h.width)x\(h.height))") }
        switch h.compression {
        case 0: break
        case 1: guard h.bits == 8 else { throw bad("RLE8 needs 8 bits per pixel, not \(h.bits)") }
        case 2: guard h.bits == 4 else { throw bad("RLE4 needs 4 bits per pixel, not \(h.bits)") }
        case 3:
            let rgb = Array(h.masks.prefix(3)), all = h.masks
            let ok32: [[UInt32]] = [[0xFF0000, 0xFF00, 0xFF, 0], [0xFF00_0000, 0xFF0000, 0xFF00, 0],
                                    [0xFF00_0000, 0xFF00, 0xFF, 0], [0xFF00_0000, 0xFF0000, 0xFF00, 0xFF],
                                    [0xFF, 0xFF00, 0xFF0000, 0xFF00_0000], [0xFF0000, 0xFF00, 0xFF, 0xFF00_0000],
                                    [0xFF00_0000, 0xFF00, 0xFF, 0xFF0000], [0, 0, 0, 0]]
            let supported = (h.bits == 32 && ok32.contains(all)) || (h.bits == 24 && rgb == [0xFF0000, 0xFF00, 0xFF])
                || (h.bits == 16 && (rgb == [0xF800, 0x7E0, 0x1F] || rgb == [0x7C00, 0x3E0, 0x1F]))
            guard supported else { throw bad("unsupported bitfields layout") }
            if all == [0, 0, 0, 0] { h.masks = [0xFF0000, 0xFF00, 0xFF, 0xFF00_0000] }   // Pillow reads it as BGRA
        default: throw bad("unsupported compression (\(h.compression))")
        }
        if h.bits <= 8 && !(h.colors > 0 && h.colors <= 65536) { throw bad("unsupported palette size (\(h.colors))") }
        return h
    }

    static func bmpDimensions(_ data: Data, path: String) throws -> (width: Int, height: Int) {
        let h = try bmpHeader(data, path: path)
        return (h.width, h.height)
    }

    static func decodeBMP(_ data: Data, path: String, options: DecodeOptions) throws -> DecodedImage {
        let h = try bmpHeader(data, path: path)
        try checkLimit(h.width, h.height, options.maxPixels, path: path)
        let width = h.width, height = h.height
        let bytes = [UInt8](data)
        func truncated(_ why: String) -> ImageError { ImageError(path: path, kind: .truncated("BMP: \(why)")) }

        // The palette as RGB triples (index past the table → black).
        var palette = [UInt8](repeating: 0, count: 256 * 3)
        if h.bits <= 8 {
            let n = min(h.colors, 256)
            guard h.paletteStart + n * h.paletteEntry <= bytes.count else { throw truncated("palette ends early") }
            for i in 0..<n {
                let o = h.paletteStart + i * h.paletteEntry
                palette[3 * i] = bytes[o + 2]; palette[3 * i + 1] = bytes[o + 1]; palette[3 * i + 2] = bytes[o]
            }
            for i in n..<256 { palette[3 * i] = 0; palette[3 * i + 1] = 0; palette[3 * i + 2] = 0 }
        }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        guard h.dataOffset <= bytes.count else { throw truncated("pixel data missing") }

        if h.compression == 1 || h.compression == 2 {
            let indices = try bmpRLE(bytes, start: h.dataOffset, width: width, height: height, rle4: h.compression == 2, path: path)
            for row in 0..<height {
                let y = h.topDown ? row : height - 1 - row
                for x in 0..<width {
                    let k = Int(indices[row * width + x]) * 3, o = (y * width + x) * 3
                    out[o] = palette[k]; out[o + 1] = palette[k + 1]; out[o + 2] = palette[k + 2]
                }
            }
            return DecodedImage(image: RGBImage(width: width, height: height, pixels: out), format: .bmp)
        }

        let stride = ((width * h.bits + 31) >> 3) & ~3
        let (needed, overflow) = stride.multipliedReportingOverflow(by: height)
        guard !overflow, h.dataOffset + needed <= bytes.count else { throw truncated("pixel data ends early") }
        let masks = h.compression == 3 ? h.masks : []
        func channel(_ v: UInt32, _ mask: UInt32) -> UInt8 {
            UInt8(truncatingIfNeeded: (v & mask) >> UInt32(mask.trailingZeroBitCount))
        }
        for row in 0..<height {
            let y = h.topDown ? row : height - 1 - row
            let base = h.dataOffset + row * stride
            var o = y * width * 3
            for x in 0..<width {
                var r: UInt8 = 0, g: UInt8 = 0, b: UInt8 = 0
                switch h.bits {
                case 1, 4, 8:
                    let bit = x * h.bits
                    let byte = bytes[base + bit >> 3]
                    let k = Int(byte >> UInt8(8 - h.bits - (bit & 7))) & ((1 << h.bits) - 1)
                    r = palette[3 * k]; g = palette[3 * k + 1]; b = palette[3 * k + 2]
                case 16:
                    let v = Int(bytes[base + 2 * x]) | Int(bytes[base + 2 * x + 1]) << 8
                    if masks.first == 0xF800 {
                        r = UInt8((v >> 11 & 31) * 255 / 31); g = UInt8((v >> 5 & 63) * 255 / 63); b = UInt8((v & 31) * 255 / 31)
                    } else {
                        r = UInt8((v >> 10 & 31) * 255 / 31); g = UInt8((v >> 5 & 31) * 255 / 31); b = UInt8((v & 31) * 255 / 31)
                    }
                case 24:
                    b = bytes[base + 3 * x]; g = bytes[base + 3 * x + 1]; r = bytes[base + 3 * x + 2]
                default:   // 32
                    let p = base + 4 * x
                    if masks.isEmpty {
                        b = bytes[p]; g = bytes[p + 1]; r = bytes[p + 2]
                    } else {
                        let v = le32(bytes, p)
                        r = channel(v, masks[0]); g = channel(v, masks[1]); b = channel(v, masks[2])
                    }
                }
                out[o] = r; out[o + 1] = g; out[o + 2] = b
                o += 3
            }
        }
        return DecodedImage(image: RGBImage(width: width, height: height, pixels: out), format: .bmp)
    }

    /// Pillow's BmpRleDecoder: indices in file row order (bottom-up unless top-down), width × height.
    private static func bmpRLE(_ b: [UInt8], start: Int, width: Int, height: Int, rle4: Bool, path: String) throws -> [UInt8] {
        let total = width * height
        var data = [UInt8](); data.reserveCapacity(total)
        var pos = start, x = 0
        func read(_ n: Int) -> ArraySlice<UInt8> {
            let end = min(pos + n, b.count)
            defer { pos = end }
            return b[min(pos, end)..<end]
        }
        while data.count < total {
            guard pos + 2 <= b.count else { break }
            let count = Int(b[pos]), value = b[pos + 1]
            pos += 2
            if count > 0 {
                let n = x + count > width ? max(0, width - x) : count
                if rle4 {
                    let hi = value >> 4, lo = value & 0x0F
                    for i in 0..<n { data.append(i % 2 == 0 ? hi : lo) }
                } else {
                    data.append(contentsOf: repeatElement(value, count: n))
                }
                x += n
            } else if value == 0 {
                while data.count % width != 0 { data.append(0) }
                x = 0
            } else if value == 1 {
                break
            } else if value == 2 {
                if read(2).count < 2 { break }
                let d = read(2)
                guard d.count == 2 else { throw ImageError(path: path, kind: .truncated("BMP: RLE delta ends early")) }
                let right = Int(d[d.startIndex]), up = Int(d[d.startIndex + 1])
                data.append(contentsOf: repeatElement(0, count: right + up * width))
                x = data.count % width
            } else {
                let n = Int(value)
                let byteCount = rle4 ? n / 2 : n
                let got = read(byteCount)
                if rle4 {
                    for v in got { data.append(v >> 4); data.append(v & 0x0F) }
                } else {
                    data.append(contentsOf: got)
                }
                if got.count < byteCount { break }
                x += n
                if pos % 2 != 0 { pos += 1 }
            }
        }
        guard data.count >= total else {
            throw ImageError(path: path, kind: .truncated("BMP: RLE data gives \(data.count) of \(total) pixels"))
        }
        return Array(data.prefix(total))
    }
}
