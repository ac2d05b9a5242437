// The fixture images through decode → resize/crop → pixel values, against the official outputs.
import Foundation
import Testing
import TestSupport
@testable import Imaging

@Suite struct FixtureImageTests {
    static let images = [
        ("image_0_landscape_97x71.png", "image_0"),
        ("image_1_portrait_50x83.png", "image_1"),
        ("image_2_gray_64x80.png", "image_2"),
        ("image_3_rgba_120x60.png", "image_3"),
    ]

    static func firstMismatch(_ a: [UInt8], _ b: [UInt8]) -> String {
        guard a.count == b.count else { return "length \(a.count) vs \(b.count)" }
        let bad = (0..<a.count).filter { a[$0] != b[$0] }
        guard let i = bad.first else { return "identical" }
        return "\(bad.count) differ; first at \(i): \(a[i]) vs \(b[i])"
    }

    @Test(arguments: images)
    func pngCropIsBitExactAndPixelValuesMatch(file: String, stem: String) throws {
        let decoded = try ImageDecoder.decode(fileAt: Fixtures.tiny(file))
        #expect(decoded.format == .png)
        #expect(decoded.warnings.isEmpty)
        let crop = Preprocessor.resizeAndCenterCrop(decoded.image, size: 60)
        let want = try NPY.load(Fixtures.tiny("\(stem)_resized_cropped_uint8.npy"))
        #expect(want.shape == [60, 60, 3])
        #expect(crop.width == 60 && crop.height == 60)
        let ok = crop.pixels == want.bytes
        #expect(ok, "\(Self.firstMismatch(crop.pixels, want.bytes))")
        #expect(NaiveResample.resizeAndCenterCrop(decoded.image, size: 60).pixels == want.bytes)

        let pv = Preprocessor.pixelValues(crop, mean: Preprocessor.clipMean, std: Preprocessor.clipStd)
        let wantPV = try NPY.load(Fixtures.tiny("\(stem)_pixel_values.npy"))
        #expect(wantPV.shape == [3, 60, 60])
        #expect(maxAbsDiff(pv, wantPV.floats) <= 1e-6)
    }

    @Test func jpegDecodesLikePillowAndPreprocesses() throws {
        let decoded = try ImageDecoder.decode(fileAt: Fixtures.tiny("image_jpeg_120x90_q90.jpg"))
        #expect(decoded.format == .jpeg)
        #expect(decoded.warnings.isEmpty && !decoded.isPartial)
        #expect(decoded.exifOrientation == 1)
        let want = try NPY.load(Fixtures.tiny("jpeg_decoded_uint8.npy"))
        #expect(want.shape == [90, 120, 3])
        #expect(decoded.image.width == 120 && decoded.image.height == 90)
        let ok = decoded.image.pixels == want.bytes
        #expect(ok, "\(Self.firstMismatch(decoded.image.pixels, want.bytes))")

        let pv = Preprocessor.pixelValues(for: decoded.image, size: 60)
        let wantPV = try NPY.load(Fixtures.tiny("jpeg_pixel_values.npy"))
        #expect(maxAbsDiff(pv, wantPV.floats) <= 1e-6)
    }

    @Test func preprocessorConfigOfTheTinyModel() throws {
        let config = try PreprocessorConfig.load(directory: Fixtures.tiny)
        #expect(config.size == 60)
        #expect(config.mean == Preprocessor.clipMean)
        #expect(config.std == Preprocessor.clipStd)
    }

