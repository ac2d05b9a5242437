// File bytes → RGB8, the way the official pipeline's `Image.open(f).convert("RGB")` does it:
// JPEG through libjpeg-turbo (ISLOW DCT, fancy upsampling; CMYK with Pillow's formula), PNG through
// libpng (palette expanded with tRNS ignored, alpha dropped without compositing, 16-bit → high
// byte). One deliberate deviation: 16-bit grayscale keeps the high byte; Pillow clips it to 255.
// The size in the header is checked against `DecodeOptions.maxPixels` before any pixel buffer exists.
import FileIO
import CJPEG
import CPNG
import Foundation

/// The container format, sniffed from the first bytes (never from the file name).
public enum ImageFormat: String, Sendable, CaseIterable {
    case jpeg, png, webp, gif, bmp, tiff, heic, unknown

    public var displayName: String {
        switch self {
        case .jpeg: return "JPEG"
        case .png: return "PNG"
        case .webp: return "WebP"
        case .gif: return "GIF"
        case .bmp: return "BMP"
        case .tiff: return "TIFF"
        case .heic: return "HEIF/HEIC/AVIF"
        case .unknown: return "unknown"
        }
    }

    /// Formats `ImageDecoder` decodes.
    public var isDecodable: Bool { self == .jpeg || self == .png }
}

public struct DecodeOptions: Sendable {
    /// Refuse images whose header promises more pixels than this (checked before allocating).
    public var maxPixels: Int = 100_000_000
    /// JPEG only: 1, 2, 4 or 8; libjpeg's scaled IDCT for fast previews (never for embeddings).
    public var previewScaleDenom: Int = 1
    /// False (the default, as Pillow): a JPEG that runs out of data throws `.truncated` ("image file is
    /// truncated"); true (`--allow-partial`, previews): the decoded rows plus grey, marked `isPartial`.
    public var allowPartial: Bool = false

    public init(maxPixels: Int = 100_000_000, previewScaleDenom: Int = 1, allowPartial: Bool = false) {
        self.maxPixels = maxPixels
        self.previewScaleDenom = previewScaleDenom
        self.allowPartial = allowPartial
    }
}

public enum ImageDecoder {
    // MARK: sniffing

