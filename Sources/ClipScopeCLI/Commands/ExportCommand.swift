// `clipscope export FOLDER --out FILE.npy`: the folder's N × W float32 vectors (rows in path order)
// plus FILE.paths.jsonl, one {"path": …} per row (with "path_b64" for non-UTF-8 names, and
// "partial": true for a vector computed from a truncated image with --allow-partial), so
//   X = np.load("FILE.npy"); paths = [json.loads(l)["path"] for l in open("FILE.paths.jsonl")]
// Both files are written to temporaries and renamed into place.
import CLISupport
import FileIO
import ArgumentParser
import Foundation
import Imaging
import VectorIndex

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export a folder's vectors as .npy + paths.")
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var folderOptions: FolderOptions

    @Argument(help: "Folder of images (indexed first if needed).")
    var folder: String

    @Option(name: .long, help: ArgumentHelp("Output .npy file; the paths go to the same name with .paths.jsonl.", valueName: "FILE.npy"))
    var out: String

    func validate() throws {
        if !out.hasSuffix(".npy") { throw ValidationError("--out must end in .npy") }
    }

    static func pathsFile(for npy: String) -> String { String(npy.dropLast(4)) + ".paths.jsonl" }

    func run() throws {
        // Refused before any work: an existing --out (or its .paths.jsonl) that is not a regular file.
        do { try AtomicFile.checkTarget(out); try AtomicFile.checkTarget(Self.pathsFile(for: out)) } catch {
            throw CLIError.failure("\(error)")
        }
        let backend = try makeBackend(modelOptions)
        folderOptions.configure(backend)
        let indexed = try IndexedFolder.open(folder, provider: backend, followLinks: folderOptions.followLinks, cacheRoot: folderOptions.cacheRoot)
        indexed.printProblemsBriefly()
        let index = indexed.index
        var matrix = Data(capacity: index.count * index.width * 4 + 128)
        matrix.append(NPYWriter.header(descr: "<f4", shape: [index.count, index.width]))
        var lines = ""
        let partial = Set(indexed.report.partial)
        for row in 0..<index.count {
            index.vector(at: row).withUnsafeBytes { matrix.append(contentsOf: $0) }
            let mark: [(String, JSON)] = partial.contains(index.keys[row]) ? [("partial", .bool(true))] : []
            lines += JSON.object(JSON.pathFields(index.keys[row]) + mark).rendered + "\n"
        }
        let paths = Self.pathsFile(for: out)
        do {
            try AtomicFile.write(matrix, to: out)
            try AtomicFile.write(Data(lines.utf8), to: paths)
        } catch { throw CLIError.failure("\(error)") }
        printError("wrote \(index.count) × \(index.width) float32 to \(out) and the paths to \(paths)")
    }
}
