// Loading refusals with clear messages, built from the tiny checkpoint in test code (truncated file,
// header pointing outside the file, header length > file, overlapping offsets, missing tensor, wrong
// shape, unknown dtype, leftover tensor, another model type), plus the plain merged layout.
@testable import ClipModel
import Foundation
import SafeTensors
import Testing
import TestSupport

/// A temporary model directory with the tiny config and `weights` as model.safetensors.
func modelDirectory(weights: Data, config: Data? = nil) throws -> URL {
    let dir = try Fixtures.tempDirectory("clipscope-model")
    try (config ?? Data(contentsOf: Fixtures.tiny("config.json"))).write(to: dir.appendingPathComponent("config.json"))
    try Data(contentsOf: Fixtures.tiny("preprocessor_config.json")).write(to: dir.appendingPathComponent("preprocessor_config.json"))
    try weights.write(to: dir.appendingPathComponent("model.safetensors"))
    return dir
}

/// The tiny checkpoint with its header JSON edited by `edit` (the data section is kept as is).
func tinyWithHeader(_ edit: (inout [String: Any]) -> Void) throws -> Data {
    let whole = try Data(contentsOf: Fixtures.tiny("model.safetensors"))
    let n = whole.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    var header = try JSONSerialization.jsonObject(with: whole.subdata(in: 8..<(8 + n))) as! [String: Any]
    edit(&header)
    var h = [UInt8](try JSONSerialization.data(withJSONObject: header))
    while h.count % 8 != 0 { h.append(0x20) }
    var out = Data()
    var len = UInt64(h.count).littleEndian
    withUnsafeBytes(of: &len) { out.append(contentsOf: $0) }
    out.append(contentsOf: h)
    out.append(whole.subdata(in: (8 + n)..<whole.count))
    return out
}

/// All tiny tensors as Float (name → (shape, values)).
func tinyTensors() throws -> [String: ([Int], [Float])] {
    let f = try SafeTensorsFile(url: Fixtures.tiny("model.f32.safetensors"))
    var out: [String: ([Int], [Float])] = [:]
    for name in f.names { out[name] = (try f.info(name).shape, try f.floats(name)) }
    return out
}

func encode(_ tensors: [String: ([Int], [Float])], dtype: SafeTensorsDType = .f32) -> Data {
    SafeTensorsWriter.encode(tensors.keys.sorted().map { TensorToWrite(name: $0, dtype: dtype, shape: tensors[$0]!.0, values: tensors[$0]!.1) })
}

/// The description of the error loading `dir` throws (records an issue when it loads).
func loadError(_ dir: URL) -> String {
    do {
        _ = try ClipEmbedder.load(directory: dir, threads: 1)
        Issue.record("model loaded but should have been refused")
        return ""
    } catch {
        return "\(error)"
    }
}

@Suite struct LoaderTests {
    static let q = "text_model.transformer.roberta.encoder.layers.0.mixer.Wqkv.bias"

    @Test func truncatedFile() throws {
        let whole = try Data(contentsOf: Fixtures.tiny("model.safetensors"))
        let msg = loadError(try modelDirectory(weights: whole.prefix(whole.count / 2)))
        #expect(msg.contains("model.safetensors"))
        #expect(msg.contains("outside the data section"))
    }

    @Test func headerLengthBeyondFile() throws {
        var whole = try Data(contentsOf: Fixtures.tiny("model.safetensors"))
        whole[3] = 0x7f
        let msg = loadError(try modelDirectory(weights: whole))
        #expect(msg.contains("model.safetensors: header length"))
    }

    @Test func headerPointingOutsideTheFile() throws {
        let data = try tinyWithHeader { h in
            var e = h[Self.q] as! [String: Any]
            e["data_offsets"] = [10_000_000, 10_000_000 + 3 * 64 * 2]
            h[Self.q] = e
        }
        let msg = loadError(try modelDirectory(weights: data))
        #expect(msg.contains("tensor '\(Self.q)'"))
        #expect(msg.contains("outside the data section"))
    }

    @Test func overlappingOffsets() throws {
        let data = try tinyWithHeader { h in
            let other = (h["logit_scale"] as! [String: Any])["data_offsets"] as! [Int]
            var e = h[Self.q] as! [String: Any]
            e["data_offsets"] = [other[0], other[0] + 3 * 64 * 2]
            h[Self.q] = e
        }
        #expect(loadError(try modelDirectory(weights: data)).contains("overlap"))
    }

    @Test func missingTensor() throws {
        var t = try tinyTensors()
        t["vision_model.blocks.1.attn.v_bias"] = nil
        let msg = loadError(try modelDirectory(weights: encode(t)))
        #expect(msg == "model.safetensors: missing tensor 'vision_model.blocks.1.attn.v_bias' (is this a jina-clip-v2 checkpoint matching config.json?)")
    }

    @Test func wrongShape() throws {
        let data = try tinyWithHeader { h in
            var e = h[Self.q] as! [String: Any]
            e["shape"] = [96, 2]
            h[Self.q] = e
        }
        let msg = loadError(try modelDirectory(weights: data))
        #expect(msg == "model.safetensors: tensor '\(Self.q)' has shape [96, 2], expected [192]")
    }

