// The key table (tig's REQ_INFO, htop's Action_setBindings, lazygit's Binding): one list of
// (keys, action, context, description) that drives dispatch, the `?` help overlay, the hint
// line and the README key list. Earlier contexts win: overlays, then the editor, then the
// current view, then lists, then global keys.
import TUI

public enum KeyContext: String, CaseIterable, Sendable {
    case anywhere = "Anywhere"
    case editor = "Query editor (and list rows being edited)"
    case help = "Help overlay"
    case lists = "Outside the editor"
    case browse = "Folder and results"
    case grid = "Thumbnail grid (results shown with v)"
    case views = "Cross-lingual and labels views"
    case dimensions = "Dimensions view"
}

public struct KeyBinding: Sendable {
    public var keys: [Key]
    public var action: Action
    public var context: KeyContext
    public var help: String
    /// Short label for the hint line (nil: not shown there).
    public var hint: String?
}

public enum KeyMap {
    public static let bindings: [KeyBinding] = [
        KeyBinding(keys: [.ctrl("c")], action: .quit(.abort), context: .anywhere, help: "quit now (prints nothing)", hint: nil),

        KeyBinding(keys: [.escape, .char("?"), .char("q"), .function(1)], action: .toggleHelp, context: .help, help: "close help", hint: nil),
        KeyBinding(keys: [.down, .char("j")], action: .move(1), context: .help, help: "scroll help", hint: nil),
        KeyBinding(keys: [.up, .char("k")], action: .move(-1), context: .help, help: "scroll help", hint: nil),

        KeyBinding(keys: [.enter], action: .submit, context: .editor, help: "run query / save row, go to results", hint: "Enter results"),
        KeyBinding(keys: [.escape], action: .leaveEditor, context: .editor, help: "leave the editor", hint: "Esc leave"),
        KeyBinding(keys: [.tab], action: .focusNext, context: .editor, help: "next pane", hint: nil),
        KeyBinding(keys: [.backTab], action: .focusPrevious, context: .editor, help: "previous pane", hint: nil),
        KeyBinding(keys: [.left], action: .edit(.left), context: .editor, help: "cursor left (one character)", hint: nil),
        KeyBinding(keys: [.right], action: .edit(.right), context: .editor, help: "cursor right (one character)", hint: nil),
        KeyBinding(keys: [.ctrlLeft, .alt("b")], action: .edit(.wordLeft), context: .editor, help: "previous word", hint: nil),
        KeyBinding(keys: [.ctrlRight, .alt("f")], action: .edit(.wordRight), context: .editor, help: "next word", hint: nil),
        KeyBinding(keys: [.home, .ctrl("a")], action: .edit(.home), context: .editor, help: "start of line", hint: nil),
        KeyBinding(keys: [.end, .ctrl("e")], action: .edit(.end), context: .editor, help: "end of line", hint: nil),
        KeyBinding(keys: [.backspace, .ctrl("h")], action: .edit(.backspace), context: .editor, help: "delete before cursor", hint: nil),
        KeyBinding(keys: [.delete, .ctrl("d")], action: .edit(.deleteForward), context: .editor, help: "delete at cursor", hint: nil),
        KeyBinding(keys: [.ctrl("w")], action: .edit(.deleteWord), context: .editor, help: "delete previous word", hint: nil),
        KeyBinding(keys: [.ctrl("u")], action: .edit(.deleteToStart), context: .editor, help: "delete to start of line", hint: nil),
        KeyBinding(keys: [.ctrl("k")], action: .edit(.deleteToEnd), context: .editor, help: "delete to end of line", hint: nil),
        KeyBinding(keys: [.up], action: .edit(.historyPrevious), context: .editor, help: "previous query (history)", hint: "↑↓ history"),
        KeyBinding(keys: [.down], action: .edit(.historyNext), context: .editor, help: "next query (history)", hint: nil),
        KeyBinding(keys: [.ctrl("t")], action: .toggleTokens, context: .editor, help: "show / hide the tokenization", hint: "^T tokens"),
        KeyBinding(keys: [.ctrl("p")], action: .togglePrefix, context: .editor, help: "toggle the retrieval.query prefix", hint: nil),
        KeyBinding(keys: [.function(1)], action: .toggleHelp, context: .editor, help: "help", hint: "F1 help"),

        KeyBinding(keys: [.char("q")], action: .quit(.accept), context: .lists, help: "quit (with --print: print marked paths)", hint: "q quit"),
        KeyBinding(keys: [.char("?"), .function(1)], action: .toggleHelp, context: .lists, help: "help (this screen)", hint: "? help"),
        KeyBinding(keys: [.char("/")], action: .focusQuery, context: .lists, help: "edit the query", hint: "/ query"),
        KeyBinding(keys: [.tab, .char("l"), .right], action: .focusNext, context: .lists, help: "next pane", hint: "Tab pane"),
        KeyBinding(keys: [.backTab, .char("h"), .left], action: .focusPrevious, context: .lists, help: "previous pane", hint: nil),
        KeyBinding(keys: [.down, .char("j")], action: .move(1), context: .lists, help: "select next", hint: nil),
        KeyBinding(keys: [.up, .char("k")], action: .move(-1), context: .lists, help: "select previous", hint: nil),
        KeyBinding(keys: [.pageDown, .ctrl("f")], action: .move(10), context: .lists, help: "page down", hint: nil),
        KeyBinding(keys: [.pageUp, .ctrl("b")], action: .move(-10), context: .lists, help: "page up", hint: nil),
        KeyBinding(keys: [.char("g"), .home], action: .moveToEdge(first: true), context: .lists, help: "first", hint: nil),
        KeyBinding(keys: [.char("G"), .end], action: .moveToEdge(first: false), context: .lists, help: "last", hint: nil),
        KeyBinding(keys: [.char("]"), .char("+")], action: .dimensionStep(1), context: .lists, help: "next Matryoshka dimension (re-rank)", hint: "[ ] dim"),
        KeyBinding(keys: [.char("["), .char("-")], action: .dimensionStep(-1), context: .lists, help: "previous Matryoshka dimension", hint: nil),
        KeyBinding(keys: [.char("}")], action: .compareDimensionStep(1), context: .lists, help: "next comparison dimension", hint: nil),
        KeyBinding(keys: [.char("{")], action: .compareDimensionStep(-1), context: .lists, help: "previous comparison dimension", hint: nil),
        KeyBinding(keys: [.char("c"), .function(2)], action: .setView(.compare), context: .lists, help: "compare view: two dimensions side by side", hint: "c compare"),
        KeyBinding(keys: [.char("x"), .function(3)], action: .setView(.crossLingual), context: .lists, help: "cross-lingual view: one intent, many languages", hint: "x langs"),
        KeyBinding(keys: [.char("z"), .function(4)], action: .setView(.labels), context: .lists, help: "labels view: zero-shot labels for the image", hint: "z labels"),
        KeyBinding(keys: [.char("m"), .function(5)], action: .setView(.dimensions), context: .lists, help: "dimensions view: the query at every Matryoshka dimension, and the folder curve", hint: "m dims"),
        KeyBinding(keys: [.char("b")], action: .setView(.browse), context: .lists, help: "back to the browse view", hint: nil),
        KeyBinding(keys: [.char("t")], action: .toggleTokens, context: .lists, help: "show / hide the query tokenization", hint: nil),
        KeyBinding(keys: [.char("p")], action: .togglePrefix, context: .lists, help: "toggle the retrieval.query prefix", hint: nil),
        KeyBinding(keys: [.escape, .backspace], action: .back, context: .lists, help: "back (close, leave view, previous search)", hint: "Esc back"),

        KeyBinding(keys: [.enter, .char("s")], action: .searchSimilar, context: .browse, help: "find images similar to the selected one", hint: "Enter similar"),
        KeyBinding(keys: [.char("o")], action: .open, context: .browse, help: "open with the system viewer (xdg-open / open)", hint: nil),
        KeyBinding(keys: [.char("y")], action: .copyPath, context: .browse, help: "copy the path (clipboard tool or OSC 52)", hint: nil),
        KeyBinding(keys: [.char(" ")], action: .toggleMark, context: .browse, help: "mark / unmark for --print", hint: nil),
        KeyBinding(keys: [.char("v")], action: .toggleGrid, context: .browse, help: "results as a thumbnail grid ↔ as a list", hint: "v grid"),

        KeyBinding(keys: [.left, .char("h")], action: .gridMove(dx: -1, dy: 0), context: .grid, help: "thumbnail to the left", hint: "hjkl move"),
        KeyBinding(keys: [.right, .char("l")], action: .gridMove(dx: 1, dy: 0), context: .grid, help: "thumbnail to the right", hint: nil),
        KeyBinding(keys: [.down, .char("j")], action: .gridMove(dx: 0, dy: 1), context: .grid, help: "thumbnail below", hint: nil),
        KeyBinding(keys: [.up, .char("k")], action: .gridMove(dx: 0, dy: -1), context: .grid, help: "thumbnail above", hint: nil),

        KeyBinding(keys: [.enter, .char("e")], action: .editRow, context: .views, help: "edit the selected row", hint: "e edit"),
        KeyBinding(keys: [.char("a")], action: .addRow, context: .views, help: "add a row", hint: "a add"),
        KeyBinding(keys: [.char("d"), .delete], action: .deleteRow, context: .views, help: "delete the selected row", hint: nil),

        KeyBinding(keys: [.char(">")], action: .lensKStep(1), context: .dimensions, help: "next k (5, 10, 20, 50)", hint: "< > k"),
        KeyBinding(keys: [.char("<")], action: .lensKStep(-1), context: .dimensions, help: "previous k", hint: nil),
    ]

