// `bench --profile`'s stage timing: a profile attached to the embedder sees every stage of both towers,
// with time in each; results are the same with and without it; a detached profile records nothing more.
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
        #expect(text == plainText)

        p.reset()
        #expect(p.order.isEmpty && p.totalNanoseconds == 0)
        let images = try m.embed(pixelValues: pix, count: 4)
        #expect(p.order == ["patches", "patch_embed", "cls_pos", "layernorm", "qkv", "rope", "attention", "proj",
                            "residual", "gate_up", "swiglu", "down"])
        #expect(images == plainImages)
        let table = p.table(title: "t")
        #expect(table.hasPrefix("t: ") && table.contains("  gate_up ") && table.contains(" %\n"))

        m.profile = nil
        let before = p.totalNanoseconds
        _ = try m.embed(tokenIDs: ids)
        #expect(p.totalNanoseconds == before)
    }
}
