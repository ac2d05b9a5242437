// The data structures that make the explorer cost what is visible: the folder tree (flat rows built
// once, counts adjusted per item, a window per frame), rankings as top-k prefixes computed only for
// the dimensions on screen, the preview's lazily computed ranks, and stale work dropped.
import Testing
import TUI
import Retrieval
@testable import Explorer
import FileIO
import ExplorerTestSupport

@Suite struct FolderTreeTests {
    static func items(_ paths: [String], embedded: Set<Int> = []) -> [FolderItem] {
        var b = PathTable.Builder(root: Array("/f".utf8), capacity: paths.count)
        for p in paths { b.add(relative: Array(p.utf8)) }
        let table = b.build()
        return paths.indices.map { i in
            FolderItem(id: i, paths: table, path: i, byteSize: 1, pixelWidth: 1, pixelHeight: 1,
                       state: embedded.contains(i) ? .embedded : .pending)
        }
    }

    @Test func rowsAreHeadersThenFilesAndARecurringFolderSharesItsCounts() {
        let t = FolderTree(items: Self.items(["top.png", "a/a.png", "a/b/c.png", "a/d.png"], embedded: [1, 3]))
        #expect(Array(t.rows) == [.item(0), .header(folder: 1), .item(1), .header(folder: 2), .item(2), .header(folder: 1), .item(3)])
        #expect((0..<4).map { t.row(ofItem: $0) } == [0, 2, 4, 6])
        #expect(t.headerText(1) == "▾ a/ 2/2" && t.headerText(2) == "▾ a/b/ 0/1")
    }

    /// An item is held once per file: its fields round-trip through their 32-bit storage (clamped
    /// beyond it) and it stays within 48 bytes.
    @Test func anItemKeepsItsFieldsInItsCompactStorage() {
        var it = Self.items(["a/b.png", "a/c.png"])[1]
        it.id = 7; it.pixelWidth = 6000; it.pixelHeight = 1 << 40; it.byteSize = 5 << 32
        #expect(it.id == 7 && it.path == 1 && it.pixelWidth == 6000 && it.pixelHeight == Int(Int32.max))
        #expect(it.byteSize == 5 << 32 && it.name == "c.png" && it.folder == "a" && it.absolutePath == "/f/a/c.png")
        #expect(MemoryLayout<FolderItem>.stride <= 48)
    }

    /// The runs give the same rows as a flat list built item by item (a header where the folder
    /// changes, none for the top folder), every item's row holds that item, and the counts adjust.
    @Test func rowsFromRunsEqualAFlatListBuiltItemByItem() {
        var paths = (0..<500).map { i -> String in
            switch i % 5 {
            case 0: return "top\(i).png"
            case 1: return "a/\(i).png"
            case 2: return "a/b/\(i).png"
            case 3: return "a/b/c/\(i).png"
            default: return "z\(i % 3)/\(i).png"
            }
        }
        paths.sort { PathTable.bytewiseLess(Array($0.utf8), Array($1.utf8)) }
        let items = Self.items(paths, embedded: Set(stride(from: 0, to: 500, by: 3)))
        var flat: [FolderTree.Row] = [], folders: [String] = [], rowOf: [Int] = []
        var current: String?
        for (i, it) in items.enumerated() {
            if it.folder != current {
                current = it.folder
                if folders.firstIndex(of: it.folder) == nil { folders.append(it.folder) }
                if !it.folder.isEmpty { flat.append(.header(folder: folders.firstIndex(of: it.folder)!)) }
            }
            rowOf.append(flat.count)
            flat.append(.item(i))
        }
        var t = FolderTree(items: items)
        #expect(Array(t.rows) == flat && t.rows.count == flat.count)
        #expect(items.indices.map { t.row(ofItem: $0) } == rowOf)
        #expect(t.row(ofItem: -1) == 0 && t.row(ofItem: 500) == 0)
        let f = folders.firstIndex(of: "a/b")!
        let before = t.embedded[f]
        t.adjust(item: paths.firstIndex { $0.hasPrefix("a/b/") && !$0.hasPrefix("a/b/c/") }!, embeddedDelta: 1)
        #expect(t.embedded[f] == before + 1 && t.total[f] == 100)
    }

