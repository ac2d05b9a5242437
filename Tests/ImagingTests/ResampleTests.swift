// The windowed fixed-point resampler against Pillow itself (checked-in goldens) and against its
// naive full-image twin on random sizes; geometry; bounded memory for extreme aspect ratios.
import Foundation
import Testing
import TestSupport
@testable import Imaging

typealias SplitMix = SeededGenerator

extension SeededGenerator {
    mutating func image(_ w: Int, _ h: Int) -> RGBImage {
        RGBImage(width: w, height: h, pixels: (0..<(w * h * 3)).map { _ in UInt8(truncatingIfNeeded: next() >> 40) })
    }
}

/// The synthetic inputs of Scripts/fixtures/make_pillow_resize.py.
func syntheticImage(_ w: Int, _ h: Int, kind: String) -> RGBImage {
    var px = [UInt8](repeating: 0, count: w * h * 3)
    if kind == "noise" {
        for i in 0..<px.count { px[i] = UInt8(((i * 1_103_515_245 + 12345) >> 16) & 255) }
    } else {
        for y in 0..<h {
            for x in 0..<w {
                let o = (y * w + x) * 3
                px[o] = UInt8(x * 255 / max(w - 1, 1))
                px[o + 1] = UInt8(y * 255 / max(h - 1, 1))
                px[o + 2] = UInt8((x + y) & 255)
            }
        }
    }
    return RGBImage(width: w, height: h, pixels: px)
}

@Suite struct ResampleTests {
    struct PillowCase: Decodable, CustomStringConvertible {
        var file: String, width: Int, height: Int, size: Int, kind: String
        var description: String { file }
    }

    struct ResizeCase: Decodable, CustomStringConvertible {
        var file: String, width: Int, height: Int, outWidth: Int, outHeight: Int
        var description: String { file }
    }

    struct CaseFile: Decodable {
        var crops: [PillowCase]
        var resizes: [ResizeCase]
    }

    static let caseFile: CaseFile? = {
        let url = Fixtures.url("imaging/pillow_resize/cases.json")
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(CaseFile.self, from: data)
    }()
    static let pillowCases: [PillowCase] = caseFile?.crops ?? []
    static let resizeCases: [ResizeCase] = caseFile?.resizes ?? []

    @Test func pillowGoldensArePresent() {
        #expect(Self.pillowCases.count == 19)
        #expect(Self.resizeCases.count == 9)
    }

    @Test(arguments: resizeCases)
    func plainResizeMatchesPillowOnBothSidesOfThePassOrderRule(_ c: ResizeCase) throws {
        let input = syntheticImage(c.width, c.height, kind: "noise")
        let want = try NPY.load(Fixtures.url("imaging/pillow_resize/\(c.file)"))
        #expect(want.shape == [c.outHeight, c.outWidth, 3])
        let got = Preprocessor.resize(input, width: c.outWidth, height: c.outHeight)
        let ok = got.pixels == want.bytes
        #expect(ok, "\(c.file): \(FixtureImageTests.firstMismatch(got.pixels, want.bytes))")
        #expect(NaiveResample.resize(input, width: c.outWidth, height: c.outHeight).pixels == want.bytes)
    }

    @Test func passOrderRule() {
        // Pillow 13: vertical first iff dy > 0 && dy > 2·dx.
        #expect(BicubicResampler.verticalFirst(inWidth: 40, inHeight: 50, outWidth: 30, outHeight: 29))   // 21 > 20
        #expect(!BicubicResampler.verticalFirst(inWidth: 40, inHeight: 50, outWidth: 30, outHeight: 30))  // 20 = 20
        #expect(BicubicResampler.verticalFirst(inWidth: 20, inHeight: 60, outWidth: 25, outHeight: 10))   // width grows
        #expect(!BicubicResampler.verticalFirst(inWidth: 60, inHeight: 20, outWidth: 10, outHeight: 25))  // height grows
        #expect(!BicubicResampler.verticalFirst(inWidth: 4000, inHeight: 3000, outWidth: 682, outHeight: 512))
        #expect(BicubicResampler.verticalFirst(inWidth: 3000, inHeight: 8000, outWidth: 512, outHeight: 1365))
    }

