// Every checkpoint key of jina-clip-v2, in one table (spec §5.2). Nothing else in the code spells a
// tensor name. Linear layers and embeddings of the text tower come in two layouts:
//   official: <module>.parametrizations.weight.original + .0.lora_A + .0.lora_B (the adapter of the task
//             applied as a separate rank-r term: TextWeights)
//   merged:   <module>.weight (what our own exports write; the adapter is already folded in)
// Vision keys are the same in both layouts.
import Foundation

public enum CheckpointLayout: String, Sendable {
    case official   // LoRA parametrizations present, merged at load
    case merged     // plain weights, adapter already folded in
}

enum WeightNames {
    static let logitScale = "logit_scale"

    // MARK: LoRA parametrization suffixes (relative to a module)
    static let loraOriginal = "parametrizations.weight.original"
    static let loraA = "parametrizations.weight.0.lora_A"
    static let loraB = "parametrizations.weight.0.lora_B"
    static let weight = "weight"
    static let bias = "bias"

    enum Text {
        static let root = "text_model.transformer.roberta"
        static let wordEmbeddings = root + ".embeddings.word_embeddings"
        static let tokenTypeEmbeddings = root + ".embeddings.token_type_embeddings"
        static let embLN = root + ".emb_ln"
        static func layer(_ l: Int) -> String { root + ".encoder.layers.\(l)" }
        // Modules inside a layer (relative to `layer(l)`).
        static let attnQKV = "mixer.Wqkv"          // [3d, d], rows [q; k; v], each (head, dim)
        static let attnOut = "mixer.out_proj"      // [d, d]
        static let attnNorm = "norm1"              // post-LN after attention
        static let ffnUp = "mlp.fc1"               // [ff, d]
        static let ffnDown = "mlp.fc2"             // [d, ff]
        static let ffnNorm = "norm2"               // post-LN after the MLP
        static let loraLinears = [attnQKV, attnOut, ffnUp, ffnDown]
    }

    enum Vision {
        static let root = "vision_model"
        static let clsToken = root + ".cls_token"              // [1, 1, w]
        static let posEmbed = root + ".pos_embed"              // [1, 1 + grid², w]
        static let patchEmbed = root + ".patch_embed.proj"     // weight [w, 3, p, p], bias [w]
        static let norm = root + ".norm"                       // final LayerNorm
        static func block(_ l: Int) -> String { root + ".blocks.\(l)" }
        // Inside a block (relative to `block(l)`).
        static let attnNorm = "norm1"
        static let attnQ = "attn.q_proj.weight"                // [w, w], bias is attn.q_bias
        static let attnK = "attn.k_proj.weight"                // [w, w], no bias
        static let attnV = "attn.v_proj.weight"                // [w, w], bias is attn.v_bias
        static let attnQBias = "attn.q_bias"
        static let attnVBias = "attn.v_bias"
        static let attnSubNorm = "attn.inner_attn_ln"          // sub-LN before the output projection
        static let attnOut = "attn.proj"
        static let ffnNorm = "norm2"
        static let ffnGate = "mlp.w1"                          // SiLU branch [h, w]
        static let ffnUp = "mlp.w2"                            // linear branch [h, w]
        static let ffnSubNorm = "mlp.ffn_ln"                   // sub-LN before w3 [h]
        static let ffnDown = "mlp.w3"                          // [w, h]
    }

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
