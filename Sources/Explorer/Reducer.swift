// reduce(&state, action) → (Reaction, [Effect]): every state change of the explorer, with no
// I/O (like htop's HandlerResult: state, events and drawing kept apart). Backend calls and threads are Effects, run by
// the EventLoop, whose results come back as Actions tagged with the query generation so a
// superseded result is dropped here.
import TUI

public enum Reducer {
    public static func reduce(_ s: inout AppState, _ action: Action) -> (Reaction, [Effect]) {
        var fx: [Effect] = []
        var reaction: Reaction = .redraw
        if action.isUserInput { s.message = nil }

        switch action {
        case .quit(let mode):
            s.quit = mode
            reaction = [.quit]

        case .focusQuery:
            if s.view == .crossLingual || s.view == .labels { s.view = .browse }
            s.focus = .query

        case .focusNext, .focusPrevious:
            cycleFocus(&s, forward: action == .focusNext)

        case .move(let delta):
            move(&s, by: delta)
            deepen(&s, &fx)

        case .moveToEdge(let first):
            move(&s, by: first ? Int.min / 2 : Int.max / 2)
            deepen(&s, &fx)

        case .back:
            back(&s, &fx)

        case .toggleHelp:
            s.overlay = s.overlay == .help ? nil : .help
            s.helpScroll = 0

        case .toggleGrid:
            if !s.options.showImages {
                s.message = "the grid needs image previews (--preview)"
            } else {
                s.grid.toggle()
                if s.grid && s.focus == .folder { s.focus = .results }
                if !s.grid { s.thumbnailsRequested = [] }
            }

        case let .gridMove(dx, dy):
            let columns = ResultsGrid.geometry(s)?.columns ?? 1
            move(&s, by: dx + dy * columns)
            deepen(&s, &fx)

        case .toggleTokens:
            s.overlay = s.overlay == .tokens ? nil : .tokens
            if s.overlay == .tokens { fx.append(.tokenize(s.query.text)) }

        case .togglePrefix:
            s.usePrefix.toggle()
            s.message = "retrieval.query prefix " + (s.usePrefix ? "on" : "off")
            if case .text = s.source { queryChanged(&s, &fx, keepSelection: true) }

        case .setView(let v):
            setView(&s, v, &fx)

        case .dimensionStep(let d):
            let keep = s.selectedItemID
            s.dimIndex = clamp(s.dimIndex + d, 0, s.dimensions.count - 1)
            if s.hasRankingForDim {
                reselect(&s, id: keep)
            } else {
                // One top-k at the new dimension; the screen changes when it arrives (no empty frame).
                s.pendingReselect = keep
                rankMissing(&s, &fx)
                reaction = .none
            }

        case .compareDimensionStep(let d):
            s.compareDimIndex = clamp(s.compareDimIndex + d, 0, s.dimensions.count - 1)
            if s.queryVector != nil, s.rankings[s.compareDim] == nil { rankMissing(&s, &fx); reaction = .none }

        case .lensKStep(let d):
            let ks = AppState.lensKs
            let i = ks.firstIndex(of: s.lensK) ?? 1
            s.lensK = ks[clamp(i + d, 0, ks.count - 1)]
            requestFolderCurve(&s, &fx)

        case .resize(let size):
            s.size = size

        case let .mouse(button, targets):
            mouse(&s, button, targets)

        case .edit(let cmd):
            edit(&s, cmd, &fx)

        case .submit:
            if let list = activeList(s) {
                commitRow(&s, list, &fx)
            } else {
                s.query.commit()
                s.focus = .results
            }

        case .leaveEditor:
            if let list = activeList(s) {
                modifyList(&s, list) { l in
                    if let e = l.editor, e.isEmpty, l.rows.indices.contains(l.selection), l.rows[l.selection].text.isEmpty {
                        l.rows.remove(at: l.selection)
                        l.selection = max(0, min(l.selection, l.rows.count - 1))
                    }
                    l.editor = nil
                }
            } else {
                s.focus = .results
            }

        case .searchSimilar:
            searchSimilar(&s, &fx)

        case .open:
            if let id = s.selectedItemID, let item = s.item(id) { fx.append(.open(path: item.absolutePath)) }

        case .copyPath:
            if let id = s.selectedItemID, let item = s.item(id) { fx.append(.copy(path: item.absolutePath)) }

        case .toggleMark:
            if let id = s.selectedItemID {
                if let i = s.marked.firstIndex(of: id) { s.marked.remove(at: i) } else { s.marked.append(id) }
                s.message = "\(s.marked.count) marked"
            }

        case .editRow:
            if let list = listForView(s.view) {
                modifyList(&s, list) { l in
                    if l.rows.indices.contains(l.selection) { l.editor = LineEditor(l.rows[l.selection].text) }
                }
            }

        case .addRow:
            if let list = listForView(s.view) {
                modifyList(&s, list) { l in
                    l.rows.append(TextList.Row(tag: list == .crossLingual ? "+" : "", text: ""))
                    l.selection = l.rows.count - 1
                    l.editor = LineEditor()
                }
            }

        case .deleteRow:
            if let list = listForView(s.view) {
                modifyList(&s, list) { l in
                    guard l.rows.indices.contains(l.selection) else { return }
                    l.rows.remove(at: l.selection)
                    l.selection = max(0, min(l.selection, l.rows.count - 1))
                }
            }

        case let .queryEmbedded(generation, vector, ms):
            guard generation == s.queryGeneration else { return (.none, []) }
            s.queryVector = vector
            s.queryError = nil
            fx.append(.score(generation: generation, vector: vector, embedMs: ms))
            reaction = .none          // nothing visible changes until the scores arrive

        case let .queryFailed(generation, message):
            guard generation == s.queryGeneration else { return (.none, []) }
            s.queryError = message

        case let .scored(generation, rankings, ms, ranked, scores, merge):
            guard generation == s.queryGeneration else { return (.none, []) }
            let same = s.scoredGeneration == generation
            let keep = s.pendingReselect ?? (same ? s.selectedItemID : nil)
            s.pendingReselect = nil
            if merge && same {
                s.rankings.merge(rankings) { _, new in new }
                if let scores { s.dimScores.merge(scores) { _, new in new } }
            } else {
                s.rankings = rankings
                s.dimScores = scores ?? [:]
            }
            s.rankedCount = ranked ?? rankings.values.map(\.count).max() ?? 0
            if scores != nil { s.scoresVersion += 1 }
            s.scoredGeneration = generation
            if let ms { s.latencyMs = ms }
            if keep != nil { reselect(&s, id: keep) }
            s.resultSelection = clamp(s.resultSelection, 0, max(0, s.ranking.count - 1))
            rankMissing(&s, &fx)        // the dimension changed while this generation was being ranked

        case let .dimensionsSummarized(request, lens, histogram):
            // Kept only while it is what the screen still asks for (scores, k, dimension, width).
            if let key = request.lens, key.scoresVersion == s.scoresVersion, key.k == s.lensK {
                s.lens = lens
                s.lensVersion = key.scoresVersion
            }
            if let histogram, histogram.key == histogramKey(s) { s.histogram = histogram }
            // `summaryRequested` stays: a summary that cannot be computed (nil) is not asked for again.

        case .previewRanked(let ranks):
            guard ranks.key.generation == s.queryGeneration else { return (.none, []) }
            s.previewRanks = ranks
            reaction = s.selectedItemID == ranks.key.id ? .redraw : .none

        case let .tokenized(text, pieces):
            guard text == s.query.text else { return (.none, []) }
            s.tokens = pieces

        case let .rowReady(list, index, generation, vector, top):
            modifyList(&s, list) { l in
                guard l.rows.indices.contains(index), l.rows[index].generation == generation else { return }
                l.rows[index].vector = vector
                l.rows[index].top = top
            }

        case let .vectorLoaded(id, purpose, vector):
            switch purpose {
            case .similar(let generation):
                guard generation == s.queryGeneration else { return (.none, []) }
                guard let v = vector else { s.message = "no vector for this image yet"; break }
                s.queryVector = v
                fx.append(.score(generation: generation, vector: v, embedMs: nil))
            case .labels:
                if id == s.labelTarget { s.labelVector = vector }
            }

        case let .previewLoaded(key, image) where key.thumbnail:
            s.thumbnailsRequested.remove(key)
            if let image {
                if s.thumbnails.count >= AppState.thumbnailLimit {
                    // Keep what the grid shows now; thumbnails of another block size or scrolled away go.
                    let keep = Set(ResultsGrid.wantedKeys(s))
                    s.thumbnails = s.thumbnails.filter { keep.contains($0.key) }
                }
                s.thumbnails[key] = image
                if s.item(key.id)?.pixelWidth == 0 { s.setPixelSize(of: key.id, width: image.sourceWidth, height: image.sourceHeight) }
            } else {
                if s.failedPreviews.count >= AppState.failedPreviewLimit { s.failedPreviews = [] }
                s.failedPreviews.insert(key)
            }
            reaction = s.grid && s.view == .browse ? .redraw : .none

        case let .previewLoaded(key, image):
            // Both caches are keyed by the preview's cell box as well as the image, so every size a
            // resize storm passes through adds a key: they are bounded here, not by the folder.
            if let image {
                if s.previews.count >= AppState.previewCacheLimit {
                    // Previews drawn for another box are useless at this size; if the box is the
                    // same for all of them, start over (the selected one is being inserted).
                    s.previews = s.previews.filter { $0.key.maxWidth == key.maxWidth && $0.key.maxHeight == key.maxHeight }
                    if s.previews.count >= AppState.previewCacheLimit { s.previews = [:] }
                }
                s.previews[key] = image
                if s.item(key.id)?.pixelWidth == 0 { s.setPixelSize(of: key.id, width: image.sourceWidth, height: image.sourceHeight) }
            } else {
                // Forgetting failures only costs one more decoding attempt of a broken image.
                if s.failedPreviews.count >= AppState.failedPreviewLimit { s.failedPreviews = [] }
                s.failedPreviews.insert(key)
            }

        case .items(let list):
            s.items = list
            s.indexing.total = list.count
            s.indexing.done = list.reduce(0) { $0 + ($1.state != .pending ? 1 : 0) }
            s.indexing.running = s.indexing.done < s.indexing.total
            s.folderSelection = clamp(s.folderSelection, 0, max(0, list.count - 1))

        case .backend(let event):
            backendEvent(&s, event, &fx)

        case .message(let m):
            s.message = m

        case let .folderCurve(key, state):
            s.folderCurves[key] = state
            reaction = s.view == .dimensions ? .redraw : .none
        }

        followUps(&s, &fx)
        return (reaction, fx)
    }

