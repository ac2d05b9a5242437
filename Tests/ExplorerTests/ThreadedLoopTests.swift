// The threaded path: embeddings on the latest-only worker, indexing events from the backend's
// thread, results through the locked inbox. Waits are bounded polls, never timing assertions.
import Foundation
import Testing
import TUI
@testable import Explorer
import ExplorerTestSupport

@Suite struct ThreadedLoopTests {
    /// Polls `settle()` until `done` or ~5 s pass.
    func wait(_ loop: EventLoop, until done: () -> Bool) {
        for _ in 0..<500 where !done() {
            loop.settle()
            usleep(10_000)
        }
    }

    @Test func supersededJobsNeverRun() {
        let worker = LatestOnlyWorker(name: "test", debounceMs: 50)
        defer { worker.stop() }
        let lock = NSLock()
        var ran: [Int] = []
        let finished = DispatchSemaphore(value: 0)
        for i in 1...3 {
            worker.submit {
                lock.lock(); ran.append(i); lock.unlock()
                if i == 3 { finished.signal() }
            }
        }
        #expect(finished.wait(timeout: .now() + 5) == .success)
        usleep(100_000)
        lock.lock(); defer { lock.unlock() }
        #expect(ran == [3])
    }

    @Test func resultsFillInWhileIndexingRunsInTheBackground() {
        let term = VirtualTerminal(width: 80, height: 24)
        let backend = FakeBackend(indexed: false, indexingDelayMs: 1)
        let loop = EventLoop(terminal: term, backend: backend, options: ExplorerOptions(debounceMs: 1),
                             system: RecordingSystemActions(), execution: .threaded)
        for c in "snow" { loop.handle(.key(.char(c))) }
        wait(loop) { !loop.state.indexing.running && loop.state.scoredGeneration == loop.state.queryGeneration
            && loop.state.ranking.count == 19 }
        #expect(loop.state.embeddedCount == 19)
        #expect(loop.state.items[4].state == .failed("not a JPEG (bad SOI marker)"))
        #expect(loop.state.ranking.count == 19)
        #expect(loop.state.queryGeneration == 4)
        loop.renderIfNeeded()
        #expect(term.text.contains("alps-snow"), "\(term.text)")
    }

    /// In the dimensions view the summary and the histogram come from their worker (the loop only asks),
    /// equal to a direct computation over the same scores; a k change asks again and its summary
    /// replaces the older one. Every wait is bounded.
    @Test func dimensionsSummaryArrivesFromItsWorker() throws {
        let term = VirtualTerminal(width: 120, height: 40)
        let loop = EventLoop(terminal: term, backend: FakeBackend(indexed: true), options: ExplorerOptions(debounceMs: 1),
                             system: RecordingSystemActions(), execution: .threaded)
        for c in "snow" { loop.handle(.key(.char(c))) }
        wait(loop) { loop.state.scoredGeneration == loop.state.queryGeneration && !loop.state.ranking.isEmpty }
        loop.handle(.key(.escape))
        loop.handle(.key(.char("m")))
        #expect(loop.state.view == .dimensions)
        func current() -> Bool {
            let s = loop.state
            return !s.dimScores.isEmpty && s.lensVersion == s.scoresVersion && s.lens?.requestedK == s.lensK
                && s.histogram?.key == Reducer.histogramKey(s)
        }
        wait(loop, until: current)
        var s = loop.state
        #expect(current())
        let scores = try #require(s.dimScores[s.dim])
        #expect(s.lens == DimensionsLens.compute(scores: s.dimScores, dims: s.dimensions, k: s.lensK, generation: s.scoredGeneration))
        #expect(s.histogram == ScoreHistogram(key: .init(scoresVersion: s.scoresVersion, dim: s.dim, bins: s.histogram?.key.bins ?? 0),
                                              scores: scores))
        loop.handle(.key(.char(">")))
        #expect(loop.state.lensK == 20)
        wait(loop, until: current)
        s = loop.state
        #expect(s.lens?.requestedK == 20)
        #expect(s.lens == DimensionsLens.compute(scores: s.dimScores, dims: s.dimensions, k: 20, generation: s.scoredGeneration))
        loop.renderIfNeeded()
        #expect(s.lens?.k == 19)                       // 19 embedded items: k = 20 is cut to what is ranked
        #expect(term.text.contains("top 19"), "\(term.text)")
    }
}
