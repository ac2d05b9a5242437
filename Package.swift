// swift-tools-version:6.1
// ClipScope: a terminal explorer for jina-clip-v2 embeddings.
//
// Dependency rule (downward only):
//   clipscope (exe) → ClipScopeCLI → {ClipScopeServe, ClipScopeBench, CLISupport, Explorer, CursesTerminal, ModelHub, VectorIndex, ClipModel}
//   ClipScopeBench → CLISupport → {ClipModel, ModelHub, Tokenizer}
//   Explorer → {TUI, TermGraphics, Retrieval} (no ncurses)   TermGraphics → {TUI, CChafa}
//   CursesTerminal → TUI + CNcursesw (the only ncurses user)
//   VectorIndex → Retrieval    ClipModel → {Kernels, SafeTensors, Tokenizer, Imaging, Retrieval}
//   Retrieval (prefix cosine, the ranking order, the comparison metrics, the truncation curve) → Kernels
//   Kernels → {COpenBLAS, CKernels, CDnnl}    Imaging → {CJPEG, CPNG, CWebP, CGIF, CTIFF, CHEIF, CAVIF}
//   FileIO (SafeFile) under SafeTensors, Tokenizer, Imaging, ClipModel, VectorIndex, ModelHub and the CLI
//   ClipScopeKit (library product for apps) → {ClipModel, Imaging, ModelHub, VectorIndex, Retrieval, …}: beside
//   ClipScopeCLI, never below it (no ncurses, no ArgumentParser)
//   ClipScopeServe (`clipscope serve`: the /v1/embeddings HTTP endpoint) → {ClipScopeKit, Hummingbird}; the only
//   Hummingbird/SwiftNIO user
// Nothing below ClipScopeCLI imports CNcursesw; nothing below Explorer knows about the UI.
import PackageDescription

