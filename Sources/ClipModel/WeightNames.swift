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
}

