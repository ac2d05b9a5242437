// `bench --profile`'s stage timing: a profile attached to the embedder sees every stage of both towers,
// with time in each; results are the same with and without it; a detached profile records nothing more.
// "The same" is up to float rounding (1e-6, vectors of norm 1): other tests running in parallel set the
// process-wide BLAS thread count between the two calls, and OpenBLAS may then sum in another order. A
// profile that skipped or repeated a stage would move the vectors by far more.
import ClipModel
import Foundation
import Kernels
import Testing
import TestSupport

@Suite struct StageProfileTests {
    @Test func towersReportTheirStagesAndResultsDoNotChange() throws {
        let m = try ClipEmbedder.load(directory: Fixtures.tiny, threads: 1)
        let ids = try Tiny.textIDs, pix = try Tiny.pixels
        let plainText = try m.embed(tokenIDs: ids), plainImages = try m.embed(pixelValues: pix, count: 4)

        let p = StageProfile()
        m.profile = p
        let text = try m.embed(tokenIDs: ids)
        #expect(p.order == ["embed", "layernorm", "qkv", "rope", "attention", "out_proj", "residual", "fc1", "gelu", "fc2"])
        #expect(p.order.allSatisfy { (p.nanoseconds[$0] ?? 0) > 0 })
        #expect(maxDiff(text, plainText) <= 1e-6)

        p.reset()
        #expect(p.order.isEmpty && p.totalNanoseconds == 0)
        let images = try m.embed(pixelValues: pix, count: 4)
        #expect(p.order == ["patches", "patch_embed", "cls_pos", "layernorm", "qkv", "rope", "attention", "proj",
                            "residual", "gate_up", "swiglu", "down"])
        #expect(maxDiff(images, plainImages) <= 1e-6)
        let table = p.table(title: "t")
        #expect(table.hasPrefix("t: ") && table.contains("  gate_up ") && table.contains(" %\n"))

        m.profile = nil
        let before = p.totalNanoseconds
        _ = try m.embed(tokenIDs: ids)
        #expect(p.totalNanoseconds == before)
    }
}
