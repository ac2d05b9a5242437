// config.json decoding: tiny values over the jina-embeddings-v3 defaults, derived sizes, refusals.
import ClipModel
import Imaging
import Foundation
import Testing
import TestSupport

@Suite struct ModelConfigTests {
    @Test func tinyConfig() throws {
        let c = try ModelConfig.load(directory: Fixtures.tiny)
        #expect(c.modelType == "jina_clip")
        #expect(c.text.vocabSize == 363 && c.text.hiddenSize == 64 && c.text.numHiddenLayers == 2)
        #expect(c.text.numAttentionHeads == 4 && c.text.intermediateSize == 256 && c.text.headDim == 16)
        #expect(c.text.rotaryEmbBase == 20000)          // v3 default, not the class default 10000
        #expect(c.text.layerNormEps == 1e-5)
        #expect(c.text.loraRank == 4 && c.text.loraAlpha == 4 && c.text.loraScale == 1)
        #expect(c.text.loraIndex == 0 && c.text.padTokenId == 1)
        #expect(c.queryInstruction == ClipEmbedder.queryInstruction)
        #expect(c.vision.width == 64 && c.vision.heads == 4 && c.vision.grid == 4 && c.vision.tokens == 17)
        #expect(c.vision.mlpHidden == 170 && c.vision.layerNormEps == 1e-6)
        #expect(c.matryoshkaDimensions == [16, 32, 64])
        #expect(c.embeddingWidth == 64 && c.imageSize == 60 && c.patchSize == 14)
        #expect(c.preprocessor.size == 60 && c.preprocessor.mean[0] == Float(0.48145466))
    }

    @Test func v3DefaultsAreTheRealModelSizes() {
        let t = TextConfig.v3Defaults
        #expect(t.vocabSize == 250_002 && t.hiddenSize == 1024 && t.numHiddenLayers == 24 && t.intermediateSize == 4096)
        #expect(t.rotaryEmbBase == 20000 && t.padTokenId == 1 && t.typeVocabSize == 1)
    }

    func refusal(_ edit: (String) -> String) throws -> String {
        let json = try String(contentsOf: Fixtures.tiny("config.json"), encoding: .utf8)
        do {
            _ = try ModelConfig.decode(config: Data(edit(json).utf8))
            Issue.record("accepted")
            return ""
        } catch let e as ModelConfigError {
            return e.description
        }
    }

    @Test func refusals() throws {
        #expect(try refusal { $0.replacingOccurrences(of: "\"jina_clip\"", with: "\"siglip\"") }.contains("model_type 'siglip' is not supported"))
        #expect(try refusal { $0.replacingOccurrences(of: "\"subln\": true", with: "\"subln\": false") }.contains("vision_config.subln"))
        #expect(try refusal { $0.replacingOccurrences(of: "\"vocab_size\": 363", with: "\"vocab_size\": \"x\"") }.contains("vocab_size must be an integer"))
        #expect(try refusal { $0.replacingOccurrences(of: "\"text_config\"", with: "\"txt\"") }.contains("missing text_config"))
        #expect(try refusal { _ in "[]" }.contains("not a JSON object"))
        #expect(try refusal { $0.replacingOccurrences(of: "\"ls_init_value\": null", with: "\"ls_init_value\": 0.1") }.contains("layer scale"))
    }

    @Test func rotaryBaseCanBeOverridden() throws {
        let json = try String(contentsOf: Fixtures.tiny("config.json"), encoding: .utf8)
            .replacingOccurrences(of: "\"vocab_size\": 363", with: "\"vocab_size\": 363, \"rotary_emb_base\": 10000")
        #expect(try ModelConfig.decode(config: Data(json.utf8)).text.rotaryEmbBase == 10000)
    }
}

/// The parser's three steps: defaults only where a field is absent, validation of every size against
/// what the architecture can have, and the memory estimate.
@Suite struct ModelConfigValidationTests {
    func decode(_ edit: (String) -> String, memory: UInt64 = 64 << 30) throws -> ModelConfig {
        let json = try String(contentsOf: Fixtures.tiny("config.json"), encoding: .utf8)
        return try ModelConfig.decode(config: Data(edit(json).utf8), memoryLimit: memory)
    }

    func message(_ edit: (String) -> String, memory: UInt64 = 64 << 30) throws -> String {
        do { _ = try decode(edit, memory: memory); return "accepted" } catch let e as ModelConfigError { return e.description }
    }

    @Test func impossibleSizesAreNamed() throws {
        #expect(try message { $0.replacingOccurrences(of: "\"mlp_ratio\": 2.6667", with: "\"mlp_ratio\": -2") }
            .contains("vision_config.mlp_ratio -2.0 must be a positive number"))
        #expect(try message { $0.replacingOccurrences(of: "\"patch_size\": 14", with: "\"patch_size\": 0") }
            .contains("vision_config.patch_size 0 is out of range"))
        #expect(try message { $0.replacingOccurrences(of: "\"num_hidden_layers\": 2", with: "\"num_hidden_layers\": 0") }
            .contains("num_hidden_layers 0 is out of range: it must be at least 1"))
        #expect(try message { $0.replacingOccurrences(of: "\"vocab_size\": 363", with: "\"vocab_size\": 1e30") }
            .contains("vocab_size must be an integer"))
        #expect(try message { $0.replacingOccurrences(of: "\"jinaai/jina-embeddings-v3\"", with: "\"someone/other-backbone\"") }
            .contains("hf_model_name_or_path 'someone/other-backbone' is not supported"))
    }

    @Test func memoryEstimateRefusesBeforeAllocating() throws {
        let msg = try message { $0.replacingOccurrences(of: "\"layers\": 2,", with: "\"layers\": 1000000000,") }
        #expect(msg.hasPrefix("config.json: vision_config describes a tower of 1000000000 layers of width 64 that would need about "), "\(msg)")
        #expect(msg.contains(" TB of memory; this machine has 68.7 GB"), "\(msg)")
        // The tiny model fits in 64 GiB, not in 1 MB.
        #expect(try decode { $0 }.vision.layers == 2)
        #expect(try message({ $0 }, memory: 1 << 20).contains("would need about"))
    }

    @Test func preprocessorSizeDictionaryAndChoices() throws {
        let config = try Data(contentsOf: Fixtures.tiny("config.json"))
        let dict = Data(#"{"size": {"shortest_edge": 60}, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}"#.utf8)
        #expect(try ModelConfig.decode(config: config, preprocessor: dict).preprocessor == PreprocessorConfig(size: 60, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25]))
        // Absent size: the vision image size; absent mean/std: CLIP's.
        let bare = try ModelConfig.decode(config: config, preprocessor: Data("{}".utf8)).preprocessor
        #expect(bare == PreprocessorConfig(size: 60, mean: Preprocessor.clipMean, std: Preprocessor.clipStd))
        for (json, problem) in [(#"{"interpolation": "bilinear"}"#, "interpolation \"bilinear\" is not supported"),
                                (#"{"resize_mode": "squash"}"#, "resize_mode \"squash\" is not supported"),
                                (#"{"size": 224}"#, "size 224 differs from vision_config.image_size 60")] {
            do {
                _ = try ModelConfig.decode(config: config, preprocessor: Data(json.utf8))
                Issue.record("accepted \(json)")
            } catch let e as ModelConfigError {
                #expect(e.description.hasPrefix("preprocessor_config.json: ") && e.description.contains(problem), "\(e)")
            }
        }
    }
}
