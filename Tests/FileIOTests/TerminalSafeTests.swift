// Names on a terminal: every control character escaped as `ls -b` shows it, everything else kept.
import Testing
@testable import FileIO

@Suite struct TerminalSafeTests {
    @Test func controlCharactersAreEscapedLikeLs() {
        #expect(TerminalSafe.name("a\u{1B}]2;pwned\u{07}.jpg") == "a\\033]2;pwned\\a.jpg")    // retitle
        #expect(TerminalSafe.name("\u{1B}[41mred.png") == "\\033[41mred.png")                   // recolour
        #expect(TerminalSafe.name("x\rdone.jpg") == "x\\rdone.jpg")                              // overwrite
        #expect(TerminalSafe.name("two\nlines.jpg") == "two\\nlines.jpg")                        // split
        #expect(TerminalSafe.name("tab\there\u{00}\u{7F}") == "tab\\there\\000\\177")
        #expect(TerminalSafe.name("back\\slash") == "back\\\\slash")
        #expect(TerminalSafe.name("csi\u{9B}31m") == "csi\\302\\23331m")                        // C1 CSI
    }

    @Test func printableTextIsKept() {
        for s in ["café.jpg", "写真 2024.png", "🐈‍⬛.jpg", "a b/c-d_e.jpg", "©®", "Ünïcödé"] {
            #expect(TerminalSafe.name(s) == s)
            #expect(TerminalSafe.isClean(s))
        }
    }

    @Test func bytesThatAreNotUTF8AreOctal() {
        #expect(TerminalSafe.name(bytes: Array("caf".utf8) + [0xE9] + Array(".jpg".utf8)) == "caf\\351.jpg")
        #expect(TerminalSafe.name(bytes: [0xF0, 0x9F, 0x90]) == "\\360\\237\\220")            // cut-off emoji
        #expect(TerminalSafe.name(bytes: [0xED, 0xA0, 0x80]) == "\\355\\240\\200")            // surrogate
        #expect(TerminalSafe.name(bytes: Array("ok".utf8)) == "ok")
    }

    @Test func lineKeepsLayoutButNotControls() {
        #expect(TerminalSafe.line("a\tb\nc") == "a\tb\nc")
        #expect(TerminalSafe.line("x\u{1B}[2Jy\r") == "x\\033[2Jy\\r")
        #expect(TerminalSafe.line("path\\name") == "path\\name")
    }
}
