// Running a command line with its output captured (CLI tests).
import CLISupport

extension CommandOutput {
    /// Runs a command line with stdout and stderr captured: (exit status, stdout text).
    public static func run(_ arguments: [String]) -> (status: Int32, stdout: String) {
        let r = runCapturingAll(arguments)
        return (r.status, r.stdout)
    }

    /// Runs a command line with stdout and stderr captured.
    public static func runCapturingAll(_ arguments: [String]) -> (status: Int32, stdout: String, stderr: String) {
        let out = CommandOutput()
        let status = $current.withValue(out) { ClipScopeMain.runReturningStatus(arguments) }
        return (status, out.text, out.errorText)
    }
}
