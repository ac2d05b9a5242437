// Placeholder so the ModelHub target builds before its first source file lands.
