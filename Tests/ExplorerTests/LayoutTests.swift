// Pure layout: ASCII snapshots at 80×24, 120×40 and 40×12, plus the too-small rule.
import Testing
import TUI
@testable import Explorer

@Suite struct LayoutTests {
    func state(_ w: Int, _ h: Int, view: ViewMode = .browse) -> AppState {
        var s = AppState(size: Size(width: w, height: h), modelName: "m", isDemo: false, dimensions: [64], folderPath: "")
        s.view = view
        return s
    }

    func snapshot(_ w: Int, _ h: Int, view: ViewMode = .browse) -> String {
        let size = Size(width: w, height: h)
        return Layout.ascii(size: size, panes: Layout.compute(size: size, state: state(w, h, view: view)))
    }

    @Test(arguments: [(80, 24, ViewMode.browse, "layout-80x24"), (120, 40, .browse, "layout-120x40"),
                      (40, 12, .browse, "layout-40x12"), (80, 24, .labels, "layout-labels-80x24"),
                      (120, 40, .compare, "layout-compare-120x40")])
    func asciiSnapshots(w: Int, h: Int, view: ViewMode, name: String) throws {
        let term = VirtualTerminal(width: w, height: h)
        for (y, line) in snapshot(w, h, view: view).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            term.put(String(line), at: Point(x: 0, y: y), style: .normal)
        }
        term.flush()
        try Screens.expectGolden(term, name)
    }

    @Test func panesTileTheScreenWithoutOverlap() {
        for (w, h) in [(80, 24), (120, 40), (200, 60), (40, 12), (79, 19)] {
            let panes = Layout.compute(size: Size(width: w, height: h), state: state(w, h))
            var covered = Array(repeating: Array(repeating: 0, count: w), count: h)
            for (_, r) in panes { for y in r.y..<r.maxY { for x in r.x..<r.maxX { covered[y][x] += 1 } } }
            #expect(covered.allSatisfy { $0.allSatisfy { $0 == 1 } }, "\(w)×\(h)")
        }
    }

    @Test func modes() {
        #expect(Layout.mode(for: Size(width: 39, height: 24)) == .tooSmall)
        #expect(Layout.mode(for: Size(width: 80, height: 11)) == .tooSmall)
        #expect(Layout.mode(for: Size(width: 40, height: 12)) == .compact)
        #expect(Layout.mode(for: Size(width: 80, height: 20)) == .full)
    }

    @Test func viewportFollowsTheSelection() {
        #expect(Layout.viewportTop(selection: 0, count: 100, height: 10) == 0)
        #expect(Layout.viewportTop(selection: 50, count: 100, height: 10) == 45)
        #expect(Layout.viewportTop(selection: 99, count: 100, height: 10) == 90)
        #expect(Layout.viewportTop(selection: 3, count: 5, height: 10) == 0)
    }
}
