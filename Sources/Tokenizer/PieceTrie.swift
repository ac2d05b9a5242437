// Byte trie over the Unigram vocabulary, laid out for the Viterbi walk: one [UInt32] array of node
// blocks in breadth-first order (the shallow, hot nodes sit together), each block holding everything
// a step needs, so one step touches one or two cache lines instead of five separate arrays.
//
// Block at offset o:  [o]     piece id ending here, or noPiece
//                     [o+1]   n = number of children
//                     [o+2, o+3] that piece's score (Double bits, low word first), so the Viterbi
//                             step reads id and score from the same cache line
//                     [o+4 …] ⌈n/4⌉ words: the children's labels as bytes, ascending
//                     then    n words: the children's block offsets
// The root block is at 0; `root[b]` is the offset of the root's child for first byte b (0 = none).
//
// Built by a depth-first MSD radix pass over the keys (no comparison sort): each node's key range is
// partitioned by the byte at its depth; keys ending at the node give its id (the highest id of equal
// pieces, as tokenizers' HashMap keeps the last one). A second pass assigns the BFS block offsets.
import Foundation

struct PieceTrie: Sendable {
    static let noPiece = UInt32.max
    static let header = 4
    private(set) var blocks: [UInt32] = []
    private(set) var root = [UInt32](repeating: 0, count: 256)

    init(_ vocab: VocabStorage) throws {
        let n = vocab.count
        // Block offsets are UInt32 and keys Int32: far beyond any real vocabulary, but checked.
        guard vocab.bytes.count < 200_000_000 else {
            throw ConfigError.invalid("model.vocab is too large (\(vocab.bytes.count) bytes of pieces)")
        }
        vocab.bytes.withUnsafeBufferPointer { bb in
        vocab.offsets.withUnsafeBufferPointer { off in
            // Keys carry their own start/length (no indirection through `offsets` in the hot loop).
            var keys: [Key] = []
            keys.reserveCapacity(n)
            for i in 0..<n where off[i + 1] > off[i] {
                keys.append(Key(start: Int32(off[i]), length: Int32(off[i + 1] - off[i]), id: Int32(i),
                                score: vocab.scores[i]))
            }
            var tmp = keys
            var counts = [Int](repeating: 0, count: 257)
            // Node table; a node's children get consecutive indices when it is expanded.
            var lo: [Int32] = [0], hi: [Int32] = [Int32(keys.count)], depth: [Int32] = [0]
            var ids: [Int32] = [-1], firstChild: [Int32] = [0], childCount: [Int32] = [0], label: [UInt8] = [0]
            var scores: [Double] = [0]   // score of the node's piece (read from the key: no random access later)
            let estimate = bb.count / 2
            scores.reserveCapacity(estimate)
            lo.reserveCapacity(estimate); hi.reserveCapacity(estimate); depth.reserveCapacity(estimate)
            ids.reserveCapacity(estimate); firstChild.reserveCapacity(estimate); childCount.reserveCapacity(estimate)
            label.reserveCapacity(estimate)

            keys.withUnsafeMutableBufferPointer { p in
            tmp.withUnsafeMutableBufferPointer { tp in
                @inline(__always) func byte(_ key: Key, _ d: Int) -> UInt8 { bb[Int(key.start) + d] }
                // Depth-first expansion keeps a key range hot in cache while it is split further.
                var stack: [Int32] = [0]
                while let k32 = stack.popLast() {
                    let k = Int(k32)
                    var l = Int(lo[k])
                    let h = Int(hi[k]), d = Int(depth[k])
                    // Keys that end at this node first.
                    for r in l..<h where Int(p[r].length) == d {
                        if p[r].id > ids[k] { ids[k] = p[r].id; scores[k] = p[r].score }
                        p.swapAt(l, r)
                        l += 1
                    }
                    firstChild[k] = Int32(lo.count)
                    guard l < h else { continue }
                    // Order [l, h) by the byte at depth d.
                    if h - l <= 24 {
                        for r in (l + 1)..<h {
                            let x = p[r], bx = byte(x, d)
                            var q = r
                            while q > l, byte(p[q - 1], d) > bx { p[q] = p[q - 1]; q -= 1 }
                            p[q] = x
                        }
                    } else {
                        for c in 0..<257 { counts[c] = 0 }
                        for r in l..<h { counts[Int(byte(p[r], d)) + 1] += 1 }
                        for c in 0..<256 { counts[c + 1] += counts[c] }
                        for r in l..<h { let b = Int(byte(p[r], d)); tp[l + counts[b]] = p[r]; counts[b] += 1 }
                        for r in l..<h { p[r] = tp[r] }
                    }
                    var gs = l
                    while gs < h {
                        let b = byte(p[gs], d)
                        var ge = gs + 1
                        while ge < h, byte(p[ge], d) == b { ge += 1 }
                        stack.append(Int32(lo.count))
                        lo.append(Int32(gs)); hi.append(Int32(ge)); depth.append(Int32(d + 1))
                        ids.append(-1); firstChild.append(0); childCount.append(0); label.append(b); scores.append(0)
                        gs = ge
                    }
                    childCount[k] = Int32(lo.count) - firstChild[k]
                }
            }}

            // Lay the blocks out in breadth-first order.
            let nodes = lo.count
            var order: [Int32] = [0]
            order.reserveCapacity(nodes)
            var head = 0
            while head < order.count {
                let k = Int(order[head]); head += 1
                for j in 0..<Int(childCount[k]) { order.append(firstChild[k] + Int32(j)) }
            }
            var offset = [UInt32](repeating: 0, count: nodes)
            var total = 0
            for k32 in order {
                let k = Int(k32)
                offset[k] = UInt32(total)
                let c = Int(childCount[k])
                total += PieceTrie.header + (c + 3) / 4 + c
            }
            var blocks = [UInt32](repeating: 0, count: total)
            blocks.withUnsafeMutableBufferPointer { t in
                let raw = UnsafeMutableRawPointer(t.baseAddress!)
                for k in 0..<nodes {
                    let o = Int(offset[k]), c = Int(childCount[k]), f = Int(firstChild[k])
                    t[o] = ids[k] < 0 ? PieceTrie.noPiece : UInt32(ids[k])
                    t[o + 1] = UInt32(c)
                    let bits = scores[k].bitPattern
                    t[o + 2] = UInt32(truncatingIfNeeded: bits)
                    t[o + 3] = UInt32(truncatingIfNeeded: bits >> 32)
                    for j in 0..<c { raw.storeBytes(of: label[f + j], toByteOffset: (o + PieceTrie.header) * 4 + j, as: UInt8.self) }
                    let childBase = o + PieceTrie.header + (c + 3) / 4
                    for j in 0..<c { t[childBase + j] = offset[f + j] }
                }
            }
            self.blocks = blocks
            for j in 0..<Int(childCount[0]) { root[Int(label[Int(firstChild[0]) + j])] = offset[Int(firstChild[0]) + j] }
        }}
    }

