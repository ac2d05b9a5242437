// DEC sixel for an RGB8 picture (row-major, 3 bytes per pixel), at the picture's own pixel size:
//   ESC P 0;1;0 q  "1;1;W;H  #i;2;R;G;B (each palette entry, percent)  band … band  ESC \
// Palette (≤ 256 colours, median cut):
//   1. histogram of the picture over 5-bit bins, key = (r>>3)<<10 | (g>>3)<<5 | (b>>3), with each
//      bin's pixel count and channel sums;
//   2. start from one box holding every non-empty bin; while there are fewer than `maxColors`
//      boxes, split the box with the largest count·side² (side: its longest bin range, in bins)
//      along that side at the count-weighted median bin value (both halves non-empty);
//   3. entry i = Σ rgb / count over box i's pixels (the exact mean, not the bin centre); every
//      pixel takes the entry of its bin's box (no dithering).
//   Percent: R = (r·100 + 127) / 255 (what a terminal scales back by 255/100).
// Bands: 6 pixel rows each; per band, for every colour present: `#i`, then one character per
// column from the colour's first to its last column, char = 63 + Σ_k 2^k·[pixel (x, 6·band + k)
// has colour i], a run of n ≥ 4 equal characters written `!n<char>`, the columns before the first
// as one run of `?`; `$` between colours, `-` between bands. Rows below H in the last band are
// never painted (P2 = 1 leaves them transparent), so the image is exactly W × H.
// Cost: O(W·H) for histogram, mapping and bands, plus the median cut over ≤ 32768 bins
// (O(bins · log maxColors)); no allocation per pixel. Safe from any thread.

public enum SixelEncoder {
    public static let maxColors = 256

    /// The pixel rows a `height`-row image's bands cover (what the terminal's cursor moves over).
    public static func bandedHeight(_ height: Int) -> Int { (height + 5) / 6 * 6 }

    public static func encode(width: Int, height: Int, rgb: [UInt8], maxColors: Int = maxColors) -> String? {
        guard width > 0, height > 0, rgb.count == width * height * 3, (1...256).contains(maxColors) else { return nil }
        let n = width * height
        // 1. Histogram.
        var count = [Int](repeating: 0, count: 32768)
        var sums = [Int](repeating: 0, count: 32768 * 3)
        var binOf = [UInt16](repeating: 0, count: n)
        rgb.withUnsafeBufferPointer { px in
            count.withUnsafeMutableBufferPointer { cnt in
                sums.withUnsafeMutableBufferPointer { s in
                    binOf.withUnsafeMutableBufferPointer { bo in
                        for p in 0..<n {
                            let r = Int(px[3 * p]), g = Int(px[3 * p + 1]), b = Int(px[3 * p + 2])
                            let k = (r >> 3) << 10 | (g >> 3) << 5 | (b >> 3)
                            bo[p] = UInt16(k)
                            cnt[k] += 1
                            s[3 * k] += r; s[3 * k + 1] += g; s[3 * k + 2] += b
                        }
                    }
                }
            }
        }
        // 2. Median cut over the non-empty bins.
        var bins: [Int32] = []
        bins.reserveCapacity(4096)
        for k in 0..<32768 where count[k] > 0 { bins.append(Int32(k)) }
        var boxes = [Box(lo: 0, hi: bins.count)]
        boxes[0].measure(bins, count)
        while boxes.count < maxColors {
            var best = -1, bestScore = 0
            for (i, b) in boxes.enumerated() where b.side > 0 {
                let score = b.pixels * b.side * b.side
                if score > bestScore { bestScore = score; best = i }
            }
            guard best >= 0 else { break }
            let (a, b) = boxes[best].split(&bins, count)
            boxes[best] = a
            boxes.append(b)
        }
        // 3. Palette entries and the bin → entry map.
        var lut = [UInt8](repeating: 0, count: 32768)
        var palette: [(r: Int, g: Int, b: Int)] = []
        palette.reserveCapacity(boxes.count)
        for (i, box) in boxes.enumerated() {
            var r = 0, g = 0, b = 0
            for j in box.lo..<box.hi {
                let k = Int(bins[j])
                r += sums[3 * k]; g += sums[3 * k + 1]; b += sums[3 * k + 2]
                lut[k] = UInt8(i)
            }
            let c = max(1, box.pixels)
            palette.append(((r + c / 2) / c, (g + c / 2) / c, (b + c / 2) / c))
        }

        var out: [UInt8] = []
        out.reserveCapacity(64 + palette.count * 18 + n / 2)
        func put(_ s: StaticString) { s.withUTF8Buffer { out.append(contentsOf: $0) } }
        func num(_ v: Int) {
            if v >= 100 { out.append(UInt8(48 + v / 100)) }
            if v >= 10 { out.append(UInt8(48 + v / 10 % 10)) }
            out.append(UInt8(48 + v % 10))
        }
        func bigNum(_ v: Int) { for ch in String(v).utf8 { out.append(ch) } }
        put("\u{1B}P0;1;0q\"1;1;"); bigNum(width); out.append(59); bigNum(height)
        for (i, c) in palette.enumerated() {
            out.append(35); num(i); put(";2;")
            num((c.r * 100 + 127) / 255); out.append(59); num((c.g * 100 + 127) / 255); out.append(59); num((c.b * 100 + 127) / 255)
        }

        // Bands.
        let colours = palette.count
        var bits = [UInt8](repeating: 0, count: colours * width)
        var first = [Int](repeating: Int.max, count: colours)
        var last = [Int](repeating: -1, count: colours)
        var present: [Int] = []
        present.reserveCapacity(colours)
        binOf.withUnsafeBufferPointer { bo in
            lut.withUnsafeBufferPointer { map in
                bits.withUnsafeMutableBufferPointer { bt in
                    first.withUnsafeMutableBufferPointer { fst in
                        last.withUnsafeMutableBufferPointer { lst in
                            var y0 = 0
                            while y0 < height {
                                let rows = min(6, height - y0)
                                present.removeAll(keepingCapacity: true)
                                for r in 0..<rows {
                                    let bit = UInt8(1 << r)
                                    let row = (y0 + r) * width
                                    for x in 0..<width {
                                        let c = Int(map[Int(bo[row + x])])
                                        if lst[c] < 0 { present.append(c); fst[c] = x; lst[c] = x }
                                        if x < fst[c] { fst[c] = x }
                                        if x > lst[c] { lst[c] = x }
                                        bt[c * width + x] |= bit
                                    }
                                }
                                for (j, c) in present.enumerated() {
                                    if j > 0 { out.append(36) }                       // $
                                    out.append(35); num(c)                            // #c
                                    if fst[c] > 0 { run(&out, 63, fst[c]) }
                                    var prev: UInt8 = 0, len = 0
                                    let base = c * width
                                    for x in fst[c]...lst[c] {
                                        let ch = 63 + bt[base + x]
                                        bt[base + x] = 0
                                        if ch == prev { len += 1; continue }
                                        if len > 0 { run(&out, prev, len) }
                                        prev = ch; len = 1
                                    }
                                    if len > 0 { run(&out, prev, len) }
                                    fst[c] = Int.max; lst[c] = -1
                                }
                                y0 += 6
                                if y0 < height { out.append(45) }                     // -
                            }
                        }
                    }
                }
            }
        }
        put("\u{1B}\\")
        return String(decoding: out, as: UTF8.self)
    }

