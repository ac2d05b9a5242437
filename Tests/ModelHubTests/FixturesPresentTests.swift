// Placeholder until ModelHubTests gets its real tests: the fixtures the suite relies on are in the clone.
import Foundation
import Testing
import TestSupport

@Test func fixturesArePresent() throws {
    let config = try NPY.load(Fixtures.tiny("text_embeddings.npy"))
    #expect(config.shape == [6, 64])
}
