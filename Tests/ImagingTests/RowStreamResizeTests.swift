// The row-by-row decode-and-resize (`ImageDecoder.decodeResized`, `Preprocessor.decodeAndCenterCrop`)
// against the whole-image path (decode, then `BicubicResampler.resizeWindow`): byte-identical on
// every decode fixture, on synthetic tall and wide PNGs, for each pass order and window shape.
import Foundation
import Testing
import TestSupport
@testable import Imaging

@Suite struct RowStreamResizeTests {
    static let decodeFixtures = [
        "baseline_444_41x31.jpg", "cmyk_38x27.jpg", "gray_40x29.jpg", "progressive_rgb_45x33.jpg",
        "bilevel_1bit_37x19.png", "gray16_30x20.png", "gray_alpha_28x24.png", "interlaced_rgb_35x26.png",
        "palette_trns_33x21.png", "rgb16_31x22.png",
    ]
    static let modelFixtures = ["image_0_landscape_97x71.png", "image_1_portrait_50x83.png",
                                "image_2_gray_64x80.png", "image_3_rgba_120x60.png"]

    /// Deterministic noise, so every tap of the filter matters.
    static func noisePNG(width: Int, height: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        let rows = (0..<height).map { _ in
            (0..<(width * 3)).map { _ -> UInt8 in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return UInt8(truncatingIfNeeded: state >> 56)
            }
        }
        return TestPNG.image(width: width, rows: rows, colorType: 2)
    }

    /// Windows that exercise every path: crop only, horizontal only, vertical only, both orders,
    /// up- and downscaling, whole resizes and inner windows.
    static func windows(width w: Int, height h: Int) -> [ResizeWindow] {
        var out: [ResizeWindow] = [
            .whole(width: w, height: h),                                  // no resampling
            .whole(width: max(1, w / 3), height: h),                      // horizontal only
            .whole(width: w, height: max(1, h / 3)),                      // vertical only
            .whole(width: max(1, w / 2), height: max(1, h / 7)),          // vertical first (h shrinks most)
            .whole(width: max(1, w / 5), height: max(1, h - 1)),          // horizontal first
            .whole(width: w * 3, height: h * 2),                          // upscale both
            .whole(width: 7, height: 5),
        ]
        for size in [5, 16, 64] {
            let g = ResizeCropGeometry(width: w, height: h, size: size)
            out.append(ResizeWindow(outWidth: g.resizedWidth, outHeight: g.resizedHeight,
                                    columns: g.left..<(g.left + size), rows: g.top..<(g.top + size)))
        }
        if w > 4 && h > 4 {
            out.append(ResizeWindow(outWidth: w, outHeight: h, columns: 1..<(w - 2), rows: 2..<(h - 1)))
        }
        return out
    }

    static func check(_ bytes: [UInt8], path: String) throws {
        let data = Data(bytes)
        let whole = try ImageDecoder.decode(data: data, path: path)
        let windows = windows(width: whole.image.width, height: whole.image.height)
        for w in windows {
            let want = BicubicResampler.resizeWindow(whole.image, outWidth: w.outWidth, outHeight: w.outHeight,
                                                     columns: w.columns, rows: w.rows).pixels
            let got = try ImageDecoder.decodeResized(data: data, path: path) { width, height in
                #expect(width == whole.image.width && height == whole.image.height)
                return w
            }
            #expect(got.image.width == w.columns.count && got.image.height == w.rows.count)
            #expect(got.image.pixels == want, "\(path) \(w): \(FixtureImageTests.firstMismatch(got.image.pixels, want))")
            #expect(got.warnings == whole.warnings && got.format == whole.format)
        }
        for size in [1, 8, 60] {
            let crop = try Preprocessor.decodeAndCenterCrop(data: data, path: path, size: size)
            #expect(crop.image == Preprocessor.resizeAndCenterCrop(whole.image, size: size), "\(path) crop \(size)")
        }
    }

