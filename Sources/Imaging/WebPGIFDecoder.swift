// WebP through libwebp's WebPAnimDecoder and GIF through giflib, both first frame only, both to the
// RGB that Pillow's `Image.open(f).convert("RGB")` gives: WebP's RGBA canvas with alpha dropped (no
// compositing), GIF's indices mapped through its colour table with transparency dropped. The canvas
// size from the header is checked against `DecodeOptions.maxPixels` before any pixel buffer exists.
import CGIF
import CWebP
import Foundation

extension ImageDecoder {
    // MARK: WebP

    static func webpHeader(_ data: Data, path: String) throws -> (width: Int, height: Int) {
        var info = cs_webp_info()
        let rc = data.withUnsafeBytes { cs_webp_read_header(bytes($0), $0.count, &info) }
        if rc != 0 { throw webpError(info, path: path, data: data) }
        return (Int(info.width), Int(info.height))
    }

    static func decodeWebP(_ data: Data, path: String, options: DecodeOptions) throws -> DecodedImage {
        let (width, height) = try webpHeader(data, path: path)
        try checkLimit(width, height, options.maxPixels, path: path)
        var info = cs_webp_info()
        var status: Int32 = 0
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { buffer, count in
            status = data.withUnsafeBytes { cs_webp_decode_rgb8(bytes($0), $0.count, buffer.baseAddress, buffer.count, &info) }
            count = status == 0 ? width * height * 3 : 0
        }
        if status != 0 { throw webpError(info, path: path, data: data) }
        var warnings: [String] = []
        if info.frames > 1 { warnings.append("animated WebP (\(info.frames) frames): the first frame is used") }
        return DecodedImage(image: RGBImage(width: width, height: height, pixels: pixels), warnings: warnings,
                            exifOrientation: 1, format: .webp)
    }

    /// A still WebP scaled by libwebp to `width` × `height` while decoding (thumbnails only); nil for
    /// animations or when libwebp refuses (the caller then decodes in full).
    static func decodeWebPScaled(_ data: Data, width: Int, height: Int) -> RGBImage? {
        guard width > 0, height > 0 else { return nil }
        var info = cs_webp_info()
        var status: Int32 = -1
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { buffer, count in
            status = data.withUnsafeBytes { cs_webp_decode_scaled_rgb8(bytes($0), $0.count, buffer.baseAddress, buffer.count,
                                                                       Int32(width), Int32(height), &info) }
            count = status == 0 ? width * height * 3 : 0
        }
        return status == 0 ? RGBImage(width: width, height: height, pixels: pixels) : nil
    }

    private static func webpError(_ info: cs_webp_info, path: String, data: Data) -> ImageError {
        let message = text(info.message)
        // A RIFF size larger than the file is the usual sign of a cut-off download.
        if data.count >= 8 {
            let b = [UInt8](data.prefix(8))
            let riff = Int(b[4]) | Int(b[5]) << 8 | Int(b[6]) << 16 | Int(b[7]) << 24
            if riff + 8 > data.count { return ImageError(path: path, kind: .truncated("WebP: \(message)")) }
        }
        return ImageError(path: path, kind: .corrupt("WebP: \(message)"))
    }

    // MARK: GIF

    static func gifHeader(_ data: Data, path: String) throws -> (width: Int, height: Int) {
        var info = cs_gif_info()
        let rc = data.withUnsafeBytes { cs_gif_read_header(bytes($0), $0.count, &info) }
        if rc != 0 { throw gifError(info, path: path) }
        return (Int(info.width), Int(info.height))
    }

    static func decodeGIF(_ data: Data, path: String, options: DecodeOptions) throws -> DecodedImage {
        // The logical screen size is checked straight from the bytes first, then the canvas.
        if data.count >= 10 {
            let b = [UInt8](data.prefix(10))
            try checkLimit(Int(b[6]) | Int(b[7]) << 8, Int(b[8]) | Int(b[9]) << 8, options.maxPixels, path: path)
        }
        let (width, height) = try gifHeader(data, path: path)
        try checkLimit(width, height, options.maxPixels, path: path)
        var info = cs_gif_info()
        var status: Int32 = 0
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { buffer, count in
            status = data.withUnsafeBytes { cs_gif_decode_rgb8(bytes($0), $0.count, buffer.baseAddress, buffer.count, &info) }
            count = status == 0 ? width * height * 3 : 0
        }
        if status != 0 { throw gifError(info, path: path) }
        return DecodedImage(image: RGBImage(width: width, height: height, pixels: pixels), warnings: [],
                            exifOrientation: 1, format: .gif)
    }

    private static func gifError(_ info: cs_gif_info, path: String) -> ImageError {
        let message = text(info.message)
        if info.hit_eof != 0 { return ImageError(path: path, kind: .truncated("GIF: \(message)")) }
        return ImageError(path: path, kind: .corrupt("GIF: \(message)"))
    }
}
