// Incremental folder indexing with a fake provider: odd files accounted for, renames/copies reused,
// changed files re-embedded, removed files dropped, failures not retried until changed, priority
// order, cancellation + resume, non-UTF-8 names, and a model change never reusing vectors.
import Foundation
import Testing
import TestSupport
@testable import VectorIndex
#if canImport(Glibc)
import Glibc
#endif

/// Deterministic vectors from the file's bytes; files named bad* fail like an undecodable image.
final class FakeProvider: ImageEmbeddingProvider, @unchecked Sendable {
    let modelIdentity: String
    let preprocessingKey = "fake;size=8"
    let embeddingWidth = 16
    private let lock = NSLock()
    private var _calls: [String] = []
    var calls: [String] { lock.lock(); defer { lock.unlock() }; return _calls }

    init(model: String = "fake-model-A") { modelIdentity = model }

    func embedImage(at url: URL) throws -> [Float] {
        let name = url.lastPathComponent
        lock.lock(); _calls.append(name); lock.unlock()
        let data = try Data(contentsOf: url)
        if name.hasPrefix("bad") { throw FakeDecodeError(message: "\(name): not a JPEG file (starts with \(data.prefix(2).map { String($0) }))") }
        return Self.vector(for: data, model: modelIdentity, width: embeddingWidth)
    }

    static func vector(for data: Data, model: String, width: Int) -> [Float] {
        var rng = SeededRNG(Checksum.fnv1a64([UInt8](data) + Array(model.utf8)))
        return rng.normalVector(width)
    }
}

struct FakeDecodeError: Error, CustomStringConvertible { var message: String; var description: String { message } }

