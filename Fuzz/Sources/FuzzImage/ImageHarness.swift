// libFuzzer harness for image decoding (every sniffed format: libjpeg, libpng, libwebp, giflib, the Swift
// BMP decoder, libtiff, libheif, libavif through their shims): arbitrary bytes
// → ImageDecoder.dimensions and ImageDecoder.decode(data:path:options:), the row-by-row
// Preprocessor.decodeAndCenterCrop (checked against decode + resizeAndCenterCrop), then what the app
// does with a decoded image: EXIF orientation, a preview thumbnail (PNGs row by row into the box
// reduction), and the model preprocessing (resize + centre crop + pixel values, at a small size so
// each input stays cheap).
// The decode options come from the input length (scale 1/1…1/8, partial images allowed or not), so
// the input bytes themselves stay a plain image file that the mutator and the seeds share.
// maxPixels is 4 M (the app's default is 100 M): a header claiming a huge image is refused the same
// way, and accepted images stay small enough for fast executions under ASan.
// A thrown ImageError is the right answer to a bad file; a trap, an ASan report, a longjmp gone wrong,
// a hang or a huge allocation is a finding.
import Foundation
import FuzzSupport
import Imaging

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Data(bytes: data, count: size)
    let path = "fuzz/input"
    let header = try? ImageDecoder.dimensions(data: bytes, path: path)
    let options = DecodeOptions(maxPixels: 4_000_000, previewScaleDenom: [1, 2, 4, 8][size % 4], allowPartial: (size / 4) % 2 == 0)
    let decodedOrNil = try? ImageDecoder.decode(data: bytes, path: path, options: options)
    // Decode-and-crop (a non-interlaced PNG row by row into the resampler) must fail exactly when the
    // whole decode fails and otherwise give the whole image's crop byte for byte.
    let streamed = try? Preprocessor.decodeAndCenterCrop(data: bytes, path: path, size: 16, options: options)
    if (decodedOrNil == nil) != (streamed == nil) {
        FuzzScratch.violated("decode \(decodedOrNil == nil ? "failed" : "succeeded") but decodeAndCenterCrop \(streamed == nil ? "failed" : "succeeded")")
    }
    guard let decoded = decodedOrNil else { return 0 }
    let image = decoded.image
    if let streamed, streamed.image != Preprocessor.resizeAndCenterCrop(image, size: 16) {
        FuzzScratch.violated("row-by-row crop differs from the whole-image crop of \(image.width)×\(image.height)")
    }
    if image.width <= 0 || image.height <= 0 || image.pixels.count != image.width * image.height * 3 {
        FuzzScratch.violated("decoded \(image.width)×\(image.height) with \(image.pixels.count) bytes")
    }
    if header == nil { FuzzScratch.violated("decode succeeded but dimensions() threw") }
    if options.previewScaleDenom == 1, let (w, h) = header, w != image.width || h != image.height {
        FuzzScratch.violated("header says \(w)×\(h), decode gave \(image.width)×\(image.height)")
    }
    if !(1...8).contains(decoded.exifOrientation) { FuzzScratch.violated("EXIF orientation \(decoded.exifOrientation)") }
    _ = Orientation.apply(decoded.exifOrientation, to: image)
    let pixels = Preprocessor.pixelValues(for: image, size: 16)
    if pixels.count != 3 * 16 * 16 { FuzzScratch.violated("pixel values: \(pixels.count)") }
    _ = try? Thumbnail.make(data: bytes, path: path, maxWidth: 24, maxHeight: 12, options: options)
    return 0
}
