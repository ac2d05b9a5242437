// Terminal sizes from 0×0 to 300×100: goldens of the smallest screens, and resize storms
// where the loop receives hundreds of sizes (1×1 ↔ 300×100 jumps included) while typing, navigation
// and worker results interleave. Every frame must fit its size exactly (as many rows as the height,
// every row exactly `width` cells), and resizing must change nothing but the size: the same events
// without the resizes end in the same state and, back at 80×24, on the same screen.
import Foundation
import Testing
import TestSupport
import TUI
@testable import Explorer
import ExplorerTestSupport

/// Seeded so a failing storm can be replayed from its seed.
typealias StormRandom = SeededGenerator

@Suite struct ResizeStormTests {
    /// Sizes at and around every layout threshold, and the extremes.
    static let edgeSizes = [Size(width: 1, height: 1), Size(width: 300, height: 100), Size(width: 20, height: 5),
                            Size(width: 2, height: 2), Size(width: 0, height: 0), Size(width: 40, height: 12),
                            Size(width: 39, height: 11), Size(width: 80, height: 20), Size(width: 79, height: 19),
                            Size(width: 1, height: 100), Size(width: 300, height: 1)]

    /// Keys whose effect does not depend on the layout (no Tab / h / l focus cycling, which skips
    /// the folder pane in compact mode; no paging; no q / Ctrl-C, which would end the storm).
    static let keys: [Key] = [.char("r"), .char("e"), .char("d"), .char(" "), .char("c"), .char("a"), .char("n"),
                              .char("w"), .char("海"), .char("🐶"), .backspace, .escape, .enter, .char("j"),
                              .char("k"), .down, .up, .char("["), .char("]"), .char("/"), .char("x"), .char("z"),
                              .char("b"), .char("?"), .ctrl("t"), .char("g"), .char("G"), .ctrl("u"), .char("s")]

    static func randomSize(_ r: inout StormRandom) -> Size {
        if r.int(0...4) == 0 { return edgeSizes[r.int(0...(edgeSizes.count - 1))] }
        return Size(width: r.int(1...300), height: r.int(1...100))
    }

    /// The frame fits its size exactly, the state knows the size, every pane lies on the screen,
    /// the right kind of screen is shown, and selections and caches stay in range.
    static func checkFrame(_ term: VirtualTerminal, _ s: AppState, _ step: String,
                           sourceLocation: SourceLocation = #_sourceLocation) {
        let w = term.size.width, h = term.size.height
        #expect(s.size == term.size, "\(step): state size \(s.size) vs terminal \(term.size)", sourceLocation: sourceLocation)
        #expect(term.screen.count == h && term.screen.allSatisfy { $0.count == w }, "\(step): grid", sourceLocation: sourceLocation)
        let lines = term.lines
        #expect(lines.count == h, "\(step): \(lines.count) rows on a \(w)×\(h) screen", sourceLocation: sourceLocation)
        for (y, line) in lines.enumerated() where TextWidth.width(line) != w {
            Issue.record("\(step): row \(y) is \(TextWidth.width(line)) cells on a \(w)×\(h) screen: \(line)", sourceLocation: sourceLocation)
            break
        }
        for (id, r) in Layout.compute(size: term.size, state: s) where r.x < 0 || r.y < 0 || r.maxX > w || r.maxY > h {
            Issue.record("\(step): pane \(id) \(r) outside \(w)×\(h)", sourceLocation: sourceLocation)
        }
        switch Layout.mode(for: term.size) {
        case .tooSmall:
            if let first = HelpOverlay.tooSmallLines(size: term.size).first {
                #expect(term.text.contains(first), "\(step): no too-small message at \(w)×\(h)", sourceLocation: sourceLocation)
            }
        case .compact:
            #expect(lines[0].hasPrefix("›"), "\(step): compact query line: \(lines[0])", sourceLocation: sourceLocation)
        case .full:
            // The query box (its title is "Query" or the breadcrumb of an image search).
            #expect(lines[0].hasPrefix("┌ ") && lines[0].hasSuffix("┐"), "\(step): full query box: \(lines[0])", sourceLocation: sourceLocation)
        }
        #expect(s.resultSelection >= 0 && s.resultSelection < max(1, s.ranking.count), "\(step): result selection", sourceLocation: sourceLocation)
        #expect(s.folderSelection >= 0 && s.folderSelection < max(1, s.items.count), "\(step): folder selection", sourceLocation: sourceLocation)
        #expect(s.dimensions.indices.contains(s.dimIndex), "\(step): dimension", sourceLocation: sourceLocation)
        #expect(s.previews.count <= AppState.previewCacheLimit, "\(step): \(s.previews.count) previews cached", sourceLocation: sourceLocation)
        #expect(s.failedPreviews.count <= AppState.failedPreviewLimit, "\(step): failed previews", sourceLocation: sourceLocation)
    }

