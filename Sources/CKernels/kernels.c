// Element-wise and row kernels: an AVX2/FMA/F16C variant compiled with target attributes, a scalar
// fallback, and dispatch on cs_cpu_features(). The vector exp is the Cephes single-precision
// polynomial (≈1 ulp on [−87, 88]); the vector erf is Abramowitz–Stegun 7.1.26 (|Δerf| ≤ 1.5e-7, as in
// PyTorch's vectorized GELU); the scalar fallback uses libm's erff.
// As -ffp-contract=off, in the source so no build flag is needed: a·b + c is never fused into an FMA
// by the compiler (only the explicit _mm*_fmadd_* intrinsics fuse), whatever the optimization level.
#pragma clang fp contract(off)
#include "ckernels.h"
#include <float.h>
#include <math.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define CS_X86 1
#endif

// Thread-local so a test forcing the scalar path does not affect tests running on other threads.
static __thread int cs_forced_scalar = 0;
static int cs_level = -1;

void cs_force_scalar(int on) { cs_forced_scalar = on; }

int cs_simd_active(void) {
    if (cs_forced_scalar == 1) return 0;
    if (cs_level < 0) cs_level = cs_cpu_features();
    return (cs_level & 1) != 0;
}

int cs_simd_level(void) {
    if (!cs_simd_active()) return 0;
    return ((cs_level & 4) && cs_forced_scalar != 2) ? 2 : 1;
}

// MARK: scalar versions

static float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t mant = h & 0x3ff;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {                                   // subnormal: renormalize
            int e = -1;
            do { e++; mant <<= 1; } while ((mant & 0x400) == 0);
            bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((mant & 0x3ff) << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (mant << 13);  // inf / nan
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static void f16_scalar(const uint16_t *src, float *dst, size_t n) {
    for (size_t i = 0; i < n; i++) dst[i] = half_to_float(src[i]);
}

static void bf16_scalar(const uint16_t *src, float *dst, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint32_t bits = (uint32_t)src[i] << 16;
        memcpy(&dst[i], &bits, 4);
    }
}

static void add_scalar(float *y, const float *x, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] += x[i];
}

static void silu_mul_scalar(const float *g, const float *u, float *o, size_t n) {
    for (size_t i = 0; i < n; i++) o[i] = g[i] / (1.0f + expf(-g[i])) * u[i];
}

static void layernorm_row_scalar(const float *x, float *y, size_t d, const float *w, const float *b, float eps) {
    float sum = 0;
    for (size_t i = 0; i < d; i++) sum += x[i];
    float mean = sum / (float)d;
    float var = 0;
    for (size_t i = 0; i < d; i++) { float t = x[i] - mean; var += t * t; }
    float rstd = 1.0f / sqrtf(var / (float)d + eps);
    for (size_t i = 0; i < d; i++) y[i] = (x[i] - mean) * rstd * w[i] + b[i];
}

// Softmax never returns, or computes on the way, a subnormal float: e^x is 0 for x < CS_EXP_LO = −87
// (e^−87 = 1.6e-38, just above FLT_MIN = 1.18e-38, and the vector exp's 2^n·y stays normal from there up),
// and a normalized value that would fall below FLT_MIN is set to 0 without being computed. Every
// arithmetic operation with a subnormal input or result takes a microcode assist (~100× slower): with
// peaked attention rows (scores spread by more than 87) a 1297-token attention layer took seconds, and a
// softmax over rows spread by ±50 ran 3.3× slower than over rows spread by ±3. What is dropped is below
// 1.6e-38 in absolute value.
#define CS_EXP_LO (-87.0f)
static inline float exp_ftz(float x) { return x < CS_EXP_LO ? 0.0f : expf(x); }
/// e·inv, or 0 when that would be (nearly) subnormal (e < 2·FLT_MIN·sum): the product is never formed.
static inline float normalize_ftz(float e, float inv, float sum) { return e < 2 * FLT_MIN * sum ? 0.0f : e * inv; }

static void softmax_row_scalar(float *s, size_t n, const float *bias) {
    if (bias) for (size_t i = 0; i < n; i++) s[i] += bias[i];
    float m = -INFINITY;
    for (size_t i = 0; i < n; i++) m = s[i] > m ? s[i] : m;
    float sum = 0;
    for (size_t i = 0; i < n; i++) { s[i] = exp_ftz(s[i] - m); sum += s[i]; }
    float inv = 1.0f / sum;
    for (size_t i = 0; i < n; i++) s[i] = normalize_ftz(s[i], inv, sum);
}

#if CS_X86
// MARK: AVX2 versions
#define CS_AVX2 __attribute__((target("avx2,fma,f16c")))

