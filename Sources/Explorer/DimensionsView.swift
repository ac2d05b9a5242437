// The dimensions view (`m`, F5): what truncation does to the current query's ranking, over every
// Matryoshka dimension at once, and to the whole folder.
//
//   ┌ chart ──────────────────────────┬ histogram ──────────────────┐
//   │ overlap@k, τ-b, RBO, top-1 per  │ all scores at the current   │
//   │ dimension vs the full width     │ dimension, top-k marked     │
//   ├ trajectories ───────────────────┼ folder curve ───────────────┤
//   │ full top-k: rank per dimension  │ "At 256 dims this folder    │
//   │ (sparkline); + items that enter │ keeps 97.8 % of the full    │
//   │ the top-k only at small dims    │ top-10", one row per metric │
//   └─────────────────────────────────┴─────────────────────────────┘
// Metrics are Retrieval's (TopKComparison against the full-width ranking; the folder curve is
// TruncationCurve). Sparkline levels are log₂ of the rank: █ #1, ▇ #2–3, ▆ #4–7, … ▁ #128 and below.
import Foundation
import Retrieval
import TUI

/// The per-query numbers of the dimensions view, derived from the full rankings at every dimension.
public struct DimensionsLens: Equatable, Sendable {
    public struct Trajectory: Equatable, Sendable {
        public var id: Int
        public var ranks: [Int?]          // true rank at each dimension (nil: not ranked there)
    }
    public struct Entrant: Equatable, Sendable {
        public var id: Int
        public var dims: [Int]            // the dimensions whose top-k hold it (none is the full width)
        public var fullRank: Int?
    }
    public var generation: Int
    /// Items in the full-width ranking, and the k asked for (k is at most the ranked count).
    public var ranked: Int
    public var requestedK: Int
    public var k: Int
    public var dims: [Int]
    /// Metrics of the top-k at each dimension against the top-k at the full width (the last row is 1).
    public var rows: [TruncationRow]
    /// The full-width top-k, each with its rank at every dimension.
    public var trajectories: [Trajectory]
    /// Items in the top-k at some smaller dimension but not at the full width.
    public var entrants: [Entrant]

    /// The same numbers from every score at every dimension (`scores[d][id]`; −∞ or NaN: not ranked): one
    /// bounded top-k per dimension (Ranking.best) and the true ranks of the items that need one
    /// (Ranking.ranks, one pass per dimension) instead of full sorts. Equal to `compute(rankings:)` over
    /// the full rankings of the same scores.
    public static func compute(scores: [Int: [Float]], dims: [Int], k: Int, generation: Int) -> DimensionsLens? {
        guard let fullDim = dims.last, scores[fullDim] != nil else { return nil }
        let tops = Dictionary(uniqueKeysWithValues: dims.map { d in (d, Ranking.best(scores[d] ?? [], k: max(1, k))) })
        guard let full = tops[fullDim], full.ranked > 0 else { return nil }
        let kk = min(k, full.ranked)
        let topFull = full.items.prefix(kk).map(\.id)
        let fullSet = Set(topFull)
        var entrantDims: [Int: [Int]] = [:]
        var entrantOrder: [Int] = []
        for d in dims {
            for id in (tops[d]?.items ?? []).prefix(kk).map(\.id) where !fullSet.contains(id) {
                if entrantDims[id] == nil { entrantOrder.append(id) }
                entrantDims[id, default: []].append(d)
            }
        }
        // True ranks at every dimension of every item a metric or a row needs.
        let wanted = Array(Set(topFull).union(entrantOrder).union(dims.flatMap { (tops[$0]?.items ?? []).prefix(kk).map(\.id) })).sorted()
        var rankAt: [Int: [Int: Int]] = [:]
        for d in dims {
            let r = (scores[d] ?? []).withUnsafeBufferPointer { Ranking.ranks(of: wanted, in: $0) }
            var m: [Int: Int] = [:]
            for (id, rank) in zip(wanted, r) { if let rank { m[id] = rank } }
            rankAt[d] = m
        }
        var rows: [TruncationRow] = []
        for d in dims {
            let top = (tops[d]?.items ?? []).prefix(kk).map(\.id)
            let c = TopKComparison(topA: top, topB: topFull, k: kk, rankA: { rankAt[d]?[$0] }, rankB: { rankAt[fullDim]?[$0] })
            rows.append(TruncationRow(dims: d, overlap: c.overlap, top1: top.first == topFull.first ? 1 : 0,
                                      rbo: c.rbo, kendallTau: c.kendallTau))
        }
        let trajectories = topFull.map { id in Trajectory(id: id, ranks: dims.map { rankAt[$0]?[id] }) }
        let entrants = entrantOrder.map { Entrant(id: $0, dims: entrantDims[$0] ?? [], fullRank: rankAt[fullDim]?[$0]) }
        return DimensionsLens(generation: generation, ranked: full.ranked, requestedK: k, k: kk, dims: dims, rows: rows,
                              trajectories: trajectories, entrants: entrants)
    }

