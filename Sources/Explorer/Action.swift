// Inputs to the reducer (user intents and worker results), what it asks the loop to do
// (Effect: I/O and backend calls, performed outside the reducer), and how the screen must
// react (Reaction flags, as htop's Htop_Reaction).
import TUI
import Retrieval

public enum EditorCommand: Equatable, Sendable {
    case insert(String)
    case backspace, deleteForward, deleteWord, deleteToStart, deleteToEnd
    case left, right, wordLeft, wordRight, home, end
    case historyPrevious, historyNext
}

public enum Action: Equatable, Sendable {
    // navigation and views
    case quit(QuitMode)
    case focusQuery
    case focusNext, focusPrevious
    case move(Int)                  // selection delta (±1, ±page)
    case moveToEdge(first: Bool)
    case back                       // Esc: close overlay / leave view / breadcrumb back
    case toggleHelp
    case toggleTokens
    case toggleGrid                 // results: list ↔ thumbnail grid
    case gridMove(dx: Int, dy: Int) // grid: one block left/right (dx), one grid row up/down (dy)
    case togglePrefix
    case setView(ViewMode)
    case dimensionStep(Int)
    case compareDimensionStep(Int)
    case lensKStep(Int)             // dimensions view: k through AppState.lensKs
    case resize(Size)
    /// A mouse button or wheel over what the last frame drew there (HitMap, innermost first).
    case mouse(MouseButton, [HitTarget])

    // query editor
    case edit(EditorCommand)
    case submit                     // Enter in the editor
    case leaveEditor

    // results
    case searchSimilar              // image → image from the selected item
    case open
    case copyPath
    case toggleMark

    // editable lists (cross-lingual, labels)
    case editRow, addRow, deleteRow

    // worker and backend results
    case queryEmbedded(generation: Int, vector: [Float], latencyMs: Double)
    case queryFailed(generation: Int, message: String)
    /// Rankings (best `rankDepth` items per dimension) of a query generation; `ranked`: how many items
    /// it ranks; `scores`: every score per dimension (dimensions view only); `merge`: add these
    /// dimensions to the ones already ranked for this generation (a dimension switch) instead of
    /// replacing them.
    case scored(generation: Int, rankings: [Int: [RankedItem]], latencyMs: Double?, ranked: Int? = nil,
                scores: [Int: [Float]]? = nil, merge: Bool = false)
    case previewRanked(PreviewRanks)
    case tokenized(text: String, pieces: [String])
    case rowReady(list: ListID, index: Int, generation: Int, vector: [Float], top: [Int: [RankedItem]])
    case vectorLoaded(id: Int, purpose: VectorPurpose, vector: [Float]?)
    case previewLoaded(PreviewKey, PreviewImage?)
    case items([FolderItem])
    case backend(BackendEvent)
    case message(String)
    case folderCurve(FolderCurveKey, FolderCurveState)
    /// The dimensions view's summary and histogram asked for by `request` (either may be nil when
    /// the request did not ask for it, or the scores cannot give it).
    case dimensionsSummarized(DimensionsSummaryRequest, lens: DimensionsLens?, histogram: ScoreHistogram?)
}

public enum Effect: Equatable, Sendable {
    /// Embed the query text off the UI thread (debounced; a newer generation supersedes it).
    case embedQuery(generation: Int, text: String, asQuery: Bool)
    /// Rank a query vector at the dimensions on screen (one bounded top-k per dimension, on a worker).
    case score(generation: Int, vector: [Float], embedMs: Double?)
    /// Score again because more vectors arrived (the shown query latency is kept).
    case rescore(generation: Int, vector: [Float])
    /// Rank the dimensions the screen needs and lacks (a dimension switch, a deeper scroll), merged
    /// into the current generation's rankings. What to rank is read from the state when performed.
    case rankMore(generation: Int, vector: [Float])
    /// The selected item's rank and score at every dimension (off the UI thread; a newer request
    /// supersedes it).
    case previewRanks(PreviewRanksKey, vector: [Float])
    /// Fetch an item's stored vector (image → image, labels view).
    case loadVector(id: Int, purpose: VectorPurpose)
    case tokenize(String)
    case embedRow(list: ListID, index: Int, generation: Int, text: String, asQuery: Bool)
    case loadPreview(PreviewKey)
    /// Grid thumbnails, in drawing order, on their own worker; a newer batch supersedes this one
    /// (each thumbnail comes back as `.previewLoaded` as soon as it is ready).
    case loadThumbnails([PreviewKey])
    case startIndexing
    case open(path: String)
    case copy(path: String)
    /// Compute the folder retention curve in the background (progress and result come back as
    /// `.folderCurve` actions).
    case folderCurve(FolderCurveKey)
    /// The dimensions view's per-query summary and/or its score histogram from every score of the
    /// current query (`scores[d][id]`), on a worker: a pass over every score per dimension never runs
    /// on the UI thread. A newer request supersedes (and stops) an older one.
    case summarizeDimensions(DimensionsSummaryRequest, generation: Int, scores: [Int: [Float]], dims: [Int])
}

public enum VectorPurpose: Equatable, Sendable { case similar(generation: Int), labels }

public struct Reaction: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let redraw = Reaction(rawValue: 1)
    public static let quit = Reaction(rawValue: 2)
    public static let none: Reaction = []
}
