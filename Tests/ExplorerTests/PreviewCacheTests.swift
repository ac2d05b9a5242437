// The backend's preview cache: LRU by bytes, keyed by content identity and box.
import Foundation
import Testing
import Explorer
import TestSupport

@Suite struct PreviewCacheTests {
    static func image(_ bytes: Int, _ v: UInt8 = 1) -> PreviewImage {
        PreviewImage(width: bytes / 3, height: 1, rgb: [UInt8](repeating: v, count: bytes))
    }

    @Test func leastRecentlyUsedGoesFirstAndTheByteBudgetHolds() {
        let cache = PreviewCache(byteLimit: 300)
        let a = PreviewCacheKey(identity: "a", maxWidth: 10, maxHeight: 10)
        let b = PreviewCacheKey(identity: "b", maxWidth: 10, maxHeight: 10)
        let c = PreviewCacheKey(identity: "c", maxWidth: 10, maxHeight: 10)
        cache.put(a, Self.image(120, 1))
        cache.put(b, Self.image(120, 2))
        #expect(cache.get(a)?.rgb.first == 1)          // a is now more recent than b
        cache.put(c, Self.image(120, 3))               // 360 > 300: b goes
        #expect(cache.get(b) == nil)
        #expect(cache.get(a) != nil && cache.get(c) != nil)
        #expect(cache.byteCount == 240 && cache.count == 2)
        cache.put(PreviewCacheKey(identity: "huge", maxWidth: 1, maxHeight: 1), Self.image(301))
        #expect(cache.count == 2, "an image over the whole budget is not kept")
        // Another box of the same file is another entry.
        #expect(cache.get(PreviewCacheKey(identity: "a", maxWidth: 20, maxHeight: 10)) == nil)
    }

    @Test func identityChangesWhenTheFileIsRewritten() throws {
        let dir = try Fixtures.tempDirectory()
        let f = dir.appendingPathComponent("x.bin")
        try Data([1, 2, 3]).write(to: f)
        let first = try #require(PreviewCacheKey.identity(ofFileAt: f.path))
        #expect(PreviewCacheKey.identity(ofFileAt: f.path) == first)
        try Data([1, 2, 3, 4]).write(to: f)
        #expect(PreviewCacheKey.identity(ofFileAt: f.path) != first)
        #expect(PreviewCacheKey.identity(ofFileAt: dir.appendingPathComponent("missing").path) == nil)
    }
}
