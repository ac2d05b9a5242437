// libFuzzer harness for the command-line parser: arbitrary bytes → argv words (split at NUL and
// newline, decoded as UTF-8 with replacement) → ClipScopeCommand.parseAsRoot, which runs every
// option's transform and each command's validate(). The parsed command is never run.
// A thrown error (a usage error, --help, --version) is the right answer to a bad command line; for
// one, the harness also renders the message and exit code ArgumentParser would print (help text
// generation included). A trap (an integer overflow in a numeric option, a force unwrap), an ASan
// report or a hang is a finding.
import ArgumentParser
import ClipScopeCLI
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let words = bytes.split(separator: 0, omittingEmptySubsequences: false)
        .flatMap { $0.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) }
        .map { String(decoding: $0, as: UTF8.self) }
    // An empty input is `clipscope` with no arguments (the explorer on the current folder): still parsed.
    let argv = size == 0 ? [] : Array(words.prefix(64))
    do {
        _ = try ClipScopeCommand.parseAsRoot(argv)
    } catch {
        _ = ClipScopeCommand.fullMessage(for: error)
        _ = ClipScopeCommand.exitCode(for: error)
    }
    return 0
}
