// One error type for everything that can go wrong between a path and its pixels. The description
// always names the file and the problem, so the CLI and the explorer can print it as is.

public struct ImageError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// Recognised but not decoded (HEIF/HEIC/AVIF): counted in summaries, not an error.
        case unsupportedFormat(ImageFormat)
        /// Zero bytes.
        case empty
        /// Content matches no known image signature (e.g. random bytes named x.jpg).
        case notAnImage
        /// A directory or other non-regular file where an image was expected: "a FIFO", "a directory", …
        case notAFile(String)
        /// The file could not be read (missing, permissions, I/O error).
        case unreadable(String)
        /// The decoder rejected the data (bad marker, bad CRC, bad zlib stream ...).
        case corrupt(String)
        /// The data ends before the decoder could produce an image.
        case truncated(String)
        /// The header promises more pixels than the limit (decompression bomb); nothing was allocated.
        case tooLarge(width: Int, height: Int, limit: Int)
    }

    public var path: String
    public var kind: Kind

    public init(path: String, kind: Kind) {
        self.path = path
        self.kind = kind
    }

    /// Unsupported formats are skipped and counted, not reported as failures.
    public var isUnsupportedFormat: Bool {
        if case .unsupportedFormat = kind { return true }
        return false
    }

    /// The problem without the path.
    public var problem: String {
        switch kind {
        case .unsupportedFormat(let f): return "unsupported image format (\(f.displayName))"
        case .empty: return "empty file (0 bytes)"
        case .notAnImage: return "not an image (no known image signature)"
        case .notAFile(let kind): return "is \(kind), not a regular file"
        case .unreadable(let why): return "cannot read file: \(why)"
        case .corrupt(let why): return "corrupt image: \(why)"
        case .truncated(let why): return "image file is truncated (\(why))"
        case let .tooLarge(w, h, limit):
            return "image too large: \(w)x\(h) = \(w * h) pixels exceeds the limit of \(limit) pixels"
        }
    }

    public var description: String { "\(path): \(problem)" }
}