    // MARK: query

    /// The query text changed (typing, paste, history, prefix toggle): new generation,
    /// tokenization, and an embedding request that supersedes any pending one.
    static func queryChanged(_ s: inout AppState, _ fx: inout [Effect], keepSelection: Bool = false) {
        let text = s.query.text
        if case .image = s.source { pushCrumb(&s) }
        s.queryGeneration += 1
        if !keepSelection { s.resultSelection = 0 }
        fx.append(.tokenize(text))
        if text.trimmingSpaces.isEmpty {
            s.source = .none
            s.queryVector = nil
            s.rankings = [:]
            s.dimScores = [:]
            s.rankedCount = 0
            s.scoredGeneration = s.queryGeneration
            s.latencyMs = nil
        } else {
            s.source = .text(text)
            fx.append(.embedQuery(generation: s.queryGeneration, text: text, asQuery: s.usePrefix))
        }
    }

    static func pushCrumb(_ s: inout AppState) {
        s.breadcrumb.append(Crumb(source: s.source, vector: s.queryVector, editorText: s.query.text, selection: s.resultSelection))
        if s.breadcrumb.count > 32 { s.breadcrumb.removeFirst() }
    }

    static func searchSimilar(_ s: inout AppState, _ fx: inout [Effect]) {
        guard let id = s.selectedItemID, let item = s.item(id) else { return }
        switch item.state {
        case .pending: s.message = "\(item.name) is not embedded yet"; return
        case .failed(let why): s.message = "\(item.name): \(why)"; return
        case .embedded: break
        }
        if s.source != .none { pushCrumb(&s) }
        s.queryGeneration += 1
        s.source = .image(id: id)
        s.resultSelection = 0
        s.focus = .results
        if s.view != .browse && s.view != .compare { s.view = .browse }
        fx.append(.loadVector(id: id, purpose: .similar(generation: s.queryGeneration)))
    }

