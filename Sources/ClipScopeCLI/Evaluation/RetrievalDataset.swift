// Karpathy-split retrieval datasets (Flickr30k / COCO JSON as used by the CLIP and jina-clip-v2
// reports): `images[].filename`, optional `images[].filepath`, `images[].split`,
// `images[].sentences[].raw`, and our optional `sentences[].lang` tag (missing → "en").
import CLISupport
import FileIO
import Foundation

struct RetrievalDataset: Equatable {
    struct Caption: Equatable {
        var text: String
        var lang: String
        var imageIndex: Int      // index into `images`
    }
    var images: [URL]
    var captions: [Caption]

    /// Languages in first-seen order.
    var languages: [String] {
        var seen = Set<String>(), out: [String] = []
        for c in captions where seen.insert(c.lang).inserted { out.append(c.lang) }
        return out
    }

    /// Loads the images of one split. Image paths are relative to `imagesDirectory` when given,
    /// else to the dataset file's folder.
    /// A relative path without `..` components (and not absolute).
    static func isInside(_ path: String) -> Bool {
        !path.hasPrefix("/") && !path.split(separator: "/", omittingEmptySubsequences: false).contains("..")
    }

    static func load(_ file: URL, split: String, imagesDirectory: URL? = nil) throws -> RetrievalDataset {
        let data: Data
        do { data = try SafeFile.read(file.path) } catch let e as SafeFileError {
            throw CLIError.failure("\(file.path): cannot read the dataset: \(e.reason)")
        }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw CLIError.failure("\(file.path): not a JSON object (expected Karpathy-split JSON with an \"images\" list)")
        }
        guard let entries = root["images"] as? [[String: Any]] else {
            throw CLIError.failure("\(file.path): no \"images\" list (expected Karpathy-split JSON)")
        }
        let base = imagesDirectory ?? file.deletingLastPathComponent()
        var images: [URL] = [], captions: [Caption] = []
        for (n, entry) in entries.enumerated() {
            guard (entry["split"] as? String ?? split) == split else { continue }
            guard let name = entry["filename"] as? String, !name.isEmpty else {
                throw CLIError.failure("\(file.path): images[\(n)] has no \"filename\"")
            }
            var url = base
            let folder = entry["filepath"] as? String ?? ""
            // Paths stay inside the image folder: no absolute paths, no `..` components.
            for (key, value) in [("filepath", folder), ("filename", name)] where !isInside(value) {
                throw CLIError.failure("\(file.path): images[\(n)].\(key) \"\(TerminalSafe.name(value))\" leads out of the image folder (absolute or with ..)")
            }
            if !folder.isEmpty { url.appendPathComponent(folder) }
            url.appendPathComponent(name)
            let sentences = entry["sentences"] as? [[String: Any]] ?? []
            let index = images.count
            images.append(url)
            for s in sentences {
                guard let raw = s["raw"] as? String else { continue }
                captions.append(Caption(text: raw, lang: s["lang"] as? String ?? "en", imageIndex: index))
            }
        }
        guard !images.isEmpty else { throw CLIError.failure("\(file.path): no images in split \"\(split)\"") }
        guard !captions.isEmpty else { throw CLIError.failure("\(file.path): the \"\(split)\" images have no sentences") }
        return RetrievalDataset(images: images, captions: captions)
    }
}
