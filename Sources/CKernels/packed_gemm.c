// Packed-panel GEMM for Linear layers whose weights stay in their stored 16-bit (or 32-bit) form.
//
// Layout (cs_pack_panels): W [N, K] row-major → panels of 16 output columns,
//   panel p, step k, lane c  =  W[16·p + c, k]      (0 where 16·p + c ≥ N)
// so that one step k of a panel is one contiguous 16-lane vector (32 bytes in F16). The kernel keeps
// MR rows × (1 or 2 panels) of Y in registers and, per k, loads the panel vector(s) once (converted
// to float32 in registers: F16 → vcvtph2ps, BF16 → shift), then does MR broadcast-FMAs per panel.
// The 16-bit → float32 conversion is exact, so the products equal those of a float32 copy of W.
// Each weight byte is read from memory once per row group of ≤ MR rows: for a short query (≤ 14
// rows on AVX-512) the weights stream once per call at half the bytes of float32.
// As -ffp-contract=off, in the source so no build flag is needed: a·b + c is never fused into an FMA
// by the compiler (only the explicit _mm*_fmadd_* intrinsics fuse), whatever the optimization level.
#pragma clang fp contract(off)
#include "ckernels.h"
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define CS_X86 1
#endif

size_t cs_packed_bytes(size_t n, size_t k, int kind) {
    return ((n + 15) / 16) * 16 * k * (kind == CS_PACK_F32 ? 4 : 2);
}

void cs_pack_panels(const void *src, int kind, size_t n, size_t k, size_t p0, size_t p1, void *dst) {
    const size_t es = kind == CS_PACK_F32 ? 4 : 2;
    const unsigned char *s = (const unsigned char *)src;
    unsigned char *d = (unsigned char *)dst;
    for (size_t p = p0; p < p1; p++) {
        unsigned char *panel = d + p * 16 * k * es;
        size_t cols = n - p * 16 < 16 ? n - p * 16 : 16;
        if (cols < 16) memset(panel, 0, 16 * k * es);
        // Blocks of 64 steps keep the 16 source rows' current lines in L1 while transposing.
        for (size_t k0 = 0; k0 < k; k0 += 64) {
            size_t k1 = k0 + 64 < k ? k0 + 64 : k;
            for (size_t c = 0; c < cols; c++) {
                const unsigned char *row = s + ((p * 16 + c) * k) * es;
                if (es == 2) {
                    for (size_t kk = k0; kk < k1; kk++) memcpy(panel + (kk * 16 + c) * 2, row + kk * 2, 2);
                } else {
                    for (size_t kk = k0; kk < k1; kk++) memcpy(panel + (kk * 16 + c) * 4, row + kk * 4, 4);
                }
            }
        }
    }
}

// MARK: scalar (naive reference path, and the fallback without SIMD)

static float cs_half(uint16_t h) {
    float f;
    cs_f16_to_f32(&h, &f, 1);
    return f;
}

static inline float panel_value(const void *panels, int kind, size_t idx) {
    switch (kind) {
    case CS_PACK_F32: { float f; memcpy(&f, (const char *)panels + idx * 4, 4); return f; }
    case CS_PACK_F16: { uint16_t h; memcpy(&h, (const char *)panels + idx * 2, 2); return cs_half(h); }
    default: { uint16_t h; memcpy(&h, (const char *)panels + idx * 2, 2); uint32_t b = (uint32_t)h << 16; float f; memcpy(&f, &b, 4); return f; }
    }
}

static void packed_scalar(const float *x, size_t ldx, size_t m, size_t k, const void *panels, int kind, size_t n,
                          size_t p0, size_t p1, const float *bias, const float *t, size_t r, const float *bt,
                          float *y, size_t ldy) {
    for (size_t p = p0; p < p1; p++) {
        size_t cols = n - p * 16 < 16 ? n - p * 16 : 16;
        for (size_t i = 0; i < m; i++) {
            float acc[16] = {0};
            for (size_t kk = 0; kk < k; kk++) {
                float xv = x[i * ldx + kk];
                for (size_t c = 0; c < 16; c++) acc[c] += xv * panel_value(panels, kind, (p * k + kk) * 16 + c);
            }
            for (size_t c = 0; c < cols; c++) {
                float v = acc[c] + (bias ? bias[p * 16 + c] : 0.0f);
                for (size_t j = 0; j < r; j++) v += t[i * r + j] * bt[j * n + p * 16 + c];
                y[i * ldy + p * 16 + c] = v;
            }
        }
    }
}