    static func back(_ s: inout AppState, _ fx: inout [Effect]) {
        if s.overlay != nil { s.overlay = nil; return }
        if s.view != .browse { s.view = .browse; return }
        guard let crumb = s.breadcrumb.popLast() else {
            if s.focus != .query { s.focus = .query }
            return
        }
        s.queryGeneration += 1
        s.source = crumb.source
        s.query.setText(crumb.editorText)
        s.resultSelection = crumb.selection
        fx.append(.tokenize(crumb.editorText))
        if let v = crumb.vector {
            s.queryVector = v
            fx.append(.score(generation: s.queryGeneration, vector: v, embedMs: nil))
        } else if case .text(let t) = crumb.source {
            fx.append(.embedQuery(generation: s.queryGeneration, text: t, asQuery: s.usePrefix))
        } else {
            s.queryVector = nil
            s.rankings = [:]
            s.dimScores = [:]
            s.rankedCount = 0
        }
    }

    static func edit(_ s: inout AppState, _ cmd: EditorCommand, _ fx: inout [Effect]) {
        if let list = activeList(s) {
            modifyList(&s, list) { l in
                if var e = l.editor { apply(cmd, to: &e); l.editor = e }
            }
            return
        }
        let before = s.query.text
        apply(cmd, to: &s.query)
        if s.query.text != before { queryChanged(&s, &fx) }
    }

