// The explorer's host side effects: xdg-open / open for viewing; wl-copy, xclip, xsel or pbcopy for the
// clipboard, else the terminal's own clipboard sequence (OSC 52, through `Terminal.setClipboard`, so
// nothing is written behind the terminal's back).
import CLISupport
import Explorer
import Foundation
import TUI

final class HostSystemActions: SystemActions {
    private weak var terminal: Terminal?
    /// Directories searched for the tools ($PATH unless given).
    private let searchPath: String

    init(terminal: Terminal, searchPath: String? = nil) {
        self.terminal = terminal
        self.searchPath = searchPath ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    }

    func open(path: String) -> String {
        #if os(macOS)
        let tool = "/usr/bin/open"
        #else
        guard let tool = which("xdg-open") else { return "no xdg-open on PATH; path: " + path }
        #endif
        return run(tool, [path], input: nil) ? "opened with " + (tool as NSString).lastPathComponent : "could not open " + path
    }

    func copy(_ text: String) -> String {
        let candidates: [(String, [String])] = [("wl-copy", []), ("xclip", ["-selection", "clipboard"]),
                                                ("xsel", ["--clipboard", "--input"]), ("pbcopy", [])]
        for (name, args) in candidates {
            if let tool = which(name), run(tool, args, input: text) { return "copied path (\(name))" }
        }
        guard let terminal else { return "no clipboard tool found" }
        terminal.setClipboard(text)
        return "copied path (OSC 52)"
    }

    /// Runs `tool`; with `input`, writes it to the tool's stdin and waits for success.
    private func run(_ tool: String, _ args: [String], input: String?) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        let pipe = Pipe()
        if input != nil { p.standardInput = pipe } else { p.standardInput = FileHandle.nullDevice }
        do { try p.run() } catch { return false }
        if let input {
            // A tool that exits without reading its input is a failed copy, not a trap.
            let written = (try? pipe.fileHandleForWriting.write(contentsOf: Data(input.utf8))) != nil
            try? pipe.fileHandleForWriting.close()
            p.waitUntilExit()
            return written && p.terminationStatus == 0
        }
        return true
    }

    func which(_ name: String) -> String? {
        for dir in searchPath.split(separator: ":") {
            let candidate = String(dir) + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
