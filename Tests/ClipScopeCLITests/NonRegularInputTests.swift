// FIFOs, devices and files swapped for a FIFO after the scan: refused at once with a message naming
// the file and what it is; nothing blocks (before, each of these hung `embed`, `eval` or `index`).
@testable import ClipScopeCLI
import CLISupport
import ClipModel
import ModelHub
import Foundation
import Testing
import TestSupport
import VectorIndex
#if canImport(Glibc)
import Glibc
#endif

extension EmbedCommandTests {
    @Test func fifoAndDeviceImagesFailByName() throws {
        let dir = try Fixtures.tempDirectory("clipscope-fifo-images")
        let fifo = dir.appendingPathComponent("pipe.jpg").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let good = Fixtures.tiny("image_0_landscape_97x71.png").path
        let r = run(["embed", "--model", Fixtures.tiny.path, "--threads", "1", "--image", fifo, "--image", "/dev/zero", "--image", good])
        #expect(r.status == 1)
        try #require(r.lines.count == 3)
        #expect(r.lines[0]["error"] as? String == "\(fifo): is a FIFO, not a regular file")
        #expect(r.lines[1]["error"] as? String == "/dev/zero: is a character device, not a regular file")
        #expect(r.lines[2]["embedding"] != nil)
    }
}

/// Wraps the real backend; before the first embedding it swaps `victim` for a FIFO.
final class FIFOSwappingBackend: ImageEmbeddingProvider, @unchecked Sendable {
    let inner: ModelBackend
    let victim: String
    private let lock = NSLock()
    private var done = false
    init(_ inner: ModelBackend, victim: String) { self.inner = inner; self.victim = victim }
    var modelIdentity: String { inner.modelIdentity }
    var preprocessingKey: String { inner.preprocessingKey }
    var embeddingWidth: Int { inner.embeddingWidth }
    func embedImage(at url: URL) throws -> [Float] {
        lock.lock()
        if !done { done = true; unlink(victim); mkfifo(victim, 0o600) }
        lock.unlock()
        return try inner.embedImage(at: url)
    }
}

@Suite struct NonRegularIndexTests {
    @Test func fileSwappedForAFIFOAfterTheScanFailsInsteadOfBlocking() throws {
        let dir = try Fixtures.tempDirectory("clipscope-fifo-swap")
        for (name, source) in [("a.png", "image_0_landscape_97x71.png"), ("b.png", "image_1_portrait_50x83.png"), ("c.png", "image_2_gray_64x80.png")] {
            try Data(contentsOf: Fixtures.tiny(source)).write(to: dir.appendingPathComponent(name))
        }
        let backend = try ModelBackend.load(ResolvedModel(directory: Fixtures.tiny, name: "tiny", isDemo: false, source: .directory), threads: 1)
        let provider = FIFOSwappingBackend(backend, victim: dir.appendingPathComponent("b.png").path)
        let cache = try EmbeddingCache(root: try Fixtures.tempDirectory(), modelIdentity: provider.modelIdentity,
                                       preprocessingKey: provider.preprocessingKey, width: provider.embeddingWidth)
        defer { try? cache.close() }
        let indexer = FolderIndexer(provider: provider, cache: cache)
        let (scan, report) = try indexer.index(folder: dir, priority: [], progress: { _ in }, isCancelled: { false })
        let problems = report.failed.map { "\($0.path.string): \($0.reason)" } + report.skipped.map { "\($0.path.string): \($0.reason)" }
        #expect(problems.count == 1 && problems[0].hasPrefix("b.png") && problems[0].contains("is a FIFO, not a regular file"), "\(problems)")
        #expect(try indexer.buildIndex(scan).keys.map(\.string) == ["a.png", "c.png"])
    }
}

