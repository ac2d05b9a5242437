// `clipscope eval --dataset FILE`: text→image and image→text Recall@1/5/10 at each Matryoshka
// dimension, per language, on a Karpathy-split JSON dataset (Flickr30k/COCO style, optional
// `sentences[].lang`). Every image and caption is embedded once at full width; each dimension is
// a prefix + re-normalization of the same vectors (exactly what truncate_dim does).
import CLISupport
import ArgumentParser
import Foundation

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Recall@1/5/10 (text→image, image→text) per language and dimension on a Karpathy-style dataset.",
        discussion: """
        The dataset is Karpathy-split JSON: images[].filename (+ optional filepath), images[].split, \
        images[].sentences[].raw and an optional sentences[].lang (default "en"). Image paths are relative \
        to the dataset file, or to --images DIR.
        """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: ArgumentHelp("Karpathy-split JSON file.", valueName: "FILE")) var dataset: String
    @Option(help: "Which split to evaluate.") var split = "test"
    @Option(help: ArgumentHelp("Comma-separated dimensions (default: the model's Matryoshka sizes).", valueName: "LIST"))
    var dims: String?
    @Option(help: ArgumentHelp("Folder the image paths are relative to.", valueName: "DIR")) var images: String?
    @Flag(name: .customLong("query-prefix"), help: "Embed captions with the retrieval.query instruction.")
    var queryPrefix = false
    @Option(help: ArgumentHelp("Compute threads (default: all cores).", valueName: "N")) var threads: Int?
    @Flag(help: "Machine-readable output.") var json = false

    func parsedDims(width: Int, trained: [Int]) throws -> [Int] {
        guard let dims else { return (trained.isEmpty ? [width] : trained).sorted(by: >) }
        let out = try NumericOptions.dimsList(dims, width: width)
        guard !out.isEmpty else { throw CLIError.usage("--dims is empty") }
        return out
    }

    func validate() throws {
        try NumericOptions.threads(threads)
        if let dims { _ = try NumericOptions.dimsList(dims, width: nil) }
    }

    func run() throws {
        let ds = try RetrievalDataset.load(URL(fileURLWithPath: dataset), split: split,
                                           imagesDirectory: images.map { URL(fileURLWithPath: $0) })
        let backend = try ModelBackend.load(modelOptions, threads: threads)
        let dimList = try parsedDims(width: backend.embeddingWidth, trained: backend.matryoshkaDimensions)
        printError("eval: \(ds.images.count) images, \(ds.captions.count) captions in \(ds.languages.count) languages; model \(backend.modelName)")

        let start = Date()
        let textVectors: [[Float]]
        do {
            textVectors = try backend.model.embed(texts: ds.captions.map(\.text), dims: nil, asQuery: queryPrefix)
        } catch { throw CLIError.failure("embedding captions: \(error)") }
        var imageVectors: [[Float]] = []
        imageVectors.reserveCapacity(ds.images.count)
        for (i, url) in ds.images.enumerated() {
            do { imageVectors.append(try backend.embedImage(at: url)) } catch {
                throw CLIError.failure("\(url.path): \(error) (every image of the split must embed for recall to mean anything)")
            }
            if isatty(2) == 1 { printErrorRaw("\rimages \(i + 1)/\(ds.images.count)") }
        }
        if isatty(2) == 1 { printErrorRaw("\n") }
        printError(String(format: "eval: embedded in %.1f s", Date().timeIntervalSince(start)))

        let rows = RecallEvaluator.evaluate(captions: ds.captions, textVectors: textVectors, imageVectors: imageVectors,
                                            languages: ds.languages, dims: dimList)
        if json {
            try emit(Self.json(model: backend.modelName, precision: backend.precision, dataset: dataset, rows: rows))
        } else {
            try emit(String(RecallEvaluator.table(rows).dropLast()))   // the table ends in a newline
        }
    }

    static func json(model: String, precision: String, dataset: String, rows: [RecallRow]) -> String {
        func recalls(_ r: [Int: Double]) -> JSON {
            .object([("r1", .double(r[1] ?? 0)), ("r5", .double(r[5] ?? 0)), ("r10", .double(r[10] ?? 0))])
        }
        return JSON.object([
            ("model", .string(model)), ("precision", .string(precision)), ("dataset", .string(dataset)),
            ("rows", .array(rows.map { r in
                .object([("lang", .string(r.lang)), ("dims", .int(r.dims)), ("t2i", recalls(r.t2i)), ("i2t", recalls(r.i2t))])
            })),
        ]).rendered
    }
}
