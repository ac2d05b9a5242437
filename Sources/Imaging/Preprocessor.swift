// The official image preprocessing (open_clip `image_transform(is_train=False)` as used by
// jina-clip-v2), bit for bit: torchvision Resize(S, BICUBIC) on a PIL image (shortest side → S,
// long side floored), CenterCrop(S) with Python round (half to even), ToTensor (u8/255 in Float32),
// Normalize ((x − mean)/std in Float32). Only the crop window is ever resampled.

import Foundation

/// Where the resize puts the image and which part of it the crop keeps.
public struct ResizeCropGeometry: Equatable, Sendable {
    /// Size after "shortest side → size": the short side is `size`, the long side floor(size·long/short).
    public var resizedWidth: Int
    public var resizedHeight: Int
    /// Top-left corner of the size×size crop inside the resized image.
    public var left: Int
    public var top: Int
    public var size: Int

    public init(width: Int, height: Int, size: Int) {
        precondition(width > 0 && height > 0 && size > 0)
        let short = min(width, height), long = max(width, height)
        // Python: int(size * long / short), true division of exact integers, then floor.
        let newLong = Int((Double(size * long) / Double(short)).rounded(.towardZero))
        if width <= height {
            resizedWidth = size; resizedHeight = newLong
        } else {
            resizedWidth = newLong; resizedHeight = size
        }
        self.size = size
        left = Int((Double(resizedWidth - size) / 2.0).rounded(.toNearestOrEven))
        top = Int((Double(resizedHeight - size) / 2.0).rounded(.toNearestOrEven))
    }
}

public enum Preprocessor {
    /// CLIP / jina-clip-v2 normalization constants (preprocessor_config.json `mean`, `std`).
    public static let clipMean: [Float] = [0.48145466, 0.4578275, 0.40821073]
    public static let clipStd: [Float] = [0.26862954, 0.26130258, 0.27577711]

    /// Pillow bicubic resize of the shortest side to `size` (long side floored), center crop
    /// size×size with round-half-to-even offsets. Resizes only the crop window (bounded memory for
    /// 1×10000 images); bit-exact with Pillow. An empty image gives a black crop.
    public static func resizeAndCenterCrop(_ image: RGBImage, size: Int) -> RGBImage {
        precondition(size > 0, "crop size must be positive")
        guard image.width > 0, image.height > 0 else { return RGBImage(width: size, height: size) }
        let g = ResizeCropGeometry(width: image.width, height: image.height, size: size)
        let (pixels, _) = BicubicResampler.resizeWindow(
            image, outWidth: g.resizedWidth, outHeight: g.resizedHeight,
            columns: g.left..<(g.left + size), rows: g.top..<(g.top + size))
        return RGBImage(width: size, height: size, pixels: pixels)
    }

    /// File bytes → the size×size crop of `resizeAndCenterCrop`, bit for bit, decoding a PNG row by
    /// row into the resampler (`ImageDecoder.decodeResized`) so memory does not grow with the image.
    /// The returned image is the crop; warnings and partial marks are the decoder's.
    public static func decodeAndCenterCrop(data: Data, path: String, size: Int,
                                           options: DecodeOptions = .init()) throws -> DecodedImage {
        precondition(size > 0, "crop size must be positive")
        return try ImageDecoder.decodeResized(data: data, path: path, options: options) { width, height in
            let g = ResizeCropGeometry(width: width, height: height, size: size)
            return ResizeWindow(outWidth: g.resizedWidth, outHeight: g.resizedHeight,
                                columns: g.left..<(g.left + size), rows: g.top..<(g.top + size))
        }
    }

    public static func decodeAndCenterCrop(fileAt url: URL, size: Int, options: DecodeOptions = .init(),
                                           followLinks: Bool = true) throws -> DecodedImage {
        try decodeAndCenterCrop(data: ImageDecoder.readFile(url.path, followLinks: followLinks), path: url.path, size: size,
                                options: options)
    }

    /// Pillow's bicubic `resize((width, height))` of the whole image (for previews and tests).
    public static func resize(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        precondition(width > 0 && height > 0, "resize target must be positive")
        guard image.width > 0, image.height > 0 else { return RGBImage(width: width, height: height) }
        let (pixels, _) = BicubicResampler.resizeWindow(image, outWidth: width, outHeight: height,
                                                        columns: 0..<width, rows: 0..<height)
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// The intermediate buffer `resizeAndCenterCrop` allocates between its two passes, in bytes
    /// (0 when only one pass runs), for memory checks.
    public static func intermediateBytes(width: Int, height: Int, size: Int) -> Int {
        let g = ResizeCropGeometry(width: width, height: height, size: size)
        let needH = g.resizedWidth != width, needV = g.resizedHeight != height
        guard needH && needV else { return 0 }
        if BicubicResampler.verticalFirst(inWidth: width, inHeight: height,
                                          outWidth: g.resizedWidth, outHeight: g.resizedHeight) {
            let cols = ResampleAxis(inSize: width, outSize: g.resizedWidth, window: g.left..<(g.left + size)).sourceRange
            return size * cols.count * 3
        }
        let rows = ResampleAxis(inSize: height, outSize: g.resizedHeight, window: g.top..<(g.top + size)).sourceRange
        return rows.count * size * 3
    }

    /// (u8/255 − mean)/std in Float32, CHW [3, S, S], from an HWC crop.
    public static func pixelValues(_ crop: RGBImage, mean: [Float] = clipMean, std: [Float] = clipStd) -> [Float] {
        precondition(mean.count == 3 && std.count == 3, "mean/std need 3 values")
        let plane = crop.width * crop.height
        var out = [Float](repeating: 0, count: 3 * plane)
        crop.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for c in 0..<3 {
                    let m = mean[c], s = std[c]
                    let base = c * plane
                    for i in 0..<plane {
                        let x = Float(src[i * 3 + c]) / Float(255)
                        dst[base + i] = (x - m) / s
                    }
                }
            }
        }
        return out
    }

    /// Decoded image → model input: crop then pixel values.
    public static func pixelValues(for image: RGBImage, size: Int, mean: [Float] = clipMean,
                                   std: [Float] = clipStd) -> [Float] {
        pixelValues(resizeAndCenterCrop(image, size: size), mean: mean, std: std)
    }
}
