// jina-clip-v2 text tower: Jina-XLM-RoBERTa (post-LN, NeoX RoPE) with the merged LoRA adapter, then
// mean pooling over non-pad tokens (spec §2).
//
// Shapes: B sequences right-padded to S tokens, N = B·S rows, d = hidden, H heads of D = d/H, F = ffn.
// Per layer (rows of all sequences go through each projection as ONE GEMM):
//   qkv[N, 3d] = x·Wqkvᵀ + b        q = qkv[:, 0:d], k = qkv[:, d:2d], v = qkv[:, 2d:3d]
//   RoPE(q), RoPE(k) at positions 0..S−1 of each sequence (pads included, they are masked as keys)
//   ctx[N, d] = softmax(q·kᵀ/√D + keyBias)·v   keyBias = −10000 on pad keys (not −inf, as officially)
//   x = LN(x + ctx·Woᵀ + bo)                 (norm1)
//   x = LN(x + GELU(x·W1ᵀ + b1)·W2ᵀ + b2)    (norm2)
// Pooling: mean over tokens with id ≠ pad (incl. <s> and </s>).
import Foundation
import Kernels

final class TextTower {
    let config: TextConfig
    let weights: TextWeights
    private var rope: NeoXRope
    // Workspace
    private let x = ScratchBuffer(), qkv = ScratchBuffer(), ctx = ScratchBuffer(), tmp = ScratchBuffer()
    private let ff = ScratchBuffer(), scores = ScratchBuffer(), keyBias = ScratchBuffer()

    init(config: TextConfig, weights: TextWeights) {
        self.config = config
        self.weights = weights
        rope = NeoXRope(headDim: config.headDim, base: config.rotaryEmbBase, positions: 64)
    }

    /// Raw pooled features [B][d] of right-padded id rows (all the same length S).
    func forward(ids: [[Int32]], trace: Trace?) -> [[Float]] {
        let c = config, w = weights
        let b = ids.count, s = ids.first?.count ?? 0
        let d = c.hiddenSize, hd = c.headDim, nh = c.numAttentionHeads, f = c.intermediateSize
        let n = b * s, eps = c.layerNormEps
        let pad = Int32(c.padTokenId)
        rope.ensure(positions: s)
        let x = self.x.reserve(n * d), qkv = self.qkv.reserve(n * 3 * d), ctx = self.ctx.reserve(n * d)
        let tmp = self.tmp.reserve(n * d), ff = self.ff.reserve(n * f), sc = scores.reserve(s * s)
        let bias = keyBias.reserve(n)

        // Embeddings: E'[id] + T'[0], then emb_ln.
        for r in 0..<b {
            for t in 0..<s {
                let id = ids[r][t]
                let row = x + (r * s + t) * d
                w.wordEmbeddings.row(Int(id), into: row)
                w.tokenType0.withUnsafeBufferPointer { VectorOps.add($0.baseAddress!, into: row, count: d) }
                bias[r * s + t] = id == pad ? -10000 : 0
            }
        }
        LayerNorm.apply(x, rows: n, dim: d, weight: w.embLN.weight, bias: w.embLN.bias, eps: eps, into: x)
        trace?("text.embed", self.x.array(n * d), [b, s, d])

        let scale = 1 / Float(hd).squareRoot()
        for (l, layer) in w.layers.enumerated() {
            Gemm.linear(x, rows: n, inFeatures: d, weight: layer.qkv, outFeatures: 3 * d, bias: layer.qkvBias, into: qkv)
            for r in 0..<b {
                let base = qkv + r * s * 3 * d
                rope.apply(base, rows: s, ld: 3 * d, heads: nh)          // q
                rope.apply(base + d, rows: s, ld: 3 * d, heads: nh)      // k
                Attention.multiHead(q: base, ldq: 3 * d, k: base + d, ldk: 3 * d, v: base + 2 * d, ldv: 3 * d,
                                    tokens: s, heads: nh, headDim: hd, scale: scale, keyBias: bias + r * s,
                                    out: ctx + r * s * d, ldo: d, scores: sc)
            }
            Gemm.linear(ctx, rows: n, inFeatures: d, weight: layer.out, outFeatures: d, bias: layer.outBias, into: tmp)
            VectorOps.add(x, into: tmp, count: n * d)
            LayerNorm.apply(tmp, rows: n, dim: d, weight: layer.norm1.weight, bias: layer.norm1.bias, eps: eps, into: x)

            Gemm.linear(x, rows: n, inFeatures: d, weight: layer.fc1, outFeatures: f, bias: layer.fc1Bias, into: ff)
            Activation.geluErf(ff, count: n * f)
            Gemm.linear(ff, rows: n, inFeatures: f, weight: layer.fc2, outFeatures: d, bias: layer.fc2Bias, into: tmp)
            VectorOps.add(x, into: tmp, count: n * d)
            LayerNorm.apply(tmp, rows: n, dim: d, weight: layer.norm2.weight, bias: layer.norm2.bias, eps: eps, into: x)
            trace?("text.layer.\(l)", self.x.array(n * d), [b, s, d])
        }

        var pooled: [[Float]] = []
        pooled.reserveCapacity(b)
        for r in 0..<b {
            var acc = [Double](repeating: 0, count: d)
            var count = 0
            for t in 0..<s where ids[r][t] != pad {
                let row = x + (r * s + t) * d
                for j in 0..<d { acc[j] += Double(row[j]) }
                count += 1
            }
            pooled.append(acc.map { Float($0 / Double(count)) })
        }
        trace?("text.pooled", pooled.flatMap { $0 }, [b, d])
        return pooled
    }
}
