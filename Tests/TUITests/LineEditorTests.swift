// The query editor: grapheme-cluster cursor, word jumps, deletion, history, viewport scrolling.
import Testing
import TUI

@Suite struct LineEditorTests {
    @Test func cursorMovesByGraphemeCluster() {
        var e = LineEditor("a👨‍👩‍👧e\u{301}")
        #expect(e.clusters.count == 3)
        e.moveLeft()
        e.deleteBackward()                 // removes the whole ZWJ family
        #expect(e.text == "ae\u{301}")
        #expect(e.cursor == 1)
        #expect(e.cursorColumn == 1)
    }

    @Test func combiningMarkTypedAfterBaseJoinsIt() {
        var e = LineEditor("cafe")
        e.insert("\u{301}")
        #expect(e.clusters.count == 4)
        #expect(e.text == "caf\u{E9}" || e.text == "cafe\u{301}")
        #expect(e.cursor == 4)
    }

    @Test func cjkColumnsAreTwoCellsEach() {
        var e = LineEditor("海滩上的狗")
        #expect(e.cursorColumn == 10)
        e.moveHome(); e.moveRight(); e.moveRight()
        #expect(e.cursorColumn == 4)
        e.insert("x")
        #expect(e.text == "海滩x上的狗")
    }

    @Test func wordJumpsAndWordDelete() {
        var e = LineEditor("a dog on the beach")
        e.moveWordLeft()
        #expect(e.cursor == 13)
        e.moveWordLeft(); e.moveWordLeft()
        #expect(e.cursor == 6)
        e.moveWordRight()
        #expect(e.cursor == 8)
        e.moveEnd()
        e.deleteWordBackward()
        #expect(e.text == "a dog on the ")
        e.moveHome(); e.moveWordRight()
        e.deleteToEnd()
        #expect(e.text == "a")
        e.deleteToStart()
        #expect(e.text == "" && e.cursor == 0)
    }

    @Test func historyKeepsTheDraft() {
        var e = LineEditor()
        e.insert("cat"); e.commit()
        e.setText("dog"); e.commit()
        e.commit()                         // repeated entry is not stored twice
        #expect(e.history == ["cat", "dog"])
        e.setText("dr")
        e.historyPrevious()
        #expect(e.text == "dog")
        e.historyPrevious(); e.historyPrevious()
        #expect(e.text == "cat")
        e.historyNext()
        #expect(e.text == "dog")
        e.historyNext()
        #expect(e.text == "dr")
    }

    @Test func pasteNewlinesBecomeSpaces() {
        var e = LineEditor()
        e.insert("line one\nline two")
        #expect(e.text == "line one line two")
    }

    @Test func viewportScrollsToKeepCursorVisible() {
        let e = LineEditor("0123456789海滩")
        let (text, col) = e.viewport(width: 8)
        #expect(col == 7)
        #expect(TextWidth.width(text) <= 8)
        #expect(text.hasSuffix("滩"))
    }
}
