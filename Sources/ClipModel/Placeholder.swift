// Placeholder so the ClipModel target builds before its first source file lands.
