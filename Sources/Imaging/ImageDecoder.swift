// File bytes → RGB8, the way the official pipeline's `Image.open(f).convert("RGB")` does it:
// JPEG through libjpeg-turbo (ISLOW DCT, fancy upsampling; CMYK with Pillow's formula), PNG through
// libpng (palette expanded with tRNS ignored, alpha dropped without compositing, 16-bit → high
// byte), WebP through libwebp and GIF through giflib (WebPGIFDecoder.swift), BMP in Swift
// (BMPDecoder.swift), TIFF through libtiff (TIFFDecoder.swift), HEIF/HEIC through libheif as
// pillow-heif decodes it and AVIF through libavif as Pillow's AVIF plugin does (HEIFDecoder.swift).
// One deliberate deviation: 16-bit grayscale PNG keeps the high byte; Pillow clips it to 255.
// The size in the header is checked against `DecodeOptions.maxPixels` before any pixel buffer exists.
import FileIO
import CJPEG
import CPNG
import CWebP
import CGIF
import Foundation

/// The container format, sniffed from the first bytes (never from the file name).
public enum ImageFormat: String, Sendable, CaseIterable {
    case jpeg, png, webp, gif, bmp, tiff, heif, avif, jxl, unknown

    public var displayName: String {
        switch self {
        case .jpeg: return "JPEG"
        case .png: return "PNG"
        case .webp: return "WebP"
        case .gif: return "GIF"
        case .bmp: return "BMP"
        case .tiff: return "TIFF"
        case .heif: return "HEIF/HEIC"
        case .avif: return "AVIF"
        case .jxl: return "JPEG XL"
        case .unknown: return "unknown"
        }
    }

    /// Formats `ImageDecoder` decodes.
    public var isDecodable: Bool { self != .jxl && self != .unknown }
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

/// A resize to outWidth × outHeight of which only `columns` × `rows` is kept (see `decodeResized`).
public struct ResizeWindow: Equatable, Sendable {
    public var outWidth: Int
    public var outHeight: Int
    public var columns: Range<Int>
    public var rows: Range<Int>

    public init(outWidth: Int, outHeight: Int, columns: Range<Int>, rows: Range<Int>) {
        self.outWidth = outWidth; self.outHeight = outHeight; self.columns = columns; self.rows = rows
    }

    /// The whole image resized to width × height.
    public static func whole(width: Int, height: Int) -> ResizeWindow {
        ResizeWindow(outWidth: width, outHeight: height, columns: 0..<width, rows: 0..<height)
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
        if ascii("ftyp", at: 4), let isobmff = sniffFileType(data) { return isobmff }
        // JPEG XL: a bare codestream or the ISOBMFF container's signature box.
        if starts([0xFF, 0x0A]) || starts([0, 0, 0, 0x0C] + Array("JXL ".utf8) + [0x0D, 0x0A, 0x87, 0x0A]) { return .jxl }
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
        case .webp: return try decodeWebP(data, path: path, options: options)
        case .gif: return try decodeGIF(data, path: path, options: options)
        case .bmp: return try decodeBMP(data, path: path, options: options)
        case .tiff: return try decodeTIFF(data, path: path, options: options)
        case .heif: return try decodeHEIF(data, path: path, options: options)
        case .avif: return try decodeAVIF(data, path: path, options: options)
        case .unknown: throw ImageError(path: path, kind: .notAnImage)
        case .jxl: throw ImageError(path: path, kind: .unsupportedFormat(format))
        }
    }

    /// Decodes and resizes in one pass: `window` gets the decoded width and height and names the
    /// resize (outWidth × outHeight) and the part of it to keep; the result's image is that part,
    /// bit-identical to `BicubicResampler.resizeWindow` on the whole decoded image. A non-interlaced
    /// PNG and a JPEG (full scale) are read row by row into `RowStreamResizer` (memory: one source row
    /// plus the window's accumulators, however large the image; libjpeg itself still buffers the
    /// coefficients of a progressive JPEG); interlaced PNGs and the other formats decode whole first.
    /// Same limits, truncation check and errors as `decode`.
    public static func decodeResized(data: Data, path: String, options: DecodeOptions = .init(),
                                     window: (_ width: Int, _ height: Int) -> ResizeWindow) throws -> DecodedImage {
        if data.isEmpty { throw ImageError(path: path, kind: .empty) }
        let format = sniff(data)
        if format == .png, let streamed = try decodePNGResized(data, path: path, options: options, window: window) {
            return streamed
        }
        if format == .jpeg && options.previewScaleDenom == 1 {
            return try decodeJPEGResized(data, path: path, options: options, window: window)
        }
        var decoded = try decode(data: data, path: path, options: options)
        let w = window(decoded.image.width, decoded.image.height)
        let (pixels, _) = BicubicResampler.resizeWindow(decoded.image, outWidth: w.outWidth, outHeight: w.outHeight,
                                                        columns: w.columns, rows: w.rows)
        decoded.image = RGBImage(width: w.columns.count, height: w.rows.count, pixels: pixels)
        return decoded
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
        case .webp: return try webpHeader(data, path: path)
        case .gif: return try gifHeader(data, path: path)
        case .bmp: return try bmpDimensions(data, path: path)
        case .tiff: return try tiffHeader(data, path: path)
        case .heif: return try heifHeader(data, path: path)
        case .avif: return try avifHeader(data, path: path)
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
        return try jpegResult(RGBImage(width: width, height: height, pixels: pixels), header: header, info: info,
                              path: path, options: options)
    }