    public static func sniff(_ data: Data) -> ImageFormat {
        let b = [UInt8](data.prefix(32))
        func starts(_ sig: [UInt8], at offset: Int = 0) -> Bool {
            b.count >= offset + sig.count && Array(b[offset..<(offset + sig.count)]) == sig
        }
        func ascii(_ s: String, at offset: Int = 0) -> Bool { starts(Array(s.utf8), at: offset) }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if ascii("GIF87a") || ascii("GIF89a") { return .gif }
        if ascii("RIFF") && ascii("WEBP", at: 8) { return .webp }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A])
            || starts([0x49, 0x49, 0x2B, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2B]) { return .tiff }
        if ascii("ftyp", at: 4), b.count >= 12,
           let brand = String(bytes: b[8..<12], encoding: .ascii),
           ["heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs", "mif1", "msf1", "avif", "avis"]
            .contains(brand) { return .heic }
        // "BM" alone is too weak; also require a known DIB header size at offset 14.
        if ascii("BM"), b.count >= 18 {
            let dib = Int(b[14]) | Int(b[15]) << 8 | Int(b[16]) << 16 | Int(b[17]) << 24
            if [12, 16, 40, 52, 56, 64, 108, 124].contains(dib) { return .bmp }
        }
        return .unknown
    }

    // MARK: decoding

    public static func decode(fileAt url: URL, options: DecodeOptions = .init()) throws -> DecodedImage {
        let path = url.path
        return try decode(data: readFile(path), path: path, options: options)
    }

    public static func decode(data: Data, path: String, options: DecodeOptions = .init()) throws -> DecodedImage {
        if data.isEmpty { throw ImageError(path: path, kind: .empty) }
        let format = sniff(data)
        switch format {
        case .jpeg: return try decodeJPEG(data, path: path, options: options)
        case .png: return try decodePNG(data, path: path, options: options)
        case .unknown: throw ImageError(path: path, kind: .notAnImage)
        default: throw ImageError(path: path, kind: .unsupportedFormat(format))
        }
    }

    /// Width and height from the header alone (no pixel buffer), for listings and limits.
    public static func dimensions(data: Data, path: String) throws -> (width: Int, height: Int) {
        if data.isEmpty { throw ImageError(path: path, kind: .empty) }
        switch sniff(data) {
        case .jpeg:
            var info = cs_jpeg_info()
            let rc = data.withUnsafeBytes { cs_jpeg_read_header(bytes($0), $0.count, 1, &info) }
            if rc != 0 { throw jpegError(info, path: path, limit: Int.max) }
            return (Int(info.width), Int(info.height))
        case .png:
            var info = cs_png_info()
            let rc = data.withUnsafeBytes { cs_png_read_header(bytes($0), $0.count, &info) }
            if rc != 0 { throw pngError(info, path: path, limit: Int.max) }
            return (Int(info.width), Int(info.height))
        case .unknown: throw ImageError(path: path, kind: .notAnImage)
        case let other: throw ImageError(path: path, kind: .unsupportedFormat(other))
        }
    }

    // MARK: JPEG

    private static func decodeJPEG(_ data: Data, path: String, options: DecodeOptions) throws -> DecodedImage {
        let denom = options.previewScaleDenom
        guard [1, 2, 4, 8].contains(denom) else {
            throw ImageError(path: path, kind: .corrupt("preview scale must be 1, 2, 4 or 8, not \(denom)"))
        }
        var header = cs_jpeg_info()
        let rc = data.withUnsafeBytes { cs_jpeg_read_header(bytes($0), $0.count, Int32(denom), &header) }
        if rc != 0 { throw jpegError(header, path: path, limit: options.maxPixels) }
        try checkLimit(Int(header.width), Int(header.height), options.maxPixels, path: path)

        let width = Int(header.output_width), height = Int(header.output_height)
        var info = cs_jpeg_info()
        var status: Int32 = 0
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { buffer, count in
            status = data.withUnsafeBytes {
                cs_jpeg_decode_rgb8(bytes($0), $0.count, Int32(denom), buffer.baseAddress, buffer.count, &info)
            }
            if status == 0 {
                count = width * height * 3
            } else {
                count = 0
            }
        }
        if status != 0 { throw jpegError(info, path: path, limit: options.maxPixels) }
        let partial = info.hit_eof != 0
        if partial && !options.allowPartial {
            throw ImageError(path: path, kind: .truncated("JPEG data ends early (\(text(info.warning)))"))
        }
        var warnings: [String] = []
        if info.warnings > 0 {
            var w = text(info.warning)
            if info.warnings > 1 { w += " (+\(info.warnings - 1) more libjpeg warnings)" }
            warnings.append(w)
        }
        if partial { warnings.append("partial image: the JPEG data ends early, the rest is filled in grey") }
        let orientation = header.orientation >= 1 && header.orientation <= 8 ? Int(header.orientation) : 1
        return DecodedImage(image: RGBImage(width: width, height: height, pixels: pixels), warnings: warnings,
                            exifOrientation: orientation, format: .jpeg, isPartial: partial)
    }

    private static func jpegError(_ info: cs_jpeg_info, path: String, limit: Int) -> ImageError {
        if let big = bomb(Int(info.width), Int(info.height), limit, path: path) { return big }
        let message = text(info.message)
        if info.hit_eof != 0 { return ImageError(path: path, kind: .truncated("\(message) (JPEG data ends early)")) }
        return ImageError(path: path, kind: .corrupt("JPEG: \(message)"))
    }

    // MARK: PNG

    private static func decodePNG(_ data: Data, path: String, options: DecodeOptions) throws -> DecodedImage {
        // The IHDR size is checked first, straight from the bytes: a bomb is refused even when the
        // rest of its header is missing or damaged.
        if data.count >= 24 {
            let b = [UInt8](data.prefix(24))
            if Array(b[12..<16]) == Array("IHDR".utf8) {
                let w = b[16..<20].reduce(0) { $0 << 8 | Int($1) }
                let h = b[20..<24].reduce(0) { $0 << 8 | Int($1) }
                try checkLimit(w, h, options.maxPixels, path: path)
            }
        }
        var header = cs_png_info()
        let rc = data.withUnsafeBytes { cs_png_read_header(bytes($0), $0.count, &header) }
        if rc != 0 { throw pngError(header, path: path, limit: options.maxPixels) }
        let width = Int(header.width), height = Int(header.height)
        try checkLimit(width, height, options.maxPixels, path: path)

        var info = cs_png_info()
        var status: Int32 = 0
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { buffer, count in
            status = data.withUnsafeBytes {
                cs_png_decode_rgb8(bytes($0), $0.count, buffer.baseAddress, buffer.count, &info)
            }
            count = status == 0 ? width * height * 3 : 0
        }
        if status != 0 { throw pngError(info, path: path, limit: options.maxPixels) }
        var warnings: [String] = []
        if info.warnings > 0 {
            var w = text(info.warning)
            if info.warnings > 1 { w += " (+\(info.warnings - 1) more libpng warnings)" }
            warnings.append(w)
        }
        return DecodedImage(image: RGBImage(width: width, height: height, pixels: pixels), warnings: warnings,
                            exifOrientation: 1, format: .png)
    }

    private static func pngError(_ info: cs_png_info, path: String, limit: Int) -> ImageError {
        if let big = bomb(Int(info.width), Int(info.height), limit, path: path) { return big }
        let message = text(info.message)
        if info.hit_eof != 0 { return ImageError(path: path, kind: .truncated("PNG: \(message)")) }
        return ImageError(path: path, kind: .corrupt("PNG: \(message)"))
    }

    // MARK: helpers

    private static func bomb(_ w: Int, _ h: Int, _ limit: Int, path: String) -> ImageError? {
        guard w > 0, h > 0, w.multipliedReportingOverflow(by: h).overflow || w * h > limit else { return nil }
        return ImageError(path: path, kind: .tooLarge(width: w, height: h, limit: limit))
    }

    private static func checkLimit(_ w: Int, _ h: Int, _ limit: Int, path: String) throws {
        if let big = bomb(w, h, limit, path: path) { throw big }
    }

    private static func bytes(_ raw: UnsafeRawBufferPointer) -> UnsafePointer<UInt8>? {
        raw.baseAddress?.assumingMemoryBound(to: UInt8.self)
    }

    /// A fixed-size C char array (imported as a tuple) → String.
    private static func text<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// The file's bytes through SafeFile (follows symlinks; directories, FIFOs and devices are refused
    /// from the opened descriptor, so nothing swapped in after a scan can block the read).
    public static func readFile(_ path: String) throws -> Data {
        do { return try SafeFile.read(path) } catch let e as SafeFileError {
            if let kind = e.nonRegularKind { throw ImageError(path: path, kind: .notAFile(kind)) }
            throw ImageError(path: path, kind: .unreadable(e.reason))
        }
    }
}
