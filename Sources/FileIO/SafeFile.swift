// The one way ClipScope opens a file it reads: open(2) with O_NONBLOCK | O_CLOEXEC (and O_NOFOLLOW when
// links must not be followed), fstat(2) of that descriptor, refusal of anything but a regular file, then
// reads bounded by the size fstat gave. So a FIFO, a device, a socket or a directory — even one swapped in
// after a scan — is refused at once with a message naming the file, and nothing blocks or reads forever.
//   SafeFile(path:) → fd, size, stat        SafeFile.read(path) → Data (exactly `size` bytes)
// Messages are "PATH: is a FIFO, not a regular file", "PATH: no such file", "PATH: permission denied", …
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

public struct SafeFileError: Error, CustomStringConvertible, Equatable, Sendable {
    public let path: String
    /// The problem without the path ("is a FIFO, not a regular file").
    public let reason: String
    /// errno of the failing call, when there was one.
    public let code: Int32?
    /// What the path is when it is not a regular file ("a FIFO", "a directory"); nil otherwise.
    public let nonRegularKind: String?
    public init(path: String, reason: String, code: Int32? = nil, nonRegularKind: String? = nil) {
        self.path = path; self.reason = reason; self.code = code; self.nonRegularKind = nonRegularKind
    }
    public var description: String { "\(path): \(reason)" }
    /// The file is not there (ENOENT); callers that treat absence as normal test this.
    public var isMissing: Bool { code == ENOENT }
}

public final class SafeFile {
    public let path: String
    public let fd: Int32
    /// st_size at open; every read is bounded by it.
    public let size: Int
    public let info: stat

    /// Opens `path` for reading; `followLinks: false` refuses a symbolic link as the last component.
    public convenience init(path: String, followLinks: Bool = true) throws {
        try self.init(pathBytes: Array(path.utf8), displayPath: path, followLinks: followLinks)
    }

    /// Opens a path given as raw bytes (file names need not be UTF-8); `displayPath` names it in messages.
    public init(pathBytes: [UInt8], displayPath: String, followLinks: Bool = true) throws {
        let path = displayPath
        self.path = path
        var flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC
        if !followLinks { flags |= O_NOFOLLOW }
        let fd = (pathBytes + [0]).withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, flags) }
        }
        guard fd >= 0 else { throw SafeFileError(path: path, reason: Self.openFailure(errno, followLinks: followLinks), code: errno) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let code = errno
            close(fd)
            throw SafeFileError(path: path, reason: "cannot stat: \(Self.strerror(code))", code: code)
        }
        if let kind = Self.nonRegularKind(st.st_mode) {
            close(fd)
            throw SafeFileError(path: path, reason: "is \(kind), not a regular file", nonRegularKind: kind)
        }
        // Regular files ignore O_NONBLOCK; clear it anyway so later reads are ordinary blocking reads.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        self.fd = fd
        self.size = Int(st.st_size)
        self.info = st
    }

    deinit { close(fd) }

    /// The whole file as fstat sized it; a file that shrank meanwhile is an error, growth is ignored.
    /// `limit`: refuse files larger than this many bytes (`what` names them in the message).
    public func readAll(limit: Int? = nil, what: String = "file") throws -> Data {
        if let limit, size > limit {
            throw SafeFileError(path: path, reason: "is \(size) bytes, more than the \(limit) bytes a \(what) may have")
        }
        return try read(at: 0, count: size)
    }

    /// Up to `count` bytes at `offset`, never past the size fstat gave.
    public func read(at offset: Int, count: Int) throws -> Data {
        let n = max(0, min(count, size - offset))
        var data = Data(count: n)
        var got = 0
        try data.withUnsafeMutableBytes { (buf: UnsafeMutableRawBufferPointer) in
            while got < n {
                let r = pread(fd, buf.baseAddress! + got, n - got, off_t(offset + got))
                if r < 0 {
                    if errno == EINTR { continue }
                    throw SafeFileError(path: path, reason: "cannot read: \(Self.strerror(errno))", code: errno)
                }
                if r == 0 { break }
                got += r
            }
        }
        guard got == n else {
            throw SafeFileError(path: path, reason: "changed while being read (\(size) bytes at open, ended after \(offset + got))")
        }
        return data
    }

    /// Opens, checks and reads `path` in one call.
    public static func read(_ path: String, followLinks: Bool = true, limit: Int? = nil, what: String = "file") throws -> Data {
        try SafeFile(path: path, followLinks: followLinks).readAll(limit: limit, what: what)
    }

    /// Like `read`, but a missing file gives nil (other problems still throw).
    public static func readIfPresent(_ path: String, followLinks: Bool = true) throws -> Data? {
        do { return try read(path, followLinks: followLinks) } catch let e as SafeFileError where e.isMissing { return nil }
    }

    /// "a FIFO", "a directory", … for anything that is not a regular file; nil for a regular file.
    public static func nonRegularKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "not a file of a known type"
        }
    }

    /// What is at `path` if it is not a regular file ("a directory"); nil if regular or absent. lstat when
    /// `followLinks` is false.
    public static func nonRegularKind(atPath path: String, followLinks: Bool = true) -> String? {
        var st = stat()
        let r = followLinks ? stat(path, &st) : lstat(path, &st)
        return r == 0 ? nonRegularKind(st.st_mode) : nil
    }

    static func openFailure(_ code: Int32, followLinks: Bool) -> String {
        switch code {
        case ENOENT: return "no such file"
        case EACCES, EPERM: return "permission denied"
        case ELOOP where !followLinks: return "is a symbolic link (not followed)"
        case ELOOP: return "too many levels of symbolic links"
        case ENOTDIR: return "a component of the path is not a directory"
        case EISDIR: return "is a directory, not a regular file"
        case ENXIO: return "is a FIFO or device that cannot be opened, not a regular file"
        default: return "cannot open: \(strerror(code))"
        }
    }

    public static func strerror(_ code: Int32) -> String {
        #if canImport(Glibc)
        return String(cString: Glibc.strerror(code))
        #else
        return String(cString: Darwin.strerror(code))
        #endif
    }
}
