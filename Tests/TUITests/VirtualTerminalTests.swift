// VirtualTerminal: wide clusters take two cells, overwrites blank the orphaned half, clipping.
import Testing
import TUI

@Suite struct VirtualTerminalTests {
    @Test func wideCharactersTakeTwoCells() {
        let t = VirtualTerminal(width: 6, height: 1)
        t.put("猫a", at: Point(x: 0, y: 0), style: .normal)
        t.flush()
        #expect(t.lines == ["猫a   "])
        #expect(TextWidth.width(t.lines[0]) == 6)
    }

    @Test func overwritingHalfAWideCharBlanksTheOtherHalf() {
        let t = VirtualTerminal(width: 6, height: 1)
        t.put("猫猫猫", at: Point(x: 0, y: 0), style: .normal)
        t.put("x", at: Point(x: 1, y: 0), style: .normal)
        t.flush()
        #expect(t.lines == [" x猫猫"])
    }

    /// "त्ता" (ta, virama, ta, aa) is one grapheme cluster 3 cells wide: it must take 3 cells, so
    /// a row holding it is still exactly the screen width (it used to be 2 cells too long), and
    /// overwriting its last cell blanks the whole cluster.
    @Test func threeCellClusterTakesThreeCells() {
        let cluster = "\u{0924}\u{094D}\u{0924}\u{093E}"
        #expect(cluster.count == 1 && TextWidth.width(cluster) == 3)
        let t = VirtualTerminal(width: 6, height: 1)
        t.put("a" + cluster + "b", at: Point(x: 0, y: 0), style: .normal)
        t.flush()
        #expect(t.lines == ["a" + cluster + "b "])
        #expect(TextWidth.width(t.lines[0]) == 6)
        t.put("x", at: Point(x: 3, y: 0), style: .normal)
        t.flush()
        #expect(t.lines == ["a  xb "])
    }

    @Test func wideCharAtTheRightEdgeIsNotSplit() {
        let t = VirtualTerminal(width: 3, height: 1)
        t.put("ab猫", at: Point(x: 0, y: 0), style: .normal)
        t.flush()
        #expect(t.lines == ["ab "])
    }

    @Test func clipsOutsideTheScreenAndKeepsStyles() {
        let t = VirtualTerminal(width: 4, height: 2)
        t.put("hello", at: Point(x: -2, y: 1), style: .selected)
        t.put("zz", at: Point(x: 0, y: 5), style: .normal)
        t.flush()
        #expect(t.lines == ["    ", "llo "])
        #expect(t.style(at: Point(x: 0, y: 1)) == .selected)
    }

    @Test func boxAndScriptedEvents() {
        let t = VirtualTerminal(width: 8, height: 3, events: [.key(.char("a")), .resize(Size(width: 1, height: 1))])
        t.box(Rect(x: 0, y: 0, width: 8, height: 3), title: "T")
        t.flush()
        #expect(t.lines == ["┌ T ───┐", "│      │", "└──────┘"])
        #expect(t.readEvent(timeoutMs: 0) == .key(.char("a")))
        t.resize(width: 4, height: 2)
        #expect(t.readEvent(timeoutMs: 0) == .resize(Size(width: 4, height: 2)))
    }
}
