// An in-memory Terminal for tests (tig-style golden screens): a grid of cells, each holding
// one grapheme cluster and its style; a cluster N cells wide occupies its cell and N − 1
// continuation cells to the right. Events are scripted. `text` is the grid as lines
// (continuation cells skipped, trailing spaces kept so every line has the same cell width).

public final class VirtualTerminal: Terminal {
    public struct Cell: Equatable {
        public var text: String        // "" marks the right half of a wide cluster
        public var style: Style
        public static let blank = Cell(text: " ", style: .normal)
    }

    public private(set) var size: Size
    public private(set) var cells: [[Cell]]
    /// The grid as last flushed (what a user would see).
    public private(set) var screen: [[Cell]]
    public private(set) var flushCount = 0
    /// Every text sent with `setClipboard`, in order.
    public private(set) var clipboard: [String] = []
    private var events: [Event]

    public init(width: Int, height: Int, events: [Event] = []) {
        size = Size(width: width, height: height)
        cells = Array(repeating: Array(repeating: .blank, count: width), count: height)
        screen = cells
        self.events = events
    }

    /// Appends scripted input (read in order by `readEvent`).
    public func enqueue(_ more: [Event]) { events.append(contentsOf: more) }
    public var pendingEvents: Int { events.count }

    /// Changes the size as a terminal emulator would and queues the `.resize` event.
    public func resize(width: Int, height: Int) {
        size = Size(width: width, height: height)
        cells = Array(repeating: Array(repeating: .blank, count: width), count: height)
        events.insert(.resize(size), at: 0)
    }

    public func clear() {
        for y in 0..<size.height { for x in 0..<size.width { cells[y][x] = .blank } }
    }

    public func put(_ text: String, at: Point, style: Style) {
        guard at.y >= 0, at.y < size.height else { return }
        var x = at.x
        for c in TextWidth.sanitize(text) {
            let w = TextWidth.width(of: c)
            if w == 0 { continue }
            if x >= size.width { break }
            if x >= 0 {
                if x + w > size.width { cells[at.y][x] = Cell(text: " ", style: style); break }
                clearHalves(y: at.y, x: x, width: w)
                cells[at.y][x] = Cell(text: String(c), style: style)
                // Continuation cells: 1 for CJK / emoji, more for an Indic conjunct cluster such as
                // "त्ता" (3 cells: terminals place each scalar by its own width).
                for k in 1..<w { cells[at.y][x + k] = Cell(text: "", style: style) }
            }
            x += w
        }
    }

    /// Overwriting part of a wide cluster blanks the rest of it (as terminals do): the cells to
    /// the left back to the cluster's first cell, and the continuation cells to the right.
    private func clearHalves(y: Int, x: Int, width: Int) {
        if cells[y][x].text.isEmpty {
            var left = x - 1
            while left > 0, cells[y][left].text.isEmpty { left -= 1 }
            for i in max(0, left)..<x { cells[y][i] = .blank }
        }
        var after = x + width
        while after < size.width, cells[y][after].text.isEmpty {
            cells[y][after] = .blank
            after += 1
        }
    }

    public func flush() {
        screen = cells
        flushCount += 1
    }

    public func setClipboard(_ text: String) { clipboard.append(text) }

    public func readEvent(timeoutMs: Int) -> Event? {
        events.isEmpty ? nil : events.removeFirst()
    }

    /// The flushed screen as text lines.
    public var text: String { lines.joined(separator: "\n") }

    public var lines: [String] {
        screen.map { row in row.map(\.text).joined() }
    }

    /// The style of a flushed cell (for tests of colours and selection).
    public func style(at p: Point) -> Style { screen[p.y][p.x].style }
}
