// Text tower weights (XLM-R flash backbone), loaded from either checkpoint layout.
//
// Official layout: the retrieval.query LoRA adapter (spec §5.3) is applied as a separate rank-r term,
//   linear     y = x·Wᵀ + b + (x·A[a]ᵀ)·(s·B[a])ᵀ         (= x·(W + s · lora_B[a] @ lora_A[a])ᵀ + b)
//   embedding  E' = E + s · lora_A[a] @ lora_B[a]      ([rows, r] @ [r, d] — note the swapped order)
// with s = lora_alpha / lora_rank and a = index of default_lora_task. Projection weights stay in their
// stored element type (F16/BF16/F32), packed into panels once (Kernels/PackedLinear): 0.6 GB instead of a
// 1.2 GB float32 copy, and the short-query forward streams half the bytes. Never merged into a 16-bit
// copy, so no digit is lost. The 250,002 × 1024 word table
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
        var qkv: PackedLinear  // [3d, d] rows [q; k; v], bias [3d]
        var out: PackedLinear  // [d, d]
        var norm1: Norm
        var fc1: PackedLinear  // [ff, d]
        var fc2: PackedLinear  // [d, ff]
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
        /// A projection kept in its stored element type, packed; the adapter (official layout) stays a
        /// separate rank-r term. The mapped pages of W are released once packed.
        func linear(_ m: String, out: Int, in inF: Int) throws -> PackedLinear {
            let bias = try store.tensor("\(m).bias", shape: [out])
            let name = layout == .merged ? "\(m).\(N.weight)" : "\(m).\(N.loraOriginal)"
            let info = try store.info(name, shape: [out, inF])
            let kind: PackedLinear.Kind = info.dtype == .f32 ? .f32 : (info.dtype == .f16 ? .f16 : .bf16)
            var la: [Float] = [], lb: [Float] = [], rank = 0
            if layout == .official {
                let aAll = try store.tensor("\(m).\(N.loraA)", shape: [nAd, r, inF])
                let bAll = try store.tensor("\(m).\(N.loraB)", shape: [nAd, out, r])
                la = Array(aAll[(a * r * inF)..<((a + 1) * r * inF)])
                lb = bAll[(a * out * r)..<((a + 1) * out * r)].map { $0 * s }
                rank = r
            }
            let packed = PackedLinear(weight: store.file.rawPointer(info), kind: kind, outFeatures: out, inFeatures: inF,
                                      bias: bias, loraA: la, loraB: lb, rank: rank)
            store.file.releasePages(info)
            return packed
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
                out: try linear(m(N.Text.attnOut), out: d, in: d),
                norm1: try norm(m(N.Text.attnNorm), d),
                fc1: try linear(m(N.Text.ffnUp), out: c.intermediateSize, in: d),
                fc2: try linear(m(N.Text.ffnDown), out: d, in: c.intermediateSize),
                norm2: try norm(m(N.Text.ffnNorm), d))
        }
    }
}
