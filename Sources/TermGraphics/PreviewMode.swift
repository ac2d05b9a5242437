// How previews are drawn. `auto` is resolved once at start-up (GraphicsDetection) into one of the
// others; the explorer only ever sees a resolved mode.
//   kitty  — kitty graphics protocol, RGB pixels by direct transmission, one image id per picture
//   iterm  — iTerm2 inline images (OSC 1337 File=…, a PNG)
//   sixel  — DEC sixel (SixelEncoder)
//   symbols — libchafa symbol art (block, half, quadrant and border glyphs, 24-bit fg/bg per cell)
//   halfblocks — ▀ with fg = upper pixel, bg = lower pixel (no library)
//   none   — metadata only
import TUI

public enum PreviewMode: String, CaseIterable, Sendable, Equatable {
    case auto, kitty, iterm, sixel, symbols, halfblocks, none

    /// Real pixels drawn by the terminal outside the cell grid (emitted after each refresh).
    public var isPixel: Bool { self == .kitty || self == .iterm || self == .sixel }

    /// Drawing in text cells (through ncurses).
    public var isCells: Bool { self == .symbols || self == .halfblocks }

    /// The names accepted by `--preview` and `CLIPSCOPE_PREVIEW`, in help order.
    public static var names: String { allCases.map(\.rawValue).joined(separator: "|") }
}

/// Pixel size of one terminal cell (TIOCGWINSZ, `CSI 16 t`, else 10×20).
public struct CellPixels: Equatable, Hashable, Sendable {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) { self.width = max(1, width); self.height = max(1, height) }
    /// Assumed when the terminal does not say (a common 10×20 monospace cell).
    public static let fallback = CellPixels(width: 10, height: 20)
}
