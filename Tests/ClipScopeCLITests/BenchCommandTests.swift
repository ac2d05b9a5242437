// `clipscope bench --json` on the tiny fixture model: one object with exactly the keys docs/perf.md
// documents, all finite and positive (the figures themselves are measured, never asserted).
import ClipModel
import Foundation
import Kernels
import Testing
import TestSupport
@testable import ClipScopeBench
@testable import ClipScopeCLI
import CLISupport

@Suite struct BenchCommandTests {
    @Test func jsonHasTheAgreedKeys() throws {
        let r = CommandOutput.run(["bench", "--model", Fixtures.tiny.path, "--repeats", "2", "--threads", "1", "--json"])
        #expect(r.status == 0)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        // the documented keys, plus the query with the retrieval.query prefix (what the explorer sends)
        let keys = ["load_s", "peak_rss_mb", "text_query_ms", "text_batch32_ms", "image_1_ms", "image_4_ms",
                    "text_batch32_gflops", "image_1_gflops", "sgemm_gflops", "threads", "text_query_prefixed_ms"]
        #expect(Set(obj.keys) == Set(keys + ["precision", "gemm"]))
        #expect(obj["precision"] as? String == "exact")
        // The vision GEMM library: the table's choice, or the one --gemm names.
        #expect(obj["gemm"] as? String == GemmBackend.backend(for: .qkv).rawValue)
        for backend in GemmBackend.allCases {
            let forced = CommandOutput.run(["bench", "--model", Fixtures.tiny.path, "--repeats", "1", "--threads", "1",
                                            "--skip-images", "--json", "--gemm", backend.rawValue])
            let o = try #require(try JSONSerialization.jsonObject(with: Data(forced.stdout.utf8)) as? [String: Any])
            #expect(forced.status == 0 && o["gemm"] as? String == backend.rawValue, "--gemm \(backend)")
        }
        #expect(CommandOutput.run(["bench", "--model", Fixtures.tiny.path, "--gemm", "mkl"]).status == 2)
        for k in keys {
            let v = try #require((obj[k] as? NSNumber)?.doubleValue, "\(k) is a number")
            #expect(v.isFinite && v > 0, "\(k) = \(v)")
        }
        #expect((obj["threads"] as? NSNumber)?.intValue == 1)
        #expect(CommandOutput.run(["bench", "--model", Fixtures.tiny.path, "--repeats", "0"]).status == 2)
    }

    /// --precision fast: the one-image workload alternates fast and exact forwards in the same run and
    /// reports both, their ratio, the lowest cosine between the two vectors (≥ the 0.999 gate) and the
    /// range guard's fallbacks (none on these activations). Without AVX512-BF16 it runs exact, says so.
    @Test func precisionFastReportsBothImageTimes() throws {
        let r = CommandOutput.run(["bench", "--model", Fixtures.tiny.path, "--repeats", "1", "--threads", "1", "--json",
                                   "--precision", "fast"])
        #expect(r.status == 0)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        guard Precision.fastSupported else {
            #expect(obj["precision"] as? String == "exact" && obj["fast_to_exact"] == nil)
            return
        }
        #expect(obj["precision"] as? String == "fast")
        for k in ["image_1_exact_ms", "fast_to_exact"] {
            let v = try #require((obj[k] as? NSNumber)?.doubleValue, "\(k) is a number")
            #expect(v.isFinite && v > 0, "\(k) = \(v)")
        }
        let cosine = try #require((obj["fast_cosine_min"] as? NSNumber)?.doubleValue)
        #expect(cosine >= 0.999 && cosine <= 1.000001, "cosine \(cosine)")
        #expect((obj["fast_fallbacks"] as? NSNumber)?.intValue == 0)
    }

    /// Without --json: one "key  value" line per figure (every key set off by at least two spaces, threads
    /// an integer, precision and gemm last), then with --profile the stage tables of a caption batch, 1 image and 4 images.
    @Test func textOutputAndProfile() throws {
        let r = CommandOutput.run(["bench", "--model", Fixtures.tiny.path, "--repeats", "1", "--threads", "1", "--profile"])
        #expect(r.status == 0)
        let blocks = r.stdout.components(separatedBy: "\n\n")
        #expect(blocks.count == 4)
        let lines = blocks[0].split(separator: "\n").map(String.init)
        let pairs = lines.map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(lines.count == 13 && pairs.allSatisfy { $0.count == 2 } && pairs.dropLast(2).allSatisfy { Double($0[1]) != nil }, "\(lines)")
        #expect(Array(pairs.suffix(2)) == [["precision", "exact"], ["gemm", GemmBackend.backend(for: .qkv).rawValue]])
        #expect(lines.allSatisfy { $0.contains("  ") })
        #expect(pairs.contains(["threads", "1"]))
        #expect(pairs.contains { $0.first == "text_query_prefixed_ms" })
        let expected = [("profile, 32 captions:", "  fc2 "), ("profile, 1 image:", "  gate_up "), ("profile, 4 images:", "  gate_up ")]
        for (block, (title, stage)) in zip(blocks.dropFirst(), expected) {
            #expect(block.hasPrefix(title) && block.contains(stage) && block.contains("  attention "), "\(block)")
        }
    }
}

