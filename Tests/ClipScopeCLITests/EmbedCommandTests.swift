// `clipscope embed` on the tiny fixture model: JSON lines in command-line order, dims, --query, and
// the usage/failure exit statuses.
@testable import ClipScopeCLI
import CLISupport
import ClipModel
import Foundation
import Testing
import TestSupport

@Suite(.serialized) struct EmbedCommandTests {
    /// Runs the CLI capturing the embed output lines.
    func run(_ args: [String]) -> (status: Int32, lines: [[String: Any]]) {
        let (status, stdout) = CommandOutput.run(args)
        let captured = stdout.split(separator: "\n").map(String.init)
        let objects = captured.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
        #expect(objects.count == captured.count, "every line is one JSON object")
        return (status, objects)
    }

    func fixtureRow(_ file: String, _ row: Int) throws -> [Float] {
        let a = try NPY.load(Fixtures.tiny(file))
        let w = a.shape[1]
        return Array(a.floats[(row * w)..<((row + 1) * w)])
    }

    func embedding(_ obj: [String: Any]) -> [Float] { (obj["embedding"] as? [NSNumber] ?? []).map(\.floatValue) }

    @Test func textsInCommandLineOrder() throws {
        let texts = ["A photo of a blue cat sitting on a red mat.", "一只蓝色的猫坐在红色的垫子上。東京タワー"]
        let r = run(["embed", "--model", Fixtures.tiny.path, "--text", texts[1], "--threads", "1", "--text", texts[0]])
        #expect(r.status == 0)
        try #require(r.lines.count == 2)
        #expect(r.lines[0]["input"] as? String == texts[1])
        #expect(r.lines[1]["input"] as? String == texts[0])
        #expect(r.lines[0]["kind"] as? String == "text")
        #expect(r.lines[0]["dims"] as? Int == 64)
        #expect(r.lines[0]["query"] as? Bool == false)
        #expect(maxAbsDiff(embedding(r.lines[0]), try fixtureRow("text_embeddings.npy", 2)) <= 1e-5)
        #expect(maxAbsDiff(embedding(r.lines[1]), try fixtureRow("text_embeddings.npy", 0)) <= 1e-5)
    }

    @Test func dimsAndQuery() throws {
        let text = "A photo of a blue cat sitting on a red mat."
        let r = run(["embed", "--model", Fixtures.tiny.path, "--text", text, "--dims", "16"])
        #expect(r.status == 0)
        #expect(r.lines.first?["dims"] as? Int == 16)
        #expect(maxAbsDiff(embedding(r.lines[0]), try fixtureRow("text_embeddings_trunc16.npy", 0)) <= 1e-5)
        let q = run(["embed", "--model", Fixtures.tiny.path, "--text", text, "--query"])
        #expect(q.lines.first?["query"] as? Bool == true)
        #expect(q.lines.first?["input"] as? String == text)
        #expect(maxAbsDiff(embedding(q.lines[0]), try fixtureRow("text_query_embeddings.npy", 0)) <= 1e-5)
        // 20 is not a trained size: accepted with a warning on stderr.
        let odd = run(["embed", "--model", Fixtures.tiny.path, "--text", text, "--dims", "20"])
        #expect(odd.status == 0)
        #expect(embedding(odd.lines[0]).count == 20)
    }

    /// `--precision fast`: every line says which precision ran ("fast" where the CPU has AVX512-BF16, else
    /// "exact" after one note); the image vector stays within the fast gate (cosine ≥ 0.999) of the
    /// exact one, and the text vector is the exact one (the text tower stays float32).
    @Test func precisionFastIsReportedAndStaysWithinTheGate() throws {
        let png0 = Fixtures.tiny("image_0_landscape_97x71.png").path
        let text = "A photo of a blue cat sitting on a red mat."
        let exact = run(["embed", "--model", Fixtures.tiny.path, "--image", png0, "--text", text])
        let (status, stdout, stderr) = CommandOutput.runCapturingAll(["embed", "--model", Fixtures.tiny.path, "--image", png0,
                                                                        "--text", text, "--precision", "fast"])
        #expect(status == 0)
        let fast = stdout.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
        try #require(fast.count == 2 && exact.lines.count == 2)
        #expect(exact.lines.allSatisfy { $0["precision"] as? String == "exact" })
        let want = Precision.fastSupported ? "fast" : "exact"
        #expect(fast.allSatisfy { $0["precision"] as? String == want })
        #expect(stderr.contains("AVX512-BF16") == !Precision.fastSupported, "\(stderr)")
        let a = embedding(fast[0]), b = embedding(exact.lines[0])
        #expect(zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) } >= 0.999)
        #expect(embedding(fast[1]) == embedding(exact.lines[1]))
        #expect(run(["embed", "--model", Fixtures.tiny.path, "--text", text, "--precision", "half"]).status == 2)
    }

