// `clipscope bench preview FILE [--cols C] [--rows R] [--cell WxH] [--repeats N]`: what selecting FILE
// costs before its preview is on screen, per preview mode, for a C × R-cell preview box: the
// reduced-size decode (libjpeg DCT scaling for JPEG, EXIF orientation, bicubic fit; Thumbnail) and
// the art (libchafa symbols, SixelEncoder, kitty / iTerm2 payloads; PreviewArtist), as the preview worker
// runs them. `cold` is the first run; `best` the fastest of N after it. Emitting the bytes and the
// terminal's own decoding are not included.
// Then the grid (`--grid N`, default 50 results, all showing FILE's thumbnail): with every thumbnail
// cached, the time of one scroll step (`j`: reducer, layout, drawing on an in-memory terminal, and
// the terminal's GraphicsOutput writing to /dev/null: kitty re-places pictures it already sent,
// the other modes re-send them), p50 / max over the steps through the grid, per mode, in a `--size`
// terminal. Figures go to docs/explorer.md.
import ArgumentParser
import CLISupport
import Explorer
import FileIO
import Foundation
import Imaging
import TermGraphics
import TUI

struct PreviewBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview", abstract: "Time a preview (decode at reduced size + art) of one image in every preview mode.")

    @Argument(help: "The image to preview (e.g. a 24-megapixel JPEG).") var file: String
    @Option(help: "Preview box width in cells.") var cols = 60
    @Option(help: "Preview box height in cells.") var rows = 30
    @Option(help: ArgumentHelp("Cell size in pixels.", valueName: "WxH")) var cell = "10x20"
    @Option(help: ArgumentHelp("Timed runs after the first.", valueName: "N")) var repeats = 5
    @Option(help: ArgumentHelp("Results in the grid scroll test (0: skip it).", valueName: "N")) var grid = 50
    @Option(help: ArgumentHelp("Terminal size for the grid scroll test.", valueName: "COLSxROWS")) var size = "160x48"

    func validate() throws {
        try NumericOptions.repeats(repeats)
        guard cols > 0, rows > 0, cols <= 1000, rows <= 1000 else { throw ValidationError("--cols and --rows must be 1…1000") }
        guard parsedCell != nil else { throw ValidationError("--cell must look like 10x20") }
        guard (0...10_000).contains(grid) else { throw ValidationError("--grid must be 0…10000") }
        guard parsedSize != nil else { throw ValidationError("--size must look like 160x48 (at least 80x20)") }
    }

    var parsedCell: CellPixels? {
        let p = cell.lowercased().split(separator: "x").compactMap { Int($0) }
        guard p.count == 2, (1...500).contains(p[0]), (1...500).contains(p[1]) else { return nil }
        return CellPixels(width: p[0], height: p[1])
    }

    var parsedSize: Size? {
        let p = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard p.count == 2, (80...1000).contains(p[0]), (20...1000).contains(p[1]) else { return nil }
        return Size(width: p[0], height: p[1])
    }

    func run() throws {
        let cellPx = parsedCell ?? .fallback
        let url = URL(fileURLWithPath: file)
        let (w, h): (Int, Int)
        do {
            (w, h) = try ImageDecoder.dimensions(data: ImageDecoder.readFile(url.path), path: url.path)
        } catch { throw CLIError.failure("\(error)") }
        try emit("preview of \(TerminalSafe.name(file)) (\(w)×\(h), \(String(format: "%.1f", Double(w * h) / 1e6)) MP), box \(cols)×\(rows) cells of \(cellPx.width)×\(cellPx.height) px")
        try emit("mode        pixels     decode cold/best ms   art cold/best ms   total cold/best ms   payload KB")
        for mode in [PreviewMode.halfblocks, .symbols, .kitty, .iterm, .sixel] {
            let key = PreviewArtist.key(id: 0, cols: cols, rows: rows, options: ExplorerOptions(preview: mode, cellPixels: cellPx))
            var decode: [Double] = [], art: [Double] = []
            var payload = 0, size = ""
            for _ in 0...repeats {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let thumb: (image: RGBImage, orientation: Int)
                do { thumb = try Thumbnail.makeOriented(fileAt: url, maxWidth: key.maxWidth, maxHeight: key.maxHeight) } catch { throw CLIError.failure("\(error)") }
                let t1 = DispatchTime.now().uptimeNanoseconds
                let prepared = PreviewArtist.prepare(PreviewImage(width: thumb.image.width, height: thumb.image.height, rgb: thumb.image.pixels),
                                                     key: key, cell: cellPx, passthrough: false)
                let t2 = DispatchTime.now().uptimeNanoseconds
                decode.append(Double(t1 - t0) / 1e6)
                art.append(Double(t2 - t1) / 1e6)
                size = "\(thumb.image.width)×\(thumb.image.height)"
                if case let .pixels(p, _, _)? = prepared?.art { payload = p.utf8.count / 1024 }
            }
            func pair(_ v: [Double]) -> String { String(format: "%7.1f / %-7.1f", v[0], v.dropFirst().min() ?? v[0]) }
            let total = zip(decode, art).map { $0 + $1 }
            try emit(mode.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
                     + size.padding(toLength: 11, withPad: " ", startingAt: 0)
                     + pair(decode) + "       " + pair(art) + "    " + pair(total) + "      \(payload)")
        }
        if grid > 0 { try gridScroll(url: url, cell: cellPx) }
    }

    /// Scroll steps through a grid of `grid` results whose thumbnails are all cached.
    func gridScroll(url: URL, cell: CellPixels) throws {
        let term = parsedSize ?? Size(width: 160, height: 48)
        try emit("")
        try emit("grid scroll: \(grid) results, terminal \(term.width)×\(term.height), thumbnails cached; one step = j (a grid row)")
        try emit("mode        columns×rows  block px    steps   frame p50 / max ms   bytes/step p50")
        for mode in [PreviewMode.kitty, .iterm, .sixel, .symbols] {
            let options = ExplorerOptions(preview: mode, cellPixels: cell)
            let backend = try GridBenchBackend(file: url, count: grid)
            let vt = VirtualTerminal(width: term.width, height: term.height)
            let loop = EventLoop(terminal: vt, backend: backend, options: options, system: NoSystemActions(), execution: .inline)
            let sink = DevNullSink()
            loop.graphics = EscapeGraphicsOutput(mode: mode, tmuxPassthrough: false) { sink.write($0) }
            loop.runScript([.key(.char("x")), .key(.enter), .key(.char("v"))])
            // Warm: walk to the end and back so every thumbnail's art is in the state.
            loop.runScript(Array(repeating: .key(.char("j")), count: grid) + Array(repeating: .key(.char("k")), count: grid))
            guard let g = ResultsGrid.geometry(loop.state) else { throw CLIError.failure("the grid does not fit in \(size)") }
            var ms: [Double] = [], bytes: [Int] = []
            let steps = max(1, (grid + g.columns - 1) / g.columns - 1)
            for key in Array(repeating: Key.char("j"), count: steps) + Array(repeating: Key.char("k"), count: steps) {
                sink.bytes = 0
                let t0 = DispatchTime.now().uptimeNanoseconds
                loop.runScript([.key(key)])
                ms.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
                bytes.append(sink.bytes)
            }
            ms.sort(); bytes.sort()
            let key = ResultsGrid.key(id: 0, g, options)
            try emit(mode.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
                     + "\(g.columns)×\(g.rows)".padding(toLength: 14, withPad: " ", startingAt: 0)
                     + "\(key.maxWidth)×\(key.maxHeight)".padding(toLength: 12, withPad: " ", startingAt: 0)
                     + "\(ms.count)".padding(toLength: 8, withPad: " ", startingAt: 0)
                     + String(format: "%7.2f / %-7.2f", ms[ms.count / 2], ms.last ?? 0) + "      \(bytes[bytes.count / 2])")
        }
    }
}

