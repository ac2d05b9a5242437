// `model info` / `verify` / `list` building blocks, the licence gate, progress formatting,
// environment rules and the small HTTP helpers.
import Foundation
import Testing
import TestSupport
@testable import ModelHub
import SafeTensors

@Suite struct ModelToolsTests {
    // MARK: info

    @Test func inspectsTheTinyFixture() throws {
        let info = try ModelInspector.inspect(Fixtures.tiny)
        #expect(info.architectures == ["JinaCLIPModel"])
        #expect(info.modelType == "jina_clip")
        #expect(info.matryoshkaDims == [16, 32, 64])
        #expect(info.text.embedDim == 64 && info.text.hiddenSize == 64 && info.text.layers == 2 && info.text.heads == 4)
        #expect(info.vision.width == 64 && info.vision.layers == 2 && info.vision.patchSize == 14 && info.vision.imageSize == 60)
        #expect(info.tokenizer == ModelInfo.TokenizerSummary(model: "Unigram", vocabSize: 363, addedTokens: 5))
        #expect(info.preprocessorImageSize == 60)
        let w = try #require(info.weights)
        #expect(w.tensors == 97)
        #expect(w.dtypes.keys.sorted() == ["F16"])
        // All tensors are F16: 2 bytes per parameter fill the data section exactly.
        let bytes = try Data(contentsOf: Fixtures.tiny("model.safetensors"))
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(w.parameters * 2 == UInt64(bytes.count - 8 - headerLength))
    }

    @Test func otherEncodingsReportTheirDtype() throws {
        let f32 = try SafeTensorsHeader.read(Fixtures.tiny("model.f32.safetensors"))
        let bf16 = try SafeTensorsHeader.read(Fixtures.tiny("model.bf16.safetensors"))
        #expect(Set(f32.tensors.values.map(\.dtypeName)) == ["F32"])
        #expect(Set(bf16.tensors.values.map(\.dtypeName)) == ["BF16"])
        #expect(f32.tensors.mapValues(\.elementCount) == bf16.tensors.mapValues(\.elementCount))
    }

