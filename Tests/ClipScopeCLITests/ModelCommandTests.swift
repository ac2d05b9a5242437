// `clipscope model …` exit statuses: info/verify on fixture folders, bad arguments are usage errors,
// verification failures exit 1. (Downloads are tested against the loopback hub in ModelHubTests.)
import Foundation
import Testing
import TestSupport
import ClipScopeCLI
import CLISupport

@Suite struct ModelCommandTests {
    @Test func infoOnTheTinyFixtureSucceeds() {
        #expect(ClipScopeMain.runReturningStatus(["model", "info", Fixtures.tiny.path]) == 0)
        #expect(ClipScopeMain.runReturningStatus(["model", "info", Fixtures.tiny.path, "--json"]) == 0)
    }

    @Test func missingModelIsAFailure() {
        #expect(ClipScopeMain.runReturningStatus(["model", "info", "/nonexistent/model-dir"]) == 1)
        #expect(ClipScopeMain.runReturningStatus(["model", "verify", "/nonexistent/model-dir"]) == 1)
    }

    @Test func verifyExitsOneOnAMismatch() throws {
        let dir = try Fixtures.tempDirectory("cli-verify")
        defer { try? FileManager.default.removeItem(at: dir) }
        for f in ["config.json", "model.safetensors", "tokenizer.json"] {
            try FileManager.default.copyItem(at: Fixtures.tiny(f), to: dir.appendingPathComponent(f))
        }
        let sizes = try ["config.json", "model.safetensors", "tokenizer.json"].map {
            (try FileManager.default.attributesOfItem(atPath: Fixtures.tiny($0).path)[.size] as? NSNumber)?.intValue ?? 0
        }
        let record = """
        {"repo": "jinaai/jina-clip-v2", "revision": "main", "commit": null, "files": {
          "config.json": {"sha256": "9a81b88a9de78c6c67d2d381e55d1cc292e9368d728a641ad5e107028bc05ab6", "size": \(sizes[0])},
          "model.safetensors": {"sha256": "b88ff97148aff89d57371387044623cea5dcbb76412bf4425995c9642cc58074", "size": \(sizes[1])},
          "tokenizer.json": {"sha256": "b2dc2299bbc4b31c331bfc44af0376ba0835cafd094a47958f3ff628993cd3c7", "size": \(sizes[2])}}}
        """
        try record.write(to: dir.appendingPathComponent("clipscope-checksums.json"), atomically: true, encoding: .utf8)
        #expect(ClipScopeMain.runReturningStatus(["model", "verify", dir.path]) == 0)
        #expect(ClipScopeMain.runReturningStatus(["model", "verify", dir.path, "--json"]) == 0)

        var weights = try Data(contentsOf: dir.appendingPathComponent("model.safetensors"))
        weights[weights.count - 1] ^= 0x55
        try weights.write(to: dir.appendingPathComponent("model.safetensors"))
        #expect(ClipScopeMain.runReturningStatus(["model", "verify", dir.path]) == 1)
        #expect(ClipScopeMain.runReturningStatus(["model", "verify", dir.path, "--json"]) == 1)
    }

    @Test func badDownloadArgumentsAreUsageErrors() {
        #expect(ClipScopeMain.runReturningStatus(["model", "download", "not a repo"]) == 2)
        #expect(ClipScopeMain.runReturningStatus(["model", "download", "a/b@v1", "--revision", "v2"]) == 2)
        #expect(ClipScopeMain.runReturningStatus(["model", "download", "a/b", "--revision", "../x"]) == 2)
        #expect(ClipScopeMain.runReturningStatus(["model", "download", "a/b", "--timeout", "0"]) == 2)
        #expect(ClipScopeMain.runReturningStatus(["model", "download", "a/b", "--retries", "0"]) == 2)
        #expect(ClipScopeMain.runReturningStatus(["model", "nosuch"]) == 2)
    }
}
