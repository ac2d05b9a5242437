// The explorer in a pseudo-terminal with `--preview kitty`: the bytes it writes are read back and
// the kitty commands checked in order — the first file's picture is transmitted (a=t) and placed
// (a=p) without a key press, unplaced (a=d,d=i by its id) when the help overlay opens, placed again
// without re-sending its data when it closes, and deleted with its data (a=d,d=I) before the
// program exits. The same with sixel: the overlay makes ncurses repaint the cells the picture
// covered (no kitty commands at all in that mode).
import Explorer
import Foundation
import Imaging
import TermGraphics
import TestSupport
import Testing
import TUI

@Suite(.serialized) struct PreviewPtyTests {
    /// The explorer on the slave side of a pseudo-terminal that is its controlling terminal: spawned
    /// with POSIX_SPAWN_SETSID (a new session, no controlling terminal) and the slave opened as
    /// stdin without O_NOCTTY, which makes it the session's controlling terminal (Linux), so the
    /// program can open /dev/tty and ask the terminal questions (`CSI 16 t`) as in a real one.
    final class PTYSession {
        let master: Int32
        let process: Child
        var output: [UInt8] = []

        init(arguments: [String], environment: [String: String]) throws {
            master = ptyOpen(O_RDWR | O_NOCTTY)
            guard master >= 0, ptyGrant(master) == 0, ptyUnlock(master) == 0, let name = ptyName(master) else {
                throw CocoaError(.fileNoSuchFile)
            }
            let slavePath = String(cString: name)
            let binary = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug/clipscope")
            process = try Child(binary: binary.path, arguments: arguments, environment: environment, tty: slavePath)
        }

        deinit {
            process.terminate()
            close(master)
        }

        /// A spawned process: its id, and its exit status once reaped.
        final class Child {
            let pid: pid_t
            private var status: Int32?

            init(binary: String, arguments: [String], environment: [String: String], tty: String) throws {
                var attr = posix_spawnattr_t()
                posix_spawnattr_init(&attr)
                defer { posix_spawnattr_destroy(&attr) }
                // A new session; signals unblocked and at their defaults (as Foundation's Process does).
                posix_spawnattr_setflags(&attr, spawnSetsid | spawnSetSigmask | spawnSetSigdef)
                var none = sigset_t(), all = sigset_t()
                sigemptyset(&none)
                sigfillset(&all)
                posix_spawnattr_setsigmask(&attr, &none)
                posix_spawnattr_setsigdefault(&attr, &all)
                var actions = posix_spawn_file_actions_t()
                posix_spawn_file_actions_init(&actions)
                defer { posix_spawn_file_actions_destroy(&actions) }
                posix_spawn_file_actions_addopen(&actions, 0, tty, O_RDWR, 0)    // no O_NOCTTY: it becomes the controlling tty
                posix_spawn_file_actions_adddup2(&actions, 0, 1)
                posix_spawn_file_actions_adddup2(&actions, 0, 2)
                let argv = ([binary] + arguments).map { strdup($0) } + [nil]
                let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
                defer { (argv + envp).forEach { free($0) } }
                var pid: pid_t = 0
                let rc = posix_spawn(&pid, binary, &actions, &attr, argv, envp)
                guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
                self.pid = pid
            }

            private func reap(block: Bool) {
                guard status == nil else { return }
                var st: Int32 = 0
                if waitpid(pid, &st, block ? 0 : WNOHANG) == pid { status = st }
            }

            var isRunning: Bool { reap(block: false); return status == nil }
            func waitUntilExit() { reap(block: true) }
            /// The exit code (128 + signal when killed by one).
            var terminationStatus: Int32 {
                guard let st = status else { return -1 }
                return st & 0x7F == 0 ? (st >> 8) & 0xFF : 128 + (st & 0x7F)
            }
            func terminate() {
                guard isRunning else { return }
                kill(pid, SIGTERM)
                reap(block: true)
            }
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
        // Start-up: the first file's picture is transmitted and placed, no key pressed.
        let shown = try #require(s.waitFor("\u{1B}_Ga=t,f=24,"), "no kitty picture at start-up")
        let end = try #require(s.waitFor("\u{1B}_Gm=0;", after: shown), "the chunked transmission ends with m=0")
        _ = try #require(s.waitFor("\u{1B}_Ga=p,i=", after: end), "the picture is not placed: \(s.summary)")
        // A query, Enter: the top result is selected and shown.
        s.send("red\r")
        s.pump(seconds: 1)
        let placedID = Self.kittyCommands(s.output, from: 0).last { $0.keys["a"] == "p" }?.keys["i"]
        let id = try #require(placedID, "nothing placed: \(s.summary)")
        // Help overlay: the picture is unplaced (its data stays with the terminal).
        let mark = s.output.count
        s.send("?")
        let unplaced = try #require(s.waitFor("\u{1B}_Ga=d,d=i,i=\(id),q=2\u{1B}\\", after: mark), "not removed when the help overlay opened: \(s.summary)")
        // Close help: placed again without sending the data again.
        s.send("q")
        let again = try #require(s.waitFor("\u{1B}_Ga=p,i=\(id),", after: unplaced), "not shown again after the overlay: \(s.summary)")
        #expect(s.find(Array("\u{1B}_Ga=t".utf8), from: mark).map { $0 > again } ?? true, "re-sent after the overlay: \(s.summary)")
        s.pump(seconds: 0.5)
        // Quit: placements and data deleted before the program ends.
        s.send("q")
        let last = s.waitFor("\u{1B}_Ga=d,d=I,i=\(id),q=2\u{1B}\\", after: again)
        #expect(last != nil, "no delete on exit: \(s.summary)")
        s.process.waitUntilExit()
        #expect(s.process.terminationStatus == 0)
        // Nothing is transmitted or placed after the last delete.
        if let last {
            #expect(s.find(Array("\u{1B}_Ga=t".utf8), from: last) == nil)
            #expect(s.find(Array("\u{1B}_Ga=p".utf8), from: last) == nil)
        }
    }

