// `clipscope model list|info|verify|download`: arrives with the model-hub issue.
import ArgumentParser

struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "List, inspect, verify and download models.")
    func run() throws { throw CLIError.failure("`clipscope model` is not built yet") }
}
