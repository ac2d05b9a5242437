// Which preview mode a terminal gets, as a pure function of its environment and its answers to
// two queries (so it is tested without a terminal). The order follows chafa's term-db:
//   1. explicit --preview / CLIPSCOPE_PREVIEW other than auto: obeyed as is, no probing;
//   2. NO_COLOR: none;
//   3. inside tmux (TMUX set, or TERM tmux*/screen*): kitty / iTerm2 protocols only through
//      passthrough (`allow-passthrough on`), else symbols; sixel when tmux itself answers DA1 with 4;
//   4. kitty: KITTY_WINDOW_ID, TERM xterm-kitty, TERM_PROGRAM/TERM ghostty, KONSOLE_VERSION;
//   5. iTerm2: TERM_PROGRAM iTerm.app / WezTerm, LC_TERMINAL iTerm2, WEZTERM_EXECUTABLE;
//   6. sixel: TERM foot*, mlterm*, contour*, yaft*, or DA1 (`CSI c`) answer with parameter 4;
//   7. else symbols — never a protocol the terminal was not seen to speak (no escape debris).
// WezTerm gets iTerm2 images because its kitty support is off by default (enable_kitty_graphics).

/// What the terminal answered (nil: no answer within the timeout, or not asked).
public struct TerminalAnswers: Equatable, Sendable {
    /// Parameters of the primary device attributes reply `CSI ? P1 ; P2 ; … c`.
    public var deviceAttributes: [Int]?
    /// Cell size from `CSI 6 ; height ; width t` (the reply to `CSI 16 t`).
    public var cellPixels: CellPixels?
    /// `tmux show -gv allow-passthrough` said on (or all).
    public var tmuxPassthrough: Bool
    public init(deviceAttributes: [Int]? = nil, cellPixels: CellPixels? = nil, tmuxPassthrough: Bool = false) {
        self.deviceAttributes = deviceAttributes; self.cellPixels = cellPixels; self.tmuxPassthrough = tmuxPassthrough
    }
}

public struct GraphicsChoice: Equatable, Sendable {
    /// Never `.auto`.
    public var mode: PreviewMode
    /// Wrap pixel payloads in tmux passthrough (`ESC Ptmux; … ESC \`).
    public var tmuxPassthrough: Bool
    /// Why (for `CLIPSCOPE_TRACE` and the tests).
    public var reason: String
    public init(mode: PreviewMode, tmuxPassthrough: Bool = false, reason: String) {
        self.mode = mode; self.tmuxPassthrough = tmuxPassthrough; self.reason = reason
    }
}

public enum GraphicsDetection {
    /// The requested mode from `--preview` (nil when not given), else `CLIPSCOPE_PREVIEW`, else auto.
    /// Returns nil with the bad value for an unknown name.
    public static func requested(flag: String?, env: [String: String]) -> Result<PreviewMode, BadPreviewMode> {
        let (raw, source) = flag.map { ($0, "--preview") } ?? (env["CLIPSCOPE_PREVIEW"].flatMap { $0.isEmpty ? nil : $0 }.map { ($0, "CLIPSCOPE_PREVIEW") } ?? ("auto", ""))
        guard let mode = PreviewMode(rawValue: raw.lowercased()) else { return .failure(BadPreviewMode(value: raw, source: source)) }
        return .success(mode)
    }

    public static func isTmux(_ env: [String: String]) -> Bool {
        if let t = env["TMUX"], !t.isEmpty { return true }
        let term = env["TERM"] ?? ""
        return term.hasPrefix("tmux") || term.hasPrefix("screen")
    }

    /// Whether `auto` needs the device-attributes query (nothing in the environment decided it).
    public static func needsProbe(env: [String: String]) -> Bool {
        environmentMode(env) == nil
    }

