// EXIF orientation (parsed for previews, never applied to embeddings), the .npy writer and the
// preprocessor config loader.
import Foundation
import Testing
import TestSupport
@testable import Imaging

@Suite struct OrientationTests {
    /// 3 wide × 2 tall; pixel value = y·3 + x in all channels (the Pillow check used the same image).
    static let image = RGBImage(width: 3, height: 2, pixels: (0..<6).flatMap { [UInt8($0), UInt8($0), UInt8($0)] })

    static func grey(_ im: RGBImage) -> [[UInt8]] {
        (0..<im.height).map { y in (0..<im.width).map { x in im.pixels[(y * im.width + x) * 3] } }
    }

    @Test func matchesPillowExifTranspose() {
        // Expected values from Pillow's Image.transpose as ImageOps.exif_transpose maps them.
        let expected: [Int: [[UInt8]]] = [
            1: [[0, 1, 2], [3, 4, 5]],
            2: [[2, 1, 0], [5, 4, 3]],
            3: [[5, 4, 3], [2, 1, 0]],
            4: [[3, 4, 5], [0, 1, 2]],
            5: [[0, 3], [1, 4], [2, 5]],
            6: [[3, 0], [4, 1], [5, 2]],
            7: [[5, 2], [4, 1], [3, 0]],
            8: [[2, 5], [1, 4], [0, 3]],
        ]
        for (o, want) in expected {
            #expect(Self.grey(Orientation.apply(o, to: Self.image)) == want, "orientation \(o)")
        }
        #expect(Orientation.apply(0, to: Self.image) == Self.image)
        #expect(Orientation.apply(9, to: Self.image) == Self.image)
    }

