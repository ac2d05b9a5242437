// `clipscope serve`'s options: out-of-range values are usage errors (exit 2) before any model loads, and a
// non-loopback --host is announced with a warning. Jina's request example answered by the server equals
// `clipscope embed`'s lines for the same text and picture (tiny fixture model, tolerance 1e-6). The rest
// of the server is tested in ClipScopeServeTests.
import Testing
@testable import ClipScopeCLI
import CLISupport
import ClipScopeKit
import ClipScopeServe
import Foundation
import TestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite struct ServeCommandTests {
    @Test func outOfRangeOptionsAreUsageErrors() {
        for args in [["--port", "70000"], ["--port", "-1"], ["--max-batch", "0"], ["--max-request-bytes", "10"],
                     ["--host", ""], ["--threads", "0"], ["--max-decodes", "0"], ["--max-decodes", "257"]] {
            #expect(ClipScopeMain.runReturningStatus(["serve"] + args) == 2, "\(args)")
        }
    }

    @Test func optionsBecomeTheServerConfiguration() throws {
        let command = try ServeCommand.parse(["--host", "0.0.0.0", "--port", "9000", "--allow-urls", "--max-batch", "8",
                                              "--max-request-bytes", "2048", "--max-decodes", "3"])
        let c = command.serveConfiguration(modelName: "demo")
        #expect(c.host == "0.0.0.0" && c.port == 9000 && c.allowURLs && c.maxBatch == 8 && c.maxRequestBytes == 2048)
        #expect(c.maxConcurrentDecodes == 3)
        #expect(c.modelName == "demo")
        let defaults = try ServeCommand.parse([]).serveConfiguration(modelName: "demo")
        #expect(defaults.host == "127.0.0.1" && defaults.port == 8080 && !defaults.allowURLs)
        #expect(defaults.maxConcurrentDecodes == ProcessInfo.processInfo.activeProcessorCount)
    }

    @Test func onlyANonLoopbackHostGetsAWarning() throws {
        for host in ["127.0.0.1", "127.0.0.2", "localhost", "::1"] {
            #expect(ServeCommand.exposureWarning(try ServeCommand.parse(["--host", host]).serveConfiguration(modelName: "m")) == nil)
        }
        let open = try ServeCommand.parse(["--host", "0.0.0.0", "--allow-urls"]).serveConfiguration(modelName: "m")
        let warning = try #require(ServeCommand.exposureWarning(open))
        #expect(warning.contains("warning") && warning.contains("0.0.0.0") && warning.contains("--allow-urls"))
    }

    @Test func jinaRequestExampleEqualsClipscopeEmbed() async throws {
        let text = "Bridge close-shot"
        let png = Fixtures.tiny("image_0_landscape_97x71.png")
        var config = ServeConfiguration()
        config.port = 0
        config.log = { _ in }
        let server = EmbeddingServer(encoder: try await CLIPEncoder.load(directory: Fixtures.tiny, threads: 1), configuration: config)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let task = Task { defer { continuation.finish() }; try await server.run { continuation.yield($0) } }
        var it = ports.makeAsyncIterator()
        let first = await it.next()
        let port = try #require(first)
        func post(_ body: [String: Any]) async throws -> [[Float]] {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/embeddings")!)
            request.httpMethod = "POST"
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            let (data, _) = try await URLSession.shared.data(for: request)
            let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            return (json["data"] as? [[String: Any]] ?? []).map { ($0["embedding"] as? [NSNumber] ?? []).map(\.floatValue) }
        }
        func embed(_ args: [String]) throws -> [[Float]] {
            let (status, stdout) = CommandOutput.run(["embed", "--model", Fixtures.tiny.path, "--threads", "1"] + args)
            #expect(status == 0)
            return stdout.split(separator: "\n").compactMap {
                ((try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any])?["embedding"] as? [NSNumber]
            }.map { $0.map(\.floatValue) }
        }
        let image = try Data(contentsOf: png).base64EncodedString()
        let served = try await post(["model": "jina-clip-v2", "encoding_type": "float", "dimensions": "32",
                                     "input": [["text": text], ["image": image]]])
        let cli = try embed(["--text", text, "--image", png.path, "--dims", "32"])
        let query = try await post(["model": "jina-clip-v2", "task": "retrieval.query", "dimensions": 16, "input": [text]])
        let cliQuery = try embed(["--text", text, "--dims", "16", "--query"])
        await server.shutdown()
        try await task.value
        try #require(served.count == 2 && cli.count == 2 && query.count == 1 && cliQuery.count == 1)
        #expect(served[0].count == 32 && maxAbsDiff(served[0], cli[0]) <= 1e-6)
        #expect(served[1].count == 32 && maxAbsDiff(served[1], cli[1]) <= 1e-6)
        #expect(query[0].count == 16 && maxAbsDiff(query[0], cliQuery[0]) <= 1e-6)
    }
}
