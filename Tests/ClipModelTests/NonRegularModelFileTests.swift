// Model files that are FIFOs, devices or directories are refused at once (nothing blocks), with a
// message naming the file and what it is — never a permission message or an NSCocoaErrorDomain dump.
@testable import ClipModel
import Foundation
import SafeTensors
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

@Suite struct NonRegularModelFileTests {
    func tinyDir() throws -> URL { try modelDirectory(weights: Data(contentsOf: Fixtures.tiny("model.safetensors"))) }

    func replace(_ name: String, in dir: URL, with make: (String) -> Void) {
        let p = dir.appendingPathComponent(name).path
        unlink(p)
        make(p)
    }

    func loadMessage(_ dir: URL) -> String {
        do { _ = try ClipEmbedder.load(directory: dir, threads: 1); return "" } catch { return "\(error)" }
    }

    @Test(arguments: ["config.json", "model.safetensors", "preprocessor_config.json"])
    func fifoIsRefusedByName(file: String) throws {
        let dir = try tinyDir()
        replace(file, in: dir) { #expect(mkfifo($0, 0o600) == 0) }
        let msg = loadMessage(dir)
        #expect(msg.contains("\(file): is a FIFO, not a regular file"), "\(msg)")
        #expect(!msg.contains("permission") && !msg.contains("NSCocoaErrorDomain"), "\(msg)")
    }

    @Test(arguments: ["config.json", "model.safetensors"])
    func devZeroAndDirectoriesAreRefused(file: String) throws {
        let dir = try tinyDir()
        replace(file, in: dir) { #expect(symlink("/dev/zero", $0) == 0) }
        #expect(loadMessage(dir).contains("\(file): is a character device, not a regular file"))
        replace(file, in: dir) { #expect(mkdir($0, 0o700) == 0) }
        #expect(loadMessage(dir).contains("\(file): is a directory, not a regular file"))
    }

    @Test func tokenizerFIFOFailsTextOnly() throws {
        let dir = try tinyDir()
        try Data(contentsOf: Fixtures.tiny("tokenizer.json")).write(to: dir.appendingPathComponent("tokenizer.json"))
        replace("tokenizer.json", in: dir) { #expect(mkfifo($0, 0o600) == 0) }
        let m = try ClipEmbedder.load(directory: dir, threads: 1)
        var message = ""
        do { _ = try m.embed(texts: ["a cat"]) } catch { message = "\(error)" }
        #expect(message.contains("tokenizer.json") && message.contains("is a FIFO, not a regular file"), "\(message)")
    }
}
