// The errors a command ends with; ClipScopeMain maps them to the exit-status convention
//   0 success · 1 some input failed (after processing the rest) · 2 usage error.
import ModelHub

/// Some inputs failed; the others were processed. Exit status 1.
public struct InputFailure: Error {
    public var summary: String
    public init(_ summary: String = "") { self.summary = summary }
}

/// An error the CLI reports itself, with its exit status (1 runtime, 2 usage).
public struct CLIError: Error, CustomStringConvertible {
    public var description: String
    public var exitStatus: Int32
    public init(description: String, exitStatus: Int32) { self.description = description; self.exitStatus = exitStatus }
    public static func usage(_ message: String) -> CLIError { CLIError(description: message, exitStatus: 2) }
    public static func failure(_ message: String) -> CLIError { CLIError(description: message, exitStatus: 1) }
}

/// Maps model-hub errors to the CLI's exit statuses (bad argument → 2, everything else → 1).
public func cliError(_ error: Error) -> Error {
    guard let e = error as? ModelHubError else { return error }
    if case .invalidArgument(let m) = e { return CLIError.usage(m) }
    return CLIError.failure(e.description)
}
