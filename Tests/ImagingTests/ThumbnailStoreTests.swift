// The on-disk thumbnail store: keyed by content (a copy under another name is a hit, a rewritten file
// a miss), exact round trip (what is read back equals a fresh Thumbnail.makeOriented), damaged files
// decoded again, and bounded by bytes (oldest first).
import FileIO
import Foundation
@testable import Imaging
import TestSupport
import Testing

@Suite struct ThumbnailStoreTests {
    static let demo = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Assets/demo")

    @Test func keyedByContentAndExact() throws {
        let dir = try Fixtures.tempDirectory("thumb-store")
        let store = ThumbnailStore(directory: dir.appendingPathComponent("thumbnails"))
        let a = dir.appendingPathComponent("a.jpg"), b = dir.appendingPathComponent("renamed.jpg")
        try FileManager.default.copyItem(at: Self.demo.appendingPathComponent("05_green_circle_x2.jpg"), to: a)
        try FileManager.default.copyItem(at: a, to: b)
        let fresh = try Thumbnail.makeOriented(fileAt: a, maxWidth: 97, maxHeight: 61)
        let first = try store.thumbnail(fileAt: a.path, maxWidth: 97, maxHeight: 61)
        #expect(!first.fromDisk)
        #expect(first.image == fresh.image && first.orientation == fresh.orientation)
        #expect(first.sourceWidth > 0 && first.sourceHeight > 0)
        let copy = try store.thumbnail(fileAt: b.path, maxWidth: 97, maxHeight: 61)
        #expect(copy.fromDisk && copy == StoredThumbnail(image: fresh.image, orientation: fresh.orientation,
                                                         sourceWidth: first.sourceWidth, sourceHeight: first.sourceHeight, fromDisk: true))
        // Another box is another entry; other content is a miss.
        #expect(try !store.thumbnail(fileAt: a.path, maxWidth: 40, maxHeight: 40).fromDisk)
        try FileManager.default.removeItem(at: b)
        try FileManager.default.copyItem(at: Self.demo.appendingPathComponent("01_red_triangle_x2.jpg"), to: b)
        let other = try store.thumbnail(fileAt: b.path, maxWidth: 97, maxHeight: 61)
        #expect(!other.fromDisk && other.image != fresh.image)
    }

    @Test func damagedEntriesAreDecodedAgain() throws {
        let dir = try Fixtures.tempDirectory("thumb-store-bad")
        let store = ThumbnailStore(directory: dir)
        let a = Self.demo.appendingPathComponent("05_green_circle_x2.jpg")
        let good = try store.thumbnail(fileAt: a.path, maxWidth: 50, maxHeight: 50)
        let data = try Data(contentsOf: a)
        let file = store.path(contentHash: SHA256.hash(data), maxWidth: 50, maxHeight: 50)
        #expect(FileManager.default.fileExists(atPath: file))
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: file))           // truncated
        let again = try store.thumbnail(fileAt: a.path, maxWidth: 50, maxHeight: 50)
        #expect(!again.fromDisk && again.image == good.image)
    }

    @Test func boundedOldestFirst() throws {
        let dir = try Fixtures.tempDirectory("thumb-store-bound")
        let names = ["01_red_triangle_x2.jpg", "05_green_circle_x2.jpg", "00_red_triangle.png"]
        let one = try ThumbnailStore(directory: dir).thumbnail(fileAt: Self.demo.appendingPathComponent(names[0]).path, maxWidth: 64, maxHeight: 64)
        let size = 28 + one.image.pixels.count
        let store = ThumbnailStore(directory: dir, byteLimit: 2 * size + size / 2)
        for (i, n) in names.enumerated() {
            _ = try store.thumbnail(fileAt: Self.demo.appendingPathComponent(n).path, maxWidth: 64, maxHeight: 64)
            // Distinct modification times, oldest first.
            let files = try FileManager.default.subpathsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".rgb") }
            for f in files where i == 0 { try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: dir.appendingPathComponent(f).path) }
        }
        store.prune()
        let left = try FileManager.default.subpathsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".rgb") }
        #expect(left.count == 2)
        let oldest = SHA256.hash(try Data(contentsOf: Self.demo.appendingPathComponent(names[0])))
        #expect(!left.contains { $0.contains(oldest) })
    }
}

@Suite struct ReducedThumbnailTests {
    static let formats = Fixtures.root.appendingPathComponent("imaging/formats")

    /// A still WebP is scaled by libwebp while decoding (display only): close to the full decode
    /// fitted by the same bicubic resize (mean |Δ| ≤ 6 per channel, max ≤ 64 on this 37×23 lossy file).
    @Test(arguments: ["lossy_37x23.webp", "lossless_33x17.webp"])
    func webpThumbnailsAreScaledWhileDecoding(name: String) throws {
        let url = Self.formats.appendingPathComponent(name)
        let data = try Data(contentsOf: url)
        let full = try ImageDecoder.decode(data: data, path: url.path).image
        let (fw, fh) = Thumbnail.fit(width: full.width, height: full.height, maxWidth: 8, maxHeight: 8)
        let reference = Preprocessor.resize(full, width: fw, height: fh)
        let thumb = try Thumbnail.make(fileAt: url, maxWidth: 8, maxHeight: 8)
        #expect(thumb.width == fw && thumb.height == fh)
        #expect(ImageDecoder.decodeWebPScaled(data, width: 2 * fw, height: 2 * fh)?.width == 2 * fw, "libwebp's scaled path is taken")
        let diffs = zip(thumb.pixels, reference.pixels).map { abs(Int($0) - Int($1)) }
        let mean = Double(diffs.reduce(0, +)) / Double(diffs.count)
        #expect(mean <= 6 && (diffs.max() ?? 0) <= 64, "mean \(mean) max \(diffs.max() ?? 0)")
        // The model input is still the full, Pillow-exact decode.
        let expected = try Data(contentsOf: Self.formats.appendingPathComponent(name + ".rgb"))
        #expect(full.pixels == [UInt8](expected))
    }
}
