// Entry point: parse, run, map errors to the shared exit-status convention
//   0 success · 1 some input failed (after processing the rest) · 2 usage error.
import FileIO
import ArgumentParser
import Foundation

public enum ClipScopeMain {
    public static let version = "0.1.0"

    public static func run(_ arguments: [String]? = nil) -> Never {
        let status = runReturningStatus(arguments)
        Foundation.exit(status)
    }

    /// Runs one command line and returns its exit status (used by `run` and by CLI tests).
    public static func runReturningStatus(_ arguments: [String]? = nil) -> Int32 {
        do {
            var command = try ClipScopeCommand.parseAsRoot(arguments)
            try command.run()
            return 0
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
                if !message.isEmpty { print(message) }   // --help, --version
                return 0
            }
            if !message.isEmpty { printError(message) }
            if code == .validationFailure { return 2 }
            return 1
        }
    }
}

/// Some inputs failed; the others were processed. Exit status 1.
public struct InputFailure: Error {
    public var summary: String
    public init(_ summary: String = "") { self.summary = summary }
}

/// An error the CLI reports itself, with its exit status (1 runtime, 2 usage).
public struct CLIError: Error, CustomStringConvertible {
    public var description: String
    public var exitStatus: Int32
    public static func usage(_ message: String) -> CLIError { CLIError(description: message, exitStatus: 2) }
    public static func failure(_ message: String) -> CLIError { CLIError(description: message, exitStatus: 1) }
}

/// Writes a line to stderr (progress and diagnostics never go to stdout).
/// Control characters other than newline and tab are shown escaped (TerminalSafe.line).
func printError(_ message: String) {
    FileHandle.standardError.write(Data((TerminalSafe.line(message) + "\n").utf8))
}