    @Test func concurrentDecodesAndCropsAreIndependent() throws {
        // The C shims keep all state per call: decoding from several threads gives the same pixels.
        let config = try PreprocessorConfig.load(directory: Fixtures.tiny)
        let files = Self.images.map { Fixtures.tiny($0.0) } + [Fixtures.tiny("image_jpeg_120x90_q90.jpg")]
        let expected = try files.map { config.pixelValues(for: try ImageDecoder.decode(fileAt: $0).image) }
        let results = UnsafeMutableBufferPointer<[Float]>.allocate(capacity: files.count * 4)
        defer { results.deallocate() }
        _ = results.initialize(from: [[Float]](repeating: [], count: files.count * 4))
        DispatchQueue.concurrentPerform(iterations: files.count * 4) { i in
            let decoded = try? ImageDecoder.decode(fileAt: files[i % files.count])
            results[i] = decoded.map { config.pixelValues(for: $0.image) } ?? []
        }
        for i in 0..<(files.count * 4) { #expect(results[i] == expected[i % files.count]) }
    }

    @Test func pixelValuesHandComputed() {
        // One pixel (255, 0, 128): (v/255 − mean)/std per channel, CHW.
        let crop = RGBImage(width: 1, height: 1, pixels: [255, 0, 128])
        let pv = Preprocessor.pixelValues(crop, mean: [0.5, 0.25, 0], std: [0.5, 0.25, 1])
        #expect(pv == [1.0, -1.0, Float(128) / 255])
    }
}

@Suite struct DecodeFixtureTests {
    static let cases = [
        ("progressive_rgb_45x33.jpg", "progressive_rgb_45x33_decoded_uint8.npy", ImageFormat.jpeg),
        ("gray_40x29.jpg", "gray_40x29_decoded_uint8.npy", .jpeg),
        ("cmyk_38x27.jpg", "cmyk_38x27_decoded_uint8.npy", .jpeg),
        ("baseline_444_41x31.jpg", "baseline_444_41x31_decoded_uint8.npy", .jpeg),
        ("palette_trns_33x21.png", "palette_trns_33x21_decoded_uint8.npy", .png),
        ("interlaced_rgb_35x26.png", "interlaced_rgb_35x26_decoded_uint8.npy", .png),
        ("rgb16_31x22.png", "rgb16_31x22_decoded_uint8.npy", .png),
        // 16-bit gray: ClipScope keeps the high byte (Pillow clips to 255); target is *_highbyte.
        ("gray16_30x20.png", "gray16_30x20_highbyte_uint8.npy", .png),
        ("bilevel_1bit_37x19.png", "bilevel_1bit_37x19_decoded_uint8.npy", .png),
        ("gray_alpha_28x24.png", "gray_alpha_28x24_decoded_uint8.npy", .png),
    ]

    @Test(arguments: cases)
    func decodesBitExact(file: String, expected: String, format: ImageFormat) throws {
        let decoded = try ImageDecoder.decode(fileAt: Fixtures.tiny("decode/\(file)"))
        #expect(decoded.format == format)
        #expect(!decoded.isPartial)
        let want = try NPY.load(Fixtures.tiny("decode/\(expected)"))
        #expect(want.shape == [decoded.image.height, decoded.image.width, 3])
        let ok = decoded.image.pixels == want.bytes
        #expect(ok, "\(file): \(FixtureImageTests.firstMismatch(decoded.image.pixels, want.bytes))")
    }

    @Test func gray16DeliberatelyDiffersFromPillowClipping() throws {
        let decoded = try ImageDecoder.decode(fileAt: Fixtures.tiny("decode/gray16_30x20.png"))
        let pillow = try NPY.load(Fixtures.tiny("decode/gray16_30x20_decoded_uint8.npy")).bytes
        let differing = (0..<pillow.count / 3).filter { decoded.image.pixels[$0 * 3] != pillow[$0 * 3] }.count
        #expect(differing == 537)   // the README's count: our high byte vs Pillow's min(v, 255)
    }

    @Test func headerDimensionsWithoutDecoding() throws {
        let data = try Data(contentsOf: Fixtures.tiny("decode/progressive_rgb_45x33.jpg"))
        let dims = try ImageDecoder.dimensions(data: data, path: "p.jpg")
        #expect(dims.width == 45 && dims.height == 33)
        let png = try Data(contentsOf: Fixtures.tiny("decode/interlaced_rgb_35x26.png"))
        let pdims = try ImageDecoder.dimensions(data: png, path: "i.png")
        #expect(pdims.width == 35 && pdims.height == 26)
    }

    @Test func previewScaleHalvesTheJPEG() throws {
        let url = Fixtures.tiny("image_jpeg_120x90_q90.jpg")
        let half = try ImageDecoder.decode(fileAt: url, options: DecodeOptions(previewScaleDenom: 2))
        #expect(half.image.width == 60 && half.image.height == 45)
        let eighth = try ImageDecoder.decode(fileAt: url, options: DecodeOptions(previewScaleDenom: 8))
        #expect(eighth.image.width == 15 && eighth.image.height == 12)   // ceil(90/8)
        // The mean colour survives scaling (the scaled IDCT is a box-ish downsample).
        let full = try ImageDecoder.decode(fileAt: url).image
        func mean(_ im: RGBImage) -> Double { Double(im.pixels.reduce(0) { $0 + Int($1) }) / Double(im.pixels.count) }
        #expect(abs(mean(full) - mean(half.image)) < 3)
    }
}
