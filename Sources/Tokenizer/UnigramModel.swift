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

/// Byte trie over the vocabulary: children of a node are contiguous and sorted by label.
/// The root has a direct 256-entry table.
struct PieceTrie: Sendable {
    private(set) var rootChild = [Int32](repeating: -1, count: 256)
    private(set) var edgeStart: [Int32] = [0]   // per node
    private(set) var edgeCount: [Int32] = [0]   // per node
    private(set) var value: [Int32] = [-1]      // per node: piece id or -1
    private(set) var labels: [UInt8] = []
    private(set) var targets: [Int32] = []

    init(_ vocab: VocabStorage) {
        let n = vocab.count
        var order = Array(0..<n).filter { vocab.offsets[$0 + 1] > vocab.offsets[$0] }
        vocab.bytes.withUnsafeBufferPointer { b in
            let off = vocab.offsets
            // Sort by bytes, then by id so that the last duplicate wins (tokenizers' HashMap insert order).
            order.sort { x, y in
                let xs = off[x], xl = off[x + 1] - xs, ys = off[y], yl = off[y + 1] - ys
                let c = memcmp(b.baseAddress! + xs, b.baseAddress! + ys, min(xl, yl))
                if c != 0 { return c < 0 }
                if xl != yl { return xl < yl }
                return x < y
            }
            let estimate = vocab.bytes.count / 2
            labels.reserveCapacity(estimate); targets.reserveCapacity(estimate)
            edgeStart.reserveCapacity(estimate); edgeCount.reserveCapacity(estimate); value.reserveCapacity(estimate)
            build(node: 0, order[...], depth: 0, b, off)
        }
        for e in 0..<Int(edgeCount[0]) { rootChild[Int(labels[Int(edgeStart[0]) + e])] = targets[Int(edgeStart[0]) + e] }
    }

    /// `keys` are sorted and share their first `depth` bytes (the path to `node`).
    private mutating func build(node: Int, _ keys: ArraySlice<Int>, depth: Int,
                                _ b: UnsafeBufferPointer<UInt8>, _ off: [Int]) {
        var rest = keys
        // Keys that end here (duplicates of one piece): the last id wins.
        while let k = rest.first, off[k + 1] - off[k] == depth {
            value[node] = Int32(k)
            rest = rest.dropFirst()
        }
        guard !rest.isEmpty else { return }
        // Group by the byte at `depth`.
        var groups: [(UInt8, ArraySlice<Int>)] = []
        var gStart = rest.startIndex
        var label = b[off[rest[gStart]] + depth]
        for idx in rest.indices.dropFirst() {
            let l = b[off[rest[idx]] + depth]
            if l != label {
                groups.append((label, rest[gStart..<idx]))
                gStart = idx
                label = l
            }
        }
        groups.append((label, rest[gStart..<rest.endIndex]))
        edgeStart[node] = Int32(labels.count)
        edgeCount[node] = Int32(groups.count)
        var children: [Int] = []
        children.reserveCapacity(groups.count)
        for (l, _) in groups {
            let child = value.count
            value.append(-1); edgeStart.append(0); edgeCount.append(0)
            labels.append(l); targets.append(Int32(child))
            children.append(child)
        }
        for (k, g) in groups.enumerated() { build(node: children[k], g.1, depth: depth + 1, b, off) }
    }

    /// Id of the piece exactly equal to `key`, if any.
    func exactMatch(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard let first = key.first else { return nil }
        var node = Int(rootChild[Int(first)])
        guard node >= 0 else { return nil }
        for c in key.dropFirst() {
            node = child(node, c)
            if node < 0 { return nil }
        }
        return value[node] >= 0 ? value[node] : nil
    }

    @inline(__always) func child(_ node: Int, _ c: UInt8) -> Int {
        var lo = Int(edgeStart[node])
        var hi = lo + Int(edgeCount[node])
        while lo < hi {
            let mid = (lo + hi) >> 1
            let l = labels[mid]
            if l == c { return Int(targets[mid]) }
            if l < c { lo = mid + 1 } else { hi = mid }
        }
        return -1
    }
}

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

    init(vocab: VocabStorage, unkId: Int?, byteFallback: Bool) throws {
        guard vocab.count > 0 else { throw ConfigError.invalid("model.vocab is empty") }
        if let unkId, !(0..<vocab.count).contains(unkId) {
            throw ConfigError.invalid("model.unk_id \(unkId) is outside the vocabulary (0..<\(vocab.count))")
        }
        self.vocab = vocab
        let trie = PieceTrie(vocab)
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
    func tokenize(_ word: UnsafeBufferPointer<UInt8>, scratch s: inout ViterbiScratch,
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
        vocab.scores.withUnsafeBufferPointer { scores in
        trie.labels.withUnsafeBufferPointer { labels in
        trie.targets.withUnsafeBufferPointer { targets in
        trie.edgeStart.withUnsafeBufferPointer { edgeStart in
        trie.edgeCount.withUnsafeBufferPointer { edgeCount in
        trie.value.withUnsafeBufferPointer { value in
            for k in 0...size { score[k] = 0; from[k] = -1 }
            var start = 0
            while start < size {
                let base = score[start]
                let charLen = min(utf8Length(word[start]), size - start)
                var hasSingle = false
                var node = Int(trie.rootChild[Int(word[start])])
                var pos = start
                while node >= 0 {
                    pos += 1
                    let v = value[node]
                    if v >= 0 {
                        let candidate = scores[Int(v)] + base
                        if from[pos] < 0 || candidate > score[pos] {
                            score[pos] = candidate; from[pos] = Int32(start); ids[pos] = v
                        }
                        if pos - start == charLen { hasSingle = true }
                    }
                    guard pos < size else { break }
                    // child(node, word[pos]) — binary search over the node's sorted edges.
                    let c = word[pos]
                    var lo = Int(edgeStart[node]), hi = lo + Int(edgeCount[node])
                    node = -1
                    while lo < hi {
                        let mid = (lo + hi) >> 1
                        let l = labels[mid]
                        if l == c { node = Int(targets[mid]); break }
                        if l < c { lo = mid + 1 } else { hi = mid }
                    }
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
        }}}}}}}}}
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
