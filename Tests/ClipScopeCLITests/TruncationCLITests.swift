// `clipscope truncation` through ClipScopeMain with the fake backend (`runOnFake`), as part of the
// serialized IndexSearchCLITests suite (which owns the process-wide cache variable).
import Foundation
import Testing
import TestSupport
@testable import ClipScopeCLI

extension IndexSearchCLITests {
    @Test func truncationJSONHasTheDocumentedShape() throws {
        let dir = try folder()
        let svg = try Fixtures.tempDirectory("clipscope-svg").appendingPathComponent("curve.svg")
        let (status, out) = runOnFake(["truncation", dir.path, "--k", "2", "--json", "--svg", svg.path])
        #expect(status == 0)
        #expect(out.hasPrefix("{\"model\": "))
        let doc = try json(out)
        #expect(Set(doc.keys) == ["model", "precision", "folder", "images", "queries", "k", "rows"])
        #expect(doc["images"] as? Int == 5 && doc["k"] as? Int == 2 && doc["folder"] as? String == dir.path)
        let queries = try #require(doc["queries"] as? [String: Any])
        #expect(queries["kind"] as? String == "image" && queries["count"] as? Int == 5 && queries["seed"] is NSNull)
        let rows = try #require(doc["rows"] as? [[String: Any]])
        #expect(rows.map { $0["dims"] as? Int } == [32, 64, 128, 256, 512, 768, 1024])
        #expect(rows.allSatisfy { Set($0.keys) == ["dims", "overlap", "top1", "rbo", "kendall_tau"] })
        #expect(["overlap", "top1", "rbo", "kendall_tau"].allSatisfy { rows.last?[$0] as? Double == 1 })
        let text = try String(contentsOf: svg, encoding: .utf8)
        #expect(text.hasPrefix("<?xml") && text.contains("<svg") && text.hasSuffix("</svg>\n"))
        #expect(text.components(separatedBy: "<polyline").count == 5)           // one line per metric
        #expect(text.contains("overlap@2") && text.contains("Kendall τ-b"))
    }

    @Test func truncationSamplesWithASeedAndPrintsATable() throws {
        let dir = try folder()
        let a = try json(runOnFake(["truncation", dir.path, "--k", "1", "--sample", "3", "--seed", "7", "--json"]).stdout)
        let q = try #require(a["queries"] as? [String: Any])
        #expect(q["count"] as? Int == 3 && q["seed"] as? Int == 7)
        let (status, table) = runOnFake(["truncation", dir.path, "--k", "2"])
        #expect(status == 0)
        #expect(table.contains("overlap@2") && table.contains("all 5 images") && table.contains("of the full top-2."))
        #expect(table.split(separator: "\n").count == 2 + 7 + 1)                  // header lines, 7 dims, sentence
    }

    @Test func truncationRejectsBadArgumentsAndTinyFolders() throws {
        let dir = try folder()
        #expect(runOnFake(["truncation", dir.path, "--k", "5"]).status == 2)        // 5 images: k ≤ 4
        #expect(runOnFake(["truncation", dir.path, "--k", "0"]).status == 2)
        #expect(runOnFake(["truncation", dir.path, "--sample", "0"]).status == 2)
        let one = try Fixtures.tempDirectory("clipscope-one")
        try Data("red apple".utf8).write(to: one.appendingPathComponent("a.jpg"))
        let r = runOnFake(["truncation", one.path])
        #expect(r.status == 1)
        #expect(runOnFake(["truncation", dir.path, "--queries", "/nonexistent/queries.txt"]).status == 1)
    }

    /// The same query through `compare --json` and `truncation --queries`: identical metrics per dimension.
    @Test func truncationAgreesWithCompare() throws {
        let dir = try folder()
        let file = try Fixtures.tempDirectory("clipscope-queries").appendingPathComponent("q.txt")
        try Data("green apple\n".utf8).write(to: file)
        let t = try json(runOnFake(["truncation", dir.path, "--k", "3", "--queries", file.path, "--json"]).stdout)
        #expect((t["queries"] as? [String: Any])?["kind"] as? String == "text")
        let rows = try #require(t["rows"] as? [[String: Any]])
        for row in rows.dropLast() {
            let d = try #require(row["dims"] as? Int)
            let c = try json(runOnFake(["compare", dir.path, "--text", "green apple", "--dims", "\(d),1024", "--top", "3", "--json"]).stdout)
            let m = try #require(c["metrics"] as? [String: Any])
            for (a, b) in [("overlap", "overlap"), ("rbo", "rbo"), ("kendall_tau", "kendall_tau")] {
                #expect(abs((row[a] as? Double ?? -9) - (m[b] as? Double ?? 9)) < 1e-6, "d=\(d) \(a)")
            }
            let rankings = try #require(c["rankings"] as? [String: [[String: Any]]])
            let same = rankings["\(d)"]?.first?["path"] as? String == rankings["1024"]?.first?["path"] as? String
            #expect(row["top1"] as? Double == (same ? 1 : 0), "d=\(d)")
        }
    }
}
