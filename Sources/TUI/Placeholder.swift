// Placeholder so the TUI target builds before its first source file lands.
