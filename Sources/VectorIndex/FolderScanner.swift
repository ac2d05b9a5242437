// Recursive folder scan with raw-byte paths (POSIX opendir/readdir: file names need not be UTF-8,
// and Foundation would mangle them). Never throws for a file inside the folder: every file that is
// not indexed is accounted for, either as an unsupported image format or as skipped with a reason.
//
//   supported     .jpg .jpeg .png .webp .gif .bmp .tif .tiff .heic .heif .hif .avif (case-insensitive)
//   unsupported   .jxl: recognised images we cannot decode
//   skipped       unreadable files/directories, dangling symlinks, symlink loops (each with a reason), and
//                 symbolic links that lead out of the folder unless `followLinks` (a link to `..` or to
//                 /etc/passwd named x.jpg is never opened by default; links within the folder are followed)
//   ignored       hidden entries (names starting with "."), files with other extensions
import FileIO
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct ScannedFile: Equatable, Sendable {
    public var relativePath: ItemPath    // relative to the scanned folder, "/"-separated
    /// The scanned folder's realpath (one buffer shared by every file of a scan).
    public var root: ItemPath
    /// Canonical folder + relative path (made on each use: a scan does not hold a second path per file).
    public var absolutePath: ItemPath { root.appending(relativePath) }
    public var size: UInt64
    public var mtimeNs: Int64
    public var inode: UInt64 = 0
    /// The directory entry is a symbolic link (within the folder, or any with `followLinks`): only then is
    /// a link followed when the file is opened; a file the scan saw as a file is opened with O_NOFOLLOW.
    public var viaLink = false
}

/// The supported images of a scan, sorted by relative path: their paths in one PathTable (file i = path i)
/// and their stat fields in one flat array; a `ScannedFile` is made when an element is read. Memory: the
/// table (8 B a file + the name bytes) + 24 B a file of stat fields, against a path array (its bytes and
/// a ~32 B heap header) and 48 B per file as a list of `ScannedFile`s.
public struct ScannedFiles: RandomAccessCollection, Sendable {
    struct Stat: Sendable { var size: UInt64, mtimeNs: Int64, inode: UInt64 }
    /// Every file's paths (root = the scanned folder's realpath).
    public let paths: PathTable
    let stats: [Stat]
    /// Bit i: file i was reached through a symbolic link.
    let viaLink: [UInt64]

    init(paths: PathTable, stats: [Stat], viaLink: [UInt64]) {
        self.paths = paths; self.stats = stats; self.viaLink = viaLink
    }

    /// No files (a folder's root kept).
    public init(root: ItemPath) { self.init(paths: PathTable.Builder(root: root.bytes).build(), stats: [], viaLink: []) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { stats.count }

    /// File i's size in bytes (without making its ScannedFile).
    public func size(_ i: Int) -> UInt64 { stats[i].size }

    public subscript(i: Int) -> ScannedFile {
        let st = stats[i]
        return ScannedFile(relativePath: ItemPath(bytes: paths.relativeBytes(i)), root: ItemPath(bytes: paths.root),
                           size: st.size, mtimeNs: st.mtimeNs, inode: st.inode, viaLink: viaLink[i >> 6] & (1 << UInt64(i & 63)) != 0)
    }
}

public struct FolderScan: Sendable {
    public var root: ItemPath                                     // realpath of the folder
    public var files: ScannedFiles                                // supported images, sorted by relative path
    public var unsupported: [(path: ItemPath, format: String)]    // recognised, undecodable formats
    public var skipped: [(path: ItemPath, reason: String)]
}

public struct ScanError: Error, CustomStringConvertible {
    public var description: String
}

public enum FolderScanner {
    public static let supportedExtensions: Set<String> = ["jpg", "jpeg", "png", "webp", "gif", "bmp", "tif", "tiff",
                                                          "heic", "heif", "hif", "avif"]
    public static let unsupportedExtensions: Set<String> = ["jxl"]

    public static let linkOutsideReason = "symbolic link out of the folder (not followed; --follow-links follows it)"

    public static func scan(_ folder: URL, followLinks: Bool = false) throws -> FolderScan {
        try scan(ItemPath(folder.path), followLinks: followLinks)
    }

