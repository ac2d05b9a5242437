// Exact in-memory vector index with Matryoshka prefix search.
//
//   N = rows, W = full width (1024 for jina-clip-v2), d = searched prefix (1 ... W).
//   panels    the [N × W] matrix cut at columns 64, 128, 256, 512, … (doubling, so the Matryoshka sizes
//                     32…1024 need 1 to 5 panels); each panel [N × width] is row-major and contiguous
//                     (Float32, or Float16 to halve memory). A prefix d is the panels before d plus part
//                     of one, so a 64-d search streams 25 MB of contiguous memory at 100k rows instead of
//                     touching one 4 KiB page per row as a single [N × W] buffer with lda = W does
//                     (measured at d = 64: ~40 ms → ~2-5 ms; at d = W the two layouts are equal)
//   keys      [N]     parallel item keys (paths, or texts for a text index; empty for a row appended
//                     without a key by an owner that maps rows to its own ids)
//   blockSq   [B][N]  cumulative squared norms at 32, 64, ... columns (B = W / 32), one contiguous array
//                     per block, kept up to date on every mutation, so the prefix norms for a new d read one
//                     contiguous [N] array plus at most 31 columns per row instead of d columns (this is
//                     what makes a dimension switch cheap at 100k rows)
//   invNorms  [d: [N]] 1 / max(‖x[:d]‖, 1e-12), computed once per d and maintained incrementally
//
// score(i) = (x_i[:d] · q[:d]) / (‖x_i[:d]‖ · ‖q[:d]‖) = cosine(slice(x, d), slice(q, d)), i.e. exactly
// Retrieval's PrefixCosine (truncate then L2-normalize, both sides), which the tests hold it to. The dot products are one
// row-dot pass per used panel (lda = panel width), accumulated into y[N]: by default CKernels'
// AVX-512/AVX2 loop, or one cblas_sgemv per panel (`scoreKernel`, RowDots.swift; Debian's OpenBLAS
// sgemv measured 2-5× slower here). Exact search only: no ANN, so rankings at two dimensions are
// comparable item by item.
//
// Not thread-safe: one owner mutates and searches (the UI thread or a CLI command).
import Foundation
import Retrieval

public enum VectorIndexError: Error, CustomStringConvertible, Equatable {
    case widthMismatch(key: String, expected: Int, got: Int)
    case nonFiniteValue(key: String)
    case duplicateKey(String)
    case unknownKey(String)
    case invalidDimensions(Int, width: Int)
    case queryTooShort(dims: Int, queryCount: Int)
    case rowOutOfRange(Int, count: Int)

    public var description: String {
        switch self {
        case let .widthMismatch(key, expected, got): return "vector for \(key) has \(got) values, the index holds \(expected)-d vectors"
        case let .nonFiniteValue(key): return "vector for \(key) contains NaN or infinity"
        case let .duplicateKey(key): return "\(key) is already in the index"
        case let .unknownKey(key): return "\(key) is not in the index"
        case let .invalidDimensions(d, width): return "dimension \(d) is outside 1...\(width)"
        case let .queryTooShort(d, n): return "query has \(n) values, cannot search the first \(d) dimensions"
        case let .rowOutOfRange(r, n): return "row \(r) is outside 0..<\(n)"
        }
    }
}

/// One ranked result. `rank` starts at 1; ties in score are broken by key (bytewise ascending), Retrieval's
/// one rule.
public struct SearchHit: Equatable, Sendable {
    public var rank: Int
    public var row: Int
    public var key: ItemPath
    public var score: Float
    public init(rank: Int, row: Int, key: ItemPath, score: Float) {
        self.rank = rank; self.row = row; self.key = key; self.score = score
    }
}

/// `VectorIndex` under a name that differs from its module's, for a module that declares its own
/// `VectorIndex` (ClipScopeKit's wrapper) and must still name this one.
public typealias PanelVectorIndex = VectorIndex

public final class VectorIndex {
    public enum Storage: Sendable { case float32, float16 }

    public let width: Int
    public let storage: Storage
    /// How the row dot products are computed (RowDots.swift); results agree to float rounding.
    public var scoreKernel: ScoreKernel = .simd
    public private(set) var keys: [ItemPath] = []
    public var count: Int { keys.count }

    private let panelBounds: [Int]       // [0, 64, 128, 256, 512, …, W]
    private var panelCount: Int { panelBounds.count - 1 }
    private var f32: [[Float]]           // [panels][N × pw(p)] when storage == .float32
    private var f16: [[Float16]]         // [panels][N × pw(p)] when storage == .float16
    private var rowOfKey: [ItemPath: Int] = [:]
    private let blockWidth = 32
    private let blocks: Int              // W / 32 (full blocks only; the rest is summed directly)
    private var blockSq: [[Float]]       // [blocks][N]
    private var invNorms: [Int: [Float]] = [:]
    private var scores: [Float] = []     // [N] scratch for sgemv output
    private static let normFloor: Float = 1e-12   // torch F.normalize eps

