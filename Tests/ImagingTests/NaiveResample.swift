// The naive twin of `Preprocessor.resizeAndCenterCrop`, for tests only: resize the WHOLE image
// the textbook way (horizontal pass over every row, then vertical over every column, weights
// recomputed per output sample in Double and converted to Pillow's 22-bit fixed point,
// 64-bit accumulators, Pillow 13's pass order), then crop. Memory is O(resized image): never use it for big images.

@testable import Imaging

enum NaiveResample {
    static func resizeAndCenterCrop(_ image: RGBImage, size: Int) -> RGBImage {
        let g = ResizeCropGeometry(width: image.width, height: image.height, size: size)
        let current = resize(image, width: g.resizedWidth, height: g.resizedHeight)
        var out = RGBImage(width: size, height: size)
        for y in 0..<size {
            for x in 0..<size {
                for c in 0..<3 {
                    out.pixels[(y * size + x) * 3 + c] =
                        current.pixels[((y + g.top) * current.width + x + g.left) * 3 + c]
                }
            }
        }
        return out
    }

    /// Pillow's full resize: both passes over the whole image, in Pillow 13's order (vertical
    /// first iff the height shrinks by more than twice as many pixels as the width).
    static func resize(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        let dy = image.height - height, dx = image.width - width
        var current = image
        if dy > 0 && dy > 2 * dx {
            if height != current.height { current = vertical(current, to: height) }
            if width != current.width { current = horizontal(current, to: width) }
        } else {
            if width != current.width { current = horizontal(current, to: width) }
            if height != current.height { current = vertical(current, to: height) }
        }
        return current
    }

    /// Taps of output `o` for an `inSize` → `outSize` axis: (first source index, fixed-point weights).
    static func taps(_ o: Int, inSize: Int, outSize: Int) -> (Int, [Int]) {
        let scale = Double(inSize) / Double(outSize)
        let fs = scale < 1 ? 1.0 : scale
        let support = 2.0 * fs
        let center = (Double(o) + 0.5) * scale
        let lo = max(Int(center - support + 0.5), 0)
        let hi = min(Int(center + support + 0.5), inSize)
        var w: [Double] = []
        for j in lo..<max(hi, lo) {
            let t = abs((Double(j) - center + 0.5) * (1.0 / fs))
            let a = -0.5
            if t < 1 { w.append(((a + 2.0) * t - (a + 3.0)) * t * t + 1) }
            else if t < 2 { w.append((((t - 5) * t + 8) * t - 4) * a) }
            else { w.append(0) }
        }
        let sum = w.reduce(0, +)
        let fixed = w.map { v -> Int in
            let n = sum != 0 ? v / sum : v
            return n < 0 ? Int(n * 4194304.0 - 0.5) : Int(n * 4194304.0 + 0.5)
        }
        return (lo, fixed)
    }

    static func clamp(_ acc: Int) -> UInt8 { UInt8(min(max(acc >> 22, 0), 255)) }

    static func horizontal(_ im: RGBImage, to outW: Int) -> RGBImage {
        var out = RGBImage(width: outW, height: im.height)
        for x in 0..<outW {
            let (lo, k) = taps(x, inSize: im.width, outSize: outW)
            for y in 0..<im.height {
                for c in 0..<3 {
                    var acc = 1 << 21
                    for (j, kj) in k.enumerated() { acc += Int(im.pixels[(y * im.width + lo + j) * 3 + c]) * kj }
                    out.pixels[(y * outW + x) * 3 + c] = clamp(acc)
                }
            }
        }
        return out
    }

    static func vertical(_ im: RGBImage, to outH: Int) -> RGBImage {
        var out = RGBImage(width: im.width, height: outH)
        for y in 0..<outH {
            let (lo, k) = taps(y, inSize: im.height, outSize: outH)
            for x in 0..<im.width {
                for c in 0..<3 {
                    var acc = 1 << 21
                    for (j, kj) in k.enumerated() { acc += Int(im.pixels[((lo + j) * im.width + x) * 3 + c]) * kj }
                    out.pixels[(y * im.width + x) * 3 + c] = clamp(acc)
                }
            }
        }
        return out
    }
}
