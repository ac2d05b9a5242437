// The same intent typed in several languages (editable rows), each row's top k at the current
// dimension side by side, its overlap with the first row, and the mean pairwise agreement.
import TUI
import Retrieval

enum CrossLingualView {
    /// Items shown per row: as many 14-cell columns as fit (1…5).
    static func k(width: Int) -> Int { max(1, min(5, (width - 6 - queryWidth(width) - 6) / 14)) }
    static func queryWidth(_ width: Int) -> Int { max(12, min(30, width * 30 / 100)) }

    static func draw(_ s: AppState, in r: Rect, on t: Terminal, hits: inout HitMap) {
        let list = s.crossLingual
        let inner0 = r.inset(1)
        let k = k(width: inner0.width)
        let tops: [[Int]] = list.rows.map { ($0.top[s.dim] ?? []).prefix(k).map(\.id) }
        let ready = zip(list.rows, tops).filter { $0.0.vector != nil }.map(\.1)
        let agreement = RankingMetrics.agreement(ready, k: k)
        t.box(r, title: "Cross-lingual @\(s.dim) · agreement (mean overlap@\(k)) \(Fmt.score(Float(agreement)))",
              style: .focusedBorder)
        let inner = inner0
        guard inner.height >= 3, inner.width >= 30 else { return }
        let queryW = queryWidth(inner.width)
        let agreeW = 6
        let topW = inner.width - 6 - queryW - agreeW
        let cellW = max(4, topW / k)
        t.put(" lang", at: Point(x: inner.x, y: inner.y), style: .header)
        t.put("query", at: Point(x: inner.x + 6, y: inner.y), style: .header)
        t.put("top \(k) @\(s.dim)", at: Point(x: inner.x + 6 + queryW, y: inner.y), style: .header)
        t.put(TextWidth.padLeft("vs 1st", width: agreeW), at: Point(x: inner.maxX - agreeW, y: inner.y), style: .header)
        let top = Layout.viewportTop(selection: list.selection, count: list.rows.count, height: inner.height - 2)
        for (i, row) in list.rows.enumerated().dropFirst(top).prefix(inner.height - 2) {
            let y = inner.y + 1 + i - top
            let sel = i == list.selection
            let style: Style = sel ? .selected : .normal
            t.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: sel ? .selected : .normal)
            hits.add(Rect(x: inner.x, y: y, width: inner.width, height: 1), .listRow(.crossLingual, i))
            t.put(" " + TextWidth.pad(row.tag, width: 4), at: Point(x: inner.x, y: y), style: sel ? style : .key)
            let qx = inner.x + 6
            if sel, let e = list.editor {
                let (vis, col) = e.viewport(width: queryW - 1)
                t.put(TextWidth.pad(vis, width: queryW - 1), at: Point(x: qx, y: y), style: .normal)
                QueryPane.drawCursor(vis, col: col, at: Point(x: qx, y: y), on: t)
            } else {
                t.put(TextWidth.shorten(row.text, width: queryW - 1), at: Point(x: qx, y: y), width: queryW - 1,
                      style: sel ? style : .normal)
            }
            var x = qx + queryW
            if row.vector == nil {
                t.put("embedding…", at: Point(x: x, y: y), width: topW, style: .dim)
                continue
            }
            let first = Set(tops.first ?? [])
            for id in tops[i] {
                let name = s.item(id)?.name ?? "#\(id)"
                let stem = name.split(separator: ".").first.map(String.init) ?? name
                let st: Style = sel ? style : (first.contains(id) ? .good : .normal)
                t.put(TextWidth.shorten(stem, width: cellW - 1), at: Point(x: x, y: y), width: cellW, style: st)
                x += cellW
            }
            let o = RankingMetrics.overlap(tops[i], tops.first ?? [], k: k)
            t.put(TextWidth.padLeft(Fmt.score(Float(o)), width: agreeW), at: Point(x: inner.maxX - agreeW, y: y),
                  style: sel ? style : (o >= 0.5 ? .good : .bad))
        }
        let footer = list.editor != nil ? "Enter save · Esc cancel" : "e edit · a add · d delete · [ ] dim · green: also in the 1st row's top \(k)"
        t.put(footer, at: Point(x: inner.x + 1, y: inner.maxY - 1), width: inner.width - 1, style: .hint)
    }
}