    static func apply(_ cmd: EditorCommand, to e: inout LineEditor) {
        switch cmd {
        case .insert(let t): e.insert(t)
        case .backspace: e.deleteBackward()
        case .deleteForward: e.deleteForward()
        case .deleteWord: e.deleteWordBackward()
        case .deleteToStart: e.deleteToStart()
        case .deleteToEnd: e.deleteToEnd()
        case .left: e.moveLeft()
        case .right: e.moveRight()
        case .wordLeft: e.moveWordLeft()
        case .wordRight: e.moveWordRight()
        case .home: e.moveHome()
        case .end: e.moveEnd()
        case .historyPrevious: e.historyPrevious()
        case .historyNext: e.historyNext()
        }
    }

    // MARK: views and lists

    static func listForView(_ v: ViewMode) -> ListID? {
        switch v {
        case .crossLingual: return .crossLingual
        case .labels: return .labels
        default: return nil
        }
    }

    static func activeList(_ s: AppState) -> ListID? {
        guard let l = listForView(s.view) else { return nil }
        return (l == .crossLingual ? s.crossLingual : s.labels).editor != nil ? l : nil
    }

    static func modifyList(_ s: inout AppState, _ id: ListID, _ body: (inout TextList) -> Void) {
        if id == .crossLingual { body(&s.crossLingual) } else { body(&s.labels) }
    }

    static func commitRow(_ s: inout AppState, _ id: ListID, _ fx: inout [Effect]) {
        var request: Effect?
        modifyList(&s, id) { l in
            guard let e = l.editor, l.rows.indices.contains(l.selection) else { l.editor = nil; return }
            l.editor = nil
            let i = l.selection
            if e.text.trimmingSpaces.isEmpty { l.rows.remove(at: i); l.selection = max(0, min(i, l.rows.count - 1)); return }
            l.rows[i].text = e.text
            l.rows[i].vector = nil
            l.rows[i].top = [:]
            l.rows[i].generation += 1
            request = .embedRow(list: id, index: i, generation: l.rows[i].generation, text: e.text, asQuery: id == .crossLingual)
        }
        if let request { fx.append(request) }
    }

    /// Embedding requests for rows without a vector (entering a view, after indexing).
    static func embedMissingRows(_ s: inout AppState, _ id: ListID, _ fx: inout [Effect], all: Bool = false) {
        modifyList(&s, id) { l in
            for i in l.rows.indices where all || l.rows[i].vector == nil {
                l.rows[i].generation += 1
                fx.append(.embedRow(list: id, index: i, generation: l.rows[i].generation, text: l.rows[i].text,
                                    asQuery: id == .crossLingual))
            }
        }
    }

