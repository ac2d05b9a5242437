// HEIF/HEIC through libheif and AVIF through libavif, to the RGB that the official pipeline's
// `Image.open(f).convert("RGB")` gives with pillow-heif registered: a HEIF file goes to pillow-heif
// (libheif: primary image, irot/imir/clap applied, 10/12-bit converted to 8 bits by libheif, alpha
// dropped); an AVIF file goes to Pillow's own AVIF plugin (libavif: first image, no transformation
// applied, alpha dropped). Which of the two a file is follows the ftyp box as Pillow's plugins
// decide it: major brand avif/avis, or mif1/msf1 with avif/avis among the compatible brands, is AVIF.
// The size from the container is checked against `DecodeOptions.maxPixels` before any pixel buffer
// exists (libheif and libavif parse the boxes without decoding).
import CAVIF
import CHEIF
import Foundation

extension ImageDecoder {
    static let heifBrands: Set<String> = ["heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs", "mif1", "msf1"]

    /// `.heif`, `.avif` or nil, from the ftyp box (`data` starts with a box whose type is "ftyp").
    static func sniffFileType(_ data: Data) -> ImageFormat? {
        let b = [UInt8](data.prefix(512))
        guard b.count >= 12 else { return nil }
        func brand(_ at: Int) -> String { String(decoding: b[at..<(at + 4)], as: UTF8.self) }
        let major = brand(8)
        let boxSize = Int(b[0]) << 24 | Int(b[1]) << 16 | Int(b[2]) << 8 | Int(b[3])
        var compatible: [String] = []
        var at = 16
        while at + 4 <= min(boxSize, b.count) {
            compatible.append(brand(at))
            at += 4
        }
        let av1 = ["avif", "avis"]
        if av1.contains(major) || (["mif1", "msf1"].contains(major) && compatible.contains { av1.contains($0) }) { return .avif }
        if heifBrands.contains(major) { return .heif }
        return nil
    }

    /// True when a top-level ISOBMFF box claims more bytes than the file has (a cut-off download).
    static func isobmffLooksTruncated(_ data: Data) -> Bool {
        var at = data.startIndex
        while data.endIndex - at >= 8 {
            let b = [UInt8](data[at..<(at + 8)])
            var size = UInt64(b[0]) << 24 | UInt64(b[1]) << 16 | UInt64(b[2]) << 8 | UInt64(b[3])
            if size == 1 {                     // 64-bit size after the type
                guard data.endIndex - at >= 16 else { return true }
                size = data[(at + 8)..<(at + 16)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            } else if size == 0 {              // to the end of the file
                return false
            }
            if size < 8 { return false }      // damaged, not short
            if size > UInt64(data.endIndex - at) { return true }
            at += Int(size)
        }
        return at != data.endIndex
    }

    // MARK: HEIF / HEIC (libheif)

    static func heifHeader(_ data: Data, path: String) throws -> (width: Int, height: Int) {
        var info = cs_heif_info()
        let rc = data.withUnsafeBytes { cs_heif_read_header(bytes($0), $0.count, &info) }
        if rc != 0 { throw containerError(text(info.message), format: "HEIF", libraryTruncated: info.truncated != 0, path: path, data: data) }
        return (Int(info.width), Int(info.height))
    }

    static func decodeHEIF(_ data: Data, path: String, options: DecodeOptions) throws -> DecodedImage {
        let (width, height) = try heifHeader(data, path: path)
        try checkLimit(width, height, options.maxPixels, path: path)
        var info = cs_heif_info()
        var status: Int32 = 0
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { buffer, count in
            status = data.withUnsafeBytes { cs_heif_decode_rgb8(bytes($0), $0.count, buffer.baseAddress, buffer.count, &info) }
            count = status == 0 ? width * height * 3 : 0
        }
        if status != 0 { throw containerError(text(info.message), format: "HEIF", libraryTruncated: info.truncated != 0, path: path, data: data) }
        var warnings: [String] = []
        if info.images > 1 { warnings.append("HEIF with \(info.images) images: the primary image is used") }
        return DecodedImage(image: RGBImage(width: width, height: height, pixels: pixels), warnings: warnings,
                            exifOrientation: 1, format: .heif)
    }

    /// Previews only (never the model's input): the smallest embedded thumbnail of the primary image
    /// that is a scaled copy of it and at least minWidth × minHeight, decoded; nil when there is none.
    static func decodeHEIFThumbnail(_ data: Data, minWidth: Int, minHeight: Int) -> RGBImage? {
        var info = cs_heif_info()
        let index = data.withUnsafeBytes { cs_heif_thumbnail_for(bytes($0), $0.count, UInt32(clamping: minWidth), UInt32(clamping: minHeight), &info) }
        guard index >= 0 else { return nil }
        let (w, h) = (Int(info.width), Int(info.height))
        guard w > 0, h > 0, w * h <= DecodeOptions().maxPixels else { return nil }
        var status: Int32 = 0
        let pixels = [UInt8](unsafeUninitializedCapacity: w * h * 3) { buffer, count in
            status = data.withUnsafeBytes { cs_heif_decode_thumbnail_rgb8(bytes($0), $0.count, index, buffer.baseAddress, buffer.count, &info) }
            count = status == 0 ? w * h * 3 : 0
        }
        guard status == 0, Int(info.width) == w, Int(info.height) == h else { return nil }
        return RGBImage(width: w, height: h, pixels: pixels)
    }

    // MARK: AVIF (libavif)

    static func avifHeader(_ data: Data, path: String) throws -> (width: Int, height: Int) {
        var info = cs_avif_info()
        let rc = data.withUnsafeBytes { cs_avif_read_header(bytes($0), $0.count, &info) }
        if rc != 0 { throw containerError(text(info.message), format: "AVIF", libraryTruncated: info.truncated != 0, path: path, data: data) }
        return (Int(info.width), Int(info.height))
    }

    static func decodeAVIF(_ data: Data, path: String, options: DecodeOptions) throws -> DecodedImage {
        let (width, height) = try avifHeader(data, path: path)
        try checkLimit(width, height, options.maxPixels, path: path)
        var info = cs_avif_info()
        var status: Int32 = 0
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { buffer, count in
            status = data.withUnsafeBytes { cs_avif_decode_rgb8(bytes($0), $0.count, buffer.baseAddress, buffer.count, &info) }
            count = status == 0 ? width * height * 3 : 0
        }
        if status != 0 { throw containerError(text(info.message), format: "AVIF", libraryTruncated: info.truncated != 0, path: path, data: data) }
        var warnings: [String] = []
        if info.frames > 1 { warnings.append("animated AVIF (\(info.frames) frames): the first frame is used") }
        return DecodedImage(image: RGBImage(width: width, height: height, pixels: pixels), warnings: warnings,
                            exifOrientation: 1, format: .avif)
    }

    private static func containerError(_ message: String, format: String, libraryTruncated: Bool, path: String, data: Data) -> ImageError {
        if libraryTruncated || isobmffLooksTruncated(data) {
            return ImageError(path: path, kind: .truncated("\(format): \(message)"))
        }
        return ImageError(path: path, kind: .corrupt("\(format): \(message)"))
    }
}
