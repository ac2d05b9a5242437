// Placeholder so the CursesTerminal target builds before its first source file lands.
import CNcursesw
