// Folder inputs that FolderIndexerTests does not cover: a directory named like an image, a symlink
// that points at itself (ELOOP), a file that vanishes between the scan and its embedding, and a file
// rewritten between the scan and its embedding. Each is skipped or reported, never a crash, and the
// other files of the same run are still indexed.
import Foundation
import Testing
import TestSupport
@testable import VectorIndex

/// A FakeProvider that runs `sideEffect` once, when the first file is embedded (after the scan).
final class MeddlingProvider: ImageEmbeddingProvider, @unchecked Sendable {
    let inner = FakeProvider()
    var modelIdentity: String { inner.modelIdentity }
    var preprocessingKey: String { inner.preprocessingKey }
    var embeddingWidth: Int { inner.embeddingWidth }
    private let lock = NSLock()
    private var sideEffect: (() -> Void)?
    init(_ sideEffect: @escaping () -> Void) { self.sideEffect = sideEffect }

    func embedImage(at url: URL) throws -> [Float] {
        lock.lock(); let effect = sideEffect; sideEffect = nil; lock.unlock()
        effect?()
        return try inner.embedImage(at: url)
    }
}

@Suite struct FolderBadInputTests {
    func write(_ dir: URL, _ rel: String, _ text: String) throws {
        let url = dir.appendingPathComponent(rel)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func run(_ dir: URL, _ cacheRoot: URL, _ provider: any ImageEmbeddingProvider) throws -> (IndexReport, VectorIndex) {
        let cache = try EmbeddingCache(root: cacheRoot, modelIdentity: provider.modelIdentity,
                                       preprocessingKey: provider.preprocessingKey, width: provider.embeddingWidth)
        defer { try? cache.close() }
        let indexer = FolderIndexer(provider: provider, cache: cache)
        let (scan, report) = try indexer.index(folder: dir, priority: [], progress: { _ in }, isCancelled: { false })
        return (report, try indexer.buildIndex(scan))
    }

    func vector(_ index: VectorIndex, _ path: String) -> [Float]? {
        index.row(of: ItemPath(path)).map { index.vector(at: $0) }
    }

    func expected(_ text: String) -> [Float] {
        FakeProvider.vector(for: Data(text.utf8), model: FakeProvider().modelIdentity, width: 16)
    }

    @Test func directoryNamedLikeAnImageAndASelfLoopingSymlink() throws {
        let dir = try Fixtures.tempDirectory("clipscope-badinput")
        try write(dir, "a.jpg", "alpha")
        try write(dir, "x.jpg/inner.png", "inside a directory named x.jpg")
        try write(dir, "z.png", "zulu")
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("self.jpg").path, withDestinationPath: "self.jpg")
        let (report, index) = try run(dir, try Fixtures.tempDirectory(), FakeProvider())
        // x.jpg is walked as a directory (its image is indexed), never opened as an image.
        #expect(index.keys.map(\.string) == ["a.jpg", "x.jpg/inner.png", "z.png"])
        #expect(report.failed.isEmpty)
        let skipped = Dictionary(uniqueKeysWithValues: report.skipped.map { ($0.path.string, $0.reason) })
        #expect(skipped["self.jpg"] != nil, "\(report.skipped)")
        #expect(skipped["x.jpg"] == nil)
        #expect(vector(index, "z.png") == expected("zulu"))
    }

    @Test func fileVanishingBetweenScanAndEmbed() throws {
        let dir = try Fixtures.tempDirectory("clipscope-badinput")
        try write(dir, "a.jpg", "alpha")
        try write(dir, "b.jpg", "bravo")
        try write(dir, "c.jpg", "charlie")
        let provider = MeddlingProvider { try? FileManager.default.removeItem(at: dir.appendingPathComponent("b.jpg")) }
        let cacheRoot = try Fixtures.tempDirectory()
        let (report, index) = try run(dir, cacheRoot, provider)
        #expect(index.keys.map(\.string) == ["a.jpg", "c.jpg"])
        #expect(vector(index, "a.jpg") == expected("alpha") && vector(index, "c.jpg") == expected("charlie"))
        let reported = report.failed.map(\.path.string) + report.skipped.map(\.path.string)
        #expect(reported == ["b.jpg"], "\(report.failed) \(report.skipped)")
        // The next run sees b.jpg gone and neither retries nor reports it.
        let (again, index2) = try run(dir, cacheRoot, FakeProvider())
        #expect(index2.keys.map(\.string) == ["a.jpg", "c.jpg"])
        #expect(again.failed.isEmpty && again.knownFailures.isEmpty && again.embedded == 0)
    }

    /// b.jpg is rewritten after the scan: this run may store either content, but the next run must
    /// notice the change and end with the vector of what is on disk.
    @Test func fileRewrittenBetweenScanAndEmbed() throws {
        let dir = try Fixtures.tempDirectory("clipscope-badinput")
        try write(dir, "a.jpg", "alpha")
        try write(dir, "b.jpg", "bravo")
        let provider = MeddlingProvider { try? Data("bravo, rewritten with more bytes".utf8).write(to: dir.appendingPathComponent("b.jpg")) }
        let cacheRoot = try Fixtures.tempDirectory()
        let (_, first) = try run(dir, cacheRoot, provider)
        #expect(first.keys.map(\.string) == ["a.jpg", "b.jpg"])
        let (_, second) = try run(dir, cacheRoot, FakeProvider())
        #expect(vector(second, "b.jpg") == expected("bravo, rewritten with more bytes"))
        #expect(vector(second, "a.jpg") == expected("alpha"))
    }
}