    @Test func brokenSafetensorsHeadersAreNamed() throws {
        let dir = try Fixtures.tempDirectory("st-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tooLong = dir.appendingPathComponent("a.safetensors")
        var d = Data([0xff, 0xff, 0, 0, 0, 0, 0, 0]); d.append(Data("{}".utf8))
        try d.write(to: tooLong)
        let e1 = #expect(throws: SafeTensorsError.self) { try SafeTensorsHeader.read(tooLong) }
        #expect(e1?.description.contains("a.safetensors") == true)
        #expect(e1?.description.contains("header length") == true)

        let header = Data(#"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}"#.utf8)
        var d2 = Data((0..<8).map { UInt8(truncatingIfNeeded: header.count >> (8 * $0)) }); d2.append(header); d2.append(Data(count: 16))
        let badSize = dir.appendingPathComponent("b.safetensors")
        try d2.write(to: badSize)
        let e2 = #expect(throws: SafeTensorsError.self) { try SafeTensorsHeader.read(badSize) }
        #expect(e2?.description.contains("tensor 'w'") == true)
    }

    // MARK: verify

    @Test func verifiesAnHFSnapshotAndFindsTampering() throws {
        let root = try Fixtures.tempDirectory("verify-hf")
        defer { try? FileManager.default.removeItem(at: root) }
        let snap = try TestModels.hfCache(at: root)
        var checks = try ModelVerifier.verify(snap)
        #expect(checks.map(\.path) == ["config.json", "model.safetensors", "preprocessor_config.json", "tokenizer.json"])
        #expect(checks.allSatisfy { $0.status == .ok })
        #expect(checks.first { $0.path == "config.json" }?.method == "git-blob-sha1")
        #expect(checks.first { $0.path == "model.safetensors" }?.method == "sha256")

        // Flip one byte of the weights blob; remove the tokenizer blob.
        let blobs = root.appendingPathComponent("models--jinaai--jina-clip-v2/blobs")
        let weights = blobs.appendingPathComponent(FakeHub.digests["model.safetensors"]!.sha256)
        var bytes = try Data(contentsOf: weights); bytes[1000] ^= 1; try bytes.write(to: weights)
        try FileManager.default.removeItem(at: blobs.appendingPathComponent(FakeHub.digests["tokenizer.json"]!.sha256))
        checks = try ModelVerifier.verify(snap)
        #expect(checks.first { $0.path == "model.safetensors" }?.status == .mismatch)
        #expect(checks.first { $0.path == "tokenizer.json" }?.status == .missing)
        #expect(checks.first { $0.path == "config.json" }?.status == .ok)
    }

    @Test func verifiesAgainstRecordedChecksums() throws {
        let root = try Fixtures.tempDirectory("verify-plain")
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = try TestModels.plainModel(at: root.appendingPathComponent("m"))
        #expect(try ModelVerifier.verify(dir).allSatisfy { $0.status == .unrecorded })

        var files: [String: ModelChecksums.Entry] = [:]
        for f in TestModels.modelFiles { files[f] = .init(sha256: FakeHub.digests[f]!.sha256, size: try FileSystem.fileSize(Fixtures.tiny(f))) }
        try ModelChecksums(repo: "jinaai/jina-clip-v2", revision: "main", commit: TestModels.commit, files: files).write(to: dir)
        #expect(try ModelVerifier.verify(dir).allSatisfy { $0.status == .ok })

        try Data("{}".utf8).write(to: dir.appendingPathComponent("config.json"))
        let checks = try ModelVerifier.verify(dir)
        #expect(checks.first { $0.path == "config.json" }?.status == .mismatch)
        #expect(checks.filter { $0.status == .ok }.count == 3)
    }

    // MARK: list

    @Test func listsCachesModelsDirAndDemo() throws {
        let root = try Fixtures.tempDirectory("list")
        defer { try? FileManager.default.removeItem(at: root) }
        try TestModels.hfCache(at: root.appendingPathComponent("cache"))
        try TestModels.hfCache(at: root.appendingPathComponent("cache"), owner: "someone", name: "partial",
                               files: ["config.json"])
        try TestModels.plainModel(at: root.appendingPathComponent("models/jinaai/jina-clip-v2"))
        try TestModels.plainModel(at: root.appendingPathComponent("assets/models/demo"))
        let env = ["HOME": root.appendingPathComponent("home").path, "HF_HUB_CACHE": root.appendingPathComponent("cache").path,
                   "CLIPSCOPE_MODELS_DIR": root.appendingPathComponent("models").path,
                   "CLIPSCOPE_ASSETS": root.appendingPathComponent("assets").path]
        let entries = ModelCatalog.list(environment: env, executableURL: nil, currentDirectory: root)
        #expect(entries.map(\.name) == ["jinaai/jina-clip-v2", "someone/partial", "jinaai/jina-clip-v2", "demo"])
        #expect(entries.map(\.source) == [.hfCache, .hfCache, .clipscopeModels, .demo])
        #expect(entries[0].refs == ["main"] && entries[0].commit == TestModels.commit && entries[0].usable)
        let fixtureBytes = try TestModels.modelFiles.reduce(UInt64(0)) { $0 + (try FileSystem.fileSize(Fixtures.tiny($1))) }
        #expect(entries[0].bytes == fixtureBytes)
        #expect(!entries[1].usable && entries[1].missing == ["model.safetensors", "tokenizer.json"])
        let json = String(decoding: try JSONEncoder().encode(entries[0]), as: UTF8.self)
        #expect(json.contains(#""source":"hf-cache""#) && json.contains(#""refs":["main"]"#))
    }

    // MARK: licence

    @Test func licenceGate() throws {
        let root = try Fixtures.tempDirectory("licence")
        defer { try? FileManager.default.removeItem(at: root) }
        let env = ["HOME": root.path, "XDG_DATA_HOME": root.appendingPathComponent("data").path]
        let gate = LicenceGate(environment: env)
        let repo = RepoID.jinaClipV2
        let terms = LicenceTerms.forRepo(repo, endpoint: "https://huggingface.co")
        #expect(terms.id == "cc-by-nc-4.0")
        var shown: [String] = []

        // No TTY, no --yes: refused, nothing recorded.
        let refused = #expect(throws: ModelHubError.self) {
            try gate.decide(repo, terms: terms, yes: false, show: { shown.append($0) }, ask: nil)
        }
        #expect(refused?.description.contains("--yes") == true)
        #expect(shown.last?.contains("CC-BY-NC-4.0") == true)
        #expect(!gate.wasAccepted(repo, terms: terms))

        // A "no" at the prompt declines; "y" accepts and is remembered.
        #expect(try gate.decide(repo, terms: terms, yes: false, show: { _ in }, ask: { _ in "n" }) == .declined)
        #expect(try gate.decide(repo, terms: terms, yes: false, show: { _ in }, ask: { _ in "y" }) == .acceptedNow)
        #expect(gate.storeURL.path.hasPrefix(root.appendingPathComponent("data/clipscope").path))
        #expect(try gate.decide(repo, terms: terms, yes: false, show: { _ in }, ask: nil) == .acceptedBefore)

        // --yes accepts for another repo; a different licence id is not covered by an old acceptance.
        let other = RepoID(owner: "x", name: "y")
        let otherTerms = LicenceTerms.forRepo(other, endpoint: "https://huggingface.co")
        #expect(try gate.decide(other, terms: otherTerms, yes: true, show: { _ in }, ask: nil) == .acceptedNow)
        #expect(gate.wasAccepted(repo, terms: terms) && gate.wasAccepted(other, terms: otherTerms))
        #expect(!gate.wasAccepted(repo, terms: LicenceTerms(id: "apache-2.0", summary: "", url: "")))
    }

    // MARK: progress, environment, HTTP helpers

    @Test func progressFormatting() {
        #expect(ProgressFormat.bytes(999) == "999 B")
        #expect(ProgressFormat.bytes(1500) == "1.5 kB")
        #expect(ProgressFormat.bytes(835_200_000) == "835.2 MB")
        #expect(ProgressFormat.bytes(1_730_000_000) == "1.73 GB")
        #expect(ProgressFormat.duration(78) == "1:18")
        #expect(ProgressFormat.duration(3725) == "1:02:05")
        #expect(ProgressFormat.duration(nil) == "--:--")
        let line = ProgressFormat.line(file: "model.safetensors", bytes: 500, total: 1000, bytesPerSecond: 100, width: 10)
        #expect(line == "  model.safetensors  [#####.....]  50%  500 B / 1.0 kB  100 B/s  ETA 0:05")
        #expect(ProgressFormat.line(file: "f", bytes: 10, total: nil, bytesPerSecond: 0) == "  f  10 B  0 B/s")
    }

    @Test func terminalProgressOutput() {
        final class Box: @unchecked Sendable { var text = "" }
        let plain = Box()
        let p = TerminalProgress(isTTY: false, width: 10) { plain.text += $0 }
        p.begin(file: "model.safetensors", total: 2_000_000, resumedFrom: 500_000)
        p.update(file: "model.safetensors", bytes: 1_000_000)
        p.finish(file: "model.safetensors", bytes: 2_000_000, skipped: false)
        p.finish(file: "config.json", bytes: 2324, skipped: true)
        let lines = plain.text.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)   // no bar without a TTY
        #expect(lines[0] == "downloading model.safetensors (2.0 MB), resuming at 500.0 kB")
        #expect(lines[1].hasPrefix("model.safetensors: 2.0 MB done, "))
        #expect(lines[2] == "config.json: already present (2.3 kB)")

        let tty = Box()
        let t = TerminalProgress(isTTY: true, width: 10, minRedraw: 60) { tty.text += $0 }
        t.begin(file: "f", total: 1000, resumedFrom: 0)
        t.update(file: "f", bytes: 500)
        t.update(file: "f", bytes: 600)   // within `minRedraw` of the last draw: skipped
        #expect(tty.text.contains("\r  f  [#####.....]  50%  500 B / 1.0 kB"))
        #expect(!tty.text.contains("60%"))
    }