@Suite struct NonRegularDatasetTests {
    @Test func datasetFIFOIsRefusedByName() throws {
        let dir = try Fixtures.tempDirectory("clipscope-fifo-dataset")
        let fifo = dir.appendingPathComponent("karpathy.json").path
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(throws: CLIError.self) { _ = try RetrievalDataset.load(URL(fileURLWithPath: fifo), split: "test") }
        do { _ = try RetrievalDataset.load(URL(fileURLWithPath: fifo), split: "test") } catch {
            #expect("\(error)" == "\(fifo): cannot read the dataset: is a FIFO, not a regular file")
        }
        #expect(ClipScopeMain.runReturningStatus(["eval", "--model", Fixtures.tiny.path, "--dataset", fifo]) == 1)
    }
}

extension EmbedCommandTests {
    /// A JPEG cut short fails by default ("image file is truncated", as Pillow); --allow-partial embeds it.
    @Test func truncatedJPEGFailsUnlessAllowed() throws {
        let full = try Data(contentsOf: Fixtures.tiny("image_jpeg_120x90_q90.jpg"))
        let cut = try Fixtures.tempDirectory("clipscope-cut").appendingPathComponent("cut.jpg")
        try full.prefix(full.count / 2).write(to: cut)
        let strict = run(["embed", "--model", Fixtures.tiny.path, "--threads", "1", "--image", cut.path])
        #expect(strict.status == 1)
        #expect((strict.lines.first?["error"] as? String)?.hasPrefix("\(cut.path): image file is truncated") == true, "\(strict.lines)")
        let lenient = run(["embed", "--model", Fixtures.tiny.path, "--threads", "1", "--allow-partial", "--image", cut.path])
        #expect(lenient.status == 0)
        #expect((lenient.lines.first?["embedding"] as? [Any])?.count == 64)
    }
}

extension NonRegularIndexTests {
    /// A file the scan saw as a regular file and that is swapped for a symbolic link out of the folder
    /// afterwards is not followed (O_NOFOLLOW on the last component), neither by the content hash (swap
    /// before planning) nor by the decoder (swap after planning). A link inside the folder that the scan
    /// saw as a link is still followed.
    @Test func fileSwappedForALinkAfterTheScanIsNotFollowed() throws {
        let dir = try Fixtures.tempDirectory("clipscope-link-swap")
        let outside = try Fixtures.tempDirectory("clipscope-link-swap-outside").appendingPathComponent("secret.png")
        try Data(contentsOf: Fixtures.tiny("image_2_gray_64x80.png")).write(to: outside)
        for (name, source) in [("a.png", "image_0_landscape_97x71.png"), ("b.png", "image_1_portrait_50x83.png"), ("c.png", "image_1_portrait_50x83.png")] {
            try Data(contentsOf: Fixtures.tiny(source)).write(to: dir.appendingPathComponent(name))
        }
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("inner.png").path, withDestinationPath: "a.png")
        let backend = try ModelBackend.load(ResolvedModel(directory: Fixtures.tiny, name: "tiny", isDemo: false, source: .directory), threads: 1)
        let cache = try EmbeddingCache(root: try Fixtures.tempDirectory(), modelIdentity: backend.modelIdentity,
                                       preprocessingKey: backend.preprocessingKey, width: backend.embeddingWidth)
        defer { try? cache.close() }
        let indexer = FolderIndexer(provider: backend, cache: cache)
        func swap(_ name: String) throws {
            let path = dir.appendingPathComponent(name).path
            #expect(unlink(path) == 0)
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: outside.path)
        }
        let scan = try FolderScanner.scan(dir)
        #expect(scan.files.map { "\($0.relativePath.string) \($0.viaLink)" } == ["a.png false", "b.png false", "c.png false", "inner.png true"])
        try swap("b.png")                                   // before planning: the whole-content hash refuses it
        let plan = indexer.plan(scan)
        try swap("c.png")                                   // after planning: the decoder's open refuses it
        let report = try indexer.run(plan)
        #expect(report.skipped.map { "\($0.path.string): \($0.reason)" }
                == ["b.png: unreadable: \(dir.path)/b.png: is a symbolic link (not followed)"])
        #expect(report.failed.count == 1 && report.failed[0].path.string == "c.png"
                && report.failed[0].reason.contains("is a symbolic link (not followed)"), "\(report.failed)")
        #expect(try indexer.buildIndex(scan).keys.map(\.string) == ["a.png", "inner.png"])
    }
}
