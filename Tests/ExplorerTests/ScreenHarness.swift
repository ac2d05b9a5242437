// Golden screens (tig-style): run the EventLoop on a VirtualTerminal with the FakeBackend and
// scripted events, then compare the text grid with Tests/Fixtures/screens/<name>.txt.
// Regenerate with CLIPSCOPE_UPDATE_GOLDENS=1 swift test --filter ExplorerTests (then review the diff).
import Foundation
import Testing
import TUI
import Explorer
import TestSupport
import ExplorerTestSupport

enum Screens {
    static let dir = Fixtures.root.appendingPathComponent("screens", isDirectory: true)

    static func loop(width: Int = 80, height: Int = 24, options: ExplorerOptions = ExplorerOptions())
        -> (EventLoop, VirtualTerminal, RecordingSystemActions) {
        let term = VirtualTerminal(width: width, height: height)
        let system = RecordingSystemActions()
        let loop = EventLoop(terminal: term, backend: FakeBackend(), options: options, system: system, execution: .inline,
                             clock: SteppingClock().now)
        return (loop, term, system)
    }

    static func keys(_ text: String) -> [Event] { text.map { .key(.char($0)) } }

    /// Compares the flushed screen with the golden file (or writes it when regenerating).
    static func expectGolden(_ term: VirtualTerminal, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = dir.appendingPathComponent(name + ".txt")
        let actual = term.text + "\n"
        if ProcessInfo.processInfo.environment["CLIPSCOPE_UPDATE_GOLDENS"] == "1" {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("missing golden \(url.path); run with CLIPSCOPE_UPDATE_GOLDENS=1", sourceLocation: sourceLocation)
            return
        }
        if expected != actual {
            let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
            var diff = ""
            for i in 0..<max(e.count, a.count) {
                let el = i < e.count ? String(e[i]) : "<none>", al = i < a.count ? String(a[i]) : "<none>"
                if el != al { diff += "line \(i + 1):\n  expected: \(el)\n  actual:   \(al)\n" }
            }
            Issue.record("screen \(name) differs from its golden:\n\(diff)", sourceLocation: sourceLocation)
        }
    }
}

/// A clock that advances 0.25 ms per reading, so latencies on golden screens are stable.
final class SteppingClock: @unchecked Sendable {
    private var t: UInt64 = 0
    func now() -> UInt64 { t += 250_000; return t }
}