    @Test(arguments: decodeFixtures)
    func decodeFixturesMatchTheWholeImagePath(file: String) throws {
        let url = Fixtures.tiny("decode/\(file)")
        try Self.check([UInt8](try Data(contentsOf: url)), path: url.path)
    }

    @Test(arguments: modelFixtures)
    func modelFixturesMatchTheOfficialCrop(file: String) throws {
        let url = Fixtures.tiny(file)
        try Self.check([UInt8](try Data(contentsOf: url)), path: url.path)
    }

    @Test(arguments: [(3, 2000), (2000, 3), (1, 5000), (5000, 1), (17, 911)])
    func syntheticTallAndWidePNGs(width: Int, height: Int) throws {
        try Self.check(Self.noisePNG(width: width, height: height, seed: UInt64(width * 7919 + height)),
                       path: "synthetic_\(width)x\(height).png")
    }

    @Test func streamingKeepsOnlyTheWindowsRows() {
        // 1×100,000,000 to a 512 crop: the shortest side (1) goes to 512, so the crop reads ~5 source
        // rows from the middle; the accumulators are 512×512×3 Int32 whatever the height.
        let g = ResizeCropGeometry(width: 1, height: 100_000_000, size: 512)
        let r = RowStreamResizer(inWidth: 1, inHeight: 100_000_000, outWidth: g.resizedWidth, outHeight: g.resizedHeight,
                                 columns: g.left..<(g.left + 512), rows: g.top..<(g.top + 512))
        #expect(r.neededRows.count <= 8)
        #expect(r.neededRows.lowerBound > 49_000_000 && r.neededRows.upperBound < 51_000_000)
    }

