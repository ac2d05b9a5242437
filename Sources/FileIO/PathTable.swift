// One copy of a folder's file paths, shared by everything that refers to its files by id:
//
//   folders   every distinct folder (relative to the root, "/"-separated, "" = the root) once, in one
//             contiguous byte buffer with end offsets
//   names     every file name once, in one contiguous byte buffer with end offsets
//   file i    (folder id, name i):  relative(i) = folder + "/" + name (name alone in the root)
//                                   absolute(i) = root + "/" + relative(i)
//
// Memory: Σ name bytes + Σ folder bytes + 8 bytes per file (folder id, name end) + 4 per folder, against
// two heap-allocated path strings (~150 bytes with their headers) per file otherwise. Paths are raw
// bytes (file names need not be UTF-8); the String accessors decode them (invalid bytes → U+FFFD).
// Ids follow the order paths were added; `index(ofRelative:)` finds one by binary search when they
// were added in bytewise order (`isSorted`).
import Foundation

public final class PathTable: Sendable {
    public let root: [UInt8]
    private let folderBytes: [UInt8]
    private let folderEnds: [UInt32]
    private let nameBytes: [UInt8]
    private let nameEnds: [UInt32]
    private let folderOfFile: [UInt32]
    /// A one-file table given both paths as they are (an absolute path that is not root + relative).
    private let absoluteOverride: [UInt8]?
    /// Relative paths were added in bytewise order.
    public let isSorted: Bool

    public var count: Int { nameEnds.count }
    public var folderCount: Int { folderEnds.count }

    /// Accumulates paths, then `build()` freezes them into a table.
    public struct Builder {
        let root: [UInt8]
        var folderBytes: [UInt8] = []
        var folderEnds: [UInt32] = []
        var nameBytes: [UInt8] = []
        var nameEnds: [UInt32] = []
        var folderOfFile: [UInt32] = []
        var folderIDs: [[UInt8]: UInt32] = [:]
        var lastFolder: (bytes: [UInt8], id: UInt32)?
        var sorted = true

        public init(root: [UInt8], capacity: Int = 0) {
            self.root = root
            nameEnds.reserveCapacity(capacity)
            folderOfFile.reserveCapacity(capacity)
        }

        /// Adds a "/"-separated path relative to the root; returns its id.
        @discardableResult
        public mutating func add(relative path: [UInt8]) -> Int { add(relative: path[...]) }

        /// The same for a slice (a path inside a larger buffer); nothing is allocated per path when its
        /// folder is the previous path's folder.
        @discardableResult
        public mutating func add(relative path: ArraySlice<UInt8>) -> Int {
            if sorted, let last = lastFolder, !nameEnds.isEmpty {
                // The previous path (in the last folder) must come before this one.
                let name = (nameEnds.count == 1 ? 0 : Int(nameEnds[nameEnds.count - 2]))..<Int(nameEnds[nameEnds.count - 1])
                let c = last.bytes.withUnsafeBytes { f in
                    nameBytes.withUnsafeBytes { nb in
                        path.withUnsafeBytes { PathTable.compare(folder: f, name: UnsafeRawBufferPointer(rebasing: nb[name]), to: $0) }
                    }
                }
                if c >= 0 { sorted = false }
            }
            let slash = path.lastIndex(of: UInt8(ascii: "/"))
            let folder = slash.map { path[..<$0] } ?? path[path.startIndex..<path.startIndex]
            let name = slash.map { path[($0 + 1)...] } ?? path
            let fid: UInt32
            if let last = lastFolder, last.bytes.elementsEqual(folder) { fid = last.id }
            else if let known = folderIDs[Array(folder)] { fid = known; lastFolder = (Array(folder), fid) }
            else {
                fid = UInt32(folderEnds.count)
                folderBytes += folder
                folderEnds.append(UInt32(folderBytes.count))
                folderIDs[Array(folder)] = fid
                lastFolder = (Array(folder), fid)
            }
            nameBytes += name
            nameEnds.append(UInt32(nameBytes.count))
            folderOfFile.append(fid)
            return nameEnds.count - 1
        }

        public func build() -> PathTable {
            PathTable(root: root, folderBytes: folderBytes, folderEnds: folderEnds, nameBytes: nameBytes, nameEnds: nameEnds,
                      folderOfFile: folderOfFile, absoluteOverride: nil, isSorted: sorted)
        }
    }

    private init(root: [UInt8], folderBytes: [UInt8], folderEnds: [UInt32], nameBytes: [UInt8], nameEnds: [UInt32],
                 folderOfFile: [UInt32], absoluteOverride: [UInt8]?, isSorted: Bool) {
        self.root = root
        self.folderBytes = folderBytes
        self.folderEnds = folderEnds
        self.nameBytes = nameBytes
        self.nameEnds = nameEnds
        self.folderOfFile = folderOfFile
        self.absoluteOverride = absoluteOverride
        self.isSorted = isSorted
    }

