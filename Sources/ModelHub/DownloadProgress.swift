// Download progress: a protocol the downloader reports to, a terminal bar on stderr
// (`  model.safetensors  [#######.......]  48%  835.2 MB / 1.73 GB  11.4 MB/s  ETA 1:18`,
// redrawn at most 10 times a second), and the pure formatting functions behind it.
import FileIO
import Foundation

public protocol DownloadProgress: AnyObject {
    /// A file starts (or resumes at `resumedFrom` bytes); `total` when the size is known.
    func begin(file: String, total: UInt64?, resumedFrom: UInt64)
    /// Bytes of the current file present on disk so far.
    func update(file: String, bytes: UInt64)
    /// The file is complete (downloaded and verified, or already present).
    func finish(file: String, bytes: UInt64, skipped: Bool)
    /// A one-line message (retry, verification…).
    func note(_ message: String)
}

/// Discards everything.
public final class SilentProgress: DownloadProgress {
    public init() {}
    public func begin(file: String, total: UInt64?, resumedFrom: UInt64) {}
    public func update(file: String, bytes: UInt64) {}
    public func finish(file: String, bytes: UInt64, skipped: Bool) {}
    public func note(_ message: String) {}
}

/// Draws a progress bar through `sink` (the CLI's stderr). With a TTY the bar is redrawn in place;
/// without one, one line per event.
public final class TerminalProgress: DownloadProgress, @unchecked Sendable {
    private let isTTY: Bool
    private let width: Int
    private var total: UInt64?
    private var startBytes: UInt64 = 0
    private var started = DispatchTime.now()
    private var lastDraw: DispatchTime?
    private let lock = NSLock()
    private let sink: (String) -> Void
    private let minRedrawNanos: UInt64

    /// `sink` receives the text.
    public init(isTTY: Bool = isatty(2) == 1, width: Int = 30, minRedraw: TimeInterval = 0.1,
                sink: @escaping (String) -> Void) {
        self.isTTY = isTTY
        self.minRedrawNanos = UInt64(max(0, minRedraw) * 1e9)
        self.width = width
        self.sink = sink
    }

    public func begin(file: String, total: UInt64?, resumedFrom: UInt64) {
        lock.lock(); defer { lock.unlock() }
        self.total = total
        startBytes = resumedFrom
        started = .now()
        lastDraw = nil
        let size = total.map { " (\(ProgressFormat.bytes($0)))" } ?? ""
        let resume = resumedFrom > 0 ? ", resuming at \(ProgressFormat.bytes(resumedFrom))" : ""
        write("downloading \(file)\(size)\(resume)\n")
    }

    public func update(file: String, bytes: UInt64) {
        guard isTTY else { return }
        lock.lock(); defer { lock.unlock() }
        let now = DispatchTime.now()
        if let last = lastDraw, now.uptimeNanoseconds &- last.uptimeNanoseconds < minRedrawNanos { return }
        lastDraw = now
        let seconds = Double(now.uptimeNanoseconds &- started.uptimeNanoseconds) / 1e9
        let rate = seconds > 0 ? Double(bytes &- min(bytes, startBytes)) / seconds : 0
        write("\r" + ProgressFormat.line(file: file, bytes: bytes, total: total, bytesPerSecond: rate, width: width) + "\u{1B}[K")
    }

    public func finish(file: String, bytes: UInt64, skipped: Bool) {
        lock.lock(); defer { lock.unlock() }
        if skipped {
            write("\(file): already present (\(ProgressFormat.bytes(bytes)))\n")
            return
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds &- started.uptimeNanoseconds) / 1e9
        let rate = seconds > 0 ? Double(bytes &- min(bytes, startBytes)) / seconds : 0
        if isTTY { write("\r\u{1B}[K") }
        write("\(file): \(ProgressFormat.bytes(bytes)) done, \(ProgressFormat.bytes(UInt64(rate)))/s\n")
    }

    public func note(_ message: String) {
        lock.lock(); defer { lock.unlock() }
        if isTTY { write("\r\u{1B}[K") }
        write(message + "\n")
    }

    private func write(_ s: String) { sink(s) }
}

public enum ProgressFormat {
    /// Decimal units like the hub's web pages: 999 B, 1.5 kB, 835.2 MB, 1.73 GB.
    public static func bytes(_ n: UInt64) -> String {
        let v = Double(n)
        if n < 1000 { return "\(n) B" }
        if v < 1e6 { return String(format: "%.1f kB", v / 1e3) }
        if v < 1e9 { return String(format: "%.1f MB", v / 1e6) }
        return String(format: "%.2f GB", v / 1e9)
    }

    /// `m:ss`, or `h:mm:ss` from one hour; `--:--` when unknown.
    public static func duration(_ seconds: Double?) -> String {
        guard let s = seconds, s.isFinite, s >= 0, s < 360_000 else { return "--:--" }
        let t = Int(s.rounded())
        if t >= 3600 { return String(format: "%d:%02d:%02d", t / 3600, (t / 60) % 60, t % 60) }
        return String(format: "%d:%02d", t / 60, t % 60)
    }

    /// One progress line (no terminal escapes).
    public static func line(file: String, bytes: UInt64, total: UInt64?, bytesPerSecond: Double, width: Int = 30) -> String {
        let rate = "\(self.bytes(UInt64(max(0, bytesPerSecond))))/s"
        guard let total, total > 0 else {
            return "  \(file)  \(self.bytes(bytes))  \(rate)"
        }
        let fraction = min(1, Double(bytes) / Double(total))
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let eta: Double? = bytesPerSecond > 0 ? Double(total - min(total, bytes)) / bytesPerSecond : nil
        let percent = Int((fraction * 100).rounded(.down))
        return "  \(file)  [\(bar)] \(String(format: "%3d", percent))%  \(self.bytes(bytes)) / \(self.bytes(total))  \(rate)  ETA \(duration(eta))"
    }
}