    /// nil without rankings. `rankings[d]`: full ranking at dimension d; the last of `dims` is the full width.
    public static func compute(rankings: [Int: [RankedItem]], dims: [Int], k: Int, generation: Int) -> DimensionsLens? {
        guard let fullDim = dims.last, let full = rankings[fullDim], !full.isEmpty else { return nil }
        let kk = min(k, full.count)
        let topFull = full.prefix(kk).map(\.id)
        var rows: [TruncationRow] = []
        var entrantDims: [Int: [Int]] = [:]
        var entrantOrder: [Int] = []
        let fullSet = Set(topFull)
        for d in dims {
            let r = rankings[d] ?? []
            let c = TopKComparison(fullA: r, fullB: full, k: kk)
            rows.append(TruncationRow(dims: d, overlap: c.overlap, top1: r.first?.id == full.first?.id ? 1 : 0,
                                      rbo: c.rbo, kendallTau: c.kendallTau))
            for id in r.prefix(kk).map(\.id) where !fullSet.contains(id) {
                if entrantDims[id] == nil { entrantOrder.append(id) }
                entrantDims[id, default: []].append(d)
            }
        }
        let positions = dims.map { Ranking.positions(of: Set(topFull), in: rankings[$0] ?? []) }
        let trajectories = topFull.map { id in Trajectory(id: id, ranks: positions.map { $0[id] }) }
        let fullPositions = Ranking.positions(of: Set(entrantOrder), in: full)
        let entrants = entrantOrder.map { Entrant(id: $0, dims: entrantDims[$0] ?? [], fullRank: fullPositions[$0]) }
        return DimensionsLens(generation: generation, ranked: full.count, requestedK: k, k: kk, dims: dims, rows: rows,
                              trajectories: trajectories, entrants: entrants)
    }
}

/// What the dimensions view asks its worker for: the summary at (scores arrival, k) and/or the
/// histogram at (scores arrival, dimension, bins); nil parts are up to date.
public struct DimensionsSummaryRequest: Hashable, Sendable {
    public struct LensKey: Hashable, Sendable {
        public var scoresVersion: Int
        public var k: Int
    }
    public var lens: LensKey?
    public var histogram: ScoreHistogram.Key?
    public init(lens: LensKey? = nil, histogram: ScoreHistogram.Key? = nil) { self.lens = lens; self.histogram = histogram }
}

/// Every ranked score (not −∞, not NaN) at one dimension in `bins` equal bins over [lo, hi]:
/// counts[b] = #{ s : bin(s) = b }, bin(s) = min(bins − 1, ⌊(s − lo) / (hi − lo) · bins⌋) (the last
/// bin when hi = lo); `count` = Σ counts. Binned once per key on a worker, drawn on every frame.
public struct ScoreHistogram: Equatable, Sendable {
    public struct Key: Hashable, Sendable {
        public var scoresVersion: Int
        public var dim: Int
        public var bins: Int
    }
    public var key: Key
    public var counts: [Int]
    public var lo: Float
    public var hi: Float
    public var count: Int