    /// Contexts active in `state`, highest priority first.
    public static func contexts(for state: AppState) -> [KeyContext] {
        if state.overlay == .help { return [.anywhere, .help] }
        if state.isEditing { return [.anywhere, .editor] }
        switch state.view {
        case .browse: return state.grid && state.focus == .results ? [.anywhere, .grid, .browse, .lists] : [.anywhere, .browse, .lists]
        case .crossLingual, .labels: return [.anywhere, .views, .lists]
        case .compare: return [.anywhere, .lists]
        case .dimensions: return [.anywhere, .dimensions, .lists]
        }
    }

    /// The action for a key in the current state (printable text in the editor inserts itself).
    public static func action(for key: Key, in state: AppState) -> Action? {
        for context in contexts(for: state) {
            for b in bindings where b.context == context && b.keys.contains(key) {
                return b.action
            }
        }
        if state.isEditing, case .char(let c) = key { return .edit(.insert(String(c))) }
        return nil
    }

    /// "q quit  / query  …" for the hint line in the current state.
    public static func hints(for state: AppState) -> [(key: String, label: String)] {
        var out: [(String, String)] = []
        for context in contexts(for: state).reversed() where context != .anywhere {
            for b in bindings where b.context == context {
                guard let h = b.hint, let space = h.firstIndex(of: " ") else { continue }
                out.append((String(h[..<space]), String(h[h.index(after: space)...])))
            }
        }
        if state.isEditing { out.append(("^C", "quit")) }
        return out
    }

    /// Help text grouped by context: one line per binding, "keys — description".
    public static func helpLines() -> [(context: KeyContext?, keys: String, text: String)] {
        var lines: [(KeyContext?, String, String)] = []
        for context in KeyContext.allCases where context != .help {
            lines.append((context, "", context.rawValue))
            for b in bindings where b.context == context {
                lines.append((nil, b.keys.map(\.description).joined(separator: " "), b.help))
            }
            if context == .editor { lines.append((nil, "text, paste", "insert at the cursor (any script)")) }
        }
        lines.append((KeyContext.anywhere, "", "Mouse"))
        lines.append((nil, "click", "select a result or folder entry"))
        lines.append((nil, "wheel", "scroll the list under the pointer"))
        return lines
    }

    /// The key list as Markdown (README / docs), generated from the same table.
    public static func markdown() -> String {
        var out = ""
        for (context, keys, text) in helpLines() {
            if context != nil { out += "\n**\(text)**\n\n| Keys | Action |\n|---|---|\n"; continue }
            out += "| `\(keys.replacingOccurrences(of: "|", with: "\\|"))` | \(text) |\n"
        }
        return out
    }
}
