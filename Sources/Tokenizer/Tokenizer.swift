// The tokenizer facade: tokenizer.json → ids, the way Hugging Face `tokenizers` (Rust) encodes a
// single sequence:
//
//   raw text ─ added tokens cut out (before normalization) ─┬─ token ids as they are
//                                                           └─ text pieces: normalizer → added tokens
//                                                              with normalized:true → pre-tokenizer
//                                                              → Unigram per word
//   → truncation (only when maxLength is given; the stored `truncation`/`padding` are ignored)
//   → post-processor (`<s> A </s>`).
//
// Immutable after init, so one instance can be used from any number of threads.
import FileIO
import Foundation

public struct Encoding: Sendable, Equatable {
    public var ids: [Int32]
    /// Token strings exactly as tokenizers reports them: vocabulary pieces (with ▁); for `<unk>` the
    /// text it stands for; for an added token the matched text (" <mask>" when lstrip took a space).
    public var tokens: [String]
    public init(ids: [Int32], tokens: [String]) { self.ids = ids; self.tokens = tokens }
}

/// `Tokenizer` under a name that differs from its module's, for a module that declares its own
/// `Tokenizer` (ClipScopeKit's wrapper) and must still name this one.
public typealias UnigramTokenizer = Tokenizer

public final class Tokenizer: @unchecked Sendable {
    /// The file name or label given at load (used in messages).
    public let name: String
    let normalizer: Normalizer?
    let preTokenizer: PreTokenizer?
    /// `preTokenizer` with nested sequences flattened.
    let preTokenizerStages: [PreTokenizer]
    let model: UnigramModel
    let rawMatcher: AddedTokenMatcher
    let normalizedMatcher: AddedTokenMatcher
    let addedTokens: [Int32: AddedToken]
    let specialContents: Set<String>
    let postProcessor: PostProcessor?
    let decoder: TokenDecoder?
    /// A Metaspace with prepend_scheme "first" needs to know which words start at original offset 0.
    let tracksFirst: Bool

    /// `<pad>` id (1 for XLM-R): the added token `<pad>`, else the vocabulary piece, else 0.
    public let padId: Int32
    /// The Unigram `unk_id` (3 for XLM-R), or -1 when the file has none.
    public let unkId: Int32
    /// Model vocabulary plus added tokens beyond it (250,002 for XLM-R).
    public let vocabSize: Int