    public init(key: Key, scores: [Float]) {
        let h = DimensionsView.histogram(scores, bins: key.bins)
        self.key = key
        counts = h.counts
        lo = h.lo
        hi = h.hi
        count = h.counts.reduce(0, +)
    }
}

enum DimensionsView {
    enum Section: Hashable { case chart, histogram, trajectories, folder }

    /// Section rectangles inside the view's box. Wide enough (≥ 60 × 12): four quadrants; else the
    /// chart above the folder sentence.
    static func layout(_ inner: Rect) -> [Section: Rect] {
        guard inner.width >= 20, inner.height >= 4 else { return [:] }
        if inner.width < 60 || inner.height < 12 {
            let folderH = min(3, inner.height / 3)
            return [.chart: Rect(x: inner.x, y: inner.y, width: inner.width, height: inner.height - folderH),
                    .folder: Rect(x: inner.x, y: inner.maxY - folderH, width: inner.width, height: folderH)]
        }
        let leftW = inner.width * 56 / 100, rightW = inner.width - leftW - 1
        let topH = max(7, min(12, inner.height / 2)), bottomH = inner.height - topH - 1
        return [
            .chart: Rect(x: inner.x, y: inner.y, width: leftW, height: topH),
            .histogram: Rect(x: inner.x + leftW + 1, y: inner.y, width: rightW, height: topH),
            .trajectories: Rect(x: inner.x, y: inner.y + topH + 1, width: leftW, height: bottomH),
            .folder: Rect(x: inner.x + leftW + 1, y: inner.y + topH + 1, width: rightW, height: bottomH),
        ]
    }

    static let metricStyles: [Style] = [.bar, .match, .header, .title]
    static let metricNames = ["overlap", "τ-b", "RBO", "top-1"]
    static func values(_ r: TruncationRow) -> [Double] { [r.overlap, r.kendallTau, r.rbo, r.top1] }

    /// " ▁▂▃▄▅▆▇█"[level], level 0 ... 8.
    static let eighths: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// Sparkline level of a rank: 8 − ⌊log₂ rank⌋, clamped to 1 ... 8 (█ #1, ▁ #128 and below); nil: blank.
    static func rankLevel(_ rank: Int?) -> Int {
        guard let rank, rank >= 1 else { return 0 }
        var l = 0, r = rank
        while r > 1 { r >>= 1; l += 1 }
        return max(1, 8 - l)
    }

    /// `bins` equal bins over [lo, hi] of the ranked scores (−∞ and NaN skipped): two passes, no copy.
    static func histogram(_ scores: [Float], bins: Int) -> (counts: [Int], lo: Float, hi: Float) {
        var lo = Float.infinity, hi = -Float.infinity
        for s in scores where Ranking.isRanked(s) { lo = min(lo, s); hi = max(hi, s) }
        guard bins > 0, lo <= hi else { return ([], 0, 0) }
        var counts = [Int](repeating: 0, count: bins)
        let span = hi - lo
        for s in scores where Ranking.isRanked(s) { counts[bin(s, lo: lo, span: span, bins: bins)] += 1 }
        return (counts, lo, hi)
    }

    static func bin(_ s: Float, lo: Float, span: Float, bins: Int) -> Int {
        let x = (s - lo) / span * Float(bins)
        return span > 0 && x.isFinite ? min(bins - 1, max(0, Int(x))) : bins - 1
    }

    // MARK: drawing

