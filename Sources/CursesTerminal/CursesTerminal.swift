// The ncursesw Terminal. Order matters: setlocale before newterm (wide characters), a
// direct-colour terminfo when COLORTERM asks for 24-bit, raw mode so Ctrl-C is a key,
// set_escdelay(25) so Esc is instant, keypad for arrows, optional mouse, bracketed paste.
// `shutdown()` is the ONE place that calls endwin; callers reach it via `defer` on every exit
// path, and every signal whose default action ends the process (INT, TERM, HUP, QUIT, USR1, USR2,
// ALRM, …) only sets a flag (`SignalFlag`) and wakes the loop, which ends normally; after the terminal
// is restored (modes and the alternate screen) the signal is re-raised with its default action.
import CNcursesw
import Foundation
import TUI

public final class CursesTerminal: Terminal {
    public struct Options: Sendable {
        public var mouse = true
        public var env: [String: String] = ProcessInfo.processInfo.environment
        /// Draw on this device instead of stdin/stdout (e.g. "/dev/tty" for `--print`, so
        /// stdout can be a pipe, as fzf does).
        public var ttyPath: String?
        public init(mouse: Bool = true, ttyPath: String? = nil) { self.mouse = mouse; self.ttyPath = ttyPath }
    }

    public private(set) var size: Size
    public let colorMode: ColorMode
    public let terminfoName: String
    /// False with NO_COLOR or fewer than 256 colours: the explorer then shows metadata only.
    public var supportsImages: Bool { colorMode == .palette256 || colorMode == .direct }

    private let screen: OpaquePointer
    private let output: UnsafeMutablePointer<FILE>
    private let inputFD: Int32
    /// Self-pipe: `wake()` writes a byte, `readEvent` polls it next to the terminal input.
    private var wakePipe: [Int32] = [-1, -1]
    private let ownedFile: UnsafeMutablePointer<FILE>?
    private let window: UnsafeMutablePointer<WINDOW>
    private var decoder: KeyDecoder
    private var pairs: [PairKey: Int32] = [:]
    private var isShutDown = false
    private let mouse: Bool

    private struct PairKey: Hashable { var fg: Int32; var bg: Int32 }

