// `clipscope index FOLDER`: embed a folder into the on-disk cache (incremental, resumable), with a
// progress bar on stderr and a summary on stdout. Exit 1 when some images failed to embed, or when
// the cache cannot be opened or written (the message names the cache file; what was saved stays).
// `--shard I/N` embeds one shard of the folder (by content hash, see ShardSpec) into a folder-relative
// cache root; I/N may come from a Kubernetes Indexed Job or a Slurm array instead (docs/scale.md).
import CLISupport
import ArgumentParser
import Foundation
import Kernels
import ModelHub
import VectorIndex

struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index", abstract: "Embed a folder into the on-disk cache.",
        discussion: """
        Only new or changed images are embedded; renamed and copied files reuse their vectors. An \
        interrupted run (Ctrl-C, kill) keeps every finished image and resumes on the next run. Images \
        that fail are remembered and not retried until they change. Cache: --cache-dir, else \
        $CLIPSCOPE_CACHE_DIR, else $XDG_CACHE_HOME/clipscope, else ~/.cache/clipscope. With --shard I/N \
        only the files whose content hash falls in shard I of N are embedded, into a cache root that \
        stores paths relative to FOLDER (merge the shards with `clipscope cache merge`); without \
        --shard, I/N come from JOB_COMPLETION_INDEX (+ --shard-count) or SLURM_ARRAY_TASK_* when set.
        """)
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var folderOptions: FolderOptions

    @Argument(help: "Folder of images (searched recursively).")
    var folder: String

    @Option(name: .long, help: ArgumentHelp("Embed only shard I of N (1-based), chosen by content hash.", valueName: "I/N"))
    var shard: String?

    @Option(name: .customLong("shard-count"), help: ArgumentHelp("N for a Kubernetes Indexed Job (I = JOB_COMPLETION_INDEX + 1).", valueName: "N"))
    var shardCount: Int?

    @Option(name: .long, help: ArgumentHelp("Image encoder: local (the model) or jina-api (JINA_API_KEY, JINA_API_BASE; images leave the machine).", valueName: "local|jina-api"))
    var encoder = "local"

    @Flag(name: .long, help: "Upload to the Jina API without asking (scripts).")
    var yes = false

    @Option(help: ArgumentHelp("Compute threads of the local encoder (default: all cores).", valueName: "N"))
    var threads: Int?

    @Option(name: .customLong("api-batch"), help: ArgumentHelp("Inputs per Jina API request (default 32).", valueName: "N"))
    var apiBatch: Int?

    @Option(name: .customLong("api-concurrency"), help: ArgumentHelp("Most Jina API requests in flight at once (default 4).", valueName: "N"))
    var apiConcurrency: Int?

    func validate() throws {
        guard ["local", "jina-api"].contains(encoder) else { throw ValidationError("--encoder must be local or jina-api") }
        try NumericOptions.check(shardCount, "shard-count", 1...Int.max)
        try NumericOptions.check(apiBatch, "api-batch", 1...2048)
        try NumericOptions.check(apiConcurrency, "api-concurrency", 1...64)
        try NumericOptions.threads(threads)
        if let shard { do { _ = try ShardSpec.parse(shard) } catch { throw ValidationError("\(error)") } }
    }

    /// The shard to embed and where it came from (nil: the whole folder).
    func resolveShard(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> (ShardSpec, String)? {
        do {
            if let shard { return (try ShardSpec.parse(shard), "--shard") }
            return try ShardSpec.fromEnvironment(environment, shardCount: shardCount)
        } catch let e as ShardSpec.Problem { throw CLIError.usage(e.description) }
    }

    func run() throws {
        let shard = try resolveShard()
        if shard == nil, shardCount != nil {
            throw CLIError.usage("--shard-count needs JOB_COMPLETION_INDEX (a Kubernetes Indexed Job); otherwise pass --shard I/N")
        }
        let root = folderOptions.cacheRoot
        if let (spec, source) = shard {
            try Self.prepareShardRoot(root)
            if source != "--shard" { printError("shard \(spec) (from \(source))") }
        }
        let backend: any SearchBackend
        var consent: ((Int) throws -> Void)?
        if encoder == "jina-api" {
            var config: JinaAPIConfig
            do { config = try JinaAPIConfig.fromEnvironment() } catch { throw CLIError.usage("\(error)") }
            if let apiBatch { config.batchSize = apiBatch }
            if let apiConcurrency { config.concurrency = apiConcurrency }
            let api = JinaAPIBackend(client: JinaEmbeddingsClient(config: config, note: { [output = CommandOutput.current] line in
                // Retries are reported from the client's worker threads: into this command's output.
                CommandOutput.$current.withValue(output) { printError("clipscope: \(line)") }
            }))
            backend = api
            consent = { [yes] n in
                guard JinaAPIBackend.askConsent(images: n, base: config.base, yes: yes) else {
                    throw CLIError.usage("nothing was uploaded: the upload to the Jina API was not confirmed")
                }
            }
        } else {
            backend = try makeBackend(modelOptions)
            // The model sets the process-wide thread count when it loads; --threads narrows it after.
            if let threads { Gemm.setThreads(threads) }
        }
        folderOptions.configure(backend)
        let indexed = try IndexedFolder.open(folder, provider: backend, followLinks: folderOptions.followLinks,
                                             cacheRoot: root, shard: shard?.0, requireCache: true, beforeEmbedding: consent,
                                             progressNote: (backend as? JinaAPIBackend).map { api in { api.costNote($0) } })
        if let api = backend as? JinaAPIBackend {
            let u = api.client.usage
            printError("Jina API: \(u.requests) request(s), \(u.tokens) tokens")
        }
        try emit(indexed.summary(folder: folder))
        if let failure = indexed.report.cacheWriteFailure {
            let left = indexed.report.remaining > 0 ? "; \(indexed.report.remaining) image(s) not embedded" : ""
            throw CLIError.failure(IndexedFolder.cannotUse(failure)
                                   + "; the cache keeps every image saved before the failure\(left); free space or fix the cache and run again")
        }
        let failed = indexed.report.failed.count + indexed.report.knownFailures.count
        if failed > 0 { throw InputFailure("\(failed) image(s) could not be embedded") }
    }

    /// A shard writes paths relative to FOLDER, so its root must be one of its own: new, empty or
    /// already folder-relative, never the shared cache of absolute paths.
    static func prepareShardRoot(_ root: URL) throws {
        do {
            if try EmbeddingCache.layout(ofRoot: root) == .absolute, !EmbeddingCache.stores(inRoot: root).isEmpty {
                throw CLIError.usage("\(root.path) holds a cache of absolute paths (the shared cache); a shard writes paths "
                                     + "relative to FOLDER into a cache root of its own: give --cache-dir a directory of its own")
            }
            try EmbeddingCache.makeFolderRelative(root: root)
        } catch let e as CacheError { throw CLIError.failure(e.description) }
    }
}
