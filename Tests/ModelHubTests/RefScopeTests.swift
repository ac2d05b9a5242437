// An HF cache ref is only ever a 40-hex commit id: `../../…`, paths and garbage in refs/main are
// ignored, so a ref never leads out of snapshots/.
import Foundation
import Testing
import TestSupport
@testable import ModelHub

@Suite struct RefScopeTests {
    @Test func refsMustBeCommitIDs() throws {
        let root = try Fixtures.tempDirectory("refscope")
        let repo = HFCacheRepo(root: root, repo: RepoID(owner: "o", name: "n"))
        try FileManager.default.createDirectory(at: repo.refs, withIntermediateDirectories: true)
        let commit = String(repeating: "ab12", count: 10)
        try FileManager.default.createDirectory(at: repo.snapshot(commit), withIntermediateDirectories: true)
        let outside = root.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        for bad in ["../../elsewhere", "../elsewhere\n", "/etc", "main", String(repeating: "a", count: 39), String(repeating: "g", count: 40), ""] {
            try Data(bad.utf8).write(to: repo.refs.appendingPathComponent("main"))
            #expect(repo.commit(forRef: "main") == nil, "\(bad.debugDescription)")
            #expect(repo.snapshotDirectory(revision: "main") == nil, "\(bad.debugDescription)")
        }
        try Data((commit + "\n").utf8).write(to: repo.refs.appendingPathComponent("main"))
        #expect(repo.commit(forRef: "main") == commit)
        #expect(repo.snapshotDirectory(revision: "main")?.directory.lastPathComponent == commit)
    }
}
