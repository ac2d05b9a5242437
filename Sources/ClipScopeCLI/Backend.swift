// The model behind `index`, `search`, `compare`, `export` and `import`.
//
// Commands ask `BackendFactory.current` for their backend. In the program it resolves --model
// (ModelHub) and loads the jina-clip-v2 encoder (ModelBackend); tests run a command inside
// `BackendFactory.$current.withValue(…)` with a stand-in (a task-local, so parallel tests never
// see each other's factory, and nothing in the environment can swap the model).
import CLISupport
import Foundation
import VectorIndex

/// Makes the search backend for a command's `--model` options.
struct BackendFactory: Sendable {
    var make: @Sendable (ModelOptions) throws -> any SearchBackend

    /// The resolved model (the only factory the program uses).
    static let model = BackendFactory { try ModelBackend.load($0) }

    @TaskLocal static var current: BackendFactory = .model
}

/// The search backend for `--model`.
func makeBackend(_ options: ModelOptions) throws -> any SearchBackend {
    try BackendFactory.current.make(options)
}
