// The explorer's adapter over the real (demo) model, the folder and the cache: a fresh cache starts
// with every image pending, background indexing fills the index and posts each item, rankings are
// exact, and a second open finds every vector in the cache at once.
import Explorer
import Foundation
import Retrieval
import Testing
import TestSupport
@testable import ClipScopeCLI
import CLISupport
import ModelHub
import Imaging

@Suite struct ExplorerModelBackendTests {
    static let repo = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent()

    final class Events: @unchecked Sendable {
        let lock = NSLock()
        var changed: [Int] = []
        let finished = DispatchSemaphore(value: 0)
        func post(_ e: BackendEvent) {
            switch e {
            case let .itemChanged(id, _): lock.lock(); changed.append(id); lock.unlock()
            case let .itemsChanged(list): lock.lock(); changed += list.map(\.id); lock.unlock()
            case .finished: finished.signal()
            case .progress: break
            }
        }
    }

    @Test func indexesInTheBackgroundThenReopensFromTheCache() throws {
        let cacheRoot = try Fixtures.tempDirectory("explorer-cache")
        let folder = Self.repo.appendingPathComponent("Assets/demo").path
        let model = try ModelBackend.load(try ModelResolver.resolve("demo"))
        let first = try ExplorerModelBackend(backend: model, folder: folder, cacheRoot: cacheRoot)
        let items = first.items()
        #expect(items.count == 36)
        #expect(items.allSatisfy { $0.state == .pending })
        #expect(first.isDemo && first.dimensions == [16, 32, 64, 128])
        #expect(first.dimensions.last == model.embeddingWidth)
        // Pixel sizes come with the first preview (no header read per file when the folder opens).
        #expect(items[0].pixelWidth == 0 && items[0].pixelHeight == 0)
        let shown = try #require(first.preview(of: 0, maxWidth: 40, maxHeight: 40))
        #expect(shown.sourceWidth == 320 && shown.sourceHeight == 320)

        let events = Events()
        first.startIndexing(post: { events.post($0) })
        #expect(events.finished.wait(timeout: .now() + 120) == .success)
        #expect(Set(events.changed) == Set(0..<36))
        #expect(first.items().allSatisfy { $0.state == .embedded })

        // Exact ranking: scores equal the prefix cosine of the stored vectors with the query.
        let q = try first.embedText("a red triangle", asQuery: true)
        for d in [16, 128] {
            let s = first.scores(query: q, dims: d)
            let best = s.indices.max { s[$0] < s[$1] }!
            #expect(first.items()[best].name.contains("red_triangle"), "top at \(d): \(first.items()[best].name)")
            let v = try #require(first.vector(of: best))
            let expected = PrefixCosine.score(v, q, dims: d)
            #expect(abs(s[best] - expected) < 1e-5)
        }
        let pieces = first.tokenize("un triángulo rojo")
        #expect(pieces.joined() == "▁un▁triángulo▁rojo" && !pieces.contains("<unk>"))
        #expect(first.tokenize("红色 ☃").last == "<unk>")          // unknown characters show as <unk>
        #expect(first.preview(of: 0, maxWidth: 40, maxHeight: 20).map { $0.width <= 40 && $0.height <= 20 } == true)
        first.finish()

        let second = try ExplorerModelBackend(backend: model, folder: folder, cacheRoot: cacheRoot)
        #expect(second.items().allSatisfy { $0.state == .embedded })
        #expect(second.vector(of: 5) == first.vector(of: 5))
        second.finish()
    }

    /// Thumbnails are display only: with every stored thumbnail replaced by a black one (which the grid
    /// then shows), indexing still embeds exactly what `embed` computes from the files themselves.
    @Test func embeddingInputIsNeverTheThumbnail() throws {
        let cacheRoot = try Fixtures.tempDirectory("explorer-thumbs")
        let folder = try Fixtures.tempDirectory("explorer-thumbs-folder")
        for name in ["01_red_triangle_x2.jpg", "05_green_circle_x2.jpg"] {
            try FileManager.default.copyItem(at: Self.repo.appendingPathComponent("Assets/demo/" + name), to: folder.appendingPathComponent(name))
        }
        let model = try ModelBackend.load(try ModelResolver.resolve("demo"))
        let first = try ExplorerModelBackend(backend: model, folder: folder.path, cacheRoot: cacheRoot)
        for id in 0..<2 { #expect(first.thumbnail(of: id, maxWidth: 120, maxHeight: 120) != nil) }
        first.finish()
        let store = ThumbnailStore.directory(inCacheRoot: cacheRoot)
        let files = try #require(FileManager.default.enumerator(atPath: store.path)).compactMap { $0 as? String }.filter { $0.hasSuffix(".rgb") }
        #expect(files.count == 2, "thumbnails on disk next to the embedding cache: \(files)")
        for f in files {
            var b = [UInt8](try Data(contentsOf: store.appendingPathComponent(f)))
            for i in 28..<b.count { b[i] = 0 }
            try Data(b).write(to: store.appendingPathComponent(f))
        }
        let second = try ExplorerModelBackend(backend: model, folder: folder.path, cacheRoot: cacheRoot)
        let shown = try #require(second.thumbnail(of: 0, maxWidth: 120, maxHeight: 120))
        #expect(shown.rgb.allSatisfy { $0 == 0 }, "the grid reads the stored thumbnail")
        let events = Events()
        second.startIndexing(post: { events.post($0) })
        #expect(events.finished.wait(timeout: .now() + 120) == .success)
        for (id, item) in second.items().enumerated() {
            let indexed = try #require(second.vector(of: id))
            let direct = try model.embedImage(at: URL(fileURLWithPath: item.absolutePath))
            #expect(indexed == direct, "\(item.name): the model input must be the decoded file")
        }
        second.finish()
    }
}
