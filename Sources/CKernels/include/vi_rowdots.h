// Row dot products for VectorIndex (Sources/VectorIndex/RowDots.swift holds the naive twin):
//   y[i] (+)= sum_{j<d} a[i*lda + j] * q[j]   for i in [0, n)
// AVX-512F / AVX2+FMA / portable C chosen at run time (own __builtin_cpu_supports check).
#ifndef CLIPSCOPE_VI_ROWDOTS_H
#define CLIPSCOPE_VI_ROWDOTS_H
#include <stddef.h>

void vi_row_dots(const float *a, ptrdiff_t n, ptrdiff_t d, ptrdiff_t lda, const float *q, float *y, int accumulate);

/// One specific variant, for tests: isa 0 = portable C, 1 = AVX2+FMA, 2 = AVX-512F. Returns 0 (and
/// computes nothing) when this CPU or build lacks the variant.
int vi_row_dots_isa(int isa, const float *a, ptrdiff_t n, ptrdiff_t d, ptrdiff_t lda, const float *q, float *y, int accumulate);
#endif
