// The explorer's host actions: with no clipboard tool on the search path, a copy goes through the
// terminal (OSC 52 via Terminal.setClipboard), never straight to stdout.
import Testing
import TUI
@testable import ClipScopeCLI
import CLISupport

@Suite struct HostSystemActionsTests {
    @Test func copyWithoutToolsUsesTheTerminalClipboard() {
        let term = VirtualTerminal(width: 20, height: 5)
        let actions = HostSystemActions(terminal: term, searchPath: "/nonexistent-dir")
        #expect(actions.copy("/photos/a b.jpg") == "copied path (OSC 52)")
        #expect(term.clipboard == ["/photos/a b.jpg"])
        #if os(Linux)
        #expect(actions.open(path: "/photos/a.jpg") == "no xdg-open on PATH; path: /photos/a.jpg")
        #endif
    }
}
