// The bicubic window resize of `BicubicResampler.resizeWindow`, fed one source row at a time (rows in
// increasing order), so a decoder that produces rows one by one never holds the whole image.
// Output is bit-identical to `resizeWindow` on the whole image: the horizontal pass is per row, and
// the vertical pass keeps one Int32 accumulator row per output row of the window,
//   acc[yy] = 2²¹ + Σ_{y ∈ taps(yy)} row_y · k_yy[y − first(yy)]   (wrapping Int32, like Pillow)
// to which each arriving source row adds its term (a wrapping sum does not depend on the order).
// Memory: the accumulators (window rows × columns × 3 Int32, columns = the window's, or its source
// columns when the vertical pass runs first) plus the filter taps; never a source image.
final class RowStreamResizer {
    private enum Mode { case crop, horizontalOnly, verticalOnly, horizontalFirst, verticalFirst }

    let inWidth: Int, inHeight: Int
    let columns: Range<Int>, rows: Range<Int>
    /// The source rows `push` needs; rows outside it may be skipped (or pushed; they are ignored).
    let neededRows: Range<Int>
    private let mode: Mode
    private let h: ResampleAxis?
    private let v: ResampleAxis?
    /// Columns of the rows that enter the vertical pass (window columns, or h's source columns).
    private let verticalColumns: Range<Int>
    private var out: [UInt8] = []          // crop / horizontal-only: finished rows
    private var acc: [Int32] = []          // vertical: one accumulator row per output row
    private var lowest = 0                 // first output row whose taps are not all consumed
    private var rowScratch: [UInt8] = []

    init(inWidth: Int, inHeight: Int, outWidth: Int, outHeight: Int, columns: Range<Int>, rows: Range<Int>) {
        precondition(inWidth > 0 && inHeight > 0 && outWidth > 0 && outHeight > 0)
        self.inWidth = inWidth; self.inHeight = inHeight
        self.columns = columns; self.rows = rows
        let needH = outWidth != inWidth, needV = outHeight != inHeight
        h = needH ? ResampleAxis(inSize: inWidth, outSize: outWidth, window: columns) : nil
        v = needV ? ResampleAxis(inSize: inHeight, outSize: outHeight, window: rows) : nil
        switch (needH, needV) {
        case (false, false): mode = .crop
        case (true, false): mode = .horizontalOnly
        case (false, true): mode = .verticalOnly
        case (true, true):
            mode = BicubicResampler.verticalFirst(inWidth: inWidth, inHeight: inHeight,
                                                  outWidth: outWidth, outHeight: outHeight) ? .verticalFirst : .horizontalFirst
        }
        neededRows = v?.sourceRange ?? rows
        verticalColumns = mode == .verticalFirst ? h!.sourceRange : columns
        if let v {
            let half = Int32(1 << (ResampleAxis.precisionBits - 1))
            acc = [Int32](repeating: half, count: v.window.count * verticalColumns.count * 3)
        } else {
            out.reserveCapacity(rows.count * columns.count * 3)
        }
    }

    /// Source row `y` (inWidth × 3 bytes). Rows must come in increasing y.
    func push(_ y: Int, _ row: UnsafePointer<UInt8>) {
        guard neededRows.contains(y) else { return }
        let src = PixelRows(base: row, stride: inWidth * 3, firstRow: y, firstColumn: 0)
        switch mode {
        case .crop:
            out.append(contentsOf: UnsafeBufferPointer(start: row + columns.lowerBound * 3, count: columns.count * 3))
        case .horizontalOnly:
            out.append(contentsOf: BicubicResampler.horizontal(src, rows: y..<(y + 1), axis: h!))
        case .verticalOnly, .verticalFirst:
            accumulate(y, row + verticalColumns.lowerBound * 3)
        case .horizontalFirst:
            rowScratch = BicubicResampler.horizontal(src, rows: y..<(y + 1), axis: h!)
            rowScratch.withUnsafeBufferPointer { accumulate(y, $0.baseAddress!) }
        }
    }

    /// Adds source row y (already cut to `verticalColumns`) to every output row whose taps include it.
    private func accumulate(_ y: Int, _ row: UnsafePointer<UInt8>) {
        let v = self.v!
        let rowBytes = verticalColumns.count * 3
        let outH = v.window.count
        while lowest < outH && v.first[lowest] + v.count[lowest] <= y { lowest += 1 }
        acc.withUnsafeMutableBufferPointer { acc in
            v.coefficients.withUnsafeBufferPointer { kk in
                var yy = lowest
                while yy < outH && v.first[yy] <= y {
                    let j = y - v.first[yy]
                    if j < v.count[yy] {
                        let c = kk[yy * v.ksize + j]
                        let a = acc.baseAddress! + yy * rowBytes
                        for i in 0..<rowBytes { a[i] &+= Int32(row[i]) &* c }
                    }
                    yy += 1
                }
            }
        }
    }

    /// The window's rows.count × columns.count × 3 bytes, once every row of `neededRows` was pushed.
    func finish() -> [UInt8] {
        guard let v else { return out }
        let vertical = acc.map(clip8)
        guard mode == .verticalFirst else { return vertical }
        return vertical.withUnsafeBufferPointer {
            BicubicResampler.horizontal(PixelRows(base: $0.baseAddress!, stride: verticalColumns.count * 3,
                                                  firstRow: v.window.lowerBound, firstColumn: verticalColumns.lowerBound),
                                        rows: v.window, axis: h!)
        }
    }
}
