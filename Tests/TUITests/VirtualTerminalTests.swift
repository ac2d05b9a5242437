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
