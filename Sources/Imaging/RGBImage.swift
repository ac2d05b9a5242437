// The decoded picture every other stage works on: 8-bit RGB, row-major, HWC (no alpha, no padding).

/// HWC RGB8 pixels: `pixels[(y * width + x) * 3 + c]`, `pixels.count == width * height * 3`.
public struct RGBImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height * 3,
                     "RGBImage: \(pixels.count) bytes for \(width)x\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A black image.
    public init(width: Int, height: Int) {
        self.init(width: width, height: height, pixels: [UInt8](repeating: 0, count: width * height * 3))
    }

    /// The RGB triple at (x, y).
    public subscript(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
        let i = (y * width + x) * 3
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }
}

/// What `ImageDecoder` returns: the pixels plus what the file said about itself.
public struct DecodedImage: Sendable {
    public var image: RGBImage
    /// libjpeg/libpng warnings, e.g. a JPEG cut short ("partial image"); empty for a clean file.
    public var warnings: [String]
    /// EXIF orientation 1...8 (1 when absent). Only previews honour it: embeddings never rotate,
    /// like the official pipeline (Pillow's `open().convert("RGB")` does not apply EXIF).
    public var exifOrientation: Int
    public var format: ImageFormat
    /// True when the decoder ran out of data and filled the rest (a truncated JPEG).
    public var isPartial: Bool

    public init(image: RGBImage, warnings: [String] = [], exifOrientation: Int = 1, format: ImageFormat,
                isPartial: Bool = false) {
        self.image = image
        self.warnings = warnings
        self.exifOrientation = exifOrientation
        self.format = format
        self.isPartial = isPartial
    }
}
