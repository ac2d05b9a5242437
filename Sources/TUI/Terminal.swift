// The terminal seen by the UI: a cell grid addressed by (x, y), text drawn with a Style, events
// read with a timeout. No ncurses here: CursesTerminal implements this for a real TTY and
// VirtualTerminal for tests (golden screens). Coordinates are cells; (0, 0) is top-left.

public struct Point: Equatable, Hashable, Sendable {
    public var x: Int
    public var y: Int
    public init(x: Int, y: Int) { self.x = x; self.y = y }
}

public struct Size: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) { self.width = width; self.height = height }
    public var description: String { "\(width)×\(height)" }
}

/// A rectangle of cells. Widths/heights never go negative (saturating helpers, as ncdu's `-|`).
public struct Rect: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = max(0, width); self.height = max(0, height)
    }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width == 0 || height == 0 }
    /// The rectangle shrunk by `d` cells on every side (a bordered box's interior).
    public func inset(_ d: Int) -> Rect { Rect(x: x + d, y: y + d, width: width - 2 * d, height: height - 2 * d) }
    public func contains(_ p: Point) -> Bool { p.x >= x && p.x < maxX && p.y >= y && p.y < maxY }
    public var description: String { "(\(x),\(y) \(width)×\(height))" }
}

/// A terminal the explorer draws on. Only the UI thread calls these methods.
public protocol Terminal: AnyObject {
    /// Current size in cells (updated after a `.resize` event).
    var size: Size { get }
    /// Blanks the whole back buffer (the next `flush` shows only what is drawn after it).
    func clear()
    /// Draws `text` starting at `at`; cells outside the screen are clipped; wide clusters
    /// (CJK, emoji) take two cells, zero-width marks stay with their base.
    func put(_ text: String, at: Point, style: Style)
    /// Makes the back buffer visible (ncurses diffs it against the screen).
    func flush()
    /// Waits at most `timeoutMs` milliseconds for input; nil when nothing arrived (or `wake`).
    func readEvent(timeoutMs: Int) -> Event?
    /// Makes a waiting `readEvent` return early. The only method callable from other threads
    /// (workers call it after posting a result, so the UI thread draws it at once).
    func wake()
    /// Puts `text` on the system clipboard through the terminal (OSC 52), if the terminal can.
    func setClipboard(_ text: String)
    /// Makes the next `flush` rewrite every cell of `rect`, changed or not (erases pictures that a
    /// terminal drew over those cells).
    func repaint(_ rect: Rect)
}

extension Terminal {
    public func wake() {}
    public func repaint(_ rect: Rect) {}
}

/// A picture drawn by the terminal itself (kitty / iTerm2 / sixel), outside the cell grid: `payload`
/// is emitted with the cursor at `rect`'s top-left cell after the frame is on screen; `rect` is the
/// cell box it covers; `id` names it for deletion (kitty).
public struct ImagePlacement: Equatable, Sendable {
    public var id: UInt32
    public var rect: Rect
    public var payload: String
    public init(id: UInt32, rect: Rect, payload: String) { self.id = id; self.rect = rect; self.payload = payload }
}

/// Where pixel pictures go (the CLI writes them to the TTY; tests record them). UI thread only.
public protocol GraphicsOutput: AnyObject {
    /// Draws the picture (the frame with its blank cells is already flushed).
    func show(_ p: ImagePlacement)
    /// Removes the picture. Returns true when the terminal can only erase it by redrawing the cells
    /// under it (sixel, iTerm2): the caller then repaints `p.rect` and flushes.
    func remove(_ p: ImagePlacement) -> Bool
    /// Frees whatever the terminal still holds for pictures no longer shown (kitty: the image data of
    /// every id sent), so each picture is sent again when next shown. Called after every picture was
    /// removed: on exit and when the screen was cleared under them (resize).
    func releaseAll()
}

extension GraphicsOutput {
    public func releaseAll() {}
}

extension Terminal {
    /// Draws `text` clipped to `width` cells, padded with spaces to exactly `width` cells.
    public func put(_ text: String, at: Point, width: Int, style: Style) {
        guard width > 0 else { return }
        put(TextWidth.pad(TextWidth.truncate(text, width: width), width: width), at: at, style: style)
    }

    /// Fills a rectangle with spaces in `style`.
    public func fill(_ rect: Rect, style: Style) {
        guard !rect.isEmpty else { return }
        let blank = String(repeating: " ", count: rect.width)
        for y in rect.y..<rect.maxY { put(blank, at: Point(x: rect.x, y: y), style: style) }
    }

    /// A single-line box with an optional title on the top edge.
    public func box(_ rect: Rect, title: String = "", style: Style = .border, titleStyle: Style = .title) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let inner = rect.width - 2
        put("┌" + String(repeating: "─", count: inner) + "┐", at: Point(x: rect.x, y: rect.y), style: style)
        for y in (rect.y + 1)..<(rect.maxY - 1) {
            put("│", at: Point(x: rect.x, y: y), style: style)
            put("│", at: Point(x: rect.maxX - 1, y: y), style: style)
        }
        put("└" + String(repeating: "─", count: inner) + "┘", at: Point(x: rect.x, y: rect.maxY - 1), style: style)
        if !title.isEmpty, inner >= 3 {
            let t = TextWidth.truncate(" " + title + " ", width: inner - 1)
            put(t, at: Point(x: rect.x + 1, y: rect.y), style: titleStyle)
        }
    }
}
