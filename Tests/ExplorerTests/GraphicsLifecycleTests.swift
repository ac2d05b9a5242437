// Pixel pictures (kitty / iTerm2 / sixel) live outside the cell grid: the event loop emits them after
// each frame and must remove them on selection change, overlay, resize and quit. A recording
// GraphicsOutput stands in for the terminal; the payloads themselves are checked in TermGraphicsTests.
import Testing
import TUI
import TermGraphics
import Explorer
import ExplorerTestSupport

final class RecordingGraphics: GraphicsOutput {
    enum Call: Equatable { case show(UInt32, Rect), remove(UInt32) }
    var calls: [Call] = []
    var repaintsCells: Bool
    init(repaintsCells: Bool) { self.repaintsCells = repaintsCells }
    func show(_ p: ImagePlacement) { calls.append(.show(p.id, p.rect)) }
    func remove(_ p: ImagePlacement) -> Bool { calls.append(.remove(p.id)); return repaintsCells }
}

@Suite struct GraphicsLifecycleTests {
    static func loop(_ mode: PreviewMode) -> (EventLoop, VirtualTerminal, RecordingGraphics) {
        let (loop, term, _) = Screens.loop(width: 100, height: 30, options: ExplorerOptions(preview: mode, cellPixels: CellPixels(width: 8, height: 16)))
        let g = RecordingGraphics(repaintsCells: mode != .kitty)
        loop.graphics = g
        return (loop, term, g)
    }

    @Test(arguments: [PreviewMode.kitty, .iterm, .sixel])
    func picturesFollowSelectionOverlayAndQuit(mode: PreviewMode) throws {
        let (loop, _, g) = Self.loop(mode)
        loop.runScript([])
        // The first file is previewed at start-up without any key.
        guard case .show(let first, let rect)? = g.calls.last else { Issue.record("nothing shown: \(g.calls)"); return }
        #expect(g.calls.count == 1)
        #expect(rect.width > 0 && rect.height > 0)
        #expect(loop.shownImages.count == 1)
        let payload = loop.shownImages[0].payload
        switch mode {
        case .kitty: #expect(payload.hasPrefix("\u{1B}_Ga=t,f=24,"))
        case .iterm: #expect(payload.hasPrefix("\u{1B}]1337;File=inline=1;"))
        default: #expect(payload.hasPrefix("\u{1B}P"))
        }

        // A query whose top result is another file: the old picture goes, the new one comes.
        g.calls = []
        loop.runScript(Screens.keys("flowers") + [.key(.escape)])
        #expect(g.calls.first == .remove(first))
        guard case .show(let top, _)? = g.calls.last, loop.shownImages.count == 1 else { Issue.record("no new picture: \(g.calls)"); return }
        #expect(top != first)

        // A frame that changes nothing in the preview sends nothing.
        g.calls = []
        loop.runScript([.key(.char("]"))])
        let sameItem = loop.shownImages.first?.id == top
        if sameItem { #expect(g.calls.isEmpty, "\(g.calls)") }

        // Selection change (next result).
        let before = loop.shownImages[0].id
        g.calls = []
        loop.runScript([.key(.char("j"))])
        #expect(g.calls.first == .remove(before))
        let second = loop.shownImages.first?.id ?? 0
        #expect(second != before && g.calls.last == .show(second, loop.shownImages[0].rect))

        // Help overlay: every picture is removed and none is drawn above the overlay.
        g.calls = []
        loop.runScript([.key(.char("?"))])
        #expect(loop.state.overlay == .help)
        #expect(g.calls == [.remove(second)])
        #expect(loop.shownImages.map(\.id) == [])
        loop.runScript([.key(.escape)])
        #expect(g.calls.count == 2 && g.calls.last == .show(second, loop.shownImages.first?.rect ?? rect))

        // Resize: placed again even if the box is unchanged.
        g.calls = []
        loop.runScript([.resize(Size(width: 100, height: 30))])
        #expect(g.calls.count == 2 && g.calls.first == .remove(second), "\(g.calls)")

        // Quit removes what is on screen.
        g.calls = []
        loop.runScript([.key(.char("q"))])
        loop.removeImages()
        #expect(g.calls == [.remove(second)])
        #expect(loop.shownImages.map(\.id) == [])
    }

    @Test func symbolModeDrawsArtInCellsAndEmitsNothing() {
        let (loop, term, g) = Self.loop(.symbols)
        loop.runScript([])
        #expect(g.calls.isEmpty)
        // The preview pane's image box holds symbol cells with free RGB colours.
        let coloured = term.screen.joined().filter { if case .rgb = $0.style.bg { return true } else { return false } }
        #expect(coloured.count > 50)
    }
}
