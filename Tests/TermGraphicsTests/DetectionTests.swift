// `auto` is a pure function of (environment, terminal answers): a table of terminals.
import TermGraphics
import Testing

@Suite struct DetectionTests {
    typealias Env = [String: String]

    static let table: [(Env, TerminalAnswers, PreviewMode, Bool)] = [
        (["TERM": "xterm-kitty", "KITTY_WINDOW_ID": "1"], TerminalAnswers(), .kitty, false),
        (["TERM": "xterm-256color", "KITTY_WINDOW_ID": "3"], TerminalAnswers(), .kitty, false),
        (["TERM": "xterm-ghostty"], TerminalAnswers(), .kitty, false),
        (["TERM": "xterm-256color", "KONSOLE_VERSION": "230804"], TerminalAnswers(), .kitty, false),
        (["TERM": "xterm-256color", "TERM_PROGRAM": "iTerm.app"], TerminalAnswers(), .iterm, false),
        (["TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm", "WEZTERM_EXECUTABLE": "/usr/bin/wezterm"], TerminalAnswers(), .iterm, false),
        (["TERM": "foot"], TerminalAnswers(), .sixel, false),
        (["TERM": "mlterm"], TerminalAnswers(), .sixel, false),
        // xterm -ti vt340 answers DA1 with 4; plain xterm does not.
        (["TERM": "xterm-256color"], TerminalAnswers(deviceAttributes: [63, 1, 2, 4, 6, 9, 15, 22]), .sixel, false),
        (["TERM": "xterm-256color"], TerminalAnswers(deviceAttributes: [65, 1, 9]), .symbols, false),
        (["TERM": "xterm-256color"], TerminalAnswers(), .symbols, false),
        (["TERM": "linux"], TerminalAnswers(), .symbols, false),
        (["TERM": "xterm-kitty", "NO_COLOR": "1"], TerminalAnswers(), .none, false),
        // tmux: kitty/iTerm2 only through passthrough; sixel only if tmux itself says so.
        (["TERM": "tmux-256color", "TMUX": "/tmp/t,1,0", "KITTY_WINDOW_ID": "1"], TerminalAnswers(tmuxPassthrough: true), .kitty, true),
        (["TERM": "tmux-256color", "TMUX": "/tmp/t,1,0", "KITTY_WINDOW_ID": "1"], TerminalAnswers(tmuxPassthrough: false), .symbols, false),
        (["TERM": "screen-256color", "TMUX": "/tmp/t,1,0", "LC_TERMINAL": "iTerm2"], TerminalAnswers(tmuxPassthrough: true), .iterm, true),
        (["TERM": "tmux-256color", "TMUX": "/tmp/t,1,0"], TerminalAnswers(deviceAttributes: [62, 4]), .sixel, false),
        (["TERM": "tmux-256color", "TMUX": "/tmp/t,1,0"], TerminalAnswers(tmuxPassthrough: true), .symbols, false),
    ]

    @Test func autoFollowsTheTable() {
        for (env, answers, mode, passthrough) in Self.table {
            let c = GraphicsDetection.choose(requested: .auto, env: env, answers: answers)
            #expect(c.mode == mode, "\(env) \(answers) → \(c.mode) (\(c.reason))")
            #expect(c.tmuxPassthrough == passthrough, "\(env)")
        }
    }

    @Test func explicitModesAreObeyedWhateverTheTerminalSays() {
        for mode in PreviewMode.allCases where mode != .auto {
            let c = GraphicsDetection.choose(requested: mode, env: ["TERM": "dumb-ish"], answers: TerminalAnswers())
            #expect(c.mode == mode)
        }
        let tmux = GraphicsDetection.choose(requested: .kitty, env: ["TERM": "tmux-256color", "TMUX": "x"], answers: TerminalAnswers())
        #expect(tmux.mode == .kitty && tmux.tmuxPassthrough)
    }

    @Test func probeOnlyWhenTheEnvironmentDoesNotDecide() {
        #expect(!GraphicsDetection.needsProbe(env: ["TERM": "xterm-kitty"]))
        #expect(!GraphicsDetection.needsProbe(env: ["TERM_PROGRAM": "iTerm.app"]))
        #expect(GraphicsDetection.needsProbe(env: ["TERM": "xterm-256color"]))
    }

    @Test func requestedModeFromFlagThenVariable() throws {
        #expect(try GraphicsDetection.requested(flag: "sixel", env: ["CLIPSCOPE_PREVIEW": "kitty"]).get() == .sixel)
        #expect(try GraphicsDetection.requested(flag: nil, env: ["CLIPSCOPE_PREVIEW": "kitty"]).get() == .kitty)
        #expect(try GraphicsDetection.requested(flag: nil, env: [:]).get() == .auto)
        guard case .failure(let e) = GraphicsDetection.requested(flag: nil, env: ["CLIPSCOPE_PREVIEW": "png\u{1B}"]) else {
            Issue.record("accepted a bad name"); return
        }
        #expect(e.description.contains("CLIPSCOPE_PREVIEW") && !e.description.contains("\u{1B}"))
    }

    @Test func answersAreParsedFromNoisyInput() {
        #expect(GraphicsDetection.parseDeviceAttributes(Array("x\u{1B}[?63;1;2;4;6c".utf8)) == [63, 1, 2, 4, 6])
        #expect(GraphicsDetection.parseDeviceAttributes(Array("\u{1B}[?63;1".utf8)) == nil)
        #expect(GraphicsDetection.parseCellSize(Array("\u{1B}[6;20;10t\u{1B}[?62c".utf8)) == CellPixels(width: 10, height: 20))
        #expect(GraphicsDetection.parseCellSize(Array("\u{1B}[4;600;800t".utf8)) == nil)
        #expect(GraphicsDetection.cellSize(xpixel: 800, ypixel: 480, cols: 80, rows: 24) == CellPixels(width: 10, height: 20))
        #expect(GraphicsDetection.cellSize(xpixel: 0, ypixel: 0, cols: 80, rows: 24) == nil)
    }
}
