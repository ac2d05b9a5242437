// The one way ClipScope writes an output file the user named (`preprocess --out`, `export --out`):
//   lstat(target): absent or a regular file, else refused ("is a character device, not a regular file")
//   temp = open(dir/.name.XXXXXX, O_CREAT|O_EXCL|O_NOFOLLOW, 0666 & ~umask) · write all · fsync
//   rename(temp, target) · fsync(dir)
// so a reader sees the old file or the new one, never half of one, and a device node, FIFO, directory or
// symbolic link at the target is never replaced. Every failure removes the temp file and names the target.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

private func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, p, n)
    #else
    return Darwin.write(fd, p, n)
    #endif
}

public enum AtomicFile {
    /// Refuses a target that exists and is not a regular file (checked without following links).
    public static func checkTarget(_ path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            if errno == ENOENT { return }
            throw SafeFileError(path: path, reason: "cannot write: \(SafeFile.strerror(errno))", code: errno)
        }
        if let kind = SafeFile.nonRegularKind(st.st_mode) {
            throw SafeFileError(path: path, reason: "is \(kind), not a regular file; refusing to replace it", nonRegularKind: kind)
        }
    }

    /// Writes `data` to `path` atomically (see the header).
    public static func write(_ data: Data, to path: String) throws {
        try checkTarget(path)
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        var template = Array((dir + "/." + url.lastPathComponent + ".XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        func fail(_ what: String, _ code: Int32) -> SafeFileError {
            SafeFileError(path: path, reason: "cannot write: \(what)\(SafeFile.strerror(code))", code: code)
        }
        guard fd >= 0 else { throw fail("", errno) }
        let tmp = String(cString: template)
        var ok = false
        defer { if !ok { close(fd); unlink(tmp) } }
        // mkstemp creates 0600; give the file the mode a plain create would have (0666 & ~umask).
        let mask = umask(0); umask(mask)
        _ = fchmod(fd, 0o666 & ~mask)
        var written = 0
        try data.withUnsafeBytes { (buf: UnsafeRawBufferPointer) in
            while written < buf.count {
                let n = systemWrite(fd, buf.baseAddress! + written, buf.count - written)
                if n < 0 { if errno == EINTR { continue }; throw fail("", errno) }
                written += n
            }
        }
        guard fsync(fd) == 0 else { throw fail("", errno) }
        guard close(fd) == 0 else { let e = errno; unlink(tmp); ok = true; throw fail("", e) }
        ok = true
        // The target may have been swapped for something else meanwhile: check again right before the rename.
        do { try checkTarget(path) } catch { unlink(tmp); throw error }
        guard rename(tmp, path) == 0 else { let e = errno; unlink(tmp); throw fail("", e) }
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }
}
