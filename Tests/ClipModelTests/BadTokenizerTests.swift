// A model directory whose tokenizer.json has an unknown component or no vocab: loading the model
// still works (weights and images are fine), text embedding fails with a clear error naming the file,
// and image embedding in the same model keeps working.
@testable import ClipModel
import Foundation
import Testing
import TestSupport

@Suite struct BadTokenizerTests {
    /// The tiny model directory with its tokenizer.json edited by `edit`.
    func directory(_ edit: (inout [String: Any]) -> Void) throws -> URL {
        let dir = try modelDirectory(weights: Data(contentsOf: Fixtures.tiny("model.safetensors")))
        var json = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.tiny("tokenizer.json"))) as? [String: Any])
        edit(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: dir.appendingPathComponent("tokenizer.json"))
        return dir
    }

    /// Text embedding's error, and that images still embed to the fixture values.
    func textError(_ dir: URL) throws -> String {
        let m = try ClipEmbedder.load(directory: dir, threads: 1)
        var message = ""
        do {
            _ = try m.embed(texts: ["a cat"])
            Issue.record("text embedded with a broken tokenizer.json")
        } catch { message = "\(error)" }
        let img = try m.embed(pixelValues: try Tiny.pixels, count: 4)
        #expect(maxDiff(img, try Tiny.rows("image_embeddings.npy")) <= 1e-5)
        return message
    }

    @Test func unknownNormalizerType() throws {
        let msg = try textError(try directory { $0["normalizer"] = ["type": "Lowercase2000"] })
        #expect(msg.contains("tokenizer.json"), "\(msg)")
        #expect(msg.contains("Lowercase2000"), "\(msg)")
    }

    @Test func vocabRemoved() throws {
        let msg = try textError(try directory { j in
            var model = j["model"] as! [String: Any]
            model["vocab"] = nil
            j["model"] = model
        })
        #expect(msg.contains("tokenizer.json"), "\(msg)")
        #expect(msg.contains("vocab"), "\(msg)")
    }

    @Test func notJSONAtAll() throws {
        let dir = try modelDirectory(weights: Data(contentsOf: Fixtures.tiny("model.safetensors")))
        try Data([0xff, 0x00, 0x7b]).write(to: dir.appendingPathComponent("tokenizer.json"))
        let msg = try textError(dir)
        #expect(msg.contains("tokenizer.json"), "\(msg)")
    }
}
