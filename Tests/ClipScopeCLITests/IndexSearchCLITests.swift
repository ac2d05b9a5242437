// index / search / compare / export through ClipScopeMain with the fake backend (`runOnFake`:
// bag-of-words vectors of each file's text content) and a private cache dir.
import Foundation
import Imaging
import VectorIndex
import Testing
import TestSupport
@testable import ClipScopeCLI
import CLISupport
#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) final class IndexSearchCLITests {
    private let savedCacheDir = getenv("CLIPSCOPE_CACHE_DIR").map { String(cString: $0) }

    /// Each test gets its own cache (the suite is serialized, so the process-wide variables are safe);
    /// the variable is put back after each test.
    init() throws {
        setenv("CLIPSCOPE_CACHE_DIR", try Fixtures.tempDirectory("clipscope-cli-cache").path, 1)
    }

    deinit {
        if let dir = savedCacheDir { setenv("CLIPSCOPE_CACHE_DIR", dir, 1) } else { unsetenv("CLIPSCOPE_CACHE_DIR") }
    }

    /// apple.jpg "red apple fruit", car.jpg "blue car", sub/tree.png "green tree leaf",
    /// twin-b.jpg / twin-a.jpg identical content, bad.jpg fails, art.jxl unsupported (JPEG XL).
    func folder() throws -> URL {
        let dir = try Fixtures.tempDirectory("clipscope-cli-folder")
        let files = ["apple.jpg": "red apple fruit", "car.jpg": "blue car road", "sub/tree.png": "green tree leaf",
                     "twin-b.jpg": "stone wall", "twin-a.jpg": "stone wall", "bad.jpg": "broken", "art.jxl": "JXL codestream"]
        for (name, text) in files {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return dir
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func searchJSONHasTheDocumentedShape() throws {
        let dir = try folder()
        let (status, out) = runOnFake(["search", dir.path, "--text", "apple", "--top", "3", "--json"])
        #expect(status == 0)
        #expect(out.hasPrefix("{\"model\": "))                         // documented key order
        let doc = try json(out)
        #expect(Set(doc.keys) == ["model", "precision", "dims", "query", "results"])
        #expect(doc["precision"] as? String == "exact")
        #expect((doc["model"] as? String)?.contains("fake") == true)
        #expect(doc["dims"] as? Int == 1024)
        let query = try #require(doc["query"] as? [String: Any])
        #expect(query["kind"] as? String == "text" && query["text"] as? String == "apple" && query["prefix"] as? Bool == true)
        let results = try #require(doc["results"] as? [[String: Any]])
        #expect(results.count == 3)
        #expect(results.map { $0["rank"] as? Int } == [1, 2, 3])
        #expect(results[0]["path"] as? String == "apple.jpg")
        #expect(results.allSatisfy { Set($0.keys) == ["rank", "score", "path"] })
        let scores = results.compactMap { $0["score"] as? Double }
        #expect(scores == scores.sorted(by: >))
        #expect(!results.contains { ($0["path"] as? String) == "bad.jpg" || ($0["path"] as? String) == "art.jxl" })
    }

    @Test func dimsPrefixFlagAndPlainOutput() throws {
        let dir = try folder()
        let withPrefix = try json(runOnFake(["search", dir.path, "--text", "tree", "--dims", "64", "--json"]).stdout)
        let noPrefix = try json(runOnFake(["search", dir.path, "--text", "tree", "--dims", "64", "--no-query-prefix", "--json"]).stdout)
        #expect(withPrefix["dims"] as? Int == 64)
        #expect((noPrefix["query"] as? [String: Any])?["prefix"] as? Bool == false)
        let a = try #require(withPrefix["results"] as? [[String: Any]]), b = try #require(noPrefix["results"] as? [[String: Any]])
        #expect(a[0]["path"] as? String == "sub/tree.png" && b[0]["path"] as? String == "sub/tree.png")
        #expect(a[0]["score"] as? Double != b[0]["score"] as? Double)   // the instruction changes the query vector
        #expect(a.count == 5)                                          // 5 indexed images, default top 10
        let (status, plain) = runOnFake(["search", dir.path, "--text", "tree", "--dims", "64", "--top", "2"])
        #expect(status == 0)
        let lines = plain.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("1  ") && lines[0].hasSuffix("  sub/tree.png"))
        let score = String(format: "%.4f", try #require(a[0]["score"] as? Double))
        #expect(lines[0] == "1  \(score)  sub/tree.png")
    }

    /// --top beyond the item count is clamped (no allocation from k: these values once corrupted the heap,
    /// aborted allocating 68 GB, or "worked" by luck); --top < 1 and --dims outside 1…width are usage errors.
    @Test func topIsClampedAndNumbersAreValidated() throws {
        let dir = try folder()
        for top in ["6", "4294967296", "4611686018427387904", "9223372036854775807"] {
            let (status, out) = runOnFake(["search", dir.path, "--text", "tree", "--top", top, "--json"])
            #expect(status == 0, "--top \(top)")
            #expect((try json(out)["results"] as? [[String: Any]])?.count == 5, "--top \(top)")
            let cmp = runOnFake(["compare", dir.path, "--text", "tree", "--dims", "32,1024", "--top", top, "--json"])
            #expect(cmp.status == 0, "compare --top \(top)")
            #expect(try json(cmp.stdout)["k"] as? Int == 5)
        }
        for bad in [["--top", "0"], ["--top", "-1"], ["--top", "99999999999999999999"], ["--dims", "0"], ["--dims", "1025"],
                    ["--dims", "-3"]] {
            #expect(runOnFake(["search", dir.path, "--text", "tree"] + bad).status == 2, "\(bad)")
        }
        for bad in [["--top", "0"], ["--dims", "0,1024"], ["--dims", "32,1025"], ["--dims", "32,x"]] {
            let args = ["compare", dir.path, "--text", "tree"] + (bad[0] == "--dims" ? bad : ["--dims", "32,1024"] + bad)
            #expect(runOnFake(args).status == 2, "\(bad)")
        }
    }

    /// Names that retitle (OSC 2), recolour (SGR), overwrite (CR) or split (LF) a line are shown escaped
    /// in human output; JSON carries them exactly, escaped per JSON, with no raw control byte.
    @Test func hostileNamesAreEscapedInHumanOutput() throws {
        let dir = try Fixtures.tempDirectory("clipscope-cli-names")
        let names = ["a\u{1B}]2;pwned\u{07}.jpg": "zebra one", "b\u{1B}[41m.jpg": "zebra two", "c\rX.jpg": "zebra three",
                     "d\ne.jpg": "zebra four", "bad\u{1B}[2J.jpg": "zebra broken"]
        for (name, text) in names { try Data(text.utf8).write(to: dir.appendingPathComponent(name)) }
        func hasControl(_ s: String) -> Bool { s.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || $0.value == 0x7F } }
        let (status, plain) = runOnFake(["search", dir.path, "--text", "zebra", "--top", "10"])
        #expect(status == 0)
        #expect(!hasControl(plain), "\(plain.debugDescription)")
        let lines = plain.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(Set(lines.map { String($0.split(separator: " ").last ?? "") })
                == ["a\\033]2;pwned\\a.jpg", "b\\033[41m.jpg", "c\\rX.jpg", "d\\ne.jpg"])
        let cmp = runOnFake(["compare", dir.path, "--text", "zebra\u{1B}[31m", "--dims", "32,1024"])
        #expect(cmp.status == 0 && !hasControl(cmp.stdout), "\(cmp.stdout.debugDescription)")
        #expect(cmp.stdout.contains("zebra\\033[31m"))
        let index = runOnFake(["index", dir.path])
        #expect(!hasControl(index.stdout), "\(index.stdout.debugDescription)")
        #expect(index.stdout.contains("  bad\\033[2J.jpg: "))
        let json = runOnFake(["search", dir.path, "--text", "zebra", "--json"]).stdout
        #expect(!json.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        let paths = Set(((try self.json(json))["results"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String })
        #expect(paths == Set(names.keys.filter { !$0.hasPrefix("bad") }))
    }

    /// `index` does not leave the folder through links unless --follow-links; the first summary line keeps
    /// its shape and the links are listed under "skipped:".
    @Test func linksOutOfTheFolderAreListedNotIndexed() throws {
        let dir = try folder()
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("up").path, withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("passwd.jpg").path, withDestinationPath: "/etc/passwd")
        let (status, out) = runOnFake(["index", dir.path])
        #expect(status == 0 || status == 1)
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("\(dir.path): 5 of 6 images indexed: 4 embedded, 0 reused, 1 reused after rename/copy, 1 failed") == true, "\(out)")
        #expect(lines.contains("  up: symbolic link out of the folder (not followed; --follow-links follows it)"))
        #expect(lines.contains("  passwd.jpg: symbolic link out of the folder (not followed; --follow-links follows it)"))
        unlink(dir.appendingPathComponent("up").path)       // the parent holds every test's folders
        let followed = runOnFake(["index", dir.path, "--follow-links"])
        #expect(followed.stdout.hasPrefix("\(dir.path): 6 of 7 images indexed: 1 embedded, 5 reused"), "\(followed.stdout)")
        #expect(!followed.stdout.contains("symbolic link out of"))
    }

    /// `import` checks every row: scaled rows are normalised (a 1e30 row no longer prints 0.0000 for
    /// every score), zero and non-finite rows, repeated paths and paths outside FOLDER are refused.
    @Test func importValidatesEveryRow() throws {
        let dir = try folder()
        let outside = dir.deletingLastPathComponent().appendingPathComponent("outside-\(UUID().uuidString).jpg")
        try Data("outside".utf8).write(to: outside)
        defer { try? FileManager.default.removeItem(at: outside) }
        let w = 1024
        var apple = FakeSearchBackend.bagOfWords("red apple fruit", width: w, dims: nil)
        apple = apple.map { $0 * 1e30 }
        let car = FakeSearchBackend.bagOfWords("blue car road", width: w, dims: nil)
        var nan = car; nan[3] = .nan
        let rows: [(String, [Float])] = [("apple.jpg", apple), ("car.jpg", [Float](repeating: 0, count: w)), ("sub/tree.png", nan),
                                         ("twin-a.jpg", car), ("twin-a.jpg", car), ("../\(outside.lastPathComponent)", car),
                                         ("/etc/passwd", car)]
        let npy = try Fixtures.tempDirectory("import-rows").appendingPathComponent("v.npy")
        try NPYWriter.data(float32: rows.flatMap(\.1), shape: [rows.count, w]).write(to: npy)
        try Data(rows.map { "{\"path\": \"\($0.0)\"}\n" }.joined().utf8)
            .write(to: npy.deletingPathExtension().appendingPathExtension("paths.jsonl"))
        let (status, text) = runOnFake(["import", dir.path, "--vectors", npy.path])
        #expect(status == 1)                                   // some rows refused, the others imported
        #expect(text.hasPrefix("imported 2 of 7 vectors"), "\(text)")
        // The scaled row was normalised: its search score is a real cosine, not 0.
        let doc = try json(runOnFake(["search", dir.path, "--text", "red apple fruit", "--no-query-prefix", "--top", "1", "--json"]).stdout)
        let hit = try #require((doc["results"] as? [[String: Any]])?.first)
        #expect(hit["path"] as? String == "apple.jpg")
        #expect(abs((hit["score"] as? Double ?? 0) - 1) < 1e-4)
        #expect(ImportCommand.isInside(ItemPath("a/b.jpg")) && !ImportCommand.isInside(ItemPath("a/../../b.jpg"))
                && !ImportCommand.isInside(ItemPath("/etc/passwd")) && !ImportCommand.isInside(ItemPath("./a.jpg")))
        if case .failure(let e) = ImportCommand.normalized([0, 0]) { #expect(e.message == "is all zeros") } else { Issue.record("zero row accepted") }
        if case .success(let v) = ImportCommand.normalized([3e30, 4e30]) { #expect(abs(v[0] - 0.6) < 1e-6 && abs(v[1] - 0.8) < 1e-6) }
    }

    /// A cache that cannot be used (here CLIPSCOPE_CACHE_DIR is a regular file; read-only or full
    /// behave alike) still gives the ranking, with a warning, instead of failing the search.
    @Test func unusableCacheStillPrintsTheRanking() throws {
        let dir = try folder()
        let notADir = try Fixtures.tempDirectory("cache-file").appendingPathComponent("cache")
        try Data("x".utf8).write(to: notADir)
        setenv("CLIPSCOPE_CACHE_DIR", notADir.path, 1)
        let (status, out) = runOnFake(["search", dir.path, "--text", "apple", "--top", "1"])
        #expect(status == 0)
        #expect(out.hasSuffix("  apple.jpg\n"), "\(out)")
    }

    @Test func equalScoresAreOrderedByPath() throws {
        let dir = try folder()
        let doc = try json(runOnFake(["search", dir.path, "--text", "stone wall", "--top", "2", "--json"]).stdout)
        let results = try #require(doc["results"] as? [[String: Any]])
        #expect(results.map { $0["path"] as? String } == ["twin-a.jpg", "twin-b.jpg"])
        #expect(results[0]["score"] as? Double == results[1]["score"] as? Double)
    }

    @Test func imageQueryExcludesItselfAndNamesThePath() throws {
        let dir = try folder()
        let path = dir.appendingPathComponent("twin-a.jpg").path
        let doc = try json(runOnFake(["search", dir.path, "--image", path, "--top", "1", "--json"]).stdout)
        let query = try #require(doc["query"] as? [String: Any])
        #expect(query["kind"] as? String == "image" && query["path"] as? String == path)
        let results = try #require(doc["results"] as? [[String: Any]])
        #expect(results[0]["path"] as? String == "twin-b.jpg")
        #expect(abs((results[0]["score"] as? Double ?? 0) - 1) < 1e-5)
    }

    @Test func nonUTF8PathsCarryBase64Bytes() throws {
        let dir = try folder()
        let raw: [UInt8] = Array(dir.path.utf8) + Array("/caf".utf8) + [0xE9] + Array(".jpg".utf8)
        var c = raw.map { CChar(bitPattern: $0) }; c.append(0)
        let fd = open(c, O_WRONLY | O_CREAT, 0o644)
        #expect(fd >= 0)
        _ = "latin apple".withCString { Glibc.write(fd, $0, 11) }
        close(fd)
        let (status, out) = runOnFake(["search", dir.path, "--text", "latin", "--top", "1", "--json"])
        #expect(status == 0)
        let hit = try #require((try json(out)["results"] as? [[String: Any]])?.first)
        #expect(hit["path"] as? String == "caf\u{FFFD}.jpg")
        #expect(hit["path_b64"] as? String == Data(Array("caf".utf8) + [0xE9] + Array(".jpg".utf8)).base64EncodedString())
    }

    @Test func compareJSONHasTheDocumentedShape() throws {
        let dir = try folder()
        let (status, out) = runOnFake(["compare", dir.path, "--text", "red fruit", "--dims", "32,1024", "--top", "3", "--json"])
        #expect(status == 0)
        let doc = try json(out)
        #expect(Set(doc.keys) == ["model", "precision", "query", "k", "dims", "rankings", "movement", "metrics"])
        #expect(doc["k"] as? Int == 3)
        #expect(doc["dims"] as? [Int] == [32, 1024])
        let rankings = try #require(doc["rankings"] as? [String: [[String: Any]]])
        #expect(Set(rankings.keys) == ["32", "1024"])
        #expect(rankings["32"]?.count == 3 && rankings["1024"]?.count == 3)
        // The 1024-d ranking is exactly what `search` returns at 1024.
        let search = try json(runOnFake(["search", dir.path, "--text", "red fruit", "--top", "3", "--json"]).stdout)
        let searchPaths = (search["results"] as? [[String: Any]])?.map { $0["path"] as? String }
        #expect(rankings["1024"]?.map { $0["path"] as? String } == searchPaths)
        let movement = try #require(doc["movement"] as? [[String: Any]])
        #expect(movement.count >= 3 && movement.count <= 6)
        for m in movement {
            #expect(Set(m.keys) == ["path", "rank_a", "rank_b", "change"])
            let ra = try #require(m["rank_a"] as? Int), rb = try #require(m["rank_b"] as? Int)
            let change = try #require(m["change"] as? String)
            let expected = ra > 3 ? "new" : rb > 3 ? "dropped" : rb < ra ? "up" : rb > ra ? "down" : "same"
            #expect(change == expected)
        }
        let metrics = try #require(doc["metrics"] as? [String: Any])
        #expect(Set(metrics.keys) == ["overlap", "jaccard", "rbo", "kendall_tau", "score_gap_a", "score_gap_b"])
        let overlap = try #require(metrics["overlap"] as? Double)
        let shared = Set(rankings["32"]!.compactMap { $0["path"] as? String }).intersection(rankings["1024"]!.compactMap { $0["path"] as? String })
        #expect(abs(overlap - Double(shared.count) / 3) < 1e-6)
        let gapB = try #require(metrics["score_gap_b"] as? Double)
        #expect(gapB >= 0)

        let (plainStatus, plain) = runOnFake(["compare", dir.path, "--text", "red fruit", "--dims", "32,1024", "--top", "3"])
        #expect(plainStatus == 0)
        #expect(plain.contains("32-d") && plain.contains("1024-d") && plain.contains("overlap@3") && plain.contains("kendall τ"))
    }

    @Test func exportWritesNpyAndPaths() throws {
        let dir = try folder()
        let out = try Fixtures.tempDirectory().appendingPathComponent("vecs.npy")
        #expect(runOnFake(["export", dir.path, "--out", out.path]).status == 0)
        let npy = try NPY.load(out)
        #expect(npy.shape == [5, 1024])
        let lines = try String(contentsOf: out.deletingPathExtension().appendingPathExtension("paths.jsonl"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(lines == ["apple.jpg", "car.jpg", "sub/tree.png", "twin-a.jpg", "twin-b.jpg"].map { "{\"path\": \"\($0)\"}" })
        let f = npy.floats
        let apple = FakeSearchBackend.bagOfWords("red apple fruit", width: 1024, dims: nil)
        #expect(maxAbsDiff(Array(f[0..<1024]), apple) == 0)
    }

    @Test func importedVectorsAreReusedByIndex() throws {
        let dir = try folder()
        let out = try Fixtures.tempDirectory().appendingPathComponent("vecs.npy")
        #expect(runOnFake(["export", dir.path, "--out", out.path]).status == 0)
        setenv("CLIPSCOPE_CACHE_DIR", try Fixtures.tempDirectory("clipscope-cli-cache").path, 1)   // a fresh machine
        let (status, text) = runOnFake(["import", dir.path, "--vectors", out.path])
        #expect(status == 0)
        #expect(text.contains("imported 5 of 5 vectors"))
        let (_, summary) = runOnFake(["index", dir.path])
        #expect(summary.contains("5 of 6 images indexed: 0 embedded, 5 reused"))
        // A matrix of the wrong width, or a paths file that does not match, is refused.
        let bad = out.deletingLastPathComponent().appendingPathComponent("narrow.npy")
        try NPYWriter.data(float32: [Float](repeating: 0.5, count: 5 * 8), shape: [5, 8]).write(to: bad)
        try FileManager.default.copyItem(at: out.deletingPathExtension().appendingPathExtension("paths.jsonl"),
                                         to: bad.deletingPathExtension().appendingPathExtension("paths.jsonl"))
        #expect(runOnFake(["import", dir.path, "--vectors", bad.path]).status == 1)
        let short = out.deletingLastPathComponent().appendingPathComponent("short.npy")
        try FileManager.default.copyItem(at: out, to: short)
        try Data("{\"path\": \"apple.jpg\"}\n".utf8).write(to: short.deletingPathExtension().appendingPathExtension("paths.jsonl"))
        #expect(runOnFake(["import", dir.path, "--vectors", short.path]).status == 1)
    }

    @Test func indexSummaryAndFailures() throws {
        let dir = try folder()
        let (status, out) = runOnFake(["index", dir.path])
        #expect(status == 1)                                          // bad.jpg failed
        #expect(out.contains("5 of 6 images indexed: 4 embedded, 0 reused, 1 reused after rename/copy"))   // twin-b = twin-a
        let lines = out.split(separator: "\n").map(String.init)
        let first = try #require(lines.firstIndex { $0.contains("5 of 6 images indexed") })
        #expect(lines.dropFirst(first + 1).first == "by format: jpeg 5, png 1")
        #expect(out.contains("bad.jpg: ") && out.contains("not a decodable image"))
        #expect(out.contains("unsupported formats, not indexed: 1 (1 jxl)"))
        let (again, out2) = runOnFake(["index", dir.path])
        #expect(again == 1)
        #expect(out2.contains("0 embedded, 5 reused"))
        #expect(out2.contains("failed before (unchanged since, not retried):"))
        try FileManager.default.moveItem(at: dir.appendingPathComponent("car.jpg"), to: dir.appendingPathComponent("auto.jpg"))
        let (_, out3) = runOnFake(["index", dir.path])
        #expect(out3.contains("0 embedded, 4 reused, 1 reused after rename/copy, 1 failed, 1 removed from the cache"))
    }

    @Test func usageAndInputErrors() throws {
        let dir = try folder()
        #expect(runOnFake(["search", dir.path]).status == 2)                                  // no query
        #expect(runOnFake(["search", dir.path, "--text", "a", "--image", "b"]).status == 2)  // two queries
        #expect(runOnFake(["search", dir.path, "--text", "a", "--dims", "0"]).status == 2)
        #expect(runOnFake(["search", dir.path, "--text", "a", "--dims", "2048"]).status == 2)
        #expect(runOnFake(["search", dir.path, "--text", "a", "--top", "0"]).status == 2)
        #expect(runOnFake(["compare", dir.path, "--text", "a", "--dims", "64"]).status == 2)
        #expect(runOnFake(["compare", dir.path, "--text", "a", "--dims", "64,64"]).status == 2)
        #expect(runOnFake(["export", dir.path, "--out", "x.txt"]).status == 2)
        #expect(runOnFake(["search", "/nonexistent/folder", "--text", "a"]).status == 1)
        #expect(runOnFake(["search", dir.path, "--image", "/nonexistent.jpg"]).status == 1)
        // The real model path: an unresolvable --model is a clear failure (exit 1), not a crash.
        #expect(CommandOutput.run(["search", dir.path, "--text", "a", "--model", "/nonexistent/model-dir"]).status == 1)
    }

    /// A folder of every decodable format (real fixture files: JPEG, PNG, WebP, GIF, BMP, TIFF, HEIC,
    /// AVIF) indexes every file with the demo model; the per-format line counts each extension.
    @Test func mixedFormatFolderIndexesEveryFileWithTheDemoModel() throws {
        let dir = try Fixtures.tempDirectory("clipscope-mixed-formats")
        let files = ["jina-clip-v2-tiny/decode/baseline_444_41x31.jpg", "jina-clip-v2-tiny/decode/gray16_30x20.png",
                     "imaging/formats/lossy_alpha_37x23.webp", "imaging/formats/palette_transparent_37x23.gif",
                     "imaging/formats/rle8_37x23.bmp", "imaging/formats/rgb_lzw_37x23.tif",
                     "imaging/heif/yuv420_37x23.heic", "imaging/heif/irot6_38x24.heic", "imaging/heif/yuv420_37x23.avif"]
        for (i, f) in files.enumerated() {
            let src = Fixtures.url(f)
            try FileManager.default.copyItem(at: src, to: dir.appendingPathComponent("\(i)-\(src.lastPathComponent)"))
        }
        let r = CommandOutput.run(["index", dir.path, "--model", "demo"])
        #expect(r.status == 0, "\(r.stdout)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let first = try #require(lines.firstIndex { $0.contains("9 of 9 images indexed: 9 embedded") }, "\(r.stdout)")
        #expect(lines.dropFirst(first + 1).first == "by format: heic 2, avif 1, bmp 1, gif 1, jpeg 1, png 1, tif 1, webp 1")
        #expect(!r.stdout.contains("failed:") && !r.stdout.contains("unsupported"))
    }

    /// The product path end to end: the bundled demo model (resolved by name), the demo folder, and
    /// queries in four scripts for the same picture; the red triangle must come first in each.
    @Test func demoModelFindsTheRedTriangleInFourLanguages() throws {
        let demo = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Assets/demo")
        for query in ["a red triangle", "红色的三角形", "un triángulo rojo", "مثلث أحمر"] {
            let r = CommandOutput.run(["search", demo.path, "--model", "demo", "--text", query, "--top", "3", "--json"])
            #expect(r.status == 0, "search for \(query)")
            let out = try json(r.stdout)
            #expect(out["model"] as? String == "demo")
            let results = out["results"] as? [[String: Any]] ?? []
            #expect(results.count == 3)
            let top = results.first?["path"] as? String ?? ""
            #expect(top.contains("red_triangle"), "top result for \(query) is \(top)")
        }
    }
}

extension IndexSearchCLITests {
    /// `--allow-partial` indexes a JPEG cut in half and marks it: a "partial:" line after the unchanged first
    /// summary line, `"partial": true` in search --json and export's paths; a later plain `index`
    /// re-embeds it, so it fails as truncated instead of serving the grey-filled vector as whole.
    @Test func partialImagesAreMarkedAndNotReusedAsWhole() throws {
        let dir = try Fixtures.tempDirectory("clipscope-partial-cli")
        let full = try Data(contentsOf: Fixtures.tiny("image_jpeg_120x90_q90.jpg"))
        try full.prefix(full.count / 2).write(to: dir.appendingPathComponent("cut.jpg"))
        try FileManager.default.copyItem(at: Fixtures.tiny("image_0_landscape_97x71.png"), to: dir.appendingPathComponent("whole.png"))
        let model = ["--model", Fixtures.tiny.path]

        let (lenient, out) = CommandOutput.run(["index", dir.path, "--allow-partial"] + model)
        #expect(lenient == 0, "\(out)")
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.first == "\(dir.path): 2 of 2 images indexed: 2 embedded, 0 reused, 0 reused after rename/copy, 0 failed, 0 removed from the cache")
        #expect(Array(lines.dropFirst()) == ["by format: jpeg 1, png 1",
                                             "partial: 1 image(s) indexed from truncated data (--allow-partial; the rest of each is grey)",
                                             "  cut.jpg"])
        let (searched, json) = CommandOutput.run(["search", dir.path, "--allow-partial", "--text", "a photo", "--json"] + model)
        #expect(searched == 0)
        let results = try #require(try self.json(json)["results"] as? [[String: Any]])
        #expect(Dictionary(uniqueKeysWithValues: results.map { ($0["path"] as? String ?? "", $0["partial"] as? Bool) })
                == ["cut.jpg": true, "whole.png": nil])
        let npy = dir.deletingLastPathComponent().appendingPathComponent("partial-\(UUID().uuidString).npy")
        #expect(CommandOutput.run(["export", dir.path, "--allow-partial", "--out", npy.path] + model).status == 0)
        let paths = try String(contentsOf: URL(fileURLWithPath: ExportCommand.pathsFile(for: npy.path)), encoding: .utf8)
        #expect(paths == "{\"path\": \"cut.jpg\", \"partial\": true}\n{\"path\": \"whole.png\"}\n", "\(paths)")

        let (strict, out2) = CommandOutput.run(["index", dir.path] + model)
        #expect(strict == 1)
        #expect(out2.hasPrefix("\(dir.path): 1 of 2 images indexed: 0 embedded, 1 reused, 0 reused after rename/copy, 1 failed, 0 removed from the cache\n"), "\(out2)")
        #expect(out2.contains("failed:\n  cut.jpg: image file is truncated") && !out2.contains("partial:"), "\(out2)")
        let (again, out3) = CommandOutput.run(["index", dir.path, "--allow-partial"] + model)   // retried, marked again
        #expect(again == 0 && out3.contains("1 embedded, 1 reused") && out3.contains("partial: 1 image(s)"), "\(out3)")
    }
}