    @Test func countsAreAdjustedPerItemAndEqualARebuild() {
        var s = AppState(size: Size(width: 120, height: 40), modelName: "m", isDemo: false, dimensions: [4], folderPath: "/f")
        s.items = Self.items((0..<300).map { "f\($0 % 7)/\($0).png" }.sorted(), embedded: Set(0..<100))
        #expect(s.embeddedCount == 100)
        for id in [5, 150, 299] { s.setState(of: id, to: .embedded) }
        s.setState(of: 5, to: .failed("x"))
        s.setState(of: 150, to: .embedded)              // no change: counted once
        #expect(s.embeddedCount == 101)
        #expect(s.folderTree == FolderTree(items: s.items))
    }

    @Test func theWindowHoldsTheSelectionAndNeverMoreThanTheHeight() {
        let t = FolderTree(items: Self.items((0..<100_000).map { "d\($0 / 1000)/\($0).png" }))
        #expect(t.rows.count == 100_100)
        for sel in [0, 1, 39, 40, 50_000, 99_999] {
            let w = t.window(selectionRow: t.row(ofItem: sel), height: 38)
            #expect(w.count == 38 && w.contains(t.row(ofItem: sel)), "selection \(sel): \(w)")
        }
        #expect(t.window(selectionRow: 0, height: 0).isEmpty)
        #expect(FolderTree(items: Self.items(["a.png"])).window(selectionRow: 0, height: 10) == 0..<1)
    }
}

@Suite struct TopKRankingTests {
    /// The full ranking at a dimension, as the explorer ranked before (a sort of every score).
    static func full(_ b: FakeBackend, _ v: [Float], _ d: Int) -> [RankedItem] { Ranking.top(b.scores(query: v, dims: d)) }

