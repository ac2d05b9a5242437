// The thumbnail grid (`v`): reached through the key table, laid out from the pane (the preview stays),
// moved in with h j k l, one pixel picture per block (only changed pictures are sent again), symbol
// art in blocks (golden screens), and thumbnails requested once per batch.
import Foundation
import Testing
import TUI
import TermGraphics
import Explorer
import Retrieval
import TestSupport
import ExplorerTestSupport

@Suite struct GridTests {
    static let symbols = ExplorerOptions(preview: .symbols, cellPixels: CellPixels(width: 10, height: 20))

    @Test func vTogglesTheGridThroughTheKeyTable() {
        let (loop, _, _) = Screens.loop(width: 120, height: 40, options: Self.symbols)
        loop.runScript(Screens.keys("dog") + [.key(.escape)])
        #expect(KeyMap.action(for: .char("v"), in: loop.state) == .toggleGrid)
        loop.runScript([.key(.char("v"))])
        #expect(loop.state.grid)
        let panes = Layout.compute(size: loop.state.size, state: loop.state)
        #expect(panes[.folder] == nil && panes[.results] != nil && panes[.preview] != nil)
        #expect(KeyMap.hints(for: loop.state).contains { $0.key == "v" && $0.label == "grid" })
        #expect(KeyMap.helpLines().contains { $0.keys == "v" })
        loop.runScript([.key(.char("v"))])
        #expect(!loop.state.grid)
        #expect(Layout.compute(size: loop.state.size, state: loop.state)[.folder] != nil)
    }

    @Test func movingInTheGrid() throws {
        let (loop, _, _) = Screens.loop(width: 120, height: 40, options: Self.symbols)
        loop.runScript(Screens.keys("dog") + [.key(.escape), .key(.char("v"))])
        let g = try #require(ResultsGrid.geometry(loop.state))
        #expect(g.columns >= 2 && g.rows >= 2)
        #expect(loop.state.resultSelection == 0)
        loop.runScript([.key(.char("l"))])
        #expect(loop.state.resultSelection == 1)
        loop.runScript([.key(.char("j"))])
        #expect(loop.state.resultSelection == 1 + g.columns)
        loop.runScript([.key(.right), .key(.up)])
        #expect(loop.state.resultSelection == 2)
        loop.runScript([.key(.char("h")), .key(.left), .key(.left)])
        #expect(loop.state.resultSelection == 0)
        // The preview follows the grid's selection.
        loop.runScript([.key(.down)])
        #expect(loop.state.selectedItemID == loop.state.ranking[g.columns].id)
        // Scrolling far down keeps the selection on screen (its block is drawn).
        loop.runScript([.key(.char("G"))])
        let last = loop.state.ranking.count - 1
        #expect(loop.state.resultSelection == last)
        let term = VirtualTerminal(width: 120, height: 40)
        let hits = Renderer.render(loop.state, on: term)
        #expect(hits.regions.contains { $0.target == .resultRow(last) })
    }

    @Test func symbolGridGolden() throws {
        let (loop, term, _) = Screens.loop(width: 120, height: 40, options: Self.symbols)
        loop.runScript(Screens.keys("a dog on the beach") + [.key(.escape), .key(.char("v")), .key(.char("l"))])
        #expect(loop.state.thumbnails.count >= 6)
        try Screens.expectGolden(term, "grid-symbols-120x40")
    }

    @Test func symbolListGolden() throws {
        let (loop, term, _) = Screens.loop(width: 80, height: 24, options: Self.symbols)
        loop.runScript(Screens.keys("a dog on the beach") + [.key(.escape)])
        try Screens.expectGolden(term, "symbols-80x24")
    }

    @Test func kittyGridShowsOnePicturePerBlockAndResendsOnlyWhatChanged() throws {
        let (loop, _, _) = Screens.loop(width: 120, height: 40, options: ExplorerOptions(preview: .kitty, cellPixels: CellPixels(width: 8, height: 16)))
        let g = RecordingGraphics(repaintsCells: false)
        loop.graphics = g
        loop.runScript(Screens.keys("dog") + [.key(.escape), .key(.char("v"))])
        let geo = try #require(ResultsGrid.geometry(loop.state))
        let visible = min(loop.state.ranking.count, geo.columns * geo.rows)
        let thumbs = loop.shownImages.filter { $0.id & 0x4000_0000 != 0 }
        #expect(thumbs.count == visible)
        #expect(loop.shownImages.count == visible + 1)           // and the selected result's large preview
        #expect(Set(loop.shownImages.map(\.id)).count == loop.shownImages.count)
        for p in thumbs {
            #expect(p.rect.width <= geo.imageCols && p.rect.height <= geo.imageRows)
            #expect(p.payload.hasPrefix("\u{1B}_Ga=t,f=24,"))
        }
        // Next block: the large preview changes; the thumbnails stay on screen untouched.
        g.calls = []
        loop.runScript([.key(.char("l"))])
        let removed = g.calls.compactMap { if case .remove(let id) = $0 { return id } else { return nil } }
        let shown = g.calls.compactMap { if case .show(let id, _) = $0 { return id } else { return nil } }
        #expect(removed.count == 1 && shown.count == 1, "\(g.calls)")
        #expect(removed.allSatisfy { $0 & 0x4000_0000 == 0 } && shown.allSatisfy { $0 & 0x4000_0000 == 0 })
        // Leaving the grid removes every thumbnail.
        g.calls = []
        loop.runScript([.key(.char("v"))])
        #expect(loop.shownImages.allSatisfy { $0.id & 0x4000_0000 == 0 })
        #expect(g.calls.filter { if case .remove = $0 { return true } else { return false } }.count == visible)
    }

