// The status line (DEMO banner, model, dimensions, counts, latency, prefix, indexing progress)
// and the hint line generated from the key table.
import TUI

/// The status line (model, DEMO banner, dims, counts, latency, indexing) and the hint line.
enum StatusBar {
    static func drawStatus(_ s: AppState, in r: Rect, on t: Terminal) {
        t.fill(r, style: .status)
        // (text, style, priority): lower-priority segments are dropped first on narrow terminals.
        var segs: [(String, Style, Int)] = []
        if s.isDemo { segs.append((" DEMO ", .banner, 0)) }
        segs.append((" " + s.modelName, .status, 1))
        segs.append((" │ dim \(s.dim)" + (s.view == .compare || s.compareDim != s.dim ? " vs \(s.compareDim)" : ""), .status, 0))
        segs.append((" │ \(s.embeddedCount)/\(s.items.count) images", .status, 4))
        if s.source != .none {
            if let e = s.queryError {
                segs.append((" │ error: " + e, .status, 2))
            } else if s.scoredGeneration != s.queryGeneration {
                segs.append((" │ searching…", .status, 3))
            } else if let ms = s.latencyMs {
                segs.append((" │ " + Fmt.ms(ms), .status, 3))
            }
        }
        segs.append((" │ prefix " + (s.usePrefix ? "on" : "off"), .status, 5))
        if s.indexing.running, s.indexing.total > 0 {
            let f = Double(s.indexing.done) / Double(s.indexing.total)
            segs.append((" │ indexing " + Fmt.bar(f, width: 6) + " \(s.indexing.done)/\(s.indexing.total)", .status, 2))
        }
        if !s.marked.isEmpty { segs.append((" │ \(s.marked.count) marked", .status, 6)) }
        let messageW = s.message.map { min(TextWidth.width($0) + 2, r.width / 2) } ?? 0
        let budget = r.width - messageW
        while segs.reduce(0, { $0 + TextWidth.width($1.0) }) > budget,
              let worst = segs.indices.filter({ segs[$0].2 > 1 }).max(by: { segs[$0].2 < segs[$1].2 }) {
            segs.remove(at: worst)
        }
        let excess = segs.reduce(0, { $0 + TextWidth.width($1.0) }) - budget
        if excess > 0, let m = segs.firstIndex(where: { $0.2 == 1 }) {
            segs[m].0 = " " + TextWidth.shorten(s.modelName, width: max(6, TextWidth.width(segs[m].0) - 1 - excess))
        }
        var x = r.x
        for (text, style, _) in segs where x < r.x + budget {
            let fitted = TextWidth.truncate(text, width: r.x + budget - x)
            t.put(fitted, at: Point(x: x, y: r.y), style: style)
            x += TextWidth.width(fitted)
        }
        if let m = s.message, messageW > 2 {
            t.put(" " + TextWidth.truncate(m, width: messageW - 2) + " ", at: Point(x: r.maxX - messageW, y: r.y), style: .banner)
        }
    }

    static func drawHints(_ s: AppState, in r: Rect, on t: Terminal) {
        var x = r.x + 1
        for (key, label) in KeyMap.hints(for: s) {
            let need = TextWidth.width(key) + 1 + TextWidth.width(label) + 2
            if x + need > r.maxX { break }
            t.put(key, at: Point(x: x, y: r.y), style: .key)
            x += TextWidth.width(key) + 1
            t.put(label, at: Point(x: x, y: r.y), style: .hint)
            x += TextWidth.width(label) + 2
        }
    }
}
