// Display-only thumbnails (explorer previews): fast, oriented, never used for embeddings.
// JPEGs decode through libjpeg's scaled IDCT at the smallest 1/1, 1/2, 1/4, 1/8 scale whose output
// still covers the fitted size (either orientation); still WebPs are scaled by libwebp while decoding to twice the fitted size; PNGs decode row by row into an integer box reduction that keeps at least twice the
// fitted size (so a preview's memory follows the box, not the image); other formats decode in full and
// are box-reduced once to at least twice the fitted size; EXIF orientation is applied, then a
// Pillow-bicubic resize fits the box. HEIC files with an embedded thumbnail that covers the fitted
// size (phones store one of about 320 px) use it instead of decoding the primary image.
import Foundation

public enum Thumbnail {
    /// The image fitted inside maxWidth × maxHeight (aspect kept, never enlarged, at least 1×1).
    public static func make(fileAt url: URL, maxWidth: Int, maxHeight: Int,
                            options: DecodeOptions = DecodeOptions(allowPartial: true)) throws -> RGBImage {
        let path = url.path
        return try make(data: ImageDecoder.readFile(path), path: path, maxWidth: maxWidth, maxHeight: maxHeight, options: options)
    }

    public static func make(data: Data, path: String, maxWidth: Int, maxHeight: Int,
                            options: DecodeOptions = DecodeOptions(allowPartial: true)) throws -> RGBImage {
        try makeOriented(data: data, path: path, maxWidth: maxWidth, maxHeight: maxHeight, options: options).image
    }

    /// The thumbnail and the EXIF orientation applied to it (1: none; the model input is never rotated).
    public static func makeOriented(fileAt url: URL, maxWidth: Int, maxHeight: Int,
                                    options: DecodeOptions = DecodeOptions(allowPartial: true)) throws -> (image: RGBImage, orientation: Int) {
        let path = url.path
        return try makeOriented(data: ImageDecoder.readFile(path), path: path, maxWidth: maxWidth, maxHeight: maxHeight, options: options)
    }

    public static func makeOriented(data: Data, path: String, maxWidth: Int, maxHeight: Int,
                                    options: DecodeOptions = DecodeOptions(allowPartial: true)) throws -> (image: RGBImage, orientation: Int) {
        precondition(maxWidth > 0 && maxHeight > 0, "thumbnail box must be positive")
        var opts = options
        if ImageDecoder.sniff(data) == .jpeg {
            let (w, h) = try ImageDecoder.dimensions(data: data, path: path)
            let denom = jpegScaleDenom(width: w, height: h, maxWidth: maxWidth, maxHeight: maxHeight)
            opts.previewScaleDenom = denom
        }
        if ImageDecoder.sniff(data) == .webp, let (w, h) = try? ImageDecoder.dimensions(data: data, path: path),
           w * h <= opts.maxPixels {
            // libwebp scales while decoding to twice the fitted size (WebP carries no EXIF orientation here).
            let (fw, fh) = fit(width: w, height: h, maxWidth: maxWidth, maxHeight: maxHeight)
            let (sw, sh) = (min(w, 2 * fw), min(h, 2 * fh))
            if (sw < w || sh < h), let scaled = ImageDecoder.decodeWebPScaled(data, width: sw, height: sh) {
                return (Preprocessor.resize(scaled, width: fw, height: fh), 1)
            }
        }
        if ImageDecoder.sniff(data) == .heif, let (w, h) = try? ImageDecoder.dimensions(data: data, path: path) {
            // An embedded thumbnail (libheif, transformations applied like the primary image's) that
            // covers the fitted size, when the file has one; else the full decode below.
            let (fw, fh) = fit(width: w, height: h, maxWidth: maxWidth, maxHeight: maxHeight)
            if let t = ImageDecoder.decodeHEIFThumbnail(data, minWidth: fw, minHeight: fh) {
                return (t.width == fw && t.height == fh ? t : Preprocessor.resize(t, width: fw, height: fh), 1)
            }
        }
        let decoded: DecodedImage
        if ImageDecoder.sniff(data) == .png {
            // Row by row, box-reduced to at least twice the fitted size: a 1×100,000,000 strip
            // becomes 1×25 on the way in, never 300 MB (PNGs carry no EXIF orientation here).
            decoded = try ImageDecoder.decodePNGReduced(data: data, path: path, options: opts) { w, h in
                let (fw, fh) = fit(width: w, height: h, maxWidth: maxWidth, maxHeight: maxHeight)
                return (max(1, w / (2 * fw)), max(1, h / (2 * fh)))
            }
        } else {
            decoded = try ImageDecoder.decode(data: data, path: path, options: opts)
        }
        // One box reduction to at least twice the fitted size before the bicubic fit (formats
        // decoded in full; a no-op after the scaled IDCT or the PNG row reduction). The fitted size
        // is computed on the oriented picture and turned back for EXIF's quarter turns (5…8).
        var raw = decoded.image
        let turned = decoded.exifOrientation >= 5
        let (ow, oh) = turned ? (raw.height, raw.width) : (raw.width, raw.height)
        let (fw, fh) = fit(width: ow, height: oh, maxWidth: maxWidth, maxHeight: maxHeight)
        let (tw, th) = turned ? (fh, fw) : (fw, fh)
        let (fx, fy) = (max(1, raw.width / (2 * tw)), max(1, raw.height / (2 * th)))
        if fx > 1 || fy > 1 { raw = RowBoxReducer.reduce(raw, factorX: fx, factorY: fy) }
        let image = Orientation.apply(decoded.exifOrientation, to: raw)
        let (w, h) = fit(width: image.width, height: image.height, maxWidth: maxWidth, maxHeight: maxHeight)
        if w == image.width && h == image.height { return (image, decoded.exifOrientation) }
        return (Preprocessor.resize(image, width: w, height: h), decoded.exifOrientation)
    }

    /// libjpeg's scale 1/denom (1, 2, 4 or 8) for a w × h JPEG shown in the box: the largest whose
    /// output (⌈w/denom⌉ × ⌈h/denom⌉) still covers the fitted size whichever way EXIF orientation
    /// turns the picture: ≥ fit(w, h) side by side and, swapped, ≥ fit(h, w).
    public static func jpegScaleDenom(width w: Int, height h: Int, maxWidth: Int, maxHeight: Int) -> Int {
        let (fw, fh) = fit(width: w, height: h, maxWidth: maxWidth, maxHeight: maxHeight)
        let (gw, gh) = fit(width: h, height: w, maxWidth: maxWidth, maxHeight: maxHeight)
        func covers(_ d: Int) -> Bool {
            let sw = (w + d - 1) / d, sh = (h + d - 1) / d
            return sw >= fw && sh >= fh && sh >= gw && sw >= gh
        }
        var denom = 1
        while denom < 8, covers(2 * denom) { denom *= 2 }
        return denom
    }

    /// Size of a width × height image scaled down to fit the box (aspect kept, rounded, ≥ 1).
    public static func fit(width: Int, height: Int, maxWidth: Int, maxHeight: Int) -> (width: Int, height: Int) {
        guard width > maxWidth || height > maxHeight else { return (width, height) }
        let scale = min(Double(maxWidth) / Double(width), Double(maxHeight) / Double(height))
        return (max(1, min(maxWidth, Int((Double(width) * scale).rounded()))),
                max(1, min(maxHeight, Int((Double(height) * scale).rounded()))))
    }
}