    static func draw(_ s: AppState, in r: Rect, on t: Terminal) {
        let k = s.lens?.k ?? s.lensK
        t.box(r, title: "Dimensions @\(s.dim) vs @\(s.dimensions.last ?? s.dim) · top \(k)   < > k   [ ] dim",
              style: .focusedBorder)
        let inner = r.inset(1)
        let sections = layout(inner)
        guard !sections.isEmpty else { return }
        if let c = sections[.chart], let h = sections[.histogram] {
            for y in c.y..<c.maxY { t.put("│", at: Point(x: c.maxX, y: y), style: .border) }
            t.put(String(repeating: "─", count: inner.width), at: Point(x: inner.x, y: c.maxY), style: .border)
            t.put("┼", at: Point(x: c.maxX, y: c.maxY), style: .border)
            for y in (c.maxY + 1)..<inner.maxY { t.put("│", at: Point(x: c.maxX, y: y), style: .border) }
            _ = h
        }
        if let lens = s.lens {
            if let c = sections[.chart] { drawChart(s, lens, in: c, on: t) }
            if let h = sections[.histogram] { drawHistogram(s, lens, in: h, on: t) }
            if let tr = sections[.trajectories] { drawTrajectories(s, lens, in: tr, on: t) }
        } else if let c = sections[.chart] {
            t.put("type a query (/) or pick an image (Enter) to see its ranking at every dimension",
                  at: Point(x: c.x, y: c.y), width: c.width, style: .dim)
        }
        if let f = sections[.folder] { drawFolder(s, in: f, on: t) }
    }

    /// Bars per dimension: overlap, τ-b, RBO, top-1 (τ-b below 0 drawn as 0); the current dimension marked.
    static func drawChart(_ s: AppState, _ lens: DimensionsLens, in r: Rect, on t: Terminal) {
        var x = r.x
        t.put("vs @\(lens.dims.last ?? 0):", at: Point(x: x, y: r.y), style: .header)
        x += TextWidth.width("vs @\(lens.dims.last ?? 0): ")
        for (i, name) in metricNames.enumerated() where x + 2 + TextWidth.width(name) <= r.maxX {
            t.put("█", at: Point(x: x, y: r.y), style: metricStyles[i])
            t.put(name, at: Point(x: x + 1, y: r.y), style: .normal)
            x += 2 + TextWidth.width(name)
        }
        let barRows = r.height - 3
        guard barRows >= 1 else { return }
        let axisW = 4
        let n = lens.dims.count
        let groupW = max(5, min(9, (r.width - axisW) / max(1, n)))
        let top = r.y + 1
        t.put("1.0", at: Point(x: r.x, y: top), style: .dim)
        t.put("  0", at: Point(x: r.x, y: top + barRows - 1), style: .dim)
        for (i, row) in lens.rows.enumerated() {
            let gx = r.x + axisW + i * groupW
            guard gx + 4 <= r.maxX else { break }
            for (m, v) in values(row).enumerated() {
                let total = Int((max(0, min(1, v)) * Double(barRows * 8)).rounded())
                for line in 0..<barRows {
                    let level = max(0, min(8, total - line * 8))
                    t.put(String(eighths[level]), at: Point(x: gx + m, y: top + barRows - 1 - line), style: metricStyles[m])
                }
            }
            let label = String(row.dims)
            let current = row.dims == s.dim
            t.put(current ? "›" + label : label, at: Point(x: gx - (current ? 1 : 0), y: top + barRows),
                  width: min(groupW, r.maxX - gx + (current ? 1 : 0)), style: current ? .selected : .dim)
        }
        if let row = lens.rows.first(where: { $0.dims == s.dim }) {
            let text = "@\(row.dims): overlap@\(lens.k) \(Fmt.score(Float(row.overlap)))  τ-b \(Fmt.score(Float(row.kendallTau)))  "
                + "RBO \(Fmt.score(Float(row.rbo)))  top-1 \(row.top1 == 1 ? "same" : "differs")"
            t.put(text, at: Point(x: r.x, y: r.maxY - 1), width: r.width, style: .normal)
        }
    }

