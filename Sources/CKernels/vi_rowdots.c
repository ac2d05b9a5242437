// Row dot products for VectorIndex's column panels: one short dot (d = 64 … 512) per row, memory-bound
// at 100k rows. Each ISA variant keeps 32 columns in flight per row (4 × 8 or 2 × 16 accumulators).
// Self-contained (own CPU detection) so it does not depend on the rest of CKernels.
// As -ffp-contract=off, in the source so no build flag is needed: a·b + c is never fused into an FMA
// by the compiler (only the explicit _mm*_fmadd_* intrinsics fuse), whatever the optimization level.
#pragma clang fp contract(off)
#include "vi_rowdots.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

/// 1 = AVX2+FMA, 2 = AVX-512F (bit flags), as cs_cpu_features() reports them.
static int vi_features(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    int f = 0;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) f |= 1;
    if (__builtin_cpu_supports("avx512f")) f |= 2;
    return f;
#else
    return 0;
#endif
}

static void row_dots_c(const float *a, ptrdiff_t n, ptrdiff_t d, ptrdiff_t lda, const float *q, float *y, int acc) {
    for (ptrdiff_t i = 0; i < n; i++) {
        const float *r = a + i * lda;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        ptrdiff_t j = 0;
        for (; j + 4 <= d; j += 4) {
            s0 += r[j] * q[j]; s1 += r[j + 1] * q[j + 1]; s2 += r[j + 2] * q[j + 2]; s3 += r[j + 3] * q[j + 3];
        }
        for (; j < d; j++) s0 += r[j] * q[j];
        float s = (s0 + s1) + (s2 + s3);
        y[i] = acc ? y[i] + s : s;
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma")))
static void row_dots_avx2(const float *a, ptrdiff_t n, ptrdiff_t d, ptrdiff_t lda, const float *q, float *y, int acc) {
    ptrdiff_t d32 = d & ~(ptrdiff_t)31, d8 = d & ~(ptrdiff_t)7;
    for (ptrdiff_t i = 0; i < n; i++) {
        const float *r = a + i * lda;
        __m256 v0 = _mm256_setzero_ps(), v1 = _mm256_setzero_ps(), v2 = _mm256_setzero_ps(), v3 = _mm256_setzero_ps();
        ptrdiff_t j = 0;
        for (; j < d32; j += 32) {
            v0 = _mm256_fmadd_ps(_mm256_loadu_ps(r + j), _mm256_loadu_ps(q + j), v0);
            v1 = _mm256_fmadd_ps(_mm256_loadu_ps(r + j + 8), _mm256_loadu_ps(q + j + 8), v1);
            v2 = _mm256_fmadd_ps(_mm256_loadu_ps(r + j + 16), _mm256_loadu_ps(q + j + 16), v2);
            v3 = _mm256_fmadd_ps(_mm256_loadu_ps(r + j + 24), _mm256_loadu_ps(q + j + 24), v3);
        }
        for (; j < d8; j += 8) v0 = _mm256_fmadd_ps(_mm256_loadu_ps(r + j), _mm256_loadu_ps(q + j), v0);
        __m256 v = _mm256_add_ps(_mm256_add_ps(v0, v1), _mm256_add_ps(v2, v3));
        __m128 h = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
        h = _mm_add_ps(h, _mm_movehl_ps(h, h));
        h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
        float s = _mm_cvtss_f32(h);
        for (; j < d; j++) s += r[j] * q[j];
        y[i] = acc ? y[i] + s : s;
    }
}

__attribute__((target("avx512f")))
static void row_dots_avx512(const float *a, ptrdiff_t n, ptrdiff_t d, ptrdiff_t lda, const float *q, float *y, int acc) {
    ptrdiff_t d32 = d & ~(ptrdiff_t)31;
    __mmask16 tail = (__mmask16)((1u << ((d - d32) & 15)) - 1);
    ptrdiff_t rest = d - d32;          // 0 … 31 columns after the 32-wide loop
    for (ptrdiff_t i = 0; i < n; i++) {
        const float *r = a + i * lda;
        __m512 v0 = _mm512_setzero_ps(), v1 = _mm512_setzero_ps();
        ptrdiff_t j = 0;
        for (; j < d32; j += 32) {
            v0 = _mm512_fmadd_ps(_mm512_loadu_ps(r + j), _mm512_loadu_ps(q + j), v0);
            v1 = _mm512_fmadd_ps(_mm512_loadu_ps(r + j + 16), _mm512_loadu_ps(q + j + 16), v1);
        }
        if (rest >= 16) {
            v0 = _mm512_fmadd_ps(_mm512_loadu_ps(r + j), _mm512_loadu_ps(q + j), v0);
            j += 16;
        }
        if (tail) v1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, r + j), _mm512_maskz_loadu_ps(tail, q + j), v1);
        float s = _mm512_reduce_add_ps(_mm512_add_ps(v0, v1));
        y[i] = acc ? y[i] + s : s;
    }
}
#endif

void vi_row_dots(const float *a, ptrdiff_t n, ptrdiff_t d, ptrdiff_t lda, const float *q, float *y, int accumulate) {
    static int features = -1;
    if (features < 0) features = vi_features();
#if defined(__x86_64__)
    if (features & 2) { row_dots_avx512(a, n, d, lda, q, y, accumulate); return; }
    if (features & 1) { row_dots_avx2(a, n, d, lda, q, y, accumulate); return; }
#endif
    row_dots_c(a, n, d, lda, q, y, accumulate);
}

int vi_row_dots_isa(int isa, const float *a, ptrdiff_t n, ptrdiff_t d, ptrdiff_t lda, const float *q, float *y, int accumulate) {
    int features = vi_features();
    switch (isa) {
    case 0: row_dots_c(a, n, d, lda, q, y, accumulate); return 1;
#if defined(__x86_64__)
    case 1: if (!(features & 1)) return 0; row_dots_avx2(a, n, d, lda, q, y, accumulate); return 1;
    case 2: if (!(features & 2)) return 0; row_dots_avx512(a, n, d, lda, q, y, accumulate); return 1;
#endif
    default: (void)features; return 0;
    }
}
