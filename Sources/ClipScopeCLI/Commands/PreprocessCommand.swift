// `clipscope preprocess`: one image → the model's pixel_values as .npy, so anyone can diff
// ClipScope's preprocessing against Pillow / the official processor.
//   float32 [3, S, S] = (u8/255 − mean)/std, CHW (default)
//   uint8 [S, S, 3]   = the resized and center-cropped RGB, HWC (--uint8)
// S, mean and std come from DIR/preprocessor_config.json.
import CLISupport
import FileIO
import ArgumentParser
import ClipModel
import Foundation
import Imaging

struct PreprocessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preprocess",
        abstract: "Write an image's pixel_values as .npy.",
        discussion: """
        Decodes the image like Pillow's open().convert("RGB") (no EXIF rotation), resizes the \
        shortest side to the model's image size with Pillow's bicubic filter, center-crops, and \
        writes float32 [3, S, S] pixel values (or, with --uint8, the uint8 [S, S, 3] crop). \
        S, mean and std come from the model directory's preprocessor_config.json; without \
        --model the jina-clip-v2 values are used (512, CLIP mean/std).
        """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: ArgumentHelp("Image file (JPEG, PNG, WebP, GIF, BMP or TIFF).", valueName: "PATH"))
    var image: String

    @Option(name: .long, help: ArgumentHelp("Output .npy file.", valueName: "FILE.npy"))
    var out: String

    @Flag(name: .long, help: "Write the resized and cropped RGB as uint8 [S, S, 3] instead of float32 pixel values.")
    var uint8 = false

    func run() throws {
        do { try AtomicFile.checkTarget(out) } catch { throw CLIError.failure("\(error)") }   // before any work
        let config = try resolveConfig()
        let decoded: DecodedImage
        let source: (width: Int, height: Int)
        let t0 = StageClock.now()
        do {
            // Decoded and resized together (a PNG row by row), so t0…t1 covers both.
            let bytes = try ImageDecoder.readFile(image)
            source = try ImageDecoder.dimensions(data: bytes, path: image)
            decoded = try Preprocessor.decodeAndCenterCrop(data: bytes, path: image, size: config.size)
        } catch let error as ImageError {
            throw CLIError.failure(error.description)
        }
        for warning in decoded.warnings { printError("clipscope: \(image): warning: \(warning)") }

        let t1 = StageClock.now()
        let crop = decoded.image   // the size×size crop (decoded and resized together)
        let data: Data
        let what: String
        if uint8 {
            data = NPYWriter.data(uint8: crop.pixels, shape: [config.size, config.size, 3])
            what = "uint8 [\(config.size), \(config.size), 3]"
        } else {
            let values = Preprocessor.pixelValues(crop, mean: config.mean, std: config.std)
            data = NPYWriter.data(float32: values, shape: [3, config.size, config.size])
            what = "float32 [3, \(config.size), \(config.size)]"
        }
        let t2 = StageClock.now()
        do { try AtomicFile.write(data, to: out) } catch { throw CLIError.failure("\(error)") }
        let g = ResizeCropGeometry(width: source.width, height: source.height, size: config.size)
        printError("clipscope: wrote \(out): \(what) (\(image) \(source.width)x\(source.height) → "
            + "resized \(g.resizedWidth)x\(g.resizedHeight) → crop at x \(g.left), y \(g.top); "
            + "decode and resize \(t0.ms(to: t1)), normalise \(t1.ms(to: t2)))")
    }

    /// --model DIR|NAME (or $CLIPSCOPE_MODEL), resolved like every subcommand; with neither, the
    /// jina-clip-v2 preprocessing (size 512, CLIP mean/std), said on stderr.
    private func resolveConfig() throws -> PreprocessorConfig {
        let env = ProcessInfo.processInfo.environment["CLIPSCOPE_MODEL"].flatMap { $0.isEmpty ? nil : $0 }
        guard modelOptions.model != nil || env != nil else {
            printError("clipscope: no --model given: using jina-clip-v2 preprocessing (size 512, CLIP mean/std)")
            return .jinaClipV2
        }
        let resolved = try modelOptions.resolveModel()
        // The model's own parser: `preprocess` and `embed` read the same folder the same way.
        do {
            return try ModelConfig.load(directory: resolved.directory).preprocessor
        } catch {
            throw CLIError.failure("\(error)")
        }
    }
}

/// Wall and thread-CPU time stamps, for the timing in the summary line.
private struct StageClock {
    var wall: UInt64
    var cpu: UInt64

    static func now() -> StageClock {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return StageClock(wall: DispatchTime.now().uptimeNanoseconds,
                     cpu: UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec))
    }

    func ms(to end: StageClock) -> String {
        String(format: "%.1f ms (CPU %.1f ms)", Double(end.wall - wall) / 1e6, Double(end.cpu - cpu) / 1e6)
    }
}
