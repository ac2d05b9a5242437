// stdin read line by line for the JSON-lines protocols.
import Foundation

/// Raw stdin lines (split on \n only, bytes kept as they are so invalid UTF-8 can be reported).
public enum StdinLines {
    public static func next() -> [UInt8]? {
        var linePtr: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(linePtr) }
        let n = getline(&linePtr, &capacity, stdin)
        guard n >= 0, let linePtr else { return nil }
        var bytes = [UInt8](UnsafeRawBufferPointer(start: linePtr, count: n))
        if bytes.last == 0x0A { bytes.removeLast() }
        return bytes
    }
}
