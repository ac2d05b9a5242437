// Top-k, prefix cosine and the comparison metrics against hand-computed values.
import Testing
@testable import Explorer
import ExplorerTestSupport

@Suite struct RankingMetricsTests {
    @Test func topKSortsByScoreThenIdAndSkipsMissing() {
        let r = RankingMetrics.topK([0.2, -.infinity, 0.9, 0.2, 0.5], k: 3)
        #expect(r.map(\.id) == [2, 4, 0])
        #expect(RankingMetrics.topK([0.2, -.infinity, 0.9]).map(\.id) == [2, 0])
        #expect(RankingMetrics.rank(of: 3, in: [0.2, -.infinity, 0.9, 0.2, 0.5]) == 4)
        #expect(RankingMetrics.rank(of: 1, in: [0.2, -.infinity]) == nil)
    }

    @Test func prefixCosineRenormalisesThePrefix() {
        // prefixes [3,4] and [4,3]: cos = 24/25
        #expect(abs(RankingMetrics.prefixCosine([3, 4, 100], [4, 3, -100], dims: 2) - 0.96) < 1e-6)
        #expect(RankingMetrics.prefixCosine([0, 0], [1, 1], dims: 2) == 0)
    }

    @Test func overlap() {
        #expect(RankingMetrics.overlap([1, 2, 3, 4], [4, 3, 9, 8], k: 4) == 0.5)
        #expect(RankingMetrics.overlap([1, 2, 3], [1, 2, 3], k: 2) == 1)
    }

    @Test func kendallTau() {
        #expect(RankingMetrics.kendallTau([1, 2, 3, 4], [1, 2, 3, 4]) == 1)
        #expect(RankingMetrics.kendallTau([1, 2, 3, 4], [4, 3, 2, 1]) == -1)
        // one adjacent swap among 3: 2 concordant, 1 discordant → 1/3
        #expect(abs(RankingMetrics.kendallTau([1, 2, 3], [2, 1, 3]) - 1.0 / 3.0) < 1e-12)
    }

    @Test func rankBiasedOverlap() {
        #expect(abs(RankingMetrics.rbo([1, 2, 3], [1, 2, 3]) - 1) < 1e-12)
        #expect(RankingMetrics.rbo([1, 2], [3, 4]) == 0)
        // A=[1,2], B=[2,1], p=0.5: A1=0, A2=1 → (0.5)(0 + 0.5·1) + 0.25·1 = 0.5
        #expect(abs(RankingMetrics.rbo([1, 2], [2, 1], p: 0.5) - 0.5) < 1e-12)
    }

    @Test func agreementIsTheMeanPairwiseOverlap() {
        let lists: [[Int]] = [[1, 2], [1, 3], [4, 5]]
        let expected: Double = 0.5 / 3
        #expect(RankingMetrics.agreement(lists, k: 2) == expected)
        #expect(RankingMetrics.agreement([[1]], k: 1) == 1)
    }

    @Test func fakeBackendIsDeterministicAndMultilingual() throws {
        let b = FakeBackend()
        let en = try b.embedText("a dog on the beach", asQuery: true)
        let zh = try b.embedText("海滩上的狗", asQuery: true)
        #expect(en != zh)                              // same concepts, slightly different words
        #expect(RankingMetrics.prefixCosine(en, zh, dims: 128) > 0.8)
        #expect(b.tokenize("海滩上的狗") == ["▁海滩", "上", "的", "狗"])
        let top = RankingMetrics.topK(b.scores(query: en, dims: 128), k: 1)
        #expect(b.items()[top[0].id].name == "dog-on-beach.jpg")
        #expect(b.items().count == 20)
        #expect(b.scores(query: en, dims: 16)[4] == -.infinity)   // the failed image has no score
    }
}
