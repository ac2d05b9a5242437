// Tier 4 (env-gated): a full-size checkpoint against the NumPy float64 reference. Prepare with
//   python3 Scripts/fixtures/make_random_checkpoint.py /tmp/jcv2-random
//   python3 Scripts/fixtures/full_size_reference.py /tmp/jcv2-random --reference …/jina_clip_v2_reference.py
// then run CLIPSCOPE_FULL_MODEL_DIR=/tmp/jcv2-random swift test --filter FullSizeTests.
import ClipModel
import Foundation
import Testing
import TestSupport

private let fullDir = ProcessInfo.processInfo.environment["CLIPSCOPE_FULL_MODEL_DIR"]

@Suite(.enabled(if: fullDir != nil, "set CLIPSCOPE_FULL_MODEL_DIR to a full-size model with reference/ outputs"))
struct FullSizeTests {
    var dir: URL { URL(fileURLWithPath: fullDir ?? "/nonexistent") }
    var ref: URL { dir.appendingPathComponent("reference") }

    func rows(_ name: String) throws -> [[Float]] {
        let a = try NPY.load(ref.appendingPathComponent(name))
        let w = a.shape.last!
        return stride(from: 0, to: a.count, by: w).map { Array(a.floats[$0..<($0 + w)]) }
    }

    @Test func textAndImageMatchTheReference() throws {
        let m = try ClipEmbedder.load(directory: dir)
        let info = try JSONSerialization.jsonObject(with: Data(contentsOf: ref.appendingPathComponent("texts.json"))) as! [String: Any]
        let texts = info["texts"] as! [String]
        let ids = (info["ids"] as! [[NSNumber]]).map { $0.map(\.int32Value) }
        #expect(try m.tokenize(texts) == ids)
        let e = try m.embed(texts: texts)
        let want = try rows("text_embeddings.npy")
        #expect(maxDiff(e, want) <= 1e-4, "text: \(maxDiff(e, want))")
        let q = try m.embed(texts: texts, asQuery: true)
        let wantQ = try rows("text_query_embeddings.npy")
        #expect(maxDiff(q, wantQ) <= 1e-4)
        print("full-size max |Δ|: text \(maxDiff(e, want)), query \(maxDiff(q, wantQ))")
        let pixURL = ref.appendingPathComponent("image_pixel_values.npy")
        if FileManager.default.fileExists(atPath: pixURL.path) {
            let img = try m.embed(pixelValues: try NPY.load(pixURL).floats, count: 1)
            let wantImg = try rows("image_embedding.npy")
            #expect(maxDiff(img, wantImg) <= 1e-4, "image: \(maxDiff(img, wantImg))")
            print("full-size max |Δ|: image \(maxDiff(img, wantImg))")
        }
    }
}
