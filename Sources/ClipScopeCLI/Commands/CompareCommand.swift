// `clipscope compare`: arrives with its issue.
import ArgumentParser

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compare", abstract: "Compare rankings at two dimensions.")
    @OptionGroup var modelOptions: ModelOptions

    func run() throws { throw CLIError.failure("`clipscope compare` is not built yet") }
}
