// Search == brute force (Double, slice-then-normalize) on random data for every d; prefix norm caching
// across mutations; Float16 storage; tie-break by key; image→image; text→text; the tiny fixture.
import Foundation
import Testing
import TestSupport
import CKernels
@testable import VectorIndex

/// SplitMix64: deterministic test data.
typealias SeededRNG = SeededGenerator

extension SeededGenerator {
    mutating func normalVector(_ n: Int, normalized: Bool = true) -> [Float] {
        var v = (0..<n).map { _ in Float.random(in: -1...1, using: &self) + Float.random(in: -1...1, using: &self) }
        if normalized { let s = v.reduce(0) { $0 + $1 * $1 }.squareRoot(); v = v.map { $0 / s } }
        return v
    }
}

/// cosine(normalize(x[:d]), normalize(q[:d])) in Double: the spec's "slice then re-normalize".
func referenceCosine(_ x: [Float], _ q: [Float], _ d: Int) -> Double {
    func normalized(_ v: [Float]) -> [Double] {
        let s = v[0..<d].reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        return v[0..<d].map { Double($0) / max(s, 1e-12) }
    }
    let a = normalized(x), b = normalized(q)
    return zip(a, b).reduce(0.0) { $0 + $1.0 * $1.1 }
}

func key(_ i: Int) -> ItemPath { ItemPath(String(format: "img/%05d.jpg", i)) }