    @Test func maxLengthTruncates() throws {
        let long = String(repeating: "cat ", count: 100)
        let short = run(["embed", "--model", Fixtures.tiny.path, "--text", long, "--max-length", "8"])
        let full = run(["embed", "--model", Fixtures.tiny.path, "--text", long])
        let cut = run(["embed", "--model", Fixtures.tiny.path, "--text", "cat cat cat cat cat cat"])   // 6 pieces + 2 specials
        #expect(short.status == 0 && full.status == 0)
        #expect(maxAbsDiff(embedding(short.lines[0]), embedding(full.lines[0])) > 1e-4)
        #expect(maxAbsDiff(embedding(short.lines[0]), embedding(cut.lines[0])) <= 1e-6)
    }

    @Test func usageAndFailureStatuses() {
        let m = Fixtures.tiny.path
        #expect(run(["embed", "--model", m]).status == 2)                                  // nothing to embed
        #expect(run(["embed", "--model", m, "--text", "x", "--dims", "0"]).status == 2)
        #expect(run(["embed", "--model", m, "--text", "x", "--dims", "65"]).status == 2)
        #expect(run(["embed", "--model", m, "--text", "x", "--max-length", "1"]).status == 2)
        #expect(run(["embed", "--model", m, "--text", "x", "--threads", "0"]).status == 2)
        #expect(run(["embed", "--model", "/nonexistent", "--text", "x"]).status == 1)
        let r = run(["embed", "--model", "/tmp", "--text", "x"])                            // a directory without a model
        #expect(r.status == 1 && r.lines.isEmpty)
    }

    @Test func jsonQuoting() {
        #expect(JSONText.quote("a\"b\\c\n\u{1}é") == "\"a\\\"b\\\\c\\n\\u0001é\"")
    }

    @Test func imagesAndTextsInterleaveAndABrokenImageIsReported() throws {
        let dir = try Fixtures.tempDirectory("embed-image")
        let broken = dir.appendingPathComponent("broken.jpg")
        try Data("not a jpeg".utf8).write(to: broken)
        let png0 = Fixtures.tiny("image_0_landscape_97x71.png").path
        let png3 = Fixtures.tiny("image_3_rgba_120x60.png").path
        let r = run(["embed", "--model", Fixtures.tiny.path, "--image", png3, "--text", "A photo of a blue cat sitting on a red mat.",
                     "--image", broken.path, "--image", png0, "--dims", "32"])
        #expect(r.status == 1)                                   // one input failed, the rest were embedded
        try #require(r.lines.count == 4)
        #expect(r.lines.map { $0["kind"] as? String } == ["image", "text", "image", "image"])
        #expect(r.lines[0]["input"] as? String == png3)
        #expect(r.lines[0]["dims"] as? Int == 32)
        #expect(maxAbsDiff(embedding(r.lines[0]), try fixtureRow("image_embeddings_trunc32.npy", 3)) <= 1e-5)
        #expect(maxAbsDiff(embedding(r.lines[1]), try fixtureRow("text_embeddings_trunc32.npy", 0)) <= 1e-5)
        #expect(r.lines[2]["input"] as? String == broken.path)
        #expect((r.lines[2]["error"] as? String)?.contains("broken.jpg") == true)
        #expect(r.lines[2]["embedding"] == nil)
        #expect(maxAbsDiff(embedding(r.lines[3]), try fixtureRow("image_embeddings_trunc32.npy", 0)) <= 1e-5)
    }
}
