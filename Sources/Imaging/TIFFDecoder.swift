// TIFF through libtiff, first page, to the RGB that Pillow's `Image.open(f).convert("RGB")` gives for
// 8-bit files: grey, RGB (extra samples/alpha dropped), palette (colour map >> 8), 1/2/4-bit grey
// scaled to 0..255, YCbCr JPEG converted by libjpeg. 16-bit samples keep their high byte (as Pillow
// does for 16-bit RGB; like 16-bit grey PNG, Pillow clips 16-bit grey instead: the same deliberate
// deviation). The size is checked against `DecodeOptions.maxPixels` before any pixel buffer exists.
import CTIFF
import Foundation

extension ImageDecoder {
    static func tiffHeader(_ data: Data, path: String) throws -> (width: Int, height: Int) {
        var info = cs_tiff_info()
        let rc = data.withUnsafeBytes { cs_tiff_read_header(bytes($0), $0.count, &info) }
        if rc != 0 { throw tiffError(info, path: path) }
        return (Int(info.width), Int(info.height))
    }

    static func decodeTIFF(_ data: Data, path: String, options: DecodeOptions) throws -> DecodedImage {
        let (width, height) = try tiffHeader(data, path: path)
        try checkLimit(width, height, options.maxPixels, path: path)
        var info = cs_tiff_info()
        var status: Int32 = 0
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { buffer, count in
            status = data.withUnsafeBytes { cs_tiff_decode_rgb8(bytes($0), $0.count, buffer.baseAddress, buffer.count, &info) }
            count = status == 0 ? width * height * 3 : 0
        }
        if status != 0 { throw tiffError(info, path: path) }
        return DecodedImage(image: RGBImage(width: width, height: height, pixels: pixels), warnings: [],
                            exifOrientation: 1, format: .tiff)
    }

    private static func tiffError(_ info: cs_tiff_info, path: String) -> ImageError {
        if let big = bomb(Int(info.width), Int(info.height), Int.max, path: path) { return big }
        return ImageError(path: path, kind: .corrupt("TIFF: \(text(info.message))"))
    }
}
