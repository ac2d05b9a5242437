// safetensors reading: the three fixture encodings agree, 16-bit conversion is exact on every bit
// pattern (SIMD and scalar paths), and each kind of corrupt header is refused with a message that
// names the file and the problem.
import CKernels
import Foundation
import SafeTensors
import Testing
import TestSupport

@Suite struct SafeTensorsFileTests {
    @Test func fixtureEncodingsAgree() throws {
        let f16 = try SafeTensorsFile(url: Fixtures.tiny("model.safetensors"))
        let f32 = try SafeTensorsFile(url: Fixtures.tiny("model.f32.safetensors"))
        let bf16 = try SafeTensorsFile(url: Fixtures.tiny("model.bf16.safetensors"))
        #expect(f16.tensors.count == f32.tensors.count)
        #expect(Set(f16.names) == Set(bf16.names))
        let name = "vision_model.blocks.0.attn.q_proj.weight"
        #expect(try f16.info(name).dtype == .f16)
        #expect(try f32.info(name).dtype == .f32)
        #expect(try bf16.info(name).dtype == .bf16)
        #expect(try f16.info(name).shape == [64, 64])
        for n in f16.names {
            // F32 file holds the same (F16-representable) values.
            #expect(try f16.floats(n) == f32.floats(n), "\(n)")
            // BF16 is within its 8-bit mantissa rounding of the same values.
            let a = try f32.floats(n), b = try bf16.floats(n)
            for (x, y) in zip(a, b) { #expect(abs(x - y) <= abs(x) * 0.0079 + 1e-30) }
        }
    }

    @Test func logitScaleIsAScalar() throws {
        let f = try SafeTensorsFile(url: Fixtures.tiny("model.safetensors"))
        #expect(try f.info("logit_scale").shape == [])
        #expect(try f.floats("logit_scale").count == 1)
    }

    @Test(arguments: [false, true]) func f16ConversionIsExactForEveryBitPattern(scalar: Bool) {
        cs_force_scalar(scalar ? 1 : 0)
        defer { cs_force_scalar(0) }
        let bits = (0...0xffff).map { UInt16($0) }
        var out = [Float](repeating: 0, count: bits.count)
        cs_f16_to_f32(bits, &out, bits.count)
        for (b, f) in zip(bits, out) {
            let expected = Float(Float16(bitPattern: b))
            if expected.isNaN { #expect(f.isNaN); continue }
            #expect(f.bitPattern == expected.bitPattern, "f16 \(String(b, radix: 16))")
        }
    }

    @Test(arguments: [false, true]) func bf16ConversionIsTheUpperHalf(scalar: Bool) {
        cs_force_scalar(scalar ? 1 : 0)
        defer { cs_force_scalar(0) }
        let bits = (0..<1000).map { UInt16(truncatingIfNeeded: $0 &* 65) }
        var out = [Float](repeating: 0, count: bits.count)
        cs_bf16_to_f32(bits, &out, bits.count)
        for (b, f) in zip(bits, out) { #expect(f.bitPattern == UInt32(b) << 16) }
    }

    @Test func writerRoundTripsAllDTypesAndMetadata() throws {
        let dir = try Fixtures.tempDirectory()
        let url = dir.appendingPathComponent("rt.safetensors")
        let v: [Float] = [1, -2.5, 0.333, 65504, 1e-7, 3]
        try SafeTensorsWriter.write([
            TensorToWrite(name: "a", dtype: .f32, shape: [2, 3], values: v),
            TensorToWrite(name: "b", dtype: .f16, shape: [6], values: v),
            TensorToWrite(name: "c", dtype: .bf16, shape: [3, 2], values: v),
            TensorToWrite(name: "empty", dtype: .f32, shape: [0, 4], values: []),
        ], metadata: ["format": "pt"], to: url)
        let f = try SafeTensorsFile(url: url)
        #expect(f.metadata == ["format": "pt"])
        #expect(try f.floats("a") == v)
        #expect(try f.floats("b") == v.map { Float(Float16($0)) })
        #expect(try f.floats("c")[0] == 1)
        #expect(try f.floats("c")[1] == -2.5)
        #expect(try f.info("empty").count == 0)
    }
}

/// Corrupt files built from bytes: each must be refused with a message naming file and problem.
@Suite struct SafeTensorsCorruptionTests {
    func write(_ data: Data, _ name: String = "bad.safetensors") throws -> URL {
        let url = try Fixtures.tempDirectory().appendingPathComponent(name)
        try data.write(to: url)
        return url
    }

    /// A file with a hand-written header and `payload` bytes of data.
    func file(header: String, payload: Int) -> Data {
        var h = Array(header.utf8)
        while h.count % 8 != 0 { h.append(0x20) }
        var d = Data()
        var n = UInt64(h.count).littleEndian
        withUnsafeBytes(of: &n) { d.append(contentsOf: $0) }
        d.append(contentsOf: h)
        d.append(Data(count: payload))
        return d
    }

    func refusal(_ data: Data) throws -> String {
        let url = try write(data)
        do {
            _ = try SafeTensorsFile(url: url)
        } catch let e as SafeTensorsError {
            #expect(e.file == "bad.safetensors")
            return e.description
        }
        Issue.record("accepted a corrupt file")
        return ""
    }

    @Test func truncatedFixtureIsRefused() throws {
        let whole = try Data(contentsOf: Fixtures.tiny("model.safetensors"))
        let msg = try refusal(whole.prefix(whole.count - 100))
        #expect(msg.contains("outside the data section"))
        #expect(msg.contains("truncated"))
    }

    @Test func tinyFileIsRefused() throws {
        #expect(try refusal(Data([1, 2, 3])).contains("too short"))
        #expect(try refusal(Data()).contains("too short"))
    }

    @Test func headerLengthBeyondFileIsRefused() throws {
        var d = file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, payload: 4)
        d[0] = 0xff; d[1] = 0xff
        #expect(try refusal(d).contains("header length"))
    }

    @Test func offsetsOutsideTheFileAreRefused() throws {
        let msg = try refusal(file(header: #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[100,116]}}"#, payload: 16))
        #expect(msg.contains("tensor 'a'"))
        #expect(msg.contains("outside the data section"))
    }

    @Test func overlappingOffsetsAreRefused() throws {
        let msg = try refusal(file(header: #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#, payload: 16))
        #expect(msg.contains("overlap"))
    }

    @Test func spanNotMatchingShapeIsRefused() throws {
        let msg = try refusal(file(header: #"{"a":{"dtype":"F16","shape":[4],"data_offsets":[0,16]}}"#, payload: 16))
        #expect(msg.contains("needs 8"))
    }

    @Test func unknownDTypeIsRefused() throws {
        let msg = try refusal(file(header: #"{"a":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}}"#, payload: 4))
        #expect(msg.contains("unsupported dtype 'F8_E4M3'"))
        #expect(msg.contains("tensor 'a'"))
    }

    @Test func badJSONAndBadFieldsAreRefused() throws {
        #expect(try refusal(file(header: "{not json", payload: 0)).contains("not valid JSON"))
        #expect(try refusal(file(header: "[1,2]", payload: 0)).contains("not a JSON object"))
        #expect(try refusal(file(header: #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}"#, payload: 0)).contains("shape"))
        #expect(try refusal(file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, payload: 4)).contains("increasing"))
        #expect(try refusal(file(header: #"{"__metadata__":{"k":1}}"#, payload: 0)).contains("__metadata__"))
    }

    /// Regression (found by Fuzz/ fuzz-safetensors, input Fuzz/Seeds/safetensors/regress-byte-size-overflow):
    /// 2058285767196672 × 27 × 62 elements fit in Int, their F32 byte size does not; computing it
    /// trapped with an arithmetic overflow instead of refusing the file.
    @Test func shapeWhoseByteSizeOverflowsIsRefused() throws {
        let msg = try refusal(file(header: #"{"t0":{"data_offsets":[0,0],"dtype":"F32","shape":[2058285767196672,27,62]}}"#, payload: 0))
        #expect(msg.contains("tensor 't0'"))
        #expect(msg.contains("too large"))
        #expect(try refusal(file(header: #"{"t":{"dtype":"F16","shape":[8000000000000000,1000],"data_offsets":[0,0]}}"#, payload: 0)).contains("too large"))
        // The element count alone overflowing was already refused the same way.
        #expect(try refusal(file(header: #"{"t":{"dtype":"BF16","shape":[8000000000000000,8000000000000000],"data_offsets":[0,0]}}"#, payload: 0)).contains("too large"))
    }

    @Test func missingFileIsRefused() {
        #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(url: URL(fileURLWithPath: "/nonexistent/x.safetensors")) }
    }
}

@Suite struct WeightStoreTests {
    @Test func strictLookupAndLeftovers() throws {
        let url = try Fixtures.tempDirectory().appendingPathComponent("w.safetensors")
        try SafeTensorsWriter.write([
            TensorToWrite(name: "m.a.weight", shape: [2, 2], values: [1, 2, 3, 4]),
            TensorToWrite(name: "m.a.bias", shape: [2], values: [5, 6]),
            TensorToWrite(name: "m.extra", shape: [1], values: [7]),
        ], to: url)
        let store = try WeightStore(url: url, missingHint: "is this the right model?")
        let a = store.scope("m").scope("a")
        #expect(try a.tensor("weight", shape: [2, 2]) == [1, 2, 3, 4])
        #expect(throws: WeightStoreError.wrongShape(file: "w.safetensors", name: "m.a.bias", expected: [3], found: [2])) {
            try a.tensor("bias", shape: [3])
        }
        #expect(try a.optionalTensor("nothere", shape: [1]) == nil)
        do {
            _ = try a.tensor("nothere", shape: [1])
            Issue.record("missing tensor accepted")
        } catch let e as WeightStoreError {
            #expect(e.description == "w.safetensors: missing tensor 'm.a.nothere' (is this the right model?)")
        }
        _ = try a.tensor("bias", shape: [2])
        do {
            try store.finish()
            Issue.record("leftover accepted")
        } catch let e as WeightStoreError {
            #expect(e.description.contains("'m.extra'"))
            #expect(e.description.contains("1 tensor(s) not used"))
        }
        _ = try store.scope("m").tensor("extra", shape: [1])
        try store.finish()
    }
}
