// libchafa's own sixel encoder (truecolor canvas, 1×1-pixel cells, default palette and no dithering),
// the yardstick SixelEncoder's output is compared with. chafa drops a last band that is not 6 rows
// tall, so the picture is padded with black rows to a multiple of 6 first.
import CChafa
import TermGraphics

enum ChafaSixelReference {
    static func sixel(width: Int, height: Int, rgb: [UInt8]) -> String? {
        guard width > 0, height > 0, rgb.count == width * height * 3 else { return nil }
        let h6 = SixelEncoder.bandedHeight(height)
        var rgba = [UInt8](repeating: 255, count: width * h6 * 4)
        for p in 0..<(width * h6) {
            let inside = p < width * height
            rgba[4 * p] = inside ? rgb[3 * p] : 0
            rgba[4 * p + 1] = inside ? rgb[3 * p + 1] : 0
            rgba[4 * p + 2] = inside ? rgb[3 * p + 2] : 0
        }
        guard let config = chafa_canvas_config_new() else { return nil }
        defer { chafa_canvas_config_unref(config) }
        chafa_canvas_config_set_geometry(config, gint(width), gint(h6))
        chafa_canvas_config_set_cell_geometry(config, 1, 1)
        chafa_canvas_config_set_pixel_mode(config, CHAFA_PIXEL_MODE_SIXELS)
        chafa_canvas_config_set_canvas_mode(config, CHAFA_CANVAS_MODE_TRUECOLOR)
        guard let canvas = chafa_canvas_new(config) else { return nil }
        defer { chafa_canvas_unref(canvas) }
        rgba.withUnsafeBufferPointer {
            chafa_canvas_draw_all_pixels(canvas, CHAFA_PIXEL_RGBA8_UNASSOCIATED, $0.baseAddress, gint(width), gint(h6), gint(width * 4))
        }
        guard let db = chafa_term_db_get_default(), let info = chafa_term_db_get_fallback_info(db) else { return nil }
        defer { chafa_term_info_unref(info) }
        var len = 0
        guard let gs = chafa_canvas_print(canvas, info), let p = cchafa_take(gs, &len) else { return nil }
        defer { cchafa_free(p) }
        return p.withMemoryRebound(to: UInt8.self, capacity: len) { String(decoding: UnsafeBufferPointer(start: $0, count: len), as: UTF8.self) }
    }
}