    /// Loads a tokenizer.json. Errors are `TokenizerError` naming the file and the problem.
    public convenience init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try SafeFile.read(url.path)
        } catch let e as SafeFileError {
            throw TokenizerError(file: url.path, message: e.reason)
        }
        try self.init(data: data, name: url.path)
    }

    public init(data: Data, name: String) throws {
        self.name = name
        let file: TokenizerFile
        var vocab: VocabStorage
        do {
            let scanned = data.withUnsafeBytes { raw in VocabScanner.extractVocab(from: raw.bindMemory(to: UInt8.self)) }
            if let (range, v) = scanned {
                // Decode everything but the big array with JSONDecoder (see TokenizerJSON.swift).
                var rest = Data()
                rest.reserveCapacity(data.count - range.count + 2)
                let base = data.startIndex
                rest.append(data[base..<(base + range.lowerBound)])
                rest.append(contentsOf: Array("[]".utf8))
                rest.append(data[(base + range.upperBound)...])
                file = try JSONDecoder().decode(TokenizerFile.self, from: rest)
                vocab = v
            } else {
                file = try JSONDecoder().decode(TokenizerFile.self, from: data)
                guard let entries = file.model.vocab else { throw ConfigError.invalid("model has no \"vocab\"") }
                vocab = VocabStorage(entries)
            }
            normalizer = try file.normalizer.map(Normalizer.init)
            preTokenizer = file.preTokenizer.map(PreTokenizer.init)
            model = try UnigramModel(vocab: vocab, unkId: file.model.unkId, byteFallback: file.model.byteFallback)
            postProcessor = try file.postProcessor.map(PostProcessor.init)
        } catch let e as ConfigError {
            throw TokenizerError(file: name, message: e.description)
        } catch let e as DecodingError {
            throw TokenizerError(file: name, message: Tokenizer.describe(e))
        } catch {
            throw TokenizerError(file: name, message: "\(error)")
        }
        decoder = file.decoder.map(TokenDecoder.init)
        tracksFirst = preTokenizer?.usesFirstScheme ?? false
        preTokenizerStages = preTokenizer?.leaves ?? []

        var added: [Int32: AddedToken] = [:]
        var raw: [(pattern: [UInt8], token: AddedToken)] = []
        var normalizedPatterns: [(pattern: [UInt8], token: AddedToken)] = []
        for config in file.addedTokens {
            do {
                let token = try AddedToken(config)
                added[token.id] = token
            } catch {
                throw TokenizerError(file: name, message: "\(error)")
            }
        }
        // Match in id order (tokenizers keeps a map keyed by id; with leftmost-longest the order only
        // matters for identical contents).
        for id in added.keys.sorted() {
            let token = added[id]!
            if token.normalized {
                let content = String(decoding: token.content, as: UTF8.self)
                normalizedPatterns.append((Array((normalizer?.normalize(content) ?? content).utf8), token))
            } else {
                raw.append((token.content, token))
            }
        }
        addedTokens = added
        specialContents = Set(added.values.filter(\.special).map { String(decoding: $0.content, as: UTF8.self) })
        rawMatcher = AddedTokenMatcher(raw)
        normalizedMatcher = AddedTokenMatcher(normalizedPatterns)

        let model = self.model
        unkId = model.unkId ?? -1
        let padPiece = Array("<pad>".utf8)
        padId = added.values.first(where: { $0.content == padPiece })?.id
            ?? padPiece.withUnsafeBufferPointer { model.trie.exactMatch($0) } ?? 0
        vocabSize = max(model.vocab.count, Int(added.keys.max() ?? -1) + 1)
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return p.isEmpty ? "top level" : String(p.dropFirst(p.hasPrefix(".") ? 1 : 0))
        }
        switch error {
        case let .dataCorrupted(c):
            if c.codingPath.isEmpty {
                let detail = (c.underlyingError as NSError?)?.localizedDescription ?? c.debugDescription
                return "not valid JSON (\(detail))"
            }
            return "bad value at \(path(c)): \(c.debugDescription)"
        case let .keyNotFound(key, c):
            return "missing \"\(key.stringValue)\" in \(path(c))"
        case let .typeMismatch(type, c):
            return "wrong type at \(path(c)) (expected \(type))"
        case let .valueNotFound(type, c):
            return "missing value at \(path(c)) (expected \(type))"
        @unknown default:
            return "\(error)"
        }
    }

    // MARK: - encoding

    /// Full tokenization. `maxLength` (when given) counts the special tokens: the first
    /// `maxLength − 2` pieces are kept, then `</s>` (for maxLength < 2 only the specials remain).
    public func encode(_ text: String, addSpecialTokens: Bool = true, maxLength: Int? = nil) -> Encoding {
        let post = addSpecialTokens ? postProcessor : nil
        let limit = maxLength.map { max(0, $0 - (post?.addedCount ?? 0)) }
        var c = Collector(limit: limit)
        if let post {
            for p in post.prefix { c.ids.append(p.id); c.tokens.append(p.token) }
            c.base = c.ids.count
        }
        var text = text
        text.withUTF8 { encodeContent($0, into: &c) }
        if let limit, c.ids.count - c.base > limit {
            c.ids.removeLast(c.ids.count - c.base - limit)
            c.tokens.removeLast(c.tokens.count - c.base - limit)
        }
        if let post {
            for p in post.suffix { c.ids.append(p.id); c.tokens.append(p.token) }
        }
        return Encoding(ids: c.ids, tokens: c.tokens)
    }

    /// Encodes each text (with special tokens); no padding — callers pad with `padId`.
    public func encodeBatch(_ texts: [String], maxLength: Int? = nil) -> [Encoding] {
        guard texts.count >= 64 else { return texts.map { encode($0, maxLength: maxLength) } }
        var results = [Encoding](repeating: Encoding(ids: [], tokens: []), count: texts.count)
        results.withUnsafeMutableBufferPointer { out in
            let chunks = min(texts.count, max(1, ProcessInfo.processInfo.activeProcessorCount) * 4)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                var i = chunk
                while i < texts.count {
                    out[i] = encode(texts[i], maxLength: maxLength)
                    i += chunks
                }
            }
        }
        return results
    }

    struct Collector {
        var ids: [Int32] = []
        var tokens: [String] = []
        var base = 0
        let limit: Int?
        var words = WordBuffer()
        var split = WordBuffer()
        var scratch = ViterbiScratch()
        var pieces: [(id: Int32, start: Int, end: Int)] = []
        init(limit: Int?) { self.limit = limit }
        /// Enough content pieces for the truncation limit: the rest of the text cannot change them
        /// (every stage is local to a word), so encoding stops early.
        var full: Bool { limit.map { ids.count - base >= $0 } ?? false }
    }

    /// An added-token match; its token string is the matched text, whitespace swallowed by
    /// lstrip/rstrip included (" <mask>"), as tokenizers reports it.
    private func appendAdded(_ id: Int32, _ text: UnsafeBufferPointer<UInt8>, _ c: inout Collector) {
        c.ids.append(id)
        c.tokens.append(String(decoding: text, as: UTF8.self))
    }

    private func encodeContent(_ buf: UnsafeBufferPointer<UInt8>, into c: inout Collector) {
        for segment in rawMatcher.split(buf) {
            if c.full { return }
            switch segment {
            case let .token(id, range):
                appendAdded(id, UnsafeBufferPointer(rebasing: buf[range]), &c)
            case let .text(range):
                let piece = String(decoding: UnsafeBufferPointer(rebasing: buf[range]), as: UTF8.self)
                var normalized: String
                var firstBytes = 1
                if tracksFirst && range.lowerBound == 0 {
                    (normalized, firstBytes) = normalizer?.normalizeTracked(piece)
                        ?? (piece, piece.unicodeScalars.first.map { String($0).utf8.count } ?? 0)
                } else {
                    normalized = normalizer?.normalize(piece) ?? piece
                }
                normalized.withUTF8 { nb in
                    guard !normalizedMatcher.isEmpty else {
                        encodeText(nb, isFirst: range.lowerBound == 0, firstBytes: firstBytes, into: &c)
                        return
                    }
                    for sub in normalizedMatcher.split(nb) {
                        if c.full { return }
                        switch sub {
                        case let .token(id, r): appendAdded(id, UnsafeBufferPointer(rebasing: nb[r]), &c)
                        case let .text(r):
                            encodeText(UnsafeBufferPointer(rebasing: nb[r]),
                                       isFirst: range.lowerBound == 0 && r.lowerBound == 0,
                                       firstBytes: firstBytes, into: &c)
                        }
                    }
                }
            }
        }
    }

    /// Pre-tokenizes one normalized text piece and runs the model on each word.
    private func encodeText(_ text: UnsafeBufferPointer<UInt8>, isFirst: Bool, firstBytes: Int,
                            into c: inout Collector) {
        c.words.removeAll()
        c.words.firstPrefix = firstBytes
        c.words.bytes.append(contentsOf: text)
        c.words.addWord(from: 0, first: isFirst)
        // Leaf stages ping-pong between two reused buffers (no allocation per text).
        for stage in preTokenizerStages {
            stage.apply(c.words, into: &c.split)
            swap(&c.words, &c.split)
        }
        let words = c.words
        words.bytes.withUnsafeBufferPointer { wb in
            for w in 0..<words.count {
                if c.full { return }
                let word = UnsafeBufferPointer(rebasing: wb[words.starts[w]..<words.ends[w]])
                c.pieces.removeAll(keepingCapacity: true)
                model.tokenize(word, scratch: &c.scratch, into: &c.pieces)
                for p in c.pieces {
                    c.ids.append(p.id)
                    if p.id == unkId {
                        c.tokens.append(String(decoding: UnsafeBufferPointer(rebasing: word[p.start..<p.end]), as: UTF8.self))
                    } else {
                        c.tokens.append(model.vocab.piece(Int(p.id)))
                    }
                }
            }
        }
    }

    // MARK: - decoding and lookup

    /// ids → text through the decoder (Metaspace: ▁ → space, leading one removed). Unknown ids are skipped.
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool = true) -> String {
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            guard let token = piece(for: id) else { continue }
            if skipSpecialTokens && specialContents.contains(token) { continue }
            tokens.append(token)
        }
        return decoder?.decode(tokens) ?? tokens.joined(separator: " ")
    }

    /// The token string of an id: an added token's content, else the vocabulary piece; nil if unknown.
    public func piece(for id: Int32) -> String? {
        if let added = addedTokens[id] { return String(decoding: added.content, as: UTF8.self) }
        guard id >= 0, Int(id) < model.vocab.count else { return nil }
        return model.vocab.piece(Int(id))
    }
}
