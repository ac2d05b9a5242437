// `clipscope explore [FOLDER]`: the ncursesw explorer (default subcommand).
import ArgumentParser
import Foundation

struct ExploreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explore",
        abstract: "Open the explorer on an image folder (the default subcommand).")

    @OptionGroup var modelOptions: ModelOptions
    @Argument(help: "Image folder to explore.") var folder: String = "."
    @Flag(name: .long, help: "Do not enable mouse reporting.") var noMouse = false
    @Flag(name: .long, help: "Show metadata only, no image previews.") var noImages = false
    @Flag(name: .long, help: "Print the chosen paths on exit (fzf-style).") var print = false

    func run() throws {
        guard isatty(0) == 1, isatty(1) == 1 else {
            throw CLIError.usage("the explorer needs an interactive terminal (stdin and stdout must be a TTY); "
                + "for scripts use `clipscope search FOLDER --text T`")
        }
        throw CLIError.failure("the explorer is not built yet")
    }
}