    /// Scrolling a kitty grid through the terminal's GraphicsOutput, the bytes of each step parsed
    /// back into kitty commands: an image's data is transmitted (a=t) once; scrolling back only
    /// places (a=p) and unplaces (a=d,d=i) pictures, and after every step the placed pictures are
    /// exactly the ones the frame shows. Quitting deletes every id that was sent (a=d,d=I).
    @Test func kittyGridScrollSendsEachThumbnailOnce() throws {
        let (loop, _, _) = Screens.loop(width: 120, height: 40, options: ExplorerOptions(preview: .kitty, cellPixels: CellPixels(width: 8, height: 16)))
        var out = ""
        loop.graphics = EscapeGraphicsOutput(mode: .kitty, tmuxPassthrough: false) { out += $0 }
        loop.runScript(Screens.keys("dog") + [.key(.escape), .key(.char("v"))])
        let geo = try #require(ResultsGrid.geometry(loop.state))
        let gridRows = (loop.state.ranking.count + geo.columns - 1) / geo.columns
        try #require(gridRows > geo.rows, "the fake folder must scroll")
        var sent: [UInt32: Int] = [:]         // id → transmissions
        var placed: Set<UInt32> = []
        func replay(_ step: String) -> (sent: [UInt32], dataBytes: Int) {
            var new: [UInt32] = [], data = 0
            for c in KittyCommands.parse(out) {
                data += c.data.utf8.count
                guard let id = c.keys["i"].flatMap(UInt32.init) else { continue }
                switch (c.keys["a"], c.keys["d"]) {
                case ("t"?, _): sent[id, default: 0] += 1; new.append(id)
                case ("p"?, _): placed.insert(id)
                case ("d"?, "i"?): placed.remove(id)
                case ("d"?, "I"?): placed.remove(id); sent[id] = nil
                default: Issue.record("\(step): unexpected command \(c.keys)")
                }
            }
            out = ""
            #expect(placed == Set(loop.shownImages.map(\.id)), "\(step): placed pictures differ from the frame's")
            return (new, data)
        }
        _ = replay("grid")
        for step in 0..<(gridRows + 1) {
            loop.runScript([.key(.char("j"))])
            _ = replay("down \(step)")
        }
        #expect(sent.keys.filter { $0 & 0x4000_0000 != 0 }.count == loop.state.ranking.count, "every thumbnail was shown once")
        for step in 0..<(gridRows + 1) {
            loop.runScript([.key(.char("k"))])
            let r = replay("up \(step)")
            // Only the selected result's large preview may be new; no thumbnail is sent again.
            #expect(r.sent.allSatisfy { $0 & 0x4000_0000 == 0 }, "up \(step): thumbnails re-sent: \(r.sent)")
        }
        #expect(sent.values.allSatisfy { $0 == 1 }, "an image was transmitted twice: \(sent.filter { $0.value > 1 })")
        loop.runScript([.key(.char("q"))])
        loop.removeImages()
        _ = replay("quit")
        #expect(sent.isEmpty, "not deleted on exit: \(sent.keys.sorted())")
    }

    @Test func thumbnailsAreRequestedOnceAndBounded() throws {
        var s = AppState(size: Size(width: 120, height: 40), modelName: "m", isDemo: false, dimensions: [8],
                         folderPath: "/f", options: Self.symbols)
        s.items = (0..<300).map { FolderItem(id: $0, relativePath: "\($0).jpg", absolutePath: "/f/\($0).jpg", byteSize: 1, pixelWidth: 0, pixelHeight: 0, state: .embedded) }
        s.source = .text("x")
        s.rankings = [8: (0..<300).map { RankedItem(id: $0, score: 1 - Float($0) / 300) }]
        s.rankedCount = 300
        s.focus = .results
        var (_, fx) = Reducer.reduce(&s, .toggleGrid)
        let batches = fx.compactMap { if case .loadThumbnails(let k) = $0 { return k } else { return nil } }
        let g = try #require(ResultsGrid.geometry(s))
        #expect(batches.count == 1)
        #expect(batches.first?.count == 2 * g.columns * g.rows)   // the screen and the next one
        #expect(batches.first?.allSatisfy(\.thumbnail) == true)
        // Another key that changes nothing the grid needs: no new batch.
        (_, fx) = Reducer.reduce(&s, .gridMove(dx: 1, dy: 0))
        #expect(!fx.contains { if case .loadThumbnails = $0 { return true } else { return false } })
        // Arrivals fill the grid; the in-memory set stays bounded however far one scrolls.
        for step in 0..<40 {
            for k in ResultsGrid.wantedKeys(s) where s.thumbnails[k] == nil {
                _ = Reducer.reduce(&s, .previewLoaded(k, PreviewImage(width: 1, height: 1, rgb: [1, 2, 3])))
            }
            _ = Reducer.reduce(&s, .gridMove(dx: 0, dy: step < 30 ? 1 : -1))
        }
        #expect(s.thumbnails.count <= AppState.thumbnailLimit)
        #expect(ResultsGrid.wantedKeys(s).allSatisfy { s.thumbnails[$0] != nil })
    }

    @Test func previewAndThumbnailOfOneItemHaveDistinctKittyIDs() {
        let a = PreviewKey(id: 3, maxWidth: 10, maxHeight: 10, mode: .kitty)
        var b = a
        b.thumbnail = true
        #expect(PreviewArtist.imageID(a) == 4)
        #expect(PreviewArtist.imageID(b) == 4 | 0x4000_0000)
    }
}
