// Named styles (one table, mapped once to colour pairs by the terminal) plus free RGB colours
// for half-block image previews. A monochrome terminal uses only `attributes`.

public struct RGB: Hashable, Sendable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { self.r = r; self.g = g; self.b = b }

    /// Nearest entry of the xterm 256-colour palette (6×6×6 cube 16…231 or grey ramp 232…255).
    public var xterm256: Int {
        func level(_ v: UInt8) -> Int { v < 48 ? 0 : v < 115 ? 1 : (Int(v) - 35) / 40 }
        let steps = [0, 95, 135, 175, 215, 255]
        let (ri, gi, bi) = (level(r), level(g), level(b))
        let cube = 16 + 36 * ri + 6 * gi + bi
        let cr = steps[ri], cg = steps[gi], cb = steps[bi]
        let avg = (Int(r) + Int(g) + Int(b)) / 3
        let greyIndex = avg > 238 ? 23 : max(0, (avg - 3) / 10)
        let grey = 8 + 10 * greyIndex
        func dist(_ a: Int, _ b: Int, _ c: Int) -> Int {
            (Int(r) - a) * (Int(r) - a) + (Int(g) - b) * (Int(g) - b) + (Int(b) - c) * (Int(b) - c)
        }
        return dist(grey, grey, grey) < dist(cr, cg, cb) ? 232 + greyIndex : cube
    }
}

/// A colour: a palette index (0…15 ANSI) for named styles, or free RGB for previews.
public enum Color: Hashable, Sendable {
    case terminalDefault
    case ansi(Int)
    case rgb(RGB)
}

public struct TextAttributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = TextAttributes(rawValue: 1)
    public static let dim = TextAttributes(rawValue: 2)
    public static let reverse = TextAttributes(rawValue: 4)
    public static let underline = TextAttributes(rawValue: 8)
}

public struct Style: Hashable, Sendable {
    public var fg: Color
    public var bg: Color
    public var attributes: TextAttributes
    public init(fg: Color = .terminalDefault, bg: Color = .terminalDefault, _ attributes: TextAttributes = []) {
        self.fg = fg; self.bg = bg; self.attributes = attributes
    }

    // MARK: the style table (ncdu-zig `styles`): every pane picks from these names.
    public static let normal = Style()
    public static let border = Style(fg: .ansi(8))
    public static let focusedBorder = Style(fg: .ansi(6), [.bold])
    public static let title = Style(fg: .ansi(6), [.bold])
    public static let header = Style(fg: .ansi(4), [.bold])
    public static let selected = Style(fg: .ansi(0), bg: .ansi(6))
    public static let selectedDim = Style([.reverse])
    public static let dim = Style(fg: .ansi(8))
    public static let match = Style(fg: .ansi(3), [.bold])
    public static let good = Style(fg: .ansi(2))
    public static let bad = Style(fg: .ansi(1))
    public static let error = Style(fg: .ansi(1), [.bold])
    public static let bar = Style(fg: .ansi(2))
    public static let banner = Style(fg: .ansi(0), bg: .ansi(3), [.bold])
    public static let status = Style(fg: .ansi(15), bg: .ansi(4))
    public static let hint = Style(fg: .ansi(8))
    public static let key = Style(fg: .ansi(3), [.bold])
    public static let cursor = Style([.reverse])
    public static let overlay = Style(fg: .ansi(15), bg: .ansi(0))

    /// A half-block preview cell: upper pixel as foreground of `▀`, lower pixel as background.
    public static func halfBlock(top: RGB, bottom: RGB) -> Style { Style(fg: .rgb(top), bg: .rgb(bottom)) }
}
