// The dimensions view: its pure parts (summary, layout, sparkline levels, histogram), the reducer (k
// cycling, the folder curve request and cache) and golden screens at 80×24 and 120×40.
import Foundation
import Retrieval
import Testing
import TUI
@testable import Explorer

@Suite struct DimensionsViewTests {
    @Test func summaryUsesRetrievalsMetricsAgainstTheFullWidth() throws {
        // Full (dim 4): 0 1 2 3 4 5; dim 2: 2 0 5 1 3 4.
        let full = [0, 1, 2, 3, 4, 5].map { RankedItem(id: $0, score: 1 - Float($0) / 10) }
        let small = [2, 0, 5, 1, 3, 4].enumerated().map { RankedItem(id: $0.element, score: 1 - Float($0.offset) / 10) }
        let lens = try #require(DimensionsLens.compute(rankings: [2: small, 4: full], dims: [2, 4], k: 3, generation: 7))
        let c = TopKComparison(fullA: small, fullB: full, k: 3)
        #expect(lens.rows[0] == TruncationRow(dims: 2, overlap: c.overlap, top1: 0, rbo: c.rbo, kendallTau: c.kendallTau))
        #expect(lens.rows[1] == TruncationRow(dims: 4, overlap: 1, top1: 1, rbo: 1, kendallTau: 1))
        #expect(lens.trajectories.map(\.id) == [0, 1, 2])
        #expect(lens.trajectories.map(\.ranks) == [[2, 1], [4, 2], [1, 3]])
        #expect(lens.entrants == [DimensionsLens.Entrant(id: 5, dims: [2], fullRank: 6)])
        #expect(DimensionsLens.compute(rankings: [:], dims: [2, 4], k: 3, generation: 0) == nil)
        // k larger than the ranking: cut to what is ranked
        #expect(DimensionsLens.compute(rankings: [2: small, 4: full], dims: [2, 4], k: 50, generation: 7)?.k == 6)
    }

    @Test func sparklineLevelsAreLog2OfTheRank() {
        #expect([1, 2, 3, 4, 7, 8, 64, 127, 128, 5000].map { DimensionsView.rankLevel($0) } == [8, 7, 7, 6, 6, 5, 2, 2, 1, 1])
        #expect(DimensionsView.rankLevel(nil) == 0)
    }

    @Test func histogramBinsCoverTheRange() {
        let h = DimensionsView.histogram([0, 0.1, 0.5, 0.9, 1.0, 1.0], bins: 4)
        #expect(h.counts == [2, 0, 1, 3] && h.lo == 0 && h.hi == 1)
        #expect(DimensionsView.histogram([0.3, 0.3], bins: 3).counts == [0, 0, 2])
    }

    /// The histogram against a naive twin (filter the ranked scores, then count each bin's members
    /// by the formula of `ScoreHistogram`) on scores with −∞ and NaN among them.
    @Test func histogramEqualsNaiveBinning() {
        var x: UInt64 = 0x9E3779B97F4A7C15
        let scores: [Float] = (0..<400).map { i in
            x = x &* 6364136223846793005 &+ 1442695040888963407
            if i % 37 == 5 { return -.infinity }
            if i % 53 == 7 { return .nan }
            return Float(x >> 40) / Float(1 << 24) * 1.6 - 0.6
        }
        for bins in [1, 7, 64] {
            let h = ScoreHistogram(key: .init(scoresVersion: 0, dim: 4, bins: bins), scores: scores)
            let ranked = scores.filter { $0 > -.infinity && !$0.isNaN }
            let lo = ranked.min()!, hi = ranked.max()!
            let naive = (0..<bins).map { b in
                ranked.filter { s in min(bins - 1, Int(((s - lo) / (hi - lo) * Float(bins)).rounded(.down))) == b }.count
            }
            #expect(h.counts == naive && h.lo == lo && h.hi == hi && h.count == ranked.count, "bins \(bins)")
        }
        #expect(ScoreHistogram(key: .init(scoresVersion: 0, dim: 4, bins: 3), scores: [-.infinity, .nan]).counts.isEmpty)
    }

