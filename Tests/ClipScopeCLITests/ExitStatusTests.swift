// The shared CLI conventions: --version works, usage errors exit 2, the explorer refuses a non-TTY.
import Foundation
import Testing
import ClipScopeCLI
import CLISupport

@Suite struct ExitStatusTests {
    @Test func versionExitsZero() {
        #expect(ClipScopeMain.runReturningStatus(["--version"]) == 0)
    }

    @Test func unknownOptionIsAUsageError() {
        #expect(ClipScopeMain.runReturningStatus(["embed", "--no-such-option"]) == 2)
    }

    @Test func explorerWithoutTTYIsAClearUsageError() {
        // swift test runs with stdout piped, so the explorer must refuse rather than draw.
        if isatty(0) == 1 && isatty(1) == 1 { return }
        #expect(ClipScopeMain.runReturningStatus(["explore", "/tmp"]) == 2)
    }
}