    /// A table of one file with both of its paths given (tests, benchmarks, a file outside any folder).
    public convenience init(relative: String, absolute: String) {
        var b = Builder(root: [])
        b.add(relative: Array(relative.utf8))
        self.init(root: [], folderBytes: b.folderBytes, folderEnds: b.folderEnds, nameBytes: b.nameBytes, nameEnds: b.nameEnds,
                  folderOfFile: b.folderOfFile, absoluteOverride: Array(absolute.utf8), isSorted: true)
    }

    // MARK: bytes

    private func nameRange(_ i: Int) -> Range<Int> { (i == 0 ? 0 : Int(nameEnds[i - 1]))..<Int(nameEnds[i]) }
    private func folderRange(_ f: Int) -> Range<Int> { (f == 0 ? 0 : Int(folderEnds[f - 1]))..<Int(folderEnds[f]) }

    public func folderID(of i: Int) -> Int { Int(folderOfFile[i]) }
    public func nameBytes(_ i: Int) -> ArraySlice<UInt8> { nameBytes[nameRange(i)] }
    public func folderBytes(ofFolder f: Int) -> ArraySlice<UInt8> { folderBytes[folderRange(f)] }

    /// memcmp order of relative path i against `path` (negative, 0, positive), without building the path.
    public func compareRelative(_ i: Int, to path: UnsafeRawBufferPointer) -> Int32 {
        let folder = folderRange(folderID(of: i)), name = nameRange(i)
        return folderBytes.withUnsafeBytes { fb in
            nameBytes.withUnsafeBytes { nb in
                Self.compare(folder: UnsafeRawBufferPointer(rebasing: fb[folder]), name: UnsafeRawBufferPointer(rebasing: nb[name]), to: path)
            }
        }
    }

    /// memcmp order of the relative path folder + "/" + name (name alone for the root) against `path`.
    static func compare(folder: UnsafeRawBufferPointer, name: UnsafeRawBufferPointer, to path: UnsafeRawBufferPointer) -> Int32 {
        var pos = 0
        // One segment against the next bytes of `path`; nil: equal so far.
        func step(_ seg: UnsafeRawBufferPointer) -> Int32? {
            let n = min(seg.count, path.count - pos)
            if n > 0 {
                let c = memcmp(seg.baseAddress!, path.baseAddress! + pos, n)
                if c != 0 { return c }
            }
            if n < seg.count { return 1 }       // `path` ended first
            pos += n
            return nil
        }
        if !folder.isEmpty {
            if let c = step(folder) { return c }
            var slash = UInt8(ascii: "/")
            if let c = withUnsafeBytes(of: &slash, { step($0) }) { return c }
        }
        if let c = step(name) { return c }
        return pos < path.count ? -1 : 0
    }

    public func relativeBytes(_ i: Int) -> [UInt8] {
        let folder = folderBytes(ofFolder: folderID(of: i))
        var out: [UInt8] = []
        out.reserveCapacity(folder.count + 1 + nameRange(i).count)
        if !folder.isEmpty { out += folder; out.append(UInt8(ascii: "/")) }
        out += nameBytes(i)
        return out
    }

    public func absoluteBytes(_ i: Int) -> [UInt8] {
        if let absoluteOverride { return absoluteOverride }
        var out = root
        if out.last != UInt8(ascii: "/") { out.append(UInt8(ascii: "/")) }
        return out + relativeBytes(i)
    }

    // MARK: strings (UTF-8 decoded, invalid bytes as U+FFFD)

    public func relative(_ i: Int) -> String { String(decoding: relativeBytes(i), as: UTF8.self) }
    public func absolute(_ i: Int) -> String { String(decoding: absoluteBytes(i), as: UTF8.self) }
    public func name(_ i: Int) -> String { String(decoding: nameBytes(i), as: UTF8.self) }
    public func folder(_ i: Int) -> String { String(decoding: folderBytes(ofFolder: folderID(of: i)), as: UTF8.self) }

    // MARK: lookup

    /// The id of a relative path, by binary search (the table must be sorted); nil when absent.
    public func index(ofRelative path: [UInt8]) -> Int? {
        path.withUnsafeBytes { index(ofRelative: $0) }
    }

    /// The same for a path in raw bytes.
    public func index(ofRelative path: UnsafeRawBufferPointer) -> Int? {
        guard isSorted else { return (0..<count).first { compareRelative($0, to: path) == 0 } }
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if compareRelative(mid, to: path) < 0 { lo = mid + 1 } else { hi = mid }
        }
        return lo < count && compareRelative(lo, to: path) == 0 ? lo : nil
    }

    /// memcmp order, the shorter first on a common prefix (as ItemPath's `<`).
    public static func bytewiseLess(_ a: [UInt8], _ b: [UInt8]) -> Bool { bytewiseLess(a[...], b[...]) }

    public static func bytewiseLess(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                let n = min(x.count, y.count)
                let c = n == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, n)
                return c != 0 ? c < 0 : x.count < y.count
            }
        }
    }

    /// Bytes held by the table (its buffers' contents, not their allocation headers).
    public var byteCount: Int {
        root.count + folderBytes.count + 4 * folderEnds.count + nameBytes.count + 4 * nameEnds.count + 4 * folderOfFile.count
    }
}
