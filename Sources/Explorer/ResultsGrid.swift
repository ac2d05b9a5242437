// The results as a thumbnail grid (`v`, browse view): blocks of picture + one label line (rank, name),
// left to right, top to bottom, in ranking order. The grid takes the folder pane's place; the preview
// pane beside it keeps the selected result's large picture. It scrolls by grid rows so the selection
// stays visible (derived from the selection, like the list's viewport). Block size by preview mode:
//   kitty / iterm / sixel: pictures 14 cells wide, one picture per block (emitted after the frame);
//   symbols / halfblocks:  20 cells wide, a coarser grid (cell art needs more cells to be read);
// the picture box is about square in pixels (rows = cols · cellW / cellH, at most the pane's height
// less the label), and the pane's spare width is shared between the columns (one blank column
// between blocks). Thumbnails come from the thumbnail worker (reduced-size decode, cached; never
// decoded while drawing); a block without one yet shows "…".
import TUI
import TermGraphics

public struct GridGeometry: Equatable, Sendable {
    public var columns: Int
    /// Grid rows that fit in the pane.
    public var rows: Int
    public var blockWidth: Int
    public var blockHeight: Int
    /// The picture box of a block, in cells (the label line is under it).
    public var imageCols: Int
    public var imageRows: Int
}

public enum ResultsGrid {
    /// Picture width (cells) a block aims for: pixel protocols draw small pictures sharply.
    static func targetCols(_ mode: PreviewMode) -> Int { mode.isPixel ? 14 : 20 }

    /// The grid inside a results pane's interior (nil when it is too small for one block).
    public static func geometry(inner: Rect, options: ExplorerOptions) -> GridGeometry? {
        guard inner.width >= 4, inner.height >= 3 else { return nil }
        let target = targetCols(options.preview)
        let columns = max(1, (inner.width + 1) / (target + 1))
        let blockW = inner.width / columns
        let imageCols = max(1, columns == 1 ? blockW : blockW - 1)
        let cell = options.cellPixels
        let square = Int((Double(imageCols * cell.width) / Double(cell.height)).rounded())
        let imageRows = max(1, min(square, inner.height - 1))
        let blockH = imageRows + 1
        return GridGeometry(columns: columns, rows: max(1, inner.height / blockH), blockWidth: blockW, blockHeight: blockH,
                            imageCols: imageCols, imageRows: imageRows)
    }

    /// The grid of the current layout (nil when the grid is not on screen).
    public static func geometry(_ s: AppState) -> GridGeometry? {
        guard s.view == .browse, s.grid, let r = Layout.compute(size: s.size, state: s)[.results] else { return nil }
        return geometry(inner: r.inset(1), options: s.options)
    }

    /// First visible grid row (the row of the selection kept on screen).
    static func topRow(_ s: AppState, _ g: GridGeometry) -> Int {
        let count = (s.ranking.count + g.columns - 1) / g.columns
        return Layout.viewportTop(selection: s.resultSelection / g.columns, count: count, height: g.rows)
    }

    /// The thumbnail request of one block.
    public static func key(id: Int, _ g: GridGeometry, _ o: ExplorerOptions) -> PreviewKey {
        var k = PreviewPane.key(id: id, area: Rect(x: 0, y: 0, width: g.imageCols, height: g.imageRows), o)
        k.thumbnail = true
        return k
    }

    /// Thumbnails the grid needs: the visible blocks in drawing order, then the next screen (so
    /// scrolling on finds them ready).
    public static func wantedKeys(_ s: AppState) -> [PreviewKey] {
        guard s.options.showImages, let g = geometry(s) else { return [] }
        let ranking = s.ranking
        let first = topRow(s, g) * g.columns
        let end = min(ranking.count, first + 2 * g.rows * g.columns)
        guard first < end else { return [] }
        return ranking[first..<end].compactMap { it -> PreviewKey? in
            if case .failed? = s.item(it.id)?.state { return nil }
            return key(id: it.id, g, s.options)
        }
    }

    static func draw(_ s: AppState, in r: Rect, on t: Terminal, hits: inout HitMap) {
        let focused = s.focus == .results
        t.box(r, title: "Results @\(s.dim) · grid", style: focused ? .focusedBorder : .border)
        let inner = r.inset(1)
        guard !inner.isEmpty else { return }
        let ranking = s.ranking
        guard !ranking.isEmpty, let g = geometry(inner: inner, options: s.options) else {
            ResultsPane.drawEmpty(s, in: inner, on: t)
            return
        }
        let top = topRow(s, g)
        for row in 0..<g.rows {
            for col in 0..<g.columns {
                let i = (top + row) * g.columns + col
                guard i < ranking.count else { return }
                let id = ranking[i].id
                let x = inner.x + col * g.blockWidth, y = inner.y + row * g.blockHeight
                hits.add(Rect(x: x, y: y, width: g.blockWidth, height: g.blockHeight), .resultRow(i))
                let area = Rect(x: x, y: y, width: g.imageCols, height: g.imageRows)
                let k = key(id: id, g, s.options)
                if let img = s.thumbnails[k] {
                    switch img.art {
                    case .symbols(let art)?:
                        PreviewPane.drawSymbols(art, in: area, on: t)
                    case let .pixels(payload, cols, rows)?:
                        let x0 = area.x + max(0, (area.width - cols) / 2)
                        hits.addImage(ImagePlacement(id: PreviewArtist.imageID(k), rect: Rect(x: x0, y: area.y, width: min(cols, area.width),
                                                                                           height: min(rows, area.height)), payload: payload))
                    case nil:
                        PreviewPane.drawImage(img, in: area, on: t)
                    }
                } else {
                    let failed: Bool
                    if case .failed? = s.item(id)?.state { failed = true } else { failed = s.failedPreviews.contains(k) }
                    let mark = failed ? "✗" : "…"
                    t.put(mark, at: Point(x: area.x + area.width / 2, y: area.y + area.height / 2), style: failed ? .bad : .dim)
                }
                let isSel = i == s.resultSelection
                let style: Style = isSel ? (focused ? .selected : .selectedDim) : .dim
                let label = Rect(x: x, y: y + g.imageRows, width: g.imageCols, height: 1)
                if isSel { t.fill(label, style: style) }
                let mark = s.marked.contains(id) ? "*" : ""
                let name = mark + (s.item(id)?.name ?? "#\(id)")
                let rank = "\(i + 1) "
                t.put(rank + Fmt.name(name, width: max(0, g.imageCols - TextWidth.width(rank))), at: Point(x: x, y: label.y),
                      width: g.imageCols, style: style)
            }
        }
    }
}
