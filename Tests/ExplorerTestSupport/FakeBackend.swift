// A deterministic ExplorerBackend with 20 synthetic images and a tiny
// multilingual "tokenizer", for the explorer's tests. Vectors are sums of seeded random concept directions whose
// energy decays along the dimensions (so truncation changes rankings, as Matryoshka does);
// words in eight languages map onto the same concepts; previews are painted procedurally.
import Explorer
import FileIO
import Foundation
import Retrieval

public final class FakeBackend: ExplorerBackend, @unchecked Sendable {
    public let modelName = "fake-clip (test backend)"
    public let isDemo = true
    public let dimensions = [16, 32, 64, 128]
    public let folderPath: String
    private let width = 128
    private let lock = NSLock()
    private var states: [ItemState]
    private var indexer: Thread?
    private var cancelled = false
    private let indexingDelayMs: Int
    private let catalog: [Entry]
    /// The catalogue's paths, one table shared by every item (as the real backend does).
    private let paths: PathTable
    private let conceptVectors: [String: [Float]]

    struct Entry { var path: String; var concepts: [(String, Float)]; var w: Int; var h: Int; var bytes: Int; var failure: String? }

    /// `indexed`: start with every vector present (tests); otherwise all are pending and
    /// `startIndexing` embeds one every `indexingDelayMs` on a background thread.
    public init(folderPath: String = "~/Pictures/demo", indexed: Bool = true, indexingDelayMs: Int = 120) {
        self.folderPath = folderPath
        self.indexingDelayMs = indexingDelayMs
        catalog = FakeBackend.makeCatalog()
        var table = PathTable.Builder(root: Array(folderPath.utf8))
        for e in catalog { table.add(relative: Array(e.path.utf8)) }
        paths = table.build()
        var cv: [String: [Float]] = [:]
        for (i, c) in FakeBackend.concepts.enumerated() { cv[c] = FakeBackend.direction(seed: UInt64(1000 + i), width: 128) }
        conceptVectors = cv
        states = catalog.map { e in
            if let f = e.failure { return indexed ? .failed(f) : .pending }
            return indexed ? .embedded : .pending
        }
    }

    // MARK: ExplorerBackend

    public func items() -> [FolderItem] {
        lock.lock(); defer { lock.unlock() }
        return catalog.enumerated().map { i, e in
            FolderItem(id: i, paths: paths, path: i, byteSize: e.bytes, pixelWidth: e.w, pixelHeight: e.h, state: states[i])
        }
    }

    public func tokenize(_ text: String) -> [String] {
        var pieces: [String] = []
        for word in text.lowercased().split(whereSeparator: { $0.isWhitespace || $0.isPunctuation }) {
            var rest = Substring(word)
            var first = true
            while !rest.isEmpty {
                // Longest known prefix (CJK text has no spaces); else one unknown character run.
                var matched: Substring?
                var end = rest.endIndex
                while end > rest.startIndex {
                    let cand = rest[rest.startIndex..<end]
                    if FakeBackend.lexicon[String(cand)] != nil { matched = cand; break }
                    end = rest.index(before: end)
                }
                if let m = matched {
                    pieces.append((first ? "▁" : "") + m)
                    rest = rest[m.endIndex...]
                } else {
                    if pieces.last != "<unk>" || first { pieces.append("<unk>") }
                    rest = rest.dropFirst()
                }
                first = false
            }
        }
        return pieces
    }

    public func embedText(_ text: String, asQuery: Bool) throws -> [Float] {
        var v = [Float](repeating: 0, count: width)
        var any = false
        for piece in tokenize(text) {
            let word = piece.hasPrefix("▁") ? String(piece.dropFirst()) : piece
            if let concept = FakeBackend.lexicon[word] ?? nil, let d = conceptVectors[concept] {
                // Each surface form adds its own small direction, so "dog" and "狗" agree on the
                // concept but not perfectly (as real multilingual embeddings do).
                let accent = FakeBackend.direction(seed: FakeBackend.hash(word), width: width, decay: false)
                for i in 0..<width { v[i] += d[i] + 0.12 * accent[i] }
                any = true
            }
        }
        if !any { v = FakeBackend.direction(seed: FakeBackend.hash(text), width: width) }
        if asQuery {
            let q = FakeBackend.direction(seed: 77, width: width)
            for i in 0..<width { v[i] += 0.15 * q[i] }
        }
        return FakeBackend.normalized(v)
    }

