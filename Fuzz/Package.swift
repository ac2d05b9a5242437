// swift-tools-version:6.0
// libFuzzer harnesses for ClipScope's parsers. A separate package so the main package,
// its tests and CI never see -sanitize flags or fuzz entry points. Build and run with
// Scripts/fuzz/fuzz.sh; by hand:
//   swift build --package-path Fuzz --scratch-path .build-fuzz -c release -Xswiftc -g \
//     --sanitize=fuzzer --sanitize=address
// (SwiftPM's --sanitize, not -Xswiftc -sanitize=fuzzer: with the latter SwiftPM still links each
// executable with main=<Target>_main, which these harnesses do not define.)
import PackageDescription

// Each harness defines LLVMFuzzerTestOneInput and no Swift `main`; libFuzzer supplies main().
let harness: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "ClipScopeFuzz",
    products: [
        .executable(name: "fuzz-safetensors", targets: ["FuzzSafeTensors"]),
        .executable(name: "fuzz-tokenizer", targets: ["FuzzTokenizer"]),
        .executable(name: "fuzz-cache", targets: ["FuzzCache"]),
        .executable(name: "fuzz-image", targets: ["FuzzImage"]),
        .executable(name: "fuzz-cli", targets: ["FuzzCLI"]),
    ],
    dependencies: [
        // Through the symlink ClipScopeRoot → ..: a path dependency's identity is its directory name, and
        // the checkout's own name (main, fuzz, …) would vary or even clash with this package's "fuzz".
        .package(path: "ClipScopeRoot"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "FuzzSupport"),
        .executableTarget(name: "FuzzSafeTensors", dependencies: [
            "FuzzSupport", .product(name: "ClipScopeFuzzable", package: "ClipScopeRoot")], swiftSettings: harness),
        .executableTarget(name: "FuzzTokenizer", dependencies: [
            "FuzzSupport", .product(name: "ClipScopeFuzzable", package: "ClipScopeRoot")], swiftSettings: harness),
        .executableTarget(name: "FuzzCache", dependencies: [
            "FuzzSupport", .product(name: "ClipScopeFuzzable", package: "ClipScopeRoot")], swiftSettings: harness),
        .executableTarget(name: "FuzzImage", dependencies: [
            "FuzzSupport", .product(name: "ClipScopeFuzzable", package: "ClipScopeRoot")], swiftSettings: harness),
        // The CLI harness imports ArgumentParser itself (for fullMessage/exitCode on the root command).
        .executableTarget(name: "FuzzCLI", dependencies: [
            .product(name: "ClipScopeFuzzable", package: "ClipScopeRoot"),
            .product(name: "ArgumentParser", package: "swift-argument-parser")], swiftSettings: harness),
    ],
    swiftLanguageModes: [.v5]
)
