// A float32 Linear layer through oneDNN's matmul (CDnnl/dnnl_linear.c, contract in its header):
//
//   Y[m, N] = X[m, K] · Wᵀ + b        for a fixed row count m (one image's tokens or patches)
//
// W is reordered once into the primitive's own layout; that copy replaces the caller's float32 array
// (the tower drops its [Float] after making this). Calls with another row count go through `apply`
// once per block of m rows (rows are independent, so a batch of images gives each image the bits it
// gets alone). The thread count is the caller's (RowSplit.threads); oneDNN's result does not depend on
// it (DnnlLinearTests, ThreadCountTests).
import CDnnl
import Foundation

public final class DnnlLinear: @unchecked Sendable {
    public let rows: Int
    public let outFeatures: Int
    public let inFeatures: Int
    private let handle: OpaquePointer

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(message: [CChar]) {
            description = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// Whether oneDNN runs its AVX-512 f32 kernels on this CPU (what `GemmBackend.table` was measured on).
    public static var hasAVX512: Bool { cs_dnnl_has_avx512_core() != 0 }
    /// "major.minor.patch" of the oneDNN library in use.
    public static var version: String {
        let v = Int(cs_dnnl_version())
        return "\(v / 10000).\(v / 100 % 100).\(v % 100)"
    }

    private init(handle: OpaquePointer, rows: Int, outFeatures: Int, inFeatures: Int) {
        self.handle = handle
        self.rows = rows
        self.outFeatures = outFeatures
        self.inFeatures = inFeatures
    }

    private static func make(weight: UnsafePointer<Float>?, rows: Int, outFeatures: Int, inFeatures: Int,
                             bias: [Float]?, threads: Int) throws -> OpaquePointer {
        var err = [CChar](repeating: 0, count: 160)
        let h = bias.withOptionalPointer { b in
            cs_dnnl_linear_create(Int64(rows), Int64(outFeatures), Int64(inFeatures), weight, b, Int32(max(1, threads)),
                                  &err, err.count)
        }
        guard let h else { throw Failure(message: err) }
        return h
    }

    /// W: [outFeatures, inFeatures] row-major float32; bias: outFeatures values or nil.
    public convenience init(weight: [Float], rows: Int, outFeatures: Int, inFeatures: Int, bias: [Float]?,
                            threads: Int) throws {
        precondition(weight.count == outFeatures * inFeatures && (bias?.count ?? outFeatures) == outFeatures)
        let made = try weight.withUnsafeBufferPointer { w in
            try Self.make(weight: w.baseAddress, rows: rows, outFeatures: outFeatures, inFeatures: inFeatures,
                          bias: bias, threads: threads)
        }
        self.init(handle: made, rows: rows, outFeatures: outFeatures, inFeatures: inFeatures)
    }

    deinit { cs_dnnl_linear_free(handle) }

    /// The oneDNN implementation in use (e.g. "brg:avx512_core").
    public var implementation: String { String(cString: cs_dnnl_linear_impl(handle)) }
    /// Bytes of the reordered weights.
    public var weightBytes: Int { Int(cs_dnnl_linear_weight_bytes(handle)) }

    /// y[t] = x[t]·Wᵀ + b for t < count, count a multiple of `rows`, x and y contiguous. `scratch`: oneDNN's
    /// temporaries (grown to what this primitive needs; share one among layers that run one at a time).
    public func apply(_ x: UnsafePointer<Float>, count: Int, into y: UnsafeMutablePointer<Float>,
                      scratch: ScratchBuffer, threads: Int = RowSplit.threads) throws {
        precondition(count % rows == 0, "DnnlLinear: \(count) rows is not a multiple of \(rows)")
        var err = [CChar](repeating: 0, count: 160)
        let t = Int32(max(1, threads))
        let bytes = cs_dnnl_linear_scratch_bytes(handle, t, &err, err.count)
        if bytes < 0 { throw Failure(message: err) }
        // 64-byte aligned (the buffer is float-aligned): 64 bytes more than asked.
        let raw = UnsafeMutableRawPointer(scratch.reserve((bytes + 64 + 3) / 4))
        let pad = raw + (64 - Int(bitPattern: raw) % 64) % 64
        for block in 0..<count / rows {
            let rc = cs_dnnl_linear_apply(handle, x + block * rows * inFeatures, y + block * rows * outFeatures,
                                          pad, bytes, t, &err, err.count)
            if rc != 0 { throw Failure(message: err) }
        }
    }
}

private extension Optional where Wrapped == [Float] {
    func withOptionalPointer<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
        switch self {
        case .some(let a): return a.withUnsafeBufferPointer { body($0.baseAddress) }
        case .none: return body(nil)
        }
    }
}
