// Placeholder so the Tokenizer target builds before its first source file lands.
