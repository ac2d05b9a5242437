// Paints FakeBackend's synthetic "photos" from their concepts: a sky/ground
// backdrop (beach, sunset, night, snow, forest, city) with a subject on top (cat, dog, car,
// food, flowers, person, mountain). Deterministic, any size, RGB8 HWC.

import Explorer

enum FakePainter {
    static func paint(concepts: [String], width w: Int, height h: Int, seed: UInt64) -> PreviewImage {
        var px = [UInt8](repeating: 0, count: w * h * 3)
        let has = Set(concepts)
        var rng = SplitMix64(seed: seed &+ 99)
        let stars = (0..<12).map { _ in (Double(rng.nextUnit()), Double(rng.nextUnit()) * 0.5) }
        for y in 0..<h {
            for x in 0..<w {
                let u = (Double(x) + 0.5) / Double(w), v = (Double(y) + 0.5) / Double(h)
                var c = backdrop(has, u: u, v: v)
                for (sx, sy) in stars where has.contains("night") && abs(sx - u) < 0.03 && abs(sy - v) < 0.03 {
                    c = (240, 240, 200)
                }
                if let s = subject(has, u: u, v: v) { c = s }
                let i = (y * w + x) * 3
                px[i] = UInt8(clamping: Int(c.0)); px[i + 1] = UInt8(clamping: Int(c.1)); px[i + 2] = UInt8(clamping: Int(c.2))
            }
        }
        return PreviewImage(width: w, height: h, rgb: px)
    }

    typealias C = (Double, Double, Double)

    static func mix(_ a: C, _ b: C, _ t: Double) -> C {
        (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t, a.2 + (b.2 - a.2) * t)
    }

    static func backdrop(_ has: Set<String>, u: Double, v: Double) -> C {
        let horizon = 0.6
        if v < horizon {
            let t = v / horizon
            if has.contains("night") { return mix((5, 10, 40), (30, 60, 110), t) }
            if has.contains("sunset") { return mix((250, 120, 40), (255, 210, 120), t) }
            if has.contains("city") {
                let building = (Int(u * 7) % 2 == 0) && v > 0.15 + 0.2 * Double(Int(u * 7) % 3)
                if building { return (90, 95, 110) }
            }
            if has.contains("forest") { return mix((30, 90, 40), (60, 130, 60), t) }
            if has.contains("snow") && !has.contains("mountain") { return mix((200, 210, 230), (235, 240, 250), t) }
            return mix((70, 140, 230), (170, 210, 250), t)
        }
        let t = (v - horizon) / (1 - horizon)
        if has.contains("beach") { return v < 0.72 ? mix((30, 110, 190), (60, 150, 210), t) : (230, 205, 150) }
        if has.contains("snow") { return mix((235, 240, 250), (200, 210, 225), t) }
        if has.contains("city") { return mix((70, 70, 75), (40, 40, 45), t) }
        if has.contains("forest") { return mix((80, 60, 30), (50, 90, 40), t) }
        if has.contains("food") { return (150, 100, 60) }
        if has.contains("cat") { return (120, 80, 90) }
        return mix((90, 160, 70), (60, 120, 50), t)
    }

    static func subject(_ has: Set<String>, u: Double, v: Double) -> C? {
        func ellipse(_ cx: Double, _ cy: Double, _ rx: Double, _ ry: Double) -> Bool {
            let dx = (u - cx) / rx, dy = (v - cy) / ry
            return dx * dx + dy * dy <= 1
        }
        if has.contains("mountain") {
            let peak = 0.25 + abs(u - 0.5) * 0.9
            if v > peak && v < 0.62 { return v < peak + 0.08 ? (245, 245, 250) : (110, 100, 120) }
        }
        if has.contains("sunset"), ellipse(0.7, 0.5, 0.1, 0.08) { return (255, 90, 30) }
        if has.contains("cat") {
            if ellipse(0.35, 0.62, 0.14, 0.12) || ellipse(0.35, 0.47, 0.08, 0.07) { return (230, 140, 50) }
            if ellipse(0.31, 0.40, 0.02, 0.03) || ellipse(0.39, 0.40, 0.02, 0.03) { return (230, 140, 50) }
        }
        if has.contains("dog") {
            if ellipse(0.65, 0.66, 0.16, 0.1) || ellipse(0.52, 0.54, 0.07, 0.07) { return (130, 80, 40) }
        }
        if has.contains("car"), v > 0.6, v < 0.8, u > 0.2, u < 0.8 { return (210, 30, 30) }
        if has.contains("food"), ellipse(0.5, 0.72, 0.3, 0.15) { return ellipse(0.5, 0.7, 0.22, 0.09) ? (230, 180, 80) : (245, 245, 245) }
        if has.contains("flower") {
            for cx in stride(from: 0.15, through: 0.85, by: 0.23) where ellipse(cx, 0.75, 0.07, 0.06) { return (250, 210, 30) }
        }
        if has.contains("person"), ellipse(0.5, 0.55, 0.03, 0.04) || (abs(u - 0.5) < 0.025 && v > 0.58 && v < 0.72) {
            return (240, 200, 170)
        }
        return nil
    }
}