#if CS_X86
// MARK: AVX-512: up to 14 rows × 2 panels = 28 accumulators (of 32 zmm registers)
#define CS_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma")))
#define CS_INLINE static inline __attribute__((always_inline))
#ifndef CS_PF
#define CS_PF 64
#endif
#ifndef CS_KC
#define CS_KC 512
#endif

CS_AVX512 CS_INLINE __m512 load16(const void *base, size_t idx, int kind) {
    if (kind == CS_PACK_F32) return _mm512_loadu_ps((const float *)base + idx);
    __m256i h = _mm256_loadu_si256((const __m256i *)((const uint16_t *)base + idx));
    if (kind == CS_PACK_F16) return _mm512_cvtph_ps(h);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

CS_AVX512 CS_INLINE void tile512(const int MR, const int NV, const int kind, const float *x, size_t ldx, size_t k,
                                 const void *w0, const void *w1, const float *b0, const float *b1,
                                 __mmask16 m0, __mmask16 m1, const float *t, size_t r, const float *bt, size_t n,
                                 float *y, size_t ldy, int resume, int finish) {
    __m512 acc[14][2];
    #pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) {
        // resume: continue the sums of an earlier K block (stored in y); otherwise start from 0
        acc[i][0] = resume ? _mm512_maskz_loadu_ps(m0, y + i * ldy) : _mm512_setzero_ps();
        acc[i][1] = (resume && NV > 1) ? _mm512_maskz_loadu_ps(m1, y + i * ldy + 16) : _mm512_setzero_ps();
    }
    const size_t es = kind == CS_PACK_F32 ? 4 : 2;
    for (size_t kk = 0; kk < k; kk++) {
        // Software prefetch CS_PF steps ahead: the hardware streamer alone left the weight stream at
        // ~4 GB/s of the ~11 GB/s one core can read here (the query is bound by this stream).
        if ((kk & (64 / (16 * es) - 1)) == 0) {
            _mm_prefetch((const char *)w0 + (kk + CS_PF) * 16 * es, _MM_HINT_T0);
            if (NV > 1) _mm_prefetch((const char *)w1 + (kk + CS_PF) * 16 * es, _MM_HINT_T0);
        }
        __m512 wa = load16(w0, kk * 16, kind);
        __m512 wb = NV > 1 ? load16(w1, kk * 16, kind) : wa;
        #pragma clang loop unroll(full)
        for (int i = 0; i < MR; i++) {
            __m512 xv = _mm512_set1_ps(x[kk * MR + i]);         // step-major packed rows (ldx = MR)
            acc[i][0] = _mm512_fmadd_ps(xv, wa, acc[i][0]);
            if (NV > 1) acc[i][1] = _mm512_fmadd_ps(xv, wb, acc[i][1]);
        }
    }
    if (!finish) {
        #pragma clang loop unroll(full)
        for (int i = 0; i < MR; i++) {
            _mm512_mask_storeu_ps(y + i * ldy, m0, acc[i][0]);
            if (NV > 1) _mm512_mask_storeu_ps(y + i * ldy + 16, m1, acc[i][1]);
        }
        return;
    }
    __m512 ba = b0 ? _mm512_maskz_loadu_ps(m0, b0) : _mm512_setzero_ps();
    __m512 bb = (NV > 1 && b1) ? _mm512_maskz_loadu_ps(m1, b1) : _mm512_setzero_ps();
    #pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) {
        __m512 va = _mm512_add_ps(acc[i][0], ba), vb = _mm512_add_ps(acc[i][1], bb);
        for (size_t j = 0; j < r; j++) {        // the LoRA term (x·Aᵀ)·(s·B)ᵀ, rank r, fused into the store
            __m512 tj = _mm512_set1_ps(t[i * r + j]);
            va = _mm512_fmadd_ps(tj, _mm512_maskz_loadu_ps(m0, bt + j * n), va);
            if (NV > 1) vb = _mm512_fmadd_ps(tj, _mm512_maskz_loadu_ps(m1, bt + j * n + 16), vb);
        }
        _mm512_mask_storeu_ps(y + i * ldy, m0, va);
        if (NV > 1) _mm512_mask_storeu_ps(y + i * ldy + 16, m1, vb);
    }
}