    /// Every score at the current dimension (log-scaled counts), the bins of the top-k in the match style.
    /// Drawn from `s.histogram` (binned on a worker); until it arrives, from the ranked prefix.
    static func drawHistogram(_ s: AppState, _ lens: DimensionsLens, in r: Rect, on t: Terminal) {
        let ranking = s.ranking
        let k = min(lens.k, ranking.count)
        guard k > 0, r.width >= 10, r.height >= 4 else { return }
        let cut = ranking[k - 1].score
        let bins = r.width - 2, rows = r.height - 3
        let key = ScoreHistogram.Key(scoresVersion: s.scoresVersion, dim: s.dim, bins: bins)
        let h: ScoreHistogram
        if let cached = s.histogram, cached.key == key { h = cached } else { h = ScoreHistogram(key: key, scores: ranking.map(\.score)) }
        t.put("scores @\(s.dim) · top \(k) ≥ \(Fmt.score(cut)) · \(h.count) images", at: Point(x: r.x + 1, y: r.y),
              width: r.width - 1, style: .header)
        let (counts, lo, hi) = (h.counts, h.lo, h.hi)
        let maxLog = log1p(Double(counts.max() ?? 1))
        let cutBin = bin(cut, lo: lo, span: hi - lo, bins: bins)
        for (b, c) in counts.enumerated() {
            let total = c == 0 ? 0 : max(1, Int((log1p(Double(c)) / maxLog * Double(rows * 8)).rounded()))
            let style: Style = b >= cutBin ? .match : .bar
            for line in 0..<rows {
                let level = max(0, min(8, total - line * 8))
                if level > 0 { t.put(String(eighths[level]), at: Point(x: r.x + 1 + b, y: r.y + rows - line), style: style) }
            }
        }
        t.put("▲top \(k)", at: Point(x: r.x + 1 + min(cutBin, max(0, bins - 6)), y: r.y + rows + 1), style: .match)
        let loText = Fmt.score(lo), hiText = Fmt.score(hi)
        t.put(loText, at: Point(x: r.x + 1, y: r.maxY - 1), style: .dim)
        t.put(hiText, at: Point(x: r.maxX - TextWidth.width(hiText), y: r.maxY - 1), style: .dim)
    }

    /// The full-width top-k with their rank at every dimension, then the items that enter the top-k
    /// only at smaller dimensions.
    static func drawTrajectories(_ s: AppState, _ lens: DimensionsLens, in r: Rect, on t: Terminal) {
        guard r.height >= 2 else { return }
        let n = lens.dims.count
        let nameW = max(6, r.width - 4 - n - 2 - 8)
        t.put("top \(lens.k) @\(lens.dims.last ?? 0) · rank by dim: █ #1 … ▁ #128+", at: Point(x: r.x, y: r.y),
              width: r.width, style: .header)
        let entrantRows = min(lens.entrants.count, max(0, (r.height - 1) / 3))
        let topRows = min(lens.trajectories.count, r.height - 1 - entrantRows)
        let current = lens.dims.firstIndex(of: s.dim)
        for (i, tr) in lens.trajectories.prefix(topRows).enumerated() {
            let y = r.y + 1 + i
            var x = r.x
            t.put(TextWidth.padLeft("\(i + 1)", width: 3) + " ", at: Point(x: x, y: y), style: .dim); x += 4
            let name = s.item(tr.id)?.name ?? "#\(tr.id)"
            t.put(Fmt.name(name, width: nameW), at: Point(x: x, y: y), width: nameW, style: .normal); x += nameW + 1
            for (j, rank) in tr.ranks.enumerated() {
                t.put(String(eighths[rankLevel(rank)]), at: Point(x: x + j, y: y), style: j == current ? .selected : .bar)
            }
            x += n + 1
            if let c = current, let rank = tr.ranks[c] {
                t.put("#\(rank)", at: Point(x: x, y: y), width: r.maxX - x, style: rank <= lens.k ? .normal : .bad)
            }
        }
        for (i, e) in lens.entrants.prefix(entrantRows).enumerated() {
            let y = r.y + 1 + topRows + i
            let name = s.item(e.id)?.name ?? "#\(e.id)"
            let range = e.dims.count == 1 ? "\(e.dims[0])" : "\(e.dims.first ?? 0)–\(e.dims.last ?? 0)"
            let tail = " top \(lens.k) at \(range), #\(e.fullRank.map(String.init) ?? "?") @\(lens.dims.last ?? 0)"
            let w = max(4, r.width - 2 - TextWidth.width(tail))
            t.put("+ " + Fmt.name(name, width: w), at: Point(x: r.x, y: y), width: r.width, style: .match)
            t.put(tail, at: Point(x: r.x + 2 + min(w, TextWidth.width(Fmt.name(name, width: w))), y: y),
                  width: r.maxX - r.x - 2 - min(w, TextWidth.width(Fmt.name(name, width: w))), style: .dim)
        }
    }

