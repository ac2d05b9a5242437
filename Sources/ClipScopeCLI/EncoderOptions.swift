// `--encoder local|jina-api [--query-encoder api|local]`, shared by search and compare: which vectors a
// query runs on. `jina-api` reads the folder's vectors from the `jina-api:jina-clip-v2` cache store
// (filled by `index --encoder jina-api`) and sends only the query text to the API (`task:
// retrieval.query`); `--query-encoder local` embeds the text with the local model (`--model`) and
// sends nothing. A query never uploads images: files missing from the API cache end the run with
// their count and the `index` command that fills it.
import CLISupport
import FileIO
import ArgumentParser
import Foundation
import ModelHub
import VectorIndex

struct EncoderOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Vectors to search: local (the model) or jina-api (the cache filled by `index --encoder jina-api`).", valueName: "local|jina-api"))
    var encoder = "local"

    @Option(name: .customLong("query-encoder"), help: ArgumentHelp("With --encoder jina-api: embed the query text through the API (JINA_API_KEY) or with the local --model.", valueName: "api|local"))
    var queryEncoder = "api"

    func validate() throws {
        guard ["local", "jina-api"].contains(encoder) else { throw ValidationError("--encoder must be local or jina-api") }
        guard ["api", "local"].contains(queryEncoder) else { throw ValidationError("--query-encoder must be api or local") }
        if queryEncoder == "local" && encoder != "jina-api" { throw ValidationError("--query-encoder local needs --encoder jina-api") }
    }

    /// The backend a query runs on.
    func makeQueryBackend(_ modelOptions: ModelOptions) throws -> any SearchBackend {
        guard encoder == "jina-api" else { return try makeBackend(modelOptions) }
        var config: JinaAPIConfig
        if queryEncoder == "local" {
            // No request is made: a key is not needed.
            guard let fallback = URL(string: JinaAPIConfig.defaultBase) else { throw CLIError.failure("bad default Jina API base") }
            config = (try? JinaAPIConfig.fromEnvironment()) ?? JinaAPIConfig(base: fallback, key: "")
        } else {
            do { config = try JinaAPIConfig.fromEnvironment() } catch { throw CLIError.usage("\(error)") }
        }
        config.maxAttempts = 3
        let api = JinaAPIBackend(client: JinaEmbeddingsClient(config: config, note: { [output = CommandOutput.current] line in
            CommandOutput.$current.withValue(output) { printError("clipscope: \(line)") }
        }))
        api.uploads = false
        if queryEncoder == "local" {
            api.localText = try makeBackend(modelOptions)
            printError("note: the query is embedded by the local model and the images by the Jina API; "
                       + "local and API vectors agree only to the API's numeric precision")
        }
        return api
    }

    /// Called before any image would be embedded: a query on API vectors embeds none.
    func beforeEmbedding(folder: String) -> ((Int) throws -> Void)? {
        guard encoder == "jina-api" else { return nil }
        return { n in
            throw CLIError.failure("\(n) image(s) in \(TerminalSafe.name(folder)) are not in the Jina API cache; a search uploads no images: "
                                   + "run `clipscope index \(TerminalSafe.name(folder)) --encoder jina-api` first")
        }
    }
}
