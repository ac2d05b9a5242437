// config.json decoding: tiny values over the jina-embeddings-v3 defaults, derived sizes, refusals.
import ClipModel
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
