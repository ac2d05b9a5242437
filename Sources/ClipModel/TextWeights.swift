// Text tower weights (XLM-R flash backbone), loaded from either checkpoint layout.
//
// Official layout: the retrieval.query LoRA adapter is merged ONCE here, in FP32 (spec §5.3):
//   linear     W' = W + s · lora_B[a] @ lora_A[a]      ([out, r] @ [r, in])
//   embedding  E' = E + s · lora_A[a] @ lora_B[a]      ([rows, r] @ [r, d] — note the swapped order)
// with s = lora_alpha / lora_rank and a = index of default_lora_task. The 250,002 × 1024 word table
// stays in its stored (mapped, usually 16-bit) form; rows are converted on lookup and get their rank-r
// delta there (`EmbeddingTable`).
import Kernels
import SafeTensors

/// A token-embedding table read row by row from the mapped checkpoint, plus an optional low-rank delta.
final class EmbeddingTable: @unchecked Sendable {
    let file: SafeTensorsFile          // keeps the mapping alive
    let info: TensorInfo               // [rows, dim]
    let rows: Int
    let dim: Int
    let rank: Int
    let loraA: [Float]                 // [rows, rank] of the selected adapter (empty when merged)
    let loraB: [Float]                 // [rank, dim], already multiplied by the LoRA scale

    init(file: SafeTensorsFile, info: TensorInfo, loraA: [Float], loraB: [Float], rank: Int) {
        self.file = file; self.info = info
        self.rows = info.shape[0]; self.dim = info.shape[1]
        self.loraA = loraA; self.loraB = loraB; self.rank = rank
    }

    /// dst[0..<dim] = E'[row]
    func row(_ row: Int, into dst: UnsafeMutablePointer<Float>) {
        file.read(info, elements: row * dim, count: dim, into: dst)
        guard rank > 0 else { return }
        for k in 0..<rank {
            let a = loraA[row * rank + k]
            if a == 0 { continue }
            loraB.withUnsafeBufferPointer { b in
                let bk = b.baseAddress! + k * dim
                for j in 0..<dim { dst[j] += a * bk[j] }
            }
        }
    }

    /// Memory held in FP32 (the LoRA factors); the table itself stays mapped.
    var residentFloats: Int { loraA.count + loraB.count }
}

struct TextWeights {
    struct Layer {
        var qkv: [Float]       // [3d, d] rows [q; k; v]
        var qkvBias: [Float]   // [3d]
        var out: [Float]       // [d, d]
        var outBias: [Float]
        var norm1: Norm
        var fc1: [Float]       // [ff, d]
        var fc1Bias: [Float]
        var fc2: [Float]       // [d, ff]
        var fc2Bias: [Float]
        var norm2: Norm
    }
    struct Norm { var weight: [Float]; var bias: [Float] }

    var layout: CheckpointLayout
    var wordEmbeddings: EmbeddingTable
    var tokenType0: [Float]    // merged token-type row 0 [d] (type_vocab_size 1; the only id used)
    var embLN: Norm
    var layers: [Layer]

    init(store: WeightStore, config c: TextConfig) throws {
        typealias N = WeightNames
        let d = c.hiddenSize, r = c.loraRank, nAd = c.loraAdaptations.count, a = c.loraIndex, s = c.loraScale
        let layout: CheckpointLayout = store.contains("\(N.Text.wordEmbeddings).\(N.weight)") ? .merged : .official
        self.layout = layout

        func norm(_ m: String, _ dim: Int) throws -> Norm {
            Norm(weight: try store.tensor("\(m).weight", shape: [dim]), bias: try store.tensor("\(m).bias", shape: [dim]))
        }
        /// [out, in] weight with the adapter merged (official) or as stored (merged).
        func linear(_ m: String, out: Int, in inF: Int) throws -> [Float] {
            if layout == .merged { return try store.tensor("\(m).\(N.weight)", shape: [out, inF]) }
            var w = try store.tensor("\(m).\(N.loraOriginal)", shape: [out, inF])
            let la = try store.tensor("\(m).\(N.loraA)", shape: [nAd, r, inF])
            let lb = try store.tensor("\(m).\(N.loraB)", shape: [nAd, out, r])
            la.withUnsafeBufferPointer { A in
                lb.withUnsafeBufferPointer { B in
                    w.withUnsafeMutableBufferPointer { W in
                        Gemm.matmul(B.baseAddress! + a * out * r, lda: r, A.baseAddress! + a * r * inF, ldb: inF,
                                    into: W.baseAddress!, ldc: inF, m: out, n: inF, k: r, alpha: s, beta: 1)
                    }
                }
            }
            return w
        }
        /// (table info, A rows [rows, r], B·s [r, d]) of an embedding.
        func embedding(_ m: String, rows: Int) throws -> (TensorInfo, [Float], [Float]) {
            if layout == .merged {
                let info = try store.info("\(m).\(N.weight)", shape: [rows, d])
                store.file.releasePages(info)
                return (info, [], [])
            }
            let info = try store.info("\(m).\(N.loraOriginal)", shape: [rows, d])
            store.file.releasePages(info)   // the finiteness scan faulted the table in; lookups fault rows back
            let aInfo = try store.info("\(m).\(N.loraA)", shape: [nAd, rows, r])
            var la = [Float](repeating: 0, count: rows * r)
            if rows * r > 0 {
                la.withUnsafeMutableBufferPointer { store.file.read(aInfo, elements: a * rows * r, count: rows * r, into: $0.baseAddress!) }
            }
            let lb = try store.tensor("\(m).\(N.loraB)", shape: [nAd, r, d])
            let bScaled = lb[(a * r * d)..<((a + 1) * r * d)].map { $0 * s }
            return (info, la, bScaled)
        }

        let (wordInfo, wordA, wordB) = try embedding(N.Text.wordEmbeddings, rows: c.vocabSize)
        wordEmbeddings = EmbeddingTable(file: store.file, info: wordInfo, loraA: wordA, loraB: wordB,
                                        rank: layout == .official ? r : 0)
        let (typeInfo, typeA, typeB) = try embedding(N.Text.tokenTypeEmbeddings, rows: c.typeVocabSize)
        let typeTable = EmbeddingTable(file: store.file, info: typeInfo, loraA: typeA, loraB: typeB,
                                       rank: layout == .official ? r : 0)
        var t0 = [Float](repeating: 0, count: d)
        t0.withUnsafeMutableBufferPointer { typeTable.row(0, into: $0.baseAddress!) }
        tokenType0 = t0
        embLN = try norm(N.Text.embLN, d)

        layers = try (0..<c.numHiddenLayers).map { l in
            let p = N.Text.layer(l)
            func m(_ name: String) -> String { "\(p).\(name)" }
            return Layer(
                qkv: try linear(m(N.Text.attnQKV), out: 3 * d, in: d),
                qkvBias: try store.tensor("\(m(N.Text.attnQKV)).bias", shape: [3 * d]),
                out: try linear(m(N.Text.attnOut), out: d, in: d),
                outBias: try store.tensor("\(m(N.Text.attnOut)).bias", shape: [d]),
                norm1: try norm(m(N.Text.attnNorm), d),
                fc1: try linear(m(N.Text.ffnUp), out: c.intermediateSize, in: d),
                fc1Bias: try store.tensor("\(m(N.Text.ffnUp)).bias", shape: [c.intermediateSize]),
                fc2: try linear(m(N.Text.ffnDown), out: d, in: c.intermediateSize),
                fc2Bias: try store.tensor("\(m(N.Text.ffnDown)).bias", shape: [d]),
                norm2: try norm(m(N.Text.ffnNorm), d))
        }
    }
}
