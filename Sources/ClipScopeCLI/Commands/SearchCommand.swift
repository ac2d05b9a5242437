// `clipscope search FOLDER --text T | --image PATH [--dims N] [--top K] [--no-query-prefix] [--json]
//   [--encoder jina-api [--query-encoder local]]` (EncoderOptions)
// Plain output: rank, score, path (relative to FOLDER). --json:
//   {"model": ID, "dims": N, "query": {"kind": "text", "text": T, "prefix": true} | {"kind": "image", "path": P},
//    "results": [{"rank": 1, "score": 0.1234, "path": "a/b.jpg"}, ...]}
//   (a result embedded from a truncated image with --allow-partial carries "partial": true)
// Ranks start at 1, equal scores are ordered by path, non-UTF-8 paths carry "path_b64".
import CLISupport
import FileIO
import ArgumentParser
import Foundation
import VectorIndex

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Rank a folder's images for a text or image query.")
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var folderOptions: FolderOptions
    @OptionGroup var query: QueryOptions
    @OptionGroup var encoderOptions: EncoderOptions

    @Argument(help: "Folder of images (indexed first if needed).")
    var folder: String?

    @Option(name: .long, help: "Matryoshka dimension to search at (default: full width).")
    var dims: Int?

    @Option(name: .long, help: "Number of results.")
    var top: Int = 10

    @Flag(name: .long, help: "Write one JSON object to stdout.")
    var json = false

    mutating func validate() throws {
        guard folder != nil else { throw ValidationError("missing FOLDER") }
        try query.checkExactlyOne()
        try NumericOptions.top(top)
        try NumericOptions.check(dims, "dims", 1...Int.max)
    }

    func run() throws {
        let backend = try encoderOptions.makeQueryBackend(modelOptions)
        folderOptions.configure(backend)
        let d = dims ?? backend.embeddingWidth
        try checkDims(d, backend: backend)
        let indexed = try IndexedFolder.open(folder!, provider: backend, followLinks: folderOptions.followLinks, cacheRoot: folderOptions.cacheRoot,
                                             beforeEmbedding: encoderOptions.beforeEmbedding(folder: folder!))
        indexed.printProblemsBriefly()
        let q = try query.resolve(with: backend, in: indexed)
        let hits: [SearchHit]
        do { hits = try indexed.index.search(q.vector, dims: d, k: NumericOptions.clampedTop(top, items: indexed.index.count), excluding: q.excludedRow) } catch {
            throw CLIError.failure("\(error)")
        }
        if json {
            let doc = JSON.object([("model", .string(backend.modelName)), ("precision", .string(backend.precision)),
                                   ("dims", .int(d)), ("query", q.json),
                                   ("results", .array(hits.map { JSON.hit($0, partial: Set(indexed.report.partial)) }))])
            try emit(doc.rendered)
        } else {
            if hits.isEmpty { printError("no indexed images in \(TerminalSafe.name(folder!))") }
            let w = String(hits.count).count
            for h in hits {
                try emit(String(repeating: " ", count: w - String(h.rank).count) + "\(h.rank)  "
                      + String(format: "%.4f", h.score) + "  " + h.key.display)
            }
        }
    }
}
