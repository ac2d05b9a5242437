// Strict, scoped weight lookup over one safetensors file.
//
// Every tensor the model needs is requested with its expected shape; the store records what was
// consumed, and `finish()` fails when the file holds tensors nothing asked for (a wrong or newer
// checkpoint must not load "mostly"). Scopes prepend a dotted prefix, mirroring the checkpoint tree:
//   store.scope("vision_model.blocks.3").tensor("attn.q_bias", [64])
import Foundation

public enum WeightStoreError: Error, CustomStringConvertible, Equatable {
    case missingTensor(file: String, name: String, hint: String)
    case wrongShape(file: String, name: String, expected: [Int], found: [Int])
    case leftoverTensors(file: String, names: [String], total: Int)
    case nonFinite(file: String, name: String, count: Int)

    public var description: String {
        switch self {
        case let .missingTensor(file, name, hint):
            return "\(file): missing tensor '\(name)'" + (hint.isEmpty ? "" : " (\(hint))")
        case let .wrongShape(file, name, expected, found):
            return "\(file): tensor '\(name)' has shape \(found), expected \(expected)"
        case let .leftoverTensors(file, names, total):
            let shown = names.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
            return "\(file): \(total) tensor(s) not used by the model: \(shown)\(total > 5 ? ", …" : "")"
                + " (is this checkpoint for a different model or layout?)"
        case let .nonFinite(file, name, count):
            return "\(file): tensor '\(name)' has \(count) NaN/Inf value\(count == 1 ? "" : "s") (corrupt or badly converted checkpoint)"
        }
    }
}

public final class WeightStore: @unchecked Sendable {
    public let file: SafeTensorsFile
    /// Appended to missing-tensor errors (e.g. "is this a jina-clip-v2 checkpoint?").
    public var missingHint: String
    private var consumed = Set<String>()
    private let lock = NSLock()

    public init(file: SafeTensorsFile, missingHint: String = "") {
        self.file = file
        self.missingHint = missingHint
    }

    public convenience init(url: URL, missingHint: String = "") throws {
        try self.init(file: SafeTensorsFile(url: url), missingHint: missingHint)
    }

    public func contains(_ name: String) -> Bool { file.tensors[name] != nil }

    /// Validated info for `name` with exactly `shape`; marks it consumed. Every value is checked to be
    /// finite here (one scan of the stored bits), so tensors that stay mapped are covered too.
    public func info(_ name: String, shape: [Int]) throws -> TensorInfo {
        guard let t = file.tensors[name] else {
            throw WeightStoreError.missingTensor(file: file.fileName, name: name, hint: missingHint)
        }
        guard t.shape == shape else {
            throw WeightStoreError.wrongShape(file: file.fileName, name: name, expected: shape, found: t.shape)
        }
        let bad = file.nonFiniteCount(t)
        guard bad == 0 else { throw WeightStoreError.nonFinite(file: file.fileName, name: name, count: bad) }
        lock.lock(); consumed.insert(name); lock.unlock()
        return t
    }

    /// The tensor converted to Float (row-major, `shape` checked).
    public func tensor(_ name: String, shape: [Int]) throws -> [Float] {
        let t = try info(name, shape: shape)
        let values = [Float](unsafeUninitializedCapacity: t.count) { buf, n in
            if t.count > 0 { file.read(t, into: buf.baseAddress!) }
            n = t.count
        }
        file.releasePages(t)
        return values
    }

    /// Like `tensor` but returns nil when absent (for weights that are optional in the schema).
    public func optionalTensor(_ name: String, shape: [Int]) throws -> [Float]? {
        contains(name) ? try tensor(name, shape: shape) : nil
    }

    public func scope(_ prefix: String) -> Scope { Scope(store: self, prefix: prefix) }

    public var unconsumed: [String] {
        lock.lock(); defer { lock.unlock() }
        return file.tensors.keys.filter { !consumed.contains($0) }.sorted()
    }

    /// Throws when any tensor of the file was never requested.
    public func finish() throws {
        let left = unconsumed
        if !left.isEmpty {
            throw WeightStoreError.leftoverTensors(file: file.fileName, names: left, total: left.count)
        }
    }

    /// A dotted-prefix view: `scope("a.b").tensor("c", …)` reads "a.b.c".
    public struct Scope {
        public let store: WeightStore
        public let prefix: String
        public func name(_ n: String) -> String { prefix.isEmpty ? n : prefix + "." + n }
        public func scope(_ sub: String) -> Scope { Scope(store: store, prefix: name(sub)) }
        public func contains(_ n: String) -> Bool { store.contains(name(n)) }
        public func info(_ n: String, shape: [Int]) throws -> TensorInfo { try store.info(name(n), shape: shape) }
        public func tensor(_ n: String, shape: [Int]) throws -> [Float] { try store.tensor(name(n), shape: shape) }
        public func optionalTensor(_ n: String, shape: [Int]) throws -> [Float]? {
            try store.optionalTensor(name(n), shape: shape)
        }
    }
}
