// Symbolic links that lead out of the scanned folder are skipped and listed by default (`ln -s .. up`
// would index the parent; `passwd.jpg -> /etc/passwd` would be opened); links within the folder are
// followed; followLinks: true follows both.
import Foundation
import Testing
import TestSupport
@testable import VectorIndex

@Suite struct LinkScopeTests {
    func layout() throws -> (folder: URL, outside: URL) {
        let top = try Fixtures.tempDirectory("clipscope-links")
        let folder = top.appendingPathComponent("photos"), outside = top.appendingPathComponent("private")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try Data("a".utf8).write(to: folder.appendingPathComponent("a.jpg"))
        try Data("secret".utf8).write(to: outside.appendingPathComponent("secret.jpg"))
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: folder.appendingPathComponent("up").path, withDestinationPath: "..")
        try fm.createSymbolicLink(atPath: folder.appendingPathComponent("passwd.jpg").path, withDestinationPath: "/etc/passwd")
        try fm.createSymbolicLink(atPath: folder.appendingPathComponent("leak.jpg").path, withDestinationPath: outside.appendingPathComponent("secret.jpg").path)
        try fm.createSymbolicLink(atPath: folder.appendingPathComponent("alias.jpg").path, withDestinationPath: "a.jpg")
        return (folder, outside)
    }

    @Test func linksOutOfTheFolderAreSkippedByDefault() throws {
        let (folder, _) = try layout()
        let scan = try FolderScanner.scan(folder)
        #expect(scan.files.map(\.relativePath.string) == ["a.jpg", "alias.jpg"])
        let skipped = Dictionary(uniqueKeysWithValues: scan.skipped.map { ($0.path.string, $0.reason) })
        for name in ["up", "passwd.jpg", "leak.jpg"] { #expect(skipped[name] == FolderScanner.linkOutsideReason, "\(name)") }
        #expect(!scan.files.contains { $0.relativePath.string.hasPrefix("up/") })
    }

    @Test func followLinksOptsIn() throws {
        let (folder, _) = try layout()
        let scan = try FolderScanner.scan(folder, followLinks: true)
        let names = Set(scan.files.map(\.relativePath.string))
        #expect(names.isSuperset(of: ["a.jpg", "alias.jpg", "leak.jpg", "up/private/secret.jpg"]))
    }
}
