// The one seeded random generator of the tests: Retrieval's SplitMix64 (the stream `truncation --seed`
// samples with) as a RandomNumberGenerator, so a failing case reproduces from its seed.
import Retrieval

public struct SeededGenerator: RandomNumberGenerator {
    private var stream: SplitMix64
    public init(state: UInt64) { stream = SplitMix64(seed: state) }
    public init(_ seed: UInt64) { stream = SplitMix64(seed: seed) }

    public mutating func next() -> UInt64 { stream.next() }

    /// Uniform in `range` (modulo bias is irrelevant for test data).
    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
}