/// Checks `hits` against the brute-force ranking: every score matches its item's reference score,
/// and the order agrees with the reference wherever reference scores differ by more than `tol`.
func expectMatchesBruteForce(_ hits: [SearchHit], rows: [[Float]], keys: [ItemPath], query: [Float], d: Int, k: Int,
                             excluding: Int? = nil, tol: Double = 2e-5) {
    var ref = (0..<rows.count).filter { $0 != excluding }.map { (row: $0, score: referenceCosine(rows[$0], query, d)) }
    ref.sort { $0.score != $1.score ? $0.score > $1.score : keys[$0.row] < keys[$1.row] }
    #expect(hits.count == min(k, ref.count), "d=\(d)")
    for (i, h) in hits.enumerated() {
        #expect(h.rank == i + 1)
        #expect(h.key == keys[h.row])
        let own = referenceCosine(rows[h.row], query, d)
        #expect(abs(Double(h.score) - own) < tol, "d=\(d) rank \(i + 1): \(h.score) vs \(own)")
        // The reference's item at this position has the same score (order equal up to float noise).
        #expect(abs(Double(h.score) - ref[i].score) < tol, "d=\(d) rank \(i + 1)")
        if ref[i].row != h.row { #expect(abs(ref[i].score - own) < tol) }
    }
}

@Suite struct VectorIndexSearchTests {
    static let width = 1024
    static let dims = [1, 7, 32, 64, 256, 1024]

    func randomIndex(n: Int, seed: UInt64, storage: VectorIndex.Storage = .float32, normalized: Bool = true)
        throws -> (VectorIndex, [[Float]], [ItemPath]) {
        var rng = SeededRNG(seed)
        let index = VectorIndex(width: Self.width, storage: storage)
        var rows: [[Float]] = [], keys: [ItemPath] = []
        for i in 0..<n {
            var v = rng.normalVector(Self.width, normalized: normalized)
            if storage == .float16 { v = v.map { Float(Float16($0)) } }   // the reference sees the stored values
            try index.add(key(i), vector: v)
            rows.append(v); keys.append(key(i))
        }
        return (index, rows, keys)
    }

    @Test(arguments: ScoreKernel.allCases)
    func searchEqualsBruteForceForEveryPrefix(kernel: ScoreKernel) throws {
        let (index, rows, keys) = try randomIndex(n: 200, seed: 1)
        index.scoreKernel = kernel
        var rng = SeededRNG(99)
        for d in Self.dims {
            for _ in 0..<3 {
                let q = rng.normalVector(Self.width)
                let hits = try index.search(q, dims: d, k: 10)
                expectMatchesBruteForce(hits, rows: rows, keys: keys, query: q, d: d, k: 10)
            }
        }
    }

    @Test func oddWidthsSplitIntoPanelsCorrectly() throws {
        // Widths that are not multiples of the 64-column panel (or of the 32-column norm blocks).
        for (w, storage) in [(100, VectorIndex.Storage.float32), (33, .float16), (5, .float32), (130, .float16)] {
            var rng = SeededRNG(UInt64(w))
            let index = VectorIndex(width: w, storage: storage)
            var rows: [[Float]] = []
            for i in 0..<40 {
                var v = rng.normalVector(w, normalized: false)
                if storage == .float16 { v = v.map { Float(Float16($0)) } }
                try index.add(key(i), vector: v); rows.append(v)
                #expect(index.vector(at: i) == v)
            }
            index.remove(key(3)); rows[3] = rows[39]; rows.removeLast()
            let keys = (0..<39).map { $0 == 3 ? key(39) : key($0) }
            #expect(index.keys == keys)
            for kernel in ScoreKernel.allCases {
                index.scoreKernel = kernel
                for d in Set([1, min(w, 31), min(w, 64), min(w, 65), w]) {
                    let q = rng.normalVector(w)
                    expectMatchesBruteForce(try index.search(q, dims: d, k: 5), rows: rows, keys: keys, query: q, d: d, k: 5, tol: 5e-5)
                }
            }
        }
    }

    @Test func unnormalizedRowsAndQueriesAreRenormalizedPerPrefix() throws {
        // Rows with arbitrary norms (e.g. imported vectors): scores must still be slice-then-normalize cosines.
        let (index, rows, keys) = try randomIndex(n: 120, seed: 7, normalized: false)
        var rng = SeededRNG(8)
        for d in Self.dims {
            let q = rng.normalVector(Self.width, normalized: false).map { $0 * 3.5 }
            let all = try index.scores(for: q, dims: d)
            for i in 0..<rows.count { #expect(abs(Double(all[i]) - referenceCosine(rows[i], q, d)) < 2e-5) }
            expectMatchesBruteForce(try index.search(q, dims: d, k: 7), rows: rows, keys: keys, query: q, d: d, k: 7)
        }
    }

    @Test func truncatedQueryOfLengthDGivesTheSameScores() throws {
        let (index, _, _) = try randomIndex(n: 50, seed: 3)
        var rng = SeededRNG(4)
        let q = rng.normalVector(Self.width)
        for d in [7, 64, 256] {
            let full = try index.scores(for: q, dims: d)
            let prefix = Array(q[0..<d])
            let s = prefix.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let cut = try index.scores(for: prefix.map { $0 / s }, dims: d)
            #expect(maxAbsDiff(full, cut) < 1e-6)
        }
    }

    @Test func prefixNormsMatchSliceThenNormalize() throws {
        let (index, rows, _) = try randomIndex(n: 40, seed: 5, normalized: false)
        for d in Self.dims + [31, 33, 100, 1000] {
            let inv = try index.inverseNorms(dims: d)
            for i in 0..<rows.count {
                let n = rows[i][0..<d].reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
                #expect(abs(Double(inv[i]) * n - 1) < 1e-5, "d=\(d) row \(i)")
            }
        }
    }

    @Test func cachedNormsFollowAddUpdateRemove() throws {
        let (index, rows, keys) = try randomIndex(n: 60, seed: 11)
        var rng = SeededRNG(12)
        let q = rng.normalVector(Self.width)
        for d in [64, 256] { _ = try index.search(q, dims: d, k: 5) }   // fill the per-d caches
        #expect(index.hasCachedNorms(dims: 64))
        var model = Dictionary(uniqueKeysWithValues: zip(keys, rows))
        for i in stride(from: 0, to: 60, by: 7) { #expect(index.remove(key(i))); model[key(i)] = nil }
        #expect(!index.remove(key(0)))
        for i in [1, 2, 3] {
            let v = rng.normalVector(Self.width, normalized: false)
            try index.update(key(i), vector: v); model[key(i)] = v
        }
        for i in 100..<110 { let v = rng.normalVector(Self.width); try index.add(key(i), vector: v); model[key(i)] = v }
        let fresh = VectorIndex(width: Self.width)
        for (k, v) in model.sorted(by: { $0.key < $1.key }) { try fresh.add(k, vector: v) }
        for d in [64, 256, 1024] {
            let a = try index.search(q, dims: d, k: 20), b = try fresh.search(q, dims: d, k: 20)
            #expect(a.map(\.key) == b.map(\.key), "d=\(d)")
            #expect(maxAbsDiff(a.map(\.score), b.map(\.score)) < 1e-6)
        }
        #expect(index.count == model.count)
        for (k, v) in model { #expect(index.vector(at: index.row(of: k)!) == v) }
    }

    /// Rows appended without a key (the explorer maps rows to its own ids) score exactly as keyed
    /// rows with the same vectors, are updated by row, and stay invisible to the key lookups, also
    /// when a keyed removal moves one of them.
    @Test func keylessRowsScoreAsKeyedRows() throws {
        let (keyed, rows, keys) = try randomIndex(n: 40, seed: 21)
        let keyless = VectorIndex(width: Self.width)
        for (i, v) in rows.enumerated() { #expect(try keyless.appendRow(v) == i) }
        var rng = SeededRNG(22)
        let v = rng.normalVector(Self.width, normalized: false)
        try keyed.update(keys[5], vector: v)
        try keyless.update(row: 5, vector: v)
        #expect(throws: VectorIndexError.rowOutOfRange(40, count: 40)) { try keyless.update(row: 40, vector: v) }
        #expect(throws: VectorIndexError.widthMismatch(key: "", expected: Self.width, got: 3)) { try keyless.appendRow([1, 2, 3]) }
        let q = rng.normalVector(Self.width)
        for d in [64, 256, 1024] {
            #expect(try keyless.scores(for: q, dims: d) == keyed.scores(for: q, dims: d), "d=\(d)")
        }
        #expect(!keyless.contains(ItemPath(bytes: [])) && keyless.row(of: keys[0]) == nil)
        // Keyed rows then a keyless one: removing a keyed row moves the keyless row into its place.
        let mixed = VectorIndex(width: Self.width)
        try mixed.add(keys[0], vector: rows[0]); try mixed.add(keys[1], vector: rows[1])
        try mixed.appendRow(rows[2])
        #expect(mixed.remove(keys[0]))
        #expect(mixed.row(of: keys[1]) == 1 && !mixed.contains(ItemPath(bytes: [])) && mixed.vector(at: 0) == rows[2])
    }

    @Test func rowDotKernelsMatchTheNaiveTwin() throws {
        // Awkward shapes: d not a multiple of 8 or 32, rows past the 2-chunk threshold, lda > d.
        var rng = SeededRNG(41)
        for (n, d, lda) in [(1, 1, 1), (7, 7, 9), (33, 31, 40), (129, 100, 1024), (1100, 1024, 1024)] {
            let a = (0..<(n * lda)).map { _ in Float.random(in: -1...1, using: &rng) }
            let q = (0..<d).map { _ in Float.random(in: -1...1, using: &rng) }
            let ref = RowDots.naive(a, rows: n, d: d, lda: lda, q)
            for kernel in ScoreKernel.allCases {
                var y = [Float](repeating: .nan, count: n)
                a.withUnsafeBufferPointer { ap in q.withUnsafeBufferPointer { qp in y.withUnsafeMutableBufferPointer { yp in
                    RowDots.compute(kernel, ap.baseAddress!, rows: n, d: d, lda: lda, qp.baseAddress!, yp.baseAddress!)
                } } }
                #expect(maxAbsDiff(y, ref) < 1e-4, "\(kernel) n=\(n) d=\(d)")
                // accumulate: y += A·q (how panels are summed)
                a.withUnsafeBufferPointer { ap in q.withUnsafeBufferPointer { qp in y.withUnsafeMutableBufferPointer { yp in
                    RowDots.compute(kernel, ap.baseAddress!, rows: n, d: d, lda: lda, qp.baseAddress!, yp.baseAddress!, accumulate: true)
                } } }
                #expect(maxAbsDiff(y, ref.map { 2 * $0 }) < 2e-4, "\(kernel) accumulate n=\(n) d=\(d)")
            }
        }
    }

    @Test func everyCompiledISAVariantMatchesTheNaiveTwin() throws {
        var rng = SeededRNG(43)
        var ran = 0
        for isa: Int32 in [0, 1, 2] {
            for (n, d, lda) in [(3, 1, 1), (5, 15, 17), (9, 16, 16), (9, 17, 64), (40, 31, 64), (40, 47, 128), (20, 100, 128), (20, 512, 512)] {
                let a = (0..<(n * lda)).map { _ in Float.random(in: -1...1, using: &rng) }
                let q = (0..<d).map { _ in Float.random(in: -1...1, using: &rng) }
                let ref = RowDots.naive(a, rows: n, d: d, lda: lda, q)
                var y = [Float](repeating: 1, count: n)
                let ok = vi_row_dots_isa(isa, a, n, d, lda, q, &y, 1)
                if ok == 0 { continue }
                ran += 1
                #expect(maxAbsDiff(y, ref.map { $0 + 1 }) < 1e-4, "isa \(isa) n=\(n) d=\(d)")
            }
        }
        #expect(ran >= 8)   // at least the portable variant ran for every shape
    }

    @Test func float16StorageMatchesBruteForceOnStoredValues() throws {
        let (index, rows, keys) = try randomIndex(n: 150, seed: 21, storage: .float16)
        index.scoreKernel = .simd
        var rng = SeededRNG(22)
        for d in Self.dims {
            let q = rng.normalVector(Self.width)
            expectMatchesBruteForce(try index.search(q, dims: d, k: 10), rows: rows, keys: keys, query: q, d: d, k: 10, tol: 5e-5)
        }
    }

    @Test func equalScoresAreOrderedByPathBytes() throws {
        let index = VectorIndex(width: 4)
        let v: [Float] = [1, 0, 0, 0]
        for name in ["b.jpg", "a/z.jpg", "c.jpg", "a.jpg"] { try index.add(ItemPath(name), vector: v) }
        try index.add(ItemPath("worse.jpg"), vector: [0.5, 0.5, 0, 0])
        let hits = try index.search([1, 0, 0, 0], dims: 4, k: 3)
        #expect(hits.map(\.key.string) == ["a.jpg", "a/z.jpg", "b.jpg"])
        #expect(hits.map(\.rank) == [1, 2, 3])
        #expect(try index.ranking([1, 0, 0, 0], dims: 4).map(\.key.string) == ["a.jpg", "a/z.jpg", "b.jpg", "c.jpg", "worse.jpg"])
    }

    @Test func imageToImageExcludesTheQueryRow() throws {
        let (index, rows, keys) = try randomIndex(n: 80, seed: 31)
        let row = index.row(of: key(17))!
        for d in [64, 1024] {
            let hits = try index.search(row: row, dims: d, k: 5)
            #expect(!hits.contains { $0.row == row })
            expectMatchesBruteForce(hits, rows: rows, keys: keys, query: rows[row], d: d, k: 5, excluding: row)
            let withSelf = try index.search(row: row, dims: d, k: 5, excludeSelf: false)
            #expect(withSelf.first?.row == row)
            #expect(abs(withSelf[0].score - 1) < 1e-5)
        }
    }

    @Test func textToTextIndexOnTheTinyFixture() throws {
        // The 6 fixture text embeddings (64-d) keyed by text id: each is its own nearest neighbour, and
        // scores at d=16 equal dot products of the fixture's truncated-then-normalized embeddings.
        let texts = try NPY.load(Fixtures.tiny("text_embeddings.npy"))
        let trunc16 = try NPY.load(Fixtures.tiny("text_embeddings_trunc16.npy"))
        let n = texts.shape[0], w = texts.shape[1], f = texts.floats, t16 = trunc16.floats
        let index = VectorIndex(width: w)
        for i in 0..<n { try index.add(ItemPath("text\(i)"), vector: Array(f[(i * w)..<((i + 1) * w)])) }
        for i in 0..<n {
            let q = Array(f[(i * w)..<((i + 1) * w)])
            #expect(try index.search(q, dims: w, k: 1).first?.key == ItemPath("text\(i)"))
            let s16 = try index.scores(for: q, dims: 16)
            for j in 0..<n {
                let dot = (0..<16).reduce(Float(0)) { $0 + t16[i * 16 + $1] * t16[j * 16 + $1] }
                #expect(abs(s16[j] - dot) < 1e-5)
            }
        }
    }

    @Test func badInputIsRejectedWithAClearError() throws {
        let index = VectorIndex(width: 8)
        let unit: [Float] = [1, 0, 0, 0, 0, 0, 0, 0]
        #expect(throws: VectorIndexError.widthMismatch(key: "x", expected: 8, got: 3)) { try index.add(ItemPath("x"), vector: [1, 2, 3]) }
        #expect(throws: VectorIndexError.nonFiniteValue(key: "x")) { try index.add(ItemPath("x"), vector: [1, .nan, 0, 0, 0, 0, 0, 0]) }
        try index.add(ItemPath("x"), vector: unit)
        #expect(throws: VectorIndexError.duplicateKey("x")) { try index.add(ItemPath("x"), vector: unit) }
        #expect(throws: VectorIndexError.unknownKey("y")) { try index.update(ItemPath("y"), vector: unit) }
        #expect(throws: VectorIndexError.invalidDimensions(9, width: 8)) { try index.search(unit, dims: 9, k: 1) }
        #expect(throws: VectorIndexError.invalidDimensions(0, width: 8)) { try index.search(unit, dims: 0, k: 1) }
        #expect(throws: VectorIndexError.queryTooShort(dims: 4, queryCount: 2)) { try index.search([1, 0], dims: 4, k: 1) }
        #expect(try VectorIndex(width: 8).search(unit, dims: 8, k: 3).isEmpty)
        #expect(VectorIndexError.invalidDimensions(9, width: 8).description == "dimension 9 is outside 1...8")
    }
}
