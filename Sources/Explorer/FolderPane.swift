// The folder as a tree: one header per sub-folder (with embedded/total counts), then its
// files with their indexing state: ● embedded, ○ pending, ✗ failed (reason in the preview).
import FileIO
import TUI

/// The folder pane's rows over the path-ordered items: a header where the folder changes (none for
/// the top folder), then its files. Held as runs of consecutive items in one folder (memory per run,
/// not per item): run k covers items runStart[k] ..< runStart[k + 1] (the last to the item count), in
/// folder runFolder[k], its rows from runRow[k] on (its header first when it has one). An item's row
/// and a row's content are found by binary search over the runs. Built once per snapshot (O(N));
/// per-folder counts are adjusted as items change; a frame reads only the rows it shows (`window`).
public struct FolderTree: Equatable, Sendable {
    public enum Row: Equatable, Sendable {
        case header(folder: Int)
        case item(Int)              // index into AppState.items
    }
    /// The runs (see the type's comment); shared by `rows`.
    fileprivate struct Runs: Equatable, Sendable {
        var start: [Int32] = [], folder: [Int32] = [], row: [Int32] = [], hasHeader: [Bool] = []
        var items = 0, rows = 0
        /// The last run whose `key` value is ≤ v (runs are ascending in both keys).
        func run(_ key: KeyPath<Runs, [Int32]>, atOrBefore v: Int) -> Int {
            let keys = self[keyPath: key]
            var lo = 0, hi = keys.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if Int(keys[mid]) <= v { lo = mid + 1 } else { hi = mid }
            }
            return lo - 1
        }
    }
    public struct Rows: RandomAccessCollection, Equatable, Sendable {
        fileprivate var runs = Runs()
        public var startIndex: Int { 0 }
        public var endIndex: Int { runs.rows }
        public subscript(r: Int) -> Row {
            let k = runs.run(\.row, atOrBefore: r)
            let offset = r - Int(runs.row[k])
            if runs.hasHeader[k] { return offset == 0 ? .header(folder: Int(runs.folder[k])) : .item(Int(runs.start[k]) + offset - 1) }
            return .item(Int(runs.start[k]) + offset)
        }
    }
    public private(set) var rows = Rows()
    /// folder index → relative folder path, embedded count, item count.
    public private(set) var folders: [String] = []
    public private(set) var embedded: [Int] = []
    public private(set) var total: [Int] = []

    public init() {}

    public init(items: [FolderItem]) {
        var runs = Runs()
        var current: String?
        var currentTable: (paths: PathTable, folderID: Int)?
        var f = 0
        var indexOf: [String: Int] = [:]     // a folder can recur after a sub-folder ("a/a", "a/b/c", "a/d")
        for (i, it) in items.enumerated() {
            // Items of one table in the same table folder are in the same folder (no string made).
            let fid = it.paths.folderID(of: it.path)
            if currentTable == nil || currentTable!.paths !== it.paths || currentTable!.folderID != fid {
                currentTable = (it.paths, fid)
                let folder = it.folder
                if folder != current {
                    current = folder
                    if let known = indexOf[folder] { f = known } else {
                        f = folders.count
                        indexOf[folder] = f
                        folders.append(folder); embedded.append(0); total.append(0)
                    }
                    runs.start.append(Int32(i)); runs.folder.append(Int32(f)); runs.row.append(Int32(runs.rows))
                    runs.hasHeader.append(!folder.isEmpty)
                    if !folder.isEmpty { runs.rows += 1 }
                }
            }
            total[f] += 1
            if it.state == .embedded { embedded[f] += 1 }
            runs.rows += 1
        }
        runs.items = items.count
        rows.runs = runs
    }

    public mutating func adjust(item: Int, embeddedDelta: Int) {
        guard item >= 0, item < rows.runs.items else { return }
        embedded[Int(rows.runs.folder[rows.runs.run(\.start, atOrBefore: item)])] += embeddedDelta
    }

    /// The row of an item (0 when out of range).
    public func row(ofItem i: Int) -> Int {
        guard i >= 0, i < rows.runs.items else { return 0 }
        let k = rows.runs.run(\.start, atOrBefore: i)
        return Int(rows.runs.row[k]) + (rows.runs.hasHeader[k] ? 1 : 0) + i - Int(rows.runs.start[k])
    }

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