    public init(width: Int, storage: Storage = .float32) {
        precondition(width > 0, "index width must be positive")
        self.width = width
        self.storage = storage
        self.blocks = width / 32
        self.blockSq = Array(repeating: [], count: width / 32)
        var bounds = [0, min(64, width)]
        while bounds.last! < width { bounds.append(min(2 * bounds.last!, width)) }
        self.panelBounds = bounds
        self.f32 = storage == .float32 ? Array(repeating: [], count: bounds.count - 1) : []
        self.f16 = storage == .float16 ? Array(repeating: [], count: bounds.count - 1) : []
    }

    /// Panel p holds columns [panelStart(p), panelStart(p) + panelWidthOf(p)).
    @inline(__always) private func panelStart(_ p: Int) -> Int { panelBounds[p] }
    @inline(__always) private func panelWidthOf(_ p: Int) -> Int { panelBounds[p + 1] - panelBounds[p] }

    /// Pre-allocates room for `n` rows (avoids regrowing a 400 MB buffer while indexing 100k images).
    public func reserveCapacity(_ n: Int) {
        for p in 0..<panelCount {
            switch storage {
            case .float32: f32[p].reserveCapacity(n * panelWidthOf(p))
            case .float16: f16[p].reserveCapacity(n * panelWidthOf(p))
            }
        }
        keys.reserveCapacity(n)
        for b in 0..<blocks { blockSq[b].reserveCapacity(n) }
    }

    // MARK: mutation

    public func contains(_ key: ItemPath) -> Bool { rowOfKey[key] != nil }
    public func row(of key: ItemPath) -> Int? { rowOfKey[key] }

    /// Appends a row. Throws on a width mismatch, NaN/inf, or a key already present.
    public func add(_ key: ItemPath, vector: [Float]) throws {
        try validate(key, vector)
        guard rowOfKey[key] == nil else { throw VectorIndexError.duplicateKey(key.string) }
        rowOfKey[key] = append(key, vector)
    }

    /// Appends a row without a key, for an owner that refers to rows by its own ids (the explorer's
    /// path table): no path is stored, its key is empty and the key lookups (`contains`, `row(of:)`)
    /// do not see it. Returns the row. Throws on a width mismatch or NaN/inf.
    @discardableResult
    public func appendRow(_ vector: [Float]) throws -> Int {
        let key = ItemPath(bytes: [])
        try validate(key, vector)
        return append(key, vector)
    }

    /// Replaces the vector of a row (keyed or not).
    public func update(row: Int, vector: [Float]) throws {
        guard row >= 0 && row < count else { throw VectorIndexError.rowOutOfRange(row, count: count) }
        try update(at: row, key: keys[row], vector: vector)
    }

    private func append(_ key: ItemPath, _ vector: [Float]) -> Int {
        let row = keys.count
        for p in 0..<panelCount {
            let cols = panelStart(p)..<(panelStart(p) + panelWidthOf(p))
            switch storage {
            case .float32: f32[p].append(contentsOf: vector[cols])
            case .float16: f16[p].append(contentsOf: vector[cols].map { Float16($0) })
            }
        }
        keys.append(key)
        for b in 0..<blocks { blockSq[b].append(0) }
        refreshNorms(row: row, appended: true, stored: storedValues(vector))
        return row
    }

    /// Replaces the vector of an existing key.
    public func update(_ key: ItemPath, vector: [Float]) throws {
        guard let row = rowOfKey[key] else {
            try validate(key, vector)
            throw VectorIndexError.unknownKey(key.string)
        }
        try update(at: row, key: key, vector: vector)
    }

    private func update(at row: Int, key: ItemPath, vector: [Float]) throws {
        try validate(key, vector)
        for p in 0..<panelCount {
            let pw = panelWidthOf(p), c0 = panelStart(p)
            switch storage {
            case .float32: for j in 0..<pw { f32[p][row * pw + j] = vector[c0 + j] }
            case .float16: for j in 0..<pw { f16[p][row * pw + j] = Float16(vector[c0 + j]) }
            }
        }
        refreshNorms(row: row, appended: false, stored: storedValues(vector))
    }

    /// Adds or replaces.
    public func upsert(_ key: ItemPath, vector: [Float]) throws {
        if rowOfKey[key] != nil { try update(key, vector: vector) } else { try add(key, vector: vector) }
    }

