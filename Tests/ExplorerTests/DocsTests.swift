// The README/docs key list is generated from KeyMap (the table that dispatches keys), and this
// test keeps docs/explorer-keys.md in sync (CLIPSCOPE_UPDATE_GOLDENS=1 rewrites it).
import Foundation
import Testing
import Explorer
import TestSupport

@Suite struct DocsTests {
    @Test func keyListInDocsMatchesTheKeyTable() throws {
        let url = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/explorer-keys.md")
        let text = "<!-- generated from Sources/Explorer/KeyMap.swift by DocsTests; do not edit -->\n# Explorer keys\n"
            + KeyMap.markdown()
        if ProcessInfo.processInfo.environment["CLIPSCOPE_UPDATE_GOLDENS"] == "1" {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let committed = try String(contentsOf: url, encoding: .utf8)
        #expect(committed == text, "docs/explorer-keys.md is stale: run CLIPSCOPE_UPDATE_GOLDENS=1 swift test --filter DocsTests")
    }

    /// README.md carries the same list between `<!-- keys:begin -->` and `<!-- keys:end -->`.
    @Test func keyListInTheReadmeMatchesTheKeyTable() throws {
        let url = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md")
        let readme = try String(contentsOf: url, encoding: .utf8)
        guard let b = readme.range(of: "<!-- keys:begin -->"), let e = readme.range(of: "<!-- keys:end -->"), b.upperBound <= e.lowerBound else {
            Issue.record("README.md has no <!-- keys:begin --> … <!-- keys:end --> block")
            return
        }
        let block = readme[b.upperBound..<e.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(block == KeyMap.markdown().trimmingCharacters(in: .whitespacesAndNewlines),
                "README.md key list is stale: copy docs/explorer-keys.md (after the title) into the keys block")
    }
}
