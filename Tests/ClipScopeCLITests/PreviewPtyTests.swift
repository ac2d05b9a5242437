// The explorer in a pseudo-terminal with `--preview kitty`: the bytes it writes are read back and
// the kitty commands checked in order — the first file's picture is transmitted without a key press,
// deleted (a=d by its id) when the help overlay opens, sent again when it closes, and deleted before
// the program exits. The same with sixel: the overlay makes ncurses repaint the cells the picture
// covered (no kitty commands at all in that mode).
import Explorer
import Foundation
import Imaging
import TermGraphics
import TestSupport
import Testing
import TUI

@Suite(.serialized) struct PreviewPtyTests {
    final class PTYSession {
        let master: Int32
        let process = Process()
        var output: [UInt8] = []

        init(arguments: [String], environment: [String: String]) throws {
            master = ptyOpen(O_RDWR | O_NOCTTY)
            guard master >= 0, ptyGrant(master) == 0, ptyUnlock(master) == 0, let name = ptyName(master) else {
                throw CocoaError(.fileNoSuchFile)
            }
            let slave = try #require(FileHandle(forUpdatingAtPath: String(cString: name)))
            let binary = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug/clipscope")
            process.executableURL = binary
            process.arguments = arguments
            process.environment = environment
            process.standardInput = slave
            process.standardOutput = slave
            process.standardError = slave
            try process.run()
            try slave.close()
        }

        deinit {
            if process.isRunning { process.terminate() }
            close(master)
        }

        func send(_ s: String) {
            let b = Array(s.utf8)
            _ = b.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
        }

        /// Reads until `contains` is found after `from` in the output (or the time limit passes).
        @discardableResult
        func waitFor(_ needle: String, after from: Int = 0, seconds: Double = 20) -> Int? {
            let n = Array(needle.utf8)
            let deadline = Date().addingTimeInterval(seconds)
            var buf = [UInt8](repeating: 0, count: 65536)
            var scanned = from          // only bytes that arrived since the last look are searched
            while true {
                if let i = find(n, from: scanned) { return i }
                scanned = max(from, output.count - n.count + 1)
                guard Date() < deadline else { return nil }
                var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, 100) > 0 else { continue }
                let k = read(master, &buf, buf.count)
                if k > 0 { output.append(contentsOf: buf[0..<k]) } else if k <= 0 && !process.isRunning { return find(n, from: from) }
            }
        }

        /// Reads whatever arrives for `seconds`.
        func pump(seconds: Double) { _ = waitFor("\u{0}never\u{0}", seconds: seconds) }

        /// The kitty commands (keys only) in order, with their offsets (for failure messages).
        var summary: String {
            var out: [String] = []
            var i = 0
            let start = Array("\u{1B}_G".utf8)
            while let j = find(start, from: i) {
                var k = j + 3
                while k < output.count, output[k] != UInt8(ascii: ";"), output[k] != 0x1B { k += 1 }
                out.append("\(j):" + String(decoding: output[(j + 3)..<k], as: UTF8.self))
                i = k
            }
            return out.filter { !$0.contains(":m=1") }.joined(separator: " ")
        }

