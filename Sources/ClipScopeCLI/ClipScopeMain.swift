// Entry point: parse, run, map errors to the shared exit-status convention
//   0 success · 1 some input failed (after processing the rest) · 2 usage error
//   141 stdout closed by its reader (quietly, like coreutils under SIGPIPE).
import ArgumentParser
import CLISupport
import Foundation

public enum ClipScopeMain {
    public static let version = "0.1.0"

    public static func run(_ arguments: [String]? = nil) -> Never {
        occupyClosedStandardDescriptors()
        // A closed stdout pipe (or a clipboard tool that exits early) is an EPIPE write error that
        // the output path handles, not a signal that kills the process mid-write.
        signal(SIGPIPE, SIG_IGN)
        let status = runReturningStatus(arguments)
        Foundation.exit(status)
    }

    /// A standard descriptor closed by the caller (`>&-`, `2>&-`) would be the number the next open(2)
    /// returns, and then the cache journal or an --out temp file would receive the command's output. Each
    /// closed one is taken by /dev/null opened read-only, so writes to it fail ("cannot write output:
    /// Bad file descriptor", as coreutils say) and no file of ours ever gets 0, 1 or 2.
    static func occupyClosedStandardDescriptors() {
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let got = open("/dev/null", O_RDONLY)
            if got >= 0 && got != fd { dup2(got, fd); close(got) }
        }
    }

    /// Runs one command line and returns its exit status (used by `run` and by CLI tests). Buffered
    /// stdout is written out before returning; a failed write decides the status.
    public static func runReturningStatus(_ arguments: [String]? = nil) -> Int32 {
        let status = runCommand(arguments)
        do { try flushOutput() } catch let e as OutputError { return report(e) } catch { return 1 }
        return status
    }

    private static func runCommand(_ arguments: [String]?) -> Int32 {
        do {
            var command = try ClipScopeCommand.parseAsRoot(arguments)
            try command.run()
            return 0
        } catch let e as OutputError {
            return report(e)
        } catch let failure as InputFailure {
            // Already reported per input on stderr / in the JSON output.
            if !failure.summary.isEmpty { printError(failure.summary) }
            return 1
        } catch let error as CLIError {
            printError("clipscope: \(error.description)")
            return error.exitStatus
        } catch {
            let code = ClipScopeCommand.exitCode(for: error)
            let message = ClipScopeCommand.fullMessage(for: error)
            if code == .success {
                // --help, --version
                do { if !message.isEmpty { try emit(message) } } catch let e as OutputError { return report(e) } catch { return 1 }
                return 0
            }
            if !message.isEmpty { printError(message) }
            if code == .validationFailure { return 2 }
            return 1
        }
    }

    /// A failed stdout write: quiet 141 for a closed pipe, else the reason on stderr and 1.
    static func report(_ e: OutputError) -> Int32 {
        if !e.isBrokenPipe { printError("clipscope: \(e.description)") }
        return e.exitStatus
    }
}
