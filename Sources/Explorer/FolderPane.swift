// The folder as a tree: one header per sub-folder (with embedded/total counts), then its
// files with their indexing state: ● embedded, ○ pending, ✗ failed (reason in the preview).
import TUI

enum FolderPane {
    struct Row: Equatable {
        var text: String
        var itemIndex: Int?       // nil for a folder header
        var state: ItemState?
    }

    /// Rows for items ordered by relativePath (headers where the folder changes).
    static func rows(_ items: [FolderItem]) -> [Row] {
        var counts: [String: (Int, Int)] = [:]
        for it in items {
            var c = counts[it.folder] ?? (0, 0)
            c.1 += 1
            if it.state == .embedded { c.0 += 1 }
            counts[it.folder] = c
        }
        var out: [Row] = []
        var current: String?
        for (i, it) in items.enumerated() {
            if it.folder != current {
                current = it.folder
                if !it.folder.isEmpty {
                    let c = counts[it.folder] ?? (0, 0)
                    out.append(Row(text: "▾ \(it.folder)/ \(c.0)/\(c.1)", itemIndex: nil, state: nil))
                }
            }
            out.append(Row(text: (it.folder.isEmpty ? "" : "  ") + it.name, itemIndex: i, state: it.state))
        }
        return out
    }

    static func glyph(_ st: ItemState) -> (String, Style) {
        switch st {
        case .embedded: return ("●", .good)
        case .pending: return ("○", .dim)
        case .failed: return ("✗", .bad)
        }
    }

    static func draw(_ s: AppState, in r: Rect, on t: Terminal, hits: inout HitMap) {
        let focused = s.focus == .folder && s.view == .browse
        let done = s.embeddedCount
        let counts = " \(done)/\(s.items.count)"
        let pathW = r.width - 5 - TextWidth.width(counts)
        let base = s.folderPath.split(separator: "/").last.map(String.init) ?? s.folderPath
        let path = TextWidth.width(s.folderPath) <= pathW ? s.folderPath : TextWidth.shorten(base, width: pathW)
        let title = pathW >= 6 && !path.isEmpty ? path + counts : "Folder" + counts
        t.box(r, title: title, style: focused ? .focusedBorder : .border)
        let inner = r.inset(1)
        guard !inner.isEmpty else { return }
        let rows = rows(s.items)
        if rows.isEmpty {
            t.put("no images found", at: Point(x: inner.x, y: inner.y), width: inner.width, style: .dim)
            return
        }
        let sel = rows.firstIndex { $0.itemIndex == s.folderSelection } ?? 0
        let top = Layout.viewportTop(selection: sel, count: rows.count, height: inner.height)
        for (line, row) in rows.dropFirst(top).prefix(inner.height).enumerated() {
            let p = Point(x: inner.x, y: inner.y + line)
            guard let st = row.state, let idx = row.itemIndex else {
                t.put(TextWidth.shorten(row.text, width: inner.width), at: p, width: inner.width, style: .header)
                continue
            }
            hits.add(Rect(x: inner.x, y: p.y, width: inner.width, height: 1), .folderItem(idx))
            let isSel = idx == s.folderSelection
            let marked = s.marked.contains(s.items[idx].id)
            let style: Style = isSel ? (focused ? .selected : .selectedDim) : .normal
            let (g, gs) = glyph(st)
            let indent = row.text.hasPrefix("  ") ? "  " : ""
            let name = String(row.text.dropFirst(indent.count))
            t.put(indent, at: p, style: style)
            t.put(g, at: Point(x: p.x + indent.count, y: p.y), style: isSel ? style : gs)
            let nameX = p.x + indent.count + 1
            let nameW = inner.maxX - nameX
            t.put((marked ? "*" : " ") + Fmt.name(name, width: max(0, nameW - 1)), at: Point(x: nameX, y: p.y),
                  width: nameW, style: style)
        }
    }
}
