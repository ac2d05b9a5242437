// WebP, GIF, BMP and TIFF fixtures (Scripts/fixtures/make_format_fixtures.py) decode bit-identical to
// Pillow's `np.asarray(Image.open(p).convert("RGB"))`, and the model-input crop matches Pillow's.
import Foundation
import Testing
import TestSupport
@testable import Imaging

@Suite struct FormatFixtureTests {
    struct Entry: Decodable, Sendable, CustomStringConvertible {
        let file: String
        let width: Int
        let height: Int
        let crop: Int?
        var description: String { file }
    }
    struct Index: Decodable { let pillow: String; let fixtures: [Entry] }

    static let dir = Fixtures.url("imaging/formats")
    static let entries: [Entry] = {
        guard let data = try? Data(contentsOf: dir.appendingPathComponent("index.json")),
              let index = try? JSONDecoder().decode(Index.self, from: data) else { return [] }
        return index.fixtures
    }()

    @Test func indexListsEveryFormat() {
        let exts = Set(Self.entries.map { ($0.file as NSString).pathExtension })
        #expect(exts == ["webp", "gif", "bmp", "tif"])
        #expect(Self.entries.count >= 20)
    }

    @Test(arguments: entries)
    func decodesExactlyAsPillow(entry: Entry) throws {
        let url = Self.dir.appendingPathComponent(entry.file)
        let decoded = try ImageDecoder.decode(fileAt: url)
        #expect(decoded.image.width == entry.width && decoded.image.height == entry.height)
        let want = [UInt8](try Data(contentsOf: Self.dir.appendingPathComponent(entry.file + ".rgb")))
        #expect(want.count == entry.width * entry.height * 3)
        let diff = zip(decoded.image.pixels, want).map { abs(Int($0) - Int($1)) }.max() ?? -1
        #expect(decoded.image.pixels == want, "\(entry.file): max channel difference \(diff)")
        let data = try Data(contentsOf: url)
        let dims = try ImageDecoder.dimensions(data: data, path: url.path)
        #expect(dims.width == entry.width && dims.height == entry.height)
        #expect(ImageDecoder.sniff(data).isDecodable)
    }

    @Test(arguments: entries.filter { $0.crop != nil })
    func modelInputCropMatchesPillow(entry: Entry) throws {
        let size = try #require(entry.crop)
        let decoded = try ImageDecoder.decode(fileAt: Self.dir.appendingPathComponent(entry.file))
        let crop = Preprocessor.resizeAndCenterCrop(decoded.image, size: size)
        let want = [UInt8](try Data(contentsOf: Self.dir.appendingPathComponent(entry.file + ".crop\(size).rgb")))
        #expect(crop.pixels == want, "\(entry.file)")
    }

    @Test func animatedFilesUseTheFirstFrame() throws {
        let webp = try ImageDecoder.decode(fileAt: Self.dir.appendingPathComponent("animated_21x19.webp"))
        #expect(webp.warnings.contains { $0.contains("2 frames") })
    }

    @Test func pixelCapIsCheckedBeforeDecoding() throws {
        for name in ["lossy_37x23.webp", "palette_37x23.gif", "rgb24_37x23.bmp", "rle8_37x23.bmp", "rgb_tiled16_37x23.tif"] {
            let url = Self.dir.appendingPathComponent(name)
            let e = try #require(throws: ImageError.self) {
                try ImageDecoder.decode(fileAt: url, options: DecodeOptions(maxPixels: 500))
            }
            #expect(e.kind == .tooLarge(width: 37, height: 23, limit: 500), "\(name): \(e)")
        }
    }

    @Test func truncatedAndDamagedFilesGiveErrorsNamingTheFile() throws {
        let tmp = try Fixtures.tempDirectory("formats-broken")
        for entry in Self.entries {
            let data = try Data(contentsOf: Self.dir.appendingPathComponent(entry.file))
            for cut in [data.count / 3, data.count * 2 / 3, data.count - 1] {
                let url = tmp.appendingPathComponent("cut-\(cut)-\(entry.file)")
                try data.prefix(cut).write(to: url)
                do {
                    let d = try ImageDecoder.decode(fileAt: url)
                    // A cut in trailing bytes that carry no pixels may still decode; it must then be whole.
                    #expect(d.image.pixels.count == entry.width * entry.height * 3, "\(url.lastPathComponent)")
                } catch let e as ImageError {
                    #expect(e.description.hasPrefix(url.path), "\(e)")
                    switch e.kind {
                    case .truncated, .corrupt: break
                    default: Issue.record("\(url.lastPathComponent): \(e)")
                    }
                }
            }
        }
    }
}
