// `--text T | --image PATH [--no-query-prefix]`, shared by search and compare, and the resolution of
// a query into a full-width vector. Text queries get the retrieval.query instruction by default (as
// the model card does for search queries); indexed images never do. An image query that is itself
// in the folder uses its stored vector and is left out of the results.
import CLISupport
import ArgumentParser
import Foundation
import VectorIndex

struct QueryOptions: ParsableArguments {
    @Option(name: .long, help: "Text query.")
    var text: String?

    @Option(name: .long, help: ArgumentHelp("Image query (a file in or outside FOLDER).", valueName: "PATH"))
    var image: String?

    @Flag(name: .customLong("no-query-prefix"), help: "Do not prepend the retrieval.query instruction to --text.")
    var noQueryPrefix = false

    /// Called from the commands' validate() (not validate() itself, so hidden modes can skip it).
    func checkExactlyOne() throws {
        if (text == nil) == (image == nil) { throw ValidationError("give exactly one of --text T or --image PATH") }
        if let t = text, t.isEmpty { throw ValidationError("--text must not be empty") }
    }

    struct Resolved {
        var vector: [Float]          // full width
        var excludedRow: Int?        // the query image itself, when it is in the folder
        var json: JSON               // {"kind": "text", …} | {"kind": "image", …}
        var label: String            // for plain output
    }

    func resolve(with backend: any SearchBackend, in folder: IndexedFolder) throws -> Resolved {
        if let text {
            let v: [Float]
            do { v = try backend.embedText(text, asQuery: !noQueryPrefix, dims: nil) } catch {
                throw CLIError.failure("cannot embed the query text: \(error)")
            }
            let json = JSON.object([("kind", .string("text")), ("text", .string(text)), ("prefix", .bool(!noQueryPrefix))])
            return Resolved(vector: v, excludedRow: nil, json: json,
                            label: "\"\(text)\"" + (noQueryPrefix ? " (no query prefix)" : " (retrieval.query prefix)"))
        }
        let path = image!
        let json = JSON.object([("kind", .string("image")), ("path", .string(path))])
        guard FileManager.default.fileExists(atPath: path) else { throw CLIError.failure("\(path): no such file") }
        // In the folder and indexed: use the stored row (no re-embedding), exclude it from the results.
        if let real = FolderScanner.realPath(ItemPath(path)), real.bytes.starts(with: folder.scan.root.bytes + [UInt8(ascii: "/")]) {
            let rel = ItemPath(bytes: Array(real.bytes.dropFirst(folder.scan.root.bytes.count + 1)))
            if let row = folder.index.row(of: rel) {
                return Resolved(vector: folder.index.vector(at: row), excludedRow: row, json: json, label: path)
            }
        }
        do {
            return Resolved(vector: try backend.embedImage(at: URL(fileURLWithPath: path)), excludedRow: nil, json: json, label: path)
        } catch {
            throw CLIError.failure("\(path): cannot embed the query image: \(error)")
        }
    }
}

/// Checks `--dims` against the model width; notes sizes the model was not trained at.
func checkDims(_ d: Int, backend: any SearchBackend) throws {
    guard d >= 1 && d <= backend.embeddingWidth else {
        throw CLIError.usage("--dims \(d) is out of range: it must be 1…\(backend.embeddingWidth) (the model's width)")
    }
    if !backend.matryoshkaDimensions.isEmpty && !backend.matryoshkaDimensions.contains(d) {
        printError("note: \(d) is not one of the trained Matryoshka sizes \(backend.matryoshkaDimensions.map(String.init).joined(separator: ", "))")
    }
}
