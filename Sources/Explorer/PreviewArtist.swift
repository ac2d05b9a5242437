// Turns decoded preview pixels into what the preview mode draws, on the preview worker:
//   symbols → libchafa symbol art sized by ChafaArt.symbolGrid within the key's cell box;
//   kitty   → direct transmission of the RGB pixels under the picture's image id (a=t); the
//             output places it scaled to the cell box it covers (cols × rows from the pixel size
//             and the cell size, so a wrong cell-size guess changes the scale, never the box);
//   iterm   → PNG inline image, width/height in cells the same way;
//   sixel   → SixelEncoder at the picture's own pixel size (rows: its height rounded up to whole bands).
// halfblocks keeps the pixels (drawn cell by cell while rendering).
import TUI
import TermGraphics

public enum PreviewArtist {
    /// The request the preview pane makes for a box of `cols` × `rows` cells (what a benchmark replays).
    public static func key(id: Int, cols: Int, rows: Int, options: ExplorerOptions) -> PreviewKey {
        PreviewPane.key(id: id, area: Rect(x: 0, y: 0, width: cols, height: rows), options)
    }

    /// The kitty image id of a picture: item id + 1, with bit 30 set for a grid thumbnail (an item's
    /// preview and its thumbnail are on screen together; one of each per item at a time).
    public static func imageID(_ key: PreviewKey) -> UInt32 {
        (UInt32(truncatingIfNeeded: key.id &+ 1) & 0x3FFF_FFFF) | (key.thumbnail ? 0x4000_0000 : 0)
    }

    public static func prepare(_ image: PreviewImage, key: PreviewKey, cell: CellPixels, passthrough: Bool) -> PreviewImage? {
        var out = image
        func cells(_ px: Int, _ per: Int, _ limit: Int) -> Int { max(1, min(limit, (px + per - 1) / per)) }
        switch key.mode {
        case .symbols:
            let g = ChafaArt.symbolGrid(width: image.width, height: image.height, maxCols: max(1, key.cols), maxRows: max(1, key.rows), cell: cell)
            guard let art = ChafaArt.symbols(width: image.width, height: image.height, rgb: image.rgb, cols: g.cols, rows: g.rows) else { return nil }
            out.art = .symbols(art)
        case .kitty:
            let cols = cells(image.width, cell.width, key.cols), rows = cells(image.height, cell.height, key.rows)
            out.art = .pixels(payload: KittyGraphics.transmit(id: imageID(key), width: image.width, height: image.height, rgb: image.rgb),
                              cols: cols, rows: rows)
        case .iterm:
            let cols = cells(image.width, cell.width, key.cols), rows = cells(image.height, cell.height, key.rows)
            out.art = .pixels(payload: ITermGraphics.inline(width: image.width, height: image.height, rgb: image.rgb, columns: cols, rows: rows),
                              cols: cols, rows: rows)
        case .sixel:
            guard let six = SixelEncoder.encode(width: image.width, height: image.height, rgb: image.rgb) else { return nil }
            let cols = cells(image.width, cell.width, key.cols), rows = cells(SixelEncoder.bandedHeight(image.height), cell.height, key.rows)
            out.art = .pixels(payload: six, cols: cols, rows: rows)
        case .halfblocks, .none, .auto:
            return image
        }
        if passthrough, case let .pixels(payload, cols, rows)? = out.art {
            out.art = .pixels(payload: TmuxPassthrough.wrap(payload), cols: cols, rows: rows)
        }
        // The pixels are not needed any more once the art exists (the cache holds the art).
        if out.art != nil { out.rgb = [] }
        return out
    }
}