        func find(_ n: [UInt8], from: Int) -> Int? {
            guard output.count >= n.count, from <= output.count - n.count else { return nil }
            return output.withUnsafeBufferPointer { b -> Int? in
                var i = max(0, from)
                outer: while i <= b.count - n.count {
                    for k in 0..<n.count where b[i + k] != n[k] { i += 1; continue outer }
                    return i
                }
                return nil
            }
        }
    }

    static func folder() throws -> (URL, [String: String]) {
        let dir = try Fixtures.tempDirectory("clipscope-pty")
        let assets = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Assets/demo")
        let images = dir.appendingPathComponent("images", isDirectory: true)
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        for name in ["00_red_triangle.png", "01_red_triangle_x2.jpg", "05_green_circle_x2.jpg"] {
            try FileManager.default.copyItem(at: assets.appendingPathComponent(name), to: images.appendingPathComponent(name))
        }
        var env = ProcessInfo.processInfo.environment
        env["TERM"] = "xterm-256color"
        env["LANG"] = "C.UTF-8"
        env["LC_ALL"] = "C.UTF-8"
        env["LINES"] = "30"
        env["COLUMNS"] = "100"
        env["CLIPSCOPE_CACHE_DIR"] = dir.appendingPathComponent("cache").path
        env.removeValue(forKey: "NO_COLOR")
        env.removeValue(forKey: "CLIPSCOPE_PREVIEW")
        env.removeValue(forKey: "TMUX")
        return (images, env)
    }

    @Test func kittyPicturesAreDeletedOnOverlayAndOnExit() throws {
        let (images, env) = try Self.folder()
        let s = try PTYSession(arguments: ["explore", "--model", "demo", "--preview", "kitty", "--no-mouse", images.path], environment: env)
        // Start-up: the first file's picture, no key pressed.
        let shown = try #require(s.waitFor("\u{1B}_Ga=T,f=24,"), "no kitty picture at start-up")
        let idStart = try #require(s.waitFor(",i=", after: shown))
        let idEnd = try #require(s.waitFor(",", after: idStart + 3))
        let id = String(decoding: s.output[(idStart + 3)..<idEnd], as: UTF8.self)
        #expect(Int(id) != nil)
        let delete = "\u{1B}_Ga=d,d=I,i=\(id),q=2\u{1B}\\"
        let end = try #require(s.waitFor("\u{1B}_Gm=0;", after: shown), "the chunked transmission ends with m=0")
        // A query, Enter: the top result is selected and shown (its picture replaces the first one).
        s.send("red\r")
        let top = try #require(s.waitFor("\u{1B}_Ga=T,f=24,", after: end), "no picture for the top result: \(s.summary)")
        let topEnd = try #require(s.waitFor("\u{1B}_Gm=0;", after: top))
        s.pump(seconds: 0.5)
        // Help overlay: the picture is deleted.
        let mark = s.output.count
        s.send("?")
        let deleted = try #require(s.waitFor(delete, after: max(mark, topEnd)), "no delete when the help overlay opened: \(s.summary)")
        // Close help: shown again; quit: deleted again before the program ends.
        s.send("q")
        let again = try #require(s.waitFor("\u{1B}_Ga=T,f=24,", after: deleted), "not shown again after the overlay: \(s.summary)")
        _ = s.waitFor("\u{1B}_Gm=0;", after: again)
        s.pump(seconds: 0.5)
        s.send("q")
        let last = s.waitFor(delete, after: again)
        #expect(last != nil, "no delete on exit: \(s.summary)")
        s.process.waitUntilExit()
        #expect(s.process.terminationStatus == 0)
        // Nothing is transmitted after the last delete.
        if let last { #expect(s.find(Array("\u{1B}_Ga=T".utf8), from: last) == nil) }
    }

    /// `ESC _G keys ; data ESC \` commands in `bytes` from `from` on, in order.
    static func kittyCommands(_ bytes: [UInt8], from: Int) -> [(keys: [String: String], data: String)] {
        let text = String(decoding: bytes[from...], as: UTF8.self)
        var out: [(keys: [String: String], data: String)] = []
        var rest = Substring(text)
        while let start = rest.range(of: "\u{1B}_G") {
            guard let end = rest.range(of: "\u{1B}\\", range: start.upperBound..<rest.endIndex) else { break }
            let parts = rest[start.upperBound..<end.lowerBound].split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
            var keys: [String: String] = [:]
            for kv in parts[0].split(separator: ",") {
                let p = kv.split(separator: "=", maxSplits: 1)
                if p.count == 2 { keys[String(p[0])] = String(p[1]) }
            }
            out.append((keys, parts.count > 1 ? String(parts[1]) : ""))
            rest = rest[end.upperBound...]
        }
        return out
    }

    /// The grid (`v`) in a real pseudo-terminal: one kitty picture per result, each decoded back into
    /// pixels equal to the thumbnail of that file for its block (the box the layout gives it). The
    /// block's pixel box follows the cell size: 10×20 here (the pty's TIOCGWINSZ has no pixel size and
    /// the child has no controlling terminal to ask `CSI 16 t` through, so nothing answers).
    @Test func kittyGridPayloadsDecodeToEachResultsThumbnail() throws {
        let answer: CellPixels? = nil
        let (images, env) = try Self.folder()
        let s = try PTYSession(arguments: ["explore", "--model", "demo", "--preview", "kitty", "--no-mouse", images.path], environment: env)
        if let answer {
            _ = try #require(s.waitFor("\u{1B}[16t"), "no cell-size query")
            s.send("\u{1B}[6;\(answer.height);\(answer.width)t\u{1B}[?62c")
        }
        let cell = answer ?? .fallback
        let first = try #require(s.waitFor("\u{1B}_Gm=0;"), "no picture at start-up")
        s.send("red\r")
        _ = s.waitFor("\u{1B}_Ga=T,f=24,", after: first + 1)
        s.pump(seconds: 0.5)
        let mark = s.output.count
        s.send("v")
        // Three files: three thumbnails (ids with bit 30 set), each transmitted in full (m=0 last).
        let deadline = Date().addingTimeInterval(20)
        var pictures: [UInt32: (keys: [String: String], data: String)] = [:]
        while Date() < deadline {
            s.pump(seconds: 0.3)
            pictures = [:]
            var current: (id: UInt32, keys: [String: String], data: String)?
            for c in Self.kittyCommands(s.output, from: mark) {
                if c.keys["a"] == "T", let id = c.keys["i"].flatMap(UInt32.init) {
                    current = (id, c.keys, c.data)
                } else if c.keys["a"] == nil, var cur = current {
                    cur.data += c.data
                    current = cur
                }
                if let cur = current, (c.keys["m"] ?? "0") == "0" {
                    if cur.id & 0x4000_0000 != 0 { pictures[cur.id] = (cur.keys, cur.data) }
                    current = nil
                }
            }
            if pictures.count == 3 { break }
        }
        #expect(pictures.count == 3, "thumbnails: \(s.summary)")
        var state = AppState(size: Size(width: 100, height: 30), modelName: "demo", isDemo: true, dimensions: [64], folderPath: images.path,
                             options: ExplorerOptions(preview: .kitty, cellPixels: cell))
        state.grid = true
        let pane = try #require(Layout.compute(size: state.size, state: state)[.results])
        let geometry = try #require(ResultsGrid.geometry(inner: pane.inset(1), options: state.options))
        let names = ["00_red_triangle.png", "01_red_triangle_x2.jpg", "05_green_circle_x2.jpg"]
        for (id, pic) in pictures {
            let item = Int(id & 0x3FFF_FFFF) - 1
            try #require(names.indices.contains(item))
            let key = ResultsGrid.key(id: item, geometry, state.options)
            let expected = try Thumbnail.make(fileAt: images.appendingPathComponent(names[item]), maxWidth: key.maxWidth, maxHeight: key.maxHeight)
            #expect(pic.keys["f"] == "24" && pic.keys["s"] == "\(expected.width)" && pic.keys["v"] == "\(expected.height)", "\(names[item]): \(pic.keys)")
            let pixels = try #require(Data(base64Encoded: pic.data), "\(names[item]): base64")
            #expect(Array(pixels) == expected.pixels, "\(names[item]): pixels differ from its thumbnail")
            #expect(Int(pic.keys["c"] ?? "") ?? 99 <= geometry.imageCols && Int(pic.keys["r"] ?? "") ?? 99 <= geometry.imageRows)
        }
        s.send("q")
        s.pump(seconds: 3)          // until the program has ended and its last bytes are read
        s.process.waitUntilExit()
        #expect(s.process.terminationStatus == 0)
        // Every thumbnail is deleted before the program ends.
        let tail = Self.kittyCommands(s.output, from: mark).filter { $0.keys["a"] == "d" }.compactMap { $0.keys["i"].flatMap(UInt32.init) }
        for id in pictures.keys { #expect(tail.contains(id), "thumbnail \(id) not deleted on exit") }
    }

    @Test func sixelPicturesAreEmittedAtTheirCellAndNoKittyCommandsAppear() throws {
        let (images, env) = try Self.folder()
        let s = try PTYSession(arguments: ["explore", "--model", "demo", "--preview", "sixel", "--no-mouse", images.path], environment: env)
        let start = try #require(s.waitFor("\u{1B}P0;1;0q"), "no sixel picture at start-up")
        // Saved cursor, moved to the picture's cell just before the payload; restored after it.
        let before = String(decoding: s.output[max(0, start - 16)..<start], as: UTF8.self)
        #expect(before.contains("\u{1B}7\u{1B}["))
        #expect(s.waitFor("\u{1B}\\\u{1B}8", after: start) != nil)
        s.send("\u{1B}")
        Thread.sleep(forTimeInterval: 0.3)
        s.send("q")
        s.process.waitUntilExit()
        #expect(s.process.terminationStatus == 0)
        #expect(s.find(Array("\u{1B}_G".utf8), from: 0) == nil)
    }
}

// glibc's pseudo-terminal calls (not exported by the Glibc module without _XOPEN_SOURCE).
@_silgen_name("posix_openpt") private func ptyOpen(_ flags: Int32) -> Int32
@_silgen_name("grantpt") private func ptyGrant(_ fd: Int32) -> Int32
@_silgen_name("unlockpt") private func ptyUnlock(_ fd: Int32) -> Int32
@_silgen_name("ptsname") private func ptyName(_ fd: Int32) -> UnsafeMutablePointer<CChar>?
