// `clipscope bench preview FILE [--cols C] [--rows R] [--cell WxH] [--repeats N]`: what selecting FILE
// costs before its preview is on screen, per preview mode, for a C × R-cell preview box: the
// reduced-size decode (libjpeg DCT scaling for JPEG, EXIF orientation, bicubic fit; Thumbnail) and
// the art (libchafa symbols / sixel, kitty / iTerm2 payloads; PreviewArtist), as the preview worker
// runs them. `cold` is the first run; `best` the fastest of N after it. Emitting the bytes and the
// terminal's own decoding are not included. Figures go to docs/explorer.md.
import ArgumentParser
import CLISupport
import Explorer
import FileIO
import Foundation
import Imaging
import TermGraphics

struct PreviewBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview", abstract: "Time a preview (decode at reduced size + art) of one image in every preview mode.")

    @Argument(help: "The image to preview (e.g. a 24-megapixel JPEG).") var file: String
    @Option(help: "Preview box width in cells.") var cols = 60
    @Option(help: "Preview box height in cells.") var rows = 30
    @Option(help: ArgumentHelp("Cell size in pixels.", valueName: "WxH")) var cell = "10x20"
    @Option(help: ArgumentHelp("Timed runs after the first.", valueName: "N")) var repeats = 5

    func validate() throws {
        try NumericOptions.repeats(repeats)
        guard cols > 0, rows > 0, cols <= 1000, rows <= 1000 else { throw ValidationError("--cols and --rows must be 1…1000") }
        guard parsedCell != nil else { throw ValidationError("--cell must look like 10x20") }
    }

    var parsedCell: CellPixels? {
        let p = cell.lowercased().split(separator: "x").compactMap { Int($0) }
        guard p.count == 2, (1...500).contains(p[0]), (1...500).contains(p[1]) else { return nil }
        return CellPixels(width: p[0], height: p[1])
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
    }
}
