// Pixel-protocol payloads for an RGB8 picture (row-major, 3 bytes per pixel), each drawn at the
// cursor's cell with the picture's own pixel size:
//   kitty:  transmitted once per image id, placed as often as it is shown:
//           transmit  ESC _G a=t,f=24,s=W,v=H,i=ID,q=2,m=1 ; <base64> ESC \   then ESC _G m=1 ; <base64> ESC \ …
//                     the last chunk m=0; every chunk ≤ 4096 base64 bytes; q=2 (no replies on stdin);
//           place     ESC _G a=p,i=ID,c=COLS,r=ROWS,q=2,C=1 ESC \   at the cursor, scaled to the cell box
//                     (C=1: the cursor stays);
//           unplace   ESC _G a=d,d=i,i=ID,q=2 ESC \   (its placements; the terminal keeps the data);
//           delete    ESC _G a=d,d=I,i=ID,q=2 ESC \   (placements and the image data).
//   iTerm2: ESC ] 1337 ; File=inline=1;size=N;width=Wpx;height=Hpx;preserveAspectRatio=1 : <base64 PNG> BEL
//           (width=COLS;height=ROWS in cells when a cell box is given)
//   sixel:  SixelEncoder (median-cut palette of ≤ 256 colours, run-length bands).
// Inside tmux a payload is wrapped for passthrough: ESC Ptmux; <payload with every ESC doubled> ESC \.
import Foundation

public enum KittyGraphics {
    public static let chunkSize = 4096

    /// The image's data under `id` (shown by `place`).
    public static func transmit(id: UInt32, width: Int, height: Int, rgb: [UInt8]) -> String {
        precondition(rgb.count == width * height * 3, "RGB8 buffer size")
        let b64 = Data(rgb).base64EncodedString()
        let bytes = Array(b64.utf8)
        var out = ""
        out.reserveCapacity(bytes.count + bytes.count / chunkSize * 16 + 64)
        var i = 0
        repeat {
            let end = min(bytes.count, i + chunkSize)
            let more = end < bytes.count ? 1 : 0
            out += "\u{1B}_G"
            if i == 0 { out += "a=t,f=24,s=\(width),v=\(height),i=\(id),q=2," }
            out += "m=\(more);"
            out += String(decoding: bytes[i..<end], as: UTF8.self)
            out += "\u{1B}\\"
            i = end
        } while i < bytes.count
        return out
    }

    /// Shows image `id` at the cursor, scaled to `columns` × `rows` cells.
    public static func place(id: UInt32, columns: Int, rows: Int) -> String {
        "\u{1B}_Ga=p,i=\(id),c=\(columns),r=\(rows),q=2,C=1\u{1B}\\"
    }

    /// Removes image `id`'s placements; the terminal keeps its data for the next `place`.
    public static func unplace(id: UInt32) -> String { "\u{1B}_Ga=d,d=i,i=\(id),q=2\u{1B}\\" }

    /// Removes image `id`'s placements and data.
    public static func delete(id: UInt32) -> String { "\u{1B}_Ga=d,d=I,i=\(id),q=2\u{1B}\\" }
}

public enum ITermGraphics {
    /// `columns` × `rows`: the cell box iTerm2 fits the picture into; nil: its pixel size.
    public static func inline(width: Int, height: Int, rgb: [UInt8], columns: Int? = nil, rows: Int? = nil) -> String {
        let png = PNGWriter.rgb(width: width, height: height, pixels: rgb)
        let box = columns.flatMap { c in rows.map { "width=\(c);height=\($0)" } } ?? "width=\(width)px;height=\(height)px"
        return "\u{1B}]1337;File=inline=1;size=\(png.count);\(box);preserveAspectRatio=1:"
            + Data(png).base64EncodedString() + "\u{07}"
    }
}

public enum TmuxPassthrough {
    /// `ESC Ptmux;` + payload with each ESC doubled + `ESC \`.
    public static func wrap(_ payload: String) -> String {
        var out = "\u{1B}Ptmux;"
        out.reserveCapacity(payload.utf8.count + 64)
        for scalar in payload.unicodeScalars {
            if scalar == "\u{1B}" { out += "\u{1B}\u{1B}" } else { out.unicodeScalars.append(scalar) }
        }
        return out + "\u{1B}\\"
    }
}

/// A minimal PNG encoder: 8-bit RGB, filter 0 on every row, a zlib stream of stored deflate blocks
/// (no compression: the bytes go to a local terminal, and encoding costs one copy plus the checksums).
public enum PNGWriter {
    public static func rgb(width: Int, height: Int, pixels: [UInt8]) -> [UInt8] {
        precondition(pixels.count == width * height * 3, "RGB8 buffer size")
        var raw = [UInt8]()
        raw.reserveCapacity((width * 3 + 1) * height)
        for y in 0..<height {
            raw.append(0)
            raw.append(contentsOf: pixels[(y * width * 3)..<((y + 1) * width * 3)])
        }
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        out += chunk("IHDR", be32(UInt32(width)) + be32(UInt32(height)) + [8, 2, 0, 0, 0])
        out += chunk("IDAT", storedZlib(raw))
        out += chunk("IEND", [])
        return out
    }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let td = Array(type.utf8) + data
        return be32(UInt32(data.count)) + td + be32(crc32(td))
    }

    private static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = crcTable[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    static func storedZlib(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        out.reserveCapacity(data.count + data.count / 65535 * 5 + 16)
        var i = 0
        repeat {
            let n = min(65535, data.count - i)
            out.append(i + n == data.count ? 1 : 0)
            out += [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out.append(contentsOf: data[i..<(i + n)])
            i += n
        } while i < data.count
        // Adler-32, reduced every 5552 bytes (the largest run that cannot overflow 32 bits).
        var a: UInt32 = 1, b: UInt32 = 0
        var j = 0
        while j < data.count {
            let end = min(data.count, j + 5552)
            for k in j..<end { a += UInt32(data[k]); b += a }
            a %= 65521; b %= 65521
            j = end
        }
        return out + be32(b << 16 | a)
    }
}
