// Everything the explorer shows, as one value type owned by the UI thread. Panes render
// from it; only the Reducer mutates it. Derived data that is costly to recompute per frame
// (full rankings per dimension) is cached here by the reducer, never by the panes.
import TUI
import TermGraphics
import Retrieval

public enum ViewMode: String, Equatable, Sendable, CaseIterable {
    case browse, compare, crossLingual, labels, dimensions
}

/// Which folder curve: the model and folder of the session, the snapshot of embedded images, and k.
public struct FolderCurveKey: Hashable, Sendable {
    public var model: String
    public var folder: String
    public var embedded: Int
    public var k: Int
    public init(model: String, folder: String, embedded: Int, k: Int) {
        self.model = model; self.folder = folder; self.embedded = embedded; self.k = k
    }
}

/// The folder retention curve of the dimensions view, computed in the background.
public enum FolderCurveState: Equatable, Sendable {
    case running(done: Int, total: Int)
    case ready(rows: [TruncationRow], queries: Int, sampled: Bool)
    case unavailable(String)
}

public enum Focus: Equatable, Sendable { case query, folder, results }

public enum Overlay: Equatable, Sendable { case help, tokens }

/// What the current ranking was computed from.
public enum QuerySource: Equatable, Sendable {
    case none
    case text(String)
    case image(id: Int)
}

/// A breadcrumb entry: a previous query, kept with its vector so going back is instant.
public struct Crumb: Equatable, Sendable {
    public var source: QuerySource
    public var vector: [Float]?
    public var editorText: String
    public var selection: Int
}

/// Pixel box requested for one item's preview, with the cell box it is drawn in and how.
public struct PreviewKey: Hashable, Sendable {
    public var id: Int
    public var maxWidth: Int
    public var maxHeight: Int
    public var mode: PreviewMode
    /// The cell box (symbols and pixel modes size their art from it).
    public var cols: Int
    public var rows: Int
    /// A grid thumbnail (its own cache, its own kitty image id) rather than the preview pane's picture.
    public var thumbnail: Bool
    public init(id: Int, maxWidth: Int, maxHeight: Int, mode: PreviewMode = .halfblocks, cols: Int = 0, rows: Int = 0,
                thumbnail: Bool = false) {
        self.id = id; self.maxWidth = maxWidth; self.maxHeight = maxHeight; self.mode = mode; self.cols = cols; self.rows = rows
        self.thumbnail = thumbnail
    }
}

public enum ListID: Equatable, Sendable { case crossLingual, labels }

/// A user-editable list of texts (cross-lingual queries, zero-shot labels), each with its
/// embedding and, for queries, its top items per dimension.
public struct TextList: Equatable, Sendable {
    public struct Row: Equatable, Sendable {
        public var tag: String                  // "en", "zh", …; "" for labels
        public var text: String
        public var vector: [Float]?
        public var top: [Int: [RankedItem]] = [:]   // dims → top-k (cross-lingual only)
        public var generation = 0
        public init(tag: String, text: String) { self.tag = tag; self.text = text }
    }
    public var rows: [Row]
    public var selection = 0
    /// Non-nil while the selected row is being edited.
    public var editor: LineEditor?
    public init(rows: [Row]) { self.rows = rows }
}

public struct IndexingProgress: Equatable, Sendable {
    public var done = 0
    public var total = 0
    public var running = false
    public var scoredAtDone = 0       // `done` when scores were last refreshed
}

public struct ExplorerOptions: Equatable, Sendable {
    /// How previews are drawn (resolved: never `.auto`); `.none` shows metadata only.
    public var preview: PreviewMode = .halfblocks
    /// Pixel size of a terminal cell (sizes pixel previews and the symbol grid's aspect).
    public var cellPixels = CellPixels.fallback
    /// Wrap pixel payloads for tmux passthrough.
    public var tmuxPassthrough = false
    public var mouse = true
    public var printMode = false
    /// Quiet time before a typed query is embedded (a newer keystroke replaces the pending one).
    public var debounceMs = 8
    public var showImages: Bool { preview != .none && preview != .auto }
    public init(showImages: Bool = true, preview: PreviewMode = .halfblocks, cellPixels: CellPixels = .fallback,
                tmuxPassthrough: Bool = false, mouse: Bool = true, printMode: Bool = false, debounceMs: Int = 8) {
        self.preview = showImages ? preview : .none
        self.cellPixels = cellPixels
        self.tmuxPassthrough = tmuxPassthrough
        self.mouse = mouse; self.printMode = printMode; self.debounceMs = debounceMs
    }
}

/// Which preview ranks: the query generation and indexing snapshot they were computed for, and the item.
public struct PreviewRanksKey: Hashable, Sendable {
    public var generation: Int
    public var snapshot: Int
    public var id: Int
    public init(generation: Int, snapshot: Int, id: Int) { self.generation = generation; self.snapshot = snapshot; self.id = id }
}

