// `clipscope bench truncation [--rows N] [--queries Q] [--k K] [--threads T] [--json]` (release build):
// the two costs of the Matryoshka lens on N synthetic 1024-d unit vectors (Matryoshka sizes 32 … 1024):
//   view_ms        the dimensions view for one query: exact scores and the full ranking at all 7
//                  dimensions (VectorIndex, then the sorts of all dimensions in parallel, as the
//                  explorer's EventLoop.rankAll does) + the view's summary
//                  (DimensionsLens: metrics per dimension, rank trajectories, entrants); median of 5
//                  after the first call, whose prefix norms are not cached (view_first_ms)
//   curve_s        the folder retention curve (TruncationCurve) for Q image queries, excluded from
//                  their own rankings: one GEMM per block of 64 queries and dimension step
//   curve_init_s   TruncationCurve's prefix norms for every row and dimension
import ArgumentParser
import CLISupport
import Explorer
import Foundation
import Retrieval
import VectorIndex

struct TruncationBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "truncation", abstract: "Time the dimensions view for one query and the folder truncation curve.")
    @Option(help: ArgumentHelp("Rows of the synthetic folder.", valueName: "N")) var rows = 100_000
    @Option(help: ArgumentHelp("Image queries of the folder curve.", valueName: "Q")) var queries = 500
    @Option(help: "Length of the compared top-k lists.") var k = 10
    @OptionGroup var threads: ThreadOptions
    @Flag(help: "One JSON object on stdout.") var json = false

    static let width = 1024
    static let dims = [32, 64, 128, 256, 512, 768, 1024]

    func validate() throws {
        try NumericOptions.check(rows, "rows", 2...10_000_000)
        try NumericOptions.check(queries, "queries", 1...rows)
        try NumericOptions.check(k, "k", 1...(rows - 1))
    }

    func run() throws {
        let t = threads.apply()
        let w = Self.width
        var rng = SplitMix(seed: 7)
        var matrix = [Float](repeating: 0, count: rows * w)
        var v = [Float](repeating: 0, count: w)
        let index = VectorIndex(width: w)
        index.reserveCapacity(rows)
        for i in 0..<rows {
            rng.unitVector(&v)
            // Matryoshka-like: the leading dimensions carry more of the norm.
            for j in 0..<w { v[j] *= 1.5 / (1 + Float(j) / 128) }
            matrix.replaceSubrange((i * w)..<((i + 1) * w), with: v)
            try index.add(ItemPath(String(format: "img/%07d.jpg", i)), vector: v)
        }
        let query = index.vector(at: rows / 3)

        func ms(_ body: () throws -> Void) rethrows -> Double {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
        }
        var parts = (scores: 0.0, rank: 0.0, lens: 0.0)
        func view() throws {
            var rankings: [Int: [RankedItem]] = [:]
            var all: [Int: [Float]] = [:]
            parts.scores = try ms { for d in Self.dims { all[d] = try index.scores(for: query, dims: d) } }
            parts.rank = ms { rankings = Dictionary(uniqueKeysWithValues: zip(Self.dims, Ranking.topEach(Self.dims.map { all[$0] ?? [] }))) }
            parts.lens = ms { _ = DimensionsLens.compute(rankings: rankings, dims: Self.dims, k: k, generation: 0) }
        }
        let first = try ms(view)
        var runs: [(Double, (scores: Double, rank: Double, lens: Double))] = []
        for _ in 0..<5 { let t = try ms(view); runs.append((t, parts)) }
        let median = runs.sorted { $0.0 < $1.0 }[runs.count / 2]
        let viewMs = median.0

        var curve: TruncationCurve?
        let initS = ms { curve = TruncationCurve(vectors: matrix, count: rows, width: w, dims: Self.dims) } / 1000
        let sample = TruncationCurve.sample(count: rows, limit: queries, seed: 1).rows
        var result: [TruncationRow] = []
        let curveS = ms { result = curve?.curve(imageQueries: sample, k: k) ?? [] } / 1000

        let overlap = result.map { String(format: "%d:%.3f", $0.dims, $0.overlap) }.joined(separator: " ")
        if json {
            try emit(JSON.object([
                ("rows", .int(rows)), ("width", .int(w)), ("queries", .int(sample.count)), ("k", .int(k)), ("threads", .int(t)),
                ("view_first_ms", .number(first)), ("view_ms", .number(viewMs)), ("view_scores_ms", .number(median.1.scores)),
                ("view_rankings_ms", .number(median.1.rank)), ("view_summary_ms", .number(median.1.lens)),
                ("curve_init_s", .number(initS)), ("curve_s", .number(curveS)),
            ]).rendered)
        } else {
            try emit("""
            truncation bench: \(rows) × \(w) synthetic vectors, dims \(Self.dims.map(String.init).joined(separator: ",")), k \(k), threads \(t)
            view_first_ms  \(String(format: "%.1f", first))   (scores + full rankings at every dim + summary, prefix norms not cached)
            view_ms        \(String(format: "%.1f", viewMs))   (median of 5: scores \(String(format: "%.1f", median.1.scores)), rankings \(String(format: "%.1f", median.1.rank)), summary \(String(format: "%.1f", median.1.lens)))
            curve_init_s   \(String(format: "%.2f", initS))
            curve_s        \(String(format: "%.2f", curveS))   (\(sample.count) image queries, one GEMM per 64 queries and dim step)
            overlap@\(k)     \(overlap)
            """)
        }
    }
}
