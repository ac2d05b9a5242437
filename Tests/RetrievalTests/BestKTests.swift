// Ranking.best (the bounded, chunked top-k the explorer ranks with) against the full sort.
import Testing
@testable import Retrieval

@Suite struct BestKTests {
    static func scores(_ n: Int, seed: UInt64, levels: Int) -> [Float] {
        var state = seed
        return (0..<n).map { i in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            if i % 97 == 5 { return -Float.infinity }          // not embedded
            if i % 89 == 3 { return .nan }
            return Float(Int(state >> 33) % levels) / Float(levels) - 0.5   // many ties
        }
    }

    @Test func bestKEqualsThePrefixOfTheFullRankingForEveryChunking() {
        let s = Self.scores(5_000, seed: 11, levels: 13)
        let full = Ranking.top(s)
        for chunk in [1, 7, 64, 1_000, 5_000, 50_000] {
            for k in [1, 10, 200, 4_999, 6_000] {
                let b = Ranking.best(s, k: k, chunk: chunk)
                #expect(b.items == Array(full.prefix(k)), "chunk \(chunk) k \(k)")
                #expect(b.ranked == full.count)
            }
        }
        let ex = Ranking.best(s, k: 50, excluding: full[3].id, chunk: 300)
        #expect(ex.items == Array(Ranking.top(s, excluding: full[3].id).prefix(50)) && ex.ranked == full.count - 1)
        #expect(Ranking.best([], k: 5).items.isEmpty && Ranking.best([], k: 5).ranked == 0)
    }

    @Test func aCancelledSelectionReturnsNothing() {
        let s = Self.scores(10_000, seed: 2, levels: 1000)
        let none = s.withUnsafeBufferPointer { Ranking.best($0, k: 10, chunk: 1_000, isCancelled: { true }) }
        #expect(none == nil)
        let some = s.withUnsafeBufferPointer { Ranking.best($0, k: 10, chunk: 1_000, isCancelled: { false }) }
        #expect(some?.items == Array(Ranking.top(s).prefix(10)))
    }
}