/// `count` results that all show one file's thumbnail (decoded once per box, as the cache would).
final class GridBenchBackend: ExplorerBackend, @unchecked Sendable {
    let modelName = "bench"
    let isDemo = false
    let dimensions = [4]
    let folderPath = "/bench"
    let url: URL
    let count: Int
    private let lock = NSLock()
    private var cache: [String: PreviewImage] = [:]

    init(file: URL, count: Int) throws { url = file; self.count = count }

    func items() -> [FolderItem] {
        (0..<count).map { FolderItem(id: $0, relativePath: "photo-\($0).jpg", absolutePath: url.path, byteSize: 1, pixelWidth: 0, pixelHeight: 0, state: .embedded) }
    }
    func tokenize(_ text: String) -> [String] { [text] }
    func embedText(_ text: String, asQuery: Bool) throws -> [Float] { [1, 0, 0, 0] }
    func scores(query: [Float], dims: Int) -> [Float] { (0..<count).map { 1 - Float($0) / Float(count) } }
    func vector(of id: Int) -> [Float]? { [1, 0, 0, 0] }
    func preview(of id: Int, maxWidth: Int, maxHeight: Int) -> PreviewImage? {
        let k = "\(maxWidth)x\(maxHeight)"
        lock.lock(); defer { lock.unlock() }
        if let hit = cache[k] { return hit }
        guard let t = try? Thumbnail.makeOriented(fileAt: url, maxWidth: maxWidth, maxHeight: maxHeight) else { return nil }
        let img = PreviewImage(width: t.image.width, height: t.image.height, rgb: t.image.pixels, orientation: t.orientation)
        cache[k] = img
        return img
    }
    func startIndexing(post: @escaping @Sendable (BackendEvent) -> Void) { post(.finished) }
    func cancelIndexing() {}
}

final class NoSystemActions: SystemActions {
    func open(path: String) -> String { "" }
    func copy(_ text: String) -> String { "" }
}

/// Counts the bytes the terminal's GraphicsOutput writes and sends them to /dev/null.
final class DevNullSink {
    var bytes = 0
    private let fd = Foundation.open("/dev/null", O_WRONLY)
    deinit { if fd >= 0 { close(fd) } }
    func write(_ s: String) {
        var s = s
        s.withUTF8 { b in bytes += b.count; if fd >= 0 { _ = Foundation.write(fd, b.baseAddress, b.count) } }
    }
}
