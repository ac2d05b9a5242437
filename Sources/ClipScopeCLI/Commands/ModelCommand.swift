// `clipscope model list|info|verify|download`: local models, what they hold, whether their bytes are
// intact, and getting the real jina-clip-v2 from the hub (resumable, verified, HF-cache compatible).
import CLISupport
import ArgumentParser
import Foundation
import ModelHub

struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "List, inspect, verify and download models.",
        subcommands: [ModelListCommand.self, ModelInfoCommand.self, ModelVerifyCommand.self, ModelDownloadCommand.self])
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    try emit(String(decoding: data, as: UTF8.self))
}

struct ModelListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Show the models available locally (HF cache, ClipScope models dir, demo).")
    @Flag(name: .long, help: "Print JSON instead of a table.") var json = false

    func run() throws {
        let entries = ModelCatalog.list()
        if json { try printJSON(entries); return }
        if entries.isEmpty {
            let env = HubEnvironment()
            try emit("No models found. Looked in:")
            for dir in env.hfCacheCandidates + [env.clipscopeModelsDirectory] { try emit("  \(dir.path)") }
            try emit("Get jina-clip-v2 with `clipscope model download jinaai/jina-clip-v2`.")
            return
        }
        var rows = [["NAME", "SOURCE", "REVISION", "SIZE", "PATH"]]
        for e in entries {
            let rev = (e.refs.isEmpty ? "" : e.refs.joined(separator: ",") + " ") + (e.commit.map { String($0.prefix(8)) } ?? "")
            let path = e.usable ? e.path : "\(e.path)  (incomplete: missing \(e.missing.joined(separator: ", ")))"
            rows.append([e.name, e.source.rawValue, rev.isEmpty ? "-" : rev, ProgressFormat.bytes(e.bytes), path])
        }
        try printTable(rows)
    }
}

struct ModelInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Architecture, dims, dtypes, parameter count and tokenizer of a model.")
    @Argument(help: ArgumentHelp("Model directory or name (default: the model --model would pick).", valueName: "DIR|REPO"))
    var model: String?
    @Flag(name: .long, help: "Print JSON.") var json = false

    struct Output: Encodable { var name: String; var source: String; var info: ModelInfo }

    func run() throws {
        do {
            let resolved = try ModelResolver.resolve(model)
            let info = try ModelInspector.inspect(resolved.directory)
            if json { try printJSON(Output(name: resolved.name, source: describe(resolved.source), info: info)); return }
            var rows: [[String]] = []
            rows.append(["model", "\(resolved.name) (\(describe(resolved.source)))"])
            rows.append(["directory", resolved.directory.path])
            rows.append(["architecture", (info.architectures.isEmpty ? "?" : info.architectures.joined(separator: ", "))
                         + (info.modelType.map { " (\($0))" } ?? "")])
            let dim = info.text.embedDim ?? info.vision.embedDim ?? info.projectionDim
            rows.append(["embedding", (dim.map { "\($0) dims" } ?? "?")
                         + (info.matryoshkaDims.isEmpty ? "" : "; Matryoshka " + info.matryoshkaDims.map(String.init).joined(separator: ", "))])
            let t = info.text
            rows.append(["text tower", [t.modelType, t.backbone.map { "backbone \($0)" }, t.layers.map { "\($0) layers" },
                                        t.hiddenSize.map { "width \($0)" }, t.heads.map { "\($0) heads" }]
                            .compactMap { $0 }.joined(separator: ", ")])
            let v = info.vision
            rows.append(["vision tower", [v.modelType, v.layers.map { "\($0) layers" }, v.width.map { "width \($0)" },
                                          v.patchSize.map { "patch \($0)" }, v.imageSize.map { "image \($0)×\($0)" }]
                            .compactMap { $0 }.joined(separator: ", ")])
            if let w = info.weights {
                let dtypes = w.dtypes.sorted { $0.value > $1.value }.map { "\($0.key) \(formatCount($0.value))" }.joined(separator: ", ")
                rows.append(["weights", "\(w.file) \(ProgressFormat.bytes(w.bytes)), \(w.tensors) tensors, "
                             + "\(formatCount(w.parameters)) parameters (\(dtypes))"
                             + (info.torchDtype.map { "; config torch_dtype \($0)" } ?? "")])
            }
            if let tok = info.tokenizer {
                rows.append(["tokenizer", "\(tok.model ?? "?"), vocabulary \(tok.vocabSize) (\(tok.addedTokens) added tokens)"])
            }
            if let size = info.preprocessorImageSize { rows.append(["preprocessing", "resize + center crop to \(size)×\(size)"]) }
            try printTable(rows, header: false)
        } catch { throw cliError(error) }
    }
}