#define CS_TILE_CASE(R) case R: tile512(R, NV, KIND, x, ldx, k, w0, w1, b0, b1, m0, m1, t, r, bt, n, y, ldy, resume, finish); break;
#define CS_TILE_SWITCH(NVV, KINDV) do { const int NV = NVV, KIND = KINDV; switch (mr) { \
    CS_TILE_CASE(1) CS_TILE_CASE(2) CS_TILE_CASE(3) CS_TILE_CASE(4) CS_TILE_CASE(5) CS_TILE_CASE(6) CS_TILE_CASE(7) \
    CS_TILE_CASE(8) CS_TILE_CASE(9) CS_TILE_CASE(10) CS_TILE_CASE(11) CS_TILE_CASE(12) CS_TILE_CASE(13) CS_TILE_CASE(14) \
    default: break; } } while (0)

CS_AVX512 static void tile512_dispatch(size_t mr, int nv, int kind, const float *x, size_t ldx, size_t k,
                                       const void *w0, const void *w1, const float *b0, const float *b1,
                                       __mmask16 m0, __mmask16 m1, const float *t, size_t r, const float *bt, size_t n,
                                       float *y, size_t ldy, int resume, int finish) {
    if (nv == 2) {
        if (kind == CS_PACK_F16) CS_TILE_SWITCH(2, CS_PACK_F16);
        else if (kind == CS_PACK_BF16) CS_TILE_SWITCH(2, CS_PACK_BF16);
        else CS_TILE_SWITCH(2, CS_PACK_F32);
    } else {
        if (kind == CS_PACK_F16) CS_TILE_SWITCH(1, CS_PACK_F16);
        else if (kind == CS_PACK_BF16) CS_TILE_SWITCH(1, CS_PACK_BF16);
        else CS_TILE_SWITCH(1, CS_PACK_F32);
    }
}

static inline __mmask16 lane_mask(size_t n, size_t p) {
    size_t cols = n - p * 16 < 16 ? n - p * 16 : 16;
    return (__mmask16)((1u << cols) - 1u);
}

// Per-thread scratch that only grows: the repacked X, and the float32 copy of a 16-bit weight block.
typedef struct { float *p; size_t cap; } cs_scratch;
static __thread cs_scratch cs_xpack, cs_wconv;

static float *scratch_floats(cs_scratch *s, size_t floats) {
    if (floats > s->cap) {
        free(s->p);
        s->p = (float *)aligned_alloc(64, ((floats * 4 + 63) / 64) * 64);
        s->cap = s->p ? floats : 0;
    }
    return s->p;
}