    @Test func shownRankingsArePrefixesOfTheFullRankingAtEveryDimension() throws {
        let backend = FakeBackend()
        let loop = EventLoop(terminal: VirtualTerminal(width: 120, height: 40), backend: backend, system: RecordingSystemActions())
        loop.runScript("dog on the beach".map { .key(.char($0)) })
        let v = try #require(loop.state.queryVector)
        #expect(Set(loop.state.rankings.keys) == [128])          // only what is on screen
        #expect(loop.state.ranking == Self.full(backend, v, 128))
        loop.runScript([.key(.escape), .key(.char("[")), .key(.char("["))])
        #expect(loop.state.dim == 32 && Set(loop.state.rankings.keys) == [32, 64, 128])
        for d in [32, 128] { #expect(loop.state.rankings[d] == Self.full(backend, v, d)) }
        // The preview's ranks: the count of scores above the item, at every dimension.
        let id = try #require(loop.state.selectedItemID)
        let ranks = try #require(loop.state.previewRanks)
        #expect(ranks.key.id == id)
        for row in ranks.rows {
            let f = Self.full(backend, v, row.dims)
            #expect(row.rank == f.firstIndex { $0.id == id }.map { $0 + 1 } && row.score == f.first { $0.id == id }?.score)
        }
    }

    @Test func scrollingNearTheEndOfThePrefixAsksForADeeperOne() {
        var s = AppState(size: Size(width: 120, height: 40), modelName: "m", isDemo: false, dimensions: [4], folderPath: "/f")
        s.queryVector = [1, 0, 0, 0]
        s.source = .text("q")
        s.queryGeneration = 1
        s.focus = .results
        let prefix = (0..<200).map { RankedItem(id: $0, score: 1 - Float($0) / 1000) }
        _ = Reducer.reduce(&s, .scored(generation: 1, rankings: [4: prefix], latencyMs: 1, ranked: 5_000))
        #expect(s.rankedCount == 5_000 && s.ranking.count == 200)
        var (_, fx) = Reducer.reduce(&s, .move(10))
        #expect(!fx.contains(.rescore(generation: 1, vector: [1, 0, 0, 0])))
        (_, fx) = Reducer.reduce(&s, .move(150))
        #expect(fx.contains(.rescore(generation: 1, vector: [1, 0, 0, 0])) && s.rankDepth == 800)
        (_, fx) = Reducer.reduce(&s, .move(1))                  // already asked: not again
        #expect(!fx.contains(.rescore(generation: 1, vector: [1, 0, 0, 0])))
    }

    @Test func aDimensionSwitchWaitsForItsTopKAndKeepsTheSelectedItem() {
        var s = AppState(size: Size(width: 120, height: 40), modelName: "m", isDemo: false, dimensions: [2, 4], folderPath: "/f")
        s.queryVector = [1, 0, 0, 0]; s.source = .text("q"); s.queryGeneration = 1; s.focus = .results
        _ = Reducer.reduce(&s, .scored(generation: 1, rankings: [4: (0..<5).map { RankedItem(id: $0, score: 1 - Float($0) / 10) }], latencyMs: 1))
        _ = Reducer.reduce(&s, .move(2))
        let (reaction, fx) = Reducer.reduce(&s, .dimensionStep(-1))
        #expect(reaction == .none && fx == [.rankMore(generation: 1, vector: [1, 0, 0, 0])] && !s.hasRankingForDim)
        _ = Reducer.reduce(&s, .scored(generation: 1, rankings: [2: [2, 0, 1, 3, 4].map { RankedItem(id: $0, score: 1 - Float($0) / 10) }],
                                       latencyMs: nil, merge: true))
        #expect(Set(s.rankings.keys) == [2, 4] && s.selectedItemID == 2 && s.resultSelection == 0)
    }
}

@Suite struct SupersededWorkTests {
    @Test func aNewerTicketMakesTheOlderStale() {
        let t = Ticket()
        let a = t.start(1)
        #expect(t.isCurrent(a))
        #expect(t.start(1) == a && t.isCurrent(a))              // a refresh of the same generation
        let b = t.start(2)
        #expect(!t.isCurrent(a) && t.isCurrent(b))
    }

    @Test func stalePreviewRanksAndScoresAreDropped() {
        var s = AppState(size: Size(width: 120, height: 40), modelName: "m", isDemo: false, dimensions: [4], folderPath: "/f")
        s.queryGeneration = 3
        let old = PreviewRanks(key: PreviewRanksKey(generation: 2, snapshot: 0, id: 1), rows: [])
        #expect(Reducer.reduce(&s, .previewRanked(old)).0 == .none && s.previewRanks == nil)
        _ = Reducer.reduce(&s, .scored(generation: 2, rankings: [4: [RankedItem(id: 0, score: 1)]], latencyMs: nil))
        #expect(s.rankings.isEmpty)
    }

    @Test func theDimensionsLensFromScoresEqualsTheLensFromFullRankings() {
        var state: UInt64 = 5
        func next() -> Float { state = state &* 6364136223846793005 &+ 1442695040888963407; return Float(Int(state >> 33) % 50) / 50 }
        let dims = [2, 4, 8]
        var scores: [Int: [Float]] = [:]
        for d in dims { scores[d] = (0..<400).map { i in i % 31 == 0 ? -Float.infinity : next() } }
        let rankings = scores.mapValues { Ranking.top($0) }
        for k in [5, 10, 50] {
            #expect(DimensionsLens.compute(scores: scores, dims: dims, k: k, generation: 1)
                    == DimensionsLens.compute(rankings: rankings, dims: dims, k: k, generation: 1))
        }
    }
}