    /// The decoded (or resized) image with the decode's warnings, partial mark and EXIF orientation;
    /// a file cut short throws unless partial images are allowed.
    private static func jpegResult(_ image: RGBImage, header: cs_jpeg_info, info: cs_jpeg_info, path: String,
                                   options: DecodeOptions) throws -> DecodedImage {
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
        return DecodedImage(image: image, warnings: warnings, exifOrientation: orientation, format: .jpeg, isPartial: partial)
    }

    /// The row-by-row JPEG path of `decodeResized` (full scale): libjpeg's scanlines, converted to RGB8
    /// one at a time exactly as `cs_jpeg_decode_rgb8` does, straight into `RowStreamResizer`.
    private static func decodeJPEGResized(_ data: Data, path: String, options: DecodeOptions,
                                          window: (Int, Int) -> ResizeWindow) throws -> DecodedImage {
        var header = cs_jpeg_info()
        let rc = data.withUnsafeBytes { cs_jpeg_read_header(bytes($0), $0.count, 1, &header) }
        if rc != 0 { throw jpegError(header, path: path, limit: options.maxPixels) }
        try checkLimit(Int(header.width), Int(header.height), options.maxPixels, path: path)
        let width = Int(header.output_width), height = Int(header.output_height)
        let w = window(width, height)
        let resizer = RowStreamResizer(inWidth: width, inHeight: height, outWidth: w.outWidth, outHeight: w.outHeight,
                                       columns: w.columns, rows: w.rows)
        var info = cs_jpeg_info()
        let context = Unmanaged.passUnretained(resizer).toOpaque()
        let first = UInt32(clamping: resizer.neededRows.lowerBound), end = UInt32(clamping: resizer.neededRows.upperBound)
        let status = withExtendedLifetime(resizer) {
            data.withUnsafeBytes {
                cs_jpeg_decode_rows(bytes($0), $0.count, first, end, { context, y, row in
                    guard let context, let row else { return }
                    Unmanaged<RowStreamResizer>.fromOpaque(context).takeUnretainedValue().push(Int(y), row)
                }, context, &info)
            }
        }
        if status != 0 { throw jpegError(info, path: path, limit: options.maxPixels) }
        return try jpegResult(RGBImage(width: w.columns.count, height: w.rows.count, pixels: resizer.finish()),
                              header: header, info: info, path: path, options: options)
    }

    private static func jpegError(_ info: cs_jpeg_info, path: String, limit: Int) -> ImageError {
        if let big = bomb(Int(info.width), Int(info.height), limit, path: path) { return big }
        let message = text(info.message)
        if info.hit_eof != 0 { return ImageError(path: path, kind: .truncated("\(message) (JPEG data ends early)")) }
        return ImageError(path: path, kind: .corrupt("JPEG: \(message)"))
    }

    // MARK: PNG

    private static func decodePNG(_ data: Data, path: String, options: DecodeOptions) throws -> DecodedImage {
        let (width, height, _) = try pngHeader(data, path: path, options: options)

        var info = cs_png_info()
        var status: Int32 = 0
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { buffer, count in
            status = data.withUnsafeBytes {
                cs_png_decode_rgb8(bytes($0), $0.count, buffer.baseAddress, buffer.count, &info)
            }
            count = status == 0 ? width * height * 3 : 0
        }
        if status != 0 { throw pngError(info, path: path, limit: options.maxPixels) }
        return DecodedImage(image: RGBImage(width: width, height: height, pixels: pixels), warnings: pngWarnings(info),
                            exifOrientation: 1, format: .png)
    }

    /// Width, height and interlacing from the header, after the pixel limit.
    private static func pngHeader(_ data: Data, path: String, options: DecodeOptions) throws -> (Int, Int, Bool) {
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
        return (width, height, header.interlaced != 0)
    }

    private static func pngWarnings(_ info: cs_png_info) -> [String] {
        guard info.warnings > 0 else { return [] }
        var w = text(info.warning)
        if info.warnings > 1 { w += " (+\(info.warnings - 1) more libpng warnings)" }
        return [w]
    }

