// The cache identity changes when any weight byte changes (a fine-tune with the same config and shapes
// used to share the base model's vectors); HF blobs are identified by their name; other files are
// hashed once and remembered by (path, size, mtime, inode).
@testable import ClipScopeCLI
import ClipModel
import FileIO
import Foundation
import ModelHub
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

@Suite struct WeightsIdentityTests {
    func copyOfTiny(_ label: String, flipByteFromEnd: Int? = nil) throws -> URL {
        let dir = try Fixtures.tempDirectory(label)
        for name in ["config.json", "preprocessor_config.json", "tokenizer.json"] {
            try Data(contentsOf: Fixtures.tiny(name)).write(to: dir.appendingPathComponent(name))
        }
        var weights = [UInt8](try Data(contentsOf: Fixtures.tiny("model.safetensors")))
        if let k = flipByteFromEnd { weights[weights.count - k] ^= 0x01 }     // a weight, not the header
        try Data(weights).write(to: dir.appendingPathComponent("model.safetensors"))
        return dir
    }

    /// The precision is part of the cache key: fast vectors get a store of their own (where the CPU runs
    /// fast at all; elsewhere `fast` runs exact and shares exact's store, as its vectors are exact).
    @Test func fastPrecisionHasItsOwnCacheIdentity() throws {
        let resolved = ResolvedModel(directory: Fixtures.tiny, name: "tiny", isDemo: false, source: .directory)
        let exact = try ModelBackend.load(resolved, threads: 1)
        let fast = try ModelBackend.load(resolved, threads: 1, precision: .fast)
        #expect(exact.precision == "exact")
        if Precision.fastSupported {
            #expect(fast.precision == "fast")
            #expect(fast.modelIdentity == exact.modelIdentity + "+precision=fast")
        } else {
            #expect(fast.modelIdentity == exact.modelIdentity)
        }
    }

    @Test func anyWeightByteChangesTheIdentity() throws {
        let cacheRoot = try Fixtures.tempDirectory("weights-memo")
        let base = try ClipEmbedder.load(directory: copyOfTiny("wid-a"), threads: 1)
        let same = try ClipEmbedder.load(directory: copyOfTiny("wid-b"), threads: 1)
        let tuned = try ClipEmbedder.load(directory: copyOfTiny("wid-c", flipByteFromEnd: 2), threads: 1)
        #expect(base.identity == tuned.identity)              // config + header alone cannot tell them apart
        let a = WeightsIdentity.identity(of: base, cacheRoot: cacheRoot)
        #expect(a == WeightsIdentity.identity(of: same, cacheRoot: cacheRoot))   // same bytes, same vectors
        #expect(a != WeightsIdentity.identity(of: tuned, cacheRoot: cacheRoot))
        let sha = SHA256.hex(try SHA256.digest(ofFile: base.directory.appendingPathComponent("model.safetensors").path))
        #expect(a.hasSuffix("-sha256-" + sha))
    }

    @Test func hfBlobNameIsTheHashAndOthersAreMemoised() throws {
        let root = try Fixtures.tempDirectory("wid-hf")
        let blobs = root.appendingPathComponent("blobs"), snap = root.appendingPathComponent("snapshots/c0ffee")
        try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: snap, withIntermediateDirectories: true)
        let name = String(repeating: "5a", count: 32)
        try Data("not really weights".utf8).write(to: blobs.appendingPathComponent(name))
        #expect(symlink("../../blobs/" + name, snap.appendingPathComponent("model.safetensors").path) == 0)
        let memo = root.appendingPathComponent("memo.tsv")
        #expect(try WeightsIdentity.sha256(weights: snap.appendingPathComponent("model.safetensors").path, memo: memo) == name)
        #expect(!FileManager.default.fileExists(atPath: memo.path))      // nothing hashed, nothing stored

        let plain = root.appendingPathComponent("model.safetensors")
        try Data("weights v1".utf8).write(to: plain)
        let first = try WeightsIdentity.sha256(weights: plain.path, memo: memo)
        #expect(first == SHA256.hash(Data("weights v1".utf8)))
        // The memo is what answers next time: replace its hash and the same file reports it.
        let text = try String(contentsOf: memo, encoding: .utf8)
        try Data(text.replacingOccurrences(of: first, with: String(repeating: "e", count: 64)).utf8).write(to: memo)
        #expect(try WeightsIdentity.sha256(weights: plain.path, memo: memo) == String(repeating: "e", count: 64))
        // A change of size / mtime / inode hashes again.
        try Data("weights v2!".utf8).write(to: plain)
        #expect(try WeightsIdentity.sha256(weights: plain.path, memo: memo) == SHA256.hash(Data("weights v2!".utf8)))
    }
}
