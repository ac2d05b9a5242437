// Reducer and key map, without a terminal: generations drop superseded results, dimension
// switches keep the selected item, breadcrumbs go back, keys dispatch by context.
import Retrieval
import Testing
import TUI
@testable import Explorer
import ExplorerTestSupport

@Suite struct ReducerTests {
    func fresh(_ size: Size = Size(width: 80, height: 24)) -> AppState {
        var s = AppState(size: size, modelName: "m", isDemo: false, dimensions: [16, 32, 64], folderPath: "/f")
        _ = Reducer.reduce(&s, .items(FakeBackend().items()))
        return s
    }

    @Test func typingStartsANewGenerationAndAsksForAnEmbedding() {
        var s = fresh()
        let (_, fx) = Reducer.reduce(&s, .edit(.insert("猫")))
        #expect(s.queryGeneration == 1)
        #expect(s.source == .text("猫"))
        #expect(fx.contains(.tokenize("猫")))
        #expect(fx.contains(.embedQuery(generation: 1, text: "猫", asQuery: true)))
    }

    @Test func supersededEmbeddingIsDropped() {
        var s = fresh()
        _ = Reducer.reduce(&s, .edit(.insert("c")))
        _ = Reducer.reduce(&s, .edit(.insert("a")))
        let (reaction, fx) = Reducer.reduce(&s, .queryEmbedded(generation: 1, vector: [1, 0], latencyMs: 1))
        #expect(reaction == .none && fx.isEmpty && s.queryVector == nil)
        let (_, fx2) = Reducer.reduce(&s, .queryEmbedded(generation: 2, vector: [1, 0], latencyMs: 1))
        #expect(fx2 == [.score(generation: 2, vector: [1, 0], embedMs: 1)])
    }

    @Test func clearingTheQueryClearsResults() {
        var s = fresh()
        _ = Reducer.reduce(&s, .edit(.insert("x")))
        _ = Reducer.reduce(&s, .scored(generation: 1, rankings: [64: [RankedItem(id: 3, score: 0.5)]], latencyMs: 2))
        #expect(s.ranking.count == 1)
        let (_, fx) = Reducer.reduce(&s, .edit(.backspace))
        #expect(s.source == .none && s.ranking.isEmpty)
        #expect(!fx.contains { if case .embedQuery = $0 { return true } else { return false } })
    }

    @Test func dimensionStepClampsAndKeepsTheSelectedItem() {
        var s = fresh()
        _ = Reducer.reduce(&s, .edit(.insert("x")))
        let r64 = [RankedItem(id: 1, score: 0.9), RankedItem(id: 2, score: 0.8), RankedItem(id: 3, score: 0.7)]
        let r32 = [RankedItem(id: 3, score: 0.9), RankedItem(id: 1, score: 0.8), RankedItem(id: 2, score: 0.7)]
        _ = Reducer.reduce(&s, .scored(generation: 1, rankings: [64: r64, 32: r32, 16: r32], latencyMs: nil))
        _ = Reducer.reduce(&s, .leaveEditor)
        _ = Reducer.reduce(&s, .move(1))                 // item 2 at dim 64
        #expect(s.selectedItemID == 2)
        _ = Reducer.reduce(&s, .dimensionStep(-1))
        #expect(s.dim == 32 && s.resultSelection == 2 && s.selectedItemID == 2)
        _ = Reducer.reduce(&s, .dimensionStep(-5))
        #expect(s.dim == 16)
        _ = Reducer.reduce(&s, .dimensionStep(9))
        #expect(s.dim == 64)
    }

    @Test func similarSearchPushesABreadcrumbAndBackRestoresIt() {
        var s = fresh()
        _ = Reducer.reduce(&s, .edit(.insert("dog")))
        _ = Reducer.reduce(&s, .queryEmbedded(generation: 1, vector: [0.5, 0.5], latencyMs: 1))
        _ = Reducer.reduce(&s, .scored(generation: 1, rankings: [64: [RankedItem(id: 0, score: 0.9)]], latencyMs: 1))
        _ = Reducer.reduce(&s, .leaveEditor)
        let (_, fx) = Reducer.reduce(&s, .searchSimilar)
        #expect(s.source == .image(id: 0))
        #expect(s.breadcrumb.count == 1)
        #expect(fx.contains(.loadVector(id: 0, purpose: .similar(generation: 2))))
        let (_, back) = Reducer.reduce(&s, .back)
        #expect(s.source == .text("dog") && s.breadcrumb.isEmpty && s.query.text == "dog")
        #expect(back.contains(.score(generation: 3, vector: [0.5, 0.5], embedMs: nil)))
    }