    /// Removes a key (the last row moves into its place). Returns false if the key was absent.
    @discardableResult
    public func remove(_ key: ItemPath) -> Bool {
        guard let row = rowOfKey.removeValue(forKey: key) else { return false }
        let last = keys.count - 1
        if row != last {
            for p in 0..<panelCount {
                let pw = panelWidthOf(p)
                switch storage {
                case .float32: for j in 0..<pw { f32[p][row * pw + j] = f32[p][last * pw + j] }
                case .float16: for j in 0..<pw { f16[p][row * pw + j] = f16[p][last * pw + j] }
                }
            }
            for b in 0..<blocks { blockSq[b][row] = blockSq[b][last] }
            for d in invNorms.keys { invNorms[d]![row] = invNorms[d]![last] }
            keys[row] = keys[last]
            if !keys[row].bytes.isEmpty { rowOfKey[keys[row]] = row }     // a keyless row has no entry
        }
        for p in 0..<panelCount {
            switch storage {
            case .float32: f32[p].removeLast(panelWidthOf(p))
            case .float16: f16[p].removeLast(panelWidthOf(p))
            }
        }
        for b in 0..<blocks { blockSq[b].removeLast() }
        for d in invNorms.keys { invNorms[d]!.removeLast() }
        keys.removeLast()
        return true
    }

    /// The stored vector of a row (widened to Float when stored as Float16).
    public func vector(at row: Int) -> [Float] {
        var out = [Float]()
        out.reserveCapacity(width)
        for p in 0..<panelCount {
            let pw = panelWidthOf(p)
            switch storage {
            case .float32: out.append(contentsOf: f32[p][(row * pw)..<((row + 1) * pw)])
            case .float16: out.append(contentsOf: f16[p][(row * pw)..<((row + 1) * pw)].map { Float($0) })
            }
        }
        return out
    }

    private func validate(_ key: ItemPath, _ vector: [Float]) throws {
        guard vector.count == width else {
            throw VectorIndexError.widthMismatch(key: key.string, expected: width, got: vector.count)
        }
        guard vector.allSatisfy({ $0.isFinite }) else { throw VectorIndexError.nonFiniteValue(key: key.string) }
    }

    // MARK: prefix norms

    /// The vector as stored (rounded through Float16 for .float16), so norms match the stored rows.
    private func storedValues(_ v: [Float]) -> [Float] {
        storage == .float32 ? v : v.map { Float(Float16($0)) }
    }

    /// Recomputes blockSq for one row from its stored values and patches every cached invNorms entry.
    private func refreshNorms(row: Int, appended: Bool, stored x: [Float]) {
        var acc: Float = 0
        for b in 0..<blocks {
            for j in (b * blockWidth)..<((b + 1) * blockWidth) { acc += x[j] * x[j] }
            blockSq[b][row] = acc
        }
        for d in invNorms.keys {
            let inv = 1 / max(Self.prefixNorm(x, d), Self.normFloor)
            if appended { invNorms[d]!.append(inv) } else { invNorms[d]![row] = inv }
        }
    }

    private static func prefixNorm(_ x: [Float], _ d: Int) -> Float {
        var s: Float = 0
        for j in 0..<d { s += x[j] * x[j] }
        return s.squareRoot()
    }

    /// Whether the prefix norms for `d` are already cached (the next search at d skips norm work).
    public func hasCachedNorms(dims d: Int) -> Bool { invNorms[d] != nil }

