// The complete key → shape table of a checkpoint (the loader's name table, written out by hand from
// the config): tests check real and fixture checkpoints against it.
@testable import ClipModel

extension WeightNames {
    /// The complete key → shape table of a checkpoint for `config` in `layout` (999 keys at full size).
    static func expected(_ c: ModelConfig, layout: CheckpointLayout) -> [String: [Int]] {
        var k: [String: [Int]] = [logitScale: []]
        let t = c.text, d = t.hiddenSize, r = t.loraRank, n = t.loraAdaptations.count
        func linear(_ m: String, out: Int, in inF: Int) {
            if layout == .official {
                k["\(m).\(loraOriginal)"] = [out, inF]
                k["\(m).\(loraA)"] = [n, r, inF]
                k["\(m).\(loraB)"] = [n, out, r]
            } else {
                k["\(m).\(weight)"] = [out, inF]
            }
            k["\(m).\(bias)"] = [out]
        }
        func embedding(_ m: String, rows: Int) {
            if layout == .official {
                k["\(m).\(loraOriginal)"] = [rows, d]
                k["\(m).\(loraA)"] = [n, rows, r]
                k["\(m).\(loraB)"] = [n, r, d]
            } else {
                k["\(m).\(weight)"] = [rows, d]
            }
        }
        func norm(_ m: String, _ dim: Int) { k["\(m).weight"] = [dim]; k["\(m).bias"] = [dim] }
        embedding(Text.wordEmbeddings, rows: t.vocabSize)
        embedding(Text.tokenTypeEmbeddings, rows: t.typeVocabSize)
        norm(Text.embLN, d)
        for l in 0..<t.numHiddenLayers {
            let p = Text.layer(l)
            linear("\(p).\(Text.attnQKV)", out: 3 * d, in: d)
            linear("\(p).\(Text.attnOut)", out: d, in: d)
            norm("\(p).\(Text.attnNorm)", d)
            linear("\(p).\(Text.ffnUp)", out: t.intermediateSize, in: d)
            linear("\(p).\(Text.ffnDown)", out: d, in: t.intermediateSize)
            norm("\(p).\(Text.ffnNorm)", d)
        }
        let v = c.vision, w = v.width, h = v.mlpHidden
        k[Vision.clsToken] = [1, 1, w]
        k[Vision.posEmbed] = [1, v.tokens, w]
        k["\(Vision.patchEmbed).weight"] = [w, 3, v.patchSize, v.patchSize]
        k["\(Vision.patchEmbed).bias"] = [w]
        norm(Vision.norm, w)
        for l in 0..<v.layers {
            let p = Vision.block(l)
            norm("\(p).\(Vision.attnNorm)", w)
            for m in [Vision.attnQ, Vision.attnK, Vision.attnV] { k["\(p).\(m)"] = [w, w] }
            k["\(p).\(Vision.attnQBias)"] = [w]
            k["\(p).\(Vision.attnVBias)"] = [w]
            norm("\(p).\(Vision.attnSubNorm)", w)
            k["\(p).\(Vision.attnOut).weight"] = [w, w]; k["\(p).\(Vision.attnOut).bias"] = [w]
            norm("\(p).\(Vision.ffnNorm)", w)
            k["\(p).\(Vision.ffnGate).weight"] = [h, w]; k["\(p).\(Vision.ffnGate).bias"] = [h]
            k["\(p).\(Vision.ffnUp).weight"] = [h, w]; k["\(p).\(Vision.ffnUp).bias"] = [h]
            norm("\(p).\(Vision.ffnSubNorm)", h)
            k["\(p).\(Vision.ffnDown).weight"] = [w, h]; k["\(p).\(Vision.ffnDown).bias"] = [w]
        }
        return k
    }
}
