// `clipscope search`: arrives with its issue.
import ArgumentParser

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Rank a folder's images for a text or image query.")
    @OptionGroup var modelOptions: ModelOptions

    func run() throws { throw CLIError.failure("`clipscope search` is not built yet") }
}
