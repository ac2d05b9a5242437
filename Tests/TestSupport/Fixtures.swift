// Test fixtures live in Tests/Fixtures (copied from shared/fixtures; tests never read ../shared).
// Paths are found from this file's location, so `swift test` works from any clone.
import Foundation

public enum Fixtures {
    /// Tests/Fixtures
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // TestSupport
        .deletingLastPathComponent()   // Tests
        .appendingPathComponent("Fixtures", isDirectory: true)

    /// Tests/Fixtures/jina-clip-v2-tiny
    public static let tiny: URL = root.appendingPathComponent("jina-clip-v2-tiny", isDirectory: true)
    /// Tests/Fixtures/xlmr-tokenizer
    public static let xlmr: URL = root.appendingPathComponent("xlmr-tokenizer", isDirectory: true)

    public static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
    public static func tiny(_ name: String) -> URL { tiny.appendingPathComponent(name) }

    /// A fresh empty temporary directory (removed by the caller or left to the OS).
    public static func tempDirectory(_ label: String = "clipscope-test") throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
