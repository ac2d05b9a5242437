// Hot element-wise kernels in C, compiled per ISA with __attribute__((target(...))) and chosen at
// run time (a default Swift build turns SIMD FMA into library calls; -target-cpu flags would make
// the binary unportable). Every kernel has a naive twin in Swift (Kernels/Reference.swift).
#ifndef CLIPSCOPE_CKERNELS_H
#define CLIPSCOPE_CKERNELS_H
#include <stddef.h>
#include <stdint.h>

/// Bit flags of what this CPU supports: 1 = AVX2+FMA+F16C, 2 = AVX-512F.
int cs_cpu_features(void);
#endif