    @Test func truncatedPNGIsStillRefusedRowByRow() throws {
        let bytes = Self.noisePNG(width: 9, height: 400, seed: 3)
        let cut = Data(bytes.prefix(bytes.count / 2))
        // The window needs only the first rows, but the rest of the file is still read and checked.
        #expect(throws: ImageError.self) {
            _ = try ImageDecoder.decodeResized(data: cut, path: "cut.png") { _, _ in
                ResizeWindow(outWidth: 9, outHeight: 400, columns: 0..<9, rows: 0..<2)
            }
        }
        #expect(throws: ImageError.self) { _ = try Preprocessor.decodeAndCenterCrop(data: cut, path: "cut.png", size: 4) }
    }

    /// The JPEG path streams libjpeg's scanlines: the model's JPEG through `decodeAndCenterCrop` gives
    /// Pillow's pixel values (jpeg_pixel_values.npy, the official preprocessing) as before.
    @Test func jpegCropRowByRowGivesPillowsPixelValues() throws {
        let url = Fixtures.tiny("image_jpeg_120x90_q90.jpg")
        try Self.check([UInt8](try Data(contentsOf: url)), path: url.path)
        let crop = try Preprocessor.decodeAndCenterCrop(fileAt: url, size: 60)
        #expect(crop.format == .jpeg && crop.warnings.isEmpty && !crop.isPartial && crop.exifOrientation == 1)
        let want = try NPY.load(Fixtures.tiny("jpeg_pixel_values.npy"))
        let got = Preprocessor.pixelValues(crop.image)
        #expect(got.count == want.floats.count && zip(got, want.floats).allSatisfy { abs($0 - $1) <= 1e-6 })
    }

    /// A JPEG cut short: refused as truncated row by row too (every scanline is read, even after the
    /// window's rows); with partial images allowed, the grey-filled result and its marks equal the
    /// whole-image path's.
    @Test func truncatedJPEGRowByRowMatchesTheWholeImagePath() throws {
        let full = try Data(contentsOf: Fixtures.tiny("image_jpeg_120x90_q90.jpg"))
        let cut = full.prefix(full.count / 2)
        let top = { (_: Int, _: Int) in ResizeWindow(outWidth: 120, outHeight: 90, columns: 0..<120, rows: 0..<2) }
        do {
            _ = try ImageDecoder.decodeResized(data: cut, path: "cut.jpg", window: top)
            Issue.record("a truncated JPEG was accepted")
        } catch let e as ImageError {
            #expect("\(e)".hasPrefix("cut.jpg: image file is truncated (JPEG data ends early"), "\(e)")
        }
        let lenient = DecodeOptions(allowPartial: true)
        let whole = try ImageDecoder.decode(data: cut, path: "cut.jpg", options: lenient)
        for size in [16, 60] {
            let crop = try Preprocessor.decodeAndCenterCrop(data: cut, path: "cut.jpg", size: size, options: lenient)
            #expect(crop.isPartial && crop.warnings == whole.warnings)
            #expect(crop.image == Preprocessor.resizeAndCenterCrop(whole.image, size: size))
        }
    }

    @Test func boxReducerAveragesEachBlockWithRounding() {
        // 5×3 RGB, R = 10·x + y, G = 255, B = (x + y) % 2 · 255; factors 2×2 → 3×2 blocks, the last
        // column of blocks 1 wide and the last row of blocks 1 high.
        let w = 5, h = 3
        let r = RowBoxReducer(inWidth: w, inHeight: h, factorX: 2, factorY: 2)
        for y in 0..<h {
            let row: [UInt8] = (0..<w).flatMap { x -> [UInt8] in [UInt8(10 * x + y), 255, UInt8((x + y) % 2 * 255)] }
            row.withUnsafeBufferPointer { r.push(y, $0.baseAddress!) }
        }
        let out = r.finish()
        #expect(out.width == 3 && out.height == 2)
        // Block (0,0): R 0,10,1,11 → 22/4 = 5.5 → 6 (half up); B 0,255,255,0 → 510/4 = 127.5 → 128.
        #expect(Array(out.pixels[0..<3]) == [6, 255, 128])
        // Block (2,0): x = 4, y = 0…1 → R 40, 41 → 40.5 → 41; B 0, 255 → 127.5 → 128.
        #expect(Array(out.pixels[6..<9]) == [41, 255, 128])
        // Block (1,1): x = 2…3, y = 2 → R 22, 32 → 27; B 0, 255 → 128.
        #expect(Array(out.pixels[12..<15]) == [27, 255, 128])
        // Block (2,1): the single pixel x = 4, y = 2 → itself.
        #expect(Array(out.pixels[15..<18]) == [42, 255, 0])
    }

    @Test func pngPreviewOfATallStripReadsRowByRow() throws {
        // 2×60,000 solid colour: the preview box-reduces on the way in and keeps the colour exactly.
        let bytes = TestPNG.solid(width: 2, height: 60_000, rgb: [200, 30, 90])
        let t = try Thumbnail.make(data: Data(bytes), path: "strip.png", maxWidth: 24, maxHeight: 12)
        #expect(t.width == 1 && t.height == 12)
        #expect(t.pixels == [UInt8]((0..<12).flatMap { _ -> [UInt8] in [200, 30, 90] }))
        // A truncated strip is refused, as by the whole-image decoder.
        #expect(throws: ImageError.self) {
            _ = try Thumbnail.make(data: Data(bytes.prefix(bytes.count - 5000)), path: "cut.png", maxWidth: 24, maxHeight: 12)
        }
    }

    @Test func pngPreviewOfASmallImageIsTheBicubicFitAsBefore() throws {
        // Fits within twice the box: no reduction, so the preview is the plain bicubic resize.
        let url = Fixtures.tiny("image_3_rgba_120x60.png")
        let t = try Thumbnail.make(fileAt: url, maxWidth: 80, maxHeight: 80)
        let whole = try ImageDecoder.decode(fileAt: url).image
        #expect(t == Preprocessor.resize(whole, width: 80, height: 40))
    }
}