/// One item's true rank (count of items ranked before it + 1) and score at every dimension.
public struct PreviewRanks: Equatable, Sendable {
    public struct Row: Equatable, Sendable {
        public var dims: Int
        public var rank: Int?          // nil: not ranked (pending, failed)
        public var score: Float?
        public init(dims: Int, rank: Int?, score: Float?) { self.dims = dims; self.rank = rank; self.score = score }
    }
    public var key: PreviewRanksKey
    public var rows: [Row]
    public init(key: PreviewRanksKey, rows: [Row]) { self.key = key; self.rows = rows }
}

public enum QuitMode: Equatable, Sendable { case accept, abort }

public struct AppState: Equatable, Sendable {
    public var size: Size
    public var options: ExplorerOptions
    public var modelName: String
    public var isDemo: Bool
    public var dimensions: [Int]
    public var folderPath: String
    /// The folder snapshot, ordered by path (ids = indices). Assigning it rebuilds the folder tree
    /// and the counts; one item's state changes through `setState(of:to:)` (O(1), counts kept).
    public var items: [FolderItem] {
        get { storedItems }
        set { storedItems = newValue; rebuildFolder() }
    }
    private var storedItems: [FolderItem] = []
    /// Items whose state is `.embedded` (maintained, never recounted per frame).
    public private(set) var embeddedCount = 0
    /// The folder pane's rows over `items` (rebuilt when the snapshot changes, not per frame).
    public private(set) var folderTree = FolderTree(items: [])
    public var indexing = IndexingProgress()

    // query
    public var query = LineEditor()
    public var usePrefix = true
    public var queryGeneration = 0
    public var source: QuerySource = .none
    public var queryVector: [Float]?
    /// dims → the best `rankDepth` items at that dimension (embedded items only), for the current query
    /// vector: a prefix of the full ranking, computed for the dimensions on screen only.
    public var rankings: [Int: [RankedItem]] = [:]
    /// How many items the current query ranks (all embedded items; may exceed a ranking's length).
    public var rankedCount = 0
    /// How deep `rankings` go; scrolling near the end asks for more (`AppState.initialRankDepth` × 4ⁿ).
    public var rankDepth = AppState.initialRankDepth
    public static let initialRankDepth = 200
    /// Every score at every dimension, kept only while the dimensions view is shown (its histogram
    /// and true ranks need them).
    public var dimScores: [Int: [Float]] = [:]
    /// Counts arrivals of `dimScores`; `lensVersion`: the arrival the dimensions lens was computed from.
    public var scoresVersion = 0
    public var lensVersion = -1
    /// The selected item's rank and score at every dimension (the preview), computed lazily.
    public var previewRanks: PreviewRanks?
    public var previewRanksRequested: PreviewRanksKey?
    /// Item to keep selected once the ranking at a newly chosen dimension arrives.
    public var pendingReselect: Int?
    public var scoredGeneration = -1
    public var latencyMs: Double?
    public var queryError: String?
    public var tokens: [String] = []
    public var breadcrumb: [Crumb] = []

    // dimensions
    public var dimIndex: Int
    public var compareDimIndex: Int

    // navigation
    public var view: ViewMode = .browse
    public var focus: Focus = .query
    public var overlay: Overlay?
    public var resultSelection = 0
    public var folderSelection = 0
    public var helpScroll = 0
    public var marked: [Int] = []
    /// Browse view: the results as a thumbnail grid (`v`) instead of a list.
    public var grid = false

    // views
    /// k of the dimensions view (`<` `>` cycle through `lensKs`).
    public var lensK = 10
    public static let lensKs = [5, 10, 20, 50]
    /// The dimensions view's per-query summary (from `dimScores` at `lensVersion`, for `lens.requestedK`)
    /// and its histogram of every score at one dimension: both computed on a worker, once per arrival of
    /// scores (and k, dimension, histogram width), drawn from here on every frame.
    public var lens: DimensionsLens?
    public var histogram: ScoreHistogram?
    /// The summary request in flight (or answered last): asked again only when what is missing changes.
    public var summaryRequested: DimensionsSummaryRequest?
    /// Folder curves by (model, folder snapshot, k); kept for the session.
    public var folderCurves: [FolderCurveKey: FolderCurveState] = [:]
    public var crossLingual: TextList
    public var labels: TextList
    /// The image the labels view ranks labels for, with its vector.
    public var labelTarget: Int?
    public var labelVector: [Float]?

    // previews
    public var previews: [PreviewKey: PreviewImage] = [:]
    public var previewRequested: PreviewKey?
    public var failedPreviews: Set<PreviewKey> = []
    /// Bounds of the two preview caches (a few screens' worth; see the reducer's previewLoaded).
    public static let previewCacheLimit = 32
    public static let failedPreviewLimit = 256
    /// Grid thumbnails (the visible blocks and the next screen of them), and the ones asked for and
    /// not yet back (a batch is sent again only when it would ask for something new).
    public var thumbnails: [PreviewKey: PreviewImage] = [:]
    public var thumbnailsRequested: Set<PreviewKey> = []
    public static let thumbnailLimit = 256

