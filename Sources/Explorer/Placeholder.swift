// Placeholder so the Explorer target builds before its first source file lands.
