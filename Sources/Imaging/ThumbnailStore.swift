// Display thumbnails on disk, next to the embedding cache (<cache root>/thumbnails), keyed by content:
//   thumbnails/<h[0..2]>/<h>-<maxW>x<maxH>.rgb,  h = SHA-256 of the image file's bytes (hex)
// so a renamed, moved or copied photo finds its thumbnail and a rewritten one does not. A file is
//   "CSTHUMB1" · width, height, EXIF orientation applied, source width, source height (u32 LE each)
//   · width × height × 3 bytes of RGB8
// and is the exact output of Thumbnail.makeOriented for that box (reduced-size decode, oriented,
// bicubic fit), so a thumbnail read back equals one decoded now. Written temp + rename (a reader sees
// a whole file or none); any read or write failure only means decoding again. Bounded: the first use
// removes the oldest files (by modification time) beyond `byteLimit`. Display only: the embedding
// input is always decoded from the file itself (Preprocessor), never from here.
import FileIO
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct StoredThumbnail: Equatable, Sendable {
    public var image: RGBImage
    public var orientation: Int
    public var sourceWidth: Int
    public var sourceHeight: Int
    /// Read from the store (true) or decoded now (false).
    public var fromDisk: Bool
    public init(image: RGBImage, orientation: Int, sourceWidth: Int, sourceHeight: Int, fromDisk: Bool) {
        self.image = image; self.orientation = orientation; self.sourceWidth = sourceWidth; self.sourceHeight = sourceHeight
        self.fromDisk = fromDisk
    }
}

public final class ThumbnailStore: @unchecked Sendable {
    public let directory: URL
    public let byteLimit: Int
    private let lock = NSLock()
    private var pruned = false
    static let magic = Array("CSTHUMB1".utf8)

    public init(directory: URL, byteLimit: Int = 256 << 20) {
        self.directory = directory
        self.byteLimit = max(0, byteLimit)
    }

    /// `<root>/thumbnails` of a cache root.
    public static func directory(inCacheRoot root: URL) -> URL { root.appendingPathComponent("thumbnails", isDirectory: true) }

    /// The store file for a content hash and a box.
    public func path(contentHash: String, maxWidth: Int, maxHeight: Int) -> String {
        directory.appendingPathComponent(String(contentHash.prefix(2)), isDirectory: true)
            .appendingPathComponent("\(contentHash)-\(maxWidth)x\(maxHeight).rgb").path
    }

    /// The thumbnail of the image at `path` for the box: from the store when its content was seen
    /// before, else decoded (and stored).
    public func thumbnail(fileAt path: String, maxWidth: Int, maxHeight: Int) throws -> StoredThumbnail {
        let data = try ImageDecoder.readFile(path)
        return try thumbnail(data: data, path: path, maxWidth: maxWidth, maxHeight: maxHeight)
    }

    public func thumbnail(data: Data, path: String, maxWidth: Int, maxHeight: Int) throws -> StoredThumbnail {
        pruneOnce()
        let file = self.path(contentHash: SHA256.hash(data), maxWidth: maxWidth, maxHeight: maxHeight)
        if let hit = Self.read(file) { return hit }
        let t = try Thumbnail.makeOriented(data: data, path: path, maxWidth: maxWidth, maxHeight: maxHeight)
        let (w, h) = (try? ImageDecoder.dimensions(data: data, path: path)) ?? (0, 0)
        let out = StoredThumbnail(image: t.image, orientation: t.orientation, sourceWidth: w, sourceHeight: h, fromDisk: false)
        Self.write(out, to: file)
        return out
    }

    static func read(_ file: String) -> StoredThumbnail? {
        guard let d = try? SafeFile.readIfPresent(file), d.count >= 28 else { return nil }
        let b = [UInt8](d)
        guard Array(b[0..<8]) == magic else { return nil }
        func u32(_ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 | Int(b[o + 2]) << 16 | Int(b[o + 3]) << 24 }
        let w = u32(8), h = u32(12)
        guard w > 0, h > 0, w <= 16384, h <= 16384, b.count == 28 + w * h * 3 else { return nil }
        return StoredThumbnail(image: RGBImage(width: w, height: h, pixels: Array(b[28...])), orientation: u32(16),
                               sourceWidth: u32(20), sourceHeight: u32(24), fromDisk: true)
    }

    static func write(_ t: StoredThumbnail, to file: String) {
        var b = magic
        for v in [t.image.width, t.image.height, t.orientation, t.sourceWidth, t.sourceHeight] {
            let u = UInt32(clamping: max(0, v))
            b += [UInt8(u & 0xFF), UInt8(u >> 8 & 0xFF), UInt8(u >> 16 & 0xFF), UInt8(u >> 24)]
        }
        b += t.image.pixels
        let dir = URL(fileURLWithPath: file).deletingLastPathComponent()
        guard (try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)) != nil else { return }
        let temp = file + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        guard FileManager.default.createFile(atPath: temp, contents: Data(b)) else { return }
        if rename(temp, file) != 0 { unlink(temp) }
    }

    /// Once per store object: the oldest files go until the store fits in `byteLimit`.
    func pruneOnce() {
        lock.lock()
        if pruned { lock.unlock(); return }
        pruned = true
        lock.unlock()
        prune()
    }

    /// Removes the oldest thumbnails (modification time) until the total fits in `byteLimit`.
    public func prune() {
        let keys: [URLResourceKey] = [.fileSizeKey, .contentModificationDateKey, .isRegularFileKey]
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: keys) else { return }
        var files: [(url: URL, size: Int, date: Date)] = []
        var total = 0
        for case let url as URL in walker where url.pathExtension == "rgb" {
            guard let v = try? url.resourceValues(forKeys: Set(keys)), v.isRegularFile == true else { continue }
            let size = v.fileSize ?? 0
            files.append((url, size, v.contentModificationDate ?? .distantPast))
            total += size
        }
        guard total > byteLimit else { return }
        for f in files.sorted(by: { $0.date < $1.date }) {
            guard total > byteLimit else { break }
            if (try? FileManager.default.removeItem(at: f.url)) != nil { total -= f.size }
        }
    }
}
