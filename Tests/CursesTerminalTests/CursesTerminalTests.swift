// What can be checked without a TTY: the refusal paths, terminfo choice, colour modes, and
// the raw-input decoder (Esc vs Alt, control keys, bracketed paste, keypad codes).
import Foundation
import Testing
import TUI
@testable import CursesTerminal

@Suite struct TerminalEnvironmentTests {
    @Test func dumbOrMissingTermIsRefused() {
        #expect(throws: CursesTerminalError.dumbTerminal("dumb")) { try TerminalEnvironment.chooseTerminfo(env: ["TERM": "dumb"]) }
        #expect(throws: CursesTerminalError.dumbTerminal("")) { try TerminalEnvironment.chooseTerminfo(env: [:]) }
        #expect(CursesTerminalError.dumbTerminal("dumb").description.contains("TERM=dumb"))
    }

    @Test func truecolorPicksADirectColourTerminfoWhenItExists() throws {
        let all: (String) -> Bool = { _ in true }
        let none: (String) -> Bool = { _ in false }
        #expect(try TerminalEnvironment.chooseTerminfo(env: ["TERM": "xterm-256color", "COLORTERM": "truecolor"], exists: all) == "xterm-direct")
        #expect(try TerminalEnvironment.chooseTerminfo(env: ["TERM": "tmux-256color", "COLORTERM": "24bit"], exists: all) == "tmux-direct")
        #expect(try TerminalEnvironment.chooseTerminfo(env: ["TERM": "screen-256color", "COLORTERM": "truecolor"], exists: all) == "tmux-direct")
        #expect(try TerminalEnvironment.chooseTerminfo(env: ["TERM": "xterm-256color", "COLORTERM": "truecolor"], exists: none) == "xterm-256color")
        #expect(try TerminalEnvironment.chooseTerminfo(env: ["TERM": "xterm-256color"], exists: all) == "xterm-256color")
        #expect(try TerminalEnvironment.chooseTerminfo(env: ["TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": "1"], exists: all) == "xterm-256color")
    }

    @Test func installedDirectTerminfoIsFound() {
        // ncurses-term is a build dependency (Makefile APT_PACKAGES).
        #expect(TerminalEnvironment.terminfoExists("xterm-direct"))
        #expect(!TerminalEnvironment.terminfoExists("no-such-terminal-xyz"))
    }

    @Test func colourModes() {
        #expect(TerminalEnvironment.colorMode(env: ["NO_COLOR": "1"], hasColors: true, colors: 256) == .none)
        #expect(TerminalEnvironment.colorMode(env: [:], hasColors: false, colors: 0) == .none)
        #expect(TerminalEnvironment.colorMode(env: [:], hasColors: true, colors: 8) == .ansi16)
        #expect(TerminalEnvironment.colorMode(env: [:], hasColors: true, colors: 256) == .palette256)
        #expect(TerminalEnvironment.colorMode(env: [:], hasColors: true, colors: 1 << 24) == .direct)
    }

    @Test func onlyUTF8LocalesAreAccepted() throws {
        try TerminalEnvironment.checkCodeset("UTF-8")
        try TerminalEnvironment.checkCodeset("utf8")
        #expect(throws: CursesTerminalError.nonUTF8Locale("ANSI_X3.4-1968")) { try TerminalEnvironment.checkCodeset("ANSI_X3.4-1968") }
    }

    @Test func withoutATTYTheTerminalRefusesToStart() {
        if isatty(0) == 1 && isatty(1) == 1 { return }      // only meaningful under `swift test` with pipes
        #expect(throws: CursesTerminalError.notATTY) { _ = try CursesTerminal() }
    }
}

@Suite struct KeyDecoderTests {
    let decoder = KeyDecoder(codes: [0o403: .up, 0o402: .down, 0o512: .delete, 0o541: .backTab, 0o1000: .ctrlLeft],
                             resizeCode: 0o632, mouseCode: 0o631)

    func decode(_ inputs: [RawInput]) -> [KeyDecoder.Decoded] {
        var rest = inputs[...]
        var out: [KeyDecoder.Decoded] = []
        while let first = rest.popFirst() {
            out.append(decoder.decode(first) { rest.popFirst() })
        }
        return out
    }

    func chars(_ s: String) -> [RawInput] { s.unicodeScalars.map { .char($0.value) } }

    @Test func controlKeysAndText() {
        #expect(decode([.char(3), .char(13), .char(9), .char(127), .char(23)]) == [
            .event(.key(.ctrl("c"))), .event(.key(.enter)), .event(.key(.tab)), .event(.key(.backspace)), .event(.key(.ctrl("w"))),
        ])
        #expect(decode(chars("猫é")) == [.event(.key(.char("猫"))), .event(.key(.char("é")))])
    }

    @Test func escapeAloneAltChordAndKeypadCodes() {
        #expect(decode([.char(27)]) == [.event(.key(.escape))])
        #expect(decode([.char(27), .char(98)]) == [.event(.key(.alt("b")))])
        #expect(decode([.code(0o403), .code(0o512), .code(0o541), .code(0o1000)]) == [
            .event(.key(.up)), .event(.key(.delete)), .event(.key(.backTab)), .event(.key(.ctrlLeft)),
        ])
        #expect(decode([.code(0o632), .code(0o631), .code(0o777)]) == [.resize, .mouse, .ignore])
    }

    @Test func bracketedPasteBecomesOneEvent() {
        let input = chars("\u{1B}[200~海滩\nbeach\u{1B}[201~") + chars("x")
        #expect(decode(input) == [.event(.paste("海滩 beach")), .event(.key(.char("x")))])
    }

    @Test func untranslatedCtrlArrowSequences() {
        #expect(decode(chars("\u{1B}[1;5D")) == [.event(.key(.ctrlLeft))])
        #expect(decode(chars("\u{1B}[Z")) == [.event(.key(.backTab))])
    }
}

/// Every signal whose default action ends the process gets the flag-setting handler (so the explorer
/// restores the terminal first), SIGPIPE is ignored, and the flag starts clear.
@Suite(.serialized) struct SignalFlagTests {
    func handler(_ s: Int32) -> sigaction {
        var old = sigaction()
        sigaction(s, nil, &old)
        return old
    }

    @Test func everyTerminatingSignalIsCaught() {
        let saved = SignalFlag.terminating.map { ($0, handler($0)) } + [(SIGPIPE, handler(SIGPIPE))]
        defer { for (s, var a) in saved { sigaction(s, &a, nil) } }
        SignalFlag.install()
        #expect(!SignalFlag.isRaised)
        for s in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM] {
            #expect(SignalFlag.terminating.contains(s))
        }
        for s in SignalFlag.terminating {
            let h = unsafeBitCast(handler(s).__sigaction_handler.sa_handler, to: Int.self)
            #expect(h != 0 && h != 1, "signal \(s) keeps its default action")     // SIG_DFL = 0, SIG_IGN = 1
        }
        #expect(unsafeBitCast(handler(SIGPIPE).__sigaction_handler.sa_handler, to: Int.self) == 1)
        // A raised USR1 only sets the flag (the process lives on to restore the terminal).
        kill(getpid(), SIGUSR1)                      // to whichever thread does not block it
        for _ in 0..<200 where !SignalFlag.isRaised { usleep(5_000) }
        #expect(SignalFlag.isRaised && SignalFlag.number == SIGUSR1)
        SignalFlag.install()
        #expect(!SignalFlag.isRaised)
    }
}