/// The other benchmarks, at sizes that finish at once (their figures are never asserted).
@Suite struct BenchSubcommandTests {
    @Test func tokenizerIndexAndCache() throws {
        let tok = Fixtures.xlmr.appendingPathComponent("tokenizer.json").path
        let t = CommandOutput.run(["bench", "tokenizer", "--tokenizer", tok, "--repeats", "2", "hello world", "日本語"])
        #expect(t.status == 0)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(t.stdout.utf8)) as? [String: Any])
        #expect(obj["texts"] as? Int == 2 && obj["repeats"] as? Int == 2)
        #expect(Set(obj.keys) == ["impl", "load_seconds", "texts", "repeats", "tokens", "seconds", "cpu_seconds",
                                  "tokens_per_second", "tokens_per_cpu_second", "mb_per_second"])
        let i = CommandOutput.run(["bench", "index", "--rows", "64", "--json"])
        #expect(i.status == 0)
        let index = try #require(try JSONSerialization.jsonObject(with: Data(i.stdout.utf8)) as? [String: Any])
        #expect(index["rows"] as? Int == 64 && (index["results"] as? [Any])?.isEmpty == false)
        let c = CommandOutput.run(["bench", "cache", "--rows", "20"])
        #expect(c.status == 0 && c.stdout.contains("(20 entries)"), "\(c.stdout)")
        #expect(CommandOutput.run(["bench", "index", "--rows", "3"]).status == 2)
    }

    @Test func truncation() throws {
        let r = CommandOutput.run(["bench", "truncation", "--rows", "40", "--queries", "6", "--k", "3", "--threads", "1", "--json"])
        #expect(r.status == 0)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(Set(obj.keys) == ["rows", "width", "queries", "k", "threads", "view_first_ms", "view_ms", "view_scores_ms",
                                  "view_rankings_ms", "view_summary_ms", "curve_init_s", "curve_s"])
        #expect(obj["rows"] as? Int == 40 && obj["queries"] as? Int == 6 && obj["k"] as? Int == 3)
        #expect(CommandOutput.run(["bench", "truncation", "--rows", "40", "--k", "40"]).status == 2)
        #expect(CommandOutput.run(["bench", "truncation", "--rows", "40", "--queries", "0"]).status == 2)
    }

    /// The benchmark flags that used to hide on user commands are gone.
    @Test func userCommandsHaveNoBenchmarkFlags() {
        #expect(CommandOutput.run(["search", "--bench-synthetic", "100"]).status == 2)
        #expect(CommandOutput.run(["search", "--bench-cache", "100"]).status == 2)
        #expect(CommandOutput.run(["tokenize", "--bench-repeat", "1", "x"]).status == 2)
        #expect(CommandOutput.run(["embed", "--bench-repeat", "1", "--text", "x"]).status == 2)
    }

    /// `bench preview`: a row per preview mode, then the grid scroll table (one row per mode, the
    /// grid's columns × rows and a positive frame time); bad options are usage errors.
    @Test func previewBenchPrintsEveryModeAndTheGridScroll() throws {
        let file = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Assets/demo/05_green_circle_x2.jpg").path
        let r = CommandOutput.run(["bench", "preview", file, "--repeats", "1", "--grid", "12", "--cols", "30", "--rows", "15"])
        #expect(r.status == 0, "\(r.stdout)")
        let blocks = r.stdout.components(separatedBy: "\n\n")
        #expect(blocks.count == 2)
        let modes = blocks[0].split(separator: "\n").dropFirst(2).map { $0.split(separator: " ").first.map(String.init) ?? "" }
        #expect(modes == ["halfblocks", "symbols", "kitty", "iterm", "sixel"])
        let grid = blocks.count > 1 ? blocks[1].split(separator: "\n").dropFirst(2).map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) } : []
        #expect(grid.map { $0.first ?? "" } == ["kitty", "iterm", "sixel", "symbols"])
        for row in grid {
            #expect(row.count >= 7 && row[1].contains("×") && (Double(row[4]) ?? -1) > 0, "\(row)")
        }
        #expect(CommandOutput.run(["bench", "preview", file, "--size", "10x5"]).status == 2)
    }
}

/// `bench gemm --vision`'s table (the timing itself is measured, never asserted): GFLOPS from the times, and
/// the GemmBackend entries it suggests, OpenBLAS only where it is at least 3 % faster.
@Suite struct VisionGemmTableTests {
    @Test func entriesFollowTheThreePercentRule() {
        typealias R = GemmBench.VisionRow
        let rows = [R(projection: .qkv, m: 1297, k: 1024, n: 3072, openblasMs: 40, onednnMs: 38),       // oneDNN faster
                    R(projection: .gateUp, m: 1297, k: 1024, n: 5460, openblasMs: 70, onednnMs: 70.7),  // OpenBLAS 1 % faster
                    R(projection: .down, m: 1297, k: 2730, n: 1024, openblasMs: 40, onednnMs: 42)]      // OpenBLAS 5 % faster
        let out = GemmBench.visionTable(rows, threads: 2)
        #expect(out.contains("    .qkv: .onednn,") && out.contains("    .gateUp: .onednn,") && out.contains("    .down: .openblas,"), "\(out)")
        // qkv: 2·1297·1024·3072 FLOP in 40 ms = 204.0 GFLOPS.
        #expect(out.contains("qkv") && out.contains("204.0)"), "\(out)")
    }
}