    public static func scan(_ folder: ItemPath, followLinks: Bool = false) throws -> FolderScan {
        guard let root = realPath(folder) else {
            throw ScanError(description: "\(folder.string): \(String(cString: strerror(errno)))")
        }
        var st = stat()
        guard root.withCString({ stat($0, &st) }) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            throw ScanError(description: "\(folder.string): not a directory")
        }
        var unsupported: [(path: ItemPath, format: String)] = [], skipped: [(path: ItemPath, reason: String)] = []
        // The files' relative paths, back to back in the order read (ends in `pathEnds`), and their stats:
        // no per-file allocation; sorted below through a permutation.
        var pathBytes: [UInt8] = [], pathEnds: [Int] = [], stats: [ScannedFiles.Stat] = [], links: [Int] = []
        var visited: Set<DirID> = [DirID(st)]
        // Breadth first, one level at a time: the directories of a level are read in parallel (each
        // entry stat'ed once, relative to its open directory), then merged in order; the loop check
        // (`visited`) runs in the merge, so it sees directories in a fixed order.
        var level: [ItemPath] = [ItemPath(bytes: [])]   // relative directories still to read
        while !level.isEmpty {
            var listings = [DirListing](repeating: DirListing(), count: level.count)
            let dirs = level
            listings.withUnsafeMutableBufferPointer { out in
                let base = out.baseAddress!
                DispatchQueue.concurrentPerform(iterations: dirs.count) { i in
                    base[i] = readDirectory(dirs[i], root: root, followLinks: followLinks)
                }
            }
            level = []
            for (d, listing) in listings.enumerated() {
                let dir = dirs[d].bytes
                var start = 0, nextLink = 0
                for (k, end) in listing.nameEnds.enumerated() {
                    if !dir.isEmpty { pathBytes += dir; pathBytes.append(UInt8(ascii: "/")) }
                    pathBytes += listing.names[start..<end]
                    pathEnds.append(pathBytes.count)
                    start = end
                    if nextLink < listing.links.count && listing.links[nextLink] == k { links.append(stats.count); nextLink += 1 }
                    stats.append(listing.stats[k])
                }
                unsupported += listing.unsupported
                skipped += listing.skipped
                for (relPath, id) in listing.subdirectories {
                    guard visited.insert(id).inserted else {
                        skipped.append((relPath, "symbolic link loop (directory already scanned)"))
                        continue
                    }
                    level.append(relPath)
                }
            }
        }
        let n = stats.count
        var order = [Int32](unsafeUninitializedCapacity: n) { buf, made in
            for i in 0..<n { buf[i] = Int32(i) }
            made = n
        }
        pathBytes.withUnsafeBytes { bytes in
            pathEnds.withUnsafeBufferPointer { ends in
                func path(_ i: Int32) -> UnsafeRawBufferPointer {
                    let lo = i == 0 ? 0 : ends[Int(i) - 1]
                    return UnsafeRawBufferPointer(rebasing: bytes[lo..<ends[Int(i)]])
                }
                order.sort { a, b in
                    let x = path(a), y = path(b)
                    let m = min(x.count, y.count)
                    let c = m == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, m)
                    return c != 0 ? c < 0 : x.count < y.count
                }
            }
        }
        var table = PathTable.Builder(root: root.bytes, capacity: n)
        var sortedStats: [ScannedFiles.Stat] = []
        sortedStats.reserveCapacity(n)
        var position = [Int32](repeating: 0, count: links.isEmpty ? 0 : n)   // old index → sorted index
        for (k, i) in order.enumerated() {
            let lo = i == 0 ? 0 : pathEnds[Int(i) - 1]
            table.add(relative: pathBytes[lo..<pathEnds[Int(i)]])
            sortedStats.append(stats[Int(i)])
            if !links.isEmpty { position[Int(i)] = Int32(k) }
        }
        var viaLink = [UInt64](repeating: 0, count: (n + 63) / 64)
        for i in links { let k = Int(position[i]); viaLink[k >> 6] |= 1 << UInt64(k & 63) }
        unsupported.sort { $0.path < $1.path }
        skipped.sort { $0.path < $1.path }
        return FolderScan(root: root, files: ScannedFiles(paths: table.build(), stats: sortedStats, viaLink: viaLink),
                          unsupported: unsupported, skipped: skipped)
    }

    /// What one directory holds (its subdirectories are not read here).
    private struct DirListing {
        var names: [UInt8] = []               // the supported files' names, back to back
        var nameEnds: [Int] = []
        var stats: [ScannedFiles.Stat] = []
        var links: [Int] = []                 // the files reached through a symbolic link
        var unsupported: [(path: ItemPath, format: String)] = []
        var skipped: [(path: ItemPath, reason: String)] = []
        var subdirectories: [(path: ItemPath, id: DirID)] = []
    }

    /// Reads one directory: one fstatat per entry relative to the open directory (a second, following
    /// stat only for a symbolic link); regular files with other extensions are not stat'ed when the
    /// directory entry already says they are regular files.
    private static func readDirectory(_ rel: ItemPath, root: ItemPath, followLinks: Bool) -> DirListing {
        var out = DirListing()
        let absDir = root.appending(rel)
        guard let dir = absDir.withCString({ opendir($0) }) else {
            out.skipped.append((rel, "cannot read directory: \(String(cString: strerror(errno)))"))
            return out
        }
        defer { closedir(dir) }
        let dfd = dirfd(dir)
        while let ent = readdir(dir) {
            // The entry's name in place (valid until the next readdir): nothing is allocated per file.
            let cname = UnsafeRawPointer(ent).advanced(by: MemoryLayout<dirent>.offset(of: \dirent.d_name)!)
                .assumingMemoryBound(to: CChar.self)
            let name = UnsafeRawBufferPointer(start: cname, count: strlen(cname))
            if name.isEmpty || name[0] == UInt8(ascii: ".") { continue }   // ".", "..", hidden
            let type = ent.pointee.d_type
            let ext = fileExtension(name)
            let supported = supportedExtensions.contains(ext)
            if type == UInt8(DT_REG) && !supported && !unsupportedExtensions.contains(ext) { continue }
            func relPath() -> ItemPath { rel.appending(ItemPath(bytes: Array(name))) }
            var lst = stat()
            guard fstatat(dfd, cname, &lst, AT_SYMLINK_NOFOLLOW) == 0 else {
                out.skipped.append((relPath(), "cannot stat: \(String(cString: strerror(errno)))"))
                continue
            }
            var info = lst
            let isLink = (lst.st_mode & S_IFMT) == S_IFLNK
            if isLink {
                guard fstatat(dfd, cname, &info, 0) == 0 else {
                    let code = errno
                    let why = code == ENOENT ? "dangling symbolic link" : "symbolic link: \(String(cString: strerror(code)))"
                    out.skipped.append((relPath(), code == ELOOP ? "symbolic link loop" : why))
                    continue
                }
                if !followLinks {
                    let absPath = root.appending(relPath())
                    guard let target = realPath(absPath), target == root || target.bytes.starts(with: root.bytes + [UInt8(ascii: "/")]) else {
                        out.skipped.append((relPath(), linkOutsideReason))
                        continue
                    }
                }
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                out.subdirectories.append((relPath(), DirID(info)))
            case S_IFREG:
                if supported {
                    guard faccessat(dfd, cname, R_OK, 0) == 0 else {
                        out.skipped.append((relPath(), "unreadable: \(String(cString: strerror(errno)))"))
                        continue
                    }
                    let mtime = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
                    if isLink { out.links.append(out.stats.count) }
                    out.names += name
                    out.nameEnds.append(out.names.count)
                    out.stats.append(ScannedFiles.Stat(size: UInt64(info.st_size), mtimeNs: mtime, inode: UInt64(info.st_ino)))
                } else if unsupportedExtensions.contains(ext) {
                    out.unsupported.append((relPath(), ext))
                }
            default:
                continue
            }
        }
        return out
    }

    /// realpath(3) on raw bytes.
    public static func realPath(_ path: ItemPath) -> ItemPath? {
        guard let p = path.withCString({ realpath($0, nil) }) else { return nil }
        defer { free(p) }
        return ItemPath(bytes: Array(UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlen(p))))
    }

    /// The lowercased extension of a file name ("" when none; a leading dot is not one).
    public static func fileExtension(_ name: [UInt8]) -> String { name.withUnsafeBytes { fileExtension($0) } }

    static func fileExtension(_ name: UnsafeRawBufferPointer) -> String {
        guard let dot = name.lastIndex(of: UInt8(ascii: ".")), dot > 0 else { return "" }
        return String(decoding: name[(dot + 1)...], as: UTF8.self).lowercased()
    }

    private struct DirID: Hashable {
        var dev: UInt64, ino: UInt64
        init(_ st: stat) { dev = UInt64(st.st_dev); ino = UInt64(st.st_ino) }
    }
}