    public init(options: Options = Options()) throws {
        var inFile: UnsafeMutablePointer<FILE> = stdin
        var outFile: UnsafeMutablePointer<FILE> = stdout
        var owned: UnsafeMutablePointer<FILE>?
        if let path = options.ttyPath {
            guard let f = fopen(path, "r+"), isatty(fileno(f)) == 1 else { throw CursesTerminalError.notATTY }
            inFile = f; outFile = f; owned = f
        } else {
            guard isatty(0) == 1, isatty(1) == 1 else { throw CursesTerminalError.notATTY }
        }
        setlocale(LC_ALL, "")
        let codeset = String(cString: nl_langinfo(nl_item(CODESET)))
        do {
            try TerminalEnvironment.checkCodeset(codeset)
        } catch { if let owned { fclose(owned) }; throw error }
        let name: String
        do { name = try TerminalEnvironment.chooseTerminfo(env: options.env) } catch { if let owned { fclose(owned) }; throw error }
        guard let scr = name.withCString({ newterm($0, outFile, inFile) }) else {
            if let owned { fclose(owned) }
            throw CursesTerminalError.initFailed(name)
        }
        output = outFile
        ownedFile = owned
        inputFD = fileno(inFile)
        if pipe(&wakePipe) == 0 {
            for fd in wakePipe { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        } else {
            wakePipe = [-1, -1]
        }
        screen = scr
        set_term(scr)
        guard let win = cs_stdscr() else { endwin(); delscreen(scr); throw CursesTerminalError.initFailed(name) }
        window = win
        terminfoName = name
        // A terminal that cannot move the cursor cannot show panes.
        let cup = tigetstr("cup")
        if cup == nil || Int(bitPattern: cup) == -1 {
            endwin(); delscreen(scr)
            throw CursesTerminalError.noCursorAddressing(name)
        }
        raw()
        noecho()
        nonl()
        keypad(win, true)
        set_escdelay(25)
        curs_set(0)
        var mode = TerminalEnvironment.colorMode(env: options.env, hasColors: has_colors(), colors: 0)
        if mode != .none {
            start_color()
            use_default_colors()
            mode = TerminalEnvironment.colorMode(env: options.env, hasColors: true, colors: Int(cs_colors()))
        }
        colorMode = mode
        mouse = options.mouse
        if options.mouse {
            mousemask(cs_all_mouse_events(), nil)
            mouseinterval(0)
        }
        // Bracketed paste: the terminal wraps pasted text in ESC [200~ … ESC [201~.
        fputs("\u{1B}[?2004h", outFile)
        fflush(outFile)
        decoder = CursesTerminal.makeDecoder()
        size = Size(width: Int(cs_getmaxx(win)), height: Int(cs_getmaxy(win)))
    }

    deinit { shutdown() }

    /// Restores the terminal (idempotent). The only call to endwin.
    public func shutdown() {
        guard !isShutDown else { return }
        isShutDown = true
        if mouse { mousemask(0, nil) }
        fputs("\u{1B}[?2004l", output)
        endwin()
        fflush(output)
        delscreen(screen)
        if let ownedFile { fclose(ownedFile) }
        if SignalFlag.wakeFD == wakePipe[1] { SignalFlag.wakeFD = -1 }   // before the descriptor can be reused
        for fd in wakePipe where fd >= 0 { close(fd) }
    }

    /// The write end of the wake pipe, for `SignalFlag.wakeFD` (a signal then ends a poll at once).
    public var wakeDescriptor: Int32 { wakePipe[1] }

    // MARK: Terminal

    public func clear() { werase(window) }

    public func flush() { wrefresh(window) }

    public func repaint(_ rect: Rect) {
        let y = max(0, rect.y), h = min(size.height, rect.maxY) - y
        guard h > 0 else { return }
        wredrawln(window, Int32(y), Int32(h))
    }

    /// Bytes for the terminal itself (pixel pictures), written after ncurses' output of the frame.
    public func writeRaw(_ text: String) {
        guard !isShutDown else { return }
        fputs(text, output)
        fflush(output)
    }

    /// OSC 52 on the terminal's own output (the tty, also under `--print`, where stdout is captured);
    /// terminals that do not know the sequence ignore it.
    public func setClipboard(_ text: String) {
        guard !isShutDown else { return }
        fputs("\u{1B}]52;c;" + Data(text.utf8).base64EncodedString() + "\u{07}", output)
        fflush(output)
    }

    public func put(_ text: String, at: Point, style: Style) {
        guard at.y >= 0, at.y < size.height else { return }
        let (attrs, pair) = attributes(for: style)
        cs_wattr_set_pair(window, attrs, pair)
        // One run of wide characters per call; each cluster contributes scalars whose wcwidth
        // sum equals the TextWidth cell count, so ncurses and the layout agree on columns.
        // Clusters where they would differ (emoji ZWJ sequences, keycaps) are replaced by their
        // first scalar padded with spaces.
        runBuffer.removeAll(keepingCapacity: true)
        var runX = -1
        var x = at.x
        for c in text {
            let w = TextWidth.width(of: c)
            if w == 0 { continue }
            if x + w > size.width { break }
            if x >= 0 {
                if runX < 0 { runX = x }
                appendCluster(c, width: w)
            }
            x += w
        }
        guard runX >= 0, !runBuffer.isEmpty else { return }
        runBuffer.append(0)
        runBuffer.withUnsafeBufferPointer { _ = mvwaddwstr(window, Int32(at.y), Int32(runX), $0.baseAddress) }
    }

    private var runBuffer: [wchar_t] = []

    private func appendCluster(_ c: Character, width: Int) {
        let scalars = c.unicodeScalars
        if scalars.count == 1, let s = scalars.first, Int(cWCWidth(wchar_t(bitPattern: s.value))) == width {
            runBuffer.append(wchar_t(bitPattern: s.value))
            return
        }
        let sum = scalars.reduce(0) { $0 + max(0, Int(cWCWidth(wchar_t(bitPattern: $1.value)))) }
        if sum == width {
            for s in scalars { runBuffer.append(wchar_t(bitPattern: s.value)) }
            return
        }
        let first = wchar_t(bitPattern: scalars.first!.value)
        let fw = max(0, Int(cWCWidth(first)))
        if fw >= 1 && fw <= width {
            runBuffer.append(first)
            runBuffer.append(contentsOf: Array(repeating: 32, count: width - fw))
        } else {
            runBuffer.append(contentsOf: Array(repeating: 63, count: width))   // "?"
        }
    }

    public func wake() {
        guard wakePipe[1] >= 0 else { return }
        var byte: UInt8 = 1
        _ = write(wakePipe[1], &byte, 1)      // non-blocking; a full pipe already means "awake"
    }

    public func readEvent(timeoutMs: Int) -> Event? {
        wtimeout(window, 0)
        var raw = readRaw()                   // input ncurses already buffered, or a pending resize
        if raw == nil {
            if wakePipe[0] >= 0 {
                var fds = [pollfd(fd: inputFD, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: wakePipe[0], events: Int16(POLLIN), revents: 0)]
                _ = poll(&fds, 2, Int32(timeoutMs))     // EINTR (SIGWINCH, SIGTERM) just returns
                if fds[1].revents != 0 {
                    var sink = [UInt8](repeating: 0, count: 64)
                    while read(wakePipe[0], &sink, sink.count) > 0 {}
                }
            } else {
                wtimeout(window, Int32(timeoutMs))
            }
            raw = readRaw()
            wtimeout(window, 0)
        }
        guard let first = raw else { return nil }
        switch decoder.decode(first, next: { self.readRaw() }) {
        case .event(let e): return e
        case .resize:
            size = Size(width: Int(cs_getmaxx(window)), height: Int(cs_getmaxy(window)))
            return .resize(size)
        case .mouse:
            var ev = MEVENT()
            guard getmouse(&ev) == cs_ok() else { return nil }
            let p = Point(x: Int(ev.x), y: Int(ev.y))
            if ev.bstate & cs_button4_pressed() != 0 { return .mouse(MouseEvent(button: .wheelUp, at: p)) }
            if ev.bstate & cs_button5_pressed() != 0 { return .mouse(MouseEvent(button: .wheelDown, at: p)) }
            if ev.bstate & (cs_button1_pressed() | cs_button1_clicked()) != 0 { return .mouse(MouseEvent(button: .left, at: p)) }
            return nil
        case .ignore: return nil
        }
    }

    private func readRaw() -> RawInput? {
        var wch: wint_t = 0
        let r = wget_wch(window, &wch)
        if r == cs_err() { return nil }
        if r == KEY_CODE_YES { return .code(Int32(bitPattern: UInt32(wch))) }
        return .char(UInt32(wch))
    }

    // MARK: colours

    private func attributes(for style: Style) -> (attr_t, Int32) {
        var a = cs_a_normal()
        if style.attributes.contains(.bold) { a |= cs_a_bold() }
        if style.attributes.contains(.dim) { a |= cs_a_dim() }
        if style.attributes.contains(.reverse) { a |= cs_a_reverse() }
        if style.attributes.contains(.underline) { a |= cs_a_underline() }
        if colorMode == .none {
            // Monochrome: a coloured background means "highlighted".
            if style.bg != .terminalDefault { a |= cs_a_reverse() }
            return (a, 0)
        }
        let key = PairKey(fg: color(style.fg), bg: color(style.bg))
        if key.fg == -1 && key.bg == -1 { return (a, 0) }
        if let p = pairs[key] { return (a, p) }
        var p = alloc_pair(key.fg, key.bg)
        if p < 0 { p = 0 }
        pairs[key] = p
        return (a, p)
    }

    /// Standard xterm values of the 16 ANSI colours (for direct-colour terminals, where
    /// numbers ≥ 8 are RGB).
    private static let ansiRGB: [Int32] = [0x000000, 0xCD0000, 0x00CD00, 0xCDCD00, 0x0000EE, 0xCD00CD, 0x00CDCD, 0xE5E5E5,
                                           0x7F7F7F, 0xFF0000, 0x00FF00, 0xFFFF00, 0x5C5CFF, 0xFF00FF, 0x00FFFF, 0xFFFFFF]

    private func color(_ c: Color) -> Int32 {
        switch (c, colorMode) {
        case (.terminalDefault, _): return -1
        case (.ansi(let n), .direct): return n < 8 ? Int32(n) : CursesTerminal.ansiRGB[n & 15]
        case (.ansi(let n), .ansi16): return Int32(n % Int(max(8, cs_colors())))
        case (.ansi(let n), _): return Int32(n)
        case (.rgb(let rgb), .direct):
            let v = Int32(rgb.r) << 16 | Int32(rgb.g) << 8 | Int32(rgb.b)
            return v < 8 ? 8 : v   // 0…7 would select ANSI colours in xterm-direct
        case (.rgb(let rgb), .palette256): return Int32(rgb.xterm256)
        case (.rgb, _): return -1
        }
    }

    // MARK: keys

    static func makeDecoder() -> KeyDecoder {
        var codes: [Int32: Key] = [
            Int32(KEY_UP): .up, Int32(KEY_DOWN): .down, Int32(KEY_LEFT): .left, Int32(KEY_RIGHT): .right,
            Int32(KEY_HOME): .home, Int32(KEY_END): .end, Int32(KEY_PPAGE): .pageUp, Int32(KEY_NPAGE): .pageDown,
            Int32(KEY_BACKSPACE): .backspace, Int32(KEY_DC): .delete, Int32(KEY_BTAB): .backTab,
            Int32(KEY_ENTER): .enter,
        ]
        for n in 1...12 { codes[Int32(KEY_F0) + Int32(n)] = .function(n) }
        // Ctrl-arrows have no fixed code; ask ncurses which code it bound to the terminfo strings.
        for (cap, key) in [("kLFT5", Key.ctrlLeft), ("kRIT5", Key.ctrlRight)] {
            if let s = tigetstr(cap), Int(bitPattern: s) != -1 {
                let code = key_defined(s)
                if code > 0 { codes[code] = key }
            }
        }
        return KeyDecoder(codes: codes, resizeCode: cs_key_resize(), mouseCode: cs_key_mouse())
    }
}

/// Set by any signal whose default action terminates; the event loop polls it and ends normally (so
/// `defer` restores the terminal), then `reraise()` ends the process by that signal. The handler only
/// stores to this flag and writes one byte to the wake pipe (both async-signal-safe). SIGPIPE is ignored.
public enum SignalFlag {
    nonisolated(unsafe) private static var raised: sig_atomic_t = 0
    /// Written by the handler so a poll in any thread's loop returns at once (-1: none).
    nonisolated(unsafe) public static var wakeFD: Int32 = -1

