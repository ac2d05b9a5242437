// A small DEC sixel decoder for tests: turns `ESC P p1;p2;p3 q … ESC \` back into RGB8 pixels.
// Supported: raster attributes ("Pan;Pad;Ph;Pv), colour definitions #Pc;2;R;G;B (percent) and
// #Pc;1;H;L;S (HLS), colour selection #Pc, sixel data ?…~, repeats !Pn, $ (back to the band's start),
// - (next band). Pixels never painted stay `background`.
public struct SixelImage: Equatable {
    public var width: Int
    public var height: Int
    public var rgb: [UInt8]
}

public enum SixelDecoder {
    public enum Failure: Error, Equatable { case noIntroducer, noTerminator, badColor(Int) }

    public static func decode(_ text: String, background: (UInt8, UInt8, UInt8) = (0, 0, 0)) throws -> SixelImage {
        let b = Array(text.utf8)
        // Introducer: ESC P … q (or the 8-bit DCS 0x90, not used here).
        guard let start = firstIndex(of: [0x1B, UInt8(ascii: "P")], in: b, from: 0) else { throw Failure.noIntroducer }
        var i = start + 2
        while i < b.count, b[i] != UInt8(ascii: "q") { i += 1 }
        guard i < b.count else { throw Failure.noIntroducer }
        i += 1
        guard let end = firstIndex(of: [0x1B, UInt8(ascii: "\\")], in: b, from: i) else { throw Failure.noTerminator }

        var palette: [Int: (UInt8, UInt8, UInt8)] = [:]
        var color = (UInt8(0), UInt8(0), UInt8(0))
        var declaredW = 0, declaredH = 0
        var pixels: [Int: (UInt8, UInt8, UInt8)] = [:]     // y * 65536 + x
        var x = 0, band = 0, maxX = 0, maxY = 0

        func number() -> Int? {
            var v: Int?
            while i < end, b[i] >= 0x30, b[i] <= 0x39 { v = (v ?? 0) * 10 + Int(b[i] - 0x30); i += 1 }
            return v
        }
        func params() -> [Int] {
            var out: [Int] = []
            repeat {
                if i < end, b[i] == UInt8(ascii: ";") { i += 1 }
                out.append(number() ?? 0)
            } while i < end && b[i] == UInt8(ascii: ";")
            return out
        }
        func paint(_ ch: UInt8, count: Int) {
            let bits = Int(ch) - 0x3F
            for _ in 0..<count {
                for k in 0..<6 where bits & (1 << k) != 0 {
                    let y = band * 6 + k
                    pixels[y * 65536 + x] = color
                    maxY = max(maxY, y + 1)
                }
                x += 1
                maxX = max(maxX, x)
            }
        }
        while i < end {
            let c = b[i]
            switch c {
            case UInt8(ascii: "\""):
                i += 1
                let p = params()
                if p.count >= 4 { declaredW = p[2]; declaredH = p[3] }
            case UInt8(ascii: "#"):
                i += 1
                let p = params()
                guard let n = p.first else { continue }
                if p.count >= 5 {
                    if p[1] == 2 {
                        func pc(_ v: Int) -> UInt8 { UInt8(min(255, (v * 255 + 50) / 100)) }
                        palette[n] = (pc(p[2]), pc(p[3]), pc(p[4]))
                    } else if p[1] == 1 {
                        palette[n] = hls(h: p[2], l: p[3], s: p[4])
                    } else {
                        throw Failure.badColor(n)
                    }
                }
                guard let col = palette[n] else { throw Failure.badColor(n) }
                color = col
            case UInt8(ascii: "!"):
                i += 1
                let n = number() ?? 1
                guard i < end else { break }
                let ch = b[i]; i += 1
                if ch >= 0x3F, ch <= 0x7E { paint(ch, count: n) }
            case UInt8(ascii: "$"):
                x = 0; i += 1
            case UInt8(ascii: "-"):
                x = 0; band += 1; i += 1
            case 0x3F...0x7E:
                paint(c, count: 1); i += 1
            default:
                i += 1
            }
        }
        let w = max(declaredW, maxX), h = max(declaredH, maxY)
        var rgb = [UInt8](repeating: 0, count: w * h * 3)
        for p in 0..<(w * h) { rgb[3 * p] = background.0; rgb[3 * p + 1] = background.1; rgb[3 * p + 2] = background.2 }
        for (key, c) in pixels {
            let y = key / 65536, xx = key % 65536
            guard y < h, xx < w else { continue }
            let o = (y * w + xx) * 3
            rgb[o] = c.0; rgb[o + 1] = c.1; rgb[o + 2] = c.2
        }
        return SixelImage(width: w, height: h, rgb: rgb)
    }

    private static func firstIndex(of pattern: [UInt8], in b: [UInt8], from: Int) -> Int? {
        guard b.count >= pattern.count else { return nil }
        var i = from
        while i + pattern.count <= b.count {
            if b[i] == pattern[0] && Array(b[i..<(i + pattern.count)]) == pattern { return i }
            i += 1
        }
        return nil
    }

    /// DEC HLS (hue 0° = blue) in percent to RGB8.
    private static func hls(h: Int, l: Int, s: Int) -> (UInt8, UInt8, UInt8) {
        let L = Double(l) / 100, S = Double(s) / 100
        let hue = Double((h + 240) % 360) / 360
        if S == 0 { let v = UInt8(L * 255); return (v, v, v) }
        let q = L < 0.5 ? L * (1 + S) : L + S - L * S
        let p = 2 * L - q
        func f(_ t0: Double) -> Double {
            var t = t0; if t < 0 { t += 1 }; if t > 1 { t -= 1 }
            if t < 1.0 / 6 { return p + (q - p) * 6 * t }
            if t < 0.5 { return q }
            if t < 2.0 / 3 { return p + (q - p) * (2.0 / 3 - t) * 6 }
            return p
        }
        return (UInt8(f(hue + 1.0 / 3) * 255), UInt8(f(hue) * 255), UInt8(f(hue - 1.0 / 3) * 255))
    }
}
