// The query line: prompt, editor viewport with a block cursor, token counts, and the
// breadcrumb of earlier searches in the title. Any script: widths come from TextWidth.
import TUI

enum QueryPane {
    static func draw(_ s: AppState, in r: Rect, compact: Bool, on t: Terminal) {
        let focused = s.focus == .query && s.isEditing && Reducer.activeList(s) == nil
        let line: Rect
        if compact {
            line = r
        } else {
            t.box(r, title: title(s, width: r.width - 4), style: focused ? .focusedBorder : .border)
            line = Rect(x: r.x + 2, y: r.y + 1, width: r.width - 4, height: 1)
        }
        var info = ""
        if !s.tokens.isEmpty {
            let unk = s.tokens.filter { $0 == "<unk>" }.count
            info = "\(s.tokens.count) tok" + (unk > 0 ? " · \(unk) <unk>" : "")
        }
        let infoW = line.width >= 50 ? TextWidth.width(info) : 0
        let prompt = "› "
        t.put(prompt, at: Point(x: line.x, y: line.y), style: focused ? .title : .dim)
        let fieldX = line.x + 2
        let fieldW = max(0, line.width - 2 - (infoW > 0 ? infoW + 2 : 0))
        if case .image(let id) = s.source, !focused {
            let name = s.item(id)?.relativePath ?? "#\(id)"
            t.put("≈ images similar to " + name, at: Point(x: fieldX, y: line.y), width: fieldW, style: .match)
        } else if s.query.isEmpty && !focused {
            t.put("type to search (any language) — press /", at: Point(x: fieldX, y: line.y), width: fieldW, style: .dim)
        } else {
            let (visible, col) = s.query.viewport(width: fieldW)
            t.put(visible, at: Point(x: fieldX, y: line.y), style: .normal)
            if focused { drawCursor(visible, col: col, at: Point(x: fieldX, y: line.y), on: t) }
        }
        if infoW > 0 {
            let unk = s.tokens.contains("<unk>")
            t.put(info, at: Point(x: line.maxX - infoW, y: line.y), style: unk ? .bad : .dim)
        }
    }

    /// Draws the character under the cursor (or a space) in reverse video.
    static func drawCursor(_ visible: String, col: Int, at p: Point, on t: Terminal) {
        var x = 0
        var under = " "
        for c in visible {
            if x == col { under = String(c); break }
            x += TextWidth.width(of: c)
            if x > col { break }
        }
        t.put(under, at: Point(x: p.x + col, y: p.y), style: .cursor)
    }

    static func title(_ s: AppState, width: Int) -> String {
        guard !s.breadcrumb.isEmpty else {
            return s.usePrefix ? "Query" : "Query (no prefix)"
        }
        var parts = s.breadcrumb.map { Fmt.crumb($0.source, s) } + [Fmt.crumb(s.source, s)]
        var text = parts.joined(separator: " › ") + "  Esc back"
        while TextWidth.width(text) > width, parts.count > 1 {
            parts.removeFirst()
            text = "… › " + parts.joined(separator: " › ") + "  Esc back"
        }
        return text
    }
}

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