// e^x; 0 below CS_EXP_LO (where e^x is subnormal or 0) and for NaN.
CS_AVX2 static inline __m256 exp256(__m256 x) {
    const __m256 hi = _mm256_set1_ps(88.3762626647949f), lo = _mm256_set1_ps(CS_EXP_LO);
    const __m256 keep = _mm256_cmp_ps(x, lo, _CMP_GE_OQ);
    x = _mm256_min_ps(_mm256_max_ps(x, lo), hi);
    __m256 fx = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), _mm256_set1_ps(0.5f));
    fx = _mm256_floor_ps(fx);
    x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693359375f), x);
    x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.12194440e-4f), x);
    __m256 z = _mm256_mul_ps(x, x);
    __m256 y = _mm256_set1_ps(1.9875691500e-4f);
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.3981999507e-3f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(8.3334519073e-3f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(4.1665795894e-2f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.6666665459e-1f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(5.0000001201e-1f));
    y = _mm256_fmadd_ps(y, z, _mm256_add_ps(x, _mm256_set1_ps(1.0f)));
    __m256i e = _mm256_add_epi32(_mm256_cvttps_epi32(fx), _mm256_set1_epi32(127));
    return _mm256_and_ps(keep, _mm256_mul_ps(y, _mm256_castsi256_ps(_mm256_slli_epi32(e, 23))));
}

CS_AVX2 static inline float hsum256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

CS_AVX2 static inline float hmax256(__m256 v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

CS_AVX2 static void f16_avx2(const uint16_t *src, float *dst, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + i))));
    f16_scalar(src + i, dst + i, n - i);
}

CS_AVX2 static void bf16_avx2(const uint16_t *src, float *dst, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(src + i)));
        _mm256_storeu_ps(dst + i, _mm256_castsi256_ps(_mm256_slli_epi32(w, 16)));
    }
    bf16_scalar(src + i, dst + i, n - i);
}

CS_AVX2 static void add_avx2(float *y, const float *x, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i), _mm256_loadu_ps(x + i)));
    add_scalar(y + i, x + i, n - i);
}

CS_AVX2 static void exp_avx2(float *x, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, exp256(_mm256_loadu_ps(x + i)));
    for (; i < n; i++) x[i] = exp_ftz(x[i]);
}

// erf(|x|) = 1 − t·P(t)·e^(−x²), t = 1/(1 + 0.3275911·|x|) (Abramowitz–Stegun 7.1.26, |error| ≤ 1.5e-7),
// the same formula PyTorch's vectorized CPU GELU uses (aten Vectorized<float>::erf).
CS_AVX2 static void gelu_erf_avx2(float *x, size_t n) {
    size_t i = 0;
    const __m256 one = _mm256_set1_ps(1.0f), half = _mm256_set1_ps(0.5f), sign = _mm256_set1_ps(-0.0f);
    const __m256 r2 = _mm256_set1_ps(0.70710678118654752f), p = _mm256_set1_ps(0.3275911f);
    const __m256 a1 = _mm256_set1_ps(0.254829592f), a2 = _mm256_set1_ps(-0.284496736f);
    const __m256 a3 = _mm256_set1_ps(1.421413741f), a4 = _mm256_set1_ps(-1.453152027f), a5 = _mm256_set1_ps(1.061405429f);
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        __m256 z = _mm256_mul_ps(v, r2);
        __m256 s = _mm256_and_ps(z, sign);
        __m256 az = _mm256_xor_ps(z, s);
        __m256 t = _mm256_div_ps(one, _mm256_fmadd_ps(p, az, one));
        __m256 poly = _mm256_fmadd_ps(a5, t, a4);
        poly = _mm256_fmadd_ps(poly, t, a3);
        poly = _mm256_fmadd_ps(poly, t, a2);
        poly = _mm256_fmadd_ps(poly, t, a1);
        poly = _mm256_mul_ps(poly, t);
        __m256 e = exp256(_mm256_xor_ps(_mm256_mul_ps(az, az), sign));      // e^(−z²)
        __m256 erf_abs = _mm256_fnmadd_ps(poly, e, one);
        __m256 erf = _mm256_xor_ps(erf_abs, s);
        _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_mul_ps(half, v), _mm256_add_ps(one, erf)));
    }
    const float r = 0.70710678118654752f;
    for (; i < n; i++) x[i] = 0.5f * x[i] * (1.0f + erff(x[i] * r));
}


CS_AVX2 static void silu_mul_avx2(const float *g, const float *u, float *o, size_t n) {
    size_t i = 0;
    const __m256 one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
    for (; i + 8 <= n; i += 8) {
        __m256 a = _mm256_loadu_ps(g + i);
        __m256 e = exp256(_mm256_sub_ps(zero, a));
        __m256 s = _mm256_div_ps(a, _mm256_add_ps(one, e));
        _mm256_storeu_ps(o + i, _mm256_mul_ps(s, _mm256_loadu_ps(u + i)));
    }
    silu_mul_scalar(g + i, u + i, o + i, n - i);
}