    /// `len` copies of `ch`: `!len<ch>` from 4 on, else the characters.
    private static func run(_ out: inout [UInt8], _ ch: UInt8, _ len: Int) {
        if len >= 4 {
            out.append(33)
            for d in String(len).utf8 { out.append(d) }
            out.append(ch)
        } else {
            for _ in 0..<len { out.append(ch) }
        }
    }

    /// A median-cut box: bins[lo..<hi], its pixel count and bin ranges per channel.
    struct Box {
        var lo: Int, hi: Int
        var pixels = 0
        var minC = [31, 31, 31], maxC = [0, 0, 0]
        var axis = 0, side = 0

        init(lo: Int, hi: Int) { self.lo = lo; self.hi = hi }

        static func channel(_ key: Int32, _ axis: Int) -> Int { Int(key) >> (10 - 5 * axis) & 31 }

        mutating func measure(_ bins: [Int32], _ count: [Int]) {
            pixels = 0; minC = [31, 31, 31]; maxC = [0, 0, 0]
            for j in lo..<hi {
                let k = bins[j]
                pixels += count[Int(k)]
                for a in 0..<3 {
                    let v = Box.channel(k, a)
                    minC[a] = min(minC[a], v); maxC[a] = max(maxC[a], v)
                }
            }
            axis = 0; side = maxC[0] - minC[0]
            for a in 1..<3 where maxC[a] - minC[a] > side { axis = a; side = maxC[a] - minC[a] }
        }

        /// Splits at the count-weighted median of the longest side (requires side > 0).
        func split(_ bins: inout [Int32], _ count: [Int]) -> (Box, Box) {
            var hist = [Int](repeating: 0, count: 32)
            for j in lo..<hi { hist[Box.channel(bins[j], axis)] += count[Int(bins[j])] }
            var cut = minC[axis], acc = hist[cut]
            while cut < maxC[axis] - 1, 2 * acc < pixels { cut += 1; acc += hist[cut] }
            // Partition: values ≤ cut first.
            var i = lo, j = hi - 1
            while i <= j {
                if Box.channel(bins[i], axis) <= cut { i += 1 } else { bins.swapAt(i, j); j -= 1 }
            }
            var a = Box(lo: lo, hi: i), b = Box(lo: i, hi: hi)
            a.measure(bins, count); b.measure(bins, count)
            return (a, b)
        }
    }
}