    /// The mode for `requested` (explicit modes are kept; `auto` decided from env + answers).
    public static func choose(requested: PreviewMode, env: [String: String], answers: TerminalAnswers) -> GraphicsChoice {
        let tmux = isTmux(env)
        if requested != .auto {
            return GraphicsChoice(mode: requested, tmuxPassthrough: tmux && requested.isPixel && requested != .sixel,
                                  reason: "requested")
        }
        if let v = env["NO_COLOR"], !v.isEmpty { return GraphicsChoice(mode: .none, reason: "NO_COLOR") }
        let sixelDA = answers.deviceAttributes?.contains(4) == true
        if tmux {
            if let m = environmentMode(env), m != .sixel {
                if answers.tmuxPassthrough { return GraphicsChoice(mode: m, tmuxPassthrough: true, reason: "tmux passthrough to \(m.rawValue)") }
                return GraphicsChoice(mode: .symbols, reason: "tmux without allow-passthrough")
            }
            if sixelDA { return GraphicsChoice(mode: .sixel, reason: "tmux answers DA1 with sixel") }
            return GraphicsChoice(mode: .symbols, reason: "tmux")
        }
        if let m = environmentMode(env) { return GraphicsChoice(mode: m, reason: "environment") }
        if sixelDA { return GraphicsChoice(mode: .sixel, reason: "DA1 has 4 (sixel)") }
        return GraphicsChoice(mode: .symbols, reason: "no graphics protocol detected")
    }

    /// The protocol the environment names, if any (steps 4–6 without DA1).
    static func environmentMode(_ env: [String: String]) -> PreviewMode? {
        func has(_ k: String) -> Bool { !(env[k] ?? "").isEmpty }
        let term = (env["TERM"] ?? "").lowercased()
        let program = (env["TERM_PROGRAM"] ?? "").lowercased()
        if has("KITTY_WINDOW_ID") || term == "xterm-kitty" || term.contains("ghostty") || program == "ghostty"
            || has("KONSOLE_VERSION") {
            return .kitty
        }
        if program == "iterm.app" || program == "wezterm" || has("WEZTERM_EXECUTABLE")
            || (env["LC_TERMINAL"] ?? "").lowercased() == "iterm2" {
            return .iterm
        }
        for prefix in ["foot", "mlterm", "contour", "yaft"] where term.hasPrefix(prefix) { return .sixel }
        return nil
    }

    // MARK: answers

    /// The parameters of the first `CSI ? … c` in `bytes` (a DA1 reply), nil if none is complete.
    public static func parseDeviceAttributes(_ bytes: [UInt8]) -> [Int]? {
        guard let body = csiBody(bytes, prefix: UInt8(ascii: "?"), final: UInt8(ascii: "c")) else { return nil }
        return body.split(separator: ";").compactMap { Int($0) }
    }

    /// Cell size from the first `CSI 6 ; height ; width t` in `bytes` (the reply to `CSI 16 t`).
    public static func parseCellSize(_ bytes: [UInt8]) -> CellPixels? {
        guard let body = csiBody(bytes, prefix: nil, final: UInt8(ascii: "t")) else { return nil }
        let p = body.split(separator: ";").map { Int($0) }
        guard p.count == 3, p[0] == 6, let h = p[1], let w = p[2], w > 0, h > 0, w < 1000, h < 1000 else { return nil }
        return CellPixels(width: w, height: h)
    }

    /// Cell size from TIOCGWINSZ's pixel fields divided by the cell counts (nil when they are 0).
    public static func cellSize(xpixel: Int, ypixel: Int, cols: Int, rows: Int) -> CellPixels? {
        guard xpixel > 0, ypixel > 0, cols > 0, rows > 0, xpixel >= cols, ypixel >= rows else { return nil }
        return CellPixels(width: xpixel / cols, height: ypixel / rows)
    }

    /// The parameter text of the first `ESC [ prefix? params final` in bytes.
    private static func csiBody(_ bytes: [UInt8], prefix: UInt8?, final: UInt8) -> String? {
        var i = 0
        while i + 1 < bytes.count {
            defer { i += 1 }
            guard bytes[i] == 0x1B, bytes[i + 1] == UInt8(ascii: "[") else { continue }
            var j = i + 2
            if let prefix {
                guard j < bytes.count, bytes[j] == prefix else { continue }
                j += 1
            }
            let start = j
            while j < bytes.count, (bytes[j] >= 0x30 && bytes[j] <= 0x3B) { j += 1 }
            guard j < bytes.count, bytes[j] == final else { continue }
            return String(decoding: bytes[start..<j], as: UTF8.self)
        }
        return nil
    }
}

public struct BadPreviewMode: Error, Equatable, CustomStringConvertible {
    public var value: String
    public var source: String
    public var description: String {
        "\(source) \(value.debugDescription) is not a preview mode (one of \(PreviewMode.names))"
    }
}
