// Decisions made before ncurses starts, as pure functions of the environment so they are
// testable without a TTY: refuse what cannot work (no TTY, TERM=dumb, non-UTF-8 locale) with a
// clear message, and pick the terminfo entry: a direct-colour one (xterm-direct, tmux-direct
// from ncurses-term) when COLORTERM says truecolor/24bit and it exists, else TERM itself.
import Foundation

public enum CursesTerminalError: Error, CustomStringConvertible, Equatable {
    case notATTY
    case dumbTerminal(String)
    case noCursorAddressing(String)
    case nonUTF8Locale(String)
    case initFailed(String)

    public var description: String {
        switch self {
        case .notATTY:
            return "the explorer needs an interactive terminal (stdin and stdout must be a TTY)"
        case .dumbTerminal(let t):
            return "TERM=\(t.isEmpty ? "(unset)" : t) cannot draw the explorer; run it in a terminal emulator "
                + "(e.g. TERM=xterm-256color) or use `clipscope search` for scripts"
        case .noCursorAddressing(let t):
            return "terminal type \(t) has no cursor addressing (terminfo `cup`); the explorer needs a full-screen terminal"
        case .nonUTF8Locale(let codeset):
            return "the locale's character set is \(codeset), not UTF-8; set e.g. LANG=C.UTF-8 (multilingual text needs UTF-8)"
        case .initFailed(let t):
            return "could not start the terminal \(t) (unknown terminfo entry? install ncurses-term or set TERM)"
        }
    }
}

/// How colours are produced on this terminal.
public enum ColorMode: Equatable, Sendable {
    case none          // NO_COLOR or a monochrome terminal: attributes only, no image previews
    case ansi16        // 8/16 colours: named styles only, no image previews
    case palette256    // xterm 256-colour cube for previews
    case direct        // 24-bit colour through a direct-colour terminfo entry
}

public enum TerminalEnvironment {
    /// Validates TERM and returns the terminfo name to start ncurses with.
    public static func chooseTerminfo(env: [String: String], exists: (String) -> Bool = terminfoExists) throws -> String {
        let term = env["TERM"] ?? ""
        if term.isEmpty || term == "dumb" || term == "unknown" { throw CursesTerminalError.dumbTerminal(term) }
        if env["NO_COLOR"].map({ !$0.isEmpty }) == true { return term }
        let colorterm = (env["COLORTERM"] ?? "").lowercased()
        guard colorterm == "truecolor" || colorterm == "24bit" else { return term }
        if term.hasSuffix("-direct") { return term }
        let family = term.split(separator: "-").first.map(String.init) ?? term
        var candidates: [String] = []
        if family == "tmux" || family == "screen" { candidates.append("tmux-direct") }
        candidates.append(family + "-direct")
        candidates.append("xterm-direct")
        for c in candidates where exists(c) { return c }
        return term
    }

    /// Whether a compiled terminfo entry exists in the usual search path.
    public static func terminfoExists(_ name: String) -> Bool {
        guard let first = name.first else { return false }
        var dirs: [String] = []
        let env = ProcessInfo.processInfo.environment
        if let t = env["TERMINFO"] { dirs.append(t) }
        if let h = env["HOME"] { dirs.append(h + "/.terminfo") }
        if let list = env["TERMINFO_DIRS"] { dirs += list.split(separator: ":").map(String.init) }
        dirs += ["/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo", "/usr/lib/terminfo"]
        let hex = String(format: "%02x", first.asciiValue ?? 0)
        for d in dirs {
            for sub in [String(first), hex] where FileManager.default.fileExists(atPath: "\(d)/\(sub)/\(name)") { return true }
        }
        return false
    }

    /// The colour mode for a started terminal (COLORS as reported by terminfo).
    public static func colorMode(env: [String: String], hasColors: Bool, colors: Int) -> ColorMode {
        if env["NO_COLOR"].map({ !$0.isEmpty }) == true || !hasColors { return .none }
        if colors >= 1 << 24 { return .direct }
        if colors >= 256 { return .palette256 }
        return .ansi16
    }

    /// Accepts UTF-8 codesets ("UTF-8", "utf8") only.
    public static func checkCodeset(_ codeset: String) throws {
        let c = codeset.lowercased().replacingOccurrences(of: "-", with: "")
        if c != "utf8" { throw CursesTerminalError.nonUTF8Locale(codeset) }
    }
}
