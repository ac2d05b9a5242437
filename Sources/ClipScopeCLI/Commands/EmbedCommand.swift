// `clipscope embed`: arrives with its issue.
import ArgumentParser

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "embed", abstract: "Embed texts and images; one JSON line per input.")
    @OptionGroup var modelOptions: ModelOptions

    func run() throws { throw CLIError.failure("`clipscope embed` is not built yet") }
}