    @Test func similarSearchRefusesFailedImagesWithTheReason() {
        var s = fresh()
        s.focus = .folder
        s.folderSelection = 4                          // broken/corrupt.jpg
        let (_, fx) = Reducer.reduce(&s, .searchSimilar)
        #expect(fx.filter { if case .loadVector = $0 { return true } else { return false } }.isEmpty)
        #expect(s.message == "corrupt.jpg: not a JPEG (bad SOI marker)")
    }

    @Test func indexingProgressRescoresAndUpdatesItems() {
        var s = fresh()
        s.items[5].state = .pending
        _ = Reducer.reduce(&s, .edit(.insert("car")))
        _ = Reducer.reduce(&s, .queryEmbedded(generation: 1, vector: [1], latencyMs: 1))
        _ = Reducer.reduce(&s, .backend(.itemChanged(id: 5, state: .embedded)))
        #expect(s.items[5].state == .embedded)
        let (_, fx) = Reducer.reduce(&s, .backend(.progress(done: 20, total: 20)))
        #expect(fx.contains(.rescore(generation: 1, vector: [1])))
        #expect(!s.indexing.running)
    }

    @Test func marksAndChosenPaths() {
        var s = fresh()
        s.focus = .folder
        _ = Reducer.reduce(&s, .toggleMark)
        _ = Reducer.reduce(&s, .move(2))
        _ = Reducer.reduce(&s, .toggleMark)
        #expect(s.marked == [0, 2])
        _ = Reducer.reduce(&s, .move(-2))
        _ = Reducer.reduce(&s, .toggleMark)
        #expect(s.marked == [2])
    }

    @Test func mouseClickSelectsTheRowUnderThePointer() {
        var s = fresh()
        _ = Reducer.reduce(&s, .edit(.insert("x")))
        let r = (0..<10).map { RankedItem(id: $0, score: 1 - Float($0) / 10) }
        _ = Reducer.reduce(&s, .scored(generation: 1, rankings: [64: r], latencyMs: nil))
        let rect = Layout.compute(size: s.size, state: s)[.results]!
        _ = Reducer.reduce(&s, click(s, .left, Point(x: rect.x + 3, y: rect.y + 1 + 4)))
        #expect(s.focus == .results && s.resultSelection == 4)
        _ = Reducer.reduce(&s, click(s, .wheelDown, Point(x: rect.x + 3, y: rect.y + 2)))
        #expect(s.resultSelection == 7)
    }

    /// A mouse event as the event loop makes it: the targets the frame drawn for `s` has under `p`.
    func click(_ s: AppState, _ button: MouseButton, _ p: Point) -> Action {
        let hits = Renderer.render(s, on: VirtualTerminal(width: s.size.width, height: s.size.height))
        return .mouse(button, hits.targets(at: p))
    }

    /// Cross-lingual rows start under the header line: the recorded row rectangles say so, not an offset.
    @Test func clickingACrossLingualRowSelectsIt() {
        var s = fresh()
        s.crossLingual = TextList(rows: ["en", "de", "fr", "ja", "zh"].map { TextList.Row(tag: $0, text: "a cat " + $0) })
        s.view = .crossLingual
        let hits = Renderer.render(s, on: VirtualTerminal(width: 80, height: 24))
        let rows = hits.regions.compactMap { r -> (Rect, Int)? in
            if case .listRow(.crossLingual, let i) = r.target { return (r.rect, i) } else { return nil }
        }
        #expect(rows.map(\.1) == [0, 1, 2, 3, 4])
        for (rect, i) in rows.reversed() {
            _ = Reducer.reduce(&s, .mouse(.left, hits.targets(at: Point(x: rect.x + 2, y: rect.y))))
            #expect(s.crossLingual.selection == i)
        }
        let header = Point(x: rows[0].0.x + 2, y: rows[0].0.y - 1)   // the header line selects nothing
        _ = Reducer.reduce(&s, .mouse(.left, hits.targets(at: header)))
        #expect(s.crossLingual.selection == 0)
    }