    public func scores(query: [Float], dims: Int) -> [Float] {
        lock.lock(); let snapshot = states; lock.unlock()
        return catalog.indices.map { i in
            guard snapshot[i] == .embedded else { return -Float.infinity }
            return PrefixCosine.score(query, itemVector(i), dims: dims)
        }
    }

    public func vector(of id: Int) -> [Float]? {
        lock.lock(); defer { lock.unlock() }
        guard id >= 0, id < states.count, states[id] == .embedded else { return nil }
        return itemVector(id)
    }

    public func preview(of id: Int, maxWidth: Int, maxHeight: Int) -> PreviewImage? {
        guard id >= 0, id < catalog.count, catalog[id].failure == nil, maxWidth > 0, maxHeight > 0 else { return nil }
        let e = catalog[id]
        let scale = min(Double(maxWidth) / Double(e.w), Double(maxHeight) / Double(e.h))
        let w = max(1, Int(Double(e.w) * scale)), h = max(1, Int(Double(e.h) * scale))
        return FakePainter.paint(concepts: e.concepts.map(\.0), width: w, height: h, seed: UInt64(id))
    }

    public func startIndexing(post: @escaping @Sendable (BackendEvent) -> Void) {
        lock.lock()
        let pending = states.indices.filter { states[$0] == .pending }
        cancelled = false
        lock.unlock()
        guard !pending.isEmpty else { post(.finished); return }
        let total = catalog.count
        let delay = indexingDelayMs
        let t = Thread { [weak self] in
            for id in pending {
                if delay > 0 { usleep(useconds_t(delay * 1000)) }
                guard let self else { return }
                self.lock.lock()
                if self.cancelled { self.lock.unlock(); return }
                let st: ItemState = self.catalog[id].failure.map { .failed($0) } ?? .embedded
                self.states[id] = st
                let done = self.states.filter { $0 != .pending }.count
                self.lock.unlock()
                post(.itemChanged(id: id, state: st))
                post(.progress(done: done, total: total))
            }
            post(.finished)
        }
        t.name = "fake-indexer"
        indexer = t
        t.start()
    }

    public func cancelIndexing() {
        lock.lock(); cancelled = true; lock.unlock()
    }

    // MARK: vectors

    private func itemVector(_ id: Int) -> [Float] {
        var v = [Float](repeating: 0, count: width)
        for (c, weight) in catalog[id].concepts {
            guard let d = conceptVectors[c] else { continue }
            for i in 0..<width { v[i] += weight * d[i] }
        }
        // Item-specific detail grows along the dimensions: short prefixes see mostly concepts.
        let noise = FakeBackend.direction(seed: UInt64(500 + id), width: width, decay: false)
        for i in 0..<width { v[i] += 0.35 * Float(i) / Float(width) * noise[i] * 3 }
        return FakeBackend.normalized(v)
    }

