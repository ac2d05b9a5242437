// A cached vector goes to another path only when the whole content matches (SHA-256): two files with
// the same size and the same first and last 64 KiB, or an edit in the middle, are embedded anew; a
// copy or a rename is reused. A failure shared by identical files is reported under each file's name.
import Foundation
import Testing
import TestSupport
@testable import VectorIndex

/// Fails every file whose content starts with "bad" the way ImageDecoder does: "<full path>: problem".
struct PathNamingFailures: ImageEmbeddingProvider {
    let inner = FakeProvider()
    var modelIdentity: String { inner.modelIdentity }
    var preprocessingKey: String { inner.preprocessingKey }
    var embeddingWidth: Int { inner.embeddingWidth }
    func embedImage(at url: URL) throws -> [Float] {
        let data = try Data(contentsOf: url)
        if data.starts(with: Array("bad".utf8)) { throw FakeDecodeError(message: "\(url.path): corrupt image: bad marker") }
        return FakeProvider.vector(for: data, model: modelIdentity, width: embeddingWidth)
    }
}

@Suite struct ContentIdentityTests {
    func run(_ dir: URL, _ cacheRoot: URL, _ provider: any ImageEmbeddingProvider = FakeProvider()) throws -> (IndexReport, VectorIndex) {
        let cache = try EmbeddingCache(root: cacheRoot, modelIdentity: provider.modelIdentity,
                                       preprocessingKey: provider.preprocessingKey, width: provider.embeddingWidth)
        defer { try? cache.close() }
        let indexer = FolderIndexer(provider: provider, cache: cache)
        let (scan, report) = try indexer.index(folder: dir, priority: [], progress: { _ in }, isCancelled: { false })
        return (report, try indexer.buildIndex(scan))
    }

    /// Same size, same first and last 64 KiB, different middles (the red/blue square PNG case).
    @Test func sameEndsDifferentMiddleAreNotReused() throws {
        let dir = try Fixtures.tempDirectory("content-id")
        var red = [UInt8](repeating: 1, count: 300_000), blue = red
        for i in 100_000..<200_000 { red[i] = 0xE0; blue[i] = 0x1F }
        try Data(red).write(to: dir.appendingPathComponent("red.png"))
        let cacheRoot = try Fixtures.tempDirectory()
        _ = try run(dir, cacheRoot)
        try Data(blue).write(to: dir.appendingPathComponent("blue.png"))
        let (report, index) = try run(dir, cacheRoot)
        #expect(report.embedded == 1 && report.reusedByContent == 0)
        let vRed = index.vector(at: try #require(index.row(of: ItemPath("red.png"))))
        let vBlue = index.vector(at: try #require(index.row(of: ItemPath("blue.png"))))
        #expect(vBlue == FakeProvider.vector(for: Data(blue), model: FakeProvider().modelIdentity, width: 16))
        #expect(vRed != vBlue)
    }

    @Test func inPlaceEditOfTheMiddleIsReembedded() throws {
        let dir = try Fixtures.tempDirectory("content-id")
        let url = dir.appendingPathComponent("a.png")
        var bytes = [UInt8](repeating: 3, count: 300_000)
        try Data(bytes).write(to: url)
        let cacheRoot = try Fixtures.tempDirectory()
        _ = try run(dir, cacheRoot)
        bytes[150_000] = 4
        try Data(bytes).write(to: url)
        // Same size; even with the old mtime and a new name (a copy elsewhere) the content decides.
        try FileManager.default.copyItem(at: url, to: dir.appendingPathComponent("b.png"))
        let (report, index) = try run(dir, cacheRoot)
        #expect(report.embedded == 1 && report.reusedByContent == 1)
        #expect(index.vector(at: try #require(index.row(of: ItemPath("a.png")))) == FakeProvider.vector(for: Data(bytes), model: FakeProvider().modelIdentity, width: 16))
    }

    @Test func renameIsReusedWithoutEmbedding() throws {
        let dir = try Fixtures.tempDirectory("content-id")
        try Data("alpha".utf8).write(to: dir.appendingPathComponent("a.jpg"))
        let cacheRoot = try Fixtures.tempDirectory()
        _ = try run(dir, cacheRoot)
        try FileManager.default.moveItem(at: dir.appendingPathComponent("a.jpg"), to: dir.appendingPathComponent("renamed.jpg"))
        let (report, _) = try run(dir, cacheRoot)
        #expect(report.embedded == 0 && report.reusedByContent == 1)
    }

    @Test func sharedFailureNamesEachFile() throws {
        let dir = try Fixtures.tempDirectory("content-id")
        for name in ["one.jpg", "two.jpg"] { try Data("bad bytes".utf8).write(to: dir.appendingPathComponent(name)) }
        let (report, _) = try run(dir, try Fixtures.tempDirectory(), PathNamingFailures())
        let all = report.failed + report.knownFailures
        #expect(all.count == 2)
        for f in all {
            #expect(f.reason == "corrupt image: bad marker", "\(f.path.string): \(f.reason)")   // never the other file's path
        }
    }
}

/// vectors.bin, journal.bin or lock replaced by a directory (or FIFO) no longer breaks every later run:
/// it is moved aside with a warning naming it, and the store is rebuilt.
@Suite struct CacheFileKindTests {
    @Test(arguments: ["vectors.bin", "journal.bin", "lock"])
    func directoryInPlaceOfACacheFileIsMovedAsideAndRebuilt(name: String) throws {
        let root = try Fixtures.tempDirectory("cache-kind")
        let p = FakeProvider()
        let c = try EmbeddingCache(root: root, modelIdentity: p.modelIdentity, preprocessingKey: p.preprocessingKey, width: p.embeddingWidth)
        try c.put(CacheEntry(path: ItemPath("/x/a.jpg"), size: 1, mtimeNs: 1, contentHash: testHash(1), outcome: .vector([Float](repeating: 0.25, count: 16))))
        try c.close()
        let target = c.storeDirectory.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: target)
        try FileManager.default.createDirectory(at: target.appendingPathComponent("inside"), withIntermediateDirectories: true)
        var warnings: [String] = []
        let c2 = try EmbeddingCache(root: root, modelIdentity: p.modelIdentity, preprocessingKey: p.preprocessingKey,
                                    width: p.embeddingWidth, warn: { warnings.append($0) })
        #expect(warnings.contains { $0.contains("\(target.path) was a directory, not a file; moved it to") }, "\(warnings)")
        try c2.put(CacheEntry(path: ItemPath("/x/b.jpg"), size: 2, mtimeNs: 2, contentHash: testHash(2), outcome: .vector([Float](repeating: 0.25, count: 16))))
        try c2.close()
        var isDir: ObjCBool = false
        #expect(!FileManager.default.fileExists(atPath: target.path, isDirectory: &isDir) || !isDir.boolValue)
        let c3 = try EmbeddingCache(root: root, modelIdentity: p.modelIdentity, preprocessingKey: p.preprocessingKey, width: p.embeddingWidth)
        #expect(c3.entry(forPath: ItemPath("/x/b.jpg")) != nil)
        try c3.close()
    }
}
