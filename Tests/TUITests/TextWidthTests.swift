// TextWidth tables: cell widths per grapheme cluster for Latin, CJK, emoji (incl. ZWJ and
// flags), combining marks, Arabic, Devanagari; truncate / pad / shorten never split a cluster.
import Testing
import TUI

@Suite struct TextWidthTests {
    @Test(arguments: [
        ("a", 1), ("é", 1), ("e\u{301}", 1),            // precomposed and combining acute
        ("猫", 2), ("한", 2), ("ｱ", 1), ("Ａ", 2),        // CJK, Hangul, half-width kana, full-width Latin
        ("😀", 2), ("👍🏽", 2), ("👨‍👩‍👧", 2), ("🇯🇵", 2),  // emoji, skin tone, ZWJ family, flag
        ("❤️", 2), ("1️⃣", 2),                           // VS16, keycap
        ("ب", 1), ("\u{64E}", 0),                       // Arabic letter, fatha alone
        ("क", 1), ("\u{200D}", 0), ("\u{7}", 0),
    ] as [(String, Int)])
    func clusterWidths(text: String, width: Int) {
        #expect(TextWidth.width(text) == width, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
    }

    @Test func stringWidths() {
        #expect(TextWidth.width("海滩上的狗") == 10)
        #expect(TextWidth.width("a 猫 b") == 6)
        #expect(TextWidth.width("كلب على الشاطئ") == 14)
        #expect(TextWidth.width("Cafe\u{301} 😀") == 7)
    }

    @Test func truncateNeverSplitsAWideCluster() {
        #expect(TextWidth.truncate("猫猫猫", width: 5) == "猫猫")
        #expect(TextWidth.truncate("ab猫", width: 3) == "ab")
        #expect(TextWidth.truncate("e\u{301}x", width: 1) == "e\u{301}")
        #expect(TextWidth.truncate("👨‍👩‍👧x", width: 2) == "👨‍👩‍👧")
        #expect(TextWidth.truncate("abc", width: 0) == "")
    }

    @Test func padAndPadLeftCountCells() {
        #expect(TextWidth.pad("猫", width: 4) == "猫  ")
        #expect(TextWidth.padLeft("7", width: 3) == "  7")
        #expect(TextWidth.pad("toolong", width: 3) == "toolong")
    }

    @Test(arguments: [
        ("holiday/2019/beach.jpg", 12, "holida…h.jpg"),
        ("short", 10, "short"),
        ("海滩上的狗海滩", 9, "海滩…海滩"),
        ("abcdef", 1, "…"),
        ("abcdef", 0, ""),
    ] as [(String, Int, String)])
    func shortenKeepsBothEnds(text: String, width: Int, expected: String) {
        let s = TextWidth.shorten(text, width: width)
        #expect(s == expected)
        #expect(TextWidth.width(s) <= width)
    }

    @Test func sanitizeRemovesControls() {
        #expect(TextWidth.sanitize("a\tb\nc\u{1B}[31m") == "a b c\u{FFFD}[31m")
    }

    @Test func xterm256Palette() {
        #expect(RGB(0, 0, 0).xterm256 == 16)
        #expect(RGB(255, 255, 255).xterm256 == 231)
        #expect(RGB(255, 0, 0).xterm256 == 196)
        #expect(RGB(128, 128, 128).xterm256 == 244)
    }
}
