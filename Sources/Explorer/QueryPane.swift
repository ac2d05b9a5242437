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