// X rows are first repacked group by group, step-major (xp[g][k][i] = X[r0 + i, k]): the MR
// broadcasts of one step then come from one or two cache lines. Reading them straight from X (rows
// K floats apart, i.e. a multiple of 4 KB for K = 1024 or 4096) put all MR rows in the same L1 set —
// more rows than ways — so every step missed L1.
CS_AVX512 static void packed_avx512(const float *x, size_t ldx, size_t m, size_t k, const void *panels, int kind,
                                    size_t n, size_t p0, size_t p1, const float *bias, const float *t, size_t r,
                                    const float *bt, float *y, size_t ldy) {
    const size_t es = kind == CS_PACK_F32 ? 4 : 2, pstride = 16 * k * es;
    const size_t groups = (m + 13) / 14, per = (m + groups - 1) / groups;   // even row groups of ≤ 14
    float *xp = scratch_floats(&cs_xpack, m * k);
    if (!xp) { packed_scalar(x, ldx, m, k, panels, kind, n, p0, p1, bias, t, r, bt, y, ldy); return; }
    for (size_t r0 = 0; r0 < m; r0 += per) {
        size_t mr = m - r0 < per ? m - r0 : per;
        float *g = xp + r0 * k;
        for (size_t i = 0; i < mr; i++) {
            const float *row = x + (r0 + i) * ldx;
            for (size_t kk = 0; kk < k; kk++) g[kk * mr + i] = row[kk];
        }
    }
    // K blocks of ≤ CS_KC steps: a block of the weight pair (CS_KC × 32 values) stays in L1/L2 while
    // all row groups pass over it, and a group's block of packed X (≤ 14 × CS_KC floats) is small.
    // Partial sums go through y between blocks; bias and adapter are added after the last block.
    // With several row groups the 16-bit block is converted once into a float32 copy (per thread,
    // L1-sized) that every group then reads, instead of each group converting it again.
    const int convert = kind != CS_PACK_F32 && groups > 2;
    const size_t kcmax = convert ? 256 : CS_KC;
    float *wf = convert ? scratch_floats(&cs_wconv, 2 * 16 * kcmax) : 0;
    for (size_t k0 = 0; k0 < k; k0 += kcmax) {
        const size_t kc = k - k0 < kcmax ? k - k0 : kcmax;
        const int resume = k0 > 0, finish = k0 + kc >= k;
        for (size_t p = p0; p < p1; p += 2) {
            int nv = p + 1 < p1 ? 2 : 1;
            const char *w0 = (const char *)panels + p * pstride + k0 * 16 * es, *w1 = w0 + pstride;
            int tkind = kind;
            if (wf) {
                if (kind == CS_PACK_F16) {
                    for (size_t i = 0; i < kc * 16; i += 16) {
                        _mm512_storeu_ps(wf + i, load16(w0, i, CS_PACK_F16));
                        if (nv > 1) _mm512_storeu_ps(wf + kc * 16 + i, load16(w1, i, CS_PACK_F16));
                    }
                } else {
                    for (size_t i = 0; i < kc * 16; i += 16) {
                        _mm512_storeu_ps(wf + i, load16(w0, i, CS_PACK_BF16));
                        if (nv > 1) _mm512_storeu_ps(wf + kc * 16 + i, load16(w1, i, CS_PACK_BF16));
                    }
                }
                w0 = (const char *)wf; w1 = (const char *)(wf + kc * 16); tkind = CS_PACK_F32;
            }
            const float *b0 = bias ? bias + p * 16 : 0, *b1 = bias ? bias + p * 16 + 16 : 0;
            __mmask16 m0 = lane_mask(n, p), m1 = nv > 1 ? lane_mask(n, p + 1) : 0;
            for (size_t r0 = 0; r0 < m; r0 += per) {
                size_t mr = m - r0 < per ? m - r0 : per;
                tile512_dispatch(mr, nv, tkind, xp + r0 * k + k0 * mr, mr, kc, w0, w1, b0, b1, m0, m1,
                                 t ? t + r0 * r : 0, t ? r : 0, bt ? bt + p * 16 : 0, n, y + r0 * ldy + p * 16, ldy,
                                 resume, finish);
            }
        }
    }
}

// MARK: AVX2: up to 6 rows × 1 panel (2 ymm per row) = 12 accumulators
#define CS_AVX2 __attribute__((target("avx2,fma,f16c")))

