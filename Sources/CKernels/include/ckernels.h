// Hot element-wise kernels in C, compiled per ISA with __attribute__((target(...))) and chosen at
// run time (a default Swift build turns SIMD FMA into library calls; -target-cpu flags would make
// the binary unportable). Every kernel has a naive twin in Swift (Kernels/Reference.swift).
// All buffers are contiguous row-major float32 unless stated; in-place use is allowed where noted.
#ifndef CLIPSCOPE_CKERNELS_H
#define CLIPSCOPE_CKERNELS_H
#include <stddef.h>
#include <stdint.h>

/// Bit flags of what this CPU supports: 1 = AVX2+FMA+F16C, 2 = AVX-512F, 4 = AVX-512 F/CD/BW/DQ/VL (SkylakeX set).
int cs_cpu_features(void);
/// 1 when the AVX2 paths below are used (cs_cpu_features() & 1 and not disabled by cs_force_scalar).
int cs_simd_active(void);
/// On the calling thread: 1 forces the scalar fallbacks, 2 limits SIMD to AVX2 (no AVX-512 paths),
/// 0 restores run-time dispatch. Tests use it to check every path.
void cs_force_scalar(int on);

// MARK: 16-bit → float32 (safetensors F16 / BF16 payloads; little-endian uint16 words)
void cs_f16_to_f32(const uint16_t *src, float *dst, size_t n);
void cs_bf16_to_f32(const uint16_t *src, float *dst, size_t n);
/// How many of n little-endian values at src (any alignment) are NaN or ±Inf; kind 0 = F32, 1 = F16, 2 = BF16.
size_t cs_count_nonfinite(const void *src, size_t n, int kind);

// MARK: element-wise
/// y[i] += x[i]
void cs_add_inplace(float *y, const float *x, size_t n);
/// x[i] = 0.5·x·(1 + erf(x/√2)), the erf form (not the tanh approximation); |Δerf| ≤ 1.5e-7. In place.
void cs_gelu_erf(float *x, size_t n);
/// out[i] = silu(gate[i]) · up[i], silu(z) = z / (1 + e^(−z)). out may alias gate or up.
void cs_silu_mul(const float *gate, const float *up, float *out, size_t n);
/// x[i] = e^x[i] (used by tests of the vector exp).
void cs_exp(float *x, size_t n);

// MARK: skinny GEMM
/// y[i, j] = Σ_k x[i, k]·w[j, k] (+ b[j]) for i < m, n0 ≤ j < n1 (x rows at stride ldx, w [·, k] packed,
/// y rows at stride ldy). For few rows (short texts). Returns 0 without touching y when no SIMD path
/// exists (the caller then uses BLAS).
int cs_gemm_small_nt(const float *x, size_t ldx, size_t m, size_t k, const float *w, size_t n0, size_t n1,
                     const float *b, float *y, size_t ldy);

// MARK: row kernels
/// y[r,:] = (x[r,:] − mean)/sqrt(var + eps) · w + b for `rows` rows of `dim` values (biased variance).
/// y may alias x.
void cs_layernorm(const float *x, float *y, size_t rows, size_t dim, const float *w, const float *b, float eps);
/// Softmax over each of `rows` rows of `cols` values at stride `ld`, in place, after adding
/// key_bias[c] (may be NULL) to every row.
void cs_softmax_rows(float *s, size_t rows, size_t cols, size_t ld, const float *key_bias);
#endif
