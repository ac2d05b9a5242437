// `clipscope serve`'s options: out-of-range values are usage errors (exit 2) before any model loads, and a
// non-loopback --host is announced with a warning. The server itself is tested in ClipScopeServeTests.
import Testing
@testable import ClipScopeCLI
import ClipScopeServe

@Suite struct ServeCommandTests {
    @Test func outOfRangeOptionsAreUsageErrors() {
        for args in [["--port", "70000"], ["--port", "-1"], ["--max-batch", "0"], ["--max-request-bytes", "10"],
                     ["--host", ""], ["--threads", "0"]] {
            #expect(ClipScopeMain.runReturningStatus(["serve"] + args) == 2, "\(args)")
        }
    }

    @Test func optionsBecomeTheServerConfiguration() throws {
        let command = try ServeCommand.parse(["--host", "0.0.0.0", "--port", "9000", "--allow-urls", "--max-batch", "8",
                                              "--max-request-bytes", "2048"])
        let c = command.serveConfiguration(modelName: "demo")
        #expect(c.host == "0.0.0.0" && c.port == 9000 && c.allowURLs && c.maxBatch == 8 && c.maxRequestBytes == 2048)
        #expect(c.modelName == "demo")
        let defaults = try ServeCommand.parse([]).serveConfiguration(modelName: "demo")
        #expect(defaults.host == "127.0.0.1" && defaults.port == 8080 && !defaults.allowURLs)
    }

    @Test func onlyANonLoopbackHostGetsAWarning() throws {
        for host in ["127.0.0.1", "127.0.0.2", "localhost", "::1"] {
            #expect(ServeCommand.exposureWarning(try ServeCommand.parse(["--host", host]).serveConfiguration(modelName: "m")) == nil)
        }
        let open = try ServeCommand.parse(["--host", "0.0.0.0", "--allow-urls"]).serveConfiguration(modelName: "m")
        let warning = try #require(ServeCommand.exposureWarning(open))
        #expect(warning.contains("warning") && warning.contains("0.0.0.0") && warning.contains("--allow-urls"))
    }
}