    /// The state without what legitimately depends on the size (the size and the preview cache,
    /// which is keyed by the preview's cell box).
    static func sizeFree(_ s: AppState) -> AppState {
        var s = s
        s.size = Size(width: 0, height: 0)
        s.previews = [:]
        s.previewRequested = nil
        s.failedPreviews = []
        return s
    }

    // MARK: goldens

    @Test(arguments: [(1, 1, "resize-1x1"), (2, 2, "resize-2x2"), (20, 5, "resize-20x5")])
    func smallestScreens(w: Int, h: Int, name: String) throws {
        let (loop, term, _) = Screens.loop()
        loop.runScript(Screens.keys("red car"))
        term.resize(width: w, height: h)
        loop.runScript([try #require(term.readEvent(timeoutMs: 0))])
        Self.checkFrame(term, loop.state, "\(w)×\(h)")
        try Screens.expectGolden(term, name)
        // Typing goes on while the screen is too small; back at 80×24 the query shows it.
        loop.runScript(Screens.keys(" x"))
        #expect(loop.state.query.text == "red car x")
        term.resize(width: 80, height: 24)
        loop.runScript([try #require(term.readEvent(timeoutMs: 0))])
        #expect(term.lines[1].contains("› red car x"), "\(term.lines[1])")
    }

    @Test func zeroSizeDrawsNothingAndRecovers() throws {
        let (loop, term, _) = Screens.loop()
        loop.runScript(Screens.keys("snow"))
        let before = term.text
        term.resize(width: 0, height: 0)
        loop.runScript([try #require(term.readEvent(timeoutMs: 0))])
        #expect(term.lines.isEmpty)
        term.resize(width: 80, height: 24)
        loop.runScript([try #require(term.readEvent(timeoutMs: 0))])
        #expect(term.text == before)
    }

    @Test func tooSmallMessageFitsEverySmallSize() {
        for w in 0...45 {
            for h in 0...13 {
                let lines = HelpOverlay.tooSmallLines(size: Size(width: w, height: h))
                #expect(lines.count <= h && lines.allSatisfy { TextWidth.width($0) <= w }, "\(w)×\(h): \(lines)")
                if w >= 1 && h >= 1 { #expect(!lines.isEmpty, "\(w)×\(h): nothing to show") }
            }
        }
        #expect(HelpOverlay.tooSmallLines(size: Size(width: 1, height: 1)) == ["!"])
        #expect(HelpOverlay.tooSmallLines(size: Size(width: 20, height: 5)) == ["Terminal too small", "20×5, need 40×12", "q / Ctrl-C quit"])
        #expect(HelpOverlay.tooSmallLines(size: Size(width: 12, height: 3)) == ["too small", "need 40×12", "q quit"])
    }

    /// The preview cache is keyed by image and cell box: one image seen at 500 sizes (a resize
    /// storm with the selection still) must not keep 500 pictures; the current one is kept.
    @Test func previewCachesStayBoundedAcrossSizes() {
        var s = AppState(size: Size(width: 80, height: 24), modelName: "m", isDemo: false, dimensions: [64], folderPath: "")
        let picture = PreviewImage(width: 2, height: 2, rgb: [UInt8](repeating: 7, count: 12))
        for i in 0..<500 {
            // Mostly the same image (the selection stays put during a storm), sometimes another.
            let key = PreviewKey(id: i % 10 == 0 ? 1 : 0, maxWidth: 10 + i, maxHeight: 4 + i % 50)
            _ = Reducer.reduce(&s, .previewLoaded(key, picture))
            #expect(s.previews[key] == picture)
            #expect(s.previews.count <= AppState.previewCacheLimit)
            _ = Reducer.reduce(&s, .previewLoaded(PreviewKey(id: 99, maxWidth: 10 + i, maxHeight: 3), nil))
            #expect(s.failedPreviews.count <= AppState.failedPreviewLimit)
        }
        #expect(s.previews.count >= 1 && s.failedPreviews.count >= 1)
    }

    // MARK: storms

    /// 300 events per seed, about half of them resizes, on the inline loop (deterministic); the same
    /// events without the resizes on a fixed 80×24 terminal must end in the same state and screen.
    /// (Not more: a frame of up to 300×100 cells, with a new fake preview painted for every new
    /// size, takes tens of milliseconds in a debug build.)
    @Test(arguments: [UInt64(1), 2])
    func inlineStormChangesNothingButTheSize(seed: UInt64) throws {
        var rng = StormRandom(state: seed)
        let (loop, term, _) = Screens.loop()
        let (reference, refTerm, _) = Screens.loop()
        var resizes = 0
        for step in 0..<300 {
            if rng.int(0...1) == 0 {
                let size = Self.randomSize(&rng)
                term.resize(width: size.width, height: size.height)
                loop.runScript([try #require(term.readEvent(timeoutMs: 0))])
                resizes += 1
            } else {
                let key = Self.keys[rng.int(0...(Self.keys.count - 1))]
                loop.runScript([.key(key)])
                reference.handle(.key(key))      // drawn once at the end
                reference.settle()
            }
            Self.checkFrame(term, loop.state, "seed \(seed) step \(step)")
            #expect(loop.state.quit == nil)
        }
        #expect(resizes > 110)
        #expect(Self.sizeFree(loop.state) == Self.sizeFree(reference.state))
        term.resize(width: 80, height: 24)
        loop.runScript([try #require(term.readEvent(timeoutMs: 0))])
        reference.renderIfNeeded()
        #expect(term.text == refTerm.text)
    }

    /// The threaded loop while the folder is still being indexed: worker results (indexing
    /// progress, query embeddings, scores, previews) arrive between resizes and keystrokes.
    @Test func threadedStormWhileIndexing() throws {
        var rng = StormRandom(state: 42)
        let term = VirtualTerminal(width: 80, height: 24)
        let backend = FakeBackend(indexed: false, indexingDelayMs: 2)
        let loop = EventLoop(terminal: term, backend: backend, options: ExplorerOptions(debounceMs: 1),
                             system: RecordingSystemActions(), execution: .threaded)
        let typing: [Key] = Array("snow dog 海滩").map { .char($0) } + [.backspace, .ctrl("u")]
        for step in 0..<400 {
            if rng.int(0...1) == 0 {
                let size = Self.randomSize(&rng)
                term.resize(width: size.width, height: size.height)
                loop.handle(try #require(term.readEvent(timeoutMs: 0)))
            } else {
                loop.handle(.key(typing[rng.int(0...(typing.count - 1))]))
            }
            if rng.int(0...3) == 0 { usleep(UInt32(rng.int(0...3000))) }   // let workers post meanwhile
            loop.settle()
            loop.renderIfNeeded()
            Self.checkFrame(term, loop.state, "threaded step \(step)")
        }
        #expect(loop.state.quit == nil)
        loop.handle(.key(.ctrl("u")))
        for c in "snow" { loop.handle(.key(.char(c))) }
        term.resize(width: 80, height: 24)
        loop.handle(try #require(term.readEvent(timeoutMs: 0)))
        for _ in 0..<500 where loop.state.indexing.running || loop.state.scoredGeneration != loop.state.queryGeneration
            || loop.state.ranking.count != 19 {
            loop.settle()
            usleep(10_000)
        }
        loop.settle()
        loop.renderIfNeeded()
        #expect(loop.state.ranking.count == 19)
        #expect(loop.state.query.text == "snow")
        Self.checkFrame(term, loop.state, "threaded end")
        #expect(term.text.contains("alps-snow"), "\(term.text)")
    }
}