    private struct Key { var start: Int32; var length: Int32; var id: Int32; var score: Double }

    /// Offset of the child of block `o` for byte `c`, or 0 if none.
    @inline(__always) static func child(_ t: UnsafeBufferPointer<UInt32>, _ o: Int, _ c: UInt8) -> Int {
        let n = Int(t[o + 1])
        let labels = UnsafeRawPointer(t.baseAddress! + o + header)
        var j = -1
        if n <= 8 {
            for q in 0..<n where labels.load(fromByteOffset: q, as: UInt8.self) == c { j = q; break }
        } else {
            var a = 0, b = n
            while a < b {
                let mid = (a + b) >> 1
                let l = labels.load(fromByteOffset: mid, as: UInt8.self)
                if l == c { j = mid; break }
                if l < c { a = mid + 1 } else { b = mid }
            }
        }
        return j < 0 ? 0 : Int(t[o + header + (n + 3) / 4 + j])
    }

    /// Score of the piece ending at block `o` (valid when `t[o] != noPiece`).
    @inline(__always) static func score(_ t: UnsafeBufferPointer<UInt32>, _ o: Int) -> Double {
        Double(bitPattern: UInt64(t[o + 2]) | UInt64(t[o + 3]) << 32)
    }

    /// Id of the piece exactly equal to `key`, if any.
    func exactMatch(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard let first = key.first else { return nil }
        return blocks.withUnsafeBufferPointer { t -> Int32? in
            var node = Int(root[Int(first)])
            for c in key.dropFirst() {
                guard node != 0 else { return nil }
                node = PieceTrie.child(t, node, c)
            }
            guard node != 0, t[node] != PieceTrie.noPiece else { return nil }
            return Int32(t[node])
        }
    }
}
