// The folder as a tree: one header per sub-folder (with embedded/total counts), then its
// files with their indexing state: ● embedded, ○ pending, ✗ failed (reason in the preview).
import TUI

/// The folder pane's rows as a flat array over the path-ordered items: a header where the folder
/// changes (none for the top folder), then its files. Built once per snapshot (O(N)); per-folder
/// counts are adjusted in O(1) as items change; a frame reads only the rows it shows (`window`).
public struct FolderTree: Equatable, Sendable {
    public enum Row: Equatable, Sendable {
        case header(folder: Int)
        case item(Int)              // index into AppState.items
    }
    /// The rows, 4 bytes each: an item index (≥ 0), or −1 − folder for a header.
    public struct Rows: RandomAccessCollection, Equatable, Sendable {
        fileprivate var packed: [Int32] = []
        public var startIndex: Int { 0 }
        public var endIndex: Int { packed.count }
        public subscript(i: Int) -> Row { packed[i] >= 0 ? .item(Int(packed[i])) : .header(folder: Int(-1 - packed[i])) }
        fileprivate mutating func append(_ row: Row) {
            switch row {
            case let .item(i): packed.append(Int32(i))
            case let .header(f): packed.append(Int32(-1 - f))
            }
        }
    }
    public private(set) var rows = Rows()
    /// item index → its row.
    public private(set) var rowOfItem: [Int32] = []
    /// folder index → relative folder path, embedded count, item count.
    public private(set) var folders: [String] = []
    public private(set) var embedded: [Int] = []
    public private(set) var total: [Int] = []
    private var folderOfItem: [Int32] = []

    public init() {}

    public init(items: [FolderItem]) {
        rows.packed.reserveCapacity(items.count + items.count / 64)
        rowOfItem.reserveCapacity(items.count)
        folderOfItem.reserveCapacity(items.count)
        var current: String?
        var f = 0
        var indexOf: [String: Int] = [:]     // a folder can recur after a sub-folder ("a/a", "a/b/c", "a/d")
        for (i, it) in items.enumerated() {
            let folder = it.folder
            if folder != current {
                current = folder
                if let known = indexOf[folder] { f = known } else {
                    f = folders.count
                    indexOf[folder] = f
                    folders.append(folder); embedded.append(0); total.append(0)
                }
                if !folder.isEmpty { rows.append(.header(folder: f)) }
            }
            total[f] += 1
            if it.state == .embedded { embedded[f] += 1 }
            folderOfItem.append(Int32(f))
            rowOfItem.append(Int32(rows.count))
            rows.append(.item(i))
        }
    }

    public mutating func adjust(item: Int, embeddedDelta: Int) {
        guard folderOfItem.indices.contains(item) else { return }
        embedded[Int(folderOfItem[item])] += embeddedDelta
    }

    /// The row of an item (0 when out of range).
    public func row(ofItem i: Int) -> Int { rowOfItem.indices.contains(i) ? Int(rowOfItem[i]) : 0 }

    /// The rows a pane of `height` shows with the row of `selection` in view (Layout.viewportTop).
    public func window(selectionRow: Int, height: Int) -> Range<Int> {
        let top = Layout.viewportTop(selection: selectionRow, count: rows.count, height: height)
        return top..<min(rows.count, top + max(0, height))
    }

    /// A header's text: "▾ beach/ 3/5".
    public func headerText(_ f: Int) -> String { "▾ \(folders[f])/ \(embedded[f])/\(total[f])" }
}

enum FolderPane {
    static func glyph(_ st: ItemState) -> (String, Style) {
        switch st {
        case .embedded: return ("●", .good)
        case .pending: return ("○", .dim)
        case .failed: return ("✗", .bad)
        }
    }

    static func draw(_ s: AppState, in r: Rect, on t: Terminal, hits: inout HitMap) {
        let focused = s.focus == .folder && s.view == .browse
        let done = s.embeddedCount
        let counts = " \(done)/\(s.items.count)"
        let pathW = r.width - 5 - TextWidth.width(counts)
        let base = s.folderPath.split(separator: "/").last.map(String.init) ?? s.folderPath
        let path = TextWidth.width(s.folderPath) <= pathW ? s.folderPath : TextWidth.shorten(base, width: pathW)
        let title = pathW >= 6 && !path.isEmpty ? path + counts : "Folder" + counts
        t.box(r, title: title, style: focused ? .focusedBorder : .border)
        let inner = r.inset(1)
        guard !inner.isEmpty else { return }
        let tree = s.folderTree
        if tree.rows.isEmpty {
            t.put("no images found", at: Point(x: inner.x, y: inner.y), width: inner.width, style: .dim)
            return
        }
        let window = tree.window(selectionRow: tree.row(ofItem: s.folderSelection), height: inner.height)
        for (line, rowIndex) in window.enumerated() {
            let p = Point(x: inner.x, y: inner.y + line)
            guard case .item(let idx) = tree.rows[rowIndex] else {
                if case .header(let f) = tree.rows[rowIndex] {
                    t.put(TextWidth.shorten(tree.headerText(f), width: inner.width), at: p, width: inner.width, style: .header)
                }
                continue
            }
            let item = s.items[idx]
            hits.add(Rect(x: inner.x, y: p.y, width: inner.width, height: 1), .folderItem(idx))
            let isSel = idx == s.folderSelection
            let marked = s.marked.contains(item.id)
            let style: Style = isSel ? (focused ? .selected : .selectedDim) : .normal
            let (g, gs) = glyph(item.state)
            let indent = item.folder.isEmpty ? "" : "  "
            let name = item.name
            t.put(indent, at: p, style: style)
            t.put(g, at: Point(x: p.x + indent.count, y: p.y), style: isSel ? style : gs)
            let nameX = p.x + indent.count + 1
            let nameW = inner.maxX - nameX
            t.put((marked ? "*" : " ") + Fmt.name(name, width: max(0, nameW - 1)), at: Point(x: nameX, y: p.y),
                  width: nameW, style: style)
        }
    }
}
