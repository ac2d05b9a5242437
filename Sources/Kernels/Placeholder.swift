// Placeholder so the Kernels target builds before its first source file lands.
import COpenBLAS
