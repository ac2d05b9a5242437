// `clipscope compare FOLDER --text T --dims A,B [--top K] [--json]`: the exact rankings of one query at
// two Matryoshka dimensions side by side, with movement markers and truncation metrics. --json:
//   {"model", "query", "k", "dims": [A, B], "rankings": {"A": [results as in search], "B": [...]},
//    "movement": [{"path", "rank_a", "rank_b", "change"}],
//    "metrics": {"overlap", "jaccard", "rbo", "kendall_tau", "score_gap_a", "score_gap_b"}}
// rank_a / rank_b are TRUE ranks in the full exact ranking (so a "new" item has rank_a > k);
// change is up / down / same / new / dropped. Kendall τ is over the union of the two top-k lists
// with those true ranks; RBO is extrapolated with p = 0.9; a gap is score(k) − score(k+1) (null if
// there is no rank k+1).
import CLISupport
import FileIO
import ArgumentParser
import Foundation
import VectorIndex

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compare", abstract: "Compare rankings at two dimensions.")
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var folderOptions: FolderOptions
    @OptionGroup var query: QueryOptions
    @OptionGroup var encoderOptions: EncoderOptions

    @Argument(help: "Folder of images (indexed first if needed).")
    var folder: String

    @Option(name: .long, help: ArgumentHelp("Two dimensions to compare, e.g. 64,1024.", valueName: "A,B"))
    var dims: String

    @Option(name: .long, help: "Length of the compared top-k lists.")
    var top: Int = 10

    @Flag(name: .long, help: "Write one JSON object to stdout.")
    var json = false

    static func parseDims(_ s: String) throws -> (Int, Int) {
        let parts = s.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let a = parts[0], let b = parts[1] else {
            throw ValidationError("--dims takes two comma-separated dimensions, e.g. 64,1024 (got \"\(s)\")")
        }
        _ = try NumericOptions.dimsList(s, width: nil)
        guard a != b else { throw ValidationError("--dims needs two different dimensions (got \(a) twice)") }
        return (a, b)
    }

    func validate() throws {
        _ = try Self.parseDims(dims)
        try query.checkExactlyOne()
        try NumericOptions.top(top)
    }

    func run() throws {
        let (a, b) = try Self.parseDims(dims)
        let backend = try encoderOptions.makeQueryBackend(modelOptions)
        folderOptions.configure(backend)
        try checkDims(a, backend: backend)
        try checkDims(b, backend: backend)
        let indexed = try IndexedFolder.open(folder, provider: backend, followLinks: folderOptions.followLinks, cacheRoot: folderOptions.cacheRoot,
                                             beforeEmbedding: encoderOptions.beforeEmbedding(folder: folder))
        indexed.printProblemsBriefly()
        let q = try query.resolve(with: backend, in: indexed)
        let cmp: RankingComparison
        do { cmp = try indexed.index.compare(q.vector, dimsA: a, dimsB: b, k: NumericOptions.clampedTop(top, items: indexed.index.count), excluding: q.excludedRow) } catch {
            throw CLIError.failure("\(error)")
        }
        if json {
            try emit(Self.json(cmp, model: backend.modelName, precision: backend.precision, query: q.json).rendered)
        } else {
            try emit(Self.table(cmp, model: backend.modelName, query: q.label))
        }
    }

    static func json(_ c: RankingComparison, model: String, precision: String = "exact", query: JSON) -> JSON {
        let movement = c.movement.map { m in
            JSON.object(JSON.pathFields(m.key) + [("rank_a", .int(m.rankA)), ("rank_b", .int(m.rankB)),
                                                  ("change", .string(m.change.rawValue))])
        }
        let metrics = JSON.object([
            ("overlap", .number(c.overlap)), ("jaccard", .number(c.jaccard)), ("rbo", .number(c.rbo)),
            ("kendall_tau", .optional(c.kendallTau)),
            ("score_gap_a", .optional(c.scoreGapA.map(Double.init))), ("score_gap_b", .optional(c.scoreGapB.map(Double.init))),
        ])
        return .object([
            ("model", .string(model)), ("precision", .string(precision)), ("query", query), ("k", .int(c.k)), ("dims", .array([.int(c.dimsA), .int(c.dimsB)])),
            ("rankings", .object([(String(c.dimsA), .array(c.topA.map { JSON.hit($0) })), (String(c.dimsB), .array(c.topB.map { JSON.hit($0) }))])),
            ("movement", .array(movement)), ("metrics", metrics),
        ])
    }

    /// Marker for an item of the B list relative to its true rank at A.
    static func marker(_ m: RankMovement) -> String {
        switch m.change {
        case .up: return "↑\(m.rankA - m.rankB)"
        case .down: return "↓\(m.rankB - m.rankA)"
        case .same: return "="
        case .new: return "new (was #\(m.rankA))"
        case .dropped: return "dropped (now #\(m.rankB))"
        }
    }

    static func table(_ c: RankingComparison, model: String, query: String) -> String {
        var lines = ["query: \(TerminalSafe.name(query))   model: \(model)   top \(c.k)"]
        let move = Dictionary(c.movement.map { ($0.key, $0) }, uniquingKeysWith: { x, _ in x })
        let left = c.topA.map { String(format: "%.4f  ", $0.score) + $0.key.display }
        let leftWidth = min(48, max(20, left.map { $0.count }.max() ?? 0))
        func pad(_ s: String, _ w: Int) -> String {
            s.count > w ? String(s.prefix(w - 1)) + "…" : s + String(repeating: " ", count: w - s.count)
        }
        let rw = String(c.k).count
        lines.append(pad("", rw) + "  " + pad("\(c.dimsA)-d", leftWidth) + "  \(c.dimsB)-d")
        for i in 0..<max(c.topA.count, c.topB.count) {
            let l = i < left.count ? left[i] : ""
            var r = ""
            if i < c.topB.count {
                let h = c.topB[i]
                r = String(format: "%.4f  ", h.score) + h.key.display + (move[h.key].map { "  " + marker($0) } ?? "")
            }
            lines.append(String(i + 1).leftPadded(rw) + "  " + pad(l, leftWidth) + "  " + r)
        }
        let dropped = c.movement.filter { $0.change == .dropped }
        if !dropped.isEmpty {
            lines.append("dropped from the \(c.dimsB)-d top \(c.k): " + dropped.map { "\($0.key.display) (#\($0.rankA) → #\($0.rankB))" }.joined(separator: ", "))
        }
        func f(_ x: Double?) -> String { x.map { String(format: "%.4f", $0) } ?? "n/a" }
        lines.append("overlap@\(c.k) \(f(c.overlap))   jaccard@\(c.k) \(f(c.jaccard))   RBO(p=0.9) \(f(c.rbo))   "
                     + "kendall τ \(f(c.kendallTau))   gap@\(c.k) \(c.dimsA)-d \(f(c.scoreGapA.map(Double.init)))  "
                     + "\(c.dimsB)-d \(f(c.scoreGapB.map(Double.init)))")
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
