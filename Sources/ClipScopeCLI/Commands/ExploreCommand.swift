// `clipscope explore [FOLDER]`: the ncursesw explorer (default subcommand).
// The model (resolved like every subcommand: --model, $CLIPSCOPE_MODEL, jina-clip-v2 found
// locally, the bundled demo) is loaded before the screen starts, so load errors print plainly.
// `--encoder jina-api` opens the folder's Jina API vectors (filled by `index --encoder jina-api`) and
// sends typed queries to the API (or to the local model with `--query-encoder local`); it uploads no
// image: files missing from that cache are shown failed, with the command that fills it.
// The terminal is restored by CursesTerminal.shutdown() on every path (defer).
import CLISupport
import ArgumentParser
import CursesTerminal
import Explorer
import FileIO
import Foundation
import TermGraphics

struct ExploreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explore",
        abstract: "Open the explorer on an image folder (the default subcommand).",
        discussion: "Keys: press ? inside the explorer (the same table is in docs/explorer.md).")

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var folderOptions: FolderOptions
    @OptionGroup var encoderOptions: EncoderOptions
    @Argument(help: "Image folder to explore.") var folder: String = "."
    @Flag(name: .long, help: "Do not enable mouse reporting.") var noMouse = false
    @Option(name: .long, help: ArgumentHelp("How previews are drawn: \(PreviewMode.names) (default: $CLIPSCOPE_PREVIEW, else auto).",
                                            valueName: "mode"))
    var preview: String?
    @Flag(name: .long, help: "Show metadata only, no image previews (= --preview none).") var noImages = false
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

    /// The backend for this run: the resolved model over FOLDER, or the folder's Jina API vectors
    /// (`--encoder jina-api`: queries only go out; no image is uploaded).
    func makeBackend() throws -> ExplorerBackend {
        // Start-up progress on stderr (a terminal) before the screen starts: one line, rewritten.
        let progress: ((String) -> Void)? = isatty(2) == 1 ? { printErrorRaw("\r" + String($0.prefix(150)) + "\u{1B}[K") } : nil
        defer { if progress != nil { printErrorRaw("\n") } }
        if encoderOptions.encoder == "jina-api" {
            let api = try encoderOptions.makeQueryBackend(modelOptions)
            let name = TerminalSafe.name(folder)
            return try ExplorerModelBackend(backend: api, folder: folder, cacheRoot: folderOptions.cacheRoot, followLinks: folderOptions.followLinks,
                                            embedsImages: false,
                                            missingReason: "not in the Jina API cache (the explorer uploads no image): "
                                                + "run `clipscope index \(name) --encoder jina-api`", progress: progress)
        }
        let model = try ClipScopeCLI.makeBackend(modelOptions)
        folderOptions.configure(model)
        return try ExplorerModelBackend(backend: model, folder: folder, cacheRoot: folderOptions.cacheRoot, followLinks: folderOptions.followLinks,
                                        progress: progress)
    }

    /// Runs the UI until quit; returns the paths to print (only with --print and a normal quit).
    func runExplorer(backend: ExplorerBackend) throws -> [String] {
        let env = ProcessInfo.processInfo.environment
        let graphics = try chooseGraphics(env: env)
        SignalFlag.install()
        let terminal: CursesTerminal
        do {
            terminal = try CursesTerminal(options: CursesTerminal.Options(mouse: !noMouse, ttyPath: print ? "/dev/tty" : nil))
        } catch let e as CursesTerminalError {
            throw CLIError.usage(e.description)
        }
        defer { terminal.shutdown() }
        SignalFlag.wakeFD = terminal.wakeDescriptor
        var mode = graphics.choice.mode
        // Cell art needs 256 colours; pixel protocols do not use ncurses colours at all.
        if mode.isCells && !terminal.supportsImages { mode = .none }
        let options = ExplorerOptions(preview: mode, cellPixels: graphics.cell, tmuxPassthrough: graphics.choice.tmuxPassthrough,
                                      mouse: !noMouse, printMode: print)
        let tracePath = trace ?? env["CLIPSCOPE_TRACE"]
        let traceLog = tracePath.flatMap { TraceLog(path: $0) }
        if let b = backend as? ExplorerModelBackend {
            for p in b.startupPhases { traceLog?.log("startup phase=\(p.name) ms=\(p.ms) rss_mib=\(p.rssMiB)") }
        }
        traceLog?.log("preview mode=\(mode.rawValue) reason=\(graphics.choice.reason) cell=\(graphics.cell.width)x\(graphics.cell.height)")
        let loop = EventLoop(terminal: terminal, backend: backend, options: options, system: HostSystemActions(terminal: terminal),
                             execution: .threaded, trace: traceLog)
        if mode.isPixel {
            loop.graphics = EscapeGraphicsOutput(mode: mode, tmuxPassthrough: graphics.choice.tmuxPassthrough) { [weak terminal] in
                terminal?.writeRaw($0)
            }
        }
        loop.shouldStop = { SignalFlag.isRaised }
        let quit = loop.run()
        terminal.shutdown()
        if SignalFlag.isRaised {
            throw CLIError(description: "stopped by signal \(SignalFlag.number)", exitStatus: 128 + SignalFlag.number)
        }
        if print && quit == .abort { throw CLIError(description: "cancelled (nothing printed)", exitStatus: 130) }
        return print ? loop.chosenPaths : []
    }

    /// The preview mode and cell size, decided before ncurses starts (probing only what the
    /// environment leaves open; explicit modes are never probed for support).
    func chooseGraphics(env: [String: String]) throws -> (choice: GraphicsChoice, cell: CellPixels) {
        let requested: PreviewMode
        if noImages {
            requested = .none
        } else {
            switch GraphicsDetection.requested(flag: preview, env: env) {
            case .success(let m): requested = m
            case .failure(let e): throw CLIError.usage(e.description)
            }
        }
        var answers = TerminalAnswers()
        let fd = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC)
        var cell: CellPixels?
        if fd >= 0 {
            if let w = TerminalProbe.windowSize(fd: fd) {
                cell = GraphicsDetection.cellSize(xpixel: w.xpixel, ypixel: w.ypixel, cols: w.cols, rows: w.rows)
            }
            close(fd)
        }
        let wantCell = cell == nil && requested != .none && requested != .halfblocks
        let wantAttributes = requested == .auto && GraphicsDetection.needsProbe(env: env) && (env["NO_COLOR"] ?? "").isEmpty
        if wantCell || wantAttributes {
            // DA1 last: its reply ends the wait (see TerminalProbe).
            let reply = TerminalProbe.ask((wantCell ? "\u{1B}[16t" : "") + "\u{1B}[c", timeoutMs: 100) {
                GraphicsDetection.parseDeviceAttributes($0) != nil
            }
            answers.deviceAttributes = GraphicsDetection.parseDeviceAttributes(reply)
            answers.cellPixels = GraphicsDetection.parseCellSize(reply)
        }
        if requested == .auto, let t = env["TMUX"], !t.isEmpty { answers.tmuxPassthrough = Self.tmuxAllowsPassthrough() }
        let choice = GraphicsDetection.choose(requested: requested, env: env, answers: answers)
        return (choice, cell ?? answers.cellPixels ?? .fallback)
    }

    /// `tmux show -gv allow-passthrough` is on (or all).
    static func tmuxAllowsPassthrough() -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["tmux", "show", "-gv", "allow-passthrough"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { return false }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let v = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return p.terminationStatus == 0 && (v == "on" || v == "all")
    }
}
