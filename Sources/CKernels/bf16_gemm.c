// Fast-precision GEMM (`--precision fast`): both operands rounded to bfloat16, products summed in float32
// by AVX512-BF16's `vdpbf16ps` (two bf16 products added into each float32 lane per instruction: twice the
// multiply-adds per cycle of a float32 FMA on CPUs where it runs at full rate, e.g. AMD Zen 4).
//
// Contract (bf16(v) = v rounded to the nearest bfloat16, ties to even, NaN kept NaN; no flush to zero):
//   y[i, c] = bias[c] + Σ_j ( bf16(x[i, 2j])·bf16(w[c, 2j]) + bf16(x[i, 2j+1])·bf16(w[c, 2j+1]) )
// for i < m and the columns c of panels p0..<p1 (c < n), j < ceil(k/2) (a missing odd value counts as 0).
// Every bf16·bf16 product is exact in float32; the sums are float32 in the order of j, so a result differs
// from the float64 sum of the same products by at most ≈ k·2⁻²⁴·Σ|products| (the naive twin in
// Tests/KernelsTests/Reference.swift, `bf16Linear`, checks exactly that bound). The hardware may add a
// pair's two products in either order and treats subnormal bf16 inputs as zero: results agree with the
// scalar path here to that bound, not bit for bit. The result is the same for any split of p0..<p1 over
// threads: each output is one sum computed by one tile, whatever panel range contains it.
//
// Layouts (both made once per operand, both vectorised, identical to the scalar definitions):
// - weight (cs_bf16_pack_weight, once at load): panels of 16 output columns; panel p, pair j, lane c is the
//   32-bit word bf16(w[16p+c, 2j]) | bf16(w[16p+c, 2j+1]) << 16 (0 beyond n or k); one pair step of a
//   panel is one 64-byte vector, exactly vdpbf16ps's second operand.
// - activations (cs_bf16_pack_act, per call): groups of 6 rows, pair-major inside a group: word
//   (g·J + j)·6 + i is the pair j of row 6g + i (rows past m are 0), so a tile's 6 broadcasts per step
//   come from one 24-byte run.
// Tiles: 6 rows × 4 panels (24 float32 accumulators in zmm) over the whole K (no partial sums stored);
// rows are walked in blocks of CS_BF_RB so a block of packed X stays in L2 while every panel group of the
// thread's range streams its weights (≤ K·128 bytes per group) past it.
#pragma clang fp contract(off)
#include "ckernels.h"
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define CS_X86 1
#endif

#define CS_BF_MR 6               // rows per tile (and per packed activation group)
#define CS_BF_NV 4               // panels (of 16 columns) per tile
#define CS_BF_RB 192             // rows per L2 block of packed activations

static inline uint16_t bf16_round(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40u);   // NaN stays (quiet) NaN
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

static inline float bf16_value(uint16_t h) {
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

int cs_bf16_supported(void) {
#if CS_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512bf16") && (cs_cpu_features() & 4) ? 1 : 0;
#else
    return 0;
#endif
}

size_t cs_bf16_weight_words(size_t n, size_t k) { return ((n + 15) / 16) * 16 * ((k + 1) / 2); }
size_t cs_bf16_act_words(size_t m, size_t k) { return ((m + CS_BF_MR - 1) / CS_BF_MR) * CS_BF_MR * ((k + 1) / 2); }

static inline uint32_t pair_word(const float *row, size_t k, size_t j) {
    uint32_t lo = bf16_round(row[2 * j]);
    uint32_t hi = 2 * j + 1 < k ? bf16_round(row[2 * j + 1]) : 0;
    return lo | hi << 16;
}

#if CS_X86
#define CS_AVX512BF __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,avx512bf16,fma")))
#define CS_AVX512I __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw")))

// 16 floats → 16 bf16 words (as bf16_round: RNE, NaN quieted), in the low half of each 32-bit lane.
CS_AVX512I static inline __m512i round16(__m512 v) {
    __m512i u = _mm512_castps_si512(v);
    __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1));
    __m512i r = _mm512_srli_epi32(_mm512_add_epi32(_mm512_add_epi32(u, _mm512_set1_epi32(0x7fff)), lsb), 16);
    __m512i abs = _mm512_and_si512(u, _mm512_set1_epi32(0x7fffffff));
    __mmask16 nan = _mm512_cmpgt_epu32_mask(abs, _mm512_set1_epi32(0x7f800000));
    __m512i q = _mm512_or_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(0x40));
    return _mm512_mask_mov_epi32(r, nan, q);
}

// 32 consecutive floats of a row → 16 pair words (x[2j] low, x[2j+1] high).
CS_AVX512I static inline __m512i pairs16(const float *p) {
    __m512i a = round16(_mm512_loadu_ps(p)), b = round16(_mm512_loadu_ps(p + 16));
    // a, b hold bf16 in the low 16 bits of each lane: narrow both (vpmovdw) and join, a's 16 first.
    return _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi32_epi16(a)), _mm512_cvtepi32_epi16(b), 1);
}

