// Background work for the explorer. Workers never touch the terminal or AppState: results
// come back as Actions through `ActionInbox`, a locked FIFO the UI thread drains each turn
// (gocui's Update queue). `LatestOnlyWorker` keeps one pending job: a newer submission replaces
// the queued one (a superseded query is dropped, never queued behind), after a debounce delay.
import Foundation

/// A thread-safe FIFO of actions posted by workers to the UI thread.
public final class ActionInbox: @unchecked Sendable {
    private let lock = NSLock()
    private var queue: [Action] = []
    /// Called after each post (from the posting thread): wakes the UI thread's input wait.
    public var onPost: (@Sendable () -> Void)?

    public init() {}

    public func post(_ action: Action) {
        lock.lock(); queue.append(action); lock.unlock()
        onPost?()
    }

    /// Everything posted so far, oldest first.
    public func drain() -> [Action] {
        lock.lock(); defer { lock.unlock() }
        let out = queue
        queue.removeAll(keepingCapacity: true)
        return out
    }

    public var isEmpty: Bool { lock.lock(); defer { lock.unlock() }; return queue.isEmpty }
}

/// One worker thread with a single "latest job" slot and an optional debounce.
final class LatestOnlyWorker: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending: (() -> Void)?
    private var submittedAt = Date.distantPast
    private var stopped = false
    private let debounce: TimeInterval

    init(name: String, debounceMs: Int) {
        debounce = Double(debounceMs) / 1000
        let t = Thread { [weak self] in self?.loop() }
        t.name = name
        t.start()
    }

    /// Replaces any job that has not started yet.
    func submit(_ job: @escaping () -> Void) {
        condition.lock()
        pending = job
        submittedAt = Date()
        condition.signal()
        condition.unlock()
    }

    func stop() {
        condition.lock(); stopped = true; pending = nil; condition.signal(); condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while pending == nil && !stopped { condition.wait() }
            if stopped { condition.unlock(); return }
            // Debounce: wait until no newer submission arrived for `debounce` seconds.
            while !stopped, pending != nil {
                let ready = submittedAt.addingTimeInterval(debounce)
                if Date() >= ready { break }
                _ = condition.wait(until: ready)
            }
            let job = pending
            pending = nil
            condition.unlock()
            job?()
        }
    }
}
