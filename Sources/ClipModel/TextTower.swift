// jina-clip-v2 text tower: Jina-XLM-RoBERTa (post-LN, NeoX RoPE) with the retrieval.query LoRA adapter,
// then mean pooling over non-pad tokens (spec §2).
//
// Sequences are packed row after row WITHOUT padding ("varlen"): sequence s occupies rows
// starts[s] ..< starts[s] + len[s] of every activation, N = Σ len rows in all. Trailing pad ids are
// dropped first: as keys they only ever received −10000 (their softmax weight underflows to 0) and
// pooling skips them, so no result changes — only the wasted rows go (a 32-caption batch padded to
// its longest caption does ~30 % fewer FLOPs). Pad ids inside a sequence keep the −10000 key bias.
//
// Shapes: d = hidden, H heads of D = d/H, F = ffn. Per layer (all rows of all sequences through each
// projection as ONE call of a PackedLinear):
//   qkv[N, 3d] = x·Wqkvᵀ + b        q = qkv[:, 0:d], k = qkv[:, d:2d], v = qkv[:, 2d:3d]
//   RoPE(q), RoPE(k) at positions 0..len−1 of each sequence
//   ctx[N, d] = softmax(q·kᵀ/√D + keyBias)·v  per sequence and head (direct kernel, threads over pairs)
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
    private let ff = ScratchBuffer(), keyBias = ScratchBuffer()
    private let linearWorkspace = PackedLinear.Workspace(), attentionScratch = Attention.Scratch()
    /// Wall time per stage when set (bench --profile).
    var profile: StageProfile?

    init(config: TextConfig, weights: TextWeights) {
        self.config = config
        self.weights = weights
        rope = NeoXRope(headDim: config.headDim, base: config.rotaryEmbBase, positions: 64)
    }

    /// Raw pooled features [B][d] of id sequences (any lengths; trailing pad ids are ignored). Every
    /// sequence must hold at least one non-pad id (checked by the caller).
    func forward(ids sequences: [[Int32]], trace: Trace?) -> [[Float]] {
        let c = config, w = weights
        let d = c.hiddenSize, hd = c.headDim, nh = c.numAttentionHeads, f = c.intermediateSize
        let eps = c.layerNormEps
        let pad = Int32(c.padTokenId)
        let ids = sequences.map { seq in Array(seq[..<((seq.lastIndex { $0 != pad } ?? -1) + 1)]) }
        let lengths = ids.map(\.count)
        var starts: [Int] = []
        var n = 0
        for l in lengths { starts.append(n); n += l }
        let b = ids.count, maxLen = lengths.max() ?? 0
        rope.ensure(positions: maxLen)
        let x = self.x.reserve(n * d), qkv = self.qkv.reserve(n * 3 * d), ctx = self.ctx.reserve(n * d)
        let tmp = self.tmp.reserve(n * d), ff = self.ff.reserve(n * f)
        let bias = keyBias.reserve(n)
        // Trace shape: [B, S, d] when all sequences have one length (always for B = 1), else [1, N, d].
        let traceShape = Set(lengths).count <= 1 ? [b, maxLen, d] : [1, n, d]

        let prof = profile
        // Embeddings: E'[id] + T'[0], then emb_ln.
        prof.stage("embed") {
            for s in 0..<b {
                for (t, id) in ids[s].enumerated() {
                    let row = x + (starts[s] + t) * d
                    w.wordEmbeddings.row(Int(id), into: row)
                    w.tokenType0.withUnsafeBufferPointer { VectorOps.add($0.baseAddress!, into: row, count: d) }
                    bias[starts[s] + t] = id == pad ? -10000 : 0
                }
            }
        }
        prof.stage("layernorm") {
            LayerNorm.apply(x, rows: n, dim: d, weight: w.embLN.weight, bias: w.embLN.bias, eps: eps, into: x)
        }
        trace?("text.embed", self.x.array(n * d), traceShape)

        let scale = 1 / Float(hd).squareRoot()
        let ws = linearWorkspace
        for (l, layer) in w.layers.enumerated() {
            prof.stage("qkv") { layer.qkv.apply(x, rows: n, into: qkv, workspace: ws) }
            prof.stage("rope") {
                for s in 0..<b {
                    let base = qkv + starts[s] * 3 * d
                    rope.apply(base, rows: lengths[s], ld: 3 * d, heads: nh)          // q
                    rope.apply(base + d, rows: lengths[s], ld: 3 * d, heads: nh)      // k
                }
            }
            prof.stage("attention") {
                Attention.packedSequences(q: qkv, ldq: 3 * d, k: qkv + d, ldk: 3 * d, v: qkv + 2 * d, ldv: 3 * d,
                                          starts: starts, lengths: lengths, heads: nh, headDim: hd, scale: scale,
                                          keyBias: bias, out: ctx, ldo: d, scratch: attentionScratch)
            }
            prof.stage("out_proj") { layer.out.apply(ctx, rows: n, into: tmp, workspace: ws) }
            prof.stage("residual") { VectorOps.add(x, into: tmp, count: n * d) }
            prof.stage("layernorm") {
                LayerNorm.apply(tmp, rows: n, dim: d, weight: layer.norm1.weight, bias: layer.norm1.bias, eps: eps, into: x)
            }

            prof.stage("fc1") { layer.fc1.apply(x, rows: n, into: ff, workspace: ws) }
            prof.stage("gelu") { Activation.geluErf(ff, count: n * f) }
            prof.stage("fc2") { layer.fc2.apply(ff, rows: n, into: tmp, workspace: ws) }
            prof.stage("residual") { VectorOps.add(x, into: tmp, count: n * d) }
            prof.stage("layernorm") {
                LayerNorm.apply(tmp, rows: n, dim: d, weight: layer.norm2.weight, bias: layer.norm2.bias, eps: eps, into: x)
            }
            trace?("text.layer.\(l)", self.x.array(n * d), traceShape)
        }

        var pooled: [[Float]] = []
        pooled.reserveCapacity(b)
        for s in 0..<b {
            var acc = [Double](repeating: 0, count: d)
            var count = 0
            for (t, id) in ids[s].enumerated() where id != pad {
                let row = x + (starts[s] + t) * d
                for j in 0..<d { acc[j] += Double(row[j]) }
                count += 1
            }
            pooled.append(acc.map { Float($0 / Double(max(count, 1))) })
        }
        trace?("text.pooled", pooled.flatMap { $0 }, [b, d])
        return pooled
    }
}
