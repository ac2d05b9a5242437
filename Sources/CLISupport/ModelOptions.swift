// `--model DIR|NAME`, shared by every subcommand, and what it resolves to: the model directory
// (ModelHub), the loaded encoder (ClipModel), or the model's tokenizer.json.
import ArgumentParser
import ClipModel
import Foundation
import Kernels
import ModelHub

extension Precision: ExpressibleByArgument {}
extension GemmBackend: ExpressibleByArgument {}

public struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Model directory or name (demo, jina-clip-v2, jinaai/jina-clip-v2[@REV]).",
        discussion: "Default: $CLIPSCOPE_MODEL, then jina-clip-v2 found locally, then the bundled demo model.",
        valueName: "DIR|NAME"))
    public var model: String?
    @Option(help: ArgumentHelp(
        "Arithmetic of the GEMMs: exact (float32) or fast (the vision tower's GEMMs on bfloat16 operands with float32 sums; needs AVX512-BF16, else runs exact).",
        discussion: "Part of the embedding cache key: fast and exact vectors never share a cache.",
        valueName: "exact|fast"))
    public var precision: Precision = .exact
    public init() {}

    /// The model `--model` names, or a CLI error (exit 1, 2 for malformed values) with where it looked.
    public func resolveModel() throws -> ResolvedModel {
        do { return try ModelResolver.resolve(model) } catch { throw cliError(error) }
    }

    /// Resolves and loads the encoder (`threads`: compute threads, default all cores).
    /// `gemm`: the vision tower's float32 GEMM library (nil: the backend table; bench compares the two).
    public func loadEmbedder(threads: Int? = nil, gemm: GemmBackend? = nil) throws -> (ResolvedModel, ClipEmbedder) {
        let resolved = try resolveModel()
        return (resolved, try Self.loadEmbedder(resolved, threads: threads, precision: precision, gemm: gemm))
    }

    public static func loadEmbedder(_ resolved: ResolvedModel, threads: Int? = nil,
                                    precision: Precision = .exact, gemm: GemmBackend? = nil) throws -> ClipEmbedder {
        if precision != precision.effective { printError(Precision.unsupportedNote) }
        do {
            return try ClipEmbedder.load(directory: resolved.directory, threads: threads, precision: precision, gemm: gemm)
        } catch {
            throw CLIError.failure("\(error)")
        }
    }

    /// --tokenizer FILE, else the tokenizer.json of the resolved model (--model DIR|NAME).
    public static func tokenizerURL(model: String?, tokenizer: String?, environment: [String: String]) throws -> URL {
        let fm = FileManager.default
        if let tokenizer {
            if model != nil { throw CLIError.usage("give --model DIR or --tokenizer FILE, not both") }
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: tokenizer, isDirectory: &isDir) else {
                throw CLIError.failure("\(tokenizer): no such file")
            }
            if isDir.boolValue { throw CLIError.failure("\(tokenizer): is a directory; --tokenizer wants a tokenizer.json file (use --model DIR for a model folder)") }
            return URL(fileURLWithPath: tokenizer)
        }
        // --model DIR|NAME, else the shared default order ($CLIPSCOPE_MODEL, jina-clip-v2, demo).
        let resolved: ResolvedModel
        do { resolved = try ModelResolver.resolve(model, environment: environment) } catch {
            throw CLIError.failure("\(error)")
        }
        let url = resolved.directory.appendingPathComponent("tokenizer.json")
        guard fm.fileExists(atPath: url.path) else {
            throw CLIError.failure("\(resolved.directory.path): no tokenizer.json in this directory")
        }
        // A model folder is checked as a whole, like every command that reads a model does: a config
        // no command could load is refused here too (a tokenizer-only folder has no config.json).
        if fm.fileExists(atPath: resolved.directory.appendingPathComponent("config.json").path) {
            do { _ = try ModelConfig.load(directory: resolved.directory) } catch { throw CLIError.failure("\(error)") }
        }
        return url
    }
}
