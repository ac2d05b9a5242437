// The truncation curves as a standalone SVG (for a slide): x = Matryoshka dimension on a log2 axis with a
// tick per dimension, y = 0 ... 1, one polyline per metric (overlap@k, top-1, RBO, Kendall τ), a legend and
// a title. Plain SVG 1.1, no scripts, no external fonts.
import Foundation
import Retrieval

enum TruncationSVG {
    static let series: [(name: String, color: String, value: (TruncationRow) -> Double)] = [
        ("overlap@k", "#1f77b4", { $0.overlap }),
        ("top-1 agreement", "#ff7f0e", { $0.top1 }),
        ("RBO (p = 0.9)", "#2ca02c", { $0.rbo }),
        ("Kendall τ-b", "#d62728", { $0.kendallTau }),
    ]

    static func render(_ r: TruncationCommand.Result, width: Int = 720, height: Int = 440) -> String {
        let left = 60.0, right = 190.0, top = 50.0, bottom = 60.0
        let pw = Double(width) - left - right, ph = Double(height) - top - bottom
        let dims = r.rows.map(\.dims)
        let lo = log2(Double(max(1, dims.first ?? 1))), hi = log2(Double(max(1, dims.last ?? 2)))
        func x(_ d: Int) -> Double { hi > lo ? left + (log2(Double(d)) - lo) / (hi - lo) * pw : left + pw / 2 }
        // Metrics can be negative (τ); the axis shows −0.2 ... 1 when needed, else 0 ... 1.
        let minValue = r.rows.flatMap { row in series.map { $0.value(row) } }.min() ?? 0
        let yMin = minValue < 0 ? (minValue * 5).rounded(.down) / 5 : 0
        func y(_ v: Double) -> Double { top + (1 - (v - yMin) / (1 - yMin)) * ph }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        var s = """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(left))" y="24" font-size="15" font-weight="bold">\(escape("Truncation vs full width: \(r.folder)"))</text>
        <text x="\(f(left))" y="40" fill="#555">\(escape("\(r.model) · \(r.images) images · \(r.queryCount) \(r.kind) queries · k = \(r.k)"))</text>

        """
        var tick = yMin
        while tick <= 1.0001 {
            s += "<line x1=\"\(f(left))\" y1=\"\(f(y(tick)))\" x2=\"\(f(left + pw))\" y2=\"\(f(y(tick)))\" stroke=\"#e5e5e5\"/>\n"
            s += "<text x=\"\(f(left - 8))\" y=\"\(f(y(tick) + 4))\" text-anchor=\"end\">\(String(format: "%.1f", tick))</text>\n"
            tick += 0.2
        }
        for d in dims {
            s += "<line x1=\"\(f(x(d)))\" y1=\"\(f(top + ph))\" x2=\"\(f(x(d)))\" y2=\"\(f(top + ph + 5))\" stroke=\"black\"/>\n"
            s += "<text x=\"\(f(x(d)))\" y=\"\(f(top + ph + 19))\" text-anchor=\"middle\">\(d)</text>\n"
        }
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top + ph))\" x2=\"\(f(left + pw))\" y2=\"\(f(top + ph))\" stroke=\"black\"/>\n"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + ph))\" stroke=\"black\"/>\n"
        s += "<text x=\"\(f(left + pw / 2))\" y=\"\(f(Double(height) - 18))\" text-anchor=\"middle\">dimensions (log scale)</text>\n"
        s += "<text transform=\"translate(16 \(f(top + ph / 2))) rotate(-90)\" text-anchor=\"middle\">agreement with full width</text>\n"
        for (i, m) in series.enumerated() {
            let points = r.rows.map { "\(f(x($0.dims))),\(f(y(m.value($0))))" }.joined(separator: " ")
            s += "<polyline fill=\"none\" stroke=\"\(m.color)\" stroke-width=\"2\" points=\"\(points)\"/>\n"
            for row in r.rows { s += "<circle cx=\"\(f(x(row.dims)))\" cy=\"\(f(y(m.value(row))))\" r=\"3\" fill=\"\(m.color)\"/>\n" }
            let ly = top + 10 + Double(i) * 22, lx = left + pw + 20
            s += "<line x1=\"\(f(lx))\" y1=\"\(f(ly))\" x2=\"\(f(lx + 24))\" y2=\"\(f(ly))\" stroke=\"\(m.color)\" stroke-width=\"2\"/>\n"
            s += "<text x=\"\(f(lx + 30))\" y=\"\(f(ly + 4))\">\(escape(m.name.replacingOccurrences(of: "@k", with: "@\(r.k)")))</text>\n"
        }
        return s + "</svg>\n"
    }

    static func escape(_ t: String) -> String {
        var out = ""
        for ch in t.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out += ch.value < 0x20 || ch.value == 0x7F ? "\u{FFFD}" : String(ch)
            }
        }
        return out
    }
}
