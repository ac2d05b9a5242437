// The clipscope executable: argument parsing and wiring live in ClipScopeCLI.
import ClipScopeCLI

ClipScopeMain.run()
