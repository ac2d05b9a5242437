// Direct multi-head attention, one (sequence, head) at a time; heads of many sequences are spread over
// threads by the caller (Attention.packedSequences).
//
// AVX-512, blocked so that nothing of size T×T is ever written to memory: per head, K is transposed once
// into kt [D, Tp] (Tp = T rounded to 16) and V copied into vp [T, Dp] (Dp = D rounded to 16), both
// contiguous and L2-resident (2·64·1312·4 B ≈ 670 KB for the vision tower's T = 1297), then for each
// block of QB query rows
//   S[QB, Tp] = scale · Q_blk · kt      (6-row × 64-column register tiles, K = D)
//   softmax over the T columns of each row (+ key_bias)
//   O_blk[QB, D] = S · vp               (6-row × 64-column register tiles, K = T)
// The S block (QB·Tp floats, 250 KB) stays in L2 between the three passes. Per-head sgemm calls instead
// wrote and re-read a 6.7 MB score matrix per head, zeroed it first (beta = 0) and ran the softmax between
// two parallel GEMMs; for text (T ≈ 10–30) they spent more time waking BLAS threads than computing.
// The same kernel serves short sequences: at 13–40 tokens it is ~2× a row-by-row kernel.
// Without AVX-512 the Swift caller uses per-head sgemm instead; the scalar loop below keeps this entry
// point correct on its own (tested, not used by the towers).
// As -ffp-contract=off, in the source so no build flag is needed: a·b + c is never fused into an FMA
// by the compiler (only the explicit _mm*_fmadd_* intrinsics fuse), whatever the optimization level.
#pragma clang fp contract(off)
#include "ckernels.h"
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define CS_X86 1
#endif

#define CS_ATT_QB 48             // query rows per block: 8 register tiles of 6

// kt [d, Tp] + vp [t, Dp] + one S block [QB, Tp]; the scalar loop needs only a row of t (≤ Tp).
size_t cs_attention_scratch(size_t t, size_t d) {
    size_t tp = (t + 15) & ~(size_t)15, dp = (d + 15) & ~(size_t)15;
    return d * tp + t * dp + CS_ATT_QB * tp;
}

// kt[e, j] = k[j, e] for e < d and rows j0 ≤ j < t, zero for t ≤ j < Tp (kt rows Tp = t rounded to 16
// apart). Row by row through K (rows are ldk floats apart: 12 KB in the vision tower); walking it
// column-wise touched all T rows D times, a TLB miss per element (16 heads at T = 1297 on one thread:
// 111–126 ms that way, 66–101 ms this way).
static void transpose_k(const float *k, size_t ldk, size_t j0, size_t t, size_t d, float *kt) {
    const size_t tp = (t + 15) & ~(size_t)15;
    for (size_t j = j0; j < t; j++) {
        const float *kj = k + j * ldk;
        for (size_t e = 0; e < d; e++) kt[e * tp + j] = kj[e];
    }
    for (size_t e = 0; e < d; e++)
        for (size_t j = t; j < tp; j++) kt[e * tp + j] = 0;
}

static void head_scalar(const float *q, size_t ldq, const float *k, size_t ldk, const float *v, size_t ldv,
                        size_t t, size_t d, float scale, const float *bias, float *o, size_t ldo, float *s) {
    for (size_t i = 0; i < t; i++) {
        for (size_t j = 0; j < t; j++) {
            float acc = 0;
            for (size_t e = 0; e < d; e++) acc += q[i * ldq + e] * k[j * ldk + e];
            s[j] = acc * scale;
        }
        cs_softmax_rows(s, 1, t, t, bias);
        for (size_t e = 0; e < d; e++) {
            float acc = 0;
            for (size_t j = 0; j < t; j++) acc += s[j] * v[j * ldv + e];
            o[i * ldo + e] = acc;
        }
    }
}

#if CS_X86
#define CS_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma")))
// C[R, 16·NV] = alpha · A[R, k] · B[k, 16·NV]: A rows at stride lda (broadcast one value per FMA row),
// B rows at stride ldb, the last of the NV vectors masked by ml (loads and stores; masked-off lanes are
// never read or written). R ≤ 6 and NV ≤ 4, both constants after inlining: ≤ 24 accumulators in zmm.
CS_AVX512 static inline __attribute__((always_inline)) void tile_body(const int R, const int NV, const float *a, size_t lda,
                                                            const float *b, size_t ldb, size_t k, float *c,
                                                            size_t ldc, float alpha, __mmask16 ml) {
    __m512 acc[6][4];
    #pragma clang loop unroll(full)
    for (int r = 0; r < R; r++)
        #pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++) acc[r][v] = _mm512_setzero_ps();
    for (size_t e = 0; e < k; e++) {
        const float *be = b + e * ldb;
        __m512 bv[4];
        #pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++)
            bv[v] = v == NV - 1 ? _mm512_maskz_loadu_ps(ml, be + 16 * v) : _mm512_loadu_ps(be + 16 * v);
        #pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) {
            const __m512 av = _mm512_set1_ps(a[r * lda + e]);
            #pragma clang loop unroll(full)
            for (int v = 0; v < NV; v++) acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
        }
    }
    const __m512 va = _mm512_set1_ps(alpha);
    #pragma clang loop unroll(full)
    for (int r = 0; r < R; r++)
        #pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++) {
            __m512 y = _mm512_mul_ps(acc[r][v], va);
            if (v == NV - 1) _mm512_mask_storeu_ps(c + r * ldc + 16 * v, ml, y);
            else _mm512_storeu_ps(c + r * ldc + 16 * v, y);
        }
}