/// A disk with `budget` bytes free for the cache: writes past it are cut short, then fail with ENOSPC.
final class CacheDiskFull: CacheFileWriting, @unchecked Sendable {
    private let lock = NSLock()
    private var left: Int
    init(budget: Int) { left = budget }
    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
        lock.lock(); defer { lock.unlock() }
        guard left > 0 else { errno = ENOSPC; return -1 }
        let n = Glibc.write(fd, bytes.baseAddress, min(bytes.count, left))
        if n > 0 { left -= n }
        return n
    }
}

extension IndexSearchCLITests {
    /// Room for the journal header and about two of the fake backend's records (1024 floats each).
    func fullDiskRun(_ args: [String]) -> (status: Int32, stdout: String, stderr: String) {
        IndexedFolder.$cacheWriter.withValue(CacheDiskFull(budget: 600 + 2 * 4096 + 2000)) {
            BackendFactory.$current.withValue(BackendFactory { _ in FakeSearchBackend() }) { CommandOutput.runCapturingAll(args) }
        }
    }

    /// The disk fills up while `search` indexes: the ranking is printed all the same, exit 0, and one
    /// warning names the cache file and the reason.
    @Test func cacheFullMidRunStillPrintsTheRankingWithOneWarning() throws {
        let dir = try folder()
        let r = fullDiskRun(["search", dir.path, "--text", "green tree", "--top", "1"])
        #expect(r.status == 0)
        #expect(r.stdout.hasSuffix("  sub/tree.png\n"), "\(r.stdout)")
        let warnings = r.stderr.split(separator: "\n").filter { $0.contains("could not be updated") }
        #expect(warnings.count == 1, "\(r.stderr)")
        #expect(warnings.first?.hasPrefix("clipscope: warning: cache ") == true
                && warnings.first?.contains("/journal.bin could not be updated: cannot write the cache: No space left on device") == true, "\(r.stderr)")
    }

    /// The disk fills up while `index` runs: the summary, then exit 1 with an error naming the cache
    /// file; what was saved before stays, and the next run (with space again) embeds only the rest.
    @Test func indexStopsAtAFullCacheAndKeepsWhatWasSaved() throws {
        let dir = try folder()
        let r = fullDiskRun(["index", dir.path])
        #expect(r.status == 1)
        let error = r.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(error.hasPrefix("clipscope: cannot update the cache ") && error.contains("/journal.bin: cannot write the cache: No space left on device")
                && error.contains("the cache keeps every image saved before the failure"), "\(r.stderr)")
        #expect(!r.stderr.contains("warning: cache"), "\(r.stderr)")              // the error only, no second message
        let (again, out) = runOnFake(["index", dir.path])
        #expect(again == 1)                                                      // bad.jpg
        let first = try #require(out.split(separator: "\n").first.map(String.init))
        #expect(first.contains("5 of 6 images indexed") && first.contains("2 reused"), "\(out)")   // the two saved records
    }

    /// A cache that cannot be written at all (its directory's parent is a regular file; root ignores
    /// chmod, so this is the read-only case): `index` fails at once naming it; `search` warns once.
    @Test func unwritableCacheFailsIndexAndWarnsSearch() throws {
        let dir = try folder()
        let notADir = try Fixtures.tempDirectory("cache-parent-file").appendingPathComponent("file")
        try Data("x".utf8).write(to: notADir)
        setenv("CLIPSCOPE_CACHE_DIR", notADir.appendingPathComponent("cache").path, 1)
        let index = BackendFactory.$current.withValue(BackendFactory { _ in FakeSearchBackend() }) { CommandOutput.runCapturingAll(["index", dir.path]) }
        #expect(index.status == 1 && index.stdout.isEmpty)
        #expect(index.stderr.hasPrefix("clipscope: cannot update the cache \(notADir.path)/cache/store-") && index.stderr.contains("cannot create the cache directory"),
                "\(index.stderr)")
        let search = BackendFactory.$current.withValue(BackendFactory { _ in FakeSearchBackend() }) {
            CommandOutput.runCapturingAll(["search", dir.path, "--text", "apple", "--top", "1"])
        }
        #expect(search.status == 0 && search.stdout.hasSuffix("  apple.jpg\n"))
        #expect(search.stderr.components(separatedBy: "could not be updated").count == 2, "\(search.stderr)")
    }
}
