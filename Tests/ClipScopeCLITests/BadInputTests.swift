// Bad inputs through the CLI, each next to a good input of the same call that must still
// come out right: odd images through `embed --image` (1×1, 1×10000, dangling and self-looping
// symlinks, a directory named x.jpg), hostile texts through `embed --text`, a config of another
// architecture, a broken tokenizer.json next to images, and a directory named x.jpg in `index`.
// The cases live in extensions of the two serialized suites whose process-wide state they share
// (the cache environment variable), so they never run concurrently with them.
@testable import ClipScopeCLI
import CLISupport
import ClipModel
import Foundation
import Retrieval
import Testing
import TestSupport

/// A finite, unit-length vector of `width` values.
func isUnitVector(_ v: [Float], width: Int) -> Bool {
    guard v.count == width, v.allSatisfy(\.isFinite) else { return false }
    let norm = v.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
    return abs(norm - 1) < 1e-4
}

extension EmbedCommandTests {
    @Test func oddImagesNextToAGoodOne() throws {
        let dir = try Fixtures.tempDirectory("clipscope-bad-images")
        let one = dir.appendingPathComponent("one.png"), strip = dir.appendingPathComponent("strip.png")
        try Data(TestPNG.solid(width: 1, height: 1, rgb: [200, 40, 90])).write(to: one)
        try Data(TestPNG.solid(width: 1, height: 10_000, rgb: [10, 120, 240])).write(to: strip)
        let dangling = dir.appendingPathComponent("gone.jpg"), loop = dir.appendingPathComponent("self.jpg")
        try FileManager.default.createSymbolicLink(atPath: dangling.path, withDestinationPath: "/nonexistent/gone.jpg")
        try FileManager.default.createSymbolicLink(atPath: loop.path, withDestinationPath: "self.jpg")
        let folder = dir.appendingPathComponent("x.jpg")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let good = Fixtures.tiny("image_0_landscape_97x71.png").path
        let r = run(["embed", "--model", Fixtures.tiny.path, "--threads", "1", "--image", one.path, "--image", dangling.path,
                     "--image", strip.path, "--image", loop.path, "--image", folder.path, "--image", good])
        #expect(r.status == 1)                                        // three inputs failed, the rest embedded
        try #require(r.lines.count == 6)
        #expect(r.lines.map { $0["input"] as? String } == [one.path, dangling.path, strip.path, loop.path, folder.path, good])
        for i in [1, 3, 4] {
            let error = r.lines[i]["error"] as? String ?? ""
            #expect(error.contains((r.lines[i]["input"] as? String).map { URL(fileURLWithPath: $0).lastPathComponent } ?? "?"), "\(error)")
            #expect(r.lines[i]["embedding"] == nil)
        }
        // A 1×1 image is a uniform crop: its embedding is that of constant pixel planes.
        let model = try ClipEmbedder.load(directory: Fixtures.tiny, threads: 1)
        let s = model.config.vision.imageSize
        let rgb: [Float] = [200, 40, 90], mean: [Float] = [0.48145466, 0.4578275, 0.40821073]
        let std: [Float] = [0.26862954, 0.26130258, 0.27577711]   // tiny preprocessor_config.json
        var planes: [Float] = []
        for c in 0..<3 { planes += [Float](repeating: (rgb[c] / 255 - mean[c]) / std[c], count: s * s) }
        let expected = try model.embed(pixelValues: planes, count: 1)[0]
        #expect(maxAbsDiff(embedding(r.lines[0]), expected) <= 1e-4)
        #expect(isUnitVector(embedding(r.lines[2]), width: 64))
        #expect(maxAbsDiff(embedding(r.lines[2]), embedding(r.lines[0])) > 1e-3)
        #expect(maxAbsDiff(embedding(r.lines[5]), try fixtureRow("image_embeddings.npy", 0)) <= 1e-5)
    }

