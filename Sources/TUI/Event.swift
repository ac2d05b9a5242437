// Input events, decoded by each Terminal implementation into one vocabulary: keys, mouse,
// resize and bracketed paste. The explorer's key table (Explorer/KeyMap.swift) maps `Key` to actions.

/// One key press. Printable text arrives as `.char`; control chords as `.ctrl("a")`.
public enum Key: Hashable, Sendable, CustomStringConvertible {
    case char(Character)
    case ctrl(Character)        // lowercase letter: .ctrl("c") is Ctrl-C
    case alt(Character)         // Esc-prefixed / Meta chord
    case enter, tab, backTab, backspace, delete, escape
    case up, down, left, right, home, end, pageUp, pageDown
    case ctrlLeft, ctrlRight
    case function(Int)

    /// How the key is written in the help overlay and README.
    public var description: String {
        switch self {
        case .char(" "): return "Space"
        case .char(let c): return String(c)
        case .ctrl(let c): return "Ctrl-" + String(c).uppercased()
        case .alt(let c): return "Alt-" + String(c)
        case .enter: return "Enter"
        case .tab: return "Tab"
        case .backTab: return "Shift-Tab"
        case .backspace: return "Backspace"
        case .delete: return "Delete"
        case .escape: return "Esc"
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .home: return "Home"
        case .end: return "End"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .ctrlLeft: return "Ctrl-←"
        case .ctrlRight: return "Ctrl-→"
        case .function(let n): return "F\(n)"
        }
    }
}

public enum MouseButton: Hashable, Sendable { case left, wheelUp, wheelDown }

public struct MouseEvent: Hashable, Sendable {
    public var button: MouseButton
    public var at: Point
    public init(button: MouseButton, at: Point) { self.button = button; self.at = at }
}

public enum Event: Hashable, Sendable {
    case key(Key)
    case mouse(MouseEvent)
    case resize(Size)
    case paste(String)
}
