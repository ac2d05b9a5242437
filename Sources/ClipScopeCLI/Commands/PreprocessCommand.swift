// `clipscope preprocess`: arrives with its issue.
import ArgumentParser

struct PreprocessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "preprocess", abstract: "Write an image's pixel_values as .npy.")
    @OptionGroup var modelOptions: ModelOptions

    func run() throws { throw CLIError.failure("`clipscope preprocess` is not built yet") }
}
