// A model folder whose files describe something impossible is refused by every command that reads the
// model, with the parser's message (one parser per file): a vision tower of 10^9 layers, even for
// `embed --text`; a negative mlp_ratio; a safetensors shape whose product overflows, in `model info`.
// In the serialized EmbedCommandTests suite: the commands run here set the process-wide BLAS thread
// count that its tests depend on.
import Foundation
import Testing
import TestSupport
@testable import ClipScopeCLI
import CLISupport

extension EmbedCommandTests {
    /// A copy of the tiny model with config.json edited.
    func refusalModel(_ edit: (String) -> String) throws -> URL {
        let dir = try Fixtures.tempDirectory("clipscope-bad-config")
        for f in ["model.safetensors", "preprocessor_config.json", "tokenizer.json"] {
            try FileManager.default.copyItem(at: Fixtures.tiny(f), to: dir.appendingPathComponent(f))
        }
        let json = try String(contentsOf: Fixtures.tiny("config.json"), encoding: .utf8)
        try Data(edit(json).utf8).write(to: dir.appendingPathComponent("config.json"))
        return dir
    }

    @Test func aBillionVisionLayersIsRefusedByEveryCommand() throws {
        let dir = try refusalModel { $0.replacingOccurrences(of: "\"layers\": 2,", with: "\"layers\": 1000000000,") }
        let image = Fixtures.tiny("image_0_landscape_97x71.png").path
        let folder = try Fixtures.tempDirectory("clipscope-bad-config-folder")
        try FileManager.default.copyItem(atPath: image, toPath: folder.appendingPathComponent("a.png").path)
        let commands: [[String]] = [
            ["embed", "--model", dir.path, "--text", "a cat"],
            ["embed", "--model", dir.path, "--image", image],
            ["model", "info", dir.path],
            ["preprocess", "--model", dir.path, "--image", image, "--out", folder.appendingPathComponent("x.npy").path],
            ["search", folder.path, "--model", dir.path, "--text", "a cat"],
            ["bench", "--model", dir.path, "--skip-images", "--repeats", "1"],
            ["tokenize", "--model", dir.path, "a cat"],
            ["bench", "tokenizer", "--model", dir.path, "a cat"],
        ]
        for args in commands {
            let r = CommandOutput.runCapturingAll(args)
            #expect(r.status == 1, "\(args)")
            #expect(r.stderr.contains("vision_config describes a tower of 1000000000 layers of width 64 that would need about")
                    && r.stderr.contains(" TB of memory; this machine has "), "\(args): \(r.stderr)")
        }
    }

    @Test func aNegativeMlpRatioIsNamed() throws {
        let dir = try refusalModel { $0.replacingOccurrences(of: "\"mlp_ratio\": 2.6667", with: "\"mlp_ratio\": -2") }
        let r = CommandOutput.runCapturingAll(["embed", "--model", dir.path, "--text", "a cat"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("vision_config.mlp_ratio -2.0 must be a positive number"), "\(r.stderr)")
    }

    /// A header shape [2^32, 2^32]: the element count overflows Int; `model info` says so instead of trapping.
    @Test func modelInfoOnAnOverflowingShapeIsAClearError() throws {
        let dir = try refusalModel { $0 }
        let header = Data(#"{"w":{"dtype":"F16","shape":[4294967296,4294967296],"data_offsets":[0,0]}}"#.utf8)
        var file = Data((0..<8).map { UInt8(truncatingIfNeeded: header.count >> (8 * $0)) })
        file.append(header)
        try file.write(to: dir.appendingPathComponent("model.safetensors"))
        let r = CommandOutput.runCapturingAll(["model", "info", dir.path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("model.safetensors: tensor 'w': shape [4294967296, 4294967296] is too large"), "\(r.stderr)")
    }
}
