// Overlays drawn last: the `?` help generated from KeyMap (the same table that dispatches),
// the tokenization of the query, and the "terminal too small" screen.
import TUI

enum HelpOverlay {
    static func drawHelp(_ s: AppState, in r: Rect, on t: Terminal) {
        t.fill(r, style: .overlay)
        t.box(r, title: "Keys — ↑↓ scroll · Esc close", style: .focusedBorder)
        let inner = r.inset(1)
        guard inner.height > 0 else { return }
        let lines = KeyMap.helpLines()
        let keyW = min(26, inner.width / 3)
        let start = min(s.helpScroll, max(0, lines.count - inner.height))
        for (i, l) in lines.dropFirst(start).prefix(inner.height).enumerated() {
            let p = Point(x: inner.x + 1, y: inner.y + i)
            if l.context != nil {
                t.put(l.text, at: p, width: inner.width - 1, style: .header)
            } else {
                t.put(TextWidth.shorten(l.keys, width: keyW - 1), at: p, width: keyW, style: .key)
                t.put(l.text, at: Point(x: p.x + keyW, y: p.y), width: inner.width - 1 - keyW, style: .overlay)
            }
        }
    }

    static func drawTokens(_ s: AppState, in r: Rect, on t: Terminal) {
        t.fill(r, style: .overlay)
        let unk = s.tokens.filter { $0 == "<unk>" }.count
        t.box(r, title: "Tokens: \(s.tokens.count) pieces, \(unk) <unk>  (t / Ctrl-T close)", style: .focusedBorder)
        let inner = r.inset(1)
        guard !inner.isEmpty else { return }
        if s.tokens.isEmpty {
            t.put("(empty query)", at: Point(x: inner.x + 1, y: inner.y), style: .dim)
            return
        }
        var x = inner.x + 1, y = inner.y
        for piece in s.tokens {
            let w = TextWidth.width(piece)
            if x + w > inner.maxX - 1, x > inner.x + 1 { x = inner.x + 1; y += 1 }
            guard y < inner.maxY else { break }
            t.put(TextWidth.truncate(piece, width: inner.maxX - x), at: Point(x: x, y: y), style: piece == "<unk>" ? .error : .match)
            x += w + 1
        }
    }

    /// The "terminal too small" screen. Each line has shorter variants so that the message stays
    /// readable down to 1×1 (where a single "!" is left) instead of being cut mid-word; a line
    /// none of whose variants fits is dropped, and lines are kept in priority order when the
    /// screen has fewer rows than lines.
    static func tooSmallLines(size: Size) -> [String] {
        let need = "\(Layout.minimum.width)×\(Layout.minimum.height)"
        let variants = [["Terminal too small", "too small", "small", "!"],
                        ["\(size.width)×\(size.height), need \(need)", "need \(need)", need],
                        ["q / Ctrl-C quit", "q quit", "q"]]
        let lines = variants.compactMap { $0.first { TextWidth.width($0) <= size.width } }
        return Array(lines.prefix(max(0, size.height)))
    }

    static func drawTooSmall(size: Size, in r: Rect, on t: Terminal) {
        // The pane is the whole screen (Layout), so the variants are chosen for the screen size.
        let lines = tooSmallLines(size: size)
        let y0 = r.y + max(0, (r.height - lines.count) / 2)
        for (i, l) in lines.enumerated() where y0 + i < r.maxY {
            let w = TextWidth.width(l)
            t.put(TextWidth.truncate(l, width: r.width), at: Point(x: r.x + max(0, (r.width - w) / 2), y: y0 + i), style: i == 0 ? .error : .normal)
        }
    }
}
