// Shared plumbing for the harnesses: a private scratch directory (on tmpfs when there is one, so the
// per-input file writes and the cache's fsyncs cost little), file writing, and the seed-writing hook.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum FuzzScratch {
    /// /dev/shm/clipscope-fuzz-<harness>-<pid> (else under the temp directory); created once.
    public static func directory(_ harness: String) -> URL {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let url = URL(fileURLWithPath: base, isDirectory: true)
            .appendingPathComponent("clipscope-fuzz-\(harness)-\(getpid())", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        // libFuzzer ends with exit(); remove the directory then (a crash leaves it, which helps debugging).
        if registered.isEmpty { atexit { FuzzScratch.cleanup() } }
        registered.append(url.path)
        return url
    }

    nonisolated(unsafe) private static var registered: [String] = []
    static func cleanup() {
        for path in registered { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Writes bytes with plain write(2) (Data.write would add a temp file + rename per input).
    public static func write(_ bytes: UnsafeRawBufferPointer, to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { fatalError("fuzz harness: cannot create \(path): \(String(cString: strerror(errno)))") }
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 { if errno == EINTR { continue }; fatalError("fuzz harness: cannot write \(path)") }
            done += n
        }
        close(fd)
    }

    public static func write(_ bytes: [UInt8], to path: String) {
        bytes.withUnsafeBytes { write($0, to: path) }
    }

    /// When CLIPSCOPE_FUZZ_WRITE_SEEDS names a directory, LLVMFuzzerInitialize calls this to write
    /// seeds produced by the library itself (so they always match the current format), then exits.
    public static func writeSeedsIfAsked(_ seeds: () throws -> [(String, [UInt8])]) {
        guard let dir = ProcessInfo.processInfo.environment["CLIPSCOPE_FUZZ_WRITE_SEEDS"], !dir.isEmpty else { return }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let list = try seeds()
            for (name, bytes) in list { write(bytes, to: dir + "/" + name) }
            print("wrote \(list.count) seeds to \(dir)")
            exit(0)
        } catch {
            print("cannot write seeds to \(dir): \(error)")
            exit(1)
        }
    }

    /// A check failed that the library promises (not a thrown error): crash so libFuzzer keeps the input.
    public static func violated(_ what: String) -> Never {
        fatalError("fuzz invariant violated: \(what)")
    }
}
