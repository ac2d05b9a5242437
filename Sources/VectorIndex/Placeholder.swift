// Placeholder so the VectorIndex target builds before its first source file lands.
