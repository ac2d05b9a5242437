// A one-line text editor model for any script: the cursor moves by grapheme cluster (so an
// emoji ZWJ sequence or "é" as e + U+0301 is one step), word jumps skip whitespace-separated
// words, and ↑/↓ walk a history. Pure value type; the Query pane draws it.

public struct LineEditor: Equatable, Sendable {
    /// The text as grapheme clusters (cursor positions are indices into this array).
    public private(set) var clusters: [Character]
    /// 0…clusters.count; the cursor sits before `clusters[cursor]`.
    public private(set) var cursor: Int
    public private(set) var history: [String]
    /// nil while editing a fresh line; otherwise the history entry being shown.
    private var historyIndex: Int?
    private var draft: String = ""

    public init(_ text: String = "", history: [String] = []) {
        clusters = Array(text)
        cursor = clusters.count
        self.history = history
    }

    public var text: String { String(clusters) }
    public var isEmpty: Bool { clusters.isEmpty }

    /// Cell column of the cursor relative to the start of the text.
    public var cursorColumn: Int { clusters[..<cursor].reduce(0) { $0 + TextWidth.width(of: $1) } }

    public mutating func setText(_ text: String) {
        clusters = Array(text)
        cursor = clusters.count
        historyIndex = nil
    }

    // MARK: editing

    /// Inserts text at the cursor; control characters (newlines from a paste) become spaces.
    public mutating func insert(_ text: String) {
        let clean = Array(TextWidth.sanitize(text))
        guard !clean.isEmpty else { return }
        // Re-segment around the insertion point: a combining mark typed after "e" joins it.
        let before = String(clusters[..<cursor]) + String(clean)
        let after = String(clusters[cursor...])
        let merged = Array(before + after)
        cursor = merged.count - Array(after).count
        if cursor < 0 { cursor = 0 }
        clusters = merged
        historyIndex = nil
    }

    public mutating func deleteBackward() {
        guard cursor > 0 else { return }
        clusters.remove(at: cursor - 1)
        cursor -= 1
    }

    public mutating func deleteForward() {
        guard cursor < clusters.count else { return }
        clusters.remove(at: cursor)
    }

    /// Ctrl-W: deletes the word before the cursor (and the spaces after it).
    public mutating func deleteWordBackward() {
        let start = wordStart(before: cursor)
        clusters.removeSubrange(start..<cursor)
        cursor = start
    }

    /// Ctrl-U: deletes from the start of the line to the cursor.
    public mutating func deleteToStart() {
        clusters.removeSubrange(0..<cursor)
        cursor = 0
    }

    /// Ctrl-K: deletes from the cursor to the end of the line.
    public mutating func deleteToEnd() {
        clusters.removeSubrange(cursor..<clusters.count)
    }

    // MARK: movement

    public mutating func moveLeft() { cursor = max(0, cursor - 1) }
    public mutating func moveRight() { cursor = min(clusters.count, cursor + 1) }
    public mutating func moveHome() { cursor = 0 }
    public mutating func moveEnd() { cursor = clusters.count }
    public mutating func moveWordLeft() { cursor = wordStart(before: cursor) }
    public mutating func moveWordRight() {
        var i = cursor
        while i < clusters.count, isSpace(clusters[i]) { i += 1 }
        while i < clusters.count, !isSpace(clusters[i]) { i += 1 }
        cursor = i
    }

    private func isSpace(_ c: Character) -> Bool { c.isWhitespace || c.isPunctuation }

    private func wordStart(before index: Int) -> Int {
        var i = index
        while i > 0, isSpace(clusters[i - 1]) { i -= 1 }
        while i > 0, !isSpace(clusters[i - 1]) { i -= 1 }
        return i
    }

    // MARK: history

    /// Stores the current text as the newest history entry (no empty or repeated entries).
    public mutating func commit() {
        let t = text
        historyIndex = nil
        guard !t.trimmingSpaces.isEmpty else { return }
        if history.last != t { history.append(t) }
    }

    /// ↑: shows the previous history entry (the unsent line is kept as a draft).
    public mutating func historyPrevious() {
        guard !history.isEmpty else { return }
        let next: Int
        if let i = historyIndex { next = max(0, i - 1) } else { draft = text; next = history.count - 1 }
        historyIndex = next
        clusters = Array(history[next])
        cursor = clusters.count
    }

    /// ↓: shows the next history entry, then the draft.
    public mutating func historyNext() {
        guard let i = historyIndex else { return }
        if i + 1 < history.count {
            historyIndex = i + 1
            clusters = Array(history[i + 1])
        } else {
            historyIndex = nil
            clusters = Array(draft)
        }
        cursor = clusters.count
    }

    /// The visible part of the text in a field `width` cells wide, scrolled so the cursor is
    /// visible: (text, cursor column within the field).
    public func viewport(width: Int) -> (text: String, cursorColumn: Int) {
        guard width > 1 else { return ("", 0) }
        var start = 0
        var col = cursorColumn
        // Keep one cell for the cursor block at the end of the line.
        while col > width - 1, start < cursor {
            col -= TextWidth.width(of: clusters[start])
            start += 1
        }
        let visible = TextWidth.truncate(String(clusters[start...]), width: width)
        return (visible, col)
    }
}

extension String {
    /// The string without leading and trailing whitespace (no Foundation needed).
    public var trimmingSpaces: Substring {
        var s = self[...]
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return s
    }
}
