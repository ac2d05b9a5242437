// jina-clip-v2 vision tower: EVA02 ViT (spec §3.2–3.5).
//
// Shapes: B images of 3×S×S, p = patch size, G = S / p (the conv ignores the last S − G·p pixel
// rows/columns), P = G² patches, T = 1 + P tokens, N = B·T rows, w = width, H heads of D, h = SwiGLU width.
//   patches[B·P, 3·p·p] in (channel, ky, kx) order → x = patches·Wᵀ + b (ONE GEMM); prepend CLS; + pos
//   per block (pre-LN with sub-LN, eps 1e-6):
//     y = LN1(x);  qkv[N, 3w] = y·[Wq;Wk;Wv]ᵀ + [bq; 0; bv]
//     2-D interleaved RoPE on q, k of patch tokens (CLS, token 0, not rotated)
//     o = LN_inner(softmax(q·kᵀ·D^−½)·v);  x += o·Wprojᵀ + bproj   (attention: all images × heads in one
//        Attention.packedSequences call, the blocked kernel of attention.c)
//     y = LN2(x);  g[N, 2h] = y·[W1;W2]ᵀ + [b1;b2];  m = LN_ffn(SiLU(g[:, :h]) ⊙ g[:, h:]);  x += m·W3ᵀ + b3
//   final LN; output = CLS row.
// Precision `fast` runs the five projections (patch, qkv, proj, gate_up, down) as FastLinear GEMMs
// (bfloat16 operands, float32 sums); everything else above stays float32. Exact projections run through
// oneDNN (one call per image: M = P for the patch embedding, T for the blocks) or OpenBLAS (one call for
// all B images), as `GemmBackend` picks at load.
import Foundation
import Kernels

final class VisionTower {
    let config: VisionConfig
    let weights: VisionWeights
    let rope: EvaRope2D
    private let patches = ScratchBuffer(), x = ScratchBuffer(), y = ScratchBuffer(), qkv = ScratchBuffer()
    private let ctx = ScratchBuffer(), gateUp = ScratchBuffer(), hidden = ScratchBuffer()
    private let attention = Attention.Scratch()
    /// Wall time per stage when set (bench --profile).
    var profile: StageProfile?
    /// The projections packed for precision `fast` (nil: exact).
    var fast: VisionWeights.FastProjections? { weights.fast }
    private let fastScratch = FastLinear.Scratch()
    /// oneDNN's temporaries, one buffer for every primitive of the tower (they run one at a time).
    private let dnnlScratch = ScratchBuffer()
    /// A fast tower's float32 weights, loaded again from the checkpoint the first time a float32 GEMM is
    /// needed (an `exact` forward, or the range guard's fallback) and kept from then on.
    private let reloadExact: (() throws -> VisionWeights)?
    private var exact: VisionWeights?

    /// `reloadExact` (required for a fast load): the exact weights of the same checkpoint.
    init(config: VisionConfig, weights: VisionWeights, reloadExact: (() throws -> VisionWeights)? = nil) {
        self.config = config
        self.weights = weights
        self.reloadExact = reloadExact
        exact = weights.hasExactProjections ? weights : nil
        rope = EvaRope2D(headDim: config.headWidth, grid: config.grid, ptSeqLen: config.intpFreq ? config.ptHwSeqLen : config.grid)
    }

    /// The float32 weights (a fast tower loads them on first use; the caller holds the tower's lock).
    func exactWeights() throws -> VisionWeights {
        if let exact { return exact }
        guard let reloadExact else { throw ClipModelError.invalidInput("this fast vision tower cannot load its float32 weights") }
        let loaded = try reloadExact()
        exact = loaded
        return loaded
    }

    /// The float32 weights when in memory: always for an exact tower; for a fast one after a float32 GEMM
    /// was needed (nil before).
    var loadedExactWeights: VisionWeights? { exact }

    /// y = x·Wᵀ + b for projection `p` of block `layer`: the fast twin when there is one (float32 when its
    /// range guard refuses x), else oneDNN or OpenBLAS, whichever holds the float32 weights.
    private func linear(_ p: GemmBackend.Projection, layer: Int = 0, fast: VisionWeights.FastProjections?,
                        _ x: UnsafePointer<Float>, rows: Int, inFeatures: Int, outFeatures: Int, bias: [Float],
                        into y: UnsafeMutablePointer<Float>) throws {
        if let fast = fast?.linear(p, layer: layer) {
            let ok = bias.withUnsafeBufferPointer { b in
                fast.apply(x, rows: rows, bias: b.baseAddress, into: y, scratch: fastScratch) {}
            }
            if ok { return }
        }
        let exact = try exactWeights()
        if let onednn = exact.onednn?.linear(p, layer: layer) {
            try onednn.apply(x, count: rows, into: y, scratch: dnnlScratch)
            return
        }
        Gemm.linear(x, rows: rows, inFeatures: inFeatures, weight: exact.floats(p, layer: layer), outFeatures: outFeatures,
                    bias: bias, into: y)
    }