CS_AVX2 CS_INLINE __m256 load8(const void *base, size_t idx, int kind) {
    if (kind == CS_PACK_F32) return _mm256_loadu_ps((const float *)base + idx);
    __m128i h = _mm_loadu_si128((const __m128i *)((const uint16_t *)base + idx));
    if (kind == CS_PACK_F16) return _mm256_cvtph_ps(h);
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

CS_AVX2 CS_INLINE void tile256(const int MR, const int kind, const float *x, size_t ldx, size_t k, const void *w,
                               const float *b, size_t cols, const float *t, size_t r, const float *bt, size_t n,
                               float *y, size_t ldy) {
    __m256 acc[6][2];
    #pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) { acc[i][0] = _mm256_setzero_ps(); acc[i][1] = _mm256_setzero_ps(); }
    for (size_t kk = 0; kk < k; kk++) {
        __m256 wa = load8(w, kk * 16, kind), wb = load8(w, kk * 16 + 8, kind);
        #pragma clang loop unroll(full)
        for (int i = 0; i < MR; i++) {
            __m256 xv = _mm256_broadcast_ss(x + i * ldx + kk);
            acc[i][0] = _mm256_fmadd_ps(xv, wa, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(xv, wb, acc[i][1]);
        }
    }
    #pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) {
        float tmp[16];
        _mm256_storeu_ps(tmp, acc[i][0]);
        _mm256_storeu_ps(tmp + 8, acc[i][1]);
        for (size_t c = 0; c < cols; c++) {
            float v = tmp[c] + (b ? b[c] : 0.0f);
            for (size_t j = 0; j < r; j++) v += t[i * r + j] * bt[j * n + c];
            y[i * ldy + c] = v;
        }
    }
}

#define CS_TILE2_CASE(R) case R: tile256(R, KIND, xs, ldx, k, w, b, cols, tr, t ? r : 0, btp, n, ys, ldy); break;
#define CS_TILE2_SWITCH(KINDV) do { const int KIND = KINDV; switch (mr) { \
    CS_TILE2_CASE(1) CS_TILE2_CASE(2) CS_TILE2_CASE(3) CS_TILE2_CASE(4) CS_TILE2_CASE(5) CS_TILE2_CASE(6) \
    default: break; } } while (0)

CS_AVX2 static void packed_avx2(const float *x, size_t ldx, size_t m, size_t k, const void *panels, int kind,
                                size_t n, size_t p0, size_t p1, const float *bias, const float *t, size_t r,
                                const float *bt, float *y, size_t ldy) {
    const size_t es = kind == CS_PACK_F32 ? 4 : 2, pstride = 16 * k * es;
    const size_t groups = (m + 5) / 6, per = (m + groups - 1) / groups;
    for (size_t p = p0; p < p1; p++) {
        const void *w = (const char *)panels + p * pstride;
        const float *b = bias ? bias + p * 16 : 0;
        size_t cols = n - p * 16 < 16 ? n - p * 16 : 16;
        for (size_t r0 = 0; r0 < m; r0 += per) {
            size_t mr = m - r0 < per ? m - r0 : per;
            const float *xs = x + r0 * ldx, *tr = t ? t + r0 * r : 0, *btp = bt ? bt + p * 16 : 0;
            float *ys = y + r0 * ldy + p * 16;
            if (kind == CS_PACK_F16) CS_TILE2_SWITCH(CS_PACK_F16);
            else if (kind == CS_PACK_BF16) CS_TILE2_SWITCH(CS_PACK_BF16);
            else CS_TILE2_SWITCH(CS_PACK_F32);
        }
    }
}
#endif

void cs_packed_gemm(const float *x, size_t ldx, size_t m, size_t k, const void *panels, int kind, size_t n,
                    size_t p0, size_t p1, const float *bias, const float *t, size_t r, const float *bt,
                    float *y, size_t ldy) {
    if (m == 0 || p0 >= p1) return;
    if (!t || !bt) { t = 0; bt = 0; r = 0; }
#if CS_X86
    int level = cs_simd_level();
    if (level >= 2) { packed_avx512(x, ldx, m, k, panels, kind, n, p0, p1, bias, t, r, bt, y, ldy); return; }
    if (level >= 1) { packed_avx2(x, ldx, m, k, panels, kind, n, p0, p1, bias, t, r, bt, y, ldy); return; }
#endif
    packed_scalar(x, ldx, m, k, panels, kind, n, p0, p1, bias, t, r, bt, y, ldy);
}

