// The selected image, then its path, size, indexing state and its rank and score at every
// Matryoshka dimension. The image, by preview mode (ExplorerOptions.preview):
//   halfblocks: ▀ per cell (upper pixel = fg, lower = bg): a W×H-cell box asks for W × 2H pixels;
//   symbols:    libchafa symbol art; the box asks for 8 px per cell column and the cell's aspect
//               (8·W × 8·H·cellH/cellW), the art keeps the picture's aspect on cellW × cellH cells;
//   kitty / iterm / sixel: real pixels, W·cellW × H·cellH (sixel: height floored to a multiple of
//               6), emitted after the frame at the box's top-left cell (the cells stay blank).
// The art is made on the preview worker (PreviewArtist), never while drawing.
// NO_COLOR / --preview none: metadata only.
import TUI
import TermGraphics

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
        return key(id: id, area: area, s.options)
    }

    /// The preview request for a box of cells in the given mode.
    static func key(id: Int, area: Rect, _ o: ExplorerOptions) -> PreviewKey {
        let cell = o.cellPixels
        switch o.preview {
        case .symbols:
            return PreviewKey(id: id, maxWidth: area.width * 8, maxHeight: max(1, area.height * 8 * cell.height / cell.width),
                              mode: .symbols, cols: area.width, rows: area.height)
        case .kitty, .iterm:
            return PreviewKey(id: id, maxWidth: area.width * cell.width, maxHeight: area.height * cell.height,
                              mode: o.preview, cols: area.width, rows: area.height)
        case .sixel:
            return PreviewKey(id: id, maxWidth: area.width * cell.width, maxHeight: max(6, area.height * cell.height / 6 * 6),
                              mode: .sixel, cols: area.width, rows: area.height)
        case .halfblocks, .none, .auto:
            return PreviewKey(id: id, maxWidth: area.width, maxHeight: area.height * 2)
        }
    }

    static func draw(_ s: AppState, in r: Rect, on t: Terminal, hits: inout HitMap) {
        t.box(r, title: "Preview", style: .border)
        let inner = r.inset(1)
        guard !inner.isEmpty else { return }
        guard let id = s.selectedItemID, let item = s.item(id) else {
            t.put("nothing selected", at: Point(x: inner.x, y: inner.y), width: inner.width, style: .dim)
            return
        }
        let area = imageArea(s, in: r)
        var y = inner.y
        var rotated = ""
        if !area.isEmpty {
            if let key = wantedPreview(s), let img = s.previews[key] {
                if img.orientation != 1 { rotated = " · shown per EXIF \(img.orientation), model sees it unrotated" }
                let rows: Int
                switch img.art {
                case .symbols(let art)?:
                    drawSymbols(art, in: area, on: t)
                    rows = art.rows
                case let .pixels(payload, cols, artRows)?:
                    let x0 = area.x + max(0, (area.width - cols) / 2)
                    hits.addImage(ImagePlacement(id: PreviewArtist.imageID(key), rect: Rect(x: x0, y: area.y, width: min(cols, area.width), height: min(artRows, area.height)), payload: payload))
                    rows = artRows
                case nil:
                    drawImage(img, in: area, on: t)
                    rows = (img.height + 1) / 2
                }
                y = min(area.maxY, area.y + rows)   // metadata right under the picture
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
        line((item.pixelWidth > 0 ? "\(item.pixelWidth)×\(item.pixelHeight) · " : "") + Fmt.bytes(item.byteSize) + rotated)
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

    /// Symbol art centred horizontally at the top of `area`.
    static func drawSymbols(_ art: SymbolArt, in area: Rect, on t: Terminal) {
        let x0 = area.x + max(0, (area.width - art.cols) / 2)
        for row in 0..<min(art.rows, area.height) {
            for x in 0..<min(art.cols, area.width) {
                let c = art.cell(x, row)
                t.put(String(c.glyph), at: Point(x: x0 + x, y: area.y + row), style: Style(fg: .rgb(c.fg), bg: .rgb(c.bg)))
            }
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