CS_AVX512I static size_t pack_act512(const float *x, size_t ldx, size_t m, size_t k, size_t g0, size_t g1,
                                     uint32_t *dst, float limit) {
    const size_t jn = (k + 1) / 2, jv = k / 32 * 16;            // pairs, pairs covered by whole vectors
    const __m512 lim = _mm512_set1_ps(limit);
    size_t outside = 0;
    uint32_t buf[16];
    for (size_t g = g0; g < g1; g++) {
        uint32_t *d = dst + g * jn * CS_BF_MR;
        for (size_t i = 0; i < CS_BF_MR; i++) {
            size_t row = g * CS_BF_MR + i;
            if (row >= m) { for (size_t j = 0; j < jn; j++) d[j * CS_BF_MR + i] = 0; continue; }
            const float *xr = x + row * ldx;
            for (size_t j = 0; j < jv; j += 16) {
                __m512 a = _mm512_abs_ps(_mm512_loadu_ps(xr + 2 * j)), b = _mm512_abs_ps(_mm512_loadu_ps(xr + 2 * j + 16));
                outside += (size_t)__builtin_popcount(_mm512_cmp_ps_mask(a, lim, _CMP_NLE_UQ))
                         + (size_t)__builtin_popcount(_mm512_cmp_ps_mask(b, lim, _CMP_NLE_UQ));
                _mm512_storeu_si512(buf, pairs16(xr + 2 * j));
                for (int l = 0; l < 16; l++) d[(j + l) * CS_BF_MR + i] = buf[l];
            }
            for (size_t kk = 2 * jv; kk < k; kk++) outside += !(__builtin_fabsf(xr[kk]) <= limit);
            for (size_t j = jv; j < jn; j++) d[j * CS_BF_MR + i] = pair_word(xr, k, j);
        }
    }
    return outside;
}

CS_AVX512I static void pack_weight512(const float *w, size_t ldw, size_t n, size_t k, size_t p0, size_t p1, uint32_t *dst) {
    const size_t jn = (k + 1) / 2, jv = k / 32 * 16;
    uint32_t buf[16];
    for (size_t p = p0; p < p1; p++) {
        uint32_t *d = dst + p * 16 * jn;
        for (size_t c = 0; c < 16; c++) {
            size_t col = p * 16 + c;
            if (col >= n) { for (size_t j = 0; j < jn; j++) d[j * 16 + c] = 0; continue; }
            const float *wr = w + col * ldw;
            for (size_t j = 0; j < jv; j += 16) {
                _mm512_storeu_si512(buf, pairs16(wr + 2 * j));
                for (int l = 0; l < 16; l++) d[(j + l) * 16 + c] = buf[l];
            }
            for (size_t j = jv; j < jn; j++) d[j * 16 + c] = pair_word(wr, k, j);
        }
    }
}

// Y tile [MR, 16·NV] = bias + Σ_j xp-pairs · w-pairs, the last panel's stores masked by ml.
CS_AVX512BF static inline __attribute__((always_inline)) void tile_bf(const int MR, const int NV, const uint32_t *xp,
                                                                     const uint32_t *w, size_t pstride, size_t jn,
                                                                     const float *bias, __mmask16 ml,
                                                                     float *y, size_t ldy) {
    __m512 acc[CS_BF_MR][CS_BF_NV];
    #pragma clang loop unroll(full)
    for (int v = 0; v < NV; v++) {
        __m512 b = bias ? _mm512_maskz_loadu_ps(v == NV - 1 ? ml : (__mmask16)0xffff, bias + 16 * v) : _mm512_setzero_ps();
        #pragma clang loop unroll(full)
        for (int i = 0; i < MR; i++) acc[i][v] = b;
    }
    for (size_t j = 0; j < jn; j++) {
        __m512i wv[CS_BF_NV];
        #pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++) wv[v] = _mm512_loadu_si512(w + v * pstride + j * 16);
        #pragma clang loop unroll(full)
        for (int i = 0; i < MR; i++) {
            __m512i xb = _mm512_set1_epi32((int)xp[j * CS_BF_MR + i]);
            #pragma clang loop unroll(full)
            for (int v = 0; v < NV; v++) acc[i][v] = _mm512_dpbf16_ps(acc[i][v], (__m512bh)xb, (__m512bh)wv[v]);
        }
    }
    #pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++)
        #pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++)
            _mm512_mask_storeu_ps(y + i * ldy + 16 * v, v == NV - 1 ? ml : (__mmask16)0xffff, acc[i][v]);
}

#define CS_BF_CASE(R, V) case (R) * 8 + (V): tile_bf(R, V, xp, w, pstride, jn, b, ml, yt, ldy); break;
#define CS_BF_ROWS(V) CS_BF_CASE(1, V) CS_BF_CASE(2, V) CS_BF_CASE(3, V) CS_BF_CASE(4, V) CS_BF_CASE(5, V) CS_BF_CASE(6, V)

