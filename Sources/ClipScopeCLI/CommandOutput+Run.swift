// Running a command line with its output captured (CLI tests).
import CLISupport

extension CommandOutput {
    /// Runs a command line with stdout and stderr captured: (exit status, stdout text).
    public static func run(_ arguments: [String]) -> (status: Int32, stdout: String) {
        let out = CommandOutput()
        let status = $current.withValue(out) { ClipScopeMain.runReturningStatus(arguments) }
        return (status, out.text)
    }
}
