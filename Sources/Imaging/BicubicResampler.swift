// Pillow's 8-bit bicubic resample (libImaging/Resample.c), bit for bit, restricted to a window of
// the output. Each output sample depends only on its own coordinate, so computing only the crop
// window gives exactly the pixels of "resize everything, then crop" while touching only the
// source rows the window needs (a 1×10000 image needs a 512×(≤5) intermediate, not 512×5120000).
//
// Per axis (in → out samples): scale = in/out, fs = max(scale, 1), support = 2·fs,
// center = (o + 0.5)·scale, xmin = max(int(center − support + 0.5), 0),
// xmax = min(int(center + support + 0.5), in), w_j = K((j + xmin − center + 0.5) · (1/fs)),
// normalised to sum 1, then k_j = int(w_j·2²² ± 0.5) (truncation toward zero).
// A sample is clip(2²¹ + Σ p·k_j >> 22, 0, 255); the two passes meet in a uint8 intermediate, in
// the order Pillow 13 picks (see `verticalFirst`; spec §3.1: horizontal first is only the usual case).

/// The fixed-point filter taps of one axis, for output coordinates `window`.
struct ResampleAxis {
    static let precisionBits = 22

    let inSize: Int
    let outSize: Int
    let window: Range<Int>
    /// Taps per output coordinate (stride of `coefficients`).
    let ksize: Int
    /// First source index of output `window.lowerBound + i`.
    var first: [Int]
    /// Number of taps of output `window.lowerBound + i` (≤ ksize).
    var count: [Int]
    /// `window.count × ksize` Int32 taps, zero past `count`.
    var coefficients: [Int32]

    init(inSize: Int, outSize: Int, window: Range<Int>) {
        precondition(inSize > 0 && outSize > 0 && window.lowerBound >= 0 && window.upperBound <= outSize)
        self.inSize = inSize
        self.outSize = outSize
        self.window = window
        // (double)(in1 - in0) / outSize with in0 = 0f, in1 = (float)inSize: exact for in < 2^24.
        let scale = Double(Float(inSize)) / Double(outSize)
        let filterscale = max(scale, 1.0)
        let support = 2.0 * filterscale
        let ksize = Int(support.rounded(.up)) * 2 + 1
        self.ksize = ksize
        first = [Int](repeating: 0, count: window.count)
        count = [Int](repeating: 0, count: window.count)
        coefficients = [Int32](repeating: 0, count: window.count * ksize)
        let ss = 1.0 / filterscale
        var weights = [Double](repeating: 0, count: ksize)
        for (i, o) in window.enumerated() {
            let center = 0.0 + (Double(o) + 0.5) * scale
            var xmin = Int(center - support + 0.5)
            if xmin < 0 { xmin = 0 }
            var xmax = Int(center + support + 0.5)
            if xmax > inSize { xmax = inSize }
            xmax -= xmin
            var ww = 0.0
            for x in 0..<xmax {
                let w = ResampleAxis.bicubic((Double(x + xmin) - center + 0.5) * ss)
                weights[x] = w
                ww += w
            }
            for x in 0..<xmax {
                if ww != 0.0 { weights[x] /= ww }
                coefficients[i * ksize + x] = ResampleAxis.fixedPoint(weights[x])
            }
            first[i] = xmin
            count[i] = xmax
        }
    }

    /// Pillow's bicubic kernel, a = −0.5, evaluated in the same operation order.
    static func bicubic(_ x0: Double) -> Double {
        let a = -0.5
        let x = x0 < 0.0 ? -x0 : x0
        if x < 1.0 { return ((a + 2.0) * x - (a + 3.0)) * x * x + 1 }
        if x < 2.0 { return (((x - 5) * x + 8) * x - 4) * a }
        return 0.0
    }

