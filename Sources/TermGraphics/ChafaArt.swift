// libchafa canvases for an RGB8 picture (sixel has its own encoder, SixelEncoder):
//   symbols(cols × rows): chafa picks, per cell, the glyph from the symbol map (space, solid and
//     partial blocks, halves, quadrants, borders; no wide or ambiguous-width glyphs, so every cell is
//     one column wide for ncurses and TextWidth) and the 24-bit fg/bg pair that best reproduces the
//     cell's 8×8 pixel patch. The picture is stretched to the canvas: callers size cols × rows from
//     the picture's aspect and the cell's pixel aspect (`symbolGrid`).
// Pixels go to chafa as RGBA8 (alpha 255): chafa 1.12's RGB8 path misreads rows whose byte stride is
// not a multiple of 4 (odd widths came out sheared).
// One canvas per call; chafa may use its own worker threads inside a call. Safe from any thread.
import CChafa
import TUI

/// One cell of symbol art.
public struct SymbolCell: Equatable, Sendable {
    public var glyph: Character
    public var fg: RGB
    public var bg: RGB
    public init(glyph: Character, fg: RGB, bg: RGB) { self.glyph = glyph; self.fg = fg; self.bg = bg }
}

/// cols × rows cells, row-major.
public struct SymbolArt: Equatable, Sendable {
    public var cols: Int
    public var rows: Int
    public var cells: [SymbolCell]
    public func cell(_ x: Int, _ y: Int) -> SymbolCell { cells[y * cols + x] }
}

public enum ChafaArt {
    /// The cell grid (≤ maxCols × maxRows, ≥ 1×1) that shows a width × height picture with its aspect
    /// kept on cells of `cell` pixels.
    public static func symbolGrid(width: Int, height: Int, maxCols: Int, maxRows: Int, cell: CellPixels) -> (cols: Int, rows: Int) {
        guard width > 0, height > 0, maxCols > 0, maxRows > 0 else { return (max(0, maxCols), max(0, maxRows)) }
        // Picture size in cell units: width / cellW columns per height / cellH rows.
        let aspect = (Double(width) / Double(cell.width)) / (Double(height) / Double(cell.height))
        var cols = maxCols
        var rows = Int((Double(cols) / aspect).rounded())
        if rows > maxRows {
            rows = maxRows
            cols = Int((Double(rows) * aspect).rounded())
        }
        return (max(1, min(maxCols, cols)), max(1, min(maxRows, rows)))
    }

    public static func symbols(width: Int, height: Int, rgb: [UInt8], cols: Int, rows: Int) -> SymbolArt? {
        guard width > 0, height > 0, cols > 0, rows > 0, rgb.count == width * height * 3 else { return nil }
        guard let config = chafa_canvas_config_new() else { return nil }
        defer { chafa_canvas_config_unref(config) }
        chafa_canvas_config_set_geometry(config, gint(cols), gint(rows))
        chafa_canvas_config_set_canvas_mode(config, CHAFA_CANVAS_MODE_TRUECOLOR)
        chafa_canvas_config_set_pixel_mode(config, CHAFA_PIXEL_MODE_SYMBOLS)
        guard let map = chafa_symbol_map_new() else { return nil }
        defer { chafa_symbol_map_unref(map) }
        let want = CHAFA_SYMBOL_TAG_SPACE.rawValue | CHAFA_SYMBOL_TAG_SOLID.rawValue | CHAFA_SYMBOL_TAG_BLOCK.rawValue
            | CHAFA_SYMBOL_TAG_HALF.rawValue | CHAFA_SYMBOL_TAG_QUAD.rawValue | CHAFA_SYMBOL_TAG_BORDER.rawValue
        let avoid = CHAFA_SYMBOL_TAG_WIDE.rawValue | CHAFA_SYMBOL_TAG_AMBIGUOUS.rawValue | CHAFA_SYMBOL_TAG_UGLY.rawValue
        chafa_symbol_map_add_by_tags(map, ChafaSymbolTags(rawValue: want))
        chafa_symbol_map_remove_by_tags(map, ChafaSymbolTags(rawValue: avoid))
        chafa_canvas_config_set_symbol_map(config, map)
        guard let canvas = chafa_canvas_new(config) else { return nil }
        defer { chafa_canvas_unref(canvas) }
        draw(canvas, rgb: rgb, width: width, height: height)
        var cells: [SymbolCell] = []
        cells.reserveCapacity(cols * rows)
        func color(_ packed: gint) -> RGB {
            let v = UInt32(bitPattern: packed)
            return RGB(UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF))
        }
        for y in 0..<rows {
            for x in 0..<cols {
                let c = chafa_canvas_get_char_at(canvas, gint(x), gint(y))
                var fg: gint = 0, bg: gint = 0
                chafa_canvas_get_colors_at(canvas, gint(x), gint(y), &fg, &bg)
                let glyph = Unicode.Scalar(UInt32(c)).map { Character($0) } ?? " "
                cells.append(SymbolCell(glyph: glyph, fg: color(fg), bg: color(bg)))
            }
        }
        return SymbolArt(cols: cols, rows: rows, cells: cells)
    }

    private static func draw(_ canvas: OpaquePointer, rgb: [UInt8], width: Int, height: Int) {
        var rgba = [UInt8](repeating: 255, count: width * height * 4)
        for p in 0..<(width * height) {
            rgba[4 * p] = rgb[3 * p]; rgba[4 * p + 1] = rgb[3 * p + 1]; rgba[4 * p + 2] = rgb[3 * p + 2]
        }
        rgba.withUnsafeBufferPointer {
            chafa_canvas_draw_all_pixels(canvas, CHAFA_PIXEL_RGBA8_UNASSOCIATED, $0.baseAddress, gint(width), gint(height), gint(width * 4))
        }
    }
}
