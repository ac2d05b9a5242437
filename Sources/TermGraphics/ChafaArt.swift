// libchafa canvases for an RGB8 picture:
//   symbols(cols × rows): chafa picks, per cell, the glyph from the symbol map (space, solid and
//     partial blocks, halves, quadrants, borders; no wide or ambiguous-width glyphs, so every cell is
//     one column wide for ncurses and TextWidth) and the 24-bit fg/bg pair that best reproduces the
//     cell's 8×8 pixel patch. The picture is stretched to the canvas: callers size cols × rows from
//     the picture's aspect and the cell's pixel aspect (`symbolGrid`).
//   sixel: chafa's sixel encoder with a 1×1-pixel cell, so the sixel image has the picture's own size;
//     chafa drops a last band that is not 6 rows tall, so the picture is first padded with black rows
//     to a multiple of 6 (the emitted image is `sixelHeight(h)` pixels tall).
// Pixels go to chafa as RGBA8 (alpha 255): chafa 1.12's RGB8 path misreads rows whose byte stride is
// not a multiple of 4 (odd widths came out sheared in the sixel round-trip test).
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

    /// Height of the sixel image chafa emits for a picture `height` pixels tall.
    public static func sixelHeight(_ height: Int) -> Int { (height + 5) / 6 * 6 }

    /// `ESC P … q … ESC \` for the picture at its own pixel size (height padded to a multiple of 6).
    public static func sixel(width: Int, height: Int, rgb: [UInt8]) -> String? {
        guard width > 0, height > 0, rgb.count == width * height * 3 else { return nil }
        let h6 = sixelHeight(height)
        var padded = rgb
        padded.append(contentsOf: repeatElement(0, count: (h6 - height) * width * 3))
        guard let config = chafa_canvas_config_new() else { return nil }
        defer { chafa_canvas_config_unref(config) }
        chafa_canvas_config_set_geometry(config, gint(width), gint(h6))
        chafa_canvas_config_set_cell_geometry(config, 1, 1)
        chafa_canvas_config_set_pixel_mode(config, CHAFA_PIXEL_MODE_SIXELS)
        chafa_canvas_config_set_canvas_mode(config, CHAFA_CANVAS_MODE_TRUECOLOR)
        guard let canvas = chafa_canvas_new(config) else { return nil }
        defer { chafa_canvas_unref(canvas) }
        draw(canvas, rgb: padded, width: width, height: h6)
        guard let db = chafa_term_db_get_default(), let info = chafa_term_db_get_fallback_info(db) else { return nil }
        defer { chafa_term_info_unref(info) }
        var len = 0
        guard let gs = chafa_canvas_print(canvas, info), let p = cchafa_take(gs, &len) else { return nil }
        defer { cchafa_free(p) }
        return p.withMemoryRebound(to: UInt8.self, capacity: len) { String(decoding: UnsafeBufferPointer(start: $0, count: len), as: UTF8.self) }
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