    @Test(arguments: pillowCases)
    func matchesPillowBitExactly(_ c: PillowCase) throws {
        let input = syntheticImage(c.width, c.height, kind: c.kind)
        let want = try NPY.load(Fixtures.url("imaging/pillow_resize/\(c.file)"))
        #expect(want.shape == [c.size, c.size, 3])
        let got = Preprocessor.resizeAndCenterCrop(input, size: c.size)
        let ok = got.pixels == want.bytes
        #expect(ok, "\(c.file): \(FixtureImageTests.firstMismatch(got.pixels, want.bytes))")
    }

    @Test func fastEqualsNaiveTwinOnRandomSizes() {
        var rng = SplitMix(state: 42)
        var shapes: [(Int, Int, Int)] = [(1, 37, 16), (37, 1, 16), (1, 1, 9), (3, 90, 12), (90, 3, 12)]
        for _ in 0..<40 {
            // Sizes kept small: the naive twin resizes the whole image (debug builds).
            shapes.append((rng.int(2...72), rng.int(2...72), rng.int(1...40)))
        }
        for (w, h, s) in shapes {
            let image = rng.image(w, h)
            let fast = Preprocessor.resizeAndCenterCrop(image, size: s)
            let naive = NaiveResample.resizeAndCenterCrop(image, size: s)
            let ok = fast == naive
            #expect(ok, "\(w)x\(h) → \(s): \(FixtureImageTests.firstMismatch(fast.pixels, naive.pixels))")
        }
    }

    @Test func fastResizeEqualsNaiveTwinOnRandomSizes() {
        var rng = SplitMix(state: 99)
        for _ in 0..<60 {
            let (w, h) = (rng.int(1...90), rng.int(1...90))
            let (nw, nh) = (rng.int(1...90), rng.int(1...90))
            let image = rng.image(w, h)
            let fast = Preprocessor.resize(image, width: nw, height: nh)
            let naive = NaiveResample.resize(image, width: nw, height: nh)
            let ok = fast == naive
            #expect(ok, "\(w)x\(h) → \(nw)x\(nh): \(FixtureImageTests.firstMismatch(fast.pixels, naive.pixels))")
        }
    }

    @Test func geometryOfTheFixturesAndExtremes() {
        let landscape = ResizeCropGeometry(width: 97, height: 71, size: 60)
        #expect(landscape.resizedWidth == 81 && landscape.resizedHeight == 60 && landscape.left == 10 && landscape.top == 0)
        let portrait = ResizeCropGeometry(width: 50, height: 83, size: 60)
        #expect(portrait.resizedWidth == 60 && portrait.resizedHeight == 99 && portrait.top == 20)
        let gray = ResizeCropGeometry(width: 64, height: 80, size: 60)
        #expect(gray.resizedHeight == 75 && gray.top == 8)        // round(7.5) = 8
        let half = ResizeCropGeometry(width: 100, height: 69, size: 60)   // 60·100/69 = 86.95 → 86, (86−60)/2 = 13
        #expect(half.resizedWidth == 86 && half.left == 13)
        let even = ResizeCropGeometry(width: 171, height: 60, size: 2)    // 5.7 → 5, round(1.5) = 2
        #expect(even.resizedWidth == 5 && even.left == 2)
        let odd = ResizeCropGeometry(width: 7, height: 1, size: 2)        // 14, round(6.0) = 6
        #expect(odd.resizedWidth == 14 && odd.left == 6)
        let pencil = ResizeCropGeometry(width: 1, height: 10000, size: 512)
        #expect(pencil.resizedWidth == 512 && pencil.resizedHeight == 5_120_000 && pencil.top == 2_559_744)
    }

    @Test func roundHalfToEvenCropOffsets() {
        // (new − S)/2 = 84.5 → 84 and 85.5 → 86 (Python round), not 85 / 86.
        #expect(ResizeCropGeometry(width: 681, height: 512, size: 512).left == 84)
        #expect(ResizeCropGeometry(width: 683, height: 512, size: 512).left == 86)
    }