    @Test func unknownDType() throws {
        let data = try tinyWithHeader { h in
            var e = h[Self.q] as! [String: Any]
            e["dtype"] = "I16"
            h[Self.q] = e
        }
        #expect(loadError(try modelDirectory(weights: data)) == "model.safetensors: tensor '\(Self.q)': unsupported dtype 'I16' (supported: F32, F16, BF16)")
    }

    @Test func leftoverTensor() throws {
        var t = try tinyTensors()
        t["vision_model.head.weight"] = ([2], [1, 2])
        let msg = loadError(try modelDirectory(weights: encode(t)))
        #expect(msg.contains("1 tensor(s) not used by the model: 'vision_model.head.weight'"))
    }

    @Test func configOfAnotherModelType() throws {
        var json = try String(contentsOf: Fixtures.tiny("config.json"), encoding: .utf8)
        json = json.replacingOccurrences(of: "\"model_type\": \"jina_clip\"", with: "\"model_type\": \"clip\"")
        let dir = try modelDirectory(weights: Data(contentsOf: Fixtures.tiny("model.safetensors")), config: Data(json.utf8))
        #expect(loadError(dir) == dir.appendingPathComponent("config.json").path
            + ": model_type 'clip' is not supported; ClipScope runs jina-clip-v2 (model_type 'jina_clip')")
    }

    @Test func missingDirectoryAndWeights() throws {
        #expect(loadError(URL(fileURLWithPath: "/nonexistent-model")).contains("config.json: no such file (is this a model directory?)"))
        let dir = try modelDirectory(weights: Data())
        try FileManager.default.removeItem(at: dir.appendingPathComponent("model.safetensors"))
        #expect(loadError(dir).contains("weights file not found"))
    }

    @Test func keyTableMatchesTheOfficialCheckpoint() throws {
        let file = try SafeTensorsFile(url: Fixtures.tiny("model.safetensors"))
        let config = try ModelConfig.load(directory: Fixtures.tiny)
        let expected = WeightNames.expected(config, layout: .official)
        #expect(expected.count == file.tensors.count)
        for (name, info) in file.tensors { #expect(expected[name] == info.shape, "\(name)") }
        // Full size: 999 tensors (spec §5.2).
        var full = config
        full.text = .v3Defaults
        full.text.loraAlpha = 4
        full.vision = VisionConfig(width: 1024, layers: 24, headWidth: 64, imageSize: 512, patchSize: 14, mlpRatio: 2.6667,
                                   ptHwSeqLen: 16, intpFreq: true, embedDim: 1024)
        let fullKeys = WeightNames.expected(full, layout: .official)
        #expect(fullKeys.count == 999)
        #expect(fullKeys.values.map { $0.reduce(1, *) }.reduce(0, +) == 865_278_477)
    }

    /// A merged-layout copy (LoRA folded in, in Float, F32, plain `.weight` names) gives the same embeddings.
    @Test func mergedLayoutLoadsAndMatches() throws {
        let t = try tinyTensors()
        var merged: [String: ([Int], [Float])] = [:]
        let ori = ".parametrizations.weight.original", la = ".parametrizations.weight.0.lora_A", lb = ".parametrizations.weight.0.lora_B"
        for (name, (shape, values)) in t where !name.contains(".parametrizations.") { merged[name] = (shape, values) }
        for (name, (shape, w)) in t where name.hasSuffix(ori) {
            let module = String(name.dropLast(ori.count))
            let a = t[module + la]!, b = t[module + lb]!
            var out = w
            let rows = shape[0], cols = shape[1]
            let isEmbedding = module.hasSuffix("_embeddings")
            for i in 0..<rows {
                for j in 0..<cols {
                    var s: Float = 0
                    for k in 0..<4 {
                        // embeddings: A[rows, r] @ B[r, cols];  linear: B[rows, r] @ A[r, cols] (scale 4/4 = 1)
                        s += isEmbedding ? a.1[i * 4 + k] * b.1[k * cols + j] : b.1[i * 4 + k] * a.1[k * cols + j]
                    }
                    out[i * cols + j] += s
                }
            }
            merged[module + ".weight"] = (shape, out)
        }
        #expect(merged.count == t.count - 2 * 10)   // 10 LoRA modules (2 layers × 4 linears + 2 embeddings) lose A and B
        let dir = try modelDirectory(weights: encode(merged))
        let m = try ClipEmbedder.load(directory: dir, threads: 1)
        #expect(m.layout == .merged)
        #expect(m.storedDTypes == ["F32"])
        let e = try m.embed(tokenIDs: try Tiny.textIDs)
        #expect(maxDiff(e, try Tiny.rows("text_embeddings.npy")) <= 1e-5)
        #expect(maxDiff(e, try Tiny.f16.embed(tokenIDs: try Tiny.textIDs)) <= 1e-6)
        let img = try m.embed(pixelValues: try Tiny.pixels, count: 4)
        #expect(maxDiff(img, try Tiny.rows("image_embeddings.npy")) <= 1e-5)
        #expect(Tiny.f16.layout == .official)
        #expect(m.identity != Tiny.f16.identity)
    }

    @Test func identityIsStableAndDistinguishesCheckpoints() throws {
        let again = try ClipEmbedder.load(directory: Fixtures.tiny, threads: 1)
        #expect(again.identity == Tiny.f16.identity)
        #expect(Tiny.f16.identity != Tiny.bf16.identity)
        #expect(Tiny.f16.identity.hasPrefix("jcv2-") && Tiny.f16.identity.count == 21)
    }
}