    static func setView(_ s: inout AppState, _ v: ViewMode, _ fx: inout [Effect]) {
        let target = s.view == v ? ViewMode.browse : v
        if target == .labels {
            guard let id = s.selectedItemID, s.item(id)?.state == .embedded else {
                s.message = "select an embedded image first (labels are ranked for one image)"
                return
            }
            if s.labelTarget != id { s.labelTarget = id; s.labelVector = nil }
            fx.append(.loadVector(id: id, purpose: .labels))
            embedMissingRows(&s, .labels, &fx)
        }
        if target == .crossLingual { embedMissingRows(&s, .crossLingual, &fx) }
        if target == .dimensions {
            if s.focus == .folder { s.focus = .results }
            s.view = target
            requestFolderCurve(&s, &fx)
        }
        if target == .compare {
            if s.focus == .folder { s.focus = .results }
            if s.compareDimIndex == s.dimIndex, s.dimensions.count > 1 {
                s.compareDimIndex = s.dimIndex > 0 ? s.dimIndex - 1 : 1
            }
        }
        s.overlay = s.overlay == .tokens ? s.overlay : nil
        let wasDimensions = s.view == .dimensions
        s.view = target
        if target == .dimensions, let v = s.queryVector {
            // Every dimension with all its scores (true ranks and the histogram), in one job.
            fx.append(.rescore(generation: s.queryGeneration, vector: v))
        } else if wasDimensions {
            s.dimScores = [:]
        }
        if target != .dimensions { rankMissing(&s, &fx) }
    }

    /// Asks for the rankings the screen needs and lacks (merged into this generation's when they arrive).
    static func rankMissing(_ s: inout AppState, _ fx: inout [Effect]) {
        guard let v = s.queryVector, s.scoredGeneration == s.queryGeneration,
              s.neededDims.contains(where: { s.rankings[$0] == nil }) else { return }
        if !fx.contains(where: { if case .rankMore = $0 { return true }; if case .rescore = $0 { return true }; return false }) {
            fx.append(.rankMore(generation: s.queryGeneration, vector: v))
        }
    }

    static func cycleFocus(_ s: inout AppState, forward: Bool) {
        let order: [Focus]
        switch s.view {
        case .browse: order = Layout.mode(for: s.size) == .full && !s.grid ? [.query, .folder, .results] : [.query, .results]
        case .compare, .dimensions: order = [.query, .results]
        case .crossLingual, .labels: return
        }
        let i = order.firstIndex(of: s.focus) ?? 0
        s.focus = order[(i + (forward ? 1 : order.count - 1)) % order.count]
    }

    static func move(_ s: inout AppState, by delta: Int) {
        func step(_ v: Int, _ count: Int) -> Int { clamp(v.addingReportingOverflow(delta).partialValue, 0, max(0, count - 1)) }
        if s.overlay == .help {
            s.helpScroll = clamp(s.helpScroll + delta.signum() * min(abs(delta), 1000), 0, KeyMap.helpLines().count - 1)
            return
        }
        switch s.view {
        case .crossLingual: s.crossLingual.selection = step(s.crossLingual.selection, s.crossLingual.rows.count)
        case .labels: s.labels.selection = step(s.labels.selection, s.labels.rows.count)
        case .browse, .compare, .dimensions:
            if s.focus == .folder && s.view == .browse {
                s.folderSelection = step(s.folderSelection, s.items.count)
            } else {
                if s.focus == .query { s.focus = .results }
                s.resultSelection = step(s.resultSelection, s.ranking.count)
            }
        }
    }

    /// Scrolling near the end of the ranked prefix asks for a deeper one (4× as many rows).
    static func deepen(_ s: inout AppState, _ fx: inout [Effect]) {
        guard let v = s.queryVector, s.scoredGeneration == s.queryGeneration, s.view != .crossLingual, s.view != .labels,
              s.ranking.count < s.rankedCount, s.resultSelection + max(50, s.size.height * 2) >= s.ranking.count,
              s.rankDepth <= s.ranking.count else { return }
        s.rankDepth = s.ranking.count * 4
        fx.append(.rescore(generation: s.queryGeneration, vector: v))
    }

