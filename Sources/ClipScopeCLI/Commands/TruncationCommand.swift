// `clipscope truncation FOLDER [--k 10] [--queries FILE] [--sample N] [--seed S] [--json] [--svg FILE]`:
// how much of the full-width top-k survives at each Matryoshka dimension, averaged over many queries
// (Retrieval's TruncationCurve; metric definitions in Retrieval's RankingMetrics).
//
// Queries: image→image inside the folder (every embedded image when there are at most --sample of them,
// default 500, else a seeded sample; each query is left out of its own ranking), or with --queries the
// text queries of FILE (one per line, any language, with the retrieval.query prefix).
// --json: {"model", "folder", "images", "queries": {"kind", "count", "seed"}, "k",
//          "rows": [{"dims", "overlap", "top1", "rbo", "kendall_tau"}]}
// one row per dimension, increasing, the full width last (all 1.0); "seed" is null when nothing was sampled.
import ArgumentParser
import CLISupport
import FileIO
import Foundation
import Retrieval
import VectorIndex

struct TruncationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "truncation",
        abstract: "How much of the full-dimension top-k each Matryoshka dimension keeps, over a folder.")
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var folderOptions: FolderOptions

    @Argument(help: "Folder of images (indexed first if needed).")
    var folder: String

    @Option(name: .long, help: "Length of the compared top-k lists (1 ... images − 1).")
    var k: Int = 10

    @Option(name: .long, help: ArgumentHelp("Text queries, one per line (instead of image→image).", valueName: "FILE"))
    var queries: String?

    @Option(name: .long, help: "Image queries at most; a larger folder is sampled.")
    var sample: Int = TruncationCurve.maxQueries

    @Option(name: .long, help: "Seed of the query sample.")
    var seed: UInt64 = 1

    @Flag(name: .long, help: "Write one JSON object to stdout.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Also write the curves as an SVG plot.", valueName: "FILE"))
    var svg: String?

    func validate() throws {
        try NumericOptions.check(sample, "sample", 1...Int.max)
        try NumericOptions.check(k, "k", 1...Int.max)     // and at most images − 1, checked once the folder is known
    }

    struct Result {
        var model: String
        var precision = "exact"
        var folder: String
        var images: Int
        var kind: String          // "image" | "text"
        var queryCount: Int
        var seed: UInt64?         // when the image queries were sampled
        var k: Int
        var rows: [TruncationRow]
    }

    func run() throws {
        let texts = try queries.map(Self.readQueries)
        let backend = try makeBackend(modelOptions)
        folderOptions.configure(backend)
        let indexed = try IndexedFolder.open(folder, provider: backend, followLinks: folderOptions.followLinks, cacheRoot: folderOptions.cacheRoot)
        indexed.printProblemsBriefly()
        let n = indexed.index.count
        guard n >= 2 else {
            throw CLIError.failure("\(folder): \(n) embedded image\(n == 1 ? "" : "s"); the truncation curve needs at least 2")
        }
        guard k <= n - 1 else { throw CLIError.usage("--k must be between 1 and \(n - 1) (the folder has \(n) embedded images)") }
        let curve = Self.curve(of: indexed.index, dims: backend.matryoshkaDimensions)
        var result = Result(model: backend.modelName, folder: folder, images: n, kind: "image", queryCount: 0,
                            seed: nil, k: k, rows: [])
        result.precision = backend.precision
        let started = Date()
        if let texts {
            var vectors: [[Float]] = []
            for t in texts {
                do { vectors.append(try backend.embedText(t, asQuery: true, dims: nil)) } catch {
                    throw CLIError.failure("cannot embed the query \"\(t)\": \(error)")
                }
            }
            result.kind = "text"
            result.queryCount = vectors.count
            result.rows = curve.curve(textQueries: vectors, k: k) ?? []
        } else {
            let (rows, sampled) = TruncationCurve.sample(count: n, limit: sample, seed: seed)
            result.queryCount = rows.count
            result.seed = sampled ? seed : nil
            if sampled { printError("\(rows.count) of \(n) images as queries (seed \(seed))") }
            result.rows = curve.curve(imageQueries: rows, k: k) ?? []
        }
        if !json { printError(String(format: "%d queries × %d images × %d dimensions in %.2f s", result.queryCount, n, curve.dims.count, Date().timeIntervalSince(started))) }
        if let svg {
            let text = TruncationSVG.render(result)
            do { try AtomicFile.write(Data(text.utf8), to: svg) } catch { throw CLIError.failure("\(error)") }
        }
        try emit(json ? Self.json(result).rendered : Self.table(result))
    }

    /// The folder's vectors as one matrix in path order (ties are broken by path).
    static func curve(of index: VectorIndex, dims: [Int]) -> TruncationCurve {
        let order = index.keys.indices.sorted { index.keys[$0] < index.keys[$1] }
        var m = [Float]()
        m.reserveCapacity(order.count * index.width)
        for row in order { m.append(contentsOf: index.vector(at: row)) }
        return TruncationCurve(vectors: m, count: order.count, width: index.width, dims: dims)
    }

    static func readQueries(_ path: String) throws -> [String] {
        let data: Data
        do { data = try SafeFile.read(path, what: "queries file") } catch { throw CLIError.failure("\(error)") }
        guard let text = String(data: data, encoding: .utf8) else { throw CLIError.failure("\(path): the queries file is not UTF-8 text") }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !lines.isEmpty else { throw CLIError.failure("\(path): no queries (one per line)") }
        return lines
    }

    static func json(_ r: Result) -> JSON {
        // Built in parts with explicit types: as one literal the type checker gave up on a loaded machine.
        let seed: JSON = r.seed.map { JSON.int(Int(truncatingIfNeeded: $0)) } ?? JSON.null
        let queries: JSON = .object([("kind", .string(r.kind)), ("count", .int(r.queryCount)), ("seed", seed)])
        let rows: [JSON] = r.rows.map { row in
            JSON.object([("dims", .int(row.dims)), ("overlap", .number(row.overlap)), ("top1", .number(row.top1)),
                         ("rbo", .number(row.rbo)), ("kendall_tau", .number(row.kendallTau))])
        }
        let fields: [(String, JSON)] = [
            ("model", .string(r.model)), ("precision", .string(r.precision)), ("folder", .string(r.folder)), ("images", .int(r.images)),
            ("queries", queries), ("k", .int(r.k)), ("rows", .array(rows)),
        ]
        return .object(fields)
    }

    static func table(_ r: Result) -> String {
        let what = r.kind == "text" ? "\(r.queryCount) text queries"
            : r.seed.map { "\(r.queryCount) sampled images (seed \($0)), each left out of its own ranking" }
                ?? "all \(r.queryCount) images, each left out of its own ranking"
        var lines = ["model: \(r.model)   folder: \(r.folder)   \(r.images) images   queries: \(what)   k = \(r.k)"]
        let header = ["dims", "overlap@\(r.k)", "top-1", "RBO(p=0.9)", "Kendall τ"]
        let widths = header.map { max(7, $0.count) }
        func row(_ cells: [String]) -> String {
            zip(cells, widths).map { String(repeating: " ", count: max(0, $1 - $0.count)) + $0 }.joined(separator: "  ")
        }
        lines.append(row(header))
        for x in r.rows {
            lines.append(row([String(x.dims)] + [x.overlap, x.top1, x.rbo, x.kendallTau].map { String(format: "%.3f", $0) }))
        }
        if let s = TruncationCurve.sentence(r.rows, k: r.k, subject: r.kind == "text" ? "the text queries" : "this folder") { lines.append(s + ".") }
        return lines.joined(separator: "\n")
    }
}