    /// normalize_coeffs_8bpc: round half away from zero by truncating w·2²² ± 0.5.
    static func fixedPoint(_ w: Double) -> Int32 {
        let scaled = w * Double(1 << precisionBits)
        return w < 0 ? Int32(-0.5 + scaled) : Int32(0.5 + scaled)
    }

    /// Source range that the window's outputs read.
    var sourceRange: Range<Int> {
        guard !first.isEmpty else { return 0..<0 }
        var lo = Int.max, hi = 0
        for i in 0..<first.count where count[i] > 0 {
            lo = min(lo, first[i])
            hi = max(hi, first[i] + count[i])
        }
        return lo == Int.max ? 0..<0 : lo..<hi
    }
}

@inline(__always)
func clip8(_ acc: Int32) -> UInt8 {
    let v = acc >> Int32(ResampleAxis.precisionBits)   // arithmetic shift, like Pillow's lookup index
    return v < 0 ? 0 : v > 255 ? 255 : UInt8(truncatingIfNeeded: v)
}

/// A read-only view of HWC RGB8 rows: row r of the view is source row `firstRow + r`, and its
/// byte 0 is the first byte of source column `firstColumn`.
struct PixelRows {
    var base: UnsafePointer<UInt8>
    var stride: Int        // bytes between rows
    var firstRow: Int
    var firstColumn: Int
    func row(_ sourceRow: Int) -> UnsafePointer<UInt8> { base + (sourceRow - firstRow) * stride }
}

enum BicubicResampler {
    /// Pillow 13 picks the pass order per resize: vertical first iff the height shrinks by more
    /// than twice the width does (dy > 0 && dy > 2·dx, in pixels); horizontal first otherwise.
    /// (Verified against Pillow 13.0.0 on 2,000 random size pairs; the order changes the uint8
    /// intermediate, so it changes output pixels.)
    static func verticalFirst(inWidth: Int, inHeight: Int, outWidth: Int, outHeight: Int) -> Bool {
        let dy = inHeight - outHeight, dx = inWidth - outWidth
        return dy > 0 && dy > 2 * dx
    }

    /// Horizontal pass: source rows `rows` of `src`, output columns `axis.window`
    /// → rows.count × window.count × 3.
    static func horizontal(_ src: PixelRows, rows: Range<Int>, axis: ResampleAxis) -> [UInt8] {
        let outW = axis.window.count
        let ksize = axis.ksize
        let half = Int32(1 << (ResampleAxis.precisionBits - 1))
        return [UInt8](unsafeUninitializedCapacity: rows.count * outW * 3) { out, done in
            axis.coefficients.withUnsafeBufferPointer { kk in
                axis.first.withUnsafeBufferPointer { first in
                    axis.count.withUnsafeBufferPointer { count in
                        for (r, y) in rows.enumerated() {
                            let srow = src.row(y) - src.firstColumn * 3
                            let orow = out.baseAddress! + r * outW * 3
                            for xx in 0..<outW {
                                let k = kk.baseAddress! + xx * ksize
                                var p = srow + first[xx] * 3
                                var s0 = half, s1 = half, s2 = half
                                for x in 0..<count[xx] {
                                    let c = k[x]
                                    s0 &+= Int32(p[0]) &* c
                                    s1 &+= Int32(p[1]) &* c
                                    s2 &+= Int32(p[2]) &* c
                                    p += 3
                                }
                                orow[xx * 3] = clip8(s0)
                                orow[xx * 3 + 1] = clip8(s1)
                                orow[xx * 3 + 2] = clip8(s2)
                            }
                        }
                    }
                }
            }
            done = rows.count * outW * 3
        }
    }

