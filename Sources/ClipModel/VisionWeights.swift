// EVA02 vision tower weights. Two fusions are done at load (exact, no arithmetic change):
//   q, k, v projections → one [3w, w] weight with bias [q_bias; 0; v_bias] (k has no bias),
//   w1 (gate) and w2 (up) → one [2h, w] weight, so each is one GEMM over all tokens.
// Precision `fast` packs the five projections (patch, qkv, proj, gate_up, down) into bfloat16 panels
// (`fast`) one block at a time as they load and keeps no float32 copy of them: their [Float] fields are
// empty, and a fast tower that must run float32 GEMMs loads them again (`VisionTower.exactWeights`).
import Kernels
import SafeTensors

struct VisionWeights {
    struct Norm { var weight: [Float]; var bias: [Float] }
    struct Block {
        var norm1: Norm
        var qkv: [Float]        // [3w, w] rows [q; k; v]
        var qkvBias: [Float]    // [3w], zeros for k
        var subNorm: Norm       // inner_attn_ln [w]
        var proj: [Float]       // [w, w]
        var projBias: [Float]
        var norm2: Norm
        var gateUp: [Float]     // [2h, w] rows [w1; w2]
        var gateUpBias: [Float] // [2h]
        var ffnNorm: Norm       // ffn_ln [h]
        var down: [Float]       // w3 [w, h]
        var downBias: [Float]
    }

    var patch: [Float]          // [w, 3·p·p] in (channel, ky, kx) order
    var patchBias: [Float]
    var cls: [Float]            // [w]
    var pos: [Float]            // [1 + grid², w]
    var blocks: [Block]
    var norm: Norm
    /// The projections as bfloat16 panels (precision `fast`; nil: exact, the [Float] fields hold them).
    let fast: FastProjections?

    struct FastProjections {
        struct Block { let qkv, proj, gateUp, down: FastLinear }
        let patch: FastLinear
        let blocks: [Block]
    }

    /// Whether the float32 projections are held (false for a fast load, whose fields are empty).
    var hasExactProjections: Bool { fast == nil }

    init(store: WeightStore, config v: VisionConfig, precision: Precision = .exact) throws {
        let packs = precision == .fast
        typealias N = WeightNames.Vision
        let w = v.width, h = v.mlpHidden, p = v.patchSize
        func layerNorm(_ m: String, _ dim: Int) throws -> Norm {
            Norm(weight: try store.tensor("\(m).weight", shape: [dim]), bias: try store.tensor("\(m).bias", shape: [dim]))
        }
        var patch = try store.tensor("\(N.patchEmbed).weight", shape: [w, 3, p, p])
        let fastPatch = packs ? FastLinear(weight: patch, outFeatures: w, inFeatures: 3 * p * p) : nil
        if packs { patch = [] }
        self.patch = patch
        patchBias = try store.tensor("\(N.patchEmbed).bias", shape: [w])
        cls = try store.tensor(N.clsToken, shape: [1, 1, w])
        pos = try store.tensor(N.posEmbed, shape: [1, v.tokens, w])
        norm = try layerNorm(N.norm, w)
        var fastBlocks: [FastProjections.Block] = []
        blocks = try (0..<v.layers).map { l in
            let b = store.scope(N.block(l))
            let q = try b.tensor(N.attnQ, shape: [w, w])
            let k = try b.tensor(N.attnK, shape: [w, w])
            let vv = try b.tensor(N.attnV, shape: [w, w])
            let qb = try b.tensor(N.attnQBias, shape: [w])
            let vb = try b.tensor(N.attnVBias, shape: [w])
            let gate = try b.tensor("\(N.ffnGate).weight", shape: [h, w])
            let up = try b.tensor("\(N.ffnUp).weight", shape: [h, w])
            var block = Block(
                norm1: try layerNorm(b.name(N.attnNorm), w),
                qkv: q + k + vv,
                qkvBias: qb + [Float](repeating: 0, count: w) + vb,
                subNorm: try layerNorm(b.name(N.attnSubNorm), w),
                proj: try b.tensor("\(N.attnOut).weight", shape: [w, w]),
                projBias: try b.tensor("\(N.attnOut).bias", shape: [w]),
                norm2: try layerNorm(b.name(N.ffnNorm), w),
                gateUp: gate + up,
                gateUpBias: try b.tensor("\(N.ffnGate).bias", shape: [h]) + b.tensor("\(N.ffnUp).bias", shape: [h]),
                ffnNorm: try layerNorm(b.name(N.ffnSubNorm), h),
                down: try b.tensor("\(N.ffnDown).weight", shape: [w, h]),
                downBias: try b.tensor("\(N.ffnDown).bias", shape: [w]))
            if packs {
                // Packed, then the float32 copies of this block go: one block's float32 at a time.
                fastBlocks.append(FastProjections.Block(
                    qkv: FastLinear(weight: block.qkv, outFeatures: 3 * w, inFeatures: w),
                    proj: FastLinear(weight: block.proj, outFeatures: w, inFeatures: w),
                    gateUp: FastLinear(weight: block.gateUp, outFeatures: 2 * h, inFeatures: w),
                    down: FastLinear(weight: block.down, outFeatures: w, inFeatures: h)))
                block.qkv = []; block.proj = []; block.gateUp = []; block.down = []
            }
            return block
        }
        fast = fastPatch.map { FastProjections(patch: $0, blocks: fastBlocks) }
    }
}
