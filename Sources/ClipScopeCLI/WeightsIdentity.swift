// The identity of a model's weights for cache keys: SHA-256 of model.safetensors, so a fine-tune with the
// same config and tensor shapes (which the former config + header hash could not tell apart) never
// reuses another model's vectors.
//   HF cache snapshot: model.safetensors links to blobs/<sha256> — the blob's name IS the hash (the hub
//                      names LFS blobs by the SHA-256 of their content); nothing is read.
//   anything else:     hashed once, remembered in <cache root>/weights-sha256.tsv by (path, size, mtime,
//                      inode); any change of those hashes again.
// identity = "jcv2-" + FNV-1a of config.json + "-sha256-" + hash (config changes re-embed too).
import ClipModel
import FileIO
import Foundation
import VectorIndex
#if canImport(Glibc)
import Glibc
#endif

enum WeightsIdentity {
    static let memoName = "weights-sha256.tsv"

    /// The cache identity of the model loaded from `directory`.
    static func identity(of model: ClipEmbedder, cacheRoot: URL = EmbeddingCache.defaultRoot()) -> String {
        let weights = model.directory.appendingPathComponent("model.safetensors")
        guard let sha = try? sha256(weights: weights.path, memo: cacheRoot.appendingPathComponent(memoName)) else {
            return model.identity      // unreadable now: it was readable at load; fall back to config + header
        }
        return model.identity + "-sha256-" + sha
    }

    /// SHA-256 (hex) of the weights file: the HF blob name when it is one, else memoised by
    /// (real path, size, mtime, inode).
    static func sha256(weights: String, memo: URL) throws -> String {
        guard let real = realpath(weights, nil) else { throw SafeFileError(path: weights, reason: "cannot resolve the path") }
        let resolved = String(cString: real)
        free(real)
        let url = URL(fileURLWithPath: resolved)
        let name = url.lastPathComponent
        if url.deletingLastPathComponent().lastPathComponent == "blobs", name.utf8.count == 64,
           name.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) {
            return name
        }
        let file = try SafeFile(path: resolved)
        let st = file.info
        let key = "\(st.st_size)\t\(Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))\t\(st.st_ino)\t\(resolved)"
        var lines = ((try? SafeFile.read(memo.path, limit: 4 << 20)).map { String(decoding: $0, as: UTF8.self) } ?? "")
            .split(separator: "\n").map(String.init)
        for line in lines {
            let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
            if parts.count == 2, parts[1] == key, parts[0].utf8.count == 64 { return parts[0] }
        }
        let sha = SHA256.hex(try SHA256.digest(of: file))
        lines.removeAll { $0.hasSuffix("\t" + resolved) }
        lines.append(sha + "\t" + key)
        try? FileManager.default.createDirectory(at: memo.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? AtomicFile.write(Data((lines.suffix(256).joined(separator: "\n") + "\n").utf8), to: memo.path)
        return sha
    }
}
