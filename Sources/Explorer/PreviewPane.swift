// The selected image drawn with half blocks (▀: upper pixel = foreground, lower pixel =
// background, so one cell shows two square-ish pixels), then its path, size, indexing state
// and its rank and score at every Matryoshka dimension. NO_COLOR / --no-images: metadata only.
import TUI

enum PreviewPane {
    /// Lines of metadata under the image for this state.
    static func metadataLines(_ s: AppState) -> Int { 4 + s.dimensions.count }

    /// The image box (cells) inside a preview pane, above the metadata.
    static func imageArea(_ s: AppState, in r: Rect) -> Rect {
        let inner = r.inset(1)
        let rows = inner.height - metadataLines(s)
        guard s.options.showImages, rows >= 3 else { return Rect(x: inner.x, y: inner.y, width: 0, height: 0) }
        return Rect(x: inner.x, y: inner.y, width: inner.width, height: rows)
    }

    /// The preview the current layout shows (what to ask the backend for).
    static func wantedPreview(_ s: AppState) -> PreviewKey? {
        guard let r = Layout.compute(size: s.size, state: s)[.preview], let id = s.selectedItemID,
              let item = s.item(id) else { return nil }
        if case .failed = item.state { return nil }
        let area = imageArea(s, in: r)
        guard !area.isEmpty else { return nil }
        return PreviewKey(id: id, maxWidth: area.width, maxHeight: area.height * 2)
    }

    static func draw(_ s: AppState, in r: Rect, on t: Terminal) {
        t.box(r, title: "Preview", style: .border)
        let inner = r.inset(1)
        guard !inner.isEmpty else { return }
        guard let id = s.selectedItemID, let item = s.item(id) else {
            t.put("nothing selected", at: Point(x: inner.x, y: inner.y), width: inner.width, style: .dim)
            return
        }
        let area = imageArea(s, in: r)
        var y = inner.y
        if !area.isEmpty {
            if let key = wantedPreview(s), let img = s.previews[key] {
                drawImage(img, in: area, on: t)
                y = min(area.maxY, area.y + (img.height + 1) / 2)   // metadata right under the picture
            } else {
                let text: String
                if case .failed = item.state { text = "(no preview)" } else { text = "loading…" }
                t.put(text, at: Point(x: area.x, y: area.y + area.height / 2), width: area.width, style: .dim)
                y = area.maxY
            }
        }
        func line(_ text: String, _ style: Style = .normal) {
            guard y < inner.maxY else { return }
            t.put(TextWidth.shorten(text, width: inner.width), at: Point(x: inner.x, y: y), width: inner.width, style: style)
            y += 1
        }
        line(item.relativePath, .title)
        line((item.pixelWidth > 0 ? "\(item.pixelWidth)×\(item.pixelHeight) · " : "") + Fmt.bytes(item.byteSize))
        switch item.state {
        case .embedded: line(s.marked.contains(id) ? "embedded · marked" : "embedded", .good)
        case .pending: line("pending (indexing…)", .dim)
        case .failed(let why): line("failed: " + why, .bad)
        }
        guard s.source != .none, !s.rankings.isEmpty else { return }
        line(" dim   rank  score", .header)
        // Computed lazily for the selected item (the count of items scored above it at each dimension).
        let ranks = s.previewRanks.flatMap { $0.key.id == id && $0.key.generation == s.queryGeneration ? $0.rows : nil }
        for d in s.dimensions.reversed() {
            let known = ranks?.first { $0.dims == d }
            let rs = ranks == nil ? "…" : known?.rank.map { "#\($0)" } ?? "—"
            let ss = ranks == nil ? "" : known?.score.map(Fmt.score) ?? "—"
            let cur = d == s.dim ? "›" : " "
            line(cur + TextWidth.padLeft("\(d)", width: 4) + TextWidth.padLeft(rs, width: 7) + "  " + ss,
                 d == s.dim ? .match : .normal)
        }
    }

    /// Half-block drawing, centred horizontally at the top of `area`; odd heights get a black
    /// last half-row.
    static func drawImage(_ img: PreviewImage, in area: Rect, on t: Terminal) {
        let rows = (img.height + 1) / 2
        let x0 = area.x + max(0, (area.width - img.width) / 2)
        let y0 = area.y
        func px(_ x: Int, _ y: Int) -> RGB {
            guard y < img.height else { return RGB(0, 0, 0) }
            let i = (y * img.width + x) * 3
            return RGB(img.rgb[i], img.rgb[i + 1], img.rgb[i + 2])
        }
        for row in 0..<min(rows, area.height) {
            for x in 0..<min(img.width, area.width) {
                t.put("▀", at: Point(x: x0 + x, y: y0 + row), style: .halfBlock(top: px(x, row * 2), bottom: px(x, row * 2 + 1)))
            }
        }
    }
}
