// The body of POST /v1/embeddings, in the shape of the Jina Embeddings API:
//   {"model": M?, "input": "t" | ["t", {"text": "t"}, {"image": BASE64 | "data:image/…;base64,…" | URL}, {"url": URL}],
//    "dimensions": 1…width (number or numeric string)?, "normalized": true?, "task": "retrieval.query"?,
//    "encoding_type" | "embedding_type": "float" | "base64"?}
// Every problem is a RequestError (HTTP status + message): the handler answers it as {"detail": message}.
import Foundation

/// An error answered to the client: an HTTP status and a message naming the field and the problem.
struct RequestError: Error, Equatable {
    var status: Int
    var message: String
    static func bad(_ message: String) -> RequestError { RequestError(status: 400, message: message) }
}

/// One parsed /v1/embeddings request (fields not named above are ignored, as the Jina API ignores them).
struct EmbeddingsRequest: Decodable, Equatable {
    enum Input: Equatable {
        case text(String)
        /// Base64 image bytes, or a data URI, as sent.
        case image(String)
        /// An http(s) URL (fetched only with --allow-urls).
        case url(String)
    }
    enum Encoding: String, CaseIterable { case float, base64 }

    var model: String?
    var inputs: [Input]
    var dimensions: Int?
    var normalized: Bool
    var encoding: Encoding
    /// `task: "retrieval.query"`: texts get the model's query instruction.
    var isQuery: Bool

    static let maxInputs = 2048
    static let tasks = ["retrieval.query", "retrieval.passage"]

    private enum Key: String, CodingKey {
        case model, input, dimensions, normalized, task
        case encodingType = "encoding_type", embeddingType = "embedding_type"
    }
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Parses a request body; `RequestError` (400) for malformed JSON or a field of the wrong shape.
    static func parse(_ body: Data) throws -> EmbeddingsRequest {
        guard !body.isEmpty else { throw RequestError.bad("empty request body: send a JSON object with \"input\"") }
        do {
            return try JSONDecoder().decode(EmbeddingsRequest.self, from: body)
        } catch let error as RequestError {
            throw error
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            throw RequestError.bad("malformed JSON: \(Self.underlying(context))")
        } catch let DecodingError.typeMismatch(_, context) where context.codingPath.isEmpty {
            throw RequestError.bad("the request body must be a JSON object with \"input\"")
        } catch let error as DecodingError {
            throw RequestError.bad(Self.describe(error))
        } catch {
            throw RequestError.bad("malformed JSON: \(error)")
        }
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        inputs = try Self.decodeInputs(c)
        if inputs.isEmpty { throw RequestError.bad("\"input\" is empty: give at least one text or image") }
        if inputs.count > Self.maxInputs {
            throw RequestError(status: 413, message: "\"input\" holds \(inputs.count) items; at most \(Self.maxInputs) per request")
        }
        dimensions = try Self.decodeDimensions(c)
        normalized = try c.decodeIfPresent(Bool.self, forKey: .normalized) ?? true
        let encodings = try [Key.encodingType, .embeddingType].compactMap { key -> (Key, String)? in
            try c.decodeIfPresent(String.self, forKey: key).map { (key, $0) }
        }
        encoding = .float
        for (key, value) in encodings {
            guard let e = Encoding(rawValue: value) else {
                throw RequestError.bad("\"\(key.rawValue)\": \(Self.quoted(value)) is not supported; use \"float\" or \"base64\"")
            }
            if encodings.count == 2, encodings[0].1 != encodings[1].1 {
                throw RequestError.bad("\"encoding_type\" and \"embedding_type\" disagree; give one")
            }
            encoding = e
        }
        let task = try c.decodeIfPresent(String.self, forKey: .task)
        if let task, !Self.tasks.contains(task) {
            throw RequestError.bad("\"task\": \(Self.quoted(task)) is not supported; use \"retrieval.query\" (texts get the query instruction), \"retrieval.passage\" or none")
        }
        isQuery = task == "retrieval.query"
    }

    private static func decodeInputs(_ c: KeyedDecodingContainer<Key>) throws -> [Input] {
        guard c.contains(.input) else { throw RequestError.bad("missing \"input\": a string, or an array of strings and {\"text\"}, {\"image\"} or {\"url\"} objects") }
        if let one = try? c.decode(String.self, forKey: .input) { return [.text(one)] }
        var array: UnkeyedDecodingContainer
        do { array = try c.nestedUnkeyedContainer(forKey: .input) } catch {
            throw RequestError.bad("\"input\" must be a string or an array")
        }
        var out: [Input] = []
        while !array.isAtEnd {
            let i = array.currentIndex
            if let text = try? array.decode(String.self) { out.append(.text(text)); continue }
            let object: KeyedDecodingContainer<AnyKey>
            do { object = try array.nestedContainer(keyedBy: AnyKey.self) } catch {
                throw RequestError.bad("input[\(i)] must be a string or an object with \"text\", \"image\" or \"url\"")
            }
            let known = ["text", "image", "url"].filter { object.contains(AnyKey(stringValue: $0)) }
            guard known.count == 1, let key = known.first else {
                throw RequestError.bad("input[\(i)] must have exactly one of \"text\", \"image\", \"url\"")
            }
            guard let value = try? object.decode(String.self, forKey: AnyKey(stringValue: key)) else {
                throw RequestError.bad("input[\(i)].\(key) must be a string")
            }
            switch key {
            case "text": out.append(.text(value))
            case "url": out.append(.url(value))
            default:
                // Jina's API also takes a URL in "image".
                let lower = value.prefix(8).lowercased()
                out.append(lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("file:") ? .url(value) : .image(value))
            }
        }
        return out
    }

    private static func decodeDimensions(_ c: KeyedDecodingContainer<Key>) throws -> Int? {
        guard c.contains(.dimensions), try !c.decodeNil(forKey: .dimensions) else { return nil }
        if let n = try? c.decode(Int.self, forKey: .dimensions) { return n }
        if let s = try? c.decode(String.self, forKey: .dimensions),
           let n = Int(s.trimmingCharacters(in: .whitespaces)) { return n }
        throw RequestError.bad("\"dimensions\" must be a whole number (or a string holding one)")
    }

    /// A client's string in a message: JSON-quoted and shortened, so control bytes never reach a log or terminal.
    static func quoted(_ s: String) -> String {
        let short = s.count > 60 ? String(s.prefix(60)) + "…" : s
        var out = "\""
        for u in short.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where u.value < 0x20 || (0x7f...0x9f).contains(u.value): out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    private static func path(_ codingPath: [CodingKey]) -> String {
        codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: ["."])
    }

    private static func underlying(_ context: DecodingError.Context) -> String {
        if let e = context.underlyingError as NSError? {
            return (e.userInfo[NSDebugDescriptionErrorKey] as? String) ?? context.debugDescription
        }
        return context.debugDescription
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, let context):
            return "\"\(path(context.codingPath))\" has the wrong type (expected \(type))"
        case .valueNotFound(_, let context):
            return "\"\(path(context.codingPath))\" is null"
        case .keyNotFound(let key, _):
            return "missing \"\(key.stringValue)\""
        case .dataCorrupted(let context):
            return "\"\(path(context.codingPath))\": \(underlying(context))"
        @unknown default:
            return "malformed request: \(error)"
        }
    }
}