    static func exifSegment(orientation: UInt16, bigEndian: Bool) -> [UInt8] {
        func u16(_ v: UInt16) -> [UInt8] { bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func u32(_ v: UInt32) -> [UInt8] {
            let b = [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
            return bigEndian ? b : b.reversed()
        }
        var tiff: [UInt8] = bigEndian ? Array("MM".utf8) : Array("II".utf8)
        tiff += u16(42) + u32(8) + u16(2)
        tiff += u16(0x010F) + u16(2) + u32(4) + Array("Cam\0".utf8)            // Make, inline ASCII
        tiff += u16(0x0112) + u16(3) + u32(1) + u16(orientation) + u16(0)      // Orientation
        tiff += u32(0)
        let payload = Array("Exif\0\0".utf8) + tiff
        let len = payload.count + 2
        return [0xFF, 0xE1, UInt8(len >> 8), UInt8(len & 0xFF)] + payload
    }

    @Test(arguments: [(UInt16(6), true), (UInt16(8), false), (UInt16(3), true)])
    func exifOrientationIsReportedButNotApplied(orientation: UInt16, bigEndian: Bool) throws {
        let plain = [UInt8](try Data(contentsOf: Fixtures.tiny("image_jpeg_120x90_q90.jpg")))
        let tagged = Array(plain.prefix(2)) + Self.exifSegment(orientation: orientation, bigEndian: bigEndian) + Array(plain.dropFirst(2))
        let decoded = try ImageDecoder.decode(data: Data(tagged), path: "tagged.jpg")
        #expect(decoded.exifOrientation == Int(orientation))
        let reference = try ImageDecoder.decode(data: Data(plain), path: "plain.jpg")
        #expect(decoded.image == reference.image)   // embeddings never rotate
        #expect(reference.exifOrientation == 1)
    }
}

@Suite struct ThumbnailTests {
    @Test func fitsTheBoxKeepingAspect() {
        #expect(Thumbnail.fit(width: 120, height: 90, maxWidth: 40, maxHeight: 40) == (40, 30))
        #expect(Thumbnail.fit(width: 90, height: 120, maxWidth: 40, maxHeight: 40) == (30, 40))
        #expect(Thumbnail.fit(width: 30, height: 20, maxWidth: 40, maxHeight: 40) == (30, 20))   // never enlarged
        #expect(Thumbnail.fit(width: 10000, height: 1, maxWidth: 80, maxHeight: 24) == (80, 1))
    }

    @Test func jpegThumbnailUsesScaledDecodeAndOrientation() throws {
        let plain = [UInt8](try Data(contentsOf: Fixtures.tiny("image_jpeg_120x90_q90.jpg")))
        let thumb = try Thumbnail.make(data: Data(plain), path: "p.jpg", maxWidth: 40, maxHeight: 40)
        #expect(thumb.width == 40 && thumb.height == 30)
        // Close to a full decode resized the same way (the scaled IDCT is an approximation).
        let full = try ImageDecoder.decode(data: Data(plain), path: "p.jpg").image
        let reference = Preprocessor.resize(full, width: 40, height: 30)
        let meanDiff = zip(thumb.pixels, reference.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +) / thumb.pixels.count
        #expect(meanDiff <= 6)

        let rotated = Array(plain.prefix(2)) + OrientationTests.exifSegment(orientation: 6, bigEndian: true) + Array(plain.dropFirst(2))
        let r = try Thumbnail.make(data: Data(rotated), path: "r.jpg", maxWidth: 40, maxHeight: 40)
        #expect(r.width == 30 && r.height == 40)
    }

    /// The scaled IDCT never undershoots the fitted size (either orientation) and is the coarsest that
    /// does: a 24 MP photo for a 600×600 box decodes at 1/8 (750×500 ≥ 600×400, and turned,
    /// 500×750 ≥ 400×600).
    @Test func jpegScaleIsTheCoarsestThatCoversTheFit() {
        #expect(Thumbnail.jpegScaleDenom(width: 6000, height: 4000, maxWidth: 600, maxHeight: 600) == 8)
        #expect(Thumbnail.jpegScaleDenom(width: 120, height: 90, maxWidth: 40, maxHeight: 40) == 2)
        #expect(Thumbnail.jpegScaleDenom(width: 100, height: 100, maxWidth: 200, maxHeight: 200) == 1)
        for (w, h, bw, bh) in [(6000, 4000, 600, 600), (4000, 6000, 600, 400), (1000, 20, 140, 140), (333, 777, 97, 61),
                               (4032, 3024, 480, 320), (50, 5000, 100, 100), (8, 8, 1, 1)] {
            let d = Thumbnail.jpegScaleDenom(width: w, height: h, maxWidth: bw, maxHeight: bh)
            let (fw, fh) = Thumbnail.fit(width: w, height: h, maxWidth: bw, maxHeight: bh)
            let (gw, gh) = Thumbnail.fit(width: h, height: w, maxWidth: bw, maxHeight: bh)
            func covers(_ d: Int) -> Bool {
                let sw = (w + d - 1) / d, sh = (h + d - 1) / d
                return sw >= fw && sh >= fh && sh >= gw && sw >= gh
            }
            #expect([1, 2, 4, 8].contains(d) && covers(d), "\(w)×\(h) in \(bw)×\(bh): 1/\(d)")
            if d < 8 { #expect(!covers(2 * d), "\(w)×\(h) in \(bw)×\(bh): 1/\(2 * d) would do") }
        }
    }

    /// Formats decoded in full are box-reduced once (to at least twice the fitted size) before the
    /// bicubic fit: close to fitting the full decode directly.
    @Test(arguments: ["gray_37x23.tif", "pal8_37x23.bmp", "palette_37x23.gif"])
    func fullDecodeFormatsAreReducedThenFitted(name: String) throws {
        let url = Fixtures.url("imaging/formats").appendingPathComponent(name)
        let thumb = try Thumbnail.make(fileAt: url, maxWidth: 8, maxHeight: 8)
        #expect(thumb.width == 8 && thumb.height == 5)
        let reference = Preprocessor.resize(try ImageDecoder.decode(fileAt: url).image, width: 8, height: 5)
        let meanDiff = zip(thumb.pixels, reference.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +) / thumb.pixels.count
        #expect(meanDiff <= 6, "\(name): mean difference \(meanDiff)")
    }

    @Test func pngThumbnail() throws {
        let t = try Thumbnail.make(fileAt: Fixtures.tiny("image_3_rgba_120x60.png"), maxWidth: 30, maxHeight: 30)
        #expect(t.width == 30 && t.height == 15)
    }
}

@Suite struct NPYWriterTests {
    @Test func roundTripsThroughTheTestReader() throws {
        let dir = try Fixtures.tempDirectory("npy")
        let floats: [Float] = [0, -1.5, 3.25, .pi, -0.0, 1e-7]
        let f = dir.appendingPathComponent("f.npy")
        try NPYWriter.data(float32: floats, shape: [2, 3]).write(to: f)
        let a = try NPY.load(f)
        #expect(a.dtype == .f4 && a.shape == [2, 3] && a.floats == floats)

        let bytes: [UInt8] = [0, 1, 254, 255]
        let u = dir.appendingPathComponent("u.npy")
        try NPYWriter.data(uint8: bytes, shape: [4]).write(to: u)
        let b = try NPY.load(u)
        #expect(b.dtype == .u1 && b.shape == [4] && b.bytes == bytes)
        // Data starts 64-byte aligned, like NumPy's own files.
        let header = NPYWriter.header(descr: "|u1", shape: [60, 60, 3])
        #expect(header.count % 64 == 0)
    }
}

@Suite struct PreprocessorConfigTests {
    func write(_ json: String) throws -> URL {
        let dir = try Fixtures.tempDirectory("ppcfg")
        try Data(json.utf8).write(to: dir.appendingPathComponent("preprocessor_config.json"))
        return dir
    }

    @Test func acceptsHFSizeDictionaries() throws {
        let dir = try write(#"{"size": {"shortest_edge": 224}, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}"#)
        let c = try PreprocessorConfig.load(directory: dir)
        #expect(c == PreprocessorConfig(size: 224, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25]))
    }

    @Test func clearErrorsNameTheFile() throws {
        let cases = [
            (#"{"mean": [0.5, 0.5, 0.5], "std": [1, 1, 1]}"#, "missing `size`"),
            (#"{"size": 60, "mean": [0.5, 0.5], "std": [1, 1, 1]}"#, "`mean` must be 3 numbers"),
            (#"{"size": 60, "mean": [0.5, 0.5, 0.5], "std": [1, 0, 1]}"#, "`std` must be positive"),
            (#"[1, 2]"#, "not a JSON object"),
        ]
        for (json, problem) in cases {
            let dir = try write(json)
            #expect(throws: PreprocessorConfig.LoadError.self) { try PreprocessorConfig.load(directory: dir) }
            do {
                _ = try PreprocessorConfig.load(directory: dir)
            } catch {
                #expect("\(error)".contains("preprocessor_config.json"))
                #expect("\(error)".contains(problem), "\(error)")
            }
        }
        let missing = try Fixtures.tempDirectory("ppcfg-missing")
        #expect(throws: PreprocessorConfig.LoadError.self) { try PreprocessorConfig.load(directory: missing) }
    }
}
