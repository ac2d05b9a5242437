// SafeFile refuses every non-regular file from the opened descriptor (never blocking on a FIFO or a
// device), names the file and what it is, reads exactly the size fstat gave, and can refuse links.
import Foundation
import Testing
import TestSupport
@testable import FileIO
#if canImport(Glibc)
import Glibc
#endif

@Suite struct SafeFileTests {
    let dir: URL
    init() throws { dir = try Fixtures.tempDirectory("safefile") }

    func error(_ path: String, followLinks: Bool = true) -> SafeFileError? {
        do { _ = try SafeFile.read(path, followLinks: followLinks); return nil } catch { return error as? SafeFileError }
    }

    @Test func regularFileIsReadWhole() throws {
        let p = dir.appendingPathComponent("a.bin").path
        let bytes = Data((0..<70_000).map { UInt8($0 % 251) })
        try bytes.write(to: URL(fileURLWithPath: p))
        #expect(try SafeFile.read(p) == bytes)
        let f = try SafeFile(path: p)
        #expect(f.size == 70_000)
        #expect(try f.read(at: 69_990, count: 100) == bytes.suffix(10))   // bounded by the size
    }

    @Test func fifoIsRefusedWithoutBlocking() throws {
        let p = dir.appendingPathComponent("pipe.json").path
        #expect(mkfifo(p, 0o600) == 0)
        let e = try #require(error(p))
        #expect(e.description == "\(p): is a FIFO, not a regular file")
        #expect(e.nonRegularKind == "a FIFO")
    }

    @Test func devicesAndDirectoriesAreRefused() throws {
        #expect(error("/dev/zero")?.description == "/dev/zero: is a character device, not a regular file")
        #expect(error("/dev/null")?.reason == "is a character device, not a regular file")
        #expect(error(dir.path)?.reason == "is a directory, not a regular file")
    }

    @Test func missingAndUnreadable() throws {
        let missing = dir.appendingPathComponent("nope").path
        let e = try #require(error(missing))
        #expect(e.reason == "no such file" && e.isMissing)
        #expect(try SafeFile.readIfPresent(missing) == nil)
        #expect(!e.description.contains("NSCocoaErrorDomain"))
    }

    @Test func linksFollowedOnlyWhenAsked() throws {
        let target = dir.appendingPathComponent("t.txt")
        try Data("hello".utf8).write(to: target)
        let link = dir.appendingPathComponent("l.txt").path
        #expect(symlink(target.path, link) == 0)
        #expect(try SafeFile.read(link) == Data("hello".utf8))
        #expect(error(link, followLinks: false)?.reason == "is a symbolic link (not followed)")
    }

    @Test func sizeLimitNamesTheFile() throws {
        let p = dir.appendingPathComponent("big.json").path
        try Data(count: 100).write(to: URL(fileURLWithPath: p))
        #expect(throws: SafeFileError.self) { try SafeFile.read(p, limit: 99, what: "config") }
        #expect(try SafeFile.read(p, limit: 100).count == 100)
    }
}