    /// CLS features [B][w] after the final LayerNorm, for pixels [B, 3, S, S] (CHW per image).
    /// `exact`: float32 GEMMs even when the tower has fast weights (bench compares both in one run).
    func forward(pixels: UnsafePointer<Float>, count b: Int, exact: Bool = false, trace: Trace?) throws -> [[Float]] {
        let fast = exact ? nil : self.fast
        let v = config, wts = weights
        let s = v.imageSize, p = v.patchSize, g = v.grid, np = v.patches, tk = v.tokens
        let w = v.width, nh = v.heads, hd = v.headWidth, h = v.mlpHidden, n = b * tk, eps = v.layerNormEps
        let kp = 3 * p * p
        let pt = patches.reserve(b * np * kp), x = self.x.reserve(n * w), y = self.y.reserve(max(n * w, b * np * w))
        let qkv = self.qkv.reserve(n * 3 * w), ctx = self.ctx.reserve(n * w)
        let gu = gateUp.reserve(n * 2 * h), hid = hidden.reserve(n * h)
        let starts = (0..<b).map { $0 * tk }, lengths = [Int](repeating: tk, count: b)

        let prof = profile
        // Patch matrix: row (img, r, c), column (ch, ky, kx).
        prof.stage("patches") {
            for img in 0..<b {
                let src = pixels + img * 3 * s * s
                for r in 0..<g {
                    for c in 0..<g {
                        let row = pt + ((img * g + r) * g + c) * kp
                        for ch in 0..<3 {
                            for ky in 0..<p {
                                let from = src + ch * s * s + (r * p + ky) * s + c * p
                                (row + (ch * p + ky) * p).update(from: from, count: p)
                            }
                        }
                    }
                }
            }
        }
        try prof.stage("patch_embed") {
            try linear(.patchEmbed, fast: fast, pt, rows: b * np, inFeatures: kp, outFeatures: w, bias: wts.patchBias, into: y)
        }
        prof.stage("cls_pos") {
            wts.cls.withUnsafeBufferPointer { cls in
                wts.pos.withUnsafeBufferPointer { pos in
                    for img in 0..<b {
                        let xi = x + img * tk * w
                        xi.update(from: cls.baseAddress!, count: w)
                        (xi + w).update(from: y + img * np * w, count: np * w)
                        VectorOps.add(pos.baseAddress!, into: xi, count: tk * w)
                    }
                }
            }
        }
        trace?("vision.embed", self.x.array(n * w), [b, tk, w])

        let scale = 1 / Float(hd).squareRoot()
        for (l, blk) in wts.blocks.enumerated() {
            prof.stage("layernorm") {
                LayerNorm.apply(x, rows: n, dim: w, weight: blk.norm1.weight, bias: blk.norm1.bias, eps: eps, into: y)
            }
            try prof.stage("qkv") {
                try linear(.qkv, layer: l, fast: fast, y, rows: n, inFeatures: w, outFeatures: 3 * w, bias: blk.qkvBias, into: qkv)
            }
            prof.stage("rope") {
                for img in 0..<b {
                    let base = qkv + img * tk * 3 * w
                    rope.apply(base + 3 * w, ld: 3 * w, heads: nh)          // q of patch tokens
                    rope.apply(base + 3 * w + w, ld: 3 * w, heads: nh)      // k of patch tokens
                }
            }
            // All (image, head) pairs at once, split over the threads (blocked kernel, attention.c).
            prof.stage("attention") {
                Attention.packedSequences(q: qkv, ldq: 3 * w, k: qkv + w, ldk: 3 * w, v: qkv + 2 * w, ldv: 3 * w,
                                          starts: starts, lengths: lengths, heads: nh, headDim: hd, scale: scale,
                                          keyBias: nil, out: ctx, ldo: w, scratch: attention)
            }
            prof.stage("layernorm") {
                LayerNorm.apply(ctx, rows: n, dim: w, weight: blk.subNorm.weight, bias: blk.subNorm.bias, eps: eps, into: ctx)
            }
            try prof.stage("proj") {
                try linear(.proj, layer: l, fast: fast, ctx, rows: n, inFeatures: w, outFeatures: w, bias: blk.projBias, into: y)
            }
            prof.stage("residual") { VectorOps.add(y, into: x, count: n * w) }

            prof.stage("layernorm") {
                LayerNorm.apply(x, rows: n, dim: w, weight: blk.norm2.weight, bias: blk.norm2.bias, eps: eps, into: y)
            }
            try prof.stage("gate_up") {
                try linear(.gateUp, layer: l, fast: fast, y, rows: n, inFeatures: w, outFeatures: 2 * h, bias: blk.gateUpBias, into: gu)
            }
            prof.stage("swiglu") { Activation.swigluRows(gu, ld: 2 * h, upOffset: h, rows: n, count: h, into: hid, ldo: h) }
            prof.stage("layernorm") {
                LayerNorm.apply(hid, rows: n, dim: h, weight: blk.ffnNorm.weight, bias: blk.ffnNorm.bias, eps: eps, into: hid)
            }
            try prof.stage("down") {
                try linear(.down, layer: l, fast: fast, hid, rows: n, inFeatures: h, outFeatures: w, bias: blk.downBias, into: y)
            }
            prof.stage("residual") { VectorOps.add(y, into: x, count: n * w) }
            trace?("vision.block.\(l)", self.x.array(n * w), [b, tk, w])
        }
        prof.stage("layernorm") {
            LayerNorm.apply(x, rows: n, dim: w, weight: wts.norm.weight, bias: wts.norm.bias, eps: eps, into: x)
        }
        trace?("vision.norm", self.x.array(n * w), [b, tk, w])
        return (0..<b).map { img in Array(UnsafeBufferPointer(start: x + img * tk * w, count: w)) }
    }
}
