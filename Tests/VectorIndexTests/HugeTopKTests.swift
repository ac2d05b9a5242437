// A k far beyond the item count (up to Int.max) returns every item once and never sizes a buffer from k.
import Testing
import TestSupport
@testable import VectorIndex

@Suite struct HugeTopKTests {
    @Test(arguments: [6, 7, 4_294_967_296, 4_611_686_018_427_387_904, Int.max])
    func searchWithHugeKReturnsEveryItemOnce(k: Int) throws {
        var rng = SeededRNG(5)
        let index = VectorIndex(width: 16, storage: .float32)
        for i in 0..<6 { try index.add(key(i), vector: rng.normalVector(16)) }
        let q = rng.normalVector(16)
        let hits = try index.search(q, dims: 16, k: k)
        #expect(hits.count == 6)
        #expect(Set(hits.map(\.row)).count == 6)
        #expect(hits.map(\.rank) == Array(1...6))
        #expect(try index.search(q, dims: 16, k: k, excluding: 2).count == 5)
        let cmp = try index.compare(q, dimsA: 4, dimsB: 16, k: k)
        #expect(cmp.k == 6 && cmp.topA.count == 6 && cmp.topB.count == 6)
        #expect(cmp.overlap == 1)          // the whole set on both sides
    }
}
