// Wall time per named stage of a forward pass, for `clipscope bench --profile`. A tower holds an
// optional profile; when it is nil a stage is a plain call (no clock reads), so normal runs pay nothing.
// Stages are coarse (one GEMM, one attention call, one element-wise pass over all rows), so a clock
// read and a lock around each cost well under 0.1 % of the stage. Both towers may share one profile and
// run at the same time (the totals then mix their stages, but stay consistent).
import Foundation

public final class StageProfile: @unchecked Sendable {
    private let lock = NSLock()
    private var totals: [String: UInt64] = [:]
    private var names: [String] = []
    public init() {}

    /// Nanoseconds per stage name.
    public var nanoseconds: [String: UInt64] { lock.withLock { totals } }
    /// Stage names in first-seen order (the order of the forward).
    public var order: [String] { lock.withLock { names } }

    public func time(_ name: String, _ body: () throws -> Void) rethrows {
        let t0 = DispatchTime.now().uptimeNanoseconds
        defer {
            let dt = DispatchTime.now().uptimeNanoseconds - t0
            lock.withLock {
                if totals[name] == nil { names.append(name) }
                totals[name, default: 0] += dt
            }
        }
        try body()
    }

    public func reset() { lock.withLock { totals = [:]; names = [] } }

    public var totalNanoseconds: UInt64 { nanoseconds.values.reduce(0, +) }

    /// One line per stage: name, milliseconds, share of the profiled total.
    public func table(title: String) -> String {
        let (totals, names) = lock.withLock { (self.totals, self.names) }
        let total = Double(max(totals.values.reduce(0, +), 1))
        var out = "\(title): \(String(format: "%.1f", total / 1e6)) ms in stages\n"
        for name in names {
            let ns = Double(totals[name] ?? 0)
            out += "  " + name.padding(toLength: 16, withPad: " ", startingAt: 0)
                + String(format: "%9.1f ms %6.1f %%\n", ns / 1e6, 100 * ns / total)
        }
        return out
    }
}

extension Optional where Wrapped == StageProfile {
    /// body(), timed under `name` when a profile is attached.
    @inline(__always) public func stage(_ name: String, _ body: () throws -> Void) rethrows {
        if let p = self { try p.time(name, body) } else { try body() }
    }
}