    @Test func hostileTextsEmbedNextToAGoodOne() throws {
        let good = "A photo of a blue cat sitting on a red mat."
        let megabyte = String(repeating: "cat ", count: 262_144)                  // 1 MiB, far beyond 512 tokens
        let texts = ["", "   \t\n  ", megabyte, "a\u{0}b\u{7}c\u{1b}[31md\u{7f}e\r\n",
                     "\u{202E}txet desrever\u{202C} \u{2066}isolate\u{2069}", String(repeating: "😀", count: 10_000), good]
        let r = run(["embed", "--model", Fixtures.tiny.path, "--threads", "1"] + texts.flatMap { ["--text", $0] })
        #expect(r.status == 0)
        try #require(r.lines.count == texts.count)
        #expect(r.lines.map { $0["input"] as? String } == texts)
        for (i, line) in r.lines.enumerated() { #expect(isUnitVector(embedding(line), width: 64), "text \(i)") }
        // Truncated to 512 tokens: <s> + 510 × "▁cat" + </s>.
        let cut = run(["embed", "--model", Fixtures.tiny.path, "--text", String(repeating: "cat ", count: 510)])
        #expect(maxAbsDiff(embedding(r.lines[2]), embedding(cut.lines[0])) <= 1e-6)
        #expect(maxAbsDiff(embedding(r.lines[6]), try fixtureRow("text_embeddings.npy", 0)) <= 1e-5)
    }

    /// A broken tokenizer.json does not stop the model from loading (it is read on first use): every
    /// text gets its own error line naming the file and the problem, the images of the same call are
    /// still embedded to the fixture values, in command-line order, and the exit status is 1.
    @Test func brokenTokenizerFailsEachTextButNotTheImages() throws {
        let dir = try Fixtures.tempDirectory("clipscope-bad-tokenizer")
        for f in ["config.json", "model.safetensors", "preprocessor_config.json"] {
            try FileManager.default.copyItem(at: Fixtures.tiny(f), to: dir.appendingPathComponent(f))
        }
        var json = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.tiny("tokenizer.json"))) as? [String: Any])
        json["normalizer"] = ["type": "Lowercase2000"]
        try JSONSerialization.data(withJSONObject: json).write(to: dir.appendingPathComponent("tokenizer.json"))
        let image = Fixtures.tiny("image_0_landscape_97x71.png").path
        let r = run(["embed", "--model", dir.path, "--threads", "1", "--text", "a cat", "--image", image,
                     "--text", "a dog", "--image", image, "--dims", "32"])
        #expect(r.status == 1)
        try #require(r.lines.count == 4)
        #expect(r.lines.map { $0["input"] as? String } == ["a cat", image, "a dog", image])
        #expect(r.lines.map { $0["kind"] as? String } == ["text", "image", "text", "image"])
        for i in [0, 2] {
            let error = r.lines[i]["error"] as? String ?? ""
            #expect(error.contains("tokenizer.json") && error.contains("Lowercase2000"), "\(error)")
            #expect(r.lines[i]["embedding"] == nil)
        }
        let full = try fixtureRow("image_embeddings.npy", 0)
        let expected = PrefixCosine.normalizedPrefix(full, dims: 32)
        for i in [1, 3] {
            #expect(r.lines[i]["error"] == nil)
            #expect(maxAbsDiff(embedding(r.lines[i]), expected) <= 1e-5)
        }
        // The same directory with the fixture's tokenizer.json: texts embed again (the failure
        // above came from the tokenizer alone).
        try FileManager.default.removeItem(at: dir.appendingPathComponent("tokenizer.json"))
        try FileManager.default.copyItem(at: Fixtures.tiny("tokenizer.json"), to: dir.appendingPathComponent("tokenizer.json"))
        let ok = run(["embed", "--model", dir.path, "--threads", "1", "--text", "A photo of a blue cat sitting on a red mat."])
        #expect(ok.status == 0)
        #expect(maxAbsDiff(embedding(ok.lines[0]), try fixtureRow("text_embeddings.npy", 0)) <= 1e-5)
    }

    @Test func configOfAnotherArchitectureExitsOneWithTheMessage() throws {
        let dir = try Fixtures.tempDirectory("clipscope-other-arch")
        for f in ["model.safetensors", "tokenizer.json", "preprocessor_config.json"] {
            try FileManager.default.copyItem(at: Fixtures.tiny(f), to: dir.appendingPathComponent(f))
        }
        let config = try String(contentsOf: Fixtures.tiny("config.json"), encoding: .utf8)
            .replacingOccurrences(of: "\"model_type\": \"jina_clip\"", with: "\"model_type\": \"siglip\"")
        try Data(config.utf8).write(to: dir.appendingPathComponent("config.json"))
        let args = ["embed", "--model", dir.path, "--text", "a cat"]
        #expect(run(args).status == 1)
        var message = ""
        do {
            var command = try ClipScopeCommand.parseAsRoot(args)
            try command.run()
        } catch { message = "\(error)" }
        #expect(message.contains("model_type 'siglip' is not supported"), "\(message)")
    }
}

extension IndexSearchCLITests {
    @Test func indexWalksADirectoryNamedLikeAnImageAndReportsASelfLoop() throws {
        let dir = try folder()
        let inner = dir.appendingPathComponent("x.jpg/inside.png")
        try FileManager.default.createDirectory(at: inner.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("orange sunset sky".utf8).write(to: inner)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("self.png").path, withDestinationPath: "self.png")
        let (status, out) = runOnFake(["index", dir.path])
        #expect(status == 1)                                          // bad.jpg of the base folder
        #expect(out.contains("6 of 7 images indexed"), "\(out)")     // the 5 good ones + x.jpg/inside.png
        #expect(out.contains("skipped:") && out.contains("self.png: "), "\(out)")
        let search = try json(runOnFake(["search", dir.path, "--text", "sunset", "--top", "1", "--json"]).stdout)
        let top = try #require((search["results"] as? [[String: Any]])?.first)
        #expect(top["path"] as? String == "x.jpg/inside.png")
    }
}
