// `clipscope import FOLDER --vectors FILE.npy`: load vectors computed elsewhere (e.g. `clipscope export`
// on a bigger machine, or numpy) into the cache for the current model, so `index`/`search` reuse them.
// FILE.npy is N × W float32 (W = the model's width); FILE.paths.jsonl has one {"path": …} per row,
// relative to FOLDER ("path_b64", when present, gives the exact bytes). Each file is keyed by its
// current size, mtime, inode and content hash, exactly as if it had been embedded here. Rows are
// checked: NaN/infinity or all zeros refused, every row normalised to unit length, a path given twice,
// absolute or with `.`/`..` refused (each reported; the other rows are imported).
import CLISupport
import FileIO
import ArgumentParser
import Foundation
import VectorIndex

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import vectors (.npy + .paths.jsonl) into the cache.",
        discussion: "The vectors must come from the same model and preprocessing as --model; they are trusted as such.")
    @OptionGroup var modelOptions: ModelOptions

    @Argument(help: "Folder the paths are relative to.")
    var folder: String

    @Option(name: .long, help: ArgumentHelp("N × W float32 .npy; paths are read from FILE.paths.jsonl.", valueName: "FILE.npy"))
    var vectors: String

    func validate() throws {
        if !vectors.hasSuffix(".npy") { throw ValidationError("--vectors must end in .npy") }
    }

    func run() throws {
        let backend = try makeBackend(modelOptions)
        let (rows, cols, values) = try NPYMatrix.readFloat32(vectors)
        guard cols == backend.embeddingWidth else {
            throw CLIError.failure("\(vectors): rows have \(cols) values, \(backend.modelName) vectors have \(backend.embeddingWidth)")
        }
        let pathsFile = ExportCommand.pathsFile(for: vectors)
        let paths = try Self.readPaths(pathsFile)
        guard paths.count == rows else {
            throw CLIError.failure("\(pathsFile): \(paths.count) paths for \(rows) rows in \(vectors)")
        }
        guard let root = FolderScanner.realPath(ItemPath(folder)) else { throw CLIError.failure("\(folder): no such folder") }
        let cache: EmbeddingCache
        do {
            cache = try EmbeddingCache(root: EmbeddingCache.defaultRoot(), modelIdentity: backend.modelIdentity,
                                       preprocessingKey: backend.preprocessingKey, width: backend.embeddingWidth, folder: root,
                                       onWait: { printError("waiting for another clipscope process using the cache ...") },
                                       warn: { printError("clipscope: \($0)") })
        } catch { throw CLIError.failure("\(error)") }
        defer { try? cache.close() }
        var imported = 0
        var problems: [String] = []
        var seen: [ItemPath: Int] = [:]
        for (i, rel) in paths.enumerated() {
            let raw = Array(values[(i * cols)..<((i + 1) * cols)])
            // Every row is checked: a usable vector, a path inside FOLDER, each path once.
            if let first = seen[rel] { problems.append("\(rel.display): row \(i) repeats the path of row \(first)"); continue }
            seen[rel] = i
            guard Self.isInside(rel) else {
                problems.append("\(rel.display): row \(i) names a path outside \(TerminalSafe.name(folder)) (absolute or with ..)"); continue
            }
            let v: [Float]
            switch Self.normalized(raw) {
            case .success(let n): v = n
            case .failure(let why): problems.append("\(rel.display): row \(i) \(why.message)"); continue
            }
            let abs = root.appending(rel)
            var st = stat()
            guard abs.withCString({ stat($0, &st) }) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
                problems.append("\(rel.string): no such file in \(folder)"); continue
            }
            let size = UInt64(st.st_size)
            let mtime = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
            do {
                let hash = try ContentHash.of(abs)
                try cache.put(CacheEntry(path: abs, size: size, mtimeNs: mtime, inode: UInt64(st.st_ino), contentHash: hash,
                                         outcome: .vector(v)))
                imported += 1
            } catch {
                problems.append("\(rel.string): \(error)")
            }
        }
        do { try cache.close() } catch { throw CLIError.failure("\(error)") }
        try emit("imported \(imported) of \(rows) vectors into the cache for \(backend.modelName)")
        for p in problems { printError("  \(p)") }
        if !problems.isEmpty { throw InputFailure("\(problems.count) row(s) not imported") }
    }

    struct RowProblem: Error { var message: String }

    /// The row scaled to unit length (in Double, so rows scaled by 1e30 survive); refused when it has a
    /// NaN or infinity or is all zeros (such a row cannot be ranked).
    static func normalized(_ v: [Float]) -> Result<[Float], RowProblem> {
        guard v.allSatisfy({ $0.isFinite }) else { return .failure(RowProblem(message: "has NaN or infinity")) }
        let scale = v.reduce(0) { max($0, Double(abs($1))) }
        guard scale > 0 else { return .failure(RowProblem(message: "is all zeros")) }
        let norm = v.reduce(0.0) { $0 + (Double($1) / scale) * (Double($1) / scale) }.squareRoot() * scale
        return .success(v.map { Float(Double($0) / norm) })
    }

    /// A relative path that stays inside the folder: not absolute, no `.` or `..` components.
    static func isInside(_ p: ItemPath) -> Bool {
        guard let first = p.bytes.first, first != UInt8(ascii: "/") else { return false }
        return !p.bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            .contains { $0.elementsEqual([UInt8(ascii: ".")]) || $0.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) || $0.isEmpty }
    }

    static func readPaths(_ file: String) throws -> [ItemPath] {
        let data: Data
        do { data = try SafeFile.read(file) } catch let e as SafeFileError { throw CLIError.failure(e.description) }
        var out: [ItemPath] = []
        for (n, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                throw CLIError.failure("\(file): line \(n + 1) is not a JSON object")
            }
            if let b64 = obj["path_b64"] as? String, let raw = Data(base64Encoded: b64) {
                out.append(ItemPath(bytes: [UInt8](raw)))
            } else if let p = obj["path"] as? String {
                out.append(ItemPath(p))
            } else {
                throw CLIError.failure("\(file): line \(n + 1) has no \"path\"")
            }
        }
        return out
    }
}

