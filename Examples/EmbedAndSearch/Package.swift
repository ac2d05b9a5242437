// swift-tools-version:6.0
// An app that uses ClipScope's encoder as a library: depends on the ClipScopeKit product of the ClipScope
// package two folders up (an app elsewhere would use `.package(url: …, from: "0.1.0")`).
import PackageDescription

let package = Package(
    name: "EmbedAndSearch",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "ClipScope", path: "../.."),
    ],
    targets: [
        .executableTarget(name: "EmbedAndSearch", dependencies: [
            .product(name: "ClipScopeKit", package: "ClipScope"),
        ]),
    ]
)
