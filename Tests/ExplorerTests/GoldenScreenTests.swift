import Foundation
import Testing
import TUI
import Explorer
import TestSupport

@Suite struct GoldenScreenTests {
    @Test func startupOnTheFakeFolder() throws {
        let (loop, term, _) = Screens.loop()
        loop.renderIfNeeded()
        print(term.text)
        try Screens.expectGolden(term, "startup-80x24")
    }
}