@Suite struct FolderIndexerTests {
    func write(_ dir: URL, _ rel: String, _ text: String) throws {
        let url = dir.appendingPathComponent(rel)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func makeFolder() throws -> URL {
        let dir = try Fixtures.tempDirectory("clipscope-folder")
        try write(dir, "a.jpg", "alpha image bytes")
        try write(dir, "b.PNG", "bravo image bytes")
        try write(dir, "sub/c.jpeg", "charlie image bytes")
        try write(dir, "sub/deeper/d.jpg", "delta image bytes")
        try write(dir, "bad1.jpg", "garbage")
        try write(dir, "art.jxl", "jxl")
        try write(dir, "photo.JXL", "jxl")
        try write(dir, "notes.txt", "not an image")
        try write(dir, ".hidden.jpg", "hidden")
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("gone.jpg").path, withDestinationPath: "/nonexistent/x.jpg")
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("sub/loop").path, withDestinationPath: "..")
        return dir
    }

    func run(_ dir: URL, _ cacheRoot: URL, _ provider: FakeProvider, priority: [ItemPath] = [],
             cancelAfter: Int? = nil) throws -> (IndexReport, VectorIndex) {
        let cache = try EmbeddingCache(root: cacheRoot, modelIdentity: provider.modelIdentity,
                                       preprocessingKey: provider.preprocessingKey, width: provider.embeddingWidth)
        defer { try? cache.close() }
        let indexer = FolderIndexer(provider: provider, cache: cache)
        var done = 0
        let (scan, report) = try indexer.index(folder: dir, priority: priority, progress: { p in
            done = p.done
            #expect(p.total >= p.done && p.itemsPerSecond >= 0)
            #expect((p.vector == nil) == (p.failure != nil))
            #expect((p.failure != nil) == p.current.string.hasPrefix("bad"))
        }, isCancelled: { cancelAfter.map { done >= $0 } ?? false })
        return (report, try indexer.buildIndex(scan))
    }

    @Test func firstRunAccountsForEveryFile() throws {
        let dir = try makeFolder(), cacheRoot = try Fixtures.tempDirectory()
        let provider = FakeProvider()
        let (report, index) = try run(dir, cacheRoot, provider)
        #expect(report.files == 5)
        #expect(report.embedded == 4)
        #expect(report.failed.map(\.path.string) == ["bad1.jpg"])
        #expect(report.failed[0].reason.contains("not a JPEG file"))
        #expect(report.unsupported.map(\.path.string) == ["art.jxl", "photo.JXL"])
        #expect(report.unsupported.map(\.format) == ["jxl", "jxl"])
        let skipped = Dictionary(uniqueKeysWithValues: report.skipped.map { ($0.path.string, $0.reason) })
        #expect(skipped["gone.jpg"] == "dangling symbolic link")
        #expect(skipped["sub/loop"]?.contains("loop") == true)
        #expect(index.keys.map(\.string) == ["a.jpg", "b.PNG", "sub/c.jpeg", "sub/deeper/d.jpg"])
        let a = index.vector(at: index.row(of: ItemPath("a.jpg"))!)
        #expect(a == FakeProvider.vector(for: Data("alpha image bytes".utf8), model: provider.modelIdentity, width: 16))
    }

    @Test func secondRunReusesEverythingAndDoesNotRetryFailures() throws {
        let dir = try makeFolder(), cacheRoot = try Fixtures.tempDirectory()
        let provider = FakeProvider()
        _ = try run(dir, cacheRoot, provider)
        let calls = provider.calls.count
        let (report, index) = try run(dir, cacheRoot, provider)
        #expect(provider.calls.count == calls)            // nothing embedded, bad1.jpg not retried
        #expect(report.embedded == 0 && report.reusedUnchanged == 4 && report.removed == 0)
        #expect(report.knownFailures.map(\.path.string) == ["bad1.jpg"])
        #expect(report.knownFailures[0].reason.contains("not a JPEG file"))
        #expect(index.count == 4)
    }

    @Test func renamedCopiedChangedRemovedAndFixedFiles() throws {
        let dir = try makeFolder(), cacheRoot = try Fixtures.tempDirectory()
        let provider = FakeProvider()
        let (_, before) = try run(dir, cacheRoot, provider)
        let fm = FileManager.default
        try fm.moveItem(at: dir.appendingPathComponent("a.jpg"), to: dir.appendingPathComponent("renamed.jpg"))
        try fm.copyItem(at: dir.appendingPathComponent("sub/c.jpeg"), to: dir.appendingPathComponent("copy-of-c.jpg"))
        try write(dir, "b.PNG", "bravo image bytes, edited")
        try fm.removeItem(at: dir.appendingPathComponent("sub/deeper/d.jpg"))
        try write(dir, "bad1.jpg", "garbage, changed")      // changed failure: retried (and fails again)
        let calls = provider.calls.count
        let (report, index) = try run(dir, cacheRoot, provider)
        #expect(Array(provider.calls[calls...]).sorted() == ["b.PNG", "bad1.jpg"])
        #expect(report.reusedByContent == 2)               // renamed.jpg, copy-of-c.jpg
        #expect(report.embedded == 1 && report.failed.count == 1)
        #expect(report.removed == 2)                       // a.jpg, sub/deeper/d.jpg
        #expect(index.keys.map(\.string) == ["b.PNG", "copy-of-c.jpg", "renamed.jpg", "sub/c.jpeg"])
        func vec(_ i: VectorIndex, _ k: String) -> [Float] { i.vector(at: i.row(of: ItemPath(k))!) }
        #expect(vec(index, "renamed.jpg") == vec(before, "a.jpg"))
        #expect(vec(index, "copy-of-c.jpg") == vec(before, "sub/c.jpeg"))
        #expect(vec(index, "b.PNG") != vec(before, "b.PNG"))
        #expect(vec(index, "b.PNG") == FakeProvider.vector(for: Data("bravo image bytes, edited".utf8), model: provider.modelIdentity, width: 16))
        // A third run is a no-op.
        let (again, _) = try run(dir, cacheRoot, provider)
        #expect(again.embedded == 0 && again.reusedByContent == 0 && again.removed == 0 && again.reusedUnchanged == 4)
    }

    @Test func duplicatesWithinOneRunAreEmbeddedOnce() throws {
        let dir = try Fixtures.tempDirectory("clipscope-dups")
        for name in ["a.jpg", "b.jpg", "sub/c.jpg"] { try write(dir, name, "identical bytes") }
        try write(dir, "other.png", "different bytes")
        let provider = FakeProvider()
        let (report, index) = try run(dir, try Fixtures.tempDirectory(), provider)
        #expect(provider.calls.sorted() == ["a.jpg", "other.png"])
        #expect(report.embedded == 2 && report.reusedByContent == 2)
        #expect(index.vector(at: index.row(of: ItemPath("sub/c.jpg"))!) == index.vector(at: index.row(of: ItemPath("a.jpg"))!))
    }

    @Test func priorityPathsAreEmbeddedFirst() throws {
        let dir = try makeFolder(), cacheRoot = try Fixtures.tempDirectory()
        let provider = FakeProvider()
        _ = try run(dir, cacheRoot, provider, priority: [ItemPath("sub/deeper/d.jpg"), ItemPath("b.PNG"), ItemPath("missing.jpg")])
        #expect(Array(provider.calls.prefix(2)) == ["d.jpg", "b.PNG"])
        #expect(Array(provider.calls.dropFirst(2)) == ["a.jpg", "bad1.jpg", "c.jpeg"])   // then path order
    }

    @Test func cancelledRunResumesWithoutLosingFinishedVectors() throws {
        let dir = try makeFolder(), cacheRoot = try Fixtures.tempDirectory()
        let provider = FakeProvider()
        let (first, partial) = try run(dir, cacheRoot, provider, cancelAfter: 2)
        #expect(first.cancelled && first.remaining == 3)
        #expect(partial.count == 2)
        let (second, full) = try run(dir, cacheRoot, provider)
        #expect(provider.calls.count == 5)                 // each file embedded exactly once overall
        #expect(second.embedded + second.failed.count == 3 && second.reusedUnchanged == 2)
        #expect(full.count == 4)
    }

    @Test func killedRunResumesFromTheJournal() throws {
        let dir = try makeFolder(), cacheRoot = try Fixtures.tempDirectory()
        let provider = FakeProvider()
        let cache = try EmbeddingCache(root: cacheRoot, modelIdentity: provider.modelIdentity,
                                       preprocessingKey: provider.preprocessingKey, width: 16)
        let indexer = FolderIndexer(provider: provider, cache: cache)
        var reported = 0
        _ = try indexer.index(folder: dir, progress: { reported = $0.done }, isCancelled: { reported >= 3 })
        cache.abandonForTesting()                          // SIGKILL right after the 3rd progress report
        let (report, index) = try run(dir, cacheRoot, provider)
        #expect(report.reusedUnchanged + report.knownFailures.count == 3)
        #expect(provider.calls.count == 5)
        #expect(index.count == 4)
    }

    @Test func modelChangeNeverReusesVectors() throws {
        let dir = try makeFolder(), cacheRoot = try Fixtures.tempDirectory()
        let a = FakeProvider(model: "fake-model-A"), b = FakeProvider(model: "fake-model-B")
        let (_, indexA) = try run(dir, cacheRoot, a)
        let (report, indexB) = try run(dir, cacheRoot, b)
        #expect(report.embedded == 4 && report.reusedUnchanged == 0 && report.reusedByContent == 0)
        #expect(b.calls.count == 5)
        for k in indexA.keys {
            #expect(indexA.vector(at: indexA.row(of: k)!) != indexB.vector(at: indexB.row(of: k)!))
        }
        let (again, _) = try run(dir, cacheRoot, a)        // A's store is untouched by B
        #expect(again.reusedUnchanged == 4 && again.embedded == 0)
    }

    @Test func nonUTF8FileNamesKeepTheirBytes() throws {
        let dir = try Fixtures.tempDirectory("clipscope-raw")
        let raw: [UInt8] = Array(dir.path.utf8) + Array("/caf".utf8) + [0xE9] + Array(".jpg".utf8)   // Latin-1 é
        let fd = ItemPath(bytes: raw).withCString { open($0, O_WRONLY | O_CREAT, 0o644) }
        #expect(fd >= 0)
        _ = "latin-1 name".withCString { Glibc.write(fd, $0, 12) }
        close(fd)
        let provider = FakeProvider()
        let (report, index) = try run(dir, try Fixtures.tempDirectory(), provider)
        #expect(report.embedded == 1, "\(report.failed)")
        let key = try #require(index.keys.first)
        #expect(key.bytes == Array("caf".utf8) + [0xE9] + Array(".jpg".utf8))
        #expect(!key.isValidUTF8)
        #expect(key.string == "caf\u{FFFD}.jpg")
        #expect(index.vector(at: 0) == FakeProvider.vector(for: Data("latin-1 name".utf8), model: provider.modelIdentity, width: 16))
    }

    /// Files read level by level come back in bytewise order of their whole relative path ("a.png" <
    /// "a/x.png" < "a0.png": the "/" sorts between "." and "0"), each with its own size, mtime, inode and
    /// link flag, and their paths share one table.
    @Test func scanOrdersFilesByWholeRelativePathWithTheirOwnStats() throws {
        let dir = try Fixtures.tempDirectory()
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("a/b"), withIntermediateDirectories: true)
        let names = ["a0.png", "a/x.png", "a.png", "a/b/z.jpg", "a/a.gif", "B.png"]
        for (i, n) in names.enumerated() {
            try Data(repeating: UInt8(i), count: 10 + i).write(to: dir.appendingPathComponent(n))
        }
        try fm.createSymbolicLink(atPath: dir.appendingPathComponent("a/link.png").path, withDestinationPath: "../a0.png")
        let scan = try FolderScanner.scan(dir)
        let want = ["B.png", "a.png", "a/a.gif", "a/b/z.jpg", "a/link.png", "a/x.png", "a0.png"]
        #expect(scan.files.map(\.relativePath.string) == want)
        #expect(scan.files.paths.isSorted && scan.files.paths.count == want.count)
        for (i, f) in scan.files.enumerated() {
            let st = try fm.attributesOfItem(atPath: dir.appendingPathComponent(f.relativePath.string).resolvingSymlinksInPath().path)
            #expect(f.size == (st[.size] as? NSNumber)?.uint64Value, "\(f.relativePath)")
            #expect(f.inode == (st[.systemFileNumber] as? NSNumber)?.uint64Value, "\(f.relativePath)")
            #expect(f.viaLink == (f.relativePath.string == "a/link.png"))
            #expect(f.absolutePath.string == scan.root.string + "/" + want[i])
            #expect(scan.files.paths.index(ofRelative: f.relativePath.bytes) == i)
        }
    }

    @Test func missingFolderIsAClearError() {
        #expect(throws: ScanError.self) { try FolderScanner.scan(URL(fileURLWithPath: "/nonexistent/folder")) }
        do { _ = try FolderScanner.scan(URL(fileURLWithPath: "/nonexistent/folder")) } catch {
            #expect("\(error)".contains("/nonexistent/folder"))
        }
    }

    /// The content hash covers every byte: a copy matches, an edit anywhere (the middle included, which
    /// the former head/tail fingerprint missed) does not. SHA-256, checked against sha256sum's value.
    @Test func contentHashCoversEveryByte() throws {
        let dir = try Fixtures.tempDirectory()
        let big = [UInt8](repeating: 7, count: 200_000)
        var middleChanged = big; middleChanged[100_000] = 8
        var tailChanged = big; tailChanged[199_999] = 8
        func fp(_ bytes: [UInt8], _ name: String) throws -> ContentHash {
            let url = dir.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            return try ContentHash.of(ItemPath(url.path))
        }
        let base = try fp(big, "a")
        #expect(try fp(big, "b") == base)                  // a copy
        #expect(try fp(tailChanged, "c") != base)
        #expect(try fp(Array(big.prefix(199_999)), "d") != base)
        #expect(try fp(middleChanged, "e") != base)
        #expect(try fp(Array("abc".utf8), "f").description == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

/// Files whose content starts with "half" behave like a JPEG cut short: a partial vector when partial images are accepted,
/// else the decoder's truncation error.
final class PartialProvider: ImageEmbeddingProvider, @unchecked Sendable {
    let modelIdentity = "fake-model-partial"
    let preprocessingKey = "fake;size=8"
    let embeddingWidth = 16
    var acceptsPartialImages = false
    private(set) var calls: [String] = []

    func embedImage(at url: URL) throws -> [Float] { try embedImage(at: url, followLinks: true).vector }

    func embedImage(at url: URL, followLinks: Bool) throws -> ImageEmbedding {
        calls.append(url.lastPathComponent)
        let data = try Data(contentsOf: url)
        let cut = data.starts(with: Data("half".utf8))
        if cut && !acceptsPartialImages {
            throw FakeDecodeError(message: "\(url.path): image file is truncated (JPEG data ends early (Premature end of JPEG file))")
        }
        return ImageEmbedding(vector: FakeProvider.vector(for: data, model: modelIdentity, width: embeddingWidth), isPartial: cut)
    }
}

extension FolderIndexerTests {
    @Test func partialVectorsAreMarkedAndReusedOnlyByRunsThatAcceptThem() throws {
        let dir = try Fixtures.tempDirectory("clipscope-partial"), cacheRoot = try Fixtures.tempDirectory()
        try write(dir, "cut.jpg", "half a photo")
        try write(dir, "whole.jpg", "a whole photo")
        let provider = PartialProvider()
        func run() throws -> (IndexReport, VectorIndex) {
            let cache = try EmbeddingCache(root: cacheRoot, modelIdentity: provider.modelIdentity,
                                           preprocessingKey: provider.preprocessingKey, width: provider.embeddingWidth)
            defer { try? cache.close() }
            let indexer = FolderIndexer(provider: provider, cache: cache)
            let (scan, report) = try indexer.index(folder: dir)
            return (report, try indexer.buildIndex(scan))
        }
        provider.acceptsPartialImages = true                        // --allow-partial
        var (r, index) = try run()
        #expect(r.embedded == 2 && r.partial.map(\.string) == ["cut.jpg"] && index.count == 2)
        (r, index) = try run()                                      // unchanged, still accepted: reused, still marked
        #expect(provider.calls == ["cut.jpg", "whole.jpg"])
        #expect(r.reusedUnchanged == 2 && r.partial.map(\.string) == ["cut.jpg"])
        provider.acceptsPartialImages = false                       // a plain run re-embeds it: it fails as truncated
        (r, index) = try run()
        #expect(provider.calls.suffix(1) == ["cut.jpg"])
        #expect(r.reusedUnchanged == 1 && r.partial.isEmpty && index.keys.map(\.string) == ["whole.jpg"])
        #expect(r.failed.map(\.path.string) == ["cut.jpg"] && r.failed[0].reason.hasPrefix("image file is truncated"))
        (r, _) = try run()                                          // the failure is remembered, not retried
        #expect(provider.calls.count == 3 && r.knownFailures.map(\.path.string) == ["cut.jpg"])
        provider.acceptsPartialImages = true                        // --allow-partial retries the truncation failure
        (r, index) = try run()
        #expect(provider.calls.count == 4 && r.embedded == 1 && r.failed.isEmpty && r.knownFailures.isEmpty)
        #expect(r.partial.map(\.string) == ["cut.jpg"] && index.count == 2)
        // A copy of the partial file reuses the vector and carries the mark.
        try FileManager.default.copyItem(at: dir.appendingPathComponent("cut.jpg"), to: dir.appendingPathComponent("copy.jpg"))
        (r, _) = try run()
        #expect(provider.calls.count == 4 && r.reusedByContent == 1 && r.partial.map(\.string) == ["copy.jpg", "cut.jpg"])
        provider.acceptsPartialImages = false                       // …and is re-embedded by a plain run like the original
        (r, index) = try run()
        #expect(Set(r.failed.map(\.path.string)).union(r.knownFailures.map(\.path.string)) == ["copy.jpg", "cut.jpg"])
        #expect(index.keys.map(\.string) == ["whole.jpg"])
    }
}
