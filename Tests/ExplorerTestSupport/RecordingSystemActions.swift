// The explorer's system actions for tests: every request is recorded, nothing is launched.
import Explorer

/// Records requests instead of acting.
public final class RecordingSystemActions: SystemActions {
    public private(set) var opened: [String] = []
    public private(set) var copied: [String] = []
    public init() {}
    public func open(path: String) -> String { opened.append(path); return "opened " + path }
    public func copy(_ text: String) -> String { copied.append(text); return "copied " + text }
}
