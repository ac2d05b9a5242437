// AtomicFile replaces a regular file whole (temp + fsync + rename, no temp left behind) and refuses
// every existing target that is not a regular file — the device node, FIFO, directory or link stays.
import Foundation
import Testing
import TestSupport
@testable import FileIO
#if canImport(Glibc)
import Glibc
#endif

@Suite struct AtomicFileTests {
    let dir: URL
    init() throws { dir = try Fixtures.tempDirectory("atomicfile") }

    func kind(_ path: String) -> mode_t { var st = stat(); lstat(path, &st); return st.st_mode & S_IFMT }

    @Test func createsAndReplacesRegularFiles() throws {
        let p = dir.appendingPathComponent("out.npy").path
        try AtomicFile.write(Data("first".utf8), to: p)
        #expect(try SafeFile.read(p) == Data("first".utf8))
        try AtomicFile.write(Data("second, longer".utf8), to: p)
        #expect(try SafeFile.read(p) == Data("second, longer".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.npy"])   // no temp left
        var st = stat(); stat(p, &st)
        let mask = umask(0); umask(mask)
        #expect(st.st_mode & 0o777 == 0o666 & ~mask)
    }

    @Test func nonRegularTargetsAreRefusedAndKept() throws {
        let fifo = dir.appendingPathComponent("pipe.npy").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let sub = dir.appendingPathComponent("sub.npy").path
        #expect(mkdir(sub, 0o700) == 0)
        let link = dir.appendingPathComponent("link.npy").path
        #expect(symlink("/dev/full", link) == 0)
        var targets = [(fifo, S_IFIFO, "is a FIFO"), (sub, S_IFDIR, "is a directory"), (link, S_IFLNK, "is a symbolic link")]
        // As root, a real character device node (what `--out /dev/full` replaced before).
        let node = dir.appendingPathComponent("full.npy").path
        if mknod(node, S_IFCHR | 0o600, dev_t(0x107) /* makedev(1, 7): the kernel's /dev/full */) == 0 { targets.append((node, S_IFCHR, "is a character device")) }
        for (p, type, says) in targets {
            do { try AtomicFile.write(Data("x".utf8), to: p); Issue.record("wrote over \(p)") } catch {
                #expect("\(error)" == "\(p): \(says), not a regular file; refusing to replace it")
            }
            #expect(kind(p) == type, "\(p) was replaced")
        }
        #expect(throws: SafeFileError.self) { try AtomicFile.checkTarget("/dev/full") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).allSatisfy { !$0.hasPrefix(".") })
    }

    @Test func unwritableDirectoryNamesTheTarget() throws {
        let p = "/nonexistent-dir/out.npy"
        do { try AtomicFile.write(Data("x".utf8), to: p); Issue.record("wrote") } catch {
            #expect("\(error)" == "\(p): cannot write: No such file or directory")
        }
    }
}
