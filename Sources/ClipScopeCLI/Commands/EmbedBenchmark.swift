// A small measurement harness behind the hidden `clipscope embed --bench-repeat N --bench-images B`
// options (the full `clipscope bench` is its own command): load time, text latency, one image and
// a batch of B images of synthetic pixel values, achieved GFLOPS and peak RSS, as one JSON line on stderr.
import ClipModel
import Foundation

struct EmbedBenchmark {
    var model: ClipEmbedder
    var loadSeconds: Double
    var texts: [String]
    var query: Bool
    var maxLength: Int
    var repeats: Int
    var images: Int

    func run() throws {
        var fields: [(String, String)] = [("load_s", fmt(loadSeconds)), ("rss_after_load_mb", fmt(Self.rssMB("VmRSS")))]
        if !texts.isEmpty {
            // first call includes the tokenizer load
            let t0 = Date()
            let ids = try model.tokenize(texts, asQuery: query, maxLength: maxLength)
            _ = try model.embed(tokenIDs: ids)
            fields.append(("first_text_s", fmt(Date().timeIntervalSince(t0))))
            var times: [Double] = []
            for _ in 0..<max(1, repeats) {
                let t = Date()
                _ = try model.embed(texts: texts, asQuery: query, maxLength: maxLength)
                times.append(Date().timeIntervalSince(t))
            }
            times.sort()
            fields.append(("text_tokens", "\(ids.map(\.count).max() ?? 0)"))
            fields.append(("text_batch", "\(texts.count)"))
            fields.append(("text_median_ms", fmt(times[times.count / 2] * 1000)))
        }
        if images > 0 {
            let one = Self.syntheticPixels(size: model.config.imageSize)
            let t1 = Date()
            _ = try model.embed(pixelValues: one, count: 1)
            let single = Date().timeIntervalSince(t1)
            let batch = [Float]((0..<images).map { _ in one }.joined())
            let t2 = Date()
            _ = try model.embed(pixelValues: batch, count: images)
            let batched = Date().timeIntervalSince(t2)
            let flops = model.imageFLOPs
            fields += [("image_gflop", fmt(flops / 1e9)), ("image_1_s", fmt(single)), ("image_1_gflops", fmt(flops / single / 1e9)),
                       ("image_batch", "\(images)"), ("image_batch_s", fmt(batched)),
                       ("image_batch_per_image_s", fmt(batched / Double(images))),
                       ("image_batch_gflops", fmt(flops * Double(images) / batched / 1e9))]
        }
        fields.append(("peak_rss_mb", fmt(Self.rssMB("VmHWM"))))
        fields.append(("threads", "\(ProcessInfo.processInfo.activeProcessorCount)"))
        printError("{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
    }

    func fmt(_ x: Double) -> String { String(format: "%.3f", x) }

    /// Deterministic pseudo-random pixel values [3, size, size] in about ±2 (normalized-image range).
    static func syntheticPixels(size s: Int) -> [Float] {
        var g: UInt64 = 1
        return (0..<(3 * s * s)).map { _ -> Float in
            g = g &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int(g >> 40) % 2001 - 1000) / 500
        }
    }

    /// A /proc/self/status field in MB (0 where /proc is missing).
    static func rssMB(_ field: String) -> Double {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in s.split(separator: "\n") where line.hasPrefix(field + ":") {
            let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kb / 1024
        }
        return 0
    }
}
