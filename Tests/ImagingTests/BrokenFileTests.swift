// The broken-file corpus, generated here: every bad input gives one clear ImageError naming the
// file, never a crash; decompression bombs are refused from the header alone.
import Foundation
import Testing
import TestSupport
@testable import Imaging

@Suite struct BrokenFileTests {
    let dir: URL

    init() throws { dir = try Fixtures.tempDirectory("imaging-broken") }

    func write(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    func decodeError(_ url: URL, options: DecodeOptions = .init()) -> ImageError? {
        do {
            _ = try ImageDecoder.decode(fileAt: url, options: options)
            return nil
        } catch let e as ImageError {
            return e
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    func randomBytes(_ n: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix(state: seed)
        return (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    @Test func zeroBytes() throws {
        let url = try write("empty.jpg", [])
        let e = try #require(decodeError(url))
        #expect(e.kind == .empty)
        #expect(e.description.contains("empty.jpg") && e.description.contains("empty file"))
    }

    @Test func randomBytesNamedJpgAndPng() throws {
        for name in ["noise.jpg", "noise.png"] {
            let url = try write(name, randomBytes(4096, seed: 3))
            let e = try #require(decodeError(url))
            #expect(e.kind == .notAnImage, "\(e)")
            #expect(e.description.hasPrefix(url.path))
        }
    }

    @Test func jpegSignatureFollowedByGarbage() throws {
        let url = try write("garbage.jpg", [0xFF, 0xD8, 0xFF] + randomBytes(2000, seed: 5))
        let e = try #require(decodeError(url))
        switch e.kind {
        case .corrupt, .truncated: break
        default: Issue.record("expected corrupt/truncated, got \(e)")
        }
    }

    @Test func truncatedJPEGIsPartialWithAWarningOrAnError() throws {
        let full = [UInt8](try Data(contentsOf: Fixtures.tiny("image_jpeg_120x90_q90.jpg")))
        // Cut in the entropy-coded data: libjpeg pads the rest and warns.
        let url = try write("cut.jpg", Array(full.prefix(full.count * 6 / 10)))
        let partial = try ImageDecoder.decode(fileAt: url, options: DecodeOptions(allowPartial: true))
        #expect(partial.isPartial)
        #expect(!partial.warnings.isEmpty)
        #expect(partial.warnings.joined().contains("Premature end"))
        #expect(partial.image.width == 120 && partial.image.height == 90)
        // The top rows decoded before the cut match the full decode.
        let whole = try ImageDecoder.decode(fileAt: Fixtures.tiny("image_jpeg_120x90_q90.jpg")).image
        #expect(Array(partial.image.pixels.prefix(120 * 3 * 8)) == Array(whole.pixels.prefix(120 * 3 * 8)))
        // By default (as Pillow) it is refused: "image file is truncated".
        let strict = try #require(decodeError(url, options: DecodeOptions(allowPartial: false)))
        if case .truncated = strict.kind {} else { Issue.record("expected truncated, got \(strict)") }
        #expect(strict.description.hasPrefix("\(url.path): image file is truncated ("), "\(strict)")
        // Previews still show what there is.
        #expect(try Thumbnail.make(fileAt: url, maxWidth: 40, maxHeight: 40).width == 40)
        // Cut inside the headers: no image at all → an error, never a crash.
        for n in [3, 20, 200] {
            let head = try write("head\(n).jpg", Array(full.prefix(n)))
            let e = try #require(decodeError(head))
            switch e.kind {
            case .truncated, .corrupt: break
            default: Issue.record("cut at \(n): \(e)")
            }
        }
    }

    @Test func truncatedPNG() throws {
        let full = [UInt8](try Data(contentsOf: Fixtures.tiny("image_0_landscape_97x71.png")))
        for n in [10, 30, full.count / 2, full.count - 20] {
            let url = try write("cut\(n).png", Array(full.prefix(n)))
            let e = try #require(decodeError(url), "cut at \(n) decoded")
            if case .truncated = e.kind {} else { Issue.record("cut at \(n): \(e)") }
            #expect(e.description.contains("cut\(n).png"))
        }
    }

    @Test func pngWithBadCRC() throws {
        var bytes = [UInt8](try Data(contentsOf: Fixtures.tiny("image_0_landscape_97x71.png")))
        // IHDR CRC is at 8 + 4 + 4 + 13 = 29...32.
        bytes[30] ^= 0xFF
        let url = try write("badcrc_ihdr.png", bytes)
        let e = try #require(decodeError(url))
        guard case .corrupt(let why) = e.kind else { Issue.record("\(e)"); return }
        #expect(why.contains("CRC"), "\(why)")

        // The stored CRC of the IDAT chunk is wrong (data intact).
        var idat = [UInt8](try Data(contentsOf: Fixtures.tiny("image_0_landscape_97x71.png")))
        let start = try #require(findChunk(idat, "IDAT"))
        let len = Int(idat[start]) << 24 | Int(idat[start + 1]) << 16 | Int(idat[start + 2]) << 8 | Int(idat[start + 3])
        idat[start + 8 + len] ^= 0x01
        let url2 = try write("badcrc_idat.png", idat)
        let e2 = try #require(decodeError(url2))
        guard case .corrupt(let why2) = e2.kind else { Issue.record("\(e2)"); return }
        #expect(why2.contains("CRC"), "\(why2)")

        // A flipped byte inside the compressed data: zlib or the CRC check catches it, either way an error.
        var data = [UInt8](try Data(contentsOf: Fixtures.tiny("image_0_landscape_97x71.png")))
        data[start + 8 + 10] ^= 0x55
        let e3 = try #require(decodeError(try write("bad_idat_data.png", data)))
        guard case .corrupt = e3.kind else { Issue.record("\(e3)"); return }
    }

    func findChunk(_ bytes: [UInt8], _ type: String) -> Int? {
        var i = 8
        while i + 8 <= bytes.count {
            let len = Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            if Array(bytes[(i + 4)..<(i + 8)]) == Array(type.utf8) { return i }
            i += 12 + len
        }
        return nil
    }

    @Test func generatedPNGDecodes() throws {
        let png = TestPNG.gray(width: 3, rows: [[0, 128, 255], [1, 2, 3]])
        let d = try ImageDecoder.decode(data: Data(png), path: "gen.png")
        #expect(d.image.width == 3 && d.image.height == 2)
        #expect(d.image.pixels == [0, 0, 0, 128, 128, 128, 255, 255, 255, 1, 1, 1, 2, 2, 2, 3, 3, 3])
    }

    @Test func stripWiderThanLibpngsDefaultLimitIsJudgedByPixelCount() throws {
        // 1,100,000 × 1: over libpng's default 1,000,000-per-side limit, far under 100 MP.
        let width = 1_100_000
        let png = TestPNG.gray(width: width, rows: [[UInt8](repeating: 7, count: width)])
        let d = try ImageDecoder.decode(data: Data(png), path: "strip.png")
        #expect(d.image.width == width && d.image.height == 1)
        let crop = Preprocessor.resizeAndCenterCrop(d.image, size: 32)
        #expect(crop.pixels.allSatisfy { $0 == 7 })
    }

    @Test func pngBombHeaderIsRefusedBeforeAllocation() throws {
        // 60000×60000 RGB would need 10.8 GB; only the header exists.
        let ihdr = TestPNG.be32(60000) + TestPNG.be32(60000) + [8, 2, 0, 0, 0]
        let bytes = TestPNG.signature + TestPNG.chunk("IHDR", ihdr) + TestPNG.chunk("IDAT", [0x78, 0x9C, 0x03, 0x00]) + TestPNG.chunk("IEND", [])
        let url = try write("bomb.png", bytes)
        let e = try #require(decodeError(url))
        #expect(e.kind == .tooLarge(width: 60000, height: 60000, limit: 100_000_000))
        #expect(e.description.contains("60000x60000"))
        // Header alone, cut right after IHDR: still refused as too large (not "truncated").
        let cut = try write("bomb_cut.png", TestPNG.signature + TestPNG.chunk("IHDR", ihdr))
        #expect(decodeError(cut)?.kind == .tooLarge(width: 60000, height: 60000, limit: 100_000_000))
    }

    @Test func jpegBombHeaderIsRefusedBeforeAllocation() throws {
        // SOI, SOF0 60000×60000×3, then nothing: libjpeg reads the frame size, then runs out.
        let sof: [UInt8] = [0xFF, 0xC0, 0x00, 0x11, 0x08, 0xEA, 0x60, 0xEA, 0x60, 0x03,
                            0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]
        let url = try write("bomb.jpg", [0xFF, 0xD8] + sof + [0xFF, 0xD9])
        let e = try #require(decodeError(url))
        #expect(e.kind == .tooLarge(width: 60000, height: 60000, limit: 100_000_000), "\(e)")
    }

    @Test func configurablePixelLimit() throws {
        let url = Fixtures.tiny("image_jpeg_120x90_q90.jpg")
        let e = try #require(decodeError(url, options: DecodeOptions(maxPixels: 120 * 90 - 1)))
        #expect(e.kind == .tooLarge(width: 120, height: 90, limit: 120 * 90 - 1))
        #expect(try ImageDecoder.decode(fileAt: url, options: DecodeOptions(maxPixels: 120 * 90)).image.width == 120)
        let png = Fixtures.tiny("image_1_portrait_50x83.png")
        #expect(decodeError(png, options: DecodeOptions(maxPixels: 100))?.kind == .tooLarge(width: 50, height: 83, limit: 100))
    }

    @Test func directoryNamedLikeAnImage() throws {
        let sub = dir.appendingPathComponent("x.jpg", isDirectory: true)
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        let e = try #require(decodeError(sub))
        #expect(e.kind == .notAFile("a directory"))
        #expect(e.description.hasSuffix("x.jpg: is a directory, not a regular file"))
    }

    @Test func fifoIsNotReadAsAnImage() throws {
        let fifo = dir.appendingPathComponent("pipe.png")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let e = try #require(decodeError(fifo))   // must not block reading the pipe
        #expect(e.kind == .notAFile("a FIFO"))
        #expect(e.description.hasSuffix("pipe.png: is a FIFO, not a regular file"))
        let thumb = try #require(throws: ImageError.self) { try Thumbnail.make(fileAt: fifo, maxWidth: 8, maxHeight: 8) }
        #expect(thumb.kind == .notAFile("a FIFO"))
        #expect(decodeError(URL(fileURLWithPath: "/dev/zero"))?.kind == .notAFile("a character device"))
    }

    @Test func missingFile() throws {
        let e = try #require(decodeError(dir.appendingPathComponent("nope.png")))
        #expect(e.kind == .unreadable("no such file"))
    }

    @Test func otherFormatsAreRecognisedAsUnsupported() throws {
        // WebP, GIF, BMP, TIFF, HEIF and AVIF decode: these stubs are sniffed as such and then refused as cut short.
        let decodable: [(String, [UInt8], ImageFormat)] = [
            ("a.gif", Array("GIF89a".utf8) + [1, 0, 1, 0, 0, 0, 0], .gif),
            ("a.webp", Array("RIFF".utf8) + [26, 0, 0, 0] + Array("WEBPVP8 ".utf8) + [0, 0, 0, 0], .webp),
            ("a.bmp", Array("BM".utf8) + [0x46, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0, 40, 0, 0, 0], .bmp),
            ("a.tif", [0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0], .tiff),
            ("b.tif", [0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 8], .tiff),
            ("a.heic", [0, 0, 0, 24] + Array("ftypheic".utf8) + [0, 0, 0, 0] + Array("mif1heic".utf8), .heif),
            ("a.avif", [0, 0, 0, 16] + Array("ftypavif".utf8) + [0, 0, 0, 0], .avif),
        ]
        for (name, bytes, format) in decodable {
            #expect(ImageDecoder.sniff(Data(bytes)) == format && format.isDecodable, "\(name)")
            let url = try write(name, bytes)
            let e = try #require(decodeError(url))
            switch e.kind {
            case .truncated, .corrupt: break
            default: Issue.record("\(name): \(e)")
            }
            #expect(e.description.hasPrefix(url.path))
        }
        let cases: [(String, [UInt8], ImageFormat)] = [
            ("a.jxl", [0xFF, 0x0A, 0xFA, 0x1F], .jxl),
            ("b.jxl", [0, 0, 0, 0x0C] + Array("JXL ".utf8) + [0x0D, 0x0A, 0x87, 0x0A], .jxl),
        ]
        for (name, bytes, format) in cases {
            #expect(ImageDecoder.sniff(Data(bytes)) == format, "\(name)")
            let url = try write(name, bytes)
            let e = try #require(decodeError(url))
            #expect(e.kind == .unsupportedFormat(format), "\(name): \(e)")
            #expect(e.isUnsupportedFormat)
            #expect(e.description.contains(name))
        }
        // A text file that merely starts with "BM" is not a bitmap.
        #expect(ImageDecoder.sniff(Data("BMW owners manual, chapter one".utf8)) == .unknown)
    }

    @Test func misnamedFilesAreSniffedByContent() throws {
        let png = try Data(contentsOf: Fixtures.tiny("image_2_gray_64x80.png"))
        let url = dir.appendingPathComponent("actually_png.jpg")
        try png.write(to: url)
        let d = try ImageDecoder.decode(fileAt: url)
        #expect(d.format == .png && d.image.width == 64)
    }
}
