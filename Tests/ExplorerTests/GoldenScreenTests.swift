// Golden screens at 80×24, 120×40, 200×60 and 40×12: the explorer on the FakeBackend driven by
// scripted keys, compared cell-for-cell (as text) with Tests/Fixtures/screens/*.txt.
import Foundation
import Testing
import TUI
import Explorer
import TestSupport
import ExplorerTestSupport

@Suite struct GoldenScreenTests {
    @Test func startupOnTheFakeFolder() throws {
        let (loop, term, _) = Screens.loop()
        loop.renderIfNeeded()
        try Screens.expectGolden(term, "startup-80x24")
    }

    @Test func typingAChineseQuery() throws {
        let (loop, term, _) = Screens.loop()
        loop.runScript(Screens.keys("海滩上的狗"))
        try Screens.expectGolden(term, "chinese-query-80x24")
        #expect(loop.state.query.text == "海滩上的狗")
        #expect(loop.state.ranking.first.flatMap { loop.state.item($0.id)?.name } == "dog-on-beach.jpg")
    }

    @Test func changingTheDimension() throws {
        let (loop, term, _) = Screens.loop()
        loop.runScript(Screens.keys("dog on the beach") + [.key(.escape), .key(.char("[")), .key(.char("["))])
        #expect(loop.state.dim == 32)
        try Screens.expectGolden(term, "dimension-32-80x24")
    }

    @Test func compareView() throws {
        let (loop, term, _) = Screens.loop(width: 120, height: 40)
        loop.runScript(Screens.keys("a city at night") + [.key(.escape), .key(.char("c")), .key(.char("[")),
                                                            .key(.char("{")), .key(.char("{"))])
        #expect(loop.state.view == .compare)
        try Screens.expectGolden(term, "compare-120x40")
    }

    @Test func crossLingualView() throws {
        let (loop, term, _) = Screens.loop()
        loop.runScript([.key(.escape), .key(.char("x"))])
        #expect(loop.state.crossLingual.rows.allSatisfy { $0.vector != nil })
        try Screens.expectGolden(term, "cross-lingual-80x24")
    }

    @Test func crossLingualRowEditing() throws {
        let (loop, term, _) = Screens.loop()
        loop.runScript([.key(.escape), .key(.char("x")), .key(.char("a"))] + Screens.keys("犬が雪の中") + [.key(.enter)])
        #expect(loop.state.crossLingual.rows.count == 9)
        #expect(loop.state.crossLingual.rows.last?.text == "犬が雪の中")
        #expect(loop.state.crossLingual.rows.last?.vector != nil)
        try Screens.expectGolden(term, "cross-lingual-edited-80x24")
    }

    @Test func helpOverlay() throws {
        let (loop, term, _) = Screens.loop()
        loop.runScript([.key(.escape), .key(.char("?"))])
        try Screens.expectGolden(term, "help-80x24")
        loop.runScript([.key(.char("q"))])        // q closes help, does not quit
        #expect(loop.state.overlay == nil && loop.state.quit == nil)
    }

    @Test func tokenizationOverlay() throws {
        let (loop, term, _) = Screens.loop()
        loop.runScript(Screens.keys("un perro xyzzy") + [.key(.ctrl("t"))])
        #expect(loop.state.tokens == ["▁un", "▁perro", "<unk>"])
        try Screens.expectGolden(term, "tokens-80x24")
    }

    @Test func imageToImageWithBreadcrumbAndBack() throws {
        let (loop, term, _) = Screens.loop()
        loop.runScript(Screens.keys("snow") + [.key(.escape), .key(.enter)])
        guard case .image(let id) = loop.state.source else { Issue.record("no image search"); return }
        #expect(loop.state.ranking.first?.id == id)       // the image itself ranks first
        try Screens.expectGolden(term, "similar-80x24")
        loop.runScript([.key(.escape)])
        #expect(loop.state.source == .text("snow"))
        #expect(loop.state.breadcrumb.isEmpty)
    }

    @Test func labelsView() throws {
        let (loop, term, _) = Screens.loop()
        loop.runScript(Screens.keys("kitten") + [.key(.escape), .key(.char("z"))])
        #expect(loop.state.view == .labels)
        try Screens.expectGolden(term, "labels-80x24")
    }

    @Test func resizeToSmallAndBack() throws {
        let (loop, term, _) = Screens.loop()
        loop.runScript(Screens.keys("red car"))
        let before = term.text
        term.resize(width: 40, height: 12)
        loop.runScript([term.readEvent(timeoutMs: 0)!])
        try Screens.expectGolden(term, "resize-compact-40x12")
        term.resize(width: 30, height: 10)
        loop.runScript([term.readEvent(timeoutMs: 0)!])
        try Screens.expectGolden(term, "resize-too-small-30x10")
        term.resize(width: 80, height: 24)
        loop.runScript([term.readEvent(timeoutMs: 0)!])
        #expect(term.text == before)
    }

    @Test func browseAt120x40WithFolderFocus() throws {
        let (loop, term, _) = Screens.loop(width: 120, height: 40)
        loop.runScript(Screens.keys("flowers") + [.key(.tab), .key(.char("j")), .key(.char("j")), .key(.char(" "))])
        #expect(loop.state.focus == .folder && loop.state.marked == [2])
        try Screens.expectGolden(term, "browse-folder-120x40")
    }

    @Test func wideTerminal() throws {
        let (loop, term, _) = Screens.loop(width: 200, height: 60)
        loop.runScript(Screens.keys("собака на пляже") + [.key(.escape), .key(.char("j"))])
        try Screens.expectGolden(term, "query-200x60")
    }

    @Test func noImagesShowsMetadataOnly() throws {
        let (loop, term, _) = Screens.loop(options: ExplorerOptions(showImages: false))
        loop.renderIfNeeded()
        #expect(!term.text.contains("▀"))
        #expect(term.text.contains("beach/dog-on-beach.jpg"))
        #expect(loop.state.previews.isEmpty)
    }

    @Test func previewUsesHalfBlockColours() {
        let (loop, term, _) = Screens.loop()
        loop.renderIfNeeded()
        guard let y = term.lines.firstIndex(where: { $0.contains("▀") }),
              let x = term.lines[y].firstIndex(of: "▀") else { Issue.record("no preview drawn"); return }
        let col = term.lines[y].distance(from: term.lines[y].startIndex, to: x)
        if case .rgb = term.style(at: Point(x: col, y: y)).fg {} else { Issue.record("preview cell without RGB colour") }
    }
}
