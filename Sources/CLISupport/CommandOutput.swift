// The one output path of the command line. stdout is written only through `emit` (buffered,
// flushed at 64 KB, on `flushOutput()` and when the command ends) and stderr only through
// `printError`; every write is checked. A failed stdout write throws `OutputError`, which ends the
// command: EPIPE (the reader went away: `clipscope search … | head -1`) quietly with status 141,
// as coreutils end under SIGPIPE; anything else (ENOSPC, EIO, …) with
// "clipscope: cannot write output: <reason>" on stderr and status 1. A failed stderr write is
// dropped (there is nowhere left to report it).
//
// `CommandOutput.current` is a task-local: tests run a command with a capturing output (or one
// writing to a file descriptor such as /dev/full), and parallel tests never see each other's.
import FileIO
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed write to stdout.
public struct OutputError: Error, CustomStringConvertible {
    public var code: Int32
    public init(code: Int32) { self.code = code }
    /// The reader closed the pipe: end quietly.
    public var isBrokenPipe: Bool { code == EPIPE }
    /// 141 (128 + SIGPIPE) for a closed pipe, else 1.
    public var exitStatus: Int32 { isBrokenPipe ? 141 : 1 }
    public var description: String { "cannot write output: " + String(cString: strerror(code)) }
}

public final class CommandOutput: @unchecked Sendable {
    @TaskLocal public static var current = CommandOutput(stdout: 1, stderr: 2)

    private enum Sink { case fd(Int32), capture }
    private let out: Sink
    private let err: Sink
    private let lock = NSLock()
    private var pending: [UInt8] = []
    private var captured: [UInt8] = []
    private var capturedErrors: [UInt8] = []
    private var failure: OutputError?

    /// Writes to these file descriptors (the program uses 1 and 2); nil keeps that stream in memory.
    public init(stdout: Int32?, stderr: Int32?) {
        out = stdout.map { .fd($0) } ?? .capture
        err = stderr.map { .fd($0) } ?? .capture
    }

    /// Keeps everything in memory (`text`, `errorText`).
    public init() { out = .capture; err = .capture }

    /// Captured stdout.
    public var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: captured, as: UTF8.self) }
    /// Captured stderr.
    public var errorText: String { lock.lock(); defer { lock.unlock() }; return String(decoding: capturedErrors, as: UTF8.self) }

    /// Appends to stdout; throws once a write has failed (every later call throws the same error).
    public func write(_ text: String) throws {
        lock.lock(); defer { lock.unlock() }
        if let failure { throw failure }
        switch out {
        case .capture: captured.append(contentsOf: text.utf8)
        case .fd:
            pending.append(contentsOf: text.utf8)
            if pending.count >= 1 << 16 { try flushLocked() }
        }
    }

    /// Writes out what is buffered for stdout.
    public func flush() throws {
        lock.lock(); defer { lock.unlock() }
        try flushLocked()
    }

    private func flushLocked() throws {
        if let failure { throw failure }
        guard case .fd(let fd) = out, !pending.isEmpty else { return }
        let result = pending.withUnsafeBytes { Self.writeAll(fd, $0) }
        pending.removeAll(keepingCapacity: true)
        if let code = result {
            failure = OutputError(code: code)
            throw OutputError(code: code)
        }
    }

    /// Writes to stderr at once (diagnostics and progress); a failure is dropped.
    public func writeError(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        switch err {
        case .capture: capturedErrors.append(contentsOf: text.utf8)
        case .fd(let fd): _ = Array(text.utf8).withUnsafeBytes { Self.writeAll(fd, $0) }
        }
    }

    /// write(2) until everything is out; nil on success, else the errno.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
        guard var p = bytes.baseAddress else { return nil }
        var left = bytes.count
        while left > 0 {
            let n = systemWrite(fd, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            p += n
            left -= n
        }
        return nil
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif

/// Writes one line to stdout. Control characters other than newline and tab are shown escaped
/// (TerminalSafe.line); names inside the line are escaped by their callers (`TerminalSafe.name`).
public func emit(_ line: String) throws {
    try CommandOutput.current.write(TerminalSafe.line(line) + "\n")
}

/// Writes out buffered stdout now (a line-by-line protocol answers each line as it comes).
public func flushOutput() throws {
    try CommandOutput.current.flush()
}

/// Writes a line to stderr (progress and diagnostics never go to stdout).
/// Control characters other than newline and tab are shown escaped (TerminalSafe.line).
public func printError(_ message: String) {
    CommandOutput.current.writeError(TerminalSafe.line(message) + "\n")
}

/// Writes to stderr without a newline (progress lines redrawn with "\r").
public func printErrorRaw(_ text: String) {
    CommandOutput.current.writeError(text)
}