    public var message: String?
    public var quit: QuitMode?

    public init(size: Size, modelName: String, isDemo: Bool, dimensions: [Int], folderPath: String,
                options: ExplorerOptions = ExplorerOptions()) {
        self.size = size
        self.modelName = modelName
        self.isDemo = isDemo
        self.dimensions = dimensions.isEmpty ? [1] : dimensions
        self.folderPath = folderPath
        self.options = options
        dimIndex = self.dimensions.count - 1
        // Movement is shown against the full width: "what does truncating change?"
        compareDimIndex = self.dimensions.count - 1
        crossLingual = TextList(rows: AppState.defaultCrossLingual.map { TextList.Row(tag: $0.0, text: $0.1) })
        labels = TextList(rows: AppState.defaultLabels.map { TextList.Row(tag: "", text: $0) })
    }

    // MARK: derived

    public var dim: Int { dimensions[dimIndex] }
    public var compareDim: Int { dimensions[compareDimIndex] }
    public var ranking: [RankedItem] { rankings[dim] ?? [] }
    public var compareRanking: [RankedItem] { rankings[compareDim] ?? [] }
    /// The rankings shown now are complete prefixes of what is on screen (the re-ranked frame).
    public var hasRankingForDim: Bool { source == .none || queryVector == nil || rankings[dim] != nil }
    /// Dimensions whose ranking the screen needs: every one in the dimensions view, else the
    /// current and the comparison dimension.
    public var neededDims: [Int] {
        if view == .dimensions { return dimensions }
        return compareDim == dim ? [dim] : [dim, compareDim]
    }
    /// The folder curve the dimensions view shows now.
    public var folderCurveKey: FolderCurveKey {
        FolderCurveKey(model: modelName, folder: folderPath, embedded: embeddedCount, k: lensK)
    }
    public var isEditing: Bool {
        switch view {
        case .browse, .compare, .dimensions: return focus == .query   // typing re-ranks these views live
        case .crossLingual: return crossLingual.editor != nil
        case .labels: return labels.editor != nil
        }
    }

    /// The item the preview and the actions (open, copy, mark, similar) apply to.
    public var selectedItemID: Int? {
        if view == .labels, let t = labelTarget { return t }
        if view == .browse && focus == .folder {
            return items.indices.contains(folderSelection) ? items[folderSelection].id : nil
        }
        let r = ranking
        if r.indices.contains(resultSelection) { return r[resultSelection].id }
        if view == .browse && focus == .query && r.isEmpty {
            return items.indices.contains(folderSelection) ? items[folderSelection].id : nil
        }
        return nil
    }

    /// Sets one item's indexing state, keeping the counts and the folder tree's counts in step.
    public mutating func setState(of id: Int, to state: ItemState) {
        guard let i = storedItems.indices.contains(id) && storedItems[id].id == id ? id
                : storedItems.firstIndex(where: { $0.id == id }) else { return }
        let was = storedItems[i].state == .embedded, now = state == .embedded
        storedItems[i].state = state
        if was != now {
            embeddedCount += now ? 1 : -1
            folderTree.adjust(item: i, embeddedDelta: now ? 1 : -1)
        }
    }

    /// Records an item's pixel size learnt from its preview (the snapshot may not know it).
    public mutating func setPixelSize(of id: Int, width: Int, height: Int) {
        guard storedItems.indices.contains(id), storedItems[id].id == id, width > 0, height > 0 else { return }
        storedItems[id].pixelWidth = width
        storedItems[id].pixelHeight = height
    }

    private mutating func rebuildFolder() {
        embeddedCount = storedItems.reduce(0) { $0 + ($1.state == .embedded ? 1 : 0) }
        folderTree = FolderTree(items: storedItems)
    }

    public func item(_ id: Int) -> FolderItem? { items.indices.contains(id) && items[id].id == id ? items[id] : items.first { $0.id == id } }

    // MARK: defaults

    /// The same intent in eight languages (the cross-lingual view's starting list).
    public static let defaultCrossLingual: [(String, String)] = [
        ("en", "a dog on the beach"),
        ("zh", "海滩上的狗"),
        ("es", "un perro en la playa"),
        ("ar", "كلب على الشاطئ"),
        ("hi", "समुद्र तट पर कुत्ता"),
        ("ru", "собака на пляже"),
        ("ja", "ビーチの犬"),
        ("de", "ein Hund am Strand"),
    ]

    public static let defaultLabels: [String] = [
        "a photo of a cat", "a photo of a dog", "the beach", "a sunset", "a city at night", "food",
        "mountains with snow", "flowers", "a car", "森林", "perro en la nieve",
    ]
}
