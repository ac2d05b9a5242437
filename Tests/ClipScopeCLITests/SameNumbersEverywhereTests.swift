// One set of vectors, every place that reports ranking agreement: the explorer's compare footer and
// dimensions view, `clipscope compare --json`, `clipscope truncation --json` and `clipscope eval` must
// give the same numbers (Retrieval's definitions, the same scores, the same order).
import Foundation
import Retrieval
import Testing
import TUI
@testable import ClipScopeCLI
import CLISupport
@testable import Explorer
@testable import VectorIndex

@Suite struct SameNumbersEverywhereTests {
    let width = 64, dimsA = 16, dimsB = 64, k = 10
    let paths: [String]
    let vectors: [[Float]]
    let query: [Float]

    init() {
        var state: UInt64 = 42
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int(state >> 33) % 2001 - 1000) / 1000
        }
        let w = width
        // 120 images whose first dimensions carry a shared signal, so the two rankings differ but overlap.
        paths = (0..<120).map { String(format: "img%03d.jpg", $0) }
        let topic = (0..<w).map { _ in next() }
        vectors = (0..<120).map { _ in (0..<w).map { j in next() + (j < 16 ? 0.8 * topic[j] : 0) } }
        query = (0..<w).map { j in next() + 0.8 * topic[j] }
    }

    @Test func explorerFooterCompareJSONAndEvalAgree() throws {
        let index = VectorIndex(width: width)
        for (p, v) in zip(paths, vectors) { try index.add(ItemPath(p), vector: v) }   // rows in path order = ids

        // clipscope compare --json
        let cmp = try index.compare(query, dimsA: dimsA, dimsB: dimsB, k: k)
        let json = CompareCommand.json(cmp, model: "m", query: .string("q")).rendered
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let metrics = try #require(object["metrics"] as? [String: Any])
        let overlap = try #require(metrics["overlap"] as? Double), tau = try #require(metrics["kendall_tau"] as? Double)
        let rbo = try #require(metrics["rbo"] as? Double)
        #expect(cmp.overlap < 1 && cmp.overlap > 0, "the fixture should move some items: \(cmp.overlap)")

        // the explorer: rankings per dimension from the same index, as ExplorerModelBackend gives them
        var s = AppState(size: Size(width: 120, height: 40), modelName: "m", isDemo: false,
                         dimensions: [dimsA, dimsB], folderPath: "/f")
        for d in [dimsA, dimsB] { s.rankings[d] = Ranking.top(try index.scores(for: query, dims: d)) }
        s.dimIndex = 0
        s.compareDimIndex = 1
        let shown = CompareView.metrics(s, k: k)
        #expect(shown.overlap == cmp.overlap && shown.kendallTau == cmp.kendallTau && shown.rbo == cmp.rbo)
        #expect(s.ranking.prefix(k).map { paths[$0.id] } == cmp.topA.map(\.key.string))
        #expect(abs(overlap - cmp.overlap) < 1e-6 && abs(tau - cmp.kendallTau) < 1e-6 && abs(rbo - cmp.rbo) < 1e-6)
        let footer = CompareView.footer(s, k: k)
        #expect(footer == "overlap@10 \(Fmt.score(Float(overlap)))   Kendall τ \(Fmt.score(Float(tau)))   RBO(p=0.9) \(Fmt.score(Float(rbo)))")

        // the explorer's dimensions view (the 16-d row against the full width)
        let lens = try #require(DimensionsLens.compute(rankings: s.rankings, dims: [dimsA, dimsB], k: k, generation: 0))
        #expect(lens.rows[0].overlap == cmp.overlap && lens.rows[0].kendallTau == cmp.kendallTau && lens.rows[0].rbo == cmp.rbo)
        #expect(lens.rows[0].top1 == (cmp.topA[0].key == cmp.topB[0].key ? 1 : 0))

        // clipscope truncation --queries (this one query) --json: the batched GEMM path
        let curve = TruncationCommand.curve(of: index, dims: [dimsA, dimsB])
        let rows = try #require(curve.curve(textQueries: [query], k: k))
        let result = TruncationCommand.Result(model: "m", folder: "/f", images: paths.count, kind: "text", queryCount: 1,
                                              seed: nil, k: k, rows: rows)
        let tj = try #require(try JSONSerialization.jsonObject(with: Data(TruncationCommand.json(result).rendered.utf8)) as? [String: Any])
        let row16 = try #require((tj["rows"] as? [[String: Any]])?.first)
        #expect(row16["dims"] as? Int == dimsA)
        #expect(abs((row16["overlap"] as? Double ?? -1) - overlap) < 1e-6 && abs((row16["kendall_tau"] as? Double ?? -1) - tau) < 1e-6)
        #expect(abs((row16["rbo"] as? Double ?? -1) - rbo) < 1e-6 && row16["top1"] as? Double == lens.rows[0].top1)
        #expect(abs(rows[0].overlap - cmp.overlap) < 1e-12 && abs(rows[0].kendallTau - cmp.kendallTau) < 1e-12
                && abs(rows[0].rbo - cmp.rbo) < 1e-12)

        // clipscope eval: a caption whose image is the item at rank r is a hit at K iff r ≤ K, at each dimension.
        for (d, top) in [(dimsA, cmp.topA), (dimsB, cmp.topB)] {
            for r in [1, 2, 6] {
                let target = top[r - 1].row
                let caps = [RetrievalDataset.Caption(text: "q", lang: "en", imageIndex: target)]
                let rows = RecallEvaluator.evaluate(captions: caps, textVectors: [query], imageVectors: vectors,
                                                    languages: ["en"], dims: [d])
                for kk in RecallEvaluator.ks { #expect(rows[0].t2i[kk] == (r <= kk ? 1 : 0), "d=\(d) rank \(r) K=\(kk)") }
            }
        }
    }
}
