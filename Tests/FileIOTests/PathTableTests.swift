// PathTable against the paths it was built from: every path back byte for byte (relative, absolute,
// name, folder), lookups by binary search, a recurring folder stored once, raw non-UTF-8 bytes.
import Foundation
import Testing
@testable import FileIO

@Suite struct PathTableTests {
    static let relative: [[UInt8]] = [
        "a.png", "a/a.png", "a/b/c.jpg", "a/b/d.jpg", "a/e.png", "b/x.gif", "b/y.gif",
    ].map { Array($0.utf8) } + [Array("c/".utf8) + [0xff, 0xfe] + Array(".png".utf8)]

    static func table(_ paths: [[UInt8]], root: String = "/photos") -> PathTable {
        var b = PathTable.Builder(root: Array(root.utf8))
        for (i, p) in paths.enumerated() { #expect(b.add(relative: p) == i) }
        return b.build()
    }

    @Test func everyPathComesBackAsItWasAdded() {
        let t = Self.table(Self.relative)
        #expect(t.count == Self.relative.count && t.isSorted)
        for (i, p) in Self.relative.enumerated() {
            #expect(t.relativeBytes(i) == p)
            #expect(t.absoluteBytes(i) == Array("/photos/".utf8) + p)
            let slash = p.lastIndex(of: UInt8(ascii: "/"))
            #expect(Array(t.nameBytes(i)) == Array(slash.map { p[($0 + 1)...] } ?? p[...]))
            #expect(t.folder(i) == String(decoding: slash.map { p[..<$0] } ?? [], as: UTF8.self))
            #expect(t.relative(i) == String(decoding: p, as: UTF8.self))
        }
        // "", "a", "a/b", "b", "c": each folder once, although "a" recurs after "a/b".
        #expect(t.folderCount == 5 && t.folderID(of: 1) == t.folderID(of: 4))
        // A root given with its trailing slash does not double it.
        #expect(Self.table(Self.relative, root: "/").absolute(1) == "/a/a.png")
    }

    @Test func lookupsFindEveryPathAndNothingElse() {
        let t = Self.table(Self.relative)
        for (i, p) in Self.relative.enumerated() { #expect(t.index(ofRelative: p) == i) }
        for missing in ["", "a", "a/b", "a/b/c.jp", "b/z.gif", "zz.png"] { #expect(t.index(ofRelative: Array(missing.utf8)) == nil) }
        // Added out of order: not sorted, and the lookup still finds every path.
        let shuffled = Self.table(Array(Self.relative.reversed()))
        #expect(!shuffled.isSorted)
        for (i, p) in Self.relative.reversed().enumerated() { #expect(shuffled.index(ofRelative: p) == i) }
    }

    @Test func compareRelativeIsBytewiseOrderOfTheWholePath() {
        // Prefixes across the "/" ("a" < "a.png" < "a/a.png" < "a0"), a path shorter or longer than the
        // table's, and a non-UTF-8 byte above every ASCII one.
        let t = Self.table(Self.relative)
        let probes = Self.relative + ["", "a", "a/", "a/b", "a/b/c.jpgx", "a0", "b", "c/\u{ff}"].map { Array($0.utf8) }
        for i in 0..<t.count {
            for p in probes {
                let c = p.withUnsafeBytes { t.compareRelative(i, to: $0) }
                let want: Int32 = Self.relative[i] == p ? 0 : (PathTable.bytewiseLess(Self.relative[i], p) ? -1 : 1)
                #expect(c.signum() == want, "\(t.relative(i)) vs \(String(decoding: p, as: UTF8.self))")
            }
        }
        // Slices of a larger buffer add as the same paths.
        let buffer = Self.relative.reduce([], +)
        var b = PathTable.Builder(root: [])
        var start = 0
        for p in Self.relative { b.add(relative: buffer[start..<(start + p.count)]); start += p.count }
        let fromSlices = b.build()
        #expect(fromSlices.isSorted && (0..<fromSlices.count).map { fromSlices.relativeBytes($0) } == Self.relative)
    }

    @Test func aTableHoldsEachNameOnceAndEachFolderOnce() {
        // 2,000 files in 20 folders: names + folders + 12 bytes per file, against two strings per file.
        var paths: [[UInt8]] = []
        for f in 0..<20 { for i in 0..<100 { paths.append(Array(String(format: "folder%02d/img%05d.png", f, f * 100 + i).utf8)) } }
        let t = Self.table(paths)
        let names = paths.reduce(0) { $0 + $1.count } - 2000 * 9          // minus "folderNN/"
        #expect(t.byteCount == 7 + names + 20 * (8 + 4) + 2000 * 8)
        #expect(t.index(ofRelative: paths[1234]) == 1234)
    }

    @Test func aOneFileTableKeepsBothPathsAsGiven() {
        let t = PathTable(relative: "x/photo-1.jpg", absolute: "/elsewhere/real.jpg")
        #expect(t.count == 1 && t.relative(0) == "x/photo-1.jpg" && t.absolute(0) == "/elsewhere/real.jpg")
        #expect(t.name(0) == "photo-1.jpg" && t.folder(0) == "x")
    }
}
