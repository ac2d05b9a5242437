// Integer box reduction fed one source row at a time, for previews only (never for embeddings): the
// image is cut into factorX × factorY blocks (the last column and row of blocks may be narrower) and
// each block becomes the rounded mean of its pixels,
//   out[r][c] = (Σ_block p + n/2) / n,   n = the block's pixel count.
// Memory: one Int accumulator row and the reduced image, never a source image. Thumbnail uses it
// on PNGs the way it uses libjpeg's scaled IDCT on JPEGs: reduce to at least twice the box, then
// bicubic-resize to fit; and on formats decoded in full (GIF, BMP, TIFF, HEIC/AVIF without a large
// enough embedded thumbnail) the same way, once, after decoding.
final class RowBoxReducer {
    let inWidth: Int, inHeight: Int
    let factorX: Int, factorY: Int
    let outWidth: Int, outHeight: Int
    private var acc: [Int]
    private var rowsInBlock = 0
    private var pixels: [UInt8] = []

    init(inWidth: Int, inHeight: Int, factorX: Int, factorY: Int) {
        precondition(inWidth > 0 && inHeight > 0 && factorX > 0 && factorY > 0)
        self.inWidth = inWidth; self.inHeight = inHeight
        self.factorX = factorX; self.factorY = factorY
        outWidth = (inWidth + factorX - 1) / factorX
        outHeight = (inHeight + factorY - 1) / factorY
        acc = [Int](repeating: 0, count: outWidth * 3)
        pixels.reserveCapacity(outWidth * outHeight * 3)
    }

    /// Source row `y` (inWidth × 3 bytes); every row, in increasing y.
    func push(_ y: Int, _ row: UnsafePointer<UInt8>) {
        acc.withUnsafeMutableBufferPointer { acc in
            for x in 0..<inWidth {
                let o = (x / factorX) * 3
                acc[o] += Int(row[x * 3]); acc[o + 1] += Int(row[x * 3 + 1]); acc[o + 2] += Int(row[x * 3 + 2])
            }
        }
        rowsInBlock += 1
        if rowsInBlock == factorY || y == inHeight - 1 { emit() }
    }

    private func emit() {
        for c in 0..<outWidth {
            let n = (min(inWidth, (c + 1) * factorX) - c * factorX) * rowsInBlock
            for k in 0..<3 { pixels.append(UInt8((acc[c * 3 + k] + n / 2) / n)) }
        }
        for i in acc.indices { acc[i] = 0 }
        rowsInBlock = 0
    }

    /// The reduced image, once every source row was pushed.
    func finish() -> RGBImage { RGBImage(width: outWidth, height: outHeight, pixels: pixels) }

    /// A decoded image reduced in one pass.
    static func reduce(_ image: RGBImage, factorX: Int, factorY: Int) -> RGBImage {
        let r = RowBoxReducer(inWidth: image.width, inHeight: image.height, factorX: factorX, factorY: factorY)
        image.pixels.withUnsafeBufferPointer { buf in
            for y in 0..<image.height { r.push(y, buf.baseAddress! + y * image.width * 3) }
        }
        return r.finish()
    }
}
