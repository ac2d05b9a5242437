// `clipscope bench {model, gemm, attention, tokenizer, index, cache, truncation, preview}`: every speed measurement of the
// program in one place (`model`, the default, with no subcommand). Figures are measured here and
// recorded in docs/perf.md, docs/index.md and docs/tokenizer.md; tests never time anything.
import ArgumentParser
import CLISupport
import Foundation
import Kernels
import Retrieval

public struct BenchCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the encoder, its kernels, the tokenizer, the index and the cache on this machine.",
        subcommands: [ModelBench.self, GemmBenchCommand.self, AttentionBenchCommand.self, TokenizerBench.self,
                      IndexBenchCommand.self, CacheBench.self, TruncationBench.self, PreviewBench.self],
        defaultSubcommand: ModelBench.self)
    public init() {}
}

/// `--threads N` for the kernel benchmarks (default: all cores).
struct ThreadOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Compute threads (default: all cores).", valueName: "N")) var threads: Int?

    func validate() throws { try NumericOptions.threads(threads) }

    /// Sets OpenBLAS to the requested count; returns it.
    @discardableResult func apply() -> Int {
        let n = threads ?? ProcessInfo.processInfo.activeProcessorCount
        Gemm.setThreads(n)
        return n
    }
}

struct GemmBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm", abstract: "Time the text projection shapes through PackedLinear's two paths and float32 sgemm.",
        discussion: "--vision: the vision tower's float32 projections through OpenBLAS and oneDNN instead, and the GemmBackend table rows they give.")
    @OptionGroup var threads: ThreadOptions
    @Flag(help: "Time the vision projections (jina-clip-v2's shapes) through OpenBLAS and oneDNN.") var vision = false
    @Option(help: ArgumentHelp("Timed runs per library and shape (best reported).", valueName: "N")) var repeats = 3

    func validate() throws { try NumericOptions.repeats(repeats) }

    func run() throws {
        let n = threads.apply()
        if vision {
            try emit(GemmBench.visionTable(try GemmBench.runVision(threads: n, repeats: repeats), threads: n))
        } else {
            try emit(GemmBench.table(GemmBench.run()))
        }
    }
}

struct AttentionBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attention", abstract: "Time one attention layer (vision and text shapes): the towers' kernel vs per-head sgemm.")
    @OptionGroup var threads: ThreadOptions

    func run() throws {
        threads.apply()
        try emit(AttentionBench.table(AttentionBench.run()))
    }
}

/// Helpers shared by the benchmarks.
enum BenchSupport {
    /// Milliseconds of the fastest of `repeats` runs of body, after one untimed warm-up run.
    static func bestMs(repeats: Int, _ body: () -> Void) -> Double {
        body()
        var best = Double.infinity
        for _ in 0..<repeats {
            let t = DispatchTime.now().uptimeNanoseconds
            body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
        }
        return best
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

    /// Deterministic pseudo-random pixel values [3, size, size] in about ±2 (normalized-image range).
    static func syntheticPixels(size s: Int) -> [Float] {
        var g: UInt64 = 1
        return (0..<(3 * s * s)).map { _ -> Float in
            g = g &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int(g >> 40) % 2001 - 1000) / 500
        }
    }
}

/// SplitMix64 (Retrieval's) for reproducible synthetic data.
struct SplitMix {
    private var rng: SplitMix64
    init(seed: UInt64) { rng = SplitMix64(seed: seed) }
    mutating func next() -> UInt64 { rng.next() }
    mutating func unitVector(_ v: inout [Float]) {
        var s: Float = 0
        for j in 0..<v.count {
            let x = Float(Int64(bitPattern: next() >> 1) % 2_000_001 - 1_000_000) / 1_000_000
            v[j] = x; s += x * x
        }
        let inv = 1 / s.squareRoot()
        for j in 0..<v.count { v[j] *= inv }
    }
}
