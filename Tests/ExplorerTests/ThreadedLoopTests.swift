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
}
