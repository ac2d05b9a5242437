// stdout for the index/search/compare/export commands. In tests, `CommandOutput.capture` collects the
// lines instead (a task-local, so parallel tests never see each other's output).
import FileIO
import Foundation

public final class CommandOutput: @unchecked Sendable {
    @TaskLocal public static var capture: CommandOutput?

    private let lock = NSLock()
    private var lines: [String] = []
    public init() {}

    public var text: String {
        lock.lock(); defer { lock.unlock() }
        return lines.map { $0 + "\n" }.joined()
    }

    func append(_ line: String) {
        lock.lock(); lines.append(line); lock.unlock()
    }

    /// Runs a command line with its stdout captured: (exit status, stdout text).
    public static func run(_ arguments: [String]) -> (status: Int32, stdout: String) {
        let out = CommandOutput()
        let status = $capture.withValue(out) { ClipScopeMain.runReturningStatus(arguments) }
        return (status, out.text)
    }
}

/// Writes one line to stdout (or to the test capture). Control characters other than newline and tab are
/// shown escaped (TerminalSafe.line); names inside the line are escaped by their callers (`TerminalSafe.name`).
func emit(_ line: String) {
    let line = TerminalSafe.line(line)
    if let c = CommandOutput.capture { c.append(line) } else { print(line) }
}
