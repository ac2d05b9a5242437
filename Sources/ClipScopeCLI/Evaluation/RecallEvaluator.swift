// Text→image and image→text Recall@K at Matryoshka prefixes, per language.
//
// t2i: each caption ranks all images of the split; a hit when its own image is in the top K.
// i2t: each image ranks the captions of the language; a hit when any of its captions is in the top K
//      (images without a caption in that language are skipped). Exact cosine at dimension d:
//      Retrieval's PrefixCosine (both sides sliced to their first d components and re-normalized).
// Ranks follow Retrieval's one order: score descending, ties by position in the dataset (images in
// the dataset's order, captions in file order).
import CLISupport
import FileIO
import Foundation
import Retrieval

struct RecallRow: Equatable {
    var lang: String
    var dims: Int
    var t2i: [Int: Double]   // K → recall
    var i2t: [Int: Double]
}

enum RecallEvaluator {
    static let ks = [1, 5, 10]

    /// `textVectors[i]` belongs to `captions[i]`, `imageVectors[j]` to image j; full width, any norm.
    static func evaluate(captions: [RetrievalDataset.Caption], textVectors: [[Float]], imageVectors: [[Float]],
                         languages: [String], dims: [Int]) -> [RecallRow] {
        precondition(captions.count == textVectors.count, "one vector per caption")
        var rows: [RecallRow] = []
        for lang in languages {
            let idx = captions.indices.filter { captions[$0].lang == lang }
            guard !idx.isEmpty else { continue }
            for d in dims {
                let texts = idx.map { PrefixCosine.normalizedPrefix(textVectors[$0], dims: d) }
                let images = imageVectors.map { PrefixCosine.normalizedPrefix($0, dims: d) }
                let owner = idx.map { captions[$0].imageIndex }
                // scores[t][i] = cos(text t, image i)
                let scores = texts.map { t in images.map { dot(t, $0) } }
                var t2iHits = [Int: Int](), i2tHits = [Int: Int]()
                for (t, row) in scores.enumerated() {
                    let rank = rankOf(owner[t], in: row)
                    for k in ks where rank < k { t2iHits[k, default: 0] += 1 }
                }
                var imagesWithCaptions = 0
                for i in images.indices {
                    let mine = Set(owner.indices.filter { owner[$0] == i })
                    guard !mine.isEmpty else { continue }
                    imagesWithCaptions += 1
                    let column = scores.map { $0[i] }
                    let best = mine.map { rankOf($0, in: column) }.min()!
                    for k in ks where best < k { i2tHits[k, default: 0] += 1 }
                }
                var row = RecallRow(lang: lang, dims: d, t2i: [:], i2t: [:])
                for k in ks {
                    row.t2i[k] = Double(t2iHits[k, default: 0]) / Double(texts.count)
                    row.i2t[k] = imagesWithCaptions == 0 ? 0 : Double(i2tHits[k, default: 0]) / Double(imagesWithCaptions)
                }
                rows.append(row)
            }
        }
        return rows
    }

    /// 0-based rank of `target` in Retrieval's order (ties by index); a non-finite score ranks last.
    static func rankOf(_ target: Int, in scores: [Float]) -> Int {
        (Ranking.rank(of: target, in: scores) ?? scores.count) - 1
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Float {
        var s: Float = 0
        for i in 0..<min(a.count, b.count) { s += a[i] * b[i] }
        return s
    }

    /// A table shaped like the jina-clip-v2 report's retrieval tables.
    static func table(_ rows: [RecallRow]) -> String {
        var out = "lang   dims | t2i R@1  R@5   R@10 | i2t R@1  R@5   R@10\n"
        out += String(repeating: "-", count: out.count - 1) + "\n"
        for r in rows {
            func f(_ x: Double?) -> String { String(format: "%5.3f", x ?? 0) }
            let name = TerminalSafe.name(r.lang)          // a longer name is kept whole, never cut
            let lang = name.count >= 6 ? name : name.padding(toLength: 6, withPad: " ", startingAt: 0)
            let dims = String(repeating: " ", count: max(0, 4 - String(r.dims).count)) + String(r.dims)
            out += "\(lang) \(dims) |   \(f(r.t2i[1])) \(f(r.t2i[5])) \(f(r.t2i[10])) |   \(f(r.i2t[1])) \(f(r.i2t[5])) \(f(r.i2t[10]))\n"
        }
        return out
    }
}
