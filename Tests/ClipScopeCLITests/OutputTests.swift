// The one output path: a full disk ends the command with status 1 and one clear line on stderr; a
// reader that went away (closed pipe) ends it quietly with 141; stdout is never written past a
// failure. In process (the writer on a file descriptor) and through the built executable.
import Foundation
import Testing
import TestSupport
@testable import ClipScopeCLI
@testable import CLISupport
#if canImport(Glibc)
import Glibc
#endif

@Suite struct OutputTests {
    static let tokenizer = Fixtures.xlmr.appendingPathComponent("tokenizer.json").path

    /// Runs a command line with stdout on `fd` and stderr captured: (status, stderr).
    func run(_ args: [String], stdoutFD fd: Int32) -> (status: Int32, stderr: String) {
        let out = CommandOutput(stdout: fd, stderr: nil)
        let status = CommandOutput.$current.withValue(out) { ClipScopeMain.runReturningStatus(args) }
        return (status, out.errorText)
    }

    @Test func fullDiskIsStatusOneWithTheReason() throws {
        let fd = open("/dev/full", O_WRONLY)
        try #require(fd >= 0, "/dev/full")
        defer { close(fd) }
        let r = run(["tokenize", "--tokenizer", Self.tokenizer, "hello", "world"], stdoutFD: fd)
        #expect(r.status == 1)
        #expect(r.stderr == "clipscope: cannot write output: No space left on device\n")
        // --help goes through the same writer.
        #expect(run(["--help"], stdoutFD: fd) == (1, "clipscope: cannot write output: No space left on device\n"))
    }

    @Test func closedPipeEndsQuietlyWith141() throws {
        signal(SIGPIPE, SIG_IGN)   // as ClipScopeMain.run does: EPIPE comes back as an error
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        close(fds[0])
        defer { close(fds[1]) }
        let r = run(["tokenize", "--tokenizer", Self.tokenizer, "hello"], stdoutFD: fds[1])
        #expect(r.status == 141)
        #expect(r.stderr == "")
    }

    @Test func aFailedWriteSticks() throws {
        let fd = open("/dev/full", O_WRONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        let out = CommandOutput(stdout: fd, stderr: nil)
        try out.write("a\n")                       // buffered
        #expect(throws: OutputError.self) { try out.flush() }
        #expect(throws: OutputError.self) { try out.write("b\n") }
    }

    /// The executable itself, stdout on /dev/full and on a pipe closed by its reader.
    @Test func executableReportsWriteErrors() throws {
        // swift test builds every target of the package, the executable included (debug configuration).
        let binary = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/clipscope")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "\(binary.path) is built with the tests")
        func launch(_ stdout: FileHandle) throws -> (Int32, String) {
            let p = Process()
            p.executableURL = binary
            p.arguments = ["tokenize", "--tokenizer", Self.tokenizer, "hello"]
            p.standardOutput = stdout
            let err = Pipe()
            p.standardError = err
            try p.run()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            return (p.terminationStatus, text)
        }
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let (status, stderr) = try launch(full)
        #expect(status == 1)
        #expect(stderr == "clipscope: cannot write output: No space left on device\n")
        let closed = Pipe()
        try closed.fileHandleForReading.close()
        let (pipeStatus, pipeStderr) = try launch(closed.fileHandleForWriting)
        #expect(pipeStatus == 141)
        #expect(pipeStderr == "")
        // A closed stdout (`>&-`) is a write error, not a descriptor that the next open reuses.
        let sh = Process()
        sh.executableURL = URL(fileURLWithPath: "/bin/sh")
        sh.arguments = ["-c", "exec \"$0\" tokenize --tokenizer \"$1\" hello >&-", binary.path, Self.tokenizer]
        let err = Pipe()
        sh.standardError = err
        try sh.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        sh.waitUntilExit()
        #expect(sh.terminationStatus == 1)
        #expect(text == "clipscope: cannot write output: Bad file descriptor\n")
    }
}
