// Hot element-wise kernels in C, compiled per ISA with __attribute__((target(...))) and chosen at
// run time (a default Swift build turns SIMD FMA into library calls; -target-cpu flags would make
// the binary unportable). Every kernel has a naive twin in Swift (Tests/KernelsTests/Reference.swift).
// All buffers are contiguous row-major float32 unless stated; in-place use is allowed where noted.
#ifndef CLIPSCOPE_CKERNELS_H
#define CLIPSCOPE_CKERNELS_H
#include <stddef.h>
#include <stdint.h>

/// Bit flags of what this CPU supports: 1 = AVX2+FMA+F16C, 2 = AVX-512F, 4 = AVX-512 F/CD/BW/DQ/VL (SkylakeX set).
int cs_cpu_features(void);
/// 1 when the AVX2 paths below are used (cs_cpu_features() & 1 and not disabled by cs_force_scalar).
int cs_simd_active(void);
/// 0 = scalar, 1 = AVX2 (+FMA, F16C), 2 = AVX-512 (SkylakeX set): the paths the kernels take on this thread.
int cs_simd_level(void);
/// On the calling thread: 1 forces the scalar fallbacks, 2 limits SIMD to AVX2 (no AVX-512 paths),
/// 0 restores run-time dispatch. Tests use it to check every path.
void cs_force_scalar(int on);

/// Returns the heap's free memory to the system (glibc malloc_trim(0); elsewhere nothing): after a model
/// load has freed its converted tensors. 1 when memory was released.
int cs_release_free_heap(void);

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
/// x[i] = e^x[i], 0 for x < −87 where e^x would be (nearly) subnormal (used by tests of the vector exp).
void cs_exp(float *x, size_t n);

// MARK: packed-panel GEMM (16-bit weights kept 16-bit; packed_gemm.c)
/// Element kinds of packed weights (the stored dtype: 16-bit stays 16-bit).
enum { CS_PACK_F32 = 0, CS_PACK_F16 = 1, CS_PACK_BF16 = 2 };
/// Bytes of the packed form of an [n, k] weight: ceil(n/16) panels × k steps × 16 lanes.
size_t cs_packed_bytes(size_t n, size_t k, int kind);
/// Packs panels p0..<p1 of W [n, k] (row-major, any alignment) into dst (cs_packed_bytes sized):
/// panel p, step k, lane c = W[16p + c, k], zero beyond row n.
void cs_pack_panels(const void *src, int kind, size_t n, size_t k, size_t p0, size_t p1, void *dst);
/// y[i, c] = Σ_k x[i, k]·W[c, k] + bias[c] + Σ_j t[i, j]·bt[j, c] for i < m and the columns c of panels
/// p0..<p1 (c < n). t [m, r] = x·Aᵀ and bt [r, n] = (s·B)ᵀ form the LoRA term (all three may be NULL/0).
/// bias may be NULL. x rows at stride ldx, y rows at stride ldy.
void cs_packed_gemm(const float *x, size_t ldx, size_t m, size_t k, const void *panels, int kind, size_t n,
                    size_t p0, size_t p1, const float *bias, const float *t, size_t r, const float *bt,
                    float *y, size_t ldy);
/// dst[k', c] = W[c, k'] + Σ_j a[j, k']·bt[j, c] for the columns of panels p0..<p1: float32 (W + s·B·A)ᵀ
/// rows at stride ldd, ready for BLAS as a NoTrans B. a/bt may be NULL (no adapter).
void cs_unpack_panels(const void *panels, int kind, size_t n, size_t k, size_t p0, size_t p1,
                      const float *a, size_t r, const float *bt, float *dst, size_t ldd);
/// t[i, j] = Σ_k x[i, k]·a[j, k] for i < m, j < r (a: [r, k]): the down half of a LoRA term.
void cs_lowrank_down(const float *x, size_t ldx, size_t m, size_t k, const float *a, size_t r, float *t);

// MARK: fast-precision GEMM: bfloat16 operands, float32 sums (bf16_gemm.c, contract there)
/// 1 when this CPU has AVX512-BF16 (vdpbf16ps) next to the AVX-512 set the other kernels use.
int cs_bf16_supported(void);
/// 32-bit words of a packed [n, k] weight (panels of 16 columns × ceil(k/2) pairs).
size_t cs_bf16_weight_words(size_t n, size_t k);
/// 32-bit words of packed activations of m rows (groups of 6 rows × ceil(k/2) pairs).
size_t cs_bf16_act_words(size_t m, size_t k);
/// Packs panels p0..<p1 of W [n, k] (rows at stride ldw): word (p·J + j)·16 + c = bf16(W[16p+c, 2j]) |
/// bf16(W[16p+c, 2j+1]) << 16, 0 beyond n or k (J = ceil(k/2); bf16 = round to nearest even, NaN kept).
void cs_bf16_pack_weight(const float *w, size_t ldw, size_t n, size_t k, size_t p0, size_t p1, uint32_t *dst);
/// Packs row groups g0..<g1 of X [m, k] (rows at stride ldx): word (g·J + j)·6 + i = bf16(X[6g+i, 2j]) |
/// bf16(X[6g+i, 2j+1]) << 16, 0 for rows ≥ m or columns ≥ k. Returns how many of the packed x values are
/// outside [−limit, limit] or NaN (the range guard's count).
size_t cs_bf16_pack_act(const float *x, size_t ldx, size_t m, size_t k, size_t g0, size_t g1, uint32_t *dst,
                        float limit);
/// y[i, c] = bias[c] + Σ_j (x[i,2j]·w[c,2j] + x[i,2j+1]·w[c,2j+1]) over the packed bf16 operands, float32
/// sums, for i < m and the columns of panels p0..<p1 (c < n); bias may be NULL. AVX512-BF16 when present
/// (and not forced off by cs_force_scalar), else a scalar loop of the same contract.
void cs_bf16_gemm(const uint32_t *xp, size_t m, size_t k, const uint32_t *wp, size_t n, size_t p0, size_t p1,
                  const float *bias, float *y, size_t ldy);

// MARK: attention, blocked AVX-512 kernel for any length (attention.c); FTZ/DAZ set for its duration
/// Floats of scratch cs_attention_heads needs for a sequence of t tokens and head dim d.
size_t cs_attention_scratch(size_t t, size_t d);
/// For heads h0..<h1 of ONE sequence of t tokens (head h in columns [h·d, (h+1)·d) of q/k/v/out):
/// out_h = softmax(scale · q_h·k_hᵀ + key_bias) · v_h, key_bias [t] (may be NULL). scratch: see above.
/// Without AVX-512 a scalar loop (correct, slow: the towers use per-head sgemm there instead).
void cs_attention_heads(const float *q, size_t ldq, const float *k, size_t ldk, const float *v, size_t ldv,
                        size_t t, size_t h0, size_t h1, size_t d, float scale, const float *key_bias,
                        float *out, size_t ldo, float *scratch);

// MARK: row kernels
/// y[r,:] = (x[r,:] − mean)/sqrt(var + eps) · w + b for `rows` rows of `dim` values (biased variance).
/// y may alias x.
void cs_layernorm(const float *x, float *y, size_t rows, size_t dim, const float *w, const float *b, float eps);
/// Softmax over each of `rows` rows of `cols` values at stride `ld`, in place, after adding
/// key_bias[c] (may be NULL) to every row. Never returns or computes a subnormal: probabilities below
/// ~2·FLT_MIN are exactly 0 (kernels.c, CS_EXP_LO).
void cs_softmax_rows(float *s, size_t rows, size_t cols, size_t ld, const float *key_bias);
#endif
