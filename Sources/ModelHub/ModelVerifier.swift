// `clipscope model verify`: re-hash a model's files against what was recorded for them.
//   HF cache snapshot   each file links to blobs/<name>: 64 hex → SHA-256 of the content (LFS),
//                       40 hex → git blob id (regular files).
//   ClipScope download  clipscope-checksums.json (SHA-256 + size per file).
//   anything else       nothing recorded: files are hashed and reported as `unrecorded`.
import FileIO
import Foundation

public struct FileCheck: Codable, Equatable, Sendable {
    public enum Status: String, Codable, Sendable {
        case ok, mismatch, missing, unrecorded
    }
    public var path: String
    public var status: Status
    /// "sha256", "git-blob-sha1", or nil when nothing was recorded.
    public var method: String?
    public var expected: String?
    public var actual: String?
    public var size: UInt64?
}

public enum ModelVerifier {
    /// Checks every recorded file of `directory` (and that the required files exist).
    /// `progress` is told which file is being hashed.
    public static func verify(_ directory: URL, progress: ((String) -> Void)? = nil) throws -> [FileCheck] {
        guard FileSystem.isDirectory(directory) else {
            throw ModelHubError.invalidModelDirectory("\(directory.path) is not a directory")
        }
        var checks: [FileCheck] = []
        let entries = try listFiles(directory)
        let links = entries.filter { FileSystem.symlinkTarget(directory.appendingPathComponent($0)) != nil }
        let record = try ModelChecksums.load(from: directory)

        if !links.isEmpty {
            for path in entries {
                let url = directory.appendingPathComponent(path)
                let blobName = FileSystem.symlinkTarget(url)?.lastPathComponent ?? ""
                progress?(path)
                checks.append(try check(url, path: path, blobName: blobName))
            }
        } else if let record {
            for (path, entry) in record.files.sorted(by: { $0.key < $1.key }) {
                let url = directory.appendingPathComponent(path)
                guard FileSystem.isFile(url) else {
                    checks.append(FileCheck(path: path, status: .missing, method: "sha256", expected: entry.sha256, actual: nil, size: nil))
                    continue
                }
                progress?(path)
                let size = try FileSystem.fileSize(url)
                if size != entry.size {
                    checks.append(FileCheck(path: path, status: .mismatch, method: "size", expected: "\(entry.size)", actual: "\(size)", size: size))
                    continue
                }
                let sha = try SHA256.hash(fileAt: url)
                checks.append(FileCheck(path: path, status: sha == entry.sha256.lowercased() ? .ok : .mismatch,
                                        method: "sha256", expected: entry.sha256.lowercased(), actual: sha, size: size))
            }
        } else {
            // Nothing recorded: report the model files only (a folder may hold much else).
            let modelFiles = ModelResolver.requiredFiles + ["preprocessor_config.json"]
            for path in entries where modelFiles.contains(path) {
                let url = directory.appendingPathComponent(path)
                progress?(path)
                checks.append(FileCheck(path: path, status: .unrecorded, method: nil, expected: nil,
                                        actual: try SHA256.hash(fileAt: url), size: try FileSystem.fileSize(url)))
            }
        }
        for required in ModelResolver.requiredFiles where !checks.contains(where: { $0.path == required }) {
            if !FileSystem.isFile(directory.appendingPathComponent(required)) {
                checks.append(FileCheck(path: required, status: .missing, method: nil, expected: nil, actual: nil, size: nil))
            }
        }
        return checks
    }

    /// One file of an HF snapshot, checked against its blob name.
    static func check(_ url: URL, path: String, blobName: String) throws -> FileCheck {
        guard FileSystem.isFile(url) else {
            return FileCheck(path: path, status: .missing, method: nil, expected: blobName.isEmpty ? nil : blobName, actual: nil, size: nil)
        }
        let size = try FileSystem.fileSize(url)
        if Hex.isHex(blobName, length: 64) {
            let sha = try SHA256.hash(fileAt: url)
            return FileCheck(path: path, status: sha == blobName.lowercased() ? .ok : .mismatch, method: "sha256",
                             expected: blobName.lowercased(), actual: sha, size: size)
        }
        if Hex.isHex(blobName, length: 40) {
            let git = try GitBlobSHA1.hash(fileAt: url)
            return FileCheck(path: path, status: git == blobName.lowercased() ? .ok : .mismatch, method: "git-blob-sha1",
                             expected: blobName.lowercased(), actual: git, size: size)
        }
        return FileCheck(path: path, status: .unrecorded, method: nil, expected: nil, actual: try SHA256.hash(fileAt: url), size: size)
    }

    /// Relative paths of the files (and file symlinks, dangling included) below `dir`, sorted; hidden ones skipped.
    static func listFiles(_ dir: URL) throws -> [String] {
        var out: [String] = []
        func walk(_ sub: String) throws {
            let url = sub.isEmpty ? dir : dir.appendingPathComponent(sub)
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: url.path) } catch {
                throw ModelHubError.io("cannot list \(url.path): \(error.localizedDescription)")
            }
            for name in names.sorted() where !name.hasPrefix(".") {
                let rel = sub.isEmpty ? name : sub + "/" + name
                let full = dir.appendingPathComponent(rel)
                if FileSystem.isDirectory(full) && FileSystem.symlinkTarget(full) == nil { try walk(rel) } else { out.append(rel) }
            }
        }
        try walk("")
        return out
    }
}
