// A bounded, thread-safe LRU of decoded preview pixels, keyed by the file's content identity
// (device, inode, size, modification time: a rewritten file is a new key) and the pixel box asked for.
// Bounded by bytes (RGB8 buffers), not entries: a few large previews or many grid thumbnails.
// Used by the backend's `preview(of:…)`, which runs on the preview worker, so a revisited image
// costs a dictionary lookup instead of a decode.
import Foundation

public struct PreviewCacheKey: Hashable, Sendable {
    public var identity: String
    public var maxWidth: Int
    public var maxHeight: Int
    public init(identity: String, maxWidth: Int, maxHeight: Int) {
        self.identity = identity; self.maxWidth = maxWidth; self.maxHeight = maxHeight
    }

    /// "dev:inode:size:mtime-ns" of the file at `path` (nil when it cannot be stat'ed).
    public static func identity(ofFileAt path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return "\(st.st_dev):\(st.st_ino):\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
    }
}

public final class PreviewCache: @unchecked Sendable {
    public let byteLimit: Int
    private let lock = NSLock()
    private var entries: [PreviewCacheKey: (image: PreviewImage, tick: UInt64)] = [:]
    private var bytes = 0
    private var tick: UInt64 = 0
    public private(set) var hits = 0
    public private(set) var misses = 0

    public init(byteLimit: Int = 96 << 20) { self.byteLimit = max(0, byteLimit) }

    public var count: Int { lock.lock(); defer { lock.unlock() }; return entries.count }
    public var byteCount: Int { lock.lock(); defer { lock.unlock() }; return bytes }

    public func get(_ key: PreviewCacheKey) -> PreviewImage? {
        lock.lock(); defer { lock.unlock() }
        tick += 1
        guard let e = entries[key] else { misses += 1; return nil }
        hits += 1
        entries[key] = (e.image, tick)
        return e.image
    }

    /// Stores `image`, evicting the least recently used entries until the total fits; an image
    /// larger than the whole budget is not kept.
    public func put(_ key: PreviewCacheKey, _ image: PreviewImage) {
        let size = image.rgb.count
        guard size <= byteLimit else { return }
        lock.lock(); defer { lock.unlock() }
        tick += 1
        if let old = entries[key] { bytes -= old.image.rgb.count }
        entries[key] = (image, tick)
        bytes += size
        while bytes > byteLimit, let victim = entries.min(by: { $0.value.tick < $1.value.tick }) {
            bytes -= victim.value.image.rgb.count
            entries.removeValue(forKey: victim.key)
        }
    }
}
