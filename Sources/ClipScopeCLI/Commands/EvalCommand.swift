// `clipscope eval`: arrives with its issue.
import ArgumentParser

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "Recall@K on a Karpathy-style dataset.")
    @OptionGroup var modelOptions: ModelOptions

    func run() throws { throw CLIError.failure("`clipscope eval` is not built yet") }
}