    /// The row-by-row PNG path of `decodeResized`; nil for an interlaced PNG (Adam7 needs every pass
    /// before any row is final).
    private static func decodePNGResized(_ data: Data, path: String, options: DecodeOptions,
                                         window: (Int, Int) -> ResizeWindow) throws -> DecodedImage? {
        let (width, height, interlaced) = try pngHeader(data, path: path, options: options)
        if interlaced { return nil }
        let w = window(width, height)
        let resizer = RowStreamResizer(inWidth: width, inHeight: height, outWidth: w.outWidth, outHeight: w.outHeight,
                                       columns: w.columns, rows: w.rows)
        var info = cs_png_info()
        let context = Unmanaged.passUnretained(resizer).toOpaque()
        let first = UInt32(clamping: resizer.neededRows.lowerBound), end = UInt32(clamping: resizer.neededRows.upperBound)
        let status = data.withUnsafeBytes {
            cs_png_decode_rows(bytes($0), $0.count, first, end, { context, y, row in
                guard let context, let row else { return }
                Unmanaged<RowStreamResizer>.fromOpaque(context).takeUnretainedValue().push(Int(y), row)
            }, context, &info)
        }
        if status != 0 { throw pngError(info, path: path, limit: options.maxPixels) }
        return DecodedImage(image: RGBImage(width: w.columns.count, height: w.rows.count, pixels: resizer.finish()),
                            warnings: pngWarnings(info), exifOrientation: 1, format: .png)
    }

    /// A PNG box-reduced by the integer factors `factors(width, height)` gives (`RowBoxReducer`), read
    /// row by row: previews of huge PNGs without their pixels in memory. An interlaced PNG decodes
    /// whole first. Same limits and errors as `decode`.
    static func decodePNGReduced(data: Data, path: String, options: DecodeOptions = .init(),
                                 factors: (_ width: Int, _ height: Int) -> (x: Int, y: Int)) throws -> DecodedImage {
        if data.isEmpty { throw ImageError(path: path, kind: .empty) }
        let (width, height, interlaced) = try pngHeader(data, path: path, options: options)
        let f = factors(width, height)
        let reducer = RowBoxReducer(inWidth: width, inHeight: height, factorX: f.x, factorY: f.y)
        if interlaced {
            var decoded = try decodePNG(data, path: path, options: options)
            decoded.image.pixels.withUnsafeBufferPointer { buf in
                for y in 0..<height { reducer.push(y, buf.baseAddress! + y * width * 3) }
            }
            decoded.image = reducer.finish()
            return decoded
        }
        var info = cs_png_info()
        let context = Unmanaged.passUnretained(reducer).toOpaque()
        let status = data.withUnsafeBytes {
            cs_png_decode_rows(bytes($0), $0.count, 0, UInt32.max, { context, y, row in
                guard let context, let row else { return }
                Unmanaged<RowBoxReducer>.fromOpaque(context).takeUnretainedValue().push(Int(y), row)
            }, context, &info)
        }
        if status != 0 { throw pngError(info, path: path, limit: options.maxPixels) }
        return DecodedImage(image: reducer.finish(), warnings: pngWarnings(info), exifOrientation: 1, format: .png)
    }

    private static func pngError(_ info: cs_png_info, path: String, limit: Int) -> ImageError {
        if let big = bomb(Int(info.width), Int(info.height), limit, path: path) { return big }
        let message = text(info.message)
        if info.hit_eof != 0 { return ImageError(path: path, kind: .truncated("PNG: \(message)")) }
        return ImageError(path: path, kind: .corrupt("PNG: \(message)"))
    }

    // MARK: helpers

    static func bomb(_ w: Int, _ h: Int, _ limit: Int, path: String) -> ImageError? {
        guard w > 0, h > 0, w.multipliedReportingOverflow(by: h).overflow || w * h > limit else { return nil }
        return ImageError(path: path, kind: .tooLarge(width: w, height: h, limit: limit))
    }

    static func checkLimit(_ w: Int, _ h: Int, _ limit: Int, path: String) throws {
        if let big = bomb(w, h, limit, path: path) { throw big }
    }

    static func bytes(_ raw: UnsafeRawBufferPointer) -> UnsafePointer<UInt8>? {
        raw.baseAddress?.assumingMemoryBound(to: UInt8.self)
    }

    /// A fixed-size C char array (imported as a tuple) → String.
    static func text<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// The file's bytes through SafeFile (directories, FIFOs and devices are refused from the opened
    /// descriptor, so nothing swapped in after a scan can block the read). `followLinks: false` (folder
    /// scans) refuses a symbolic link as the last component, so a file swapped for one is not followed.
    public static func readFile(_ path: String, followLinks: Bool = true) throws -> Data {
        do { return try SafeFile.read(path, followLinks: followLinks) } catch let e as SafeFileError {
            if let kind = e.nonRegularKind { throw ImageError(path: path, kind: .notAFile(kind)) }
            throw ImageError(path: path, kind: .unreadable(e.reason))
        }
    }
}
