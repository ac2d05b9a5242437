// Every pixel protocol's payload decoded back into pixels and compared with the thumbnail it was made
// from: kitty (chunks → base64 → RGB, exact), iTerm2 (base64 → PNG → RGB, exact), sixel (a sixel
// decoder → RGB, within the palette tolerance stated below). Plus symbol art and tmux passthrough.
import Foundation
import Imaging
import TermGraphics
import TestSupport
import Testing
import TUI

enum Pictures {
    /// A demo JPEG as the explorer's thumbnail path makes it (scaled IDCT, oriented, bicubic fit).
    static func thumbnail(maxWidth: Int = 97, maxHeight: Int = 61) throws -> RGBImage {
        let url = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Assets/demo/05_green_circle_x2.jpg")
        return try Thumbnail.make(fileAt: url, maxWidth: maxWidth, maxHeight: maxHeight)
    }

    /// Smooth gradient with a hard diagonal edge (odd size).
    static func gradient(width: Int = 37, height: Int = 23) -> RGBImage {
        var px = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let o = (y * width + x) * 3
                px[o] = UInt8(x * 255 / (width - 1))
                px[o + 1] = UInt8(y * 255 / (height - 1))
                px[o + 2] = x > y ? 200 : 40
            }
        }
        return RGBImage(width: width, height: height, pixels: px)
    }
}

@Suite struct KittyPayloadTests {
    /// Splits `ESC _G keys ; data ESC \` commands.
    static func commands(_ s: String) -> [KittyCommands.Command] { KittyCommands.parse(s) }

    @Test(arguments: [false, true]) func chunksDecodeToTheThumbnailExactly(big: Bool) throws {
        let img = big ? try Pictures.thumbnail(maxWidth: 400, maxHeight: 300) : Pictures.gradient()
        let payload = KittyGraphics.transmit(id: 42, width: img.width, height: img.height, rgb: img.pixels)
        let cmds = Self.commands(payload)
        #expect(cmds.count == (Data(img.pixels).base64EncodedString().utf8.count + 4095) / 4096)
        let first = try #require(cmds.first)
        #expect(first.keys["a"] == "t" && first.keys["f"] == "24" && first.keys["i"] == "42" && first.keys["q"] == "2")
        #expect(first.keys["s"] == "\(img.width)" && first.keys["v"] == "\(img.height)")
        for (n, c) in cmds.enumerated() {
            #expect(c.data.utf8.count <= 4096)
            #expect(c.keys["m"] == (n == cmds.count - 1 ? "0" : "1"))
            if n > 0 { #expect(c.keys.keys.sorted() == ["m"]) }
        }
        let data = try #require(Data(base64Encoded: cmds.map(\.data).joined()))
        #expect(Array(data) == img.pixels)
    }

    @Test func placeUnplaceAndDeleteNameTheImage() {
        #expect(KittyGraphics.place(id: 7, columns: 14, rows: 6) == "\u{1B}_Ga=p,i=7,c=14,r=6,q=2,C=1\u{1B}\\")
        #expect(KittyGraphics.unplace(id: 7) == "\u{1B}_Ga=d,d=i,i=7,q=2\u{1B}\\")
        #expect(KittyGraphics.delete(id: 7) == "\u{1B}_Ga=d,d=I,i=7,q=2\u{1B}\\")
    }
}

/// The terminal-side bookkeeping of kitty pictures: each id's data is sent once and placed as often as
/// it is shown; the bytes written are parsed back into commands.
@Suite struct KittyOutputTests {
    static func picture(_ id: UInt32, _ value: UInt8, x: Int = 0) -> ImagePlacement {
        let rgb = [UInt8](repeating: value, count: 4 * 3 * 3)
        return ImagePlacement(id: id, rect: Rect(x: x, y: 2, width: 3, height: 2),
                              payload: KittyGraphics.transmit(id: id, width: 4, height: 3, rgb: rgb))
    }

    /// (action, id) of each kitty command written (data chunks after the first left out).
    static func actions(_ bytes: String) -> [String] {
        KittyPayloadTests.commands(bytes).compactMap { c in
            guard let a = c.keys["a"], let id = c.keys["i"] else { return nil }
            return a == "d" ? "d\(c.keys["d"] ?? "?")\(id)" : a + id
        }
    }

    @Test func dataIsSentOnceAndPlacedAgainAfterRemoval() {
        var out = ""
        let g = EscapeGraphicsOutput(mode: .kitty, tmuxPassthrough: false) { out += $0 }
        let a = Self.picture(5, 10), b = Self.picture(6, 20, x: 4)
        g.show(a); g.show(b)
        #expect(Self.actions(out) == ["t5", "p5", "t6", "p6"])
        #expect(out.contains("\u{1B}7\u{1B}[3;1H\u{1B}_Ga=p,i=5,c=3,r=2,q=2,C=1\u{1B}\\\u{1B}8"))
        out = ""
        #expect(g.remove(a) == false)
        g.show(a)
        #expect(Self.actions(out) == ["di5", "p5"])           // unplaced, placed again: no data
        out = ""
        g.show(Self.picture(5, 99))                         // new pixels under the same id: sent again
        #expect(Self.actions(out) == ["t5", "p5"])
        out = ""
        g.releaseAll()
        #expect(Set(Self.actions(out)) == ["dI5", "dI6"])
        #expect(g.heldIDs.isEmpty)
        out = ""
        g.show(a)
        #expect(Self.actions(out) == ["t5", "p5"])
    }

