// What the explorer asks of the host besides the backend: open a file, copy text. The CLI supplies
// the host implementation (HostSystemActions); tests supply a recorder.

/// Side effects outside the backend (process launching, clipboard), injectable for tests.
public protocol SystemActions: AnyObject {
    /// Opens a file with the system viewer; returns a message for the status line.
    func open(path: String) -> String
    /// Copies text to the clipboard; returns a message for the status line.
    func copy(_ text: String) -> String
}
