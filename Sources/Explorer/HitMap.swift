// What a click means, recorded while drawing (htop's Panel, lazygit's per-view handlers): the renderer
// adds each pane's rectangle and the panes add the rectangle of every row they draw, so hit-testing is
// the inverse of drawing and repeats no layout, scrolling or header arithmetic. The event loop keeps
// the map of the last frame and turns a mouse event into the targets under the pointer.
import TUI

/// Something a click can land on.
public enum HitTarget: Equatable, Sendable {
    case pane(PaneID)
    /// Index into `AppState.ranking`.
    case resultRow(Int)
    /// Index into `AppState.items`.
    case folderItem(Int)
    /// Row of the cross-lingual or labels list.
    case listRow(ListID, Int)
}

public struct HitMap: Equatable, Sendable {
    public struct Region: Equatable, Sendable {
        public var rect: Rect
        public var target: HitTarget
    }

    public private(set) var regions: [Region] = []
    /// Pixel pictures the frame leaves to the terminal (emitted after the flush by the event loop).
    public private(set) var images: [ImagePlacement] = []

    public init() {}

    mutating func addImage(_ p: ImagePlacement) {
        guard !p.rect.isEmpty else { return }
        images.append(p)
    }

    /// An overlay covers the panes: no picture may stay above it.
    mutating func removeImages() { images = [] }

    mutating func add(_ rect: Rect, _ target: HitTarget) {
        guard rect.width > 0, rect.height > 0 else { return }
        regions.append(Region(rect: rect, target: target))
    }

    /// Everything under `p`, the last drawn first (a row before the pane that holds it).
    public func targets(at p: Point) -> [HitTarget] {
        regions.reversed().filter { $0.rect.contains(p) }.map(\.target)
    }
}