    @Test func pencilImagesUseBoundedMemoryAndMatchTheFormula() {
        // 1×10000 → 512×5,120,000 resized; only the rows around the crop window are resampled.
        let tall = syntheticImage(1, 10000, kind: "noise")
        // Horizontal-only pass (1 → 512 columns) then vertical over ≤ 5 source rows.
        let bytes = Preprocessor.intermediateBytes(width: 1, height: 10000, size: 512)
        #expect(bytes > 0 && bytes <= 8 * 512 * 3)
        let crop = Preprocessor.resizeAndCenterCrop(tall, size: 512)
        // Horizontal 1 → 512 replicates the single column exactly (one tap of weight 2²²); each output row
        // is the vertical filter of the source column, recomputed here with the naive twin's taps.
        let g = ResizeCropGeometry(width: 1, height: 10000, size: 512)
        for y in 0..<512 {
            let (lo, k) = NaiveResample.taps(y + g.top, inSize: 10000, outSize: g.resizedHeight)
            for c in 0..<3 {
                var acc = 1 << 21
                for (j, kj) in k.enumerated() { acc += Int(tall.pixels[(lo + j) * 3 + c]) * kj }
                let want = NaiveResample.clamp(acc)
                #expect(crop.pixels[y * 512 * 3 + c] == want)
                #expect(crop.pixels[(y * 512 + 511) * 3 + c] == want)
            }
        }
        // And the wide case: 10000×1 → 5,120,000×512.
        let wide = syntheticImage(10000, 1, kind: "noise")
        #expect(Preprocessor.intermediateBytes(width: 10000, height: 1, size: 512) == 512 * 3)
        // A tall photo goes vertical-first: the intermediate is 512 rows × the source columns the window reads.
        #expect(Preprocessor.intermediateBytes(width: 3000, height: 8000, size: 512) <= 512 * 3000 * 3)
        let wcrop = Preprocessor.resizeAndCenterCrop(wide, size: 512)
        let wg = ResizeCropGeometry(width: 10000, height: 1, size: 512)
        for x in stride(from: 0, to: 512, by: 7) {
            let (lo, k) = NaiveResample.taps(x + wg.left, inSize: 10000, outSize: wg.resizedWidth)
            var acc = 1 << 21
            for (j, kj) in k.enumerated() { acc += Int(wide.pixels[(lo + j) * 3]) * kj }
            #expect(wcrop.pixels[x * 3] == NaiveResample.clamp(acc))
            #expect(wcrop.pixels[(511 * 512 + x) * 3] == NaiveResample.clamp(acc))
        }
    }

    @Test func passThroughWhenSizeAlreadyMatches() {
        var rng = SplitMix(state: 7)
        let image = rng.image(60, 60)
        #expect(Preprocessor.resizeAndCenterCrop(image, size: 60) == image)
        let wide = rng.image(90, 60)   // height already 60: no resampling, just the crop at left 15
        let crop = Preprocessor.resizeAndCenterCrop(wide, size: 60)
        #expect(crop[0, 0] == wide[15, 0] && crop[59, 59] == wide[74, 59])
    }

    @Test func coefficientsSumToOneInFixedPoint() {
        for (inSize, outSize) in [(97, 81), (50, 60), (4000, 682), (1, 512), (3, 1)] {
            let axis = ResampleAxis(inSize: inSize, outSize: outSize, window: 0..<outSize)
            for i in 0..<outSize {
                let sum = (0..<axis.count[i]).reduce(0) { $0 + Int(axis.coefficients[i * axis.ksize + $1]) }
                #expect(abs(sum - (1 << 22)) <= axis.count[i], "\(inSize)→\(outSize) @\(i): \(sum)")
            }
        }
    }

    @Test func constantImagesStayConstant() {
        let grey = RGBImage(width: 37, height: 23, pixels: [UInt8](repeating: 200, count: 37 * 23 * 3))
        let crop = Preprocessor.resizeAndCenterCrop(grey, size: 50)
        #expect(crop.pixels.allSatisfy { $0 == 200 })
    }
}
