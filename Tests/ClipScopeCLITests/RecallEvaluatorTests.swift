// Recall@K and dataset parsing against hand-computed examples.
import Foundation
import Testing
import TestSupport
@testable import ClipScopeCLI
import CLISupport

@Suite struct RecallEvaluatorTests {
    typealias Caption = RetrievalDataset.Caption

    @Test func perfectAndSwappedRetrieval() {
        // 3 images on the axes; caption 0,1 point at their images, caption 2 points at image 0.
        let images: [[Float]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
        let texts: [[Float]] = [[1, 0.1, 0], [0, 1, 0.2], [0.9, 0, 0.1]]
        let caps = [Caption(text: "a", lang: "en", imageIndex: 0),
                    Caption(text: "b", lang: "en", imageIndex: 1),
                    Caption(text: "c", lang: "en", imageIndex: 2)]
        let rows = RecallEvaluator.evaluate(captions: caps, textVectors: texts, imageVectors: images,
                                            languages: ["en"], dims: [3])
        #expect(rows.count == 1)
        // t2i: caption 2 ranks image 2 second (0.1 < 0.9) → R@1 = 2/3, R@5 = 1.
        #expect(abs(rows[0].t2i[1]! - 2.0 / 3.0) < 1e-12)
        #expect(rows[0].t2i[5]! == 1)
        // i2t: image 2's column is [0, 0.2, 0.1]: caption 2 ranks second → R@1 = 2/3.
        #expect(abs(rows[0].i2t[1]! - 2.0 / 3.0) < 1e-12)
    }

    /// A dataset's `lang` is outside text: the table shows its control characters escaped.
    @Test func languageNamesAreEscapedInTheTable() {
        let caps = [Caption(text: "a", lang: "\u{1B}]2;x\u{07}\r", imageIndex: 0)]
        let rows = RecallEvaluator.evaluate(captions: caps, textVectors: [[1, 0]], imageVectors: [[1, 0]],
                                            languages: ["\u{1B}]2;x\u{07}\r"], dims: [2])
        let table = RecallEvaluator.table(rows)
        #expect(!table.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "\(table.debugDescription)")
        #expect(table.contains("\\033]2;x\\a\\r"))
    }

    @Test func prefixDimensionChangesTheRanking() {
        // At d = 1 every vector collapses to +1: all scores tie, Retrieval's order ranks image 0 first
        // (ties by position), so caption x hits and caption y misses: R@1 = 1/2.
        let images: [[Float]] = [[1, 1], [1, -1]]
        let texts: [[Float]] = [[1, 0.9], [1, -0.9]]
        let caps = [Caption(text: "x", lang: "de", imageIndex: 0), Caption(text: "y", lang: "de", imageIndex: 1)]
        let rows = RecallEvaluator.evaluate(captions: caps, textVectors: texts, imageVectors: images,
                                            languages: ["de"], dims: [1, 2])
        #expect(rows.map(\.dims) == [1, 2])
        #expect(rows[0].t2i[1]! == 0.5)
        #expect(rows[1].t2i[1]! == 1)
    }

    @Test func languagesAreEvaluatedSeparately() {
        let images: [[Float]] = [[1, 0], [0, 1]]
        let texts: [[Float]] = [[1, 0], [1, 0], [0, 1]]
        let caps = [Caption(text: "en0", lang: "en", imageIndex: 0),
                    Caption(text: "zh1", lang: "zh", imageIndex: 1),   // wrong: points at image 0
                    Caption(text: "en1", lang: "en", imageIndex: 1)]
        let rows = RecallEvaluator.evaluate(captions: caps, textVectors: texts, imageVectors: images,
                                            languages: ["en", "zh"], dims: [2])
        #expect(rows.first { $0.lang == "en" }!.t2i[1]! == 1)
        #expect(rows.first { $0.lang == "zh" }!.t2i[1]! == 0)
        #expect(rows.first { $0.lang == "zh" }!.t2i[5]! == 1)
    }

    /// Dataset image paths stay inside the image folder: `..` and absolute paths are refused by name.
    @Test func datasetPathsOutsideTheFolderAreRefused() throws {
        let dir = try Fixtures.tempDirectory("eval-escape")
        for (key, value) in [("filename", "../secret.jpg"), ("filename", "/etc/passwd"), ("filepath", "a/../../x"), ("filepath", "..")] {
            let extra = key == "filepath" ? ", \"filename\": \"ok.jpg\"" : ""
            let json = "{\"images\": [{\"\(key)\": \"\(value)\"\(extra), \"split\": \"test\", \"sentences\": [{\"raw\": \"x\"}]}]}"
            let file = dir.appendingPathComponent("ds.json")
            try Data(json.utf8).write(to: file)
            do { _ = try RetrievalDataset.load(file, split: "test"); Issue.record("accepted \(value)") } catch {
                #expect("\(error)".contains("images[0].\(key) \"\(value)\" leads out of the image folder"), "\(error)")
            }
        }
    }

    @Test func karpathyJSONIsParsedWithSplitAndPaths() throws {
        let dir = try Fixtures.tempDirectory("eval")
        let json = """
        {"images": [
          {"filename": "a.jpg", "split": "test", "sentences": [{"raw": "a red cat"}, {"raw": "un gato rojo", "lang": "es"}]},
          {"filename": "b.jpg", "filepath": "sub", "split": "test", "sentences": [{"raw": "blue", "lang": "en"}]},
          {"filename": "c.jpg", "split": "train", "sentences": [{"raw": "ignored"}]}
        ]}
        """
        let file = dir.appendingPathComponent("dataset.json")
        try Data(json.utf8).write(to: file)
        let ds = try RetrievalDataset.load(file, split: "test")
        #expect(ds.images.map(\.lastPathComponent) == ["a.jpg", "b.jpg"])
        #expect(ds.images[1].path.hasSuffix("sub/b.jpg"))
        #expect(ds.captions.map(\.lang) == ["en", "es", "en"])
        #expect(ds.captions.map(\.imageIndex) == [0, 0, 1])
        #expect(ds.languages == ["en", "es"])
        #expect(throws: CLIError.self) { try RetrievalDataset.load(file, split: "val") }
    }
}
