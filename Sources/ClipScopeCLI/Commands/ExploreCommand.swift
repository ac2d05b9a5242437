// `clipscope explore [FOLDER]`: the ncursesw explorer (default subcommand).
// The model (resolved like every subcommand: --model, $CLIPSCOPE_MODEL, jina-clip-v2 found
// locally, the bundled demo) is loaded before the screen starts, so load errors print plainly.
// The terminal is restored by CursesTerminal.shutdown() on every path (defer).
import CLISupport
import ArgumentParser
import CursesTerminal
import Explorer
import Foundation

struct ExploreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explore",
        abstract: "Open the explorer on an image folder (the default subcommand).",
        discussion: "Keys: press ? inside the explorer (the same table is in docs/explorer.md).")

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var folderOptions: FolderOptions
    @Argument(help: "Image folder to explore.") var folder: String = "."
    @Flag(name: .long, help: "Do not enable mouse reporting.") var noMouse = false
    @Flag(name: .long, help: "Show metadata only, no image previews.") var noImages = false
    @Flag(name: .long, help: "Print the chosen paths on exit (fzf-style): marked ones, else the selected one.") var print = false
    @Option(name: .long, help: ArgumentHelp("Append keystroke-to-results timings to FILE.", visibility: .hidden))
    var trace: String?

    func run() throws {
        // --print draws on /dev/tty so stdout can be captured: `sel=$(clipscope --print DIR)`.
        guard print || (isatty(0) == 1 && isatty(1) == 1) else {
            throw CLIError.usage("the explorer needs an interactive terminal (stdin and stdout must be a TTY); "
                + "for scripts use `clipscope search FOLDER --text T`, or `--print` to pick paths")
        }
        let backend = try makeBackend()
        let modelBackend = backend as? ExplorerModelBackend
        let paths: [String]
        do {
            paths = try runExplorer(backend: backend)
        } catch {
            modelBackend?.finish()
            // Stopped by a signal: the terminal is restored and the cache saved; end by that signal.
            for w in modelBackend?.warnings ?? [] { printError("clipscope: \(w)") }
            try? flushOutput()
            SignalFlag.reraise()
            throw error
        }
        modelBackend?.finish()
        for w in modelBackend?.warnings ?? [] { printError("clipscope: \(w)") }
        for p in paths { try emit(p) }
    }

    /// The backend for this run: the resolved model over FOLDER.
    func makeBackend() throws -> ExplorerBackend {
        let model = try ModelBackend.load(modelOptions)
        folderOptions.configure(model)
        return try ExplorerModelBackend(backend: model, folder: folder, cacheRoot: folderOptions.cacheRoot, followLinks: folderOptions.followLinks)
    }

    /// Runs the UI until quit; returns the paths to print (only with --print and a normal quit).
    func runExplorer(backend: ExplorerBackend) throws -> [String] {
        let env = ProcessInfo.processInfo.environment
        SignalFlag.install()
        let terminal: CursesTerminal
        do {
            terminal = try CursesTerminal(options: CursesTerminal.Options(mouse: !noMouse, ttyPath: print ? "/dev/tty" : nil))
        } catch let e as CursesTerminalError {
            throw CLIError.usage(e.description)
        }
        defer { terminal.shutdown() }
        SignalFlag.wakeFD = terminal.wakeDescriptor
        let showImages = !noImages && terminal.supportsImages && (env["NO_COLOR"] ?? "").isEmpty
        let options = ExplorerOptions(showImages: showImages, mouse: !noMouse, printMode: print)
        let tracePath = trace ?? env["CLIPSCOPE_TRACE"]
        let loop = EventLoop(terminal: terminal, backend: backend, options: options, system: HostSystemActions(terminal: terminal),
                             execution: .threaded, trace: tracePath.flatMap { TraceLog(path: $0) })
        loop.shouldStop = { SignalFlag.isRaised }
        let mode = loop.run()
        terminal.shutdown()
        if SignalFlag.isRaised {
            throw CLIError(description: "stopped by signal \(SignalFlag.number)", exitStatus: 128 + SignalFlag.number)
        }
        if print && mode == .abort { throw CLIError(description: "cancelled (nothing printed)", exitStatus: 130) }
        return print ? loop.chosenPaths : []
    }
}
