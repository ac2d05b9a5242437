// Embeds the bundled demo pictures (Assets/demo) with the bundled demo model (Assets/models/demo), then
// ranks them for a query in three languages at the full width (128) and at a Matryoshka prefix (32).
// Output, per query and size: a `# query … dims …` line, then one line per result in the layout of
// `clipscope search` (rank, score, file name), so check-rankings.sh can compare the two.
//
//   swift run                        (from this folder; no arguments)
import ClipScopeKit
import Foundation

@main
struct EmbedAndSearch {
    static let queries = ["a red triangle", "红色的三角形", "zwei blaue Sterne"]
    static let sizes = [128, 32]
    static let top = 5

    static func main() async {
        do {
            try await run()
        } catch {
            FileHandle.standardError.write(Data("EmbedAndSearch: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run() async throws {
        // This file is Examples/EmbedAndSearch/Sources/EmbedAndSearch/EmbedAndSearch.swift; Assets is at
        // the repository root.
        var repository = URL(fileURLWithPath: #filePath)
        for _ in 0..<5 { repository.deleteLastPathComponent() }
        let assets = repository.appendingPathComponent("Assets")

        let encoder = try await CLIPEncoder.load(directory: assets.appendingPathComponent("models/demo"))
        let folder = assets.appendingPathComponent("demo")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".png") || $0.hasSuffix(".jpg") }
            .sorted()

        // Full-width image embeddings, once; each search then compares their first `dims` values.
        let index = VectorIndex(width: encoder.embeddingWidth)
        let vectors = try await encoder.embed(images: names.map { folder.appendingPathComponent($0) })
        for (name, vector) in zip(names, vectors) { try index.add(name, vector: vector) }
        print("\(index.count) pictures, \(encoder.embeddingWidth)-d embeddings")

        // query: true prepends the model's retrieval instruction, as `clipscope search --text` does.
        let queryVectors = try await encoder.embed(texts: queries, query: true)
        for (query, vector) in zip(queries, queryVectors) {
            for dims in sizes {
                print("# query \(query) dims \(dims)")
                for hit in try index.search(vector, dims: dims, k: top) {
                    print("\(hit.rank)  \(String(format: "%.4f", hit.score))  \(hit.key)")
                }
            }
        }
    }
}
