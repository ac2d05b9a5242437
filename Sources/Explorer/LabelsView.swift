// The labels view: zero-shot classification of one image at the current dimension.
import TUI
import Retrieval

/// Zero-shot labels for one image at the current dimension: each editable label's cosine
/// with the image, its rank among the labels and a bar (list order kept so editing is stable).
enum LabelsView {
    static func draw(_ s: AppState, in r: Rect, on t: Terminal, hits: inout HitMap) {
        let name = s.labelTarget.flatMap { s.item($0)?.name } ?? "?"
        t.box(r, title: "Labels for \(name) @\(s.dim)", style: .focusedBorder)
        let inner = r.inset(1)
        guard inner.height >= 3, inner.width >= 24 else { return }
        let list = s.labels
        let scores: [Float?] = list.rows.map { row in
            guard let v = row.vector, let img = s.labelVector else { return nil }
            return PrefixCosine.score(v, img, dims: s.dim)
        }
        // Labels rank in Retrieval's order (ties by list position).
        let order = Ranking.top(scores.map { $0 ?? -.infinity })
        var rank: [Int: Int] = [:]
        for (r, it) in order.enumerated() { rank[it.id] = r + 1 }
        let best = max(order.first?.score ?? 1, 1e-6)
        t.put(" rank  score  " + TextWidth.pad("", width: 8) + " label", at: Point(x: inner.x, y: inner.y), style: .header)
        let top = Layout.viewportTop(selection: list.selection, count: list.rows.count, height: inner.height - 2)
        for (i, row) in list.rows.enumerated().dropFirst(top).prefix(inner.height - 2) {
            let y = inner.y + 1 + i - top
            let sel = i == list.selection
            let style: Style = sel ? .selected : (rank[i] == 1 ? .match : .normal)
            t.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: sel ? .selected : .normal)
            hits.add(Rect(x: inner.x, y: y, width: inner.width, height: 1), .listRow(.labels, i))
            let rs = rank[i].map { "#\($0)" } ?? "…"
            let ss = scores[i].map(Fmt.score) ?? "  …  "
            let bar = scores[i].map { Fmt.bar(Double($0 / best), width: 8) } ?? String(repeating: " ", count: 8)
            t.put(TextWidth.padLeft(rs, width: 5) + "  " + ss + " ", at: Point(x: inner.x, y: y), style: style)
            t.put(bar, at: Point(x: inner.x + 14, y: y), style: sel ? style : .bar)
            let lx = inner.x + 23
            if sel, let e = list.editor {
                let (vis, col) = e.viewport(width: inner.maxX - lx)
                t.put(TextWidth.pad(vis, width: inner.maxX - lx), at: Point(x: lx, y: y), style: .normal)
                QueryPane.drawCursor(vis, col: col, at: Point(x: lx, y: y), on: t)
            } else {
                t.put(TextWidth.shorten(row.text, width: inner.maxX - lx), at: Point(x: lx, y: y), width: inner.maxX - lx, style: style)
            }
        }
        let footer = list.editor != nil ? "Enter save · Esc cancel" : "e edit · a add · d delete · [ ] dim · Esc back"
        t.put(footer, at: Point(x: inner.x + 1, y: inner.maxY - 1), width: inner.width - 1, style: .hint)
    }
}