struct ModelVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Re-hash a model's files against their recorded checksums (exit 1 on mismatch).")
    @Argument(help: ArgumentHelp("Model directory or name (default: the model --model would pick).", valueName: "DIR|REPO"))
    var model: String?
    @Flag(name: .long, help: "Print JSON.") var json = false

    struct Output: Encodable { var name: String; var directory: String; var ok: Bool; var files: [FileCheck] }

    func run() throws {
        let checks: [FileCheck]
        let resolved: ResolvedModel
        do {
            resolved = try ModelResolver.resolve(model)
            checks = try ModelVerifier.verify(resolved.directory) { printError("hashing \($0)…") }
        } catch { throw cliError(error) }
        let bad = checks.filter { $0.status == .mismatch || $0.status == .missing }
        if json {
            try printJSON(Output(name: resolved.name, directory: resolved.directory.path, ok: bad.isEmpty, files: checks))
        } else {
            var rows = [["STATUS", "FILE", "CHECK", "DETAIL"]]
            for c in checks {
                let detail: String
                switch c.status {
                case .ok: detail = c.actual.map { String($0.prefix(16)) + "…" } ?? ""
                case .mismatch: detail = "expected \(c.expected ?? "?"), got \(c.actual ?? "?")"
                case .missing: detail = "file missing"
                case .unrecorded: detail = "no recorded checksum; sha256 \(c.actual ?? "?")"
                }
                rows.append([c.status.rawValue.uppercased(), c.path, c.method ?? "-", detail])
            }
            try printTable(rows)
        }
        if !bad.isEmpty {
            throw InputFailure("clipscope: \(bad.count) file(s) of \(resolved.directory.path) failed verification: "
                               + bad.map(\.path).joined(separator: ", "))
        }
        if checks.allSatisfy({ $0.status == .unrecorded }) && !json {
            printError("note: no checksums are recorded for \(resolved.directory.path); nothing could be verified")
        }
    }
}

struct ModelDownloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Download a model from the Hugging Face hub into the HF cache (resumable, SHA-256 verified).",
        discussion: """
        Files come from $HF_ENDPOINT (default https://huggingface.co) with the token from $HF_TOKEN or the \
        HF token file, and land in the HF cache ($HF_HUB_CACHE, $HF_HOME/hub, …) shared with Python tools. \
        An interrupted download resumes where it stopped when run again. HF_HUB_OFFLINE=1 forbids it.
        """)
    @Argument(help: ArgumentHelp("owner/name[@REV] or jina-clip-v2.", valueName: "REPO")) var repo: String = "jinaai/jina-clip-v2"
    @Option(name: .long, help: "Branch, tag or commit (default: main).") var revision: String?
    @Flag(name: .long, help: "Accept the model's licence without asking.") var yes = false
    @Flag(name: .long, help: "Download into ClipScope's models directory ($CLIPSCOPE_MODELS_DIR) instead of the HF cache.")
    var modelsDir = false
    @Option(name: .long, help: "Seconds without data before a request is retried.") var timeout: Double = 30
    @Option(name: .long, help: "Attempts per file on network failures.") var retries: Int = 5

    func validate() throws {
        guard timeout > 0 && timeout <= 86_400 else { throw ValidationError("--timeout \(timeout) is out of range: it must be a number of seconds above 0 and at most 86400") }
        try NumericOptions.check(retries, "retries", 1...100)
    }

    func run() throws {
        guard var id = RepoID(parsing: repo) else {
            throw CLIError.usage("`\(repo)` is not a model id (owner/name[@REV] or jina-clip-v2)")
        }
        if let revision {
            guard id.revision == nil else { throw CLIError.usage("give the revision either as @REV or with --revision, not both") }
            guard RepoID(parsing: "\(id.id)@\(revision)") != nil else { throw CLIError.usage("invalid revision `\(revision)`") }
            id.revision = revision
        }
        let environment = ProcessInfo.processInfo.environment
        do {
            try ModelDownloader.ensureOnline(id, environment: environment)
            let terms = LicenceTerms.forRepo(id, endpoint: HubEnvironment(environment).endpoint)
            let interactive = isatty(0) == 1 && isatty(2) == 1
            let decision = try LicenceGate(environment: environment).decide(
                id, terms: terms, yes: yes, show: { printError($0) },
                ask: interactive ? { prompt in printErrorRaw(prompt); return readLine() } : nil)
            if decision == .declined { throw CLIError.failure("licence not accepted; nothing was downloaded") }

            let options = DownloadOptions(repo: id, destination: modelsDir ? .modelsDirectory(nil) : .hfCache(nil),
                                          idleTimeout: timeout, maxAttempts: retries)
            let result = try ModelDownloader(options: options, environment: environment, progress: TerminalProgress(sink: printErrorRaw)).run()
            let moved = result.files.filter { !$0.reused }.reduce(UInt64(0)) { $0 + $1.size }
            printError(moved == 0
                ? "\(id.id) @ \(result.commit.prefix(8)) was already complete (\(result.files.count) files)."
                : "\(id.id) @ \(result.commit.prefix(8)): \(result.files.count) files verified, \(ProgressFormat.bytes(moved)) downloaded.")
            try emit(result.directory.path)
        } catch let e as CLIError { throw e } catch { throw cliError(error) }
    }
}

private func describe(_ source: ResolvedModel.Source) -> String {
    switch source {
    case .directory: return "directory"
    case .hfCache(let rev): return "hf-cache \(rev.prefix(8))"
    case .clipscopeModels: return "clipscope-models"
    case .bundledDemo: return "bundled demo"
    }
}

/// 865_278_477 → "865.3 M".
private func formatCount(_ n: UInt64) -> String {
    let v = Double(n)
    if v >= 1e9 { return String(format: "%.2f G", v / 1e9) }
    if v >= 1e6 { return String(format: "%.1f M", v / 1e6) }
    if v >= 1e3 { return String(format: "%.1f k", v / 1e3) }
    return "\(n)"
}

/// Left-aligned columns separated by two spaces.
private func printTable(_ rows: [[String]], header: Bool = true) throws {
    guard let columns = rows.map(\.count).max() else { return }
    var widths = [Int](repeating: 0, count: columns)
    for row in rows { for (i, cell) in row.enumerated() where i < columns - 1 { widths[i] = max(widths[i], cell.count) } }
    for row in rows {
        let line = row.enumerated().map { i, cell in i < row.count - 1 ? cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) : cell }
        try emit(line.joined(separator: "  "))
    }
    _ = header
}
