// Direct multi-head attention for short sequences (text: T ≤ a few hundred tokens), one head at a time:
//   S[i, j] = scale · q_i · k_j        (K transposed once per head into kt [D, Tp], Tp = T rounded to 16,
//                                        so a row of S is D broadcast-FMAs over 16-wide slices of kt)
//   P[i, :] = softmax(S[i, :] + key_bias)          (cs_softmax_rows, the same row kernel as before)
//   o_i     = Σ_j P[i, j] · v_j                     (broadcast P[i, j], D/16 vectors of v_j)
// Replaces two tiny sgemm calls per (sequence, head): at 16–20 tokens those spent more time waking and
// parking BLAS threads than computing. Heads of many sequences are spread over threads by the caller.
#include "ckernels.h"
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define CS_X86 1
#endif

size_t cs_attention_scratch(size_t t, size_t d) {
    size_t tp = (t + 15) & ~(size_t)15;
    return d * tp + tp;
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
CS_AVX512 static void head512(const float *q, size_t ldq, const float *k, size_t ldk, const float *v, size_t ldv,
                              size_t t, size_t d, float scale, const float *bias, float *o, size_t ldo,
                              float *kt, float *s) {
    const size_t tp = (t + 15) & ~(size_t)15;
    for (size_t e = 0; e < d; e++) {
        float *row = kt + e * tp;
        for (size_t j = 0; j < t; j++) row[j] = k[j * ldk + e];
        for (size_t j = t; j < tp; j++) row[j] = 0;
    }
    const __m512 vs = _mm512_set1_ps(scale);
    for (size_t i = 0; i < t; i++) {
        const float *qi = q + i * ldq;
        for (size_t j0 = 0; j0 < tp; j0 += 16) {
            __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
            size_t e = 0;
            for (; e + 2 <= d; e += 2) {
                a0 = _mm512_fmadd_ps(_mm512_set1_ps(qi[e]), _mm512_loadu_ps(kt + e * tp + j0), a0);
                a1 = _mm512_fmadd_ps(_mm512_set1_ps(qi[e + 1]), _mm512_loadu_ps(kt + (e + 1) * tp + j0), a1);
            }
            if (e < d) a0 = _mm512_fmadd_ps(_mm512_set1_ps(qi[e]), _mm512_loadu_ps(kt + e * tp + j0), a0);
            _mm512_storeu_ps(s + j0, _mm512_mul_ps(_mm512_add_ps(a0, a1), vs));
        }
        cs_softmax_rows(s, 1, t, t, bias);
        for (size_t e0 = 0; e0 < d; e0 += 16) {
            __mmask16 m = d - e0 >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (d - e0)) - 1u);
            __m512 acc = _mm512_setzero_ps();
            for (size_t j = 0; j < t; j++)
                acc = _mm512_fmadd_ps(_mm512_set1_ps(s[j]), _mm512_maskz_loadu_ps(m, v + j * ldv + e0), acc);
            _mm512_mask_storeu_ps(o + i * ldo + e0, m, acc);
        }
    }
}
#endif

void cs_attention_heads(const float *q, size_t ldq, const float *k, size_t ldk, const float *v, size_t ldv,
                        size_t t, size_t h0, size_t h1, size_t d, float scale, const float *key_bias,
                        float *out, size_t ldo, float *scratch) {
    const size_t tp = (t + 15) & ~(size_t)15;
    for (size_t h = h0; h < h1; h++) {
        const size_t off = h * d;
#if CS_X86
        if (cs_simd_level() >= 2) {
            head512(q + off, ldq, k + off, ldk, v + off, ldv, t, d, scale, key_bias, out + off, ldo, scratch, scratch + d * tp);
            continue;
        }
#endif
        head_scalar(q + off, ldq, k + off, ldk, v + off, ldv, t, d, scale, key_bias, out + off, ldo, scratch + d * tp);
    }
}
