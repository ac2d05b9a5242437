// The GraphicsOutput of a real terminal: each picture is written at its cell as
//   ESC 7 (save cursor) · CSI row;col H · picture · ESC 8 (restore cursor)
// so ncurses' idea of the cursor stays true.
//   sixel / iTerm2: the picture is the payload; it lives in the cells, so removing one asks the
//     caller to repaint them.
//   kitty: the payload is the image's transmission (a=t, its id); it is written only when the
//     terminal does not hold that id with that payload yet, then the picture is a placement
//     (a=p, c = rect width, r = rect height). Removing unplaces it (a=d,d=i: the data stays, so
//     scrolling a grid back re-places without re-sending); `releaseAll` deletes every held id
//     (a=d,d=I). Ids held but not placed are deleted, least recently placed first, once the held
//     payloads pass `keptBytes`.
// Inside tmux, the kitty commands made here are wrapped for passthrough like the payloads (made on
// the worker).
import TUI

public final class EscapeGraphicsOutput: GraphicsOutput {
    public let mode: PreviewMode
    private let passthrough: Bool
    private let write: (String) -> Void
    /// kitty: payloads (base64) the terminal may hold at once for pictures not on screen.
    public let keptBytes: Int
    /// kitty: id → the transmission the terminal holds under it; placement order (oldest first).
    private var held: [UInt32: String] = [:]
    private var heldBytes = 0
    private var recency: [UInt32] = []
    private var placed: Set<UInt32> = []

    /// `write` sends bytes to the terminal at once (after ncurses' own output of the frame).
    public init(mode: PreviewMode, tmuxPassthrough: Bool, keptBytes: Int = 96 << 20, write: @escaping (String) -> Void) {
        self.mode = mode
        self.passthrough = tmuxPassthrough
        self.keptBytes = keptBytes
        self.write = write
    }

    /// kitty: the ids whose data the terminal holds now.
    public var heldIDs: Set<UInt32> { Set(held.keys) }

    public func show(_ p: ImagePlacement) {
        let at = "\u{1B}7\u{1B}[\(p.rect.y + 1);\(p.rect.x + 1)H"
        guard mode == .kitty else {
            write(at + p.payload + "\u{1B}8")
            return
        }
        if held[p.id] != p.payload {
            if let old = held[p.id] { heldBytes -= old.utf8.count }
            write(p.payload)
            held[p.id] = p.payload
            heldBytes += p.payload.utf8.count
        }
        recency.removeAll { $0 == p.id }
        recency.append(p.id)
        placed.insert(p.id)
        write(at + wrap(KittyGraphics.place(id: p.id, columns: p.rect.width, rows: p.rect.height)) + "\u{1B}8")
        evict()
    }

    public func remove(_ p: ImagePlacement) -> Bool {
        guard mode == .kitty else { return true }
        placed.remove(p.id)
        write(wrap(KittyGraphics.unplace(id: p.id)))
        return false
    }

    public func releaseAll() {
        guard mode == .kitty else { return }
        for id in recency { write(wrap(KittyGraphics.delete(id: id))) }
        held = [:]; heldBytes = 0; recency = []; placed = []
    }

    private func wrap(_ command: String) -> String { passthrough ? TmuxPassthrough.wrap(command) : command }

    private func evict() {
        var i = 0
        while heldBytes > keptBytes, i < recency.count {
            let id = recency[i]
            if placed.contains(id) { i += 1; continue }
            write(wrap(KittyGraphics.delete(id: id)))
            heldBytes -= held.removeValue(forKey: id)?.utf8.count ?? 0
            recency.remove(at: i)
        }
    }
}
