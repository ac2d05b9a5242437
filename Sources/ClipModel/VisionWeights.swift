// EVA02 vision tower weights. Two fusions are done at load (exact, no arithmetic change):
//   q, k, v projections → one [3w, w] weight with bias [q_bias; 0; v_bias] (k has no bias),
//   w1 (gate) and w2 (up) → one [2h, w] weight, so each is one GEMM over all tokens.
// Precision `fast` packs the five projections (patch, qkv, proj, gate_up, down) into bfloat16 panels
// (`fast`) one block at a time as they load and keeps no float32 copy of them: their [Float] fields are
// empty, and a fast tower that must run float32 GEMMs loads them again (`VisionTower.exactWeights`).
// Precision `exact` with oneDNN (`GemmBackend.backend(for:)`) reorders each projection into its
// oneDNN primitive (`onednn`) as it loads, and likewise drops the [Float] copy: one float32 copy of each
// projection exists, in whichever library runs it.
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
    /// The projections as bfloat16 panels (precision `fast`; nil: exact).
    let fast: FastProjections?
    /// The projections inside oneDNN primitives (exact, where the backend table picks oneDNN; nil: the
    /// [Float] fields hold them for OpenBLAS, or the load was fast).
    let onednn: DnnlProjections?

    /// The five projections of the tower held one way: bfloat16 panels (`FastProjections`) or oneDNN
    /// primitives (`DnnlProjections`, nil where that projection runs through OpenBLAS on its [Float] weight,
    /// the table's choice per projection). oneDNN's patch primitive takes one image's patches per call, the
    /// block primitives one image's tokens.
    struct Projections<L> {
        struct Block { let qkv, proj, gateUp, down: L }
        let patch: L
        let blocks: [Block]
        func linear(_ p: GemmBackend.Projection, layer l: Int) -> L {
            p.pick(patch: patch, qkv: blocks[l].qkv, proj: blocks[l].proj, gateUp: blocks[l].gateUp, down: blocks[l].down)
        }
    }
    typealias FastProjections = Projections<FastLinear>
    typealias DnnlProjections = Projections<DnnlLinear?>

    /// The float32 weight of a projection (empty when `fast` or `onednn` holds it). `layer` is ignored for
    /// the patch embedding.
    func floats(_ p: GemmBackend.Projection, layer l: Int) -> [Float] {
        p.pick(patch: patch, qkv: blocks[l].qkv, proj: blocks[l].proj, gateUp: blocks[l].gateUp, down: blocks[l].down)
    }

    /// Whether a float32 GEMM can run without loading anything (false for a fast load).
    var hasExactProjections: Bool { fast == nil }

    /// `gemm`: the library for each float32 projection (default: `GemmBackend.backend(for:)`); `threads`:
    /// the OpenMP thread count the oneDNN primitives are made for (remade if a call uses another).
    init(store: WeightStore, config v: VisionConfig, precision: Precision = .exact,
         gemm: (GemmBackend.Projection) -> GemmBackend = GemmBackend.backend(for:), threads: Int = RowSplit.threads) throws {
        let packs = precision == .fast
        typealias N = WeightNames.Vision
        typealias P = GemmBackend.Projection
        let w = v.width, h = v.mlpHidden, p = v.patchSize
        func useDnnl(_ projection: P) -> Bool { !packs && gemm(projection) == .onednn }
        func layerNorm(_ m: String, _ dim: Int) throws -> Norm {
            Norm(weight: try store.tensor("\(m).weight", shape: [dim]), bias: try store.tensor("\(m).bias", shape: [dim]))
        }
        let dnnl = P.allCases.contains(where: useDnnl)
        /// The oneDNN layer of `projection` when the table (or `gemm`) gives it to oneDNN, else nil.
        /// A primitive oneDNN cannot make here (an implementation missing from the installed build) leaves that
        /// projection to OpenBLAS, which can run every shape: the same on every load on this machine.
        func dnnlLinear(_ projection: P, _ weight: [Float], rows: Int, out: Int, in k: Int, bias: [Float]) -> DnnlLinear? {
            guard useDnnl(projection) else { return nil }
            return try? DnnlLinear(weight: weight, rows: rows, outFeatures: out, inFeatures: k, bias: bias, threads: threads)
        }
        var patch = try store.tensor("\(N.patchEmbed).weight", shape: [w, 3, p, p])
        patchBias = try store.tensor("\(N.patchEmbed).bias", shape: [w])
        let fastPatch = packs ? FastLinear(weight: patch, outFeatures: w, inFeatures: 3 * p * p) : nil
        let dnnlPatch = dnnlLinear(.patchEmbed, patch, rows: v.patches, out: w, in: 3 * p * p, bias: patchBias)
        if packs || dnnlPatch != nil { patch = [] }
        self.patch = patch
        cls = try store.tensor(N.clsToken, shape: [1, 1, w])
        pos = try store.tensor(N.posEmbed, shape: [1, v.tokens, w])
        norm = try layerNorm(N.norm, w)
        var fastBlocks: [FastProjections.Block] = []
        var dnnlBlocks: [DnnlProjections.Block] = []
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
            } else if dnnl {
                // Reordered into oneDNN's layout, then the float32 arrays of this block go.
                let t = v.tokens
                let d = DnnlProjections.Block(
                    qkv: dnnlLinear(.qkv, block.qkv, rows: t, out: 3 * w, in: w, bias: block.qkvBias),
                    proj: dnnlLinear(.proj, block.proj, rows: t, out: w, in: w, bias: block.projBias),
                    gateUp: dnnlLinear(.gateUp, block.gateUp, rows: t, out: 2 * h, in: w, bias: block.gateUpBias),
                    down: dnnlLinear(.down, block.down, rows: t, out: w, in: h, bias: block.downBias))
                dnnlBlocks.append(d)
                if d.qkv != nil { block.qkv = [] }
                if d.proj != nil { block.proj = [] }
                if d.gateUp != nil { block.gateUp = [] }
                if d.down != nil { block.down = [] }
            }
            return block
        }
        fast = fastPatch.map { FastProjections(patch: $0, blocks: fastBlocks) }
        // nil when oneDNN made none of the primitives (every projection then runs through OpenBLAS).
        let made = DnnlProjections(patch: dnnlPatch, blocks: dnnlBlocks)
        onednn = dnnl && made.linears.contains { $0 != nil } ? made : nil
    }
}

extension VisionWeights.Projections where L == DnnlLinear? {
    /// Every projection's primitive, nil where OpenBLAS runs it: the patch embedding, then each block's four.
    var linears: [DnnlLinear?] { [patch] + blocks.flatMap { [$0.qkv, $0.proj, $0.gateUp, $0.down] } }

    /// "brg:avx512_core", …: the implementations in use, without repeats.
    var implementations: [String] {
        var seen: [String] = []
        for l in linears.compactMap({ $0 }) where !seen.contains(l.implementation) {
            seen.append(l.implementation)
        }
        return seen
    }
}

private extension GemmBackend.Projection {
    /// The argument named after this projection (only that one is evaluated).
    func pick<L>(patch: @autoclosure () -> L, qkv: @autoclosure () -> L, proj: @autoclosure () -> L,
                 gateUp: @autoclosure () -> L, down: @autoclosure () -> L) -> L {
        switch self {
        case .patchEmbed: return patch()
        case .qkv: return qkv()
        case .proj: return proj()
        case .gateUp: return gateUp()
        case .down: return down()
        }
    }
}
