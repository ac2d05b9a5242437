// `clipscope preprocess` end to end through ClipScopeMain, against the tiny fixture's npy files.
import Foundation
import Testing
import TestSupport
import ClipScopeCLI
import CLISupport
#if canImport(Glibc)
import Glibc
#endif

@Suite struct PreprocessCommandTests {
    let model = Fixtures.tiny.path

    @Test(arguments: [("image_0_landscape_97x71.png", "image_0"), ("image_3_rgba_120x60.png", "image_3")])
    func float32PixelValuesMatchTheFixture(file: String, stem: String) throws {
        let out = try Fixtures.tempDirectory("preprocess").appendingPathComponent("pv.npy")
        let status = ClipScopeMain.runReturningStatus(
            ["preprocess", "--model", model, "--image", Fixtures.tiny(file).path, "--out", out.path])
        #expect(status == 0)
        let got = try NPY.load(out)
        let want = try NPY.load(Fixtures.tiny("\(stem)_pixel_values.npy"))
        #expect(got.dtype == .f4 && got.shape == [3, 60, 60])
        #expect(maxAbsDiff(got.floats, want.floats) <= 1e-6)
    }

    @Test func uint8CropMatchesTheFixture() throws {
        let out = try Fixtures.tempDirectory("preprocess").appendingPathComponent("crop.npy")
        let status = ClipScopeMain.runReturningStatus(
            ["preprocess", "--model", model, "--image", Fixtures.tiny("image_1_portrait_50x83.png").path,
             "--out", out.path, "--uint8"])
        #expect(status == 0)
        let got = try NPY.load(out)
        #expect(got.dtype == .u1 && got.shape == [60, 60, 3])
        let same = got.bytes == (try NPY.load(Fixtures.tiny("image_1_resized_cropped_uint8.npy"))).bytes
        #expect(same)
    }

