// Questions to the terminal before ncurses starts (the answers feed GraphicsDetection):
//   the window's pixel size (TIOCGWINSZ ws_xpixel / ws_ypixel), and a reply to a query such as
//   `CSI 16 t` (cell size) + `CSI c` (primary device attributes). DA1 goes last: every VT-style terminal
//   answers it and answers in order, so once its reply is in, nothing else is still on its way (no
//   late reply can reach ncurses as keys). The TTY is in raw mode only while waiting, at most
//   `timeoutMs`; without an answer the caller falls back (symbols, 10×20 cells).
import CNcursesw
import Foundation

public enum TerminalProbe {
    /// Cells and pixels of the terminal on `fd` (pixels are 0 where the terminal does not say).
    public static func windowSize(fd: Int32) -> (cols: Int, rows: Int, xpixel: Int, ypixel: Int)? {
        var c: Int32 = 0, r: Int32 = 0, x: Int32 = 0, y: Int32 = 0
        guard cs_winsize(fd, &c, &r, &x, &y) == 0 else { return nil }
        return (Int(c), Int(r), Int(x), Int(y))
    }

    /// Writes `query` to the TTY at `path` and returns what came back before `done` said so or the
    /// timeout passed. Empty when the TTY cannot be opened.
    public static func ask(_ query: String, path: String = "/dev/tty", timeoutMs: Int = 100, done: ([UInt8]) -> Bool) -> [UInt8] {
        let fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { return [] }
        var raw = saved
        cfmakeraw(&raw)
        guard tcsetattr(fd, TCSANOW, &raw) == 0 else { return [] }
        defer { _ = tcsetattr(fd, TCSANOW, &saved) }
        let bytes = Array(query.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return [] }
            written += n
        }
        var reply: [UInt8] = []
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeoutMs) * 1_000_000
        var buf = [UInt8](repeating: 0, count: 256)
        while !done(reply) {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { break }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let left = Int32((deadline - now) / 1_000_000) + 1
            guard poll(&p, 1, left) > 0 else { continue }
            let n = read(fd, &buf, buf.count)
            if n > 0 { reply.append(contentsOf: buf[0..<n]) } else if n < 0 && errno == EINTR { continue } else { break }
        }
        return reply
    }
}
