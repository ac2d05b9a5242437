// Immediate-mode drawing (ncdu): clear, lay out, draw every pane from the state, flush.
// Panes are free functions of (state, rect, terminal); what they draw where is returned as a HitMap
// (the only thing a frame leaves behind: mouse clicks are looked up in it).
import TUI

public enum Renderer {
    @discardableResult
    public static func render(_ s: AppState, on t: Terminal) -> HitMap {
        t.clear()
        var hits = HitMap()
        let panes = Layout.compute(size: t.size, state: s)
        if let r = panes[.tooSmall] {
            HelpOverlay.drawTooSmall(size: t.size, in: r, on: t)
            t.flush()
            return hits
        }
        // Panes first, in drawing order; the rows they draw are added on top of them.
        for id in [PaneID.query, .folder, .results, .preview, .body, .status, .hints, .tokens, .help] {
            if let r = panes[id] { hits.add(r, .pane(id)) }
        }
        let compact = Layout.mode(for: t.size) == .compact
        if let r = panes[.query] { QueryPane.draw(s, in: r, compact: compact, on: t) }
        if let r = panes[.folder] { FolderPane.draw(s, in: r, on: t, hits: &hits) }
        if let r = panes[.results] {
            if s.view == .browse && s.grid { ResultsGrid.draw(s, in: r, on: t, hits: &hits) }
            else { ResultsPane.draw(s, in: r, bordered: true, on: t, hits: &hits) }
        }
        if let r = panes[.preview] { PreviewPane.draw(s, in: r, on: t, hits: &hits) }
        if let r = panes[.body] {
            switch s.view {
            case .compare: CompareView.draw(s, in: r, on: t)
            case .crossLingual: CrossLingualView.draw(s, in: r, on: t, hits: &hits)
            case .labels: LabelsView.draw(s, in: r, on: t, hits: &hits)
            case .dimensions: DimensionsView.draw(s, in: r, on: t)
            case .browse: ResultsPane.draw(s, in: r, bordered: true, on: t, hits: &hits)
            }
        }
        if let r = panes[.status] { StatusBar.drawStatus(s, in: r, on: t) }
        if let r = panes[.hints] { StatusBar.drawHints(s, in: r, on: t) }
        if let r = panes[.tokens] { HelpOverlay.drawTokens(s, in: r, on: t) }
        if let r = panes[.help] { HelpOverlay.drawHelp(s, in: r, on: t) }
        if panes[.tokens] != nil || panes[.help] != nil || s.overlay != nil { hits.removeImages() }
        t.flush()
        return hits
    }
}

/// Small formatting helpers shared by the panes.
enum Fmt {
    /// "0.832" / "-0.12"; 3 decimals, no leading zero trimming (scores are cosines).
    static func score(_ v: Float) -> String {
        let x = (Double(v) * 1000).rounded() / 1000
        var s = String(format3(x))
        if s == "-0.000" { s = "0.000" }
        return s
    }

    private static func format3(_ x: Double) -> String {
        let neg = x < 0
        let scaled = Int((abs(x) * 1000).rounded())
        let frac = scaled % 1000
        let fs = frac < 10 ? "00\(frac)" : frac < 100 ? "0\(frac)" : "\(frac)"
        return (neg ? "-" : "") + "\(scaled / 1000)." + fs
    }

    /// A bar of `width` cells for `fraction` in 0…1, with eighth-block resolution.
    static func bar(_ fraction: Double, width: Int) -> String {
        guard width > 0 else { return "" }
        let f = max(0, min(1, fraction.isNaN ? 0 : fraction))
        let eighths = Int((f * Double(width * 8)).rounded())
        let full = eighths / 8, rest = eighths % 8
        let parts = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        var s = String(repeating: "█", count: full)
        if full < width { s += parts[rest] }
        return TextWidth.pad(s, width: width)
    }

    /// A file name in `width` cells: whole, else without its extension, else shortened.
    static func name(_ name: String, width: Int) -> String {
        if TextWidth.width(name) <= width { return name }
        let stem = name.lastIndex(of: ".").map { String(name[..<$0]) } ?? name
        return TextWidth.shorten(stem.isEmpty ? name : stem, width: width)
    }

    /// The score right-aligned in 6 cells ("-0.047", " 0.487").
    static func scoreColumn(_ v: Float) -> String { TextWidth.padLeft(score(v), width: 6) }

    static func bytes(_ n: Int) -> String {
        if n >= 1_000_000 { return "\(n / 1_000_000).\((n % 1_000_000) / 100_000) MB" }
        if n >= 1000 { return "\(n / 1000) KB" }
        return "\(n) B"
    }

    static func ms(_ v: Double) -> String {
        if v < 10 { return "\(Double(Int(v * 10)) / 10) ms" }
        return "\(Int(v.rounded())) ms"
    }

    /// A short label for a breadcrumb entry.
    static func crumb(_ source: QuerySource, _ s: AppState, width: Int = 14) -> String {
        switch source {
        case .none: return "start"
        case .text(let t): return "“" + TextWidth.shorten(t, width: width) + "”"
        case .image(let id): return "≈" + TextWidth.shorten(s.item(id)?.name ?? "#\(id)", width: width)
        }
    }
}