let package = Package(
    name: "ClipScope",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "clipscope", targets: ["clipscope"]),
        // The encoder, tokenizer, image preprocessing and index for apps (Examples/EmbedAndSearch).
        .library(name: "ClipScopeKit", targets: ["ClipScopeKit"]),
        // Only for the libFuzzer harnesses in Fuzz/ (a separate package that depends on this one by
        // path and can see targets only through a product); nothing else uses it. TestSupport gives
        // the harnesses the safetensors writer for their seeds; ClipScopeCLI the argument parser.
        .library(name: "ClipScopeFuzzable", targets: ["SafeTensors", "Tokenizer", "Imaging", "VectorIndex", "TestSupport", "ClipScopeCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation --target ClipScopeKit` (DocC); a plugin, nothing links it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // `clipscope serve` (ClipScopeServe only). No traits: swift-configuration support is not built.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
    ],
    targets: [
        // MARK: C libraries and C kernels
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw"),
        // libchafa: symbol art and sixel encoding for previews (flags from chafa.pc, no unsafeFlags).
        .systemLibrary(name: "CChafa", path: "Sources/CChafa", pkgConfig: "chafa",
                       providers: [.apt(["libchafa-dev", "libglib2.0-dev"])]),
        .target(name: "CJPEG", path: "Sources/CJPEG",
                linkerSettings: [.linkedLibrary("jpeg")]),
        .target(name: "CPNG", path: "Sources/CPNG",
                linkerSettings: [.linkedLibrary("png16")]),
        .target(name: "CWebP", path: "Sources/CWebP",
                linkerSettings: [.linkedLibrary("webpdemux"), .linkedLibrary("webp")]),
        .target(name: "CGIF", path: "Sources/CGIF",
                linkerSettings: [.linkedLibrary("gif")]),
        .target(name: "CTIFF", path: "Sources/CTIFF",
                linkerSettings: [.linkedLibrary("tiff")]),
        .target(name: "CHEIF", path: "Sources/CHEIF",
                linkerSettings: [.linkedLibrary("heif")]),
        .target(name: "CAVIF", path: "Sources/CAVIF",
                linkerSettings: [.linkedLibrary("avif")]),
        // No unsafeFlags (SwiftPM refuses them in a package depended on by version): the kernels' FP
        // contraction and loop unrolling are pragmas in the .c files, built at SwiftPM's -O2 (release).
        .target(name: "CKernels", path: "Sources/CKernels",
                linkerSettings: [.linkedLibrary("m")]),
        // oneDNN's f32 matmul (Debian libdnnl-dev, OpenMP runtime) for the vision tower's projections.
        .target(name: "CDnnl", path: "Sources/CDnnl",
                linkerSettings: [.linkedLibrary("dnnl"), .linkedLibrary("gomp", .when(platforms: [.linux]))]),

        // MARK: encoder library
        .target(name: "FileIO"),     // SafeFile: the one checked open-and-read of every input file
        .target(name: "Kernels", dependencies: ["COpenBLAS", "CKernels", "CDnnl"]),
        .target(name: "SafeTensors", dependencies: ["CKernels", "FileIO"]),
        .target(name: "Tokenizer", dependencies: ["FileIO"]),
        .target(name: "Imaging", dependencies: ["CJPEG", "CPNG", "CWebP", "CGIF", "CTIFF", "CHEIF", "CAVIF", "FileIO"]),
        .target(name: "ClipModel", dependencies: ["Kernels", "CKernels", "SafeTensors", "Tokenizer", "Imaging", "Retrieval", "FileIO"]),

        // MARK: retrieval math, index, model hub
        .target(name: "Retrieval", dependencies: ["Kernels"]),
        .target(name: "VectorIndex", dependencies: ["Kernels", "COpenBLAS", "CKernels", "Retrieval", "FileIO"]),
        .target(name: "ModelHub", dependencies: ["ClipModel", "SafeTensors", "FileIO"]),

        // MARK: terminal UI
        .target(name: "TUI"),
        // TermGraphics: preview modes, their detection, and the kitty / iTerm2 / sixel / symbol encoders.
        .target(name: "TermGraphics", dependencies: ["TUI", "CChafa"]),
        .target(name: "Explorer", dependencies: ["TUI", "TermGraphics", "Retrieval", "FileIO"]),
        .target(name: "CursesTerminal", dependencies: ["TUI", "CNcursesw"]),

        // MARK: command line
        // CLISupport: the one output path, the ordered JSON type, the CLI's errors and --model.
        .target(name: "CLISupport", dependencies: [
            "ClipModel", "Kernels", "ModelHub", "Tokenizer", "FileIO", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // ClipScopeBench: `clipscope bench …`, every speed measurement.
        .target(name: "ClipScopeBench", dependencies: [
            "CLISupport", "ClipModel", "Kernels", "Tokenizer", "VectorIndex", "Retrieval", "Explorer",
            "Imaging", "TermGraphics", "FileIO",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .target(name: "ClipScopeCLI", dependencies: [
            "CLISupport", "ClipScopeBench", "ClipScopeServe", "ClipModel", "Kernels", "Tokenizer", "Imaging", "Retrieval", "VectorIndex", "ModelHub", "Explorer", "CursesTerminal", "TUI", "TermGraphics", "FileIO",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "clipscope", dependencies: ["ClipScopeCLI"]),

        // MARK: library for apps
        .target(name: "ClipScopeKit", dependencies: [
            "ClipModel", "Imaging", "ModelHub", "Retrieval", "SafeTensors", "Tokenizer", "VectorIndex",
        ]),

        // MARK: HTTP server
        // ClipScopeServe: the /v1/embeddings endpoint (Jina's request/response shape) over ClipScopeKit.
        .target(name: "ClipScopeServe", dependencies: [
            "ClipScopeKit", .product(name: "Hummingbird", package: "hummingbird"),
        ]),

        // MARK: tests (fixtures are read from Tests/Fixtures via #filePath)
        // Test-support targets: fakes, recorders and writers that never ship in the executable.
        .target(name: "TestSupport", dependencies: ["SafeTensors", "Retrieval"], path: "Tests/TestSupport"),
        .target(name: "ExplorerTestSupport", dependencies: ["Explorer", "TUI", "Retrieval", "FileIO"], path: "Tests/ExplorerTestSupport"),
        .testTarget(name: "FileIOTests", dependencies: ["FileIO", "TestSupport"]),
        .testTarget(name: "ClipScopeKitTests", dependencies: ["ClipScopeKit", "TestSupport"]),
        .testTarget(name: "ClipScopeServeTests", dependencies: [
            "ClipScopeServe", "ClipScopeKit", "TestSupport", .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "TestSupport"]),
        .testTarget(name: "SafeTensorsTests", dependencies: ["SafeTensors", "TestSupport"]),
        .testTarget(name: "TokenizerTests", dependencies: ["Tokenizer", "TestSupport"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "TestSupport"]),
        .testTarget(name: "ClipModelTests", dependencies: ["ClipModel", "Kernels", "TestSupport"]),
        .testTarget(name: "RetrievalTests", dependencies: ["Retrieval", "TestSupport"]),
        .testTarget(name: "VectorIndexTests", dependencies: ["VectorIndex", "Retrieval", "TestSupport"]),
        .testTarget(name: "ModelHubTests", dependencies: ["ModelHub", "SafeTensors", "FileIO", "TestSupport"]),
        .testTarget(name: "TUITests", dependencies: ["TUI", "TestSupport"]),
        .testTarget(name: "ExplorerTests", dependencies: ["Explorer", "TUI", "Retrieval", "TestSupport", "ExplorerTestSupport", "FileIO"]),
        .testTarget(name: "TermGraphicsTests", dependencies: ["TermGraphics", "TUI", "Imaging", "TestSupport", "CChafa"]),
        .testTarget(name: "CursesTerminalTests", dependencies: ["CursesTerminal", "TestSupport"]),
        .testTarget(name: "ClipScopeCLITests", dependencies: ["ClipScopeCLI", "CLISupport", "ClipScopeBench", "ClipScopeServe", "Kernels", "Retrieval", "TestSupport", "TUI"]),
    ],
    swiftLanguageModes: [.v5]
)