    /// The folder retention curve: the sentence, then one sparkline per metric over the dimensions.
    static func drawFolder(_ s: AppState, in r: Rect, on t: Terminal) {
        guard r.height >= 1 else { return }
        let key = s.folderCurveKey
        let compact = r.height < 4
        if !compact {
            t.put("Folder · \(key.embedded) images · image→image · k \(key.k)", at: Point(x: r.x + 1, y: r.y),
                  width: r.width - 1, style: .header)
        }
        var y = compact ? r.y : r.y + 1
        switch s.folderCurves[key] {
        case .none:
            let why = s.indexing.running ? "after indexing (\(s.indexing.done)/\(s.indexing.total))" : "not computed yet"
            t.put("folder curve: " + why, at: Point(x: r.x + 1, y: y), width: r.width - 1, style: .dim)
        case let .running(done, total):
            let label = "computing \(done)/\(total) queries "
            t.put(label, at: Point(x: r.x + 1, y: y), width: r.width - 1, style: .dim)
            let bw = r.width - 2 - TextWidth.width(label)
            if bw > 3, total > 0 { t.put(Fmt.bar(Double(done) / Double(total), width: bw), at: Point(x: r.x + 1 + TextWidth.width(label), y: y), style: .bar) }
        case let .unavailable(why):
            t.put(why, at: Point(x: r.x + 1, y: y), width: r.width - 1, style: .dim)
        case let .ready(rows, queries, sampled):
            if let sentence = TruncationCurve.sentence(rows, k: key.k) {
                // "97.8 %" stays on one line (a no-break space while wrapping).
                let kept = sentence.replacingOccurrences(of: " %", with: "\u{00A0}%")
                for line in ResultsPane.wrap(kept, width: r.width - 1) where y < r.maxY {
                    t.put(line.replacingOccurrences(of: "\u{00A0}", with: " "), at: Point(x: r.x + 1, y: y), width: r.width - 1, style: .title)
                    y += 1
                }
            }
            guard !compact else { return }
            let n = rows.count
            if y < r.maxY {
                let dimsLine = "\(queries) \(sampled ? "sampled " : "")queries · \(rows.first?.dims ?? 0)…\(rows.last?.dims ?? 0) dims"
                t.put(dimsLine, at: Point(x: r.x + 1, y: y), width: r.width - 1, style: .dim)
                y += 1
            }
            let current = rows.firstIndex { $0.dims == s.dim }
            for (m, name) in metricNames.enumerated() where y < r.maxY {
                t.put(TextWidth.pad(name, width: 8), at: Point(x: r.x + 1, y: y), style: .normal)
                for (i, row) in rows.enumerated() {
                    let v = max(0, min(1, values(row)[m]))
                    t.put(String(eighths[max(1, Int((v * 8).rounded()))]), at: Point(x: r.x + 9 + i, y: y),
                          style: i == current ? .selected : metricStyles[m])
                }
                if let c = current {
                    t.put(Fmt.score(Float(values(rows[c])[m])) + " @\(rows[c].dims)", at: Point(x: r.x + 10 + n, y: y),
                          width: max(0, r.maxX - r.x - 10 - n), style: .dim)
                }
                y += 1
            }
        }
    }
}
