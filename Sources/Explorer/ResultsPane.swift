// Ranked results at the current dimension: rank, movement versus the comparison dimension
// (▲n moved up, ▼n moved down, = same), score with a bar scaled to the best score, name.
import TUI

enum ResultsPane {
    static func draw(_ s: AppState, in r: Rect, bordered: Bool, on t: Terminal, hits: inout HitMap) {
        let focused = s.focus == .results
        let moving = s.compareDim != s.dim
        let title = "Results @\(s.dim)" + (moving ? " (▲▼ vs \(s.compareDim))" : "")
        t.box(r, title: title, style: focused ? .focusedBorder : .border)
        let inner = r.inset(1)
        guard !inner.isEmpty else { return }
        let ranking = s.ranking
        if ranking.isEmpty {
            drawEmpty(s, in: inner, on: t)
            return
        }
        // Both rankings are prefixes (the best rankDepth items): an item beyond the comparison
        // ranking's prefix moved down past it.
        var compareRank: [Int: Int] = [:]
        let compareRanking = s.compareRanking
        if moving { for (i, it) in compareRanking.enumerated() { compareRank[it.id] = i } }
        let compareCut = compareRanking.count < s.rankedCount
        let best = max(ranking.first?.score ?? 1, 1e-6)
        let top = Layout.viewportTop(selection: s.resultSelection, count: ranking.count, height: inner.height)
        let wide = inner.width >= 44
        let barW = inner.width >= 36 ? 6 : 3
        for (line, it) in ranking.enumerated().dropFirst(top).prefix(inner.height) {
            let y = inner.y + line - top
            let isSel = line == s.resultSelection
            let rowStyle: Style = isSel ? (focused ? .selected : .selectedDim) : .normal
            t.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: rowStyle)
            hits.add(Rect(x: inner.x, y: y, width: inner.width, height: 1), .resultRow(line))
            var x = inner.x
            func col(_ text: String, _ w: Int, _ style: Style) {
                t.put(text, at: Point(x: x, y: y), width: min(w, inner.maxX - x), style: isSel ? rowStyle : style)
                x += w
            }
            col(TextWidth.padLeft("\(line + 1)", width: 3) + " ", 4, rowStyle)
            if moving {
                let (m, st) = compareRank[it.id] == nil && compareCut ? ("▼", Style.bad) : movement(from: compareRank[it.id], to: line)
                col(TextWidth.pad(m, width: 3) + " ", 4, st)
            }
            col(Fmt.scoreColumn(it.score) + " ", 7, .normal)
            col(Fmt.bar(Double(it.score / best), width: barW) + " ", barW + 1, .bar)
            let item = s.item(it.id)
            let mark = s.marked.contains(it.id) ? "*" : ""
            let name = mark + ((wide ? item?.relativePath : item?.name) ?? "#\(it.id)")
            col(Fmt.name(name, width: max(0, inner.maxX - x)), max(0, inner.maxX - x), rowStyle)
        }
    }

    /// Why there are no results (yet), wrapped in the pane's interior.
    static func drawEmpty(_ s: AppState, in inner: Rect, on t: Terminal) {
        let msg: String
        switch s.source {
        case .none: msg = s.items.isEmpty ? "no images in this folder" : "type a query in any language; or pick an image (Tab) and press Enter for similar ones"
        default: msg = s.scoredGeneration != s.queryGeneration || !s.hasRankingForDim ? "searching…" :
            (s.embeddedCount == 0 ? "no image embedded yet" : "no results")
        }
        for (i, line) in wrap(msg, width: inner.width).prefix(inner.height).enumerated() {
            t.put(line, at: Point(x: inner.x, y: inner.y + i), width: inner.width, style: .dim)
        }
    }

    /// Greedy word wrap by cell width.
    static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = [], cur = ""
        for word in text.split(separator: " ") {
            let cand = cur.isEmpty ? String(word) : cur + " " + word
            if TextWidth.width(cand) <= width { cur = cand; continue }
            if !cur.isEmpty { lines.append(cur) }
            cur = TextWidth.truncate(String(word), width: width)
        }
        if !cur.isEmpty { lines.append(cur) }
        return lines
    }

    /// "▲3" (better rank at the current dim), "▼2", "=", or "new" (absent at the other dim).
    static func movement(from old: Int?, to new: Int) -> (String, Style) {
        guard let old else { return ("new", .match) }
        if old == new { return ("=", .dim) }
        return old > new ? ("▲\(old - new)", .good) : ("▼\(new - old)", .bad)
    }
}
