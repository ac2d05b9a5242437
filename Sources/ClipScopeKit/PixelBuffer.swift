// An already decoded image for CLIPEncoder.embed(images:): 8-bit RGB, interleaved, row-major, no row padding.
import Imaging

/// An image already in memory: `width × height` pixels of 8-bit R, G, B (interleaved, rows top to
/// bottom, no padding between rows). Convert other layouts (BGRA, premultiplied alpha) before.
public struct PixelBuffer: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width · height · 3` bytes.
    public let rgb: [UInt8]

    /// - Throws: `ClipModelError.invalidInput` when a side is not positive or `rgb` does not
    ///   hold `width · height · 3` bytes.
    public init(width: Int, height: Int, rgb: [UInt8]) throws {
        guard width > 0, height > 0 else {
            throw ClipModelError.invalidInput("pixel buffer of \(width)×\(height): both sides must be at least 1")
        }
        let (area, o1) = width.multipliedReportingOverflow(by: height)
        let (bytes, o2) = area.multipliedReportingOverflow(by: 3)
        guard !o1, !o2, rgb.count == bytes else {
            throw ClipModelError.invalidInput("pixel buffer of \(width)×\(height) needs \(o1 || o2 ? "more" : String(bytes)) RGB bytes, got \(rgb.count)")
        }
        self.width = width
        self.height = height
        self.rgb = rgb
    }

    var rgbImage: RGBImage { RGBImage(width: width, height: height, pixels: rgb) }
}