CS_AVX2 static void layernorm_row_avx2(const float *x, float *y, size_t d, const float *w, const float *b, float eps) {
    size_t i;
    __m256 acc = _mm256_setzero_ps();
    float sum = 0;
    for (i = 0; i + 8 <= d; i += 8) acc = _mm256_add_ps(acc, _mm256_loadu_ps(x + i));
    sum = hsum256(acc);
    for (; i < d; i++) sum += x[i];
    float mean = sum / (float)d;
    __m256 vm = _mm256_set1_ps(mean);
    acc = _mm256_setzero_ps();
    float var = 0;
    for (i = 0; i + 8 <= d; i += 8) {
        __m256 t = _mm256_sub_ps(_mm256_loadu_ps(x + i), vm);
        acc = _mm256_fmadd_ps(t, t, acc);
    }
    var = hsum256(acc);
    for (; i < d; i++) { float t = x[i] - mean; var += t * t; }
    float rstd = 1.0f / sqrtf(var / (float)d + eps);
    __m256 vr = _mm256_set1_ps(rstd);
    for (i = 0; i + 8 <= d; i += 8) {
        __m256 t = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), vm), vr);
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(t, _mm256_loadu_ps(w + i), _mm256_loadu_ps(b + i)));
    }
    for (; i < d; i++) y[i] = (x[i] - mean) * rstd * w[i] + b[i];
}

CS_AVX2 static void softmax_row_avx2(float *s, size_t n, const float *bias) {
    size_t i;
    if (bias) add_avx2(s, bias, n);
    __m256 vm = _mm256_set1_ps(-INFINITY);
    for (i = 0; i + 8 <= n; i += 8) vm = _mm256_max_ps(vm, _mm256_loadu_ps(s + i));
    float m = hmax256(vm);
    for (; i < n; i++) m = s[i] > m ? s[i] : m;
    vm = _mm256_set1_ps(m);
    __m256 acc = _mm256_setzero_ps();
    for (i = 0; i + 8 <= n; i += 8) {
        __m256 e = exp256(_mm256_sub_ps(_mm256_loadu_ps(s + i), vm));
        _mm256_storeu_ps(s + i, e);
        acc = _mm256_add_ps(acc, e);
    }
    float sum = hsum256(acc);
    for (; i < n; i++) { s[i] = exp_ftz(s[i] - m); sum += s[i]; }
    // e < 2·FLT_MIN·sum would normalize to (nearly) subnormal: 0, and never multiplied (AVX2 has no
    // masked multiply, so those lanes are zeroed BEFORE the product).
    __m256 vi = _mm256_set1_ps(1.0f / sum), thr = _mm256_set1_ps(2 * FLT_MIN * sum);
    for (i = 0; i + 8 <= n; i += 8) {
        __m256 e = _mm256_loadu_ps(s + i);
        e = _mm256_and_ps(_mm256_cmp_ps(e, thr, _CMP_GE_OQ), e);
        _mm256_storeu_ps(s + i, _mm256_mul_ps(e, vi));
    }
    float inv = 1.0f / sum;
    for (; i < n; i++) s[i] = normalize_ftz(s[i], inv, sum);
}
// MARK: AVX-512 softmax (the vision tower's 1025-wide attention rows: ~6 % of an image before)
#define CS_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma")))

// The same Cephes polynomial as exp256, on 16 lanes: identical per-element results.
CS_AVX512 static inline __m512 exp512(__m512 x) {
    const __m512 hi = _mm512_set1_ps(88.3762626647949f), lo = _mm512_set1_ps(CS_EXP_LO);
    const __mmask16 keep = _mm512_cmp_ps_mask(x, lo, _CMP_GE_OQ);
    x = _mm512_min_ps(_mm512_max_ps(x, lo), hi);
    __m512 fx = _mm512_fmadd_ps(x, _mm512_set1_ps(1.44269504088896341f), _mm512_set1_ps(0.5f));
    fx = _mm512_roundscale_ps(fx, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    x = _mm512_fnmadd_ps(fx, _mm512_set1_ps(0.693359375f), x);
    x = _mm512_fnmadd_ps(fx, _mm512_set1_ps(-2.12194440e-4f), x);
    __m512 z = _mm512_mul_ps(x, x);
    __m512 y = _mm512_set1_ps(1.9875691500e-4f);
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(1.3981999507e-3f));
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(8.3334519073e-3f));
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(4.1665795894e-2f));
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(1.6666665459e-1f));
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(5.0000001201e-1f));
    y = _mm512_fmadd_ps(y, z, _mm512_add_ps(x, _mm512_set1_ps(1.0f)));
    __m512i e = _mm512_add_epi32(_mm512_cvttps_epi32(fx), _mm512_set1_epi32(127));
    return _mm512_maskz_mul_ps(keep, y, _mm512_castsi512_ps(_mm512_slli_epi32(e, 23)));
}

