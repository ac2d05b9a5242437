// Background work for the explorer. Workers never touch the terminal or AppState: results
// come back as Actions through `ActionInbox`, a locked FIFO the UI thread drains each turn
// (gocui's Update queue). `LatestOnlyWorker` keeps one pending job: a newer submission replaces
// the queued one (a superseded query is dropped, never queued behind), after a debounce delay.
import Foundation

/// A thread-safe FIFO of actions posted by workers to the UI thread.
public final class ActionInbox: @unchecked Sendable {
    private let lock = NSLock()
    private var queue: [Action] = []
    /// Called after each post (from the posting thread): wakes the UI thread's input wait.
    public var onPost: (@Sendable () -> Void)?

    public init() {}

    public func post(_ action: Action) {
        lock.lock(); queue.append(action); lock.unlock()
        onPost?()
    }

    /// Everything posted so far, oldest first.
    public func drain() -> [Action] {
        lock.lock(); defer { lock.unlock() }
        let out = queue
        queue.removeAll(keepingCapacity: true)
        return out
    }

    public var isEmpty: Bool { lock.lock(); defer { lock.unlock() }; return queue.isEmpty }
}

/// One worker thread with a single "latest job" slot and an optional debounce.
final class LatestOnlyWorker: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending: (() -> Void)?
    private var submittedAt = Date.distantPast
    private var stopped = false
    private let debounce: TimeInterval

    init(name: String, debounceMs: Int) {
        debounce = Double(debounceMs) / 1000
        let t = Thread { [weak self] in self?.loop() }
        t.name = name
        t.start()
    }

    /// Replaces any job that has not started yet.
    func submit(_ job: @escaping () -> Void) {
        condition.lock()
        pending = job
        submittedAt = Date()
        condition.signal()
        condition.unlock()
    }

    func stop() {
        condition.lock(); stopped = true; pending = nil; condition.signal(); condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while pending == nil && !stopped { condition.wait() }
            if stopped { condition.unlock(); return }
            // Debounce: wait until no newer submission arrived for `debounce` seconds.
            while !stopped, pending != nil {
                let ready = submittedAt.addingTimeInterval(debounce)
                if Date() >= ready { break }
                _ = condition.wait(until: ready)
            }
            let job = pending
            pending = nil
            condition.unlock()
            job?()
        }
    }
}

/// Side effects outside the backend (process launching, clipboard), injectable for tests.
public protocol SystemActions: AnyObject {
    /// Opens a file with the system viewer; returns a message for the status line.
    func open(path: String) -> String
    /// Copies text to the clipboard; returns a message for the status line.
    func copy(_ text: String) -> String
}

/// Records requests instead of acting (tests, --print dry runs).
public final class RecordingSystemActions: SystemActions {
    public private(set) var opened: [String] = []
    public private(set) var copied: [String] = []
    public init() {}
    public func open(path: String) -> String { opened.append(path); return "opened " + path }
    public func copy(_ text: String) -> String { copied.append(text); return "copied " + text }
}

/// xdg-open / open for viewing; wl-copy, xclip, xsel or pbcopy for the clipboard, else OSC 52.
public final class HostSystemActions: SystemActions {
    public init() {}

    public func open(path: String) -> String {
        #if os(macOS)
        let tool = "/usr/bin/open"
        #else
        guard let tool = Self.which("xdg-open") else { return "no xdg-open on PATH; path: " + path }
        #endif
        return run(tool, [path], input: nil) ? "opened with " + (tool as NSString).lastPathComponent : "could not open " + path
    }

    public func copy(_ text: String) -> String {
        let candidates: [(String, [String])] = [("wl-copy", []), ("xclip", ["-selection", "clipboard"]),
                                                ("xsel", ["--clipboard", "--input"]), ("pbcopy", [])]
        for (name, args) in candidates {
            if let tool = Self.which(name), run(tool, args, input: text) { return "copied path (\(name))" }
        }
        // OSC 52: the terminal (and tmux with set-clipboard on) puts it on the clipboard.
        let b64 = Data(text.utf8).base64EncodedString()
        FileHandle.standardOutput.write(Data("\u{1B}]52;c;\(b64)\u{07}".utf8))
        return "copied path (OSC 52)"
    }

    private func run(_ tool: String, _ args: [String], input: String?) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        let pipe = Pipe()
        if input != nil { p.standardInput = pipe } else { p.standardInput = FileHandle.nullDevice }
        do { try p.run() } catch { return false }
        if let input {
            pipe.fileHandleForWriting.write(Data(input.utf8))
            try? pipe.fileHandleForWriting.close()
            p.waitUntilExit()
            return p.terminationStatus == 0
        }
        return true
    }

    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = String(dir) + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
