// SentencePiece Unigram model as Hugging Face `tokenizers` runs it (models/unigram/model.rs,
// `encode_optimized`): a Viterbi pass over the word's UTF-8 bytes.
//
//  best[0] = 0; for each character start s (left to right), for each vocabulary piece p that is a prefix
//  of word[s...] (shortest first): best[s+len(p)] = max(best[s] + score(p)) — strict `>`, so the first
//  candidate wins ties. If no piece covers exactly the one character at s, an <unk> edge of score
//  (min score − 10) spans that character. Scores are summed in Double (the file's f64 log-probs).
//  Backtracking fuses consecutive <unk> edges into one token; its id is looked up by its text
//  (normally absent → unk_id), exactly like `Unigram::tokenize`.
//
// All 250,002 pieces are in the trie, special ones included (tokenizers does the same).
import Foundation

/// Per-call scratch for Viterbi (reused across the words of one `encode`).
struct ViterbiScratch {
    var score: [Double] = []
    var from: [Int32] = []
    var id: [Int32] = []
    var pieces: [(id: Int32, start: Int, end: Int)] = []
}

struct UnigramModel: Sendable {
    let vocab: VocabStorage
    let trie: PieceTrie
    let unkId: Int32?
    let unkScore: Double
    /// `<0xXX>` piece ids when byte_fallback is on (all 256 present), else nil.
    let byteIds: [Int32]?
    let cache = WordCache(capacity: 10_000)

    init(vocab: VocabStorage, unkId: Int?, byteFallback: Bool) throws {
        guard vocab.count > 0 else { throw ConfigError.invalid("model.vocab is empty") }
        if let unkId, !(0..<vocab.count).contains(unkId) {
            throw ConfigError.invalid("model.unk_id \(unkId) is outside the vocabulary (0..<\(vocab.count))")
        }
        self.vocab = vocab
        let trie = try PieceTrie(vocab)
        self.trie = trie
        self.unkId = unkId.map(Int32.init)
        self.unkScore = (vocab.scores.min() ?? 0) - 10.0
        if byteFallback {
            var ids: [Int32] = []
            for b in 0..<256 {
                let name = Array(String(format: "<0x%02X>", b).utf8)
                guard let id = name.withUnsafeBufferPointer({ trie.exactMatch($0) }) else { break }
                ids.append(id)
            }
            byteIds = ids.count == 256 ? ids : nil
        } else {
            byteIds = nil
        }
    }

    /// Tokenizes one pre-tokenized word; appends (id, byte range in `word`) to `out`.
    /// Words of up to 24 bytes go through `cache` (like tokenizers' 10,000-word Unigram cache).
    func tokenize(_ word: UnsafeBufferPointer<UInt8>, scratch s: inout ViterbiScratch,
                  into out: inout [(id: Int32, start: Int, end: Int)]) {
        guard let key = WordCache.Key(word) else { tokenizeUncached(word, scratch: &s, into: &out); return }
        if let hit = cache.get(key) { out.append(contentsOf: hit); return }
        let first = out.count
        tokenizeUncached(word, scratch: &s, into: &out)
        cache.put(key, Array(out[first...]))
    }

    func tokenizeUncached(_ word: UnsafeBufferPointer<UInt8>, scratch s: inout ViterbiScratch,
                          into out: inout [(id: Int32, start: Int, end: Int)]) {
        let size = word.count
        guard size > 0 else { return }
        let unk = unkId ?? -1
        if s.score.count < size + 1 {
            s.score = [Double](repeating: 0, count: size + 1)
            s.from = [Int32](repeating: -1, count: size + 1)
            s.id = [Int32](repeating: 0, count: size + 1)
        }
        s.score.withUnsafeMutableBufferPointer { score in
        s.from.withUnsafeMutableBufferPointer { from in
        s.id.withUnsafeMutableBufferPointer { ids in
        trie.blocks.withUnsafeBufferPointer { t in
        trie.root.withUnsafeBufferPointer { root in
            for k in 0...size { score[k] = 0; from[k] = -1 }
            var start = 0
            while start < size {
                let base = score[start]
                let charLen = min(utf8Length(word[start]), size - start)
                var hasSingle = false
                var node = Int(root[Int(word[start])])   // 0 = no such prefix
                var pos = start
                while node != 0 {
                    pos += 1
                    let v = t[node]
                    if v != PieceTrie.noPiece {
                        let candidate = PieceTrie.score(t, node) + base
                        if from[pos] < 0 || candidate > score[pos] {
                            score[pos] = candidate; from[pos] = Int32(start); ids[pos] = Int32(v)
                        }
                        if pos - start == charLen { hasSingle = true }
                    }
                    guard pos < size else { break }
                    node = PieceTrie.child(t, node, word[pos])
                }
                if !hasSingle {
                    let pos = start + charLen
                    let candidate = unkScore + base
                    if from[pos] < 0 || candidate > score[pos] {
                        score[pos] = candidate; from[pos] = Int32(start); ids[pos] = unk
                    }
                }
                start += charLen
            }
            // Backtrack, fusing runs of <unk>.
            s.pieces.removeAll(keepingCapacity: true)
            var end = size
            var unkEnd = -1
            while end > 0 {
                let st = Int(from[end])
                let id = ids[end]
                if id == unk {
                    if unkEnd < 0 { unkEnd = end }
                } else {
                    if unkEnd >= 0 { s.pieces.append((unk, end, unkEnd)); unkEnd = -1 }
                    s.pieces.append((id, st, end))
                }
                end = st
            }
            if unkEnd >= 0 { s.pieces.append((unk, 0, unkEnd)) }
        }}}}}
        for p in s.pieces.reversed() {
            guard p.id == unk else { out.append(p); continue }
            // A fused <unk> keeps its text; its id is that text's piece id if one exists (tokenizers
            // looks the string up), else byte-fallback pieces, else unk_id.
            let slice = UnsafeBufferPointer(rebasing: word[p.start..<p.end])
            if let id = trie.exactMatch(slice) {
                out.append((id, p.start, p.end))
            } else if let byteIds {
                for k in p.start..<p.end { out.append((byteIds[Int(word[k])], k, k + 1)) }
            } else if unk >= 0 {
                out.append(p)
            }
            // No unk_id: tokenizers fails the whole encode; we drop the unknown text instead.
        }
    }
}

/// word → pieces for short words, shared by all threads (lock-protected). Like tokenizers' cache it stops
/// growing when full. Keys are the raw bytes (never String: String equality is canonical equivalence,
/// and "é" vs "e\u{301}" tokenize differently).
final class WordCache: @unchecked Sendable {
    struct Key: Hashable {
        var a: UInt64 = 0, b: UInt64 = 0, c: UInt64 = 0
        var count: Int
        init?(_ word: UnsafeBufferPointer<UInt8>) {
            guard word.count <= 24 else { return nil }
            count = word.count
            var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
            withUnsafeMutableBytes(of: &words) { raw in
                for i in 0..<word.count { raw[i] = word[i] }
            }
            (a, b, c) = words
        }
    }

    private var map: [Key: [(id: Int32, start: Int, end: Int)]] = [:]
    private let lock = NSLock()
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    func get(_ key: Key) -> [(id: Int32, start: Int, end: Int)]? {
        lock.lock(); defer { lock.unlock() }
        return map[key]
    }

    func put(_ key: Key, _ pieces: [(id: Int32, start: Int, end: Int)]) {
        lock.lock(); defer { lock.unlock() }
        if map.count < capacity { map[key] = pieces }
    }
}
