// NaN/Inf weights are refused at load with the file and tensor named: in a converted F32 tensor, in
// the 16-bit word-embedding table that stays mapped (raw F16 bits patched in a copy of the tiny
// checkpoint), and in BF16; plus the raw-bit counter against hand-made payloads.
@testable import ClipModel
import Foundation
import SafeTensors
import Testing
import TestSupport

@Suite struct NonFiniteWeightTests {
    static let word = "\(WeightNames.Text.wordEmbeddings).\(WeightNames.loraOriginal)"

    @Test func nanInAConvertedF32Tensor() throws {
        var t = try tinyTensors()
        let name = "vision_model.blocks.1.attn.v_bias"
        var v = t[name]!
        v.1[0] = .nan; v.1[3] = .infinity; v.1[5] = -.infinity
        t[name] = v
        let msg = loadError(try modelDirectory(weights: encode(t)))
        #expect(msg == "model.safetensors: tensor '\(name)' has 3 NaN/Inf values (corrupt or badly converted checkpoint)")
    }

    /// The official F16 checkpoint with two words of the mapped word table overwritten (NaN, −Inf).
    @Test func nanInTheMappedF16WordTable() throws {
        var whole = try Data(contentsOf: Fixtures.tiny("model.safetensors"))
        let file = try SafeTensorsFile(url: Fixtures.tiny("model.safetensors"))
        let info = try file.info(Self.word)
        #expect(info.dtype == .f16)
        let dataStart = 8 + file.headerBytes.count
        let last = info.count - 1
        for (element, bits) in [(7, UInt16(0x7E00)), (last, UInt16(0xFC00))] {
            let at = dataStart + info.begin + 2 * element
            whole[at] = UInt8(bits & 0xff); whole[at + 1] = UInt8(bits >> 8)
        }
        let msg = loadError(try modelDirectory(weights: whole))
        #expect(msg == "model.safetensors: tensor '\(Self.word)' has 2 NaN/Inf values (corrupt or badly converted checkpoint)")
        // The untouched checkpoint still loads and has no non-finite value anywhere.
        for name in file.names { #expect(file.nonFiniteCount(try file.info(name)) == 0, "\(name)") }
    }

    @Test func infInABF16Checkpoint() throws {
        var t = try tinyTensors()
        var v = t[Self.word]!
        v.1[10] = .infinity
        t[Self.word] = v
        let msg = loadError(try modelDirectory(weights: encode(t, dtype: .bf16)))
        #expect(msg == "model.safetensors: tensor '\(Self.word)' has 1 NaN/Inf value (corrupt or badly converted checkpoint)")
    }

    /// Counter on raw payloads at a 2-byte offset (F32 not 4-aligned), every dtype; large finite values and
    /// subnormals are not counted.
    @Test func rawBitCounter() throws {
        let values: [Float] = [0, -0, 1, .greatestFiniteMagnitude, .leastNonzeroMagnitude, .nan, .infinity, -.infinity, -3.5]
        for dtype in SafeTensorsDType.allCases {
            let data = SafeTensorsWriter.encode([
                TensorToWrite(name: "pad", dtype: .f16, shape: [1], values: [0]),   // shifts the next tensor by 2 bytes
                TensorToWrite(name: "x", dtype: dtype, shape: [values.count], values: values),
            ])
            let url = try Fixtures.tempDirectory("nonfinite").appendingPathComponent("w.safetensors")
            try data.write(to: url)
            let f = try SafeTensorsFile(url: url)
            #expect(f.nonFiniteCount(try f.info("x")) == 3 + (dtype == .f32 ? 0 : 1), "\(dtype)")  // FLT_MAX overflows 16-bit to Inf
            #expect(f.nonFiniteCount(try f.info("pad")) == 0)
        }
    }
}