typedef void (*tile_fn)(const float *, size_t, const float *, size_t, size_t, float *, size_t, float, __mmask16);
#define CS_TILE(R, NV)                                                                                          \
    CS_AVX512 static void tile_##R##_##NV(const float *a, size_t lda, const float *b, size_t ldb, size_t k,    \
                                          float *c, size_t ldc, float alpha, __mmask16 ml) {                  \
        tile_body(R, NV, a, lda, b, ldb, k, c, ldc, alpha, ml);                                                 \
    }
#define CS_TILE_ROW(R) CS_TILE(R, 1) CS_TILE(R, 2) CS_TILE(R, 3) CS_TILE(R, 4)
CS_TILE_ROW(1) CS_TILE_ROW(2) CS_TILE_ROW(3) CS_TILE_ROW(4) CS_TILE_ROW(5) CS_TILE_ROW(6)
#define CS_TILE_FNS(R) {tile_##R##_1, tile_##R##_2, tile_##R##_3, tile_##R##_4}
static const tile_fn tiles[6][4] = {CS_TILE_FNS(1), CS_TILE_FNS(2), CS_TILE_FNS(3),
                                    CS_TILE_FNS(4), CS_TILE_FNS(5), CS_TILE_FNS(6)};

// C[m, n] = alpha · A[m, k] · B[k, n] in 6 × 64 tiles (edges: fewer rows, fewer or masked vectors).
CS_AVX512 static void tiled_gemm(const float *a, size_t lda, const float *b, size_t ldb, size_t m, size_t n,
                                 size_t k, float *c, size_t ldc, float alpha) {
    for (size_t j0 = 0; j0 < n; j0 += 64) {
        const size_t cols = n - j0 < 64 ? n - j0 : 64;
        const size_t nv = (cols + 15) / 16, rem = cols - 16 * (nv - 1);
        const __mmask16 ml = (__mmask16)(rem == 16 ? 0xffffu : (1u << rem) - 1u);
        for (size_t i0 = 0; i0 < m; i0 += 6) {
            const size_t rows = m - i0 < 6 ? m - i0 : 6;
            tiles[rows - 1][nv - 1](a + i0 * lda, lda, b + j0, ldb, k, c + i0 * ldc + j0, ldc, alpha, ml);
        }
    }
}

// transpose_k with AVX-512: kt[e, j0..j0+16) is one gather of 16 rows of K (16 lanes, one load each),
// stored as one vector, instead of 16 scattered 4-byte stores. Remaining rows and the zero padding:
// transpose_k. Gather indices are int32 (row · ldk, rows < 16): the caller checks 15·ldk fits.
CS_AVX512 static void transpose_k512(const float *k, size_t ldk, size_t t, size_t d, float *kt) {
    const size_t tp = (t + 15) & ~(size_t)15;
    const __m512i rows = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                            _mm512_set1_epi32((int)ldk));
    size_t j0 = 0;
    for (; j0 + 16 <= t; j0 += 16) {
        const float *kj = k + j0 * ldk;
        for (size_t e = 0; e < d; e++) _mm512_storeu_ps(kt + e * tp + j0, _mm512_i32gather_ps(rows, kj + e, 4));
    }
    transpose_k(k, ldk, j0, t, d, kt);
}

CS_AVX512 static void head_blocked512(const float *q, size_t ldq, const float *k, size_t ldk, const float *v,
                                      size_t ldv, size_t t, size_t d, float scale, const float *bias, float *o,
                                      size_t ldo, float *scratch) {
    const size_t tp = (t + 15) & ~(size_t)15, dp = (d + 15) & ~(size_t)15;
    float *kt = scratch, *vp = kt + d * tp, *s = vp + t * dp;
    if (ldk * 15 <= 0x7fffffff / 4) transpose_k512(k, ldk, t, d, kt);   // int32 gather indices, with margin
    else transpose_k(k, ldk, 0, t, d, kt);
    for (size_t j = 0; j < t; j++) memcpy(vp + j * dp, v + j * ldv, d * sizeof(float));
    for (size_t i0 = 0; i0 < t; i0 += CS_ATT_QB) {
        const size_t rows = t - i0 < CS_ATT_QB ? t - i0 : CS_ATT_QB;
        tiled_gemm(q + i0 * ldq, ldq, kt, tp, rows, tp, d, s, tp, scale);
        cs_softmax_rows(s, rows, t, tp, bias);
        tiled_gemm(s, tp, vp, dp, rows, d, t, o + i0 * ldo, ldo, 1.0f);
    }
}
#endif

void cs_attention_heads(const float *q, size_t ldq, const float *k, size_t ldk, const float *v, size_t ldv,
                        size_t t, size_t h0, size_t h1, size_t d, float scale, const float *key_bias,
                        float *out, size_t ldo, float *scratch) {
#if CS_X86
    // Flush-to-zero and denormals-are-zero for the duration (this thread only, restored below): a
    // probability of ~1e-38 times a small v is a subnormal product, and each subnormal input or result
    // costs a microcode assist. The softmax already returns no subnormals; this covers P·V. Values below
    // 1.2e-38 are all that changes.
    const unsigned int csr = _mm_getcsr();
    _mm_setcsr(csr | 0x8040u);
#endif
    for (size_t h = h0; h < h1; h++) {
        const size_t off = h * d;
#if CS_X86
        if (cs_simd_level() >= 2) {
            head_blocked512(q + off, ldq, k + off, ldk, v + off, ldv, t, d, scale, key_bias, out + off, ldo, scratch);
            continue;
        }
#endif
        head_scalar(q + off, ldq, k + off, ldk, v + off, ldv, t, d, scale, key_bias, out + off, ldo, scratch);
    }
#if CS_X86
    _mm_setcsr(csr);
#endif
}
