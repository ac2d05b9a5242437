// The root command: `clipscope [FOLDER]` opens the explorer (default subcommand); a subcommand
// name always wins over a folder of the same name (`clipscope explore FOLDER` is explicit).
import CLISupport
import ArgumentParser
import ClipScopeBench

public struct ClipScopeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "clipscope",
        abstract: "Explore how jina-clip-v2 ranks your images for queries in any language.",
        discussion: """
        Run `clipscope FOLDER` to open the explorer on an image folder, or use a subcommand.
        Every subcommand takes --model DIR|NAME (default: $CLIPSCOPE_MODEL, then jina-clip-v2 \
        found locally, then the bundled demo model). Exit status: 0 success, 1 some input \
        failed, 2 usage error.
        """,
        version: ClipScopeMain.version,
        subcommands: [
            ExploreCommand.self, TokenizeCommand.self, EmbedCommand.self, PreprocessCommand.self,
            IndexCommand.self, SearchCommand.self, CompareCommand.self, TruncationCommand.self, ExportCommand.self, ImportCommand.self,
            CacheCommand.self, EvalCommand.self, BenchCommand.self, ModelCommand.self, ServeCommand.self,
        ],
        defaultSubcommand: ExploreCommand.self
    )
    public init() {}
}