CS_AVX512 static void softmax_row_avx512(float *s, size_t n, const float *bias) {
    size_t i;
    if (bias) add_avx2(s, bias, n);
    __m512 vm = _mm512_set1_ps(-INFINITY);
    for (i = 0; i + 16 <= n; i += 16) vm = _mm512_max_ps(vm, _mm512_loadu_ps(s + i));
    float m = _mm512_reduce_max_ps(vm);
    for (; i < n; i++) m = s[i] > m ? s[i] : m;
    vm = _mm512_set1_ps(m);
    __m512 acc = _mm512_setzero_ps();
    for (i = 0; i + 16 <= n; i += 16) {
        __m512 e = exp512(_mm512_sub_ps(_mm512_loadu_ps(s + i), vm));
        _mm512_storeu_ps(s + i, e);
        acc = _mm512_add_ps(acc, e);
    }
    float sum = _mm512_reduce_add_ps(acc);
    for (; i < n; i++) { s[i] = exp_ftz(s[i] - m); sum += s[i]; }
    // e < 2·FLT_MIN·sum would normalize to (nearly) subnormal: 0, and that lane is never multiplied.
    __m512 vi = _mm512_set1_ps(1.0f / sum), thr = _mm512_set1_ps(2 * FLT_MIN * sum);
    for (i = 0; i + 16 <= n; i += 16) {
        __m512 e = _mm512_loadu_ps(s + i);
        _mm512_storeu_ps(s + i, _mm512_maskz_mul_ps(_mm512_cmp_ps_mask(e, thr, _CMP_GE_OQ), e, vi));
    }
    float inv = 1.0f / sum;
    for (; i < n; i++) s[i] = normalize_ftz(s[i], inv, sum);
}
#define CS_DISPATCH(avx, scalar) do { if (cs_simd_active()) { avx; } else { scalar; } } while (0)
#else
#define CS_DISPATCH(avx, scalar) do { scalar; } while (0)
#endif

// MARK: public entry points

void cs_f16_to_f32(const uint16_t *src, float *dst, size_t n) {
    CS_DISPATCH(f16_avx2(src, dst, n), f16_scalar(src, dst, n));
}

void cs_bf16_to_f32(const uint16_t *src, float *dst, size_t n) {
    CS_DISPATCH(bf16_avx2(src, dst, n), bf16_scalar(src, dst, n));
}

void cs_add_inplace(float *y, const float *x, size_t n) {
    CS_DISPATCH(add_avx2(y, x, n), add_scalar(y, x, n));
}

static void gelu_erf_scalar(float *x, size_t n) {
    const float r = 0.70710678118654752f;
    for (size_t i = 0; i < n; i++) x[i] = 0.5f * x[i] * (1.0f + erff(x[i] * r));
}

void cs_gelu_erf(float *x, size_t n) {
    CS_DISPATCH(gelu_erf_avx2(x, n), gelu_erf_scalar(x, n));
}

void cs_silu_mul(const float *gate, const float *up, float *out, size_t n) {
    CS_DISPATCH(silu_mul_avx2(gate, up, out, n), silu_mul_scalar(gate, up, out, n));
}

void cs_exp(float *x, size_t n) {
    CS_DISPATCH(exp_avx2(x, n), for (size_t i = 0; i < n; i++) x[i] = exp_ftz(x[i]));
}

void cs_layernorm(const float *x, float *y, size_t rows, size_t dim, const float *w, const float *b, float eps) {
    for (size_t r = 0; r < rows; r++) {
        CS_DISPATCH(layernorm_row_avx2(x + r * dim, y + r * dim, dim, w, b, eps),
                    layernorm_row_scalar(x + r * dim, y + r * dim, dim, w, b, eps));
    }
}

void cs_softmax_rows(float *s, size_t rows, size_t cols, size_t ld, const float *key_bias) {
    for (size_t r = 0; r < rows; r++) {
#if CS_X86
        if (cs_simd_level() >= 2) { softmax_row_avx512(s + r * ld, cols, key_bias); continue; }
#endif
        CS_DISPATCH(softmax_row_avx2(s + r * ld, cols, key_bias), softmax_row_scalar(s + r * ld, cols, key_bias));
    }
}
