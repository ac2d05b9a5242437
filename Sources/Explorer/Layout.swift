// Pure layout (lazygit's GetWindowDimensions): (terminal size, state) → pane rectangles.
//   full     (≥ 80×20): query box on top, folder | results | preview, status + hint lines
//                       (the thumbnail grid: results grid | preview)
//   compact  (≥ 40×12): one query line, results (or the view body), one status line
//   tooSmall (< 40×12): a single message
// Other views replace folder+results by `.body`; the labels view keeps the preview beside it.
import TUI

public enum PaneID: String, Hashable, CaseIterable, Sendable {
    case query, folder, results, preview, body, status, hints, tokens, help, tooSmall
}

public enum LayoutMode: Equatable, Sendable { case full, compact, tooSmall }

public enum Layout {
    public static let minimum = Size(width: 40, height: 12)
    public static let fullMinimum = Size(width: 80, height: 20)

    public static func mode(for size: Size) -> LayoutMode {
        if size.width < minimum.width || size.height < minimum.height { return .tooSmall }
        if size.width < fullMinimum.width || size.height < fullMinimum.height { return .compact }
        return .full
    }

    public static func compute(size: Size, state: AppState) -> [PaneID: Rect] {
        let w = size.width, h = size.height
        var panes: [PaneID: Rect] = [:]
        switch mode(for: size) {
        case .tooSmall:
            panes[.tooSmall] = Rect(x: 0, y: 0, width: w, height: h)
            return panes
        case .compact:
            panes[.query] = Rect(x: 0, y: 0, width: w, height: 1)
            let middle = Rect(x: 0, y: 1, width: w, height: h - 2)
            panes[state.view == .browse ? .results : .body] = middle
            panes[.status] = Rect(x: 0, y: h - 1, width: w, height: 1)
        case .full:
            panes[.query] = Rect(x: 0, y: 0, width: w, height: 3)
            let top = 3, height = h - 5
            let previewW = min(70, max(26, w * 32 / 100))
            switch state.view {
            case .browse where state.grid:
                // The thumbnail grid takes the folder's place; the selected result's preview stays.
                panes[.results] = Rect(x: 0, y: top, width: w - previewW, height: height)
                panes[.preview] = Rect(x: w - previewW, y: top, width: previewW, height: height)
            case .browse:
                let folderW = min(40, max(20, w * 24 / 100))
                panes[.folder] = Rect(x: 0, y: top, width: folderW, height: height)
                panes[.results] = Rect(x: folderW, y: top, width: w - folderW - previewW, height: height)
                panes[.preview] = Rect(x: w - previewW, y: top, width: previewW, height: height)
            case .labels:
                panes[.body] = Rect(x: 0, y: top, width: w - previewW, height: height)
                panes[.preview] = Rect(x: w - previewW, y: top, width: previewW, height: height)
            case .compare, .crossLingual, .dimensions:
                panes[.body] = Rect(x: 0, y: top, width: w, height: height)
            }
            panes[.status] = Rect(x: 0, y: h - 2, width: w, height: 1)
            panes[.hints] = Rect(x: 0, y: h - 1, width: w, height: 1)
        }
        if state.overlay == .tokens, let q = panes[.query] {
            panes[.tokens] = Rect(x: q.x, y: q.maxY, width: q.width, height: min(6, h - q.maxY - 1))
        }
        if state.overlay == .help {
            let hw = min(w - 2, 84), hh = h - 2
            panes[.help] = Rect(x: (w - hw) / 2, y: 1, width: hw, height: hh)
        }
        return panes
    }

    /// First visible row of a list so that `selection` stays visible (derived, never stored:
    /// after a resize the viewport follows the selection). Keeps the selection mid-pane once
    /// the list scrolls.
    public static func viewportTop(selection: Int, count: Int, height: Int) -> Int {
        guard height > 0, count > height else { return 0 }
        return min(max(0, selection - height / 2), count - height)
    }

    /// ASCII picture of a layout (tests / docs): each pane drawn as a box with its name.
    public static func ascii(size: Size, panes: [PaneID: Rect]) -> String {
        var grid = Array(repeating: Array(repeating: Character(" "), count: size.width), count: size.height)
        for (id, r) in panes.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where !r.isEmpty {
            for y in r.y..<min(r.maxY, size.height) {
                for x in r.x..<min(r.maxX, size.width) {
                    let edgeY = y == r.y || y == r.maxY - 1, edgeX = x == r.x || x == r.maxX - 1
                    if r.height == 1 { grid[y][x] = "-" } else if edgeY && edgeX { grid[y][x] = "+" } else if edgeY { grid[y][x] = "-" } else if edgeX { grid[y][x] = "|" }
                }
            }
            let label = Array(id.rawValue)
            let ly = r.height == 1 ? r.y : r.y + min(1, r.height - 1)
            for (i, c) in label.enumerated() where r.x + 1 + i < min(r.maxX - 1, size.width) { grid[ly][r.x + 1 + i] = c }
        }
        return grid.map { String($0) }.joined(separator: "\n")
    }
}
