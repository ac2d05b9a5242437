// The demo/test stand-in backend: deterministic, multilingual, failed images unscored.
import Retrieval
import Testing
@testable import Explorer
import ExplorerTestSupport

@Suite struct FakeBackendTests {
    @Test func fakeBackendIsDeterministicAndMultilingual() throws {
        let b = FakeBackend()
        let en = try b.embedText("a dog on the beach", asQuery: true)
        let zh = try b.embedText("海滩上的狗", asQuery: true)
        #expect(en != zh)                              // same concepts, slightly different words
        #expect(PrefixCosine.score(en, zh, dims: 128) > 0.8)
        #expect(b.tokenize("海滩上的狗") == ["▁海滩", "上", "的", "狗"])
        let top = Ranking.top(b.scores(query: en, dims: 128), k: 1)
        #expect(b.items()[top[0].id].name == "dog-on-beach.jpg")
        #expect(b.items().count == 20)
        #expect(b.scores(query: en, dims: 16)[4] == -.infinity)   // the failed image has no score
    }
}