#if CS_X86
CS_AVX512 static void unpack512(const void *panels, int kind, size_t n, size_t k, size_t p0, size_t p1,
                                const float *a, size_t r, const float *bt, float *dst, size_t ldd) {
    const size_t es = kind == CS_PACK_F32 ? 4 : 2;
    // Blocks of 64 steps: the destination rows of a block (64 × N floats) stay in L2 while every panel
    // of the range writes its 16 columns into them; each panel is read as one contiguous run per block.
    for (size_t k0 = 0; k0 < k; k0 += 64) {
        size_t k1 = k0 + 64 < k ? k0 + 64 : k;
        for (size_t p = p0; p < p1; p++) {
            const unsigned char *panel = (const unsigned char *)panels + p * 16 * k * es;
            __mmask16 mask = lane_mask(n, p);
            for (size_t kk = k0; kk < k1; kk++) {
                __m512 v;
                if (kind == CS_PACK_F16) v = load16(panel, kk * 16, CS_PACK_F16);
                else if (kind == CS_PACK_BF16) v = load16(panel, kk * 16, CS_PACK_BF16);
                else v = load16(panel, kk * 16, CS_PACK_F32);
                for (size_t j = 0; j < r; j++)
                    v = _mm512_fmadd_ps(_mm512_set1_ps(a[j * k + kk]), _mm512_maskz_loadu_ps(mask, bt + j * n + p * 16), v);
                _mm512_mask_storeu_ps(dst + kk * ldd + p * 16, mask, v);
            }
        }
    }
}
#endif

void cs_unpack_panels(const void *panels, int kind, size_t n, size_t k, size_t p0, size_t p1,
                      const float *a, size_t r, const float *bt, float *dst, size_t ldd) {
    // dst[k, n] (row-major, row stride ldd ≥ n): the float32 (W + s·B·A)ᵀ that BLAS multiplies as B
    // (NoTrans); a: [r, k], bt: [r, n] = (s·B)ᵀ, both NULL without an adapter.
    if (!a || !bt) { a = 0; bt = 0; r = 0; }
#if CS_X86
    if (cs_simd_level() >= 2) { unpack512(panels, kind, n, k, p0, p1, a, r, bt, dst, ldd); return; }
#endif
    for (size_t k0 = 0; k0 < k; k0 += 64) {
        size_t k1 = k0 + 64 < k ? k0 + 64 : k;
        for (size_t p = p0; p < p1; p++) {
            size_t cols = n - p * 16 < 16 ? n - p * 16 : 16;
            for (size_t kk = k0; kk < k1; kk++) {
                float tmp[16];
                for (size_t c = 0; c < 16; c++) tmp[c] = panel_value(panels, kind, (p * k + kk) * 16 + c);
                for (size_t j = 0; j < r; j++) {
                    const float aj = a[j * k + kk], *bj = bt + j * n + p * 16;
                    for (size_t c = 0; c < cols; c++) tmp[c] += aj * bj[c];
                }
                memcpy(dst + kk * ldd + p * 16, tmp, cols * 4);
            }
        }
    }
}

#if CS_X86
CS_AVX512 static float dot512(const float *a, const float *b, size_t k) {
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    size_t kk = 0;
    for (; kk + 32 <= k; kk += 32) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + kk), _mm512_loadu_ps(b + kk), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + kk + 16), _mm512_loadu_ps(b + kk + 16), s1);
    }
    for (; kk + 16 <= k; kk += 16) s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + kk), _mm512_loadu_ps(b + kk), s0);
    float s = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
    for (; kk < k; kk++) s += a[kk] * b[kk];
    return s;
}
#endif

void cs_lowrank_down(const float *x, size_t ldx, size_t m, size_t k, const float *a, size_t r, float *t) {
    // t[i, j] = Σ_k x[i, k]·a[j, k]   (a: [r, k]) — the x·Aᵀ half of a LoRA term.
#if CS_X86
    if (cs_simd_level() >= 2) {
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < r; j++) t[i * r + j] = dot512(x + i * ldx, a + j * k, k);
        return;
    }
#endif
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < r; j++) {
            float s = 0;
            const float *xi = x + i * ldx, *aj = a + j * k;
            for (size_t kk = 0; kk < k; kk++) s += xi[kk] * aj[kk];
            t[i * r + j] = s;
        }
    }
}
