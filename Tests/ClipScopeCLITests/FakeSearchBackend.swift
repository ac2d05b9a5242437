// The CLI tests' stand-in model, injected through `BackendFactory.$current` (see `runOnFake`).
import Foundation
import Retrieval
import VectorIndex
@testable import ClipScopeCLI
import CLISupport

/// Runs a command line on the fake backend with its stdout captured: (exit status, stdout text).
func runOnFake(_ arguments: [String]) -> (status: Int32, stdout: String) {
    BackendFactory.$current.withValue(BackendFactory { _ in FakeSearchBackend() }) { CommandOutput.run(arguments) }
}

/// A stand-in for the model: a bag-of-words embedding of the file's bytes (read as text) and
/// of the query, so a file whose content is "red apple" ranks first for the query "apple". Files whose
/// name starts with "bad" fail like an undecodable image. Width 1024 with the real Matryoshka sizes.
struct FakeSearchBackend: SearchBackend {
    let modelIdentity = "clipscope-fake-backend-v1"
    let preprocessingKey = "fake:bag-of-words"
    let embeddingWidth = 1024
    let modelName = "clipscope-fake-backend (test only)"
    let matryoshkaDimensions = [32, 64, 128, 256, 512, 768, 1024]
    static let queryInstruction = "Represent the query for retrieving evidence documents: "

    func embedImage(at url: URL) throws -> [Float] {
        let name = url.lastPathComponent
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CLIError.failure("\(url.path): cannot read the file")
        }
        if name.hasPrefix("bad") { throw CLIError.failure("\(name): not a decodable image (fake backend)") }
        return Self.bagOfWords(String(decoding: data, as: UTF8.self), width: embeddingWidth, dims: nil)
    }

    func embedText(_ text: String, asQuery: Bool, dims: Int?) throws -> [Float] {
        // The instruction words get a small weight so prefix on/off changes scores but not topics.
        let words = Self.bagOfWords(text, width: embeddingWidth, dims: nil)
        guard asQuery else { return Self.truncate(words, dims) }
        let prefix = Self.bagOfWords(Self.queryInstruction, width: embeddingWidth, dims: nil)
        return Self.truncate(Self.normalized(zip(words, prefix).map { $0 + 0.1 * $1 }), dims)
    }

    static func bagOfWords(_ text: String, width: Int, dims: Int?) -> [Float] {
        var v = [Float](repeating: 0, count: width)
        let words = text.lowercased().split { !$0.isLetter && !$0.isNumber }
        for w in words {
            var state = fnv(Array(w.utf8))
            for j in 0..<width {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                v[j] += Float(Int64(bitPattern: state >> 11) % 2001 - 1000) / 1000
            }
        }
        if words.isEmpty { v[0] = 1 }
        return truncate(normalized(v), dims)
    }

    static func truncate(_ v: [Float], _ dims: Int?) -> [Float] {
        guard let d = dims, d < v.count else { return v }
        return PrefixCosine.normalizedPrefix(v, dims: d)
    }

    static func normalized(_ v: [Float]) -> [Float] {
        let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return n > 0 ? v.map { $0 / n } : v
    }

    private static func fnv(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }
}