CS_AVX512BF static void gemm_bf512(const uint32_t *xpk, size_t m, size_t k, const uint32_t *wpk, size_t n,
                                   size_t p0, size_t p1, const float *bias, float *y, size_t ldy) {
    const size_t jn = (k + 1) / 2, pstride = 16 * jn;
    for (size_t r0 = 0; r0 < m; r0 += CS_BF_RB) {
        const size_t r1 = r0 + CS_BF_RB < m ? r0 + CS_BF_RB : m;
        for (size_t p = p0; p < p1; p += CS_BF_NV) {
            const int nv = p1 - p < CS_BF_NV ? (int)(p1 - p) : CS_BF_NV;
            const size_t lastcols = n - (p + nv - 1) * 16 < 16 ? n - (p + nv - 1) * 16 : 16;
            const __mmask16 ml = (__mmask16)((1u << lastcols) - 1u);
            const uint32_t *w = wpk + p * pstride;
            const float *b = bias ? bias + p * 16 : 0;
            for (size_t i0 = r0; i0 < r1; i0 += CS_BF_MR) {
                const int mr = r1 - i0 < CS_BF_MR ? (int)(r1 - i0) : CS_BF_MR;
                const uint32_t *xp = xpk + (i0 / CS_BF_MR) * jn * CS_BF_MR;
                float *yt = y + i0 * ldy + p * 16;
                switch (mr * 8 + nv) {
                    CS_BF_ROWS(1) CS_BF_ROWS(2) CS_BF_ROWS(3) CS_BF_ROWS(4)
                    default: break;
                }
            }
        }
    }
}
#endif

void cs_bf16_pack_weight(const float *w, size_t ldw, size_t n, size_t k, size_t p0, size_t p1, uint32_t *dst) {
#if CS_X86
    if (cs_simd_level() >= 2) { pack_weight512(w, ldw, n, k, p0, p1, dst); return; }
#endif
    const size_t jn = (k + 1) / 2;
    for (size_t p = p0; p < p1; p++)
        for (size_t c = 0; c < 16; c++) {
            size_t col = p * 16 + c;
            for (size_t j = 0; j < jn; j++) dst[(p * jn + j) * 16 + c] = col < n ? pair_word(w + col * ldw, k, j) : 0;
        }
}

size_t cs_bf16_pack_act(const float *x, size_t ldx, size_t m, size_t k, size_t g0, size_t g1, uint32_t *dst,
                        float limit) {
    // Rows 6·g0 ..< 6·g1 of the group layout (see the header comment).
#if CS_X86
    if (cs_simd_level() >= 2) return pack_act512(x, ldx, m, k, g0, g1, dst, limit);
#endif
    const size_t jn = (k + 1) / 2;
    size_t outside = 0;
    for (size_t g = g0; g < g1; g++)
        for (size_t i = 0; i < CS_BF_MR; i++) {
            size_t row = g * CS_BF_MR + i;
            for (size_t j = 0; j < jn; j++)
                dst[(g * jn + j) * CS_BF_MR + i] = row < m ? pair_word(x + row * ldx, k, j) : 0;
            if (row < m)
                for (size_t kk = 0; kk < k; kk++) outside += !(__builtin_fabsf(x[row * ldx + kk]) <= limit);
        }
    return outside;
}

void cs_bf16_gemm(const uint32_t *xp, size_t m, size_t k, const uint32_t *wp, size_t n, size_t p0, size_t p1,
                  const float *bias, float *y, size_t ldy) {
    if (m == 0 || p0 >= p1) return;
#if CS_X86
    if (cs_simd_level() >= 2 && cs_bf16_supported()) { gemm_bf512(xp, m, k, wp, n, p0, p1, bias, y, ldy); return; }
#endif
    // Scalar: the contract literally (each pair's even product added first).
    const size_t jn = (k + 1) / 2;
    for (size_t p = p0; p < p1; p++) {
        size_t cols = n - p * 16 < 16 ? n - p * 16 : 16;
        for (size_t i = 0; i < m; i++) {
            const uint32_t *xr = xp + (i / CS_BF_MR) * jn * CS_BF_MR + i % CS_BF_MR;
            for (size_t c = 0; c < cols; c++) {
                float acc = bias ? bias[p * 16 + c] : 0.0f;
                for (size_t j = 0; j < jn; j++) {
                    uint32_t a = xr[j * CS_BF_MR], b = wp[(p * jn + j) * 16 + c];
                    acc += bf16_value((uint16_t)a) * bf16_value((uint16_t)b);
                    acc += bf16_value((uint16_t)(a >> 16)) * bf16_value((uint16_t)(b >> 16));
                }
                y[i * ldy + p * 16 + c] = acc;
            }
        }
    }
}
