// What the explorer needs from the model and the index, and nothing more. Explorer does not
// import ClipModel or VectorIndex: the CLI adapts them to this protocol (the tests use a
// deterministic stand-in from Tests/ExplorerTestSupport).
//
// Threading: every method may be called from any thread (the UI thread calls `items`,
// `tokenize`, `vector`; worker threads call `embedText`, `scores`, `preview`, `thumbnail`); implementations
// synchronise themselves. Indexing progress is *posted* through the callback and never touches UI state.

import FileIO
import TermGraphics

/// Indexing state of one image.
public enum ItemState: Equatable, Sendable {
    case pending
    case embedded
    case failed(String)     // the reason, e.g. "not a JPEG (bad SOI marker)"
}

/// One image of the folder. `id` is stable for the session and indexes `scores(...)`.
/// Held once per file: 48 bytes (ids and pixel sizes stored as 32-bit: 2^31 files, 2^31 pixels a side).
public struct FolderItem: Equatable, Sendable {
    /// Its paths: entry `path` of a table shared by every item of the folder (one copy of each path).
    public let paths: PathTable
    public var byteSize: Int
    private var id32: Int32
    private let path32: Int32
    private var width32: Int32
    private var height32: Int32
    public var state: ItemState
    public var id: Int { get { Int(id32) } set { id32 = Int32(clamping: newValue) } }
    public var path: Int { Int(path32) }
    public var pixelWidth: Int { get { Int(width32) } set { width32 = Int32(clamping: newValue) } }
    public var pixelHeight: Int { get { Int(height32) } set { height32 = Int32(clamping: newValue) } }
    public init(id: Int, paths: PathTable, path: Int, byteSize: Int, pixelWidth: Int, pixelHeight: Int, state: ItemState) {
        self.paths = paths; self.byteSize = byteSize
        id32 = Int32(clamping: id); path32 = Int32(clamping: path)
        width32 = Int32(clamping: pixelWidth); height32 = Int32(clamping: pixelHeight)
        self.state = state
    }
    /// An item with a table of its own (tests, benchmarks): both paths as given.
    public init(id: Int, relativePath: String, absolutePath: String, byteSize: Int,
                pixelWidth: Int, pixelHeight: Int, state: ItemState) {
        self.init(id: id, paths: PathTable(relative: relativePath, absolute: absolutePath), path: 0, byteSize: byteSize,
                  pixelWidth: pixelWidth, pixelHeight: pixelHeight, state: state)
    }
    /// "beach/sunset.jpg" (folder-relative, "/" separated), decoded from the table.
    public var relativePath: String { paths.relative(path) }
    public var absolutePath: String { paths.absolute(path) }
    public var name: String { paths.name(path) }
    public var folder: String { paths.folder(path) }

    public static func == (a: FolderItem, b: FolderItem) -> Bool {
        a.id == b.id && a.byteSize == b.byteSize && a.pixelWidth == b.pixelWidth && a.pixelHeight == b.pixelHeight
            && a.state == b.state
            && ((a.paths === b.paths && a.path == b.path) || (a.relativePath == b.relativePath && a.absolutePath == b.absolutePath))
    }
}

/// RGB8 pixels, row-major HWC, already EXIF-rotated for display; `art` is what the explorer made
/// of them for its preview mode (on the preview worker, never on the UI thread).
public struct PreviewImage: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var rgb: [UInt8]        // width * height * 3
    public var art: PreviewArt?
    /// The EXIF orientation applied for display (1: none). The model always sees the stored pixels.
    public var orientation = 1
    /// The image file's own pixel size when the backend learnt it while decoding (0 × 0: unknown); the
    /// folder snapshot may leave it to the first preview (no header read per file at start-up).
    public var sourceWidth = 0
    public var sourceHeight = 0
    public init(width: Int, height: Int, rgb: [UInt8], orientation: Int = 1, sourceWidth: Int = 0, sourceHeight: Int = 0) {
        self.width = width; self.height = height; self.rgb = rgb; self.orientation = orientation
        self.sourceWidth = sourceWidth; self.sourceHeight = sourceHeight
    }
}

/// One item's new indexing state.
public struct ItemChange: Equatable, Sendable {
    public var id: Int
    public var state: ItemState
    public init(id: Int, state: ItemState) { self.id = id; self.state = state }
}

/// A preview prepared for drawing: symbol cells (drawn through the Terminal) or a pixel-protocol
/// payload covering `cols` × `rows` cells (emitted after the frame by a GraphicsOutput).
public enum PreviewArt: Equatable, Sendable {
    case symbols(SymbolArt)
    case pixels(payload: String, cols: Int, rows: Int)
}

/// Posted by background indexing (from any thread).
public enum BackendEvent: Equatable, Sendable {
    case itemChanged(id: Int, state: ItemState)
    /// Several items at once (a batch of arriving vectors: one merge, one frame).
    case itemsChanged([ItemChange])
    case progress(done: Int, total: Int)
    case finished
}

public protocol ExplorerBackend: AnyObject {
    var modelName: String { get }
    var isDemo: Bool { get }
    /// Matryoshka dims ascending; the last is the full width of every vector.
    var dimensions: [Int] { get }
    /// The folder being explored (shown in the Folder pane title).
    var folderPath: String { get }

    /// A snapshot of the folder, ordered by relativePath. Ids are 0..<count.
    func items() -> [FolderItem]
    /// Pieces as the tokenizer produces them ("<unk>" for unknown), without <s> </s>.
    func tokenize(_ text: String) -> [String]
    /// Full-width, L2-normalised text embedding. `asQuery` adds the retrieval.query prefix.
    /// Called off the UI thread; may be slow.
    func embedText(_ text: String, asQuery: Bool) throws -> [Float]
    /// Cosine score of every item against `query` truncated to `dims` (both prefixes
    /// renormalised), indexed by item id; `-Float.infinity` for items without a vector.
    /// Fast and exact (one matrix-vector product on the index).
    func scores(query: [Float], dims: Int) -> [Float]
    /// The stored full-width vector of an item (nil while pending or failed).
    func vector(of id: Int) -> [Float]?
    /// Pixels that fit in maxWidth × maxHeight (aspect kept), or nil if undecodable.
    func preview(of id: Int, maxWidth: Int, maxHeight: Int) -> PreviewImage?
    /// A grid thumbnail: like `preview`, and may come from a thumbnail cache (memory, disk).
    /// Called from the thumbnail worker. The default is `preview`.
    func thumbnail(of id: Int, maxWidth: Int, maxHeight: Int) -> PreviewImage?
    /// Starts embedding pending images in the background; `post` is called from worker
    /// threads as items change. Returns at once.
    func startIndexing(post: @escaping @Sendable (BackendEvent) -> Void)
    func cancelIndexing()
}

extension ExplorerBackend {
    public func thumbnail(of id: Int, maxWidth: Int, maxHeight: Int) -> PreviewImage? {
        preview(of: id, maxWidth: maxWidth, maxHeight: maxHeight)
    }
}

/// Starting lists for the cross-lingual and labels views. A backend whose model only knows a small
/// world (the bundled demo: shapes and colours) offers examples from that world; nil keeps the
/// general defaults (AppState.defaultCrossLingual / defaultLabels).
public protocol ExplorerSuggestions {
    var suggestedCrossLingual: [(String, String)]? { get }
    var suggestedLabels: [String]? { get }
}
