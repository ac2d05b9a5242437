// Two rankings of the same query side by side: left at the current dimension, right at the
// comparison dimension. Right-hand markers say how each item moved (▲/▼/=) or that it is new
// in the top k; left-hand "drop" marks items that leave the top k. Footer: overlap@k,
// Kendall τ-b (over the union, true ranks) and RBO_ext (p = 0.9) of the two top-k lists, k = 10.
import TUI
import Retrieval

enum CompareView {
    /// Depth of the compared lists: 10 (the metrics' k), less when the pane is short.
    static func k(for s: AppState, height: Int) -> Int { max(1, min(10, height - 4, max(s.ranking.count, 1))) }

    static func draw(_ s: AppState, in r: Rect, on t: Terminal) {
        t.box(r, title: "Compare @\(s.dim) vs @\(s.compareDim)   [ ] left dim  { } right dim", style: .focusedBorder)
        let inner = r.inset(1)
        guard inner.height >= 3, inner.width >= 20 else { return }
        if s.ranking.isEmpty {
            t.put("type a query (/) or search by image to compare rankings", at: Point(x: inner.x, y: inner.y),
                  width: inner.width, style: .dim)
            return
        }
        let k = k(for: s, height: inner.height)
        let a = Array(s.ranking.prefix(k)), b = Array(s.compareRanking.prefix(k))
        let ida = a.map(\.id), idb = b.map(\.id)
        let colW = (inner.width - 1) / 2
        let left = Rect(x: inner.x, y: inner.y, width: colW, height: inner.height - 2)
        let right = Rect(x: inner.x + colW + 1, y: inner.y, width: inner.width - colW - 1, height: inner.height - 2)
        for y in left.y..<left.maxY { t.put("│", at: Point(x: inner.x + colW, y: y), style: .border) }
        t.put(" rank @\(s.dim)", at: Point(x: left.x, y: left.y), width: left.width, style: .header)
        t.put(" rank @\(s.compareDim) · ▲▼ vs @\(s.dim)", at: Point(x: right.x, y: right.y),
              width: right.width, style: .header)
        let selected = s.ranking.indices.contains(s.resultSelection) ? s.ranking[s.resultSelection].id : nil
        let setB = Set(idb)
        var posA: [Int: Int] = [:]
        for (i, id) in ida.enumerated() { posA[id] = i }
        for (i, it) in a.enumerated() where i + 1 < left.height {
            let marker = setB.contains(it.id) ? ("", Style.normal) : ("drop", Style.bad)
            row(s, rank: i, item: it, marker: marker, selected: it.id == selected, focused: true,
                at: Point(x: left.x, y: left.y + 1 + i), width: left.width, on: t)
        }
        for (i, it) in b.enumerated() where i + 1 < right.height {
            let marker = ResultsPane.movement(from: i, to: posA[it.id] ?? -1)
            let m: (String, Style) = posA[it.id] == nil ? ("new", .match) : invert(marker, old: i, new: posA[it.id]!)
            row(s, rank: i, item: it, marker: m, selected: it.id == selected, focused: false,
                at: Point(x: right.x, y: right.y + 1 + i), width: right.width, on: t)
        }
        let metrics = footer(s, k: k)
        t.put(String(repeating: "─", count: inner.width), at: Point(x: inner.x, y: inner.maxY - 2), style: .border)
        t.put(metrics, at: Point(x: inner.x + 1, y: inner.maxY - 1), width: inner.width - 1, style: .title)
        let legend = "drop/new: not in the other top \(k)"
        let lw = TextWidth.width(legend)
        if TextWidth.width(metrics) + lw + 4 <= inner.width {
            t.put(legend, at: Point(x: inner.maxX - lw - 1, y: inner.maxY - 1), style: .hint)
        }
    }

    /// The metrics of the two top-k lists (Retrieval's definitions; Kendall τ-b over their union with
    /// the items' true ranks in the full rankings at both dimensions).
    static func metrics(_ s: AppState, k: Int) -> TopKComparison<Int> {
        TopKComparison(fullA: s.ranking, fullB: s.compareRanking, k: k)
    }

    /// "overlap@10 0.800   Kendall τ 0.788   RBO(p=0.9) 0.912"
    static func footer(_ s: AppState, k: Int) -> String {
        let m = metrics(s, k: k)
        return "overlap@\(k) \(Fmt.score(Float(m.overlap)))   Kendall τ \(Fmt.score(Float(m.kendallTau)))   "
            + "RBO(p=0.9) \(Fmt.score(Float(m.rbo)))"
    }

    /// Right column marker: how the item's rank at the right dim relates to the left dim
    /// (▲n: it ranks n places better at the right dim).
    static func invert(_ m: (String, Style), old: Int, new: Int) -> (String, Style) {
        if old == new { return ("=", .dim) }
        return old < new ? ("▲\(new - old)", .good) : ("▼\(old - new)", .bad)
    }

    static func row(_ s: AppState, rank: Int, item: RankedItem, marker: (String, Style), selected: Bool, focused: Bool,
                    at p: Point, width: Int, on t: Terminal) {
        let style: Style = selected ? (focused ? .selected : .selectedDim) : .normal
        t.fill(Rect(x: p.x, y: p.y, width: width, height: 1), style: style)
        var x = p.x
        func col(_ text: String, _ w: Int, _ st: Style) {
            let ww = min(w, p.x + width - x)
            guard ww > 0 else { return }
            t.put(text, at: Point(x: x, y: p.y), width: ww, style: selected ? style : st)
            x += ww
        }
        col(TextWidth.padLeft("\(rank + 1)", width: 3) + " ", 4, style)
        col(TextWidth.pad(marker.0, width: 4) + " ", 5, marker.1)
        col(Fmt.scoreColumn(item.score) + " ", 7, .normal)
        let name = s.item(item.id)?.name ?? "#\(item.id)"
        col(Fmt.name(name, width: max(0, p.x + width - x)), max(0, p.x + width - x), style)
    }
}