    /// The histogram is binned once per (scores, dimension, width) by the summary effect; frames draw
    /// the cached bins (scores changed behind the cache's back do not change the screen), and a k or
    /// dimension change asks only for what it changes.
    @Test func framesDrawTheCachedHistogram() throws {
        let (loop, term, _) = Screens.loop(width: 120, height: 40)
        loop.runScript(Screens.keys("a city at night") + [.key(.escape), .key(.char("m"))])
        let s = loop.state
        let h = try #require(s.histogram)
        let scores = try #require(s.dimScores[s.dim])
        #expect(h == ScoreHistogram(key: .init(scoresVersion: s.scoresVersion, dim: s.dim, bins: h.key.bins), scores: scores))
        #expect(s.lens == DimensionsLens.compute(scores: s.dimScores, dims: s.dimensions, k: s.lensK, generation: s.scoredGeneration))
        let shown = term.text
        var altered = s
        altered.dimScores[s.dim] = scores.map { -$0 }
        let other = VirtualTerminal(width: 120, height: 40)
        _ = Renderer.render(altered, on: other)
        #expect(other.text == shown)
        // k: the summary only; a dimension: the histogram only.
        var t = s
        var (_, fx) = Reducer.reduce(&t, .lensKStep(1))
        #expect(fx.compactMap { if case let .summarizeDimensions(r, _, _, _) = $0 { return r } else { return nil } }
                == [DimensionsSummaryRequest(lens: .init(scoresVersion: s.scoresVersion, k: 20))])
        t = s
        (_, fx) = Reducer.reduce(&t, .dimensionStep(-1))
        #expect(fx.compactMap { if case let .summarizeDimensions(r, _, _, _) = $0 { return r } else { return nil } }
                == [DimensionsSummaryRequest(histogram: .init(scoresVersion: s.scoresVersion, dim: t.dim, bins: h.key.bins))])
        // A summary for another k or older scores is dropped.
        t = s
        let stale = DimensionsSummaryRequest(lens: .init(scoresVersion: s.scoresVersion - 1, k: s.lensK))
        _ = Reducer.reduce(&t, .dimensionsSummarized(stale, lens: nil, histogram: nil))
        #expect(t.lens == s.lens)
    }

    @Test func layoutQuadrantsAndCompactFallback() {
        let big = DimensionsView.layout(Rect(x: 1, y: 4, width: 118, height: 33))
        #expect(Set(big.keys) == [.chart, .histogram, .trajectories, .folder])
        let chart = big[.chart]!, hist = big[.histogram]!, traj = big[.trajectories]!, folder = big[.folder]!
        #expect(chart.maxX + 1 == hist.x && hist.maxX == 119 && traj.y == chart.maxY + 1 && folder.maxY == 37)
        #expect(chart.height == 12 && traj.height == 33 - 12 - 1)
        let small = DimensionsView.layout(Rect(x: 1, y: 2, width: 38, height: 8))
        #expect(Set(small.keys) == [.chart, .folder] && small[.folder]!.maxY == 10)
        #expect(DimensionsView.layout(Rect(x: 0, y: 0, width: 10, height: 3)).isEmpty)
    }

    @Test func kCyclesAndTheFolderCurveIsRequestedOncePerSnapshotAndK() {
        var s = AppState(size: Size(width: 120, height: 40), modelName: "m", isDemo: false, dimensions: [16, 32], folderPath: "/f")
        s.items = (0..<5).map { FolderItem(id: $0, relativePath: "\($0).png", absolutePath: "/f/\($0).png", byteSize: 1,
                                            pixelWidth: 1, pixelHeight: 1, state: .embedded) }
        var (_, fx) = Reducer.reduce(&s, .setView(.dimensions))
        #expect(s.view == .dimensions)
        let key10 = FolderCurveKey(model: "m", folder: "/f", embedded: 5, k: 10)
        #expect(fx == [.folderCurve(key10)] && s.folderCurves[key10] == .running(done: 0, total: 5))
        (_, fx) = Reducer.reduce(&s, .lensKStep(1))
        #expect(s.lensK == 20 && fx == [.folderCurve(FolderCurveKey(model: "m", folder: "/f", embedded: 5, k: 20))])
        (_, fx) = Reducer.reduce(&s, .lensKStep(1)); (_, fx) = Reducer.reduce(&s, .lensKStep(1))
        #expect(s.lensK == 50)
        (_, fx) = Reducer.reduce(&s, .lensKStep(-2))
        #expect(s.lensK == 10 && fx.isEmpty)                        // already running for k = 10
        _ = Reducer.reduce(&s, .folderCurve(key10, .ready(rows: [], queries: 5, sampled: false)))
        #expect(s.folderCurves[key10] == .ready(rows: [], queries: 5, sampled: false))
        s.focus = .results
        #expect(KeyMap.action(for: .char("<"), in: s) == .lensKStep(-1) && KeyMap.action(for: .char(">"), in: s) == .lensKStep(1))
        s.view = .browse
        #expect(KeyMap.action(for: .function(5), in: s) == .setView(.dimensions) && KeyMap.action(for: .char("m"), in: s) == .setView(.dimensions))
        #expect(KeyMap.action(for: .char("<"), in: s) == nil)       // k keys only in the dimensions view
    }
}

@Suite struct DimensionsGoldenTests {
    @Test func dimensionsView80x24() throws {
        let (loop, term, _) = Screens.loop()
        loop.runScript(Screens.keys("dog on the beach") + [.key(.escape), .key(.char("m")), .key(.char("["))])
        #expect(loop.state.view == .dimensions && loop.state.dim == 64)
        if case .ready = loop.state.folderCurves[loop.state.folderCurveKey] {} else { Issue.record("folder curve not ready") }
        try Screens.expectGolden(term, "dimensions-80x24")
    }

    @Test func dimensionsView120x40() throws {
        let (loop, term, _) = Screens.loop(width: 120, height: 40)
        loop.runScript(Screens.keys("a city at night") + [.key(.escape), .key(.function(5)), .key(.char("[")), .key(.char("[")),
                                                          .key(.char("<"))])
        #expect(loop.state.lensK == 5 && loop.state.dim == 32)
        try Screens.expectGolden(term, "dimensions-120x40")
    }
}

@Suite struct DimensionsResizeTests {
    /// Every size from "too small" to wide draws without trapping; the folder sentence survives the
    /// compact layout.
    @Test func drawsAtEverySize() {
        let (loop, term, _) = Screens.loop()
        loop.runScript(Screens.keys("dog on the beach") + [.key(.escape), .key(.char("m"))])
        for (w, h) in [(40, 12), (45, 14), (59, 19), (60, 20), (79, 23), (80, 24), (100, 30), (200, 60), (30, 10)] {
            term.resize(width: w, height: h)
            if let ev = term.readEvent(timeoutMs: 0) { loop.runScript([ev]) }
            #expect(loop.state.view == .dimensions)
            if w >= 40 && h >= 12 { #expect(term.text.contains("this folder keeps"), "\(w)×\(h)") }
        }
    }
}
