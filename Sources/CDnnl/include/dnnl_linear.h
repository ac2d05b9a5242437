// oneDNN (Debian libdnnl 2.x, OpenMP runtime) f32 matmul as a Linear layer with a fixed row count:
//   y[m, n] = x[m, k] · W[n, k]ᵀ + b[n]        (x, y row-major and contiguous; b optional)
// W is reordered once, at creation, into the layout the primitive asks for (format_tag any); the reorder
// is a permutation of the float32 values, so nothing is rounded, and the caller's W is not referenced
// afterwards (the reordered copy REPLACES it). The bias is fused into the primitive.
//
// Threads: oneDNN fixes its work split when a primitive is made, from the OpenMP thread count of the
// making thread, and runs an OpenMP team of that size. cs_dnnl_linear_apply(…, threads) therefore sets
// the calling thread's OpenMP count and remakes the primitive when `threads` differs from the last call
// (its weights are reordered into the new primitive's layout when that differs: again a permutation).
// The sums' order does not depend on the thread count for the shapes the vision tower uses (brgemm splits
// M and N over threads, never K; Tests/KernelsTests check it for 1–16 threads).
//
// Not thread-safe per object: one apply at a time on a given cs_dnnl_linear (the towers hold a lock).
// Errors return NULL / nonzero and write a message (oneDNN's status name and the call) into err.
#ifndef CLIPSCOPE_DNNL_LINEAR_H
#define CLIPSCOPE_DNNL_LINEAR_H
#include <stddef.h>
#include <stdint.h>

typedef struct cs_dnnl_linear cs_dnnl_linear;

/// A primitive for y[m, n] = x[m, k]·Wᵀ + bias made for `threads` OpenMP threads; w is [n, k] row-major.
/// bias (n values) may be NULL. Returns NULL and fills err (errlen bytes, NUL-terminated) on failure.
cs_dnnl_linear *cs_dnnl_linear_create(int64_t m, int64_t n, int64_t k, const float *w, const float *bias,
                                      int threads, char *err, size_t errlen);
/// Bytes of scratch memory an apply with `threads` threads needs (remakes the primitive for that count
/// first, as apply would); (size_t)-1 and err on failure.
size_t cs_dnnl_linear_scratch_bytes(cs_dnnl_linear *l, int threads, char *err, size_t errlen);
/// y = x·Wᵀ + bias for this object's m rows, with `threads` OpenMP threads, using the caller's scratch
/// (at least cs_dnnl_linear_scratch_bytes for that thread count; oneDNN's temporaries live there, so the
/// primitives of a tower share one buffer). 0 on success.
int cs_dnnl_linear_apply(cs_dnnl_linear *l, const float *x, float *y, void *scratch, size_t scratch_bytes,
                         int threads, char *err, size_t errlen);
/// The oneDNN implementation that runs (e.g. "brg:avx512_core"), for bench output and tests.
const char *cs_dnnl_linear_impl(const cs_dnnl_linear *l);
/// Bytes of the reordered weights (what replaces the caller's float32 copy).
size_t cs_dnnl_linear_weight_bytes(const cs_dnnl_linear *l);
void cs_dnnl_linear_free(cs_dnnl_linear *l);

/// oneDNN's effective ISA on this CPU as oneDNN numbers it (dnnl_cpu_isa_t), and 1 when it is
/// AVX-512 (avx512_core or above), the ISAs whose f32 matmul the backend table was measured on.
int cs_dnnl_cpu_isa(void);
int cs_dnnl_has_avx512_core(void);
/// oneDNN's version as major·10000 + minor·100 + patch.
int cs_dnnl_version(void);
#endif