    /// After a re-rank, keeps the selection on the same item, unless it was on the first row
    /// (then the new best stays selected: the user has not picked anything yet).
    static func reselect(_ s: inout AppState, id: Int?) {
        guard s.resultSelection > 0, let id, let i = s.ranking.firstIndex(where: { $0.id == id }) else { return }
        s.resultSelection = i
    }

    /// A click or wheel on what was drawn: focus the pane, select the row under the pointer.
    static func mouse(_ s: inout AppState, _ button: MouseButton, _ targets: [HitTarget]) {
        if s.overlay != nil { if button == .left { s.overlay = nil }; return }
        let wheel = button == .wheelUp ? -3 : button == .wheelDown ? 3 : 0
        var pane: PaneID?, row: HitTarget?
        for t in targets {
            if case .pane(let p) = t { pane = pane ?? p } else { row = row ?? t }
        }
        switch pane {
        case .results?:
            s.focus = .results
            if wheel != 0 {
                // The grid scrolls one row of thumbnails per notch.
                if let g = ResultsGrid.geometry(s) { move(&s, by: wheel.signum() * g.columns) } else { move(&s, by: wheel) }
                return
            }
            if case .resultRow(let i)? = row, s.ranking.indices.contains(i) { s.resultSelection = i }
        case .folder?:
            s.focus = .folder
            if wheel != 0 { move(&s, by: wheel); return }
            if case .folderItem(let i)? = row, s.items.indices.contains(i) { s.folderSelection = i }
        case .query?:
            if s.view == .crossLingual || s.view == .labels { s.view = .browse }
            s.focus = .query
        case .body?:
            if wheel != 0 { move(&s, by: wheel); return }
            if case .resultRow(let i)? = row, s.ranking.indices.contains(i) { s.resultSelection = i }
            guard case let .listRow(list, i)? = row, listForView(s.view) == list, activeList(s) == nil else { return }
            let count = (list == .crossLingual ? s.crossLingual : s.labels).rows.count
            if i < count { modifyList(&s, list) { $0.selection = i } }
        default:
            return
        }
    }

    // MARK: background work

    static func backendEvent(_ s: inout AppState, _ e: BackendEvent, _ fx: inout [Effect]) {
        switch e {
        case let .itemChanged(id, state):
            s.setState(of: id, to: state)
        case .itemsChanged(let changes):
            for c in changes { s.setState(of: c.id, to: c.state) }
        case let .progress(done, total):
            s.indexing.done = done
            s.indexing.total = total
            s.indexing.running = done < total
            if let v = s.queryVector, done - s.indexing.scoredAtDone >= max(1, total / 40) || done == total {
                s.indexing.scoredAtDone = done
                fx.append(.rescore(generation: s.queryGeneration, vector: v))
            }
        case .finished:
            s.indexing.running = false
            s.indexing.scoredAtDone = s.indexing.done
            s.indexing.done = s.items.reduce(0) { $0 + ($1.state != .pending ? 1 : 0) }
            if let v = s.queryVector { fx.append(.rescore(generation: s.queryGeneration, vector: v)) }
            if s.view == .crossLingual { embedMissingRows(&s, .crossLingual, &fx, all: true) }
            if s.view == .dimensions { requestFolderCurve(&s, &fx) }
        }
    }

    /// The folder curve for the current snapshot and k, unless it is cached or being computed.
    /// While images are still being indexed the curve waits for the end of indexing.
    static func requestFolderCurve(_ s: inout AppState, _ fx: inout [Effect]) {
        guard s.view == .dimensions, !s.indexing.running else { return }
        let key = s.folderCurveKey
        guard s.folderCurves[key] == nil else { return }
        guard key.embedded >= 2 else {
            s.folderCurves[key] = .unavailable("the folder curve needs 2 embedded images (\(key.embedded) now)")
            return
        }
        s.folderCurves[key] = .running(done: 0, total: min(key.embedded, 500))
        fx.append(.folderCurve(key))
    }