    @Test func environmentRules() throws {
        let root = try Fixtures.tempDirectory("env")
        defer { try? FileManager.default.removeItem(at: root) }
        let home = root.path
        var env = HubEnvironment(["HOME": home])
        #expect(env.endpoint == "https://huggingface.co")
        #expect(env.hfCacheForWriting.path == home + "/.cache/huggingface/hub")
        #expect(env.clipscopeModelsDirectory.path == home + "/.local/share/clipscope/models")
        #expect(env.token == nil && !env.isOffline)

        try FileManager.default.createDirectory(atPath: home + "/.cache/huggingface", withIntermediateDirectories: true)
        try "hf_file\n".write(toFile: home + "/.cache/huggingface/token", atomically: true, encoding: .utf8)
        #expect(env.token == "hf_file")
        env = HubEnvironment(["HOME": home, "HF_TOKEN": "hf_env", "HF_ENDPOINT": "http://127.0.0.1:9/", "HF_HUB_OFFLINE": "true",
                              "XDG_DATA_HOME": "~/data", "CLIPSCOPE_MODELS_DIR": "~/m"])
        #expect(env.token == "hf_env")
        #expect(env.endpoint == "http://127.0.0.1:9")
        #expect(env.isOffline)
        #expect(env.clipscopeDataDirectory.path == home + "/data/clipscope")
        #expect(env.clipscopeModelsDirectory.path == home + "/m")
        #expect(!HubEnvironment(["HOME": home, "HF_HUB_OFFLINE": "0"]).isOffline)
    }

    @Test func httpHelpers() {
        #expect(ModelDownloader.normalizeETag("W/\"abc\"") == "abc")
        #expect(ModelDownloader.normalizeETag("\"0123\"") == "0123")
        #expect(ModelDownloader.contentRangeStart("bytes 100-199/200") == 100)
        #expect(ModelDownloader.contentRangeStart("bytes */200") == nil)
        #expect(sameOrigin(URL(string: "https://huggingface.co/a")!, URL(string: "https://huggingface.co:443/b")!))
        #expect(!sameOrigin(URL(string: "https://huggingface.co/a")!, URL(string: "https://cdn-lfs.huggingface.co/b")!))
        #expect(!sameOrigin(URL(string: "http://127.0.0.1:80/a")!, URL(string: "http://127.0.0.1:81/a")!))
        #expect(!sameOrigin(URL(string: "http://127.0.0.1/a")!, URL(string: "http://localhost/a")!))
        #expect(!sameOrigin(URL(string: "https://h/a")!, URL(string: "http://h/a")!))
    }
}