    @Test func heldDataIsBoundedAndPlacedPicturesAreKept() {
        var out = ""
        let size = Self.picture(1, 0).payload.utf8.count
        let g = EscapeGraphicsOutput(mode: .kitty, tmuxPassthrough: false, keptBytes: 3 * size) { out += $0 }
        for id in UInt32(1)...4 { g.show(Self.picture(id, UInt8(id))) }
        #expect(g.heldIDs == [1, 2, 3, 4])                  // all placed: none may go
        _ = g.remove(Self.picture(2, 2)); _ = g.remove(Self.picture(1, 1))
        out = ""
        g.show(Self.picture(5, 5))
        #expect(Self.actions(out) == ["t5", "p5", "dI1", "dI2"])   // least recently placed first
        #expect(g.heldIDs == [3, 4, 5])
    }

    @Test func commandsAreWrappedInsideTmux() {
        var out = ""
        let g = EscapeGraphicsOutput(mode: .kitty, tmuxPassthrough: true) { out += $0 }
        let p = ImagePlacement(id: 3, rect: Rect(x: 0, y: 0, width: 2, height: 1), payload: TmuxPassthrough.wrap("\u{1B}_Ga=t,i=3;AAAA\u{1B}\\"))
        g.show(p)
        #expect(out.hasSuffix("\u{1B}Ptmux;\u{1B}\u{1B}_Ga=p,i=3,c=2,r=1,q=2,C=1\u{1B}\u{1B}\\\u{1B}\\\u{1B}8"))
        out = ""
        _ = g.remove(p)
        #expect(out == TmuxPassthrough.wrap(KittyGraphics.unplace(id: 3)))
    }

    @Test func sixelAndITermPicturesAreWrittenEachTimeAndRepainted() {
        var out = ""
        let g = EscapeGraphicsOutput(mode: .sixel, tmuxPassthrough: false) { out += $0 }
        let p = ImagePlacement(id: 1, rect: Rect(x: 4, y: 1, width: 2, height: 1), payload: "\u{1B}Pq#0~\u{1B}\\")
        g.show(p)
        #expect(out == "\u{1B}7\u{1B}[2;5H\u{1B}Pq#0~\u{1B}\\\u{1B}8")
        #expect(g.remove(p))
        g.releaseAll()
        g.show(p)
        #expect(out.components(separatedBy: "\u{1B}Pq").count == 3)
    }
}

@Suite struct ITermPayloadTests {
    @Test(arguments: [false, true]) func inlinePNGDecodesToTheThumbnailExactly(big: Bool) throws {
        let img = big ? try Pictures.thumbnail(maxWidth: 400, maxHeight: 300) : Pictures.gradient()
        let payload = ITermGraphics.inline(width: img.width, height: img.height, rgb: img.pixels)
        #expect(payload.hasPrefix("\u{1B}]1337;File=inline=1;"))
        #expect(payload.hasSuffix("\u{07}"))
        let body = payload.dropFirst("\u{1B}]1337;File=".count).dropLast()
        let colon = try #require(body.firstIndex(of: ":"))
        let args = body[..<colon]
        #expect(args.contains("width=\(img.width)px") && args.contains("height=\(img.height)px"))
        let png = try #require(Data(base64Encoded: String(body[body.index(after: colon)...])))
        #expect(args.contains("size=\(png.count)"))
        let decoded = try ImageDecoder.decode(data: png, path: "iterm.png").image
        #expect(decoded.width == img.width && decoded.height == img.height)
        #expect(decoded.pixels == img.pixels)
    }
}

@Suite struct SixelPayloadTests {
    /// Mean and largest absolute error per channel of a decoded sixel over the picture.
    static func errors(_ decoded: SixelImage, _ img: RGBImage) -> (mean: Double, worst: Int) {
        var sum = 0, worst = 0
        for y in 0..<img.height {
            for x in 0..<img.width {
                for c in 0..<3 {
                    let d = abs(Int(decoded.rgb[(y * decoded.width + x) * 3 + c]) - Int(img.pixels[(y * img.width + x) * 3 + c]))
                    sum += d; worst = max(worst, d)
                }
            }
        }
        return (Double(sum) / Double(img.width * img.height * 3), worst)
    }