    /// FNV-1a of the UTF-8 bytes (stable across runs, unlike Hasher).
    static func hash(_ text: String) -> UInt64 {
        var h: UInt64 = 1469598103934665603
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 1099511628211 }
        return h
    }

    static func normalized(_ v: [Float]) -> [Float] {
        let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return n > 0 ? v.map { $0 / n } : v
    }

    /// A seeded Gaussian-ish direction; with `decay`, coordinate i is scaled by 1/(1 + i/12).
    static func direction(seed: UInt64, width: Int, decay: Bool = true) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<width).map { i in
            let u = (0..<4).reduce(Float(0)) { acc, _ in acc + rng.nextUnit() } - 2
            return decay ? u / (1 + Float(i) / 12) : u
        }
    }

    // MARK: data

    static let concepts = ["cat", "dog", "beach", "sunset", "mountain", "snow", "city", "night",
                           "food", "flower", "car", "forest", "person"]

    /// word → concept (nil: a known word that carries no concept, e.g. "the", "的").
    static let lexicon: [String: String?] = {
        var l: [String: String?] = [:]
        let words: [String: [String]] = [
            "cat": ["cat", "cats", "kitten", "猫", "小猫", "gato", "قطة", "بلي", "बिल्ली", "кошка", "кот", "Katze", "katze"],
            "dog": ["dog", "dogs", "puppy", "狗", "perro", "كلب", "कुत्ता", "собака", "犬", "hund"],
            "beach": ["beach", "sea", "ocean", "海滩", "海", "playa", "mar", "شاطئ", "الشاطئ", "समुद्र", "пляж", "пляже", "море", "ビーチ", "strand", "meer"],
            "sunset": ["sunset", "日落", "夕阳", "atardecer", "غروب", "सूर्यास्त", "закат", "夕日", "sonnenuntergang"],
            "mountain": ["mountain", "mountains", "山", "montaña", "جبل", "पहाड़", "гора", "горы", "berg", "berge"],
            "snow": ["snow", "雪", "nieve", "ثلج", "बर्फ", "снег", "снегу", "schnee"],
            "city": ["city", "street", "城市", "街", "ciudad", "مدينة", "शहर", "город", "都市", "stadt"],
            "night": ["night", "夜", "夜晚", "noche", "ليل", "رات", "रात", "ночь", "nacht"],
            "food": ["food", "ramen", "食物", "面", "comida", "طعام", "खाना", "еда", "食べ物", "essen"],
            "flower": ["flower", "flowers", "花", "flor", "flores", "زهرة", "फूल", "цветы", "blume", "blumen"],
            "car": ["car", "taxi", "汽车", "车", "coche", "سيارة", "कार", "машина", "車", "auto"],
            "forest": ["forest", "trees", "森林", "树", "bosque", "غابة", "जंगल", "лес", "森", "wald"],
            "person": ["person", "people", "kids", "人", "persona", "شخص", "लोग", "люди", "人々", "menschen"],
        ]
        for (c, ws) in words { for w in ws { l[w] = .some(c) } }
        for w in ["a", "an", "the", "on", "in", "at", "of", "with", "and", "上", "的", "在", "一只", "un", "una", "el",
                  "la", "en", "على", "في", "पर", "में", "तट", "на", "в", "и", "の", "に", "ein", "eine", "am", "im", "der", "die",
                  "das", "und"] {
            l[w] = .some(nil)
        }
        return l
    }()

    static func makeCatalog() -> [Entry] {
        func e(_ p: String, _ c: [(String, Float)], _ w: Int = 4032, _ h: Int = 3024, fail: String? = nil) -> Entry {
            var hash = 0
            for b in p.utf8 { hash = (hash &* 31 &+ Int(b)) & 0xFFFFF }
            return Entry(path: p, concepts: c, w: w, h: h, bytes: 800_000 + hash * 3, failure: fail)
        }
        return [
            e("beach/dog-on-beach.jpg", [("dog", 0.9), ("beach", 0.8)]),
            e("beach/kids-sandcastle.jpg", [("beach", 0.6), ("person", 0.8)]),
            e("beach/sunset-palms.jpg", [("beach", 0.7), ("sunset", 0.9)]),
            e("beach/surfer.jpg", [("beach", 0.9), ("person", 0.6)], 3024, 4032),
            e("broken/corrupt.jpg", [], fail: "not a JPEG (bad SOI marker)"),
            e("city/red-car.jpg", [("car", 0.9), ("city", 0.5)]),
            e("city/street-market.jpg", [("city", 0.7), ("food", 0.6), ("person", 0.5)]),
            e("city/taxi-rain.jpg", [("car", 0.6), ("city", 0.7), ("night", 0.3)]),
            e("city/tokyo-night.jpg", [("city", 0.9), ("night", 0.8)]),
            e("home/breakfast.jpg", [("food", 0.8), ("flower", 0.2)]),
            e("home/cat-on-sofa.jpg", [("cat", 1.0)]),
            e("home/dog-and-cat.jpg", [("dog", 0.7), ("cat", 0.7)]),
            e("home/kitten-window.jpg", [("cat", 0.9), ("sunset", 0.2)], 3024, 4032),
            e("home/ramen.jpg", [("food", 1.0)]),
            e("nature/alps-snow.jpg", [("mountain", 0.9), ("snow", 0.8)]),
            e("nature/aurora-night.jpg", [("night", 0.8), ("mountain", 0.4), ("snow", 0.3)]),
            e("nature/dog-in-snow.jpg", [("dog", 0.8), ("snow", 0.7)]),
            e("nature/forest-path.jpg", [("forest", 1.0)]),
            e("nature/mountain-lake.jpg", [("mountain", 0.8), ("forest", 0.3)]),
            e("nature/sunflowers.jpg", [("flower", 0.9)]),
        ]
    }
}

struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func nextUnit() -> Float { Float(next() >> 40) / Float(1 << 24) }
}
