// The same intent typed in several languages (editable rows), each row's top k at the current
// dimension side by side, its overlap with the first row, and the mean pairwise agreement.
import TUI

enum CrossLingualView {
    /// Items shown per row: as many 14-cell columns as fit (1…5).
    static func k(width: Int) -> Int { max(1, min(5, (width - 6 - queryWidth(width) - 6) / 14)) }
    static func queryWidth(_ width: Int) -> Int { max(12, min(30, width * 30 / 100)) }

    static func draw(_ s: AppState, in r: Rect, on t: Terminal) {
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
            t.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: sel ? .selectedDim : .normal)
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

/// Zero-shot labels for one image at the current dimension: each editable label's cosine
/// with the image, its rank among the labels and a bar (list order kept so editing is stable).
enum LabelsView {
    static func draw(_ s: AppState, in r: Rect, on t: Terminal) {
        let name = s.labelTarget.flatMap { s.item($0)?.name } ?? "?"
        t.box(r, title: "Labels for \(name) @\(s.dim)", style: .focusedBorder)
        let inner = r.inset(1)
        guard inner.height >= 3, inner.width >= 24 else { return }
        let list = s.labels
        let scores: [Float?] = list.rows.map { row in
            guard let v = row.vector, let img = s.labelVector else { return nil }
            return RankingMetrics.prefixCosine(v, img, dims: s.dim)
        }
        let order = scores.enumerated().compactMap { i, v in v.map { (i, $0) } }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        var rank: [Int: Int] = [:]
        for (r, (i, _)) in order.enumerated() { rank[i] = r + 1 }
        let best = max(order.first?.1 ?? 1, 1e-6)
        t.put(" rank  score  " + TextWidth.pad("", width: 8) + " label", at: Point(x: inner.x, y: inner.y), style: .header)
        let top = Layout.viewportTop(selection: list.selection, count: list.rows.count, height: inner.height - 2)
        for (i, row) in list.rows.enumerated().dropFirst(top).prefix(inner.height - 2) {
            let y = inner.y + 1 + i - top
            let sel = i == list.selection
            let style: Style = sel ? .selected : (rank[i] == 1 ? .match : .normal)
            t.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: sel ? .selected : .normal)
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