    /// A click is the inverse of drawing: wherever a row's name is drawn on screen, clicking that cell
    /// selects that row, also when the list has scrolled and in the folder pane's grouped rows.
    @Test func clickingADrawnNameSelectsThatRow() {
        for size in [Size(width: 80, height: 24), Size(width: 120, height: 40), Size(width: 60, height: 14)] {
            var s = fresh(size)
            _ = Reducer.reduce(&s, .edit(.insert("x")))
            let r = (0..<60).map { RankedItem(id: $0 % 20, score: 1 - Float($0) / 60) }
            _ = Reducer.reduce(&s, .scored(generation: 1, rankings: [64: r], latencyMs: nil))
            s.resultSelection = 30                      // scrolled: row 30 is mid-pane
            let term = VirtualTerminal(width: size.width, height: size.height)
            let hits = Renderer.render(s, on: term)
            var checked = 0
            for region in hits.regions {
                switch region.target {
                case .resultRow(let i):
                    var t = s
                    let p = Point(x: region.rect.maxX - 1, y: region.rect.y)
                    _ = Reducer.reduce(&t, .mouse(.left, hits.targets(at: p)))
                    #expect(t.resultSelection == i && t.focus == .results, "\(size) row \(i)")
                    // The row drawn there shows that rank.
                    #expect(term.lines[region.rect.y].contains(" \(i + 1) "), "\(size) row \(i): \(term.lines[region.rect.y])")
                    checked += 1
                case .folderItem(let i):
                    var t = s
                    _ = Reducer.reduce(&t, .mouse(.left, hits.targets(at: Point(x: region.rect.x, y: region.rect.y))))
                    #expect(t.folderSelection == i && t.focus == .folder, "\(size) item \(i)")
                    #expect(term.lines[region.rect.y].contains(s.items[i].name.prefix(6)), "\(size) item \(i)")
                    checked += 1
                default: break
                }
            }
            #expect(checked >= 8, "\(size): \(checked) rows")
        }
    }

    @Test func typingInTheCompareViewEditsTheQuery() {
        var s = fresh()
        _ = Reducer.reduce(&s, .leaveEditor)
        _ = Reducer.reduce(&s, .setView(.compare))
        #expect(s.view == .compare && !s.isEditing)
        #expect(s.compareDim != s.dim)                 // entering compare never compares a dim with itself
        _ = Reducer.reduce(&s, .focusQuery)
        #expect(s.view == .compare && s.isEditing)
        #expect(KeyMap.action(for: .char("c"), in: s) == .edit(.insert("c")))
    }

    @Test func previewIsRequestedOnceForTheSelectedItem() {
        var s = AppState(size: Size(width: 80, height: 24), modelName: "m", isDemo: false, dimensions: [16, 32, 64], folderPath: "/f")
        let (_, fx) = Reducer.reduce(&s, .items(FakeBackend().items()))
        let loads = fx.filter { if case .loadPreview = $0 { return true } else { return false } }
        #expect(loads.count == 1)
        let (_, again) = Reducer.reduce(&s, .resize(Size(width: 80, height: 24)))
        #expect(again.isEmpty)
    }
}

@Suite struct KeyMapTests {
    func state(editing: Bool) -> AppState {
        var s = AppState(size: Size(width: 80, height: 24), modelName: "m", isDemo: false, dimensions: [64], folderPath: "")
        s.focus = editing ? .query : .results
        return s
    }

    @Test func qTypesInTheEditorAndQuitsOutside() {
        #expect(KeyMap.action(for: .char("q"), in: state(editing: true)) == .edit(.insert("q")))
        #expect(KeyMap.action(for: .char("q"), in: state(editing: false)) == .quit(.accept))
        #expect(KeyMap.action(for: .ctrl("c"), in: state(editing: true)) == .quit(.abort))
        #expect(KeyMap.action(for: .ctrl("c"), in: state(editing: false)) == .quit(.abort))
    }

    @Test func helpOverlayTakesKeysFirst() {
        var s = state(editing: false)
        s.overlay = .help
        #expect(KeyMap.action(for: .char("q"), in: s) == .toggleHelp)
        #expect(KeyMap.action(for: .char("c"), in: s) == nil)
        #expect(KeyMap.action(for: .ctrl("c"), in: s) == .quit(.abort))
    }

    @Test func noKeyIsBoundTwiceInOneContext() {
        for context in KeyContext.allCases {
            var seen: Set<Key> = []
            for b in KeyMap.bindings where b.context == context {
                for k in b.keys {
                    #expect(!seen.contains(k), "\(k) bound twice in \(context)")
                    seen.insert(k)
                }
            }
        }
    }

    @Test func helpAndMarkdownComeFromTheSameTable() {
        let md = KeyMap.markdown()
        for b in KeyMap.bindings where b.context != .help {
            #expect(md.contains(b.help), "\(b.help) missing from the key list")
        }
        #expect(md.contains("| `[ -` |") && md.contains("| `Ctrl-C` |"))
    }

    @Test func hintsFollowTheContext() {
        let outside = KeyMap.hints(for: state(editing: false)).map(\.label)
        #expect(outside.contains("quit") && outside.contains("compare"))
        let inside = KeyMap.hints(for: state(editing: true)).map(\.label)
        #expect(inside.contains("tokens") && !inside.contains("compare"))
    }
}