    /// Vertical pass: output rows `axis.window`, source columns `columns` of `src`
    /// → window.count × columns.count × 3.
    static func vertical(_ src: PixelRows, columns: Range<Int>, axis: ResampleAxis) -> [UInt8] {
        let outH = axis.window.count
        let rowBytes = columns.count * 3
        let ksize = axis.ksize
        let half = Int32(1 << (ResampleAxis.precisionBits - 1))
        var acc = [Int32](repeating: 0, count: rowBytes)
        let byteOffset = (columns.lowerBound - src.firstColumn) * 3
        return [UInt8](unsafeUninitializedCapacity: outH * rowBytes) { out, done in
            axis.coefficients.withUnsafeBufferPointer { kk in
                acc.withUnsafeMutableBufferPointer { acc in
                    for yy in 0..<outH {
                        let k = kk.baseAddress! + yy * ksize
                        let ymin = axis.first[yy]
                        for i in 0..<rowBytes { acc[i] = half }
                        for y in 0..<axis.count[yy] {
                            let c = k[y]
                            let srow = src.row(ymin + y) + byteOffset
                            for i in 0..<rowBytes { acc[i] &+= Int32(srow[i]) &* c }
                        }
                        let orow = out.baseAddress! + yy * rowBytes
                        for i in 0..<rowBytes { orow[i] = clip8(acc[i]) }
                    }
                }
            }
            done = outH * rowBytes
        }
    }

    /// Copies columns `columns` of source rows `rows` (no resampling on either axis).
    static func crop(_ src: PixelRows, rows: Range<Int>, columns: Range<Int>) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(rows.count * columns.count * 3)
        let byteOffset = (columns.lowerBound - src.firstColumn) * 3
        for y in rows {
            out.append(contentsOf: UnsafeBufferPointer(start: src.row(y) + byteOffset, count: columns.count * 3))
        }
        return out
    }

    /// The window `columns` × `rows` of `image` resized to outWidth × outHeight, exactly as
    /// Pillow's full resize would give those pixels. Returns rows.count × columns.count × 3 bytes
    /// and the size of the intermediate buffer it used.
    static func resizeWindow(_ image: RGBImage, outWidth: Int, outHeight: Int,
                             columns: Range<Int>, rows: Range<Int>) -> (pixels: [UInt8], intermediateBytes: Int) {
        let needH = outWidth != image.width
        let needV = outHeight != image.height
        return image.pixels.withUnsafeBufferPointer { buf -> ([UInt8], Int) in
            let src = PixelRows(base: buf.baseAddress!, stride: image.width * 3, firstRow: 0, firstColumn: 0)
            switch (needH, needV) {
            case (false, false):
                return (crop(src, rows: rows, columns: columns), 0)
            case (true, false):
                let h = ResampleAxis(inSize: image.width, outSize: outWidth, window: columns)
                return (horizontal(src, rows: rows, axis: h), 0)
            case (false, true):
                let v = ResampleAxis(inSize: image.height, outSize: outHeight, window: rows)
                return (vertical(src, columns: columns, axis: v), 0)
            case (true, true):
                let h = ResampleAxis(inSize: image.width, outSize: outWidth, window: columns)
                let v = ResampleAxis(inSize: image.height, outSize: outHeight, window: rows)
                if verticalFirst(inWidth: image.width, inHeight: image.height, outWidth: outWidth, outHeight: outHeight) {
                    let cols = h.sourceRange
                    let tmp = vertical(src, columns: cols, axis: v)
                    let out = tmp.withUnsafeBufferPointer {
                        horizontal(PixelRows(base: $0.baseAddress!, stride: cols.count * 3,
                                             firstRow: rows.lowerBound, firstColumn: cols.lowerBound),
                                   rows: rows, axis: h)
                    }
                    return (out, tmp.count)
                } else {
                    let srcRows = v.sourceRange
                    let tmp = horizontal(src, rows: srcRows, axis: h)
                    let out = tmp.withUnsafeBufferPointer {
                        vertical(PixelRows(base: $0.baseAddress!, stride: columns.count * 3,
                                           firstRow: srcRows.lowerBound, firstColumn: columns.lowerBound),
                                 columns: columns, axis: v)
                    }
                    return (out, tmp.count)
                }
            }
        }
    }
}