/// Reads a 2-D little-endian float32 C-order .npy (v1/v2/v3 header).
enum NPYMatrix {
    static func readFloat32(_ path: String) throws -> (rows: Int, cols: Int, values: [Float]) {
        let data: Data
        do { data = try SafeFile.read(path) } catch let e as SafeFileError { throw CLIError.failure(e.description) }
        let b = [UInt8](data.prefix(12))
        guard b.count >= 10, b[0] == 0x93, Array(b[1..<6]) == Array("NUMPY".utf8) else {
            throw CLIError.failure("\(path): not an .npy file")
        }
        let (headerLen, start) = b[6] == 1 ? (Int(b[8]) | Int(b[9]) << 8, 10)
            : (b.count >= 12 ? (Int(b[8]) | Int(b[9]) << 8 | Int(b[10]) << 16 | Int(b[11]) << 24, 12) : (0, 0))
        guard start > 0, data.count >= start + headerLen else { throw CLIError.failure("\(path): truncated .npy header") }
        let header = String(decoding: data[start..<(start + headerLen)], as: UTF8.self)
        guard header.contains("'<f4'") else { throw CLIError.failure("\(path): expected float32 ('<f4') data, header: \(header)") }
        guard header.contains("'fortran_order': False") else { throw CLIError.failure("\(path): Fortran-order arrays are not supported") }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw CLIError.failure("\(path): no shape in the .npy header")
        }
        let dims = header[open.upperBound..<close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard dims.count == 2 else { throw CLIError.failure("\(path): expected a 2-D array, shape is \(dims)") }
        let count = dims[0] * dims[1], off = start + headerLen
        guard data.count - off >= count * 4 else { throw CLIError.failure("\(path): truncated data (\(data.count - off) bytes for \(count) floats)") }
        let values = data[off..<(off + count * 4)].withUnsafeBytes { raw in
            (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
        return (dims[0], dims[1], values)
    }
}