    /// 1 / ‖x_i[:d]‖ for every row; computed once per d from blockSq plus at most 31 columns per row.
    public func inverseNorms(dims d: Int) throws -> [Float] {
        guard d >= 1 && d <= width else { throw VectorIndexError.invalidDimensions(d, width: width) }
        if let cached = invNorms[d] { return cached }
        let n = keys.count
        let full = d / blockWidth          // complete 32-column blocks inside the prefix
        let tail = (full * blockWidth)..<d
        var out = full > 0 ? blockSq[full - 1] : [Float](repeating: 0, count: n)   // [N] contiguous copy
        if !tail.isEmpty {
            // The tail starts 32-aligned and is < 32 long; panel bounds are multiples of 64 (or W), so
            // it lies inside one panel.
            let p = panelBounds.lastIndex { $0 <= tail.lowerBound }!, pw = panelWidthOf(p)
            let t0 = tail.lowerBound - panelStart(p), t1 = tail.upperBound - panelStart(p)
            let chunks = n >= 8192 ? 2 : 1
            let per = (n + chunks - 1) / chunks
            out.withUnsafeMutableBufferPointer { outBuf in
                let o = outBuf.baseAddress!
                switch storage {
                case .float32:
                    f32[p].withUnsafeBufferPointer { xs in
                        let x = xs.baseAddress!
                        let body: (Int) -> Void = { c in
                            for i in (c * per)..<min(n, (c + 1) * per) {
                                var s = o[i]
                                for j in t0..<t1 { let v = x[i * pw + j]; s += v * v }
                                o[i] = s
                            }
                        }
                        if chunks == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: chunks, execute: body) }
                    }
                case .float16:
                    f16[p].withUnsafeBufferPointer { xs in
                        let x = xs.baseAddress!
                        let body: (Int) -> Void = { c in
                            for i in (c * per)..<min(n, (c + 1) * per) {
                                var s = o[i]
                                for j in t0..<t1 { let v = Float(x[i * pw + j]); s += v * v }
                                o[i] = s
                            }
                        }
                        if chunks == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: chunks, execute: body) }
                    }
                }
            }
        }
        for i in 0..<n { out[i] = 1 / max(out[i].squareRoot(), Self.normFloor) }
        invNorms[d] = out
        return out
    }

    // MARK: search

    /// Cosine scores of every row against `query[:d]` (query may be full width or exactly d long).
    public func scores(for query: [Float], dims d: Int) throws -> [Float] {
        guard d >= 1 && d <= width else { throw VectorIndexError.invalidDimensions(d, width: width) }
        guard query.count >= d else { throw VectorIndexError.queryTooShort(dims: d, queryCount: query.count) }
        let n = keys.count
        if n == 0 { return [] }
        let inv = try inverseNorms(dims: d)
        var qn: Float = 0
        for j in 0..<d { qn += query[j] * query[j] }
        let invQ = 1 / max(qn.squareRoot(), Self.normFloor)
        if scores.count != n { scores = [Float](repeating: 0, count: n) }
        let kernel = scoreKernel
        // y[N] = Σ_p panel_p[N × c_p] · q[start_p ..< start_p + c_p], c_p = columns of panel p below d.
        let used = panelBounds.firstIndex { $0 >= d }!
        query.withUnsafeBufferPointer { qb in
            scores.withUnsafeMutableBufferPointer { yb in
                let q = qb.baseAddress!, y = yb.baseAddress!
                for p in 0..<used {
                    let pw = panelWidthOf(p), c = min(pw, d - panelStart(p))
                    switch storage {
                    case .float32:
                        f32[p].withUnsafeBufferPointer { a in
                            RowDots.compute(kernel, a.baseAddress!, rows: n, d: c, lda: pw, q + panelStart(p), y, accumulate: p > 0)
                        }
                    case .float16:
                        // No half-precision BLAS: widen 4096-row chunks of the panel into a scratch first.
                        let chunkRows = 4096
                        var tmp = [Float](repeating: 0, count: min(n, chunkRows) * c)
                        f16[p].withUnsafeBufferPointer { a in
                            var start = 0
                            while start < n {
                                let rows = min(chunkRows, n - start)
                                for r in 0..<rows {
                                    let src = (start + r) * pw
                                    for j in 0..<c { tmp[r * c + j] = Float(a[src + j]) }
                                }
                                tmp.withUnsafeBufferPointer { t in
                                    RowDots.compute(kernel, t.baseAddress!, rows: rows, d: c, lda: c, q + panelStart(p), y + start, accumulate: p > 0)
                                }
                                start += rows
                            }
                        }
                    }
                }
            }
        }
        var out = scores
        for i in 0..<n { out[i] = out[i] * inv[i] * invQ }
        return out
    }

    /// Top-k rows for `query[:d]`, best first; `excluding` drops one row (image→image without itself).
    public func search(_ query: [Float], dims d: Int, k: Int, excluding: Int? = nil) throws -> [SearchHit] {
        let s = try scores(for: query, dims: d)
        var heap = TopKHeap(k: k, keys: keys)
        s.withUnsafeBufferPointer { sp in
            for i in 0..<sp.count where i != excluding { heap.offer(score: sp[i], row: i) }
        }
        return heap.bestFirst().enumerated().map { SearchHit(rank: $0.offset + 1, row: $0.element.row, key: keys[$0.element.row], score: $0.element.score) }
    }

    /// Image→image (or text→text): the query is a stored row; by default the row itself is excluded.
    public func search(row: Int, dims d: Int, k: Int, excludeSelf: Bool = true) throws -> [SearchHit] {
        guard row >= 0 && row < count else { throw VectorIndexError.rowOutOfRange(row, count: count) }
        return try search(vector(at: row), dims: d, k: k, excluding: excludeSelf ? row : nil)
    }

    /// The complete exact ranking (all rows, best first); used for true ranks in truncation metrics.
    public func ranking(_ query: [Float], dims d: Int, excluding: Int? = nil) throws -> [SearchHit] {
        let s = try scores(for: query, dims: d)
        let ks = keys
        return Ranking.top(s, keys: ks, excluding: excluding).enumerated().map {
            SearchHit(rank: $0.offset + 1, row: $0.element.id, key: ks[$0.element.id], score: $0.element.score)
        }
    }
}
