// Placeholder so the SafeTensors target builds before its first source file lands.