    /// Every signal whose default action ends the process (term or core), SIGPIPE aside.
    public static let terminating: [Int32] = [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM,
                                              SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGIO, SIGPWR, SIGSTKFLT]

    public static func install() {
        raised = 0
        for s in terminating {
            signal(s) { n in
                SignalFlag.raised = n
                var byte: UInt8 = 1
                if SignalFlag.wakeFD >= 0 { _ = write(SignalFlag.wakeFD, &byte, 1) }
            }
        }
        signal(SIGPIPE, SIG_IGN)
    }

    /// Ends the process by the raised signal with its default action (the shell sees 128 + n and,
    /// for QUIT/XCPU/XFSZ, a core as usual). Call only after the terminal is restored. Returns when
    /// no signal was raised.
    public static func reraise() {
        let n = number
        guard n != 0 else { return }
        signal(n, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, n)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        raise(n)
    }

    public static var isRaised: Bool { raised != 0 }
    /// The signal number that was raised (0 if none).
    public static var number: Int32 { Int32(raised) }
}

/// glibc's wcwidth (not exported by the Glibc module without _XOPEN_SOURCE): ncurses advances
/// the cursor by it, so clusters are checked against it before drawing.
@_silgen_name("wcwidth") private func cWCWidth(_ c: wchar_t) -> Int32
