// Placeholder so the Imaging target builds before its first source file lands.
