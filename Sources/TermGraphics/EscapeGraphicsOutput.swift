// The GraphicsOutput of a real terminal: each picture is written as
//   ESC 7 (save cursor) · CSI row;col H · payload · ESC 8 (restore cursor)
// so ncurses' idea of the cursor stays true. kitty pictures are removed by id (ESC _G a=d,d=I,i=ID);
// sixel and iTerm2 pictures live in the cells, so removing one asks the caller to repaint them.
// Inside tmux, kitty deletions are wrapped for passthrough like the payloads (made on the worker).
import TUI

public final class EscapeGraphicsOutput: GraphicsOutput {
    public let mode: PreviewMode
    private let passthrough: Bool
    private let write: (String) -> Void

    /// `write` sends bytes to the terminal at once (after ncurses' own output of the frame).
    public init(mode: PreviewMode, tmuxPassthrough: Bool, write: @escaping (String) -> Void) {
        self.mode = mode
        self.passthrough = tmuxPassthrough
        self.write = write
    }

    public func show(_ p: ImagePlacement) {
        write("\u{1B}7\u{1B}[\(p.rect.y + 1);\(p.rect.x + 1)H" + p.payload + "\u{1B}8")
    }

    public func remove(_ p: ImagePlacement) -> Bool {
        guard mode == .kitty else { return true }
        let delete = KittyGraphics.delete(id: p.id)
        write(passthrough ? TmuxPassthrough.wrap(delete) : delete)
        return false
    }
}
