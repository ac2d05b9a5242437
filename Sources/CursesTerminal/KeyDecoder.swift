// Raw ncurses input (wget_wch results) → TUI events. Pure: the next raw input is pulled through
// a closure, so tests feed arrays. Handles Esc vs Alt-chord vs bracketed paste (ESC [200~ …
// ESC [201~), control characters, and the keypad codes ncurses reports with KEY_CODE_YES.
import TUI

public enum RawInput: Equatable, Sendable {
    case char(UInt32)     // a character (wget_wch returned OK)
    case code(Int32)      // a key code (wget_wch returned KEY_CODE_YES)
}

public struct KeyDecoder: Sendable {
    /// ncurses key code → key (KEY_UP …); filled from the curses constants by CursesTerminal,
    /// plus terminal-specific codes found at runtime (Ctrl-← / Ctrl-→ via key_defined).
    public var codes: [Int32: Key]
    public var resizeCode: Int32
    public var mouseCode: Int32

    public init(codes: [Int32: Key], resizeCode: Int32, mouseCode: Int32) {
        self.codes = codes; self.resizeCode = resizeCode; self.mouseCode = mouseCode
    }

    public enum Decoded: Equatable {
        case event(Event)
        case resize
        case mouse
        case ignore
    }

    /// Decodes one input; `next` returns the following input only if it is already waiting.
    public func decode(_ first: RawInput, next: () -> RawInput?) -> Decoded {
        switch first {
        case .code(let c):
            if c == resizeCode { return .resize }
            if c == mouseCode { return .mouse }
            if let k = codes[c] { return .event(.key(k)) }
            return .ignore
        case .char(let v):
            return decodeChar(v, next: next)
        }
    }

    private func decodeChar(_ v: UInt32, next: () -> RawInput?) -> Decoded {
        switch v {
        case 27:
            guard let n = next() else { return .event(.key(.escape)) }
            if n == .char(91) /* [ */ { return csi(next: next) }
            if case .char(let c) = n, let s = Unicode.Scalar(c), c >= 32, c != 127 { return .event(.key(.alt(Character(s)))) }
            return .event(.key(.escape))
        case 13, 10: return .event(.key(.enter))
        case 9: return .event(.key(.tab))
        case 127, 8: return .event(.key(.backspace))
        case 0: return .ignore
        case 1...26:
            return .event(.key(.ctrl(Character(Unicode.Scalar(96 + v)!))))
        case 28...31: return .ignore
        default:
            guard let s = Unicode.Scalar(v) else { return .ignore }
            return .event(.key(.char(Character(s))))
        }
    }

    /// After ESC [: bracketed paste, or a few common sequences ncurses did not translate.
    private func csi(next: () -> RawInput?) -> Decoded {
        var params = ""
        while let n = next() {
            guard case .char(let c) = n, let s = Unicode.Scalar(c) else { return .ignore }
            let ch = Character(s)
            if ch.isNumber || ch == ";" { params.append(ch); continue }
            switch (params, ch) {
            case ("200", "~"): return .event(.paste(readPaste(next: next)))
            case ("1;5", "D"): return .event(.key(.ctrlLeft))
            case ("1;5", "C"): return .event(.key(.ctrlRight))
            case ("", "Z"): return .event(.key(.backTab))
            default: return .ignore
            }
        }
        return .event(.key(.alt("[")))
    }

    /// Collects text until ESC [201~ (or until input runs dry).
    private func readPaste(next: () -> RawInput?) -> String {
        var scalars: [UInt32] = []
        let end: [UInt32] = [27, 91, 50, 48, 49, 126]
        while let n = next() {
            guard case .char(let c) = n else { continue }
            scalars.append(c)
            if scalars.count >= end.count, Array(scalars.suffix(end.count)) == end {
                scalars.removeLast(end.count)
                break
            }
        }
        var out = ""
        for c in scalars {
            if c == 13 || c == 10 || c == 9 { out.append(" "); continue }
            if let s = Unicode.Scalar(c), c >= 32 { out.unicodeScalars.append(s) }
        }
        return out
    }
}