    /// Keeps the dimensions view's per-query summary and histogram in step with the scores, k, the
    /// dimension and the histogram's width: asks a worker for what is stale (once per change).
    static func refreshDimensionsSummary(_ s: inout AppState, _ fx: inout [Effect]) {
        guard s.view == .dimensions else { return }
        if s.dimScores.isEmpty {                     // no query, or its scores are on the way
            if s.source == .none { s.lens = nil; s.histogram = nil }
            return
        }
        var want = DimensionsSummaryRequest()
        if s.lens == nil || s.lensVersion != s.scoresVersion || s.lens?.requestedK != s.lensK {
            want.lens = DimensionsSummaryRequest.LensKey(scoresVersion: s.scoresVersion, k: s.lensK)
        }
        if let key = histogramKey(s), s.histogram?.key != key { want.histogram = key }
        guard want.lens != nil || want.histogram != nil, s.summaryRequested != want else { return }
        s.summaryRequested = want
        fx.append(.summarizeDimensions(want, generation: s.scoredGeneration, scores: s.dimScores, dims: s.dimensions))
    }

    /// What the histogram on screen now bins: every score at the current dimension, one bin per
    /// column of its section; nil when the section is not shown or the scores are missing.
    static func histogramKey(_ s: AppState) -> ScoreHistogram.Key? {
        guard s.dimScores[s.dim] != nil, let body = Layout.compute(size: s.size, state: s)[.body],
              let h = DimensionsView.layout(body.inset(1))[.histogram], h.width >= 10, h.height >= 4 else { return nil }
        return ScoreHistogram.Key(scoresVersion: s.scoresVersion, dim: s.dim, bins: h.width - 2)
    }

    /// After every action: request the preview the layout now needs (once).
    static func followUps(_ s: inout AppState, _ fx: inout [Effect]) {
        refreshDimensionsSummary(&s, &fx)
        requestPreviewRanks(&s, &fx)
        requestThumbnails(&s, &fx)
        guard s.options.showImages, let key = PreviewPane.wantedPreview(s) else { return }
        if s.previews[key] == nil, !s.failedPreviews.contains(key), s.previewRequested != key {
            s.previewRequested = key
            fx.append(.loadPreview(key))
        }
    }

    /// The grid's thumbnails that are neither here nor failed, as one batch; sent again only when it
    /// asks for something the running batch does not (arrivals shrink it, scrolling extends it).
    static func requestThumbnails(_ s: inout AppState, _ fx: inout [Effect]) {
        guard s.grid, s.view == .browse else { return }
        let missing = ResultsGrid.wantedKeys(s).filter { s.thumbnails[$0] == nil && !s.failedPreviews.contains($0) }
        guard !missing.isEmpty, !Set(missing).isSubset(of: s.thumbnailsRequested) else { return }
        s.thumbnailsRequested = Set(missing)
        fx.append(.loadThumbnails(missing))
    }

    /// The preview's rank at every dimension, for the selected item only, once per (query, indexing
    /// snapshot, item); moving the selection supersedes the pending request.
    static func requestPreviewRanks(_ s: inout AppState, _ fx: inout [Effect]) {
        guard s.source != .none, let v = s.queryVector, s.scoredGeneration == s.queryGeneration, !s.rankings.isEmpty,
              let id = s.selectedItemID, Layout.compute(size: s.size, state: s)[.preview] != nil else { return }
        let key = PreviewRanksKey(generation: s.queryGeneration, snapshot: s.indexing.scoredAtDone, id: id)
        guard s.previewRanksRequested != key, s.previewRanks?.key != key else { return }
        s.previewRanksRequested = key
        fx.append(.previewRanks(key, vector: v))
    }

    static func clamp(_ v: Int, _ lo: Int, _ hi: Int) -> Int { max(lo, min(hi, v)) }
}

extension Action {
    /// Keys, mouse and resize (they clear the transient status message); not worker results.
    var isUserInput: Bool {
        switch self {
        case .queryEmbedded, .queryFailed, .scored, .previewRanked, .dimensionsSummarized, .tokenized, .rowReady, .vectorLoaded, .previewLoaded,
             .items, .backend, .message, .resize, .folderCurve:
            return false
        default:
            return true
        }
    }
}