    /// A palette of at most 256 colours given in percent (1 % ≈ 2.55 levels): the round trip is not
    /// exact. Tolerance: mean absolute error ≤ 6 levels per channel, every pixel within 64 levels, and
    /// never worse than libchafa's own sixel encoder on the same picture by more than 0.25 levels mean
    /// (measured: see the expectations' messages). The image is exactly W × H (no padding rows).
    @Test(arguments: [0, 1, 2]) func sixelDecodesToTheThumbnailWithinTolerance(picture: Int) throws {
        let img = picture == 1 ? try Pictures.thumbnail(maxWidth: 160, maxHeight: 100)
            : picture == 0 ? Pictures.gradient() : Pictures.gradient(width: 301, height: 97)
        let payload = try #require(SixelEncoder.encode(width: img.width, height: img.height, rgb: img.pixels))
        #expect(payload.hasPrefix("\u{1B}P0;1;0q\"1;1;\(img.width);\(img.height)#"))
        #expect(payload.hasSuffix("\u{1B}\\"))
        let decoded = try SixelDecoder.decode(payload)
        #expect(decoded.width == img.width && decoded.height == img.height)
        let ours = Self.errors(decoded, img)
        #expect(ours.mean <= 6, "mean abs error \(ours.mean)")
        #expect(ours.worst <= 64, "max abs error \(ours.worst)")
        let chafa = Self.errors(try SixelDecoder.decode(try #require(ChafaSixelReference.sixel(width: img.width, height: img.height, rgb: img.pixels))), img)
        #expect(ours.mean <= chafa.mean + 0.25, "mean abs error \(ours.mean), libchafa's \(chafa.mean)")
    }

    /// Few colours: each gets its own palette entry and the round trip is exact up to the percent
    /// scale; runs of ≥ 4 equal columns are written `!n`, and a band shorter than 6 rows is not padded.
    @Test func fewColoursRoundTripExactlyWithRunLengths() throws {
        let w = 50, h = 8
        var px = [UInt8](repeating: 0, count: w * h * 3)
        let colours: [(UInt8, UInt8, UInt8)] = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)]
        for y in 0..<h { for x in 0..<w {
            let c = colours[(x / 13 + y / 4) % 4]
            px[(y * w + x) * 3] = c.0; px[(y * w + x) * 3 + 1] = c.1; px[(y * w + x) * 3 + 2] = c.2
        } }
        let payload = try #require(SixelEncoder.encode(width: w, height: h, rgb: px))
        #expect(payload.contains("!13"))
        let decoded = try SixelDecoder.decode(payload, background: (7, 7, 7))
        #expect(decoded.width == w && decoded.height == h)
        #expect(decoded.rgb == px)
        #expect(SixelEncoder.bandedHeight(h) == 12 && SixelEncoder.bandedHeight(12) == 12)
    }
}

@Suite struct SymbolArtTests {
    @Test func gridKeepsTheAspectOnTallCells() {
        // 200×100 picture on 10×20 cells: 20×5 cells of picture per 1 ratio → cols = 4 × rows.
        let g = ChafaArt.symbolGrid(width: 200, height: 100, maxCols: 40, maxRows: 20, cell: CellPixels(width: 10, height: 20))
        #expect(g.cols == 40 && g.rows == 10)
        let tall = ChafaArt.symbolGrid(width: 100, height: 400, maxCols: 40, maxRows: 20, cell: CellPixels(width: 10, height: 20))
        #expect(tall.rows == 20 && tall.cols == 10)
    }

    @Test func symbolsReproduceTheColoursOfEachCell() throws {
        let img = Pictures.gradient(width: 80, height: 48)
        let art = try #require(ChafaArt.symbols(width: img.width, height: img.height, rgb: img.pixels, cols: 20, rows: 6))
        #expect(art.cells.count == 20 * 6)
        // Each cell covers 4×8 pixels; its fg/bg pair must bracket the cell's mean red (red grows with x).
        for y in 0..<6 {
            for x in 0..<20 {
                let c = art.cell(x, y)
                #expect(c.glyph.unicodeScalars.count == 1)
                #expect(TextWidth.width(String(c.glyph)) == 1, "glyph \(c.glyph) must be one cell wide")
                var red = 0
                for py in (y * 8)..<(y * 8 + 8) { for px in (x * 4)..<(x * 4 + 4) { red += Int(img.pixels[(py * 80 + px) * 3]) } }
                let mean = red / 32
                let lo = Int(min(c.fg.r, c.bg.r)), hi = Int(max(c.fg.r, c.bg.r))
                #expect(mean >= lo - 12 && mean <= hi + 12, "cell \(x),\(y): mean red \(mean) outside \(lo)…\(hi)")
            }
        }
    }
}

@Suite struct PassthroughTests {
    @Test func escapesAreDoubledInsideTheTmuxWrapper() {
        let inner = KittyGraphics.delete(id: 3)
        let wrapped = TmuxPassthrough.wrap(inner)
        #expect(wrapped == "\u{1B}Ptmux;\u{1B}\u{1B}_Ga=d,d=I,i=3,q=2\u{1B}\u{1B}\\\u{1B}\\")
    }
}