    /// One WebP, GIF, BMP and TIFF each: the uint8 crop equals Pillow's (Scripts/fixtures/make_format_fixtures.py).
    @Test(arguments: ["lossy_alpha_37x23.webp", "palette_transparent_37x23.gif", "rle8_37x23.bmp", "pal4_37x23.bmp",
                      "rgb_lzw_37x23.tif"])
    func uint8CropOfOtherFormatsMatchesPillow(file: String) throws {
        let out = try Fixtures.tempDirectory("preprocess").appendingPathComponent("fmt.npy")
        let image = Fixtures.url("imaging/formats/\(file)")
        #expect(ClipScopeMain.runReturningStatus(
            ["preprocess", "--model", model, "--image", image.path, "--out", out.path, "--uint8"]) == 0)
        let got = try NPY.load(out)
        #expect(got.dtype == .u1 && got.shape == [60, 60, 3])
        let want = [UInt8](try Data(contentsOf: Fixtures.url("imaging/formats/\(file).crop60.rgb")))
        #expect(got.bytes == want, "\(file)")
    }

    /// HEIC and AVIF: the uint8 crop against Pillow's crop of the reference decoder's RGB (pillow-heif
    /// 1.8.1 for HEIC, Pillow 11.3.0's AVIF plugin for AVIF; see HEIFFixtureTests). AVIF is exact. The
    /// HEIC decodes are within ±1 of pillow-heif's; this crop upscales their 23- and 24-pixel short sides
    /// to 60, and the bicubic kernel's negative lobes turn a ±1 input difference into up to ±2
    /// (measured: 2 for both; the 16-pixel downscaled crops in HEIFFixtureTests stay within ±1).
    @Test(arguments: [("yuv420_37x23.heic", 2), ("irot6_38x24.heic", 2), ("yuv420_37x23.avif", 0)])
    func uint8CropOfHEIFAndAVIFIsWithinToleranceOfTheReference(file: String, tolerance: Int) throws {
        let out = try Fixtures.tempDirectory("preprocess").appendingPathComponent("heif.npy")
        let image = Fixtures.url("imaging/heif/\(file)")
        #expect(ClipScopeMain.runReturningStatus(
            ["preprocess", "--model", model, "--image", image.path, "--out", out.path, "--uint8"]) == 0)
        let got = try NPY.load(out)
        #expect(got.dtype == .u1 && got.shape == [60, 60, 3])
        let want = [UInt8](try Data(contentsOf: Fixtures.url("imaging/heif/\(file).crop60.rgb")))
        let diff = zip(got.bytes, want).map { abs(Int($0) - Int($1)) }.max() ?? -1
        #expect(got.bytes.count == want.count && diff <= tolerance, "\(file): max difference \(diff)")
    }

    @Test func jpegPixelValuesMatchTheFixture() throws {
        let out = try Fixtures.tempDirectory("preprocess").appendingPathComponent("jpeg.npy")
        #expect(ClipScopeMain.runReturningStatus(
            ["preprocess", "--model", model, "--image", Fixtures.tiny("image_jpeg_120x90_q90.jpg").path,
             "--out", out.path]) == 0)
        let want = try NPY.load(Fixtures.tiny("jpeg_pixel_values.npy"))
        #expect(maxAbsDiff(try NPY.load(out).floats, want.floats) <= 1e-6)
    }

    @Test func withoutModelUsesTheJinaDefaults() throws {
        let out = try Fixtures.tempDirectory("preprocess").appendingPathComponent("d.npy")
        #expect(ClipScopeMain.runReturningStatus(
            ["preprocess", "--image", Fixtures.tiny("image_2_gray_64x80.png").path, "--out", out.path, "--uint8"]) == 0)
        #expect(try NPY.load(out).shape == [512, 512, 3])
    }

    @Test func failuresExitOneAndUsageErrorsExitTwo() throws {
        let dir = try Fixtures.tempDirectory("preprocess")
        let out = dir.appendingPathComponent("x.npy").path
        let junk = dir.appendingPathComponent("junk.jpg")
        try Data("not an image".utf8).write(to: junk)
        #expect(ClipScopeMain.runReturningStatus(["preprocess", "--model", model, "--image", junk.path, "--out", out]) == 1)
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(ClipScopeMain.runReturningStatus(
            ["preprocess", "--model", dir.appendingPathComponent("no-such-model").path,
             "--image", Fixtures.tiny("image_2_gray_64x80.png").path, "--out", out]) == 1)
        #expect(ClipScopeMain.runReturningStatus(
            ["preprocess", "--model", model, "--image", Fixtures.tiny("image_2_gray_64x80.png").path,
             "--out", dir.appendingPathComponent("missing-dir/x.npy").path]) == 1)
        #expect(ClipScopeMain.runReturningStatus(["preprocess", "--image", junk.path]) == 2)   // no --out
    }
}

/// `--out` that exists and is not a regular file is refused before any work and left as it was.
@Suite struct OutputTargetTests {
    @Test func preprocessAndExportRefuseNonRegularTargets() throws {
        let dir = try Fixtures.tempDirectory("out-target")
        let fifo = dir.appendingPathComponent("pv.npy").path
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(ClipScopeMain.runReturningStatus(["preprocess", "--model", Fixtures.tiny.path, "--image",
                                                  Fixtures.tiny("image_0_landscape_97x71.png").path, "--out", fifo]) == 1)
        var st = stat(); lstat(fifo, &st)
        #expect(st.st_mode & S_IFMT == S_IFIFO)
        let folder = try Fixtures.tempDirectory("out-target-folder")
        let out = dir.appendingPathComponent("v.npy").path
        #expect(mkdir(out, 0o700) == 0)
        #expect(ClipScopeMain.runReturningStatus(["export", folder.path, "--model", Fixtures.tiny.path, "--out", out]) == 1)
        lstat(out, &st)
        #expect(st.st_mode & S_IFMT == S_IFDIR)
        // The paths file next to it is checked too.
        let out2 = dir.appendingPathComponent("w.npy").path
        #expect(mkfifo(dir.appendingPathComponent("w.paths.jsonl").path, 0o600) == 0)
        #expect(ClipScopeMain.runReturningStatus(["export", folder.path, "--model", Fixtures.tiny.path, "--out", out2]) == 1)
        #expect(!FileManager.default.fileExists(atPath: out2))
    }
}
