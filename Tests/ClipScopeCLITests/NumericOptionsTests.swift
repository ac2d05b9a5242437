// Every integer option is range-checked before anything is loaded or allocated: exit 2 with a message.
import Testing
import TestSupport
@testable import ClipScopeCLI
import CLISupport

@Suite struct NumericOptionsTests {
    func status(_ args: [String]) -> Int32 { ClipScopeMain.runReturningStatus(args) }

    @Test func embedRejectsOutOfRangeNumbers() {
        let m = ["embed", "--model", Fixtures.tiny.path, "--text", "a cat"]
        for bad in [["--threads", "0"], ["--threads", "1025"], ["--threads", "9223372036854775807"],
                    ["--max-length", "1"], ["--max-length", "8193"], ["--max-length", "9223372036854775807"],
                    ["--dims", "0"], ["--dims", "-1"], ["--dims", "100000"]] {
            #expect(status(m + bad) == 2, "\(bad)")
        }
    }

    @Test func benchTokenizeEvalRejectOutOfRangeNumbers() {
        let tiny = Fixtures.tiny.path
        #expect(status(["bench", "--model", tiny, "--repeats", "0"]) == 2)
        #expect(status(["bench", "--model", tiny, "--repeats", "1000001"]) == 2)
        #expect(status(["bench", "--model", tiny, "--threads", "0"]) == 2)
        #expect(status(["tokenize", "--model", tiny, "--max-length", "1", "x"]) == 2)
        #expect(status(["tokenize", "--model", tiny, "--max-length", "9223372036854775807", "x"]) == 2)
        #expect(status(["eval", "--model", tiny, "--dataset", "/nonexistent.json", "--threads", "0"]) == 2)
        #expect(status(["eval", "--model", tiny, "--dataset", "/nonexistent.json", "--dims", "16,0"]) == 2)
        #expect(status(["model", "download", "jina-clip-v2", "--retries", "0"]) == 2)
        #expect(status(["model", "download", "jina-clip-v2", "--retries", "1000"]) == 2)
        #expect(status(["model", "download", "jina-clip-v2", "--timeout", "inf"]) == 2)
    }

    @Test func messagesNameTheOptionAndTheRange() throws {
        #expect(throws: (any Error).self) { try NumericOptions.threads(0) }
        do { try NumericOptions.check(0, "top", 1...Int.max) } catch {
            #expect("\(error)" == "--top 0 is out of range: it must be at least 1")
        }
        do { try NumericOptions.threads(2000) } catch {
            #expect("\(error)" == "--threads 2000 is out of range: it must be 1…1024")
        }
        #expect(NumericOptions.clampedTop(Int.max, items: 7) == 7)
        #expect(NumericOptions.clampedTop(3, items: 7) == 3)
        #expect(throws: (any Error).self) { _ = try NumericOptions.dimsList("16,,32", width: 64) }
        #expect(try NumericOptions.dimsList("16, 64", width: 64) == [16, 64])
    }

    @Test func validNumbersStillWork() {
        #expect(status(["tokenize", "--model", Fixtures.tiny.path, "--max-length", "8192", "hello"]) == 0)
    }
}