    /// `ESC _G keys ; data ESC \` commands in `bytes` from `from` on, in order.
    static func kittyCommands(_ bytes: [UInt8], from: Int) -> [KittyCommands.Command] {
        KittyCommands.parse(String(decoding: bytes[from...], as: UTF8.self))
    }

    /// The grid (`v`) in a real pseudo-terminal: one kitty picture per result, each decoded back into
    /// pixels equal to the thumbnail of that file for its block (the box the layout gives it). The
    /// block's pixel box follows the cell size: the pty's TIOCGWINSZ has no pixel size, so the program
    /// asks `CSI 16 t` on its controlling terminal; answered `CSI 6 ; 16 ; 8 t` (and DA1), the cells
    /// are 8×16; unanswered, the 100 ms wait ends and the cells are taken as 10×20.
    @Test(arguments: [false, true]) func kittyGridPayloadsDecodeToEachResultsThumbnail(answers: Bool) throws {
        let answer: CellPixels? = answers ? CellPixels(width: 8, height: 16) : nil
        let (images, env) = try Self.folder()
        let s = try PTYSession(arguments: ["explore", "--model", "demo", "--preview", "kitty", "--no-mouse", images.path], environment: env)
        let query = try #require(s.waitFor("\u{1B}[16t\u{1B}[c"), "no cell-size query on the controlling terminal")
        if let answer { s.send("\u{1B}[6;\(answer.height);\(answer.width)t\u{1B}[?62c") }
        let cell = answer ?? .fallback
        _ = try #require(s.waitFor("\u{1B}_Ga=p,", after: query), "no picture at start-up")
        s.send("red\r")
        s.pump(seconds: 1)
        let mark = s.output.count
        s.send("v")
        // Three files: three thumbnails (ids with bit 30 set), each transmitted in full (m=0 last).
        let deadline = Date().addingTimeInterval(20)
        var pictures: [UInt32: (keys: [String: String], data: String)] = [:]
        var placements: [UInt32: [String: String]] = [:]
        while Date() < deadline {
            s.pump(seconds: 0.3)
            pictures = [:]
            var current: (id: UInt32, keys: [String: String], data: String)?
            for c in Self.kittyCommands(s.output, from: mark) {
                if c.keys["a"] == "p", let id = c.keys["i"].flatMap(UInt32.init) { placements[id] = c.keys }
                if c.keys["a"] == "t", let id = c.keys["i"].flatMap(UInt32.init) {
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
            if pictures.count == 3 && pictures.keys.allSatisfy({ placements[$0] != nil }) { break }
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
            let place = placements[id] ?? [:]
            #expect(Int(place["c"] ?? "") ?? 99 <= geometry.imageCols && Int(place["r"] ?? "") ?? 99 <= geometry.imageRows, "\(names[item]): \(place)")
        }
        s.send("q")
        s.pump(seconds: 3)          // until the program has ended and its last bytes are read
        s.process.waitUntilExit()
        #expect(s.process.terminationStatus == 0)
        // Every thumbnail is deleted with its data before the program ends.
        let tail = Self.kittyCommands(s.output, from: mark).filter { $0.keys["a"] == "d" && $0.keys["d"] == "I" }.compactMap { $0.keys["i"].flatMap(UInt32.init) }
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
/// glibc's POSIX_SPAWN_SETSID, _SETSIGMASK, _SETSIGDEF (<spawn.h>; SETSID is not imported by the Glibc module).
private let spawnSetsid: Int16 = 0x80
private let spawnSetSigmask: Int16 = 0x08
private let spawnSetSigdef: Int16 = 0x04
