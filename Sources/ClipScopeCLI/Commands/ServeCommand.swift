// `clipscope serve`: loads the model (--model, as every command) and runs ClipScopeServe's /v1/embeddings
// endpoint until SIGINT/SIGTERM. Loopback only unless --host says otherwise (then a warning: anyone who can
// reach the address can use the encoder, and with --allow-urls make it fetch URLs).
import ArgumentParser
import CLISupport
import ClipScopeKit
import ClipScopeServe
import Dispatch
import FileIO
import Foundation

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve POST /v1/embeddings (the Jina Embeddings API's shape) and GET /healthz over HTTP.",
        discussion: """
        Requests: {"model": any (echoed), "input": "text" | ["text", {"text": T}, {"image": BASE64 or data URI}, \
        {"url": URL}], "dimensions": 1…width (number or string), "normalized": true, "task": "retrieval.query" \
        (texts get the query instruction), "encoding_type": "float" | "base64"}. Concurrent requests are \
        embedded together in batches of at most --max-batch inputs; one log line per batch on stderr; at \
        most --max-decodes images are decoded at once. \
        URL inputs are fetched only with --allow-urls (http and https; file URLs never). Listens on \
        127.0.0.1 unless --host names another address.
        """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: ArgumentHelp("Address to listen on (a non-loopback one is reachable from other machines).", valueName: "ADDR"))
    var host = "127.0.0.1"

    @Option(help: ArgumentHelp("Port to listen on (0: any free port).", valueName: "N"))
    var port = 8080

    @Flag(name: .customLong("allow-urls"), help: "Fetch {\"url\"} inputs over http(s) (never file URLs).")
    var allowURLs = false

    @Option(name: .customLong("max-batch"), help: ArgumentHelp("Most inputs per encoder batch.", valueName: "N"))
    var maxBatch = 32

    @Option(name: .customLong("max-request-bytes"), help: ArgumentHelp("Largest request body (and fetched image) accepted; larger gets 413.", valueName: "B"))
    var maxRequestBytes = 32 << 20

    @Option(name: .customLong("max-decodes"), help: ArgumentHelp("Most images decoded at once across all requests (default: the core count).", valueName: "N"))
    var maxDecodes: Int?

    @Option(help: ArgumentHelp("Compute threads (default: all cores).", valueName: "N"))
    var threads: Int?

    func validate() throws {
        try NumericOptions.check(port, "port", 0...65535)
        try NumericOptions.check(maxBatch, "max-batch", 1...4096)
        try NumericOptions.check(maxRequestBytes, "max-request-bytes", 1024...(1 << 31))
        try NumericOptions.check(maxDecodes, "max-decodes", 1...256)
        try NumericOptions.threads(threads)
        if host.isEmpty { throw ValidationError("--host is empty: give an address such as 127.0.0.1") }
    }

    /// The configuration the options describe (model name: what answers carry when a request names none).
    func serveConfiguration(modelName: String) -> ServeConfiguration {
        var c = ServeConfiguration()
        c.host = host
        c.port = port
        c.modelName = modelName
        c.allowURLs = allowURLs
        c.maxBatch = maxBatch
        c.maxRequestBytes = maxRequestBytes
        if let maxDecodes { c.maxConcurrentDecodes = maxDecodes }
        // Log lines can quote request content: through the CLI's one stderr writer, escaped.
        let output = CommandOutput.current
        c.log = { line in output.writeError(TerminalSafe.line("clipscope serve: " + line) + "\n") }
        return c
    }

    /// The warning printed before listening on an address other machines can reach; nil for loopback.
    static func exposureWarning(_ c: ServeConfiguration) -> String? {
        guard !c.isLoopback else { return nil }
        return "clipscope: warning: listening on \(c.host): any machine that reaches this address can use the encoder"
            + (c.allowURLs ? " and make it fetch URLs (--allow-urls)" : "") + "; there is no authentication"
    }

    func run() throws {
        let resolved = try modelOptions.resolveModel()
        let encoder: CLIPEncoder
        do { encoder = try CLIPEncoder.load(directory: resolved.directory, threads: threads) } catch {
            throw CLIError.failure("\(error)")
        }
        let config = serveConfiguration(modelName: resolved.name)
        if let warning = Self.exposureWarning(config) { printError(warning) }
        guard #available(macOS 14, iOS 17, tvOS 17, *) else {
            throw CLIError.failure("clipscope serve needs macOS 14 or later")
        }
        let server = EmbeddingServer(encoder: encoder, configuration: config)
        let outcome = ServeOutcome()
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                try await server.run(handleSignals: true) { port in
                    config.log("listening on http://\(config.host.contains(":") ? "[\(config.host)]" : config.host):\(port) (model \(resolved.name), width \(encoder.embeddingWidth), max batch \(config.maxBatch))")
                }
            } catch {
                outcome.set(error)
            }
            done.signal()
        }
        done.wait()
        if let error = outcome.error { throw CLIError.failure("serve: \(error)") }
    }
}

/// The server task's error, handed back to the blocked command.
private final class ServeOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Error?
    var error: Error? { lock.lock(); defer { lock.unlock() }; return stored }
    func set(_ e: Error) { lock.lock(); stored = e; lock.unlock() }
}
