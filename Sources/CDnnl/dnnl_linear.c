// oneDNN f32 matmul as a Linear layer; the contract is in include/dnnl_linear.h. The naive twin is
// Tests/KernelsTests/Reference.swift `linear` (float64 sums), which DnnlLinearTests compare against.
#include "dnnl_linear.h"

#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The OpenMP runtime of oneDNN's build (libgomp on Debian); weak and declared here so neither omp.h nor
// an OpenMP oneDNN is needed (a TBB or sequential build has no such call, and uses its own thread count).
extern void omp_set_num_threads(int) __attribute__((weak));
static void set_threads(int n) { if (omp_set_num_threads) omp_set_num_threads(n); }

struct cs_dnnl_linear {
    int64_t m, n, k;
    int threads;                       // the OpenMP thread count the primitive was made for
    dnnl_memory_desc_t src_md, dst_md, bias_md, wany_md, scratch_md;
    dnnl_primitive_t prim;
    dnnl_memory_t weights;             // reordered, owned by oneDNN
    dnnl_memory_t bias;                // NULL when there is no bias
    float *bias_copy;
    dnnl_stream_t stream;
    char impl[64];
};

static dnnl_engine_t engine;
static dnnl_status_t engine_status = dnnl_runtime_error;
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;
static void make_engine(void) { engine_status = dnnl_engine_create(&engine, dnnl_cpu, 0); }

static int fail(char *err, size_t errlen, const char *what, dnnl_status_t s) {
    if (err && errlen) snprintf(err, errlen, "oneDNN %s failed (status %d)", what, (int)s);
    return 1;
}
#define TRY(call, what) do { dnnl_status_t s_ = (call); if (s_ != dnnl_success) return fail(err, errlen, what, s_); } while (0)

// Reorders `from` (desc from_md) into a new oneDNN-allocated memory of desc to_md.
static int reorder_into(const dnnl_memory_desc_t *from_md, void *from_handle, const dnnl_memory_desc_t *to_md,
                        dnnl_stream_t stream, dnnl_memory_t *out, char *err, size_t errlen) {
    dnnl_memory_t from = NULL, to = NULL;
    dnnl_primitive_desc_t rpd = NULL;
    dnnl_primitive_t rp = NULL;
    int rc = 0;
    dnnl_status_t s;
    if ((s = dnnl_memory_create(&from, from_md, engine, from_handle)) != dnnl_success) { rc = fail(err, errlen, "memory (weights)", s); goto done; }
    if ((s = dnnl_memory_create(&to, to_md, engine, DNNL_MEMORY_ALLOCATE)) != dnnl_success) { rc = fail(err, errlen, "memory (reordered weights)", s); goto done; }
    if ((s = dnnl_reorder_primitive_desc_create(&rpd, from_md, engine, to_md, engine, NULL)) != dnnl_success) { rc = fail(err, errlen, "reorder descriptor", s); goto done; }
    if ((s = dnnl_primitive_create(&rp, rpd)) != dnnl_success) { rc = fail(err, errlen, "reorder primitive", s); goto done; }
    dnnl_exec_arg_t args[] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
    if ((s = dnnl_primitive_execute(rp, stream, 2, args)) != dnnl_success) { rc = fail(err, errlen, "reorder", s); goto done; }
    if ((s = dnnl_stream_wait(stream)) != dnnl_success) { rc = fail(err, errlen, "stream wait", s); goto done; }
done:
    if (rp) dnnl_primitive_destroy(rp);
    if (rpd) dnnl_primitive_desc_destroy(rpd);
    if (from) dnnl_memory_destroy(from);
    if (rc) { if (to) dnnl_memory_destroy(to); } else *out = to;
    return rc;
}

// (Re)makes the primitive for `threads`; weights already held are reordered into the new layout if it
// differs. `w_plain` (the caller's [n, k] weights) is used only at creation.
static int make_primitive(cs_dnnl_linear *l, int threads, const float *w_plain, char *err, size_t errlen) {
    set_threads(threads);
    dnnl_matmul_desc_t md;
    TRY(dnnl_matmul_desc_init(&md, &l->src_md, &l->wany_md, l->bias ? &l->bias_md : NULL, &l->dst_md), "matmul descriptor");
    // The scratchpad is the caller's (one buffer for all of a tower's primitives, which run one at a time):
    // with oneDNN's own, every primitive keeps a buffer of its own, ~180 MB over the 97 of the full tower.
    dnnl_primitive_attr_t attr;
    TRY(dnnl_primitive_attr_create(&attr), "primitive attributes");
    dnnl_status_t as = dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
    dnnl_primitive_desc_t pd;
    dnnl_status_t ps = as == dnnl_success ? dnnl_primitive_desc_create(&pd, &md, attr, engine, NULL) : as;
    dnnl_primitive_attr_destroy(attr);
    if (ps != dnnl_success) return fail(err, errlen, "matmul primitive descriptor", ps);
    l->scratch_md = *dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    const dnnl_memory_desc_t *wq = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    dnnl_memory_t reordered = NULL;
    if (w_plain) {
        dnnl_memory_desc_t plain;
        dnnl_dims_t wd = {l->k, l->n};
        dnnl_status_t s = dnnl_memory_desc_init_by_tag(&plain, 2, wd, dnnl_f32, dnnl_ba);   // W [N, K] = [K, N] "ba"
        if (s != dnnl_success) { dnnl_primitive_desc_destroy(pd); return fail(err, errlen, "weights descriptor", s); }
        if (reorder_into(&plain, (void *)w_plain, wq, l->stream, &reordered, err, errlen)) { dnnl_primitive_desc_destroy(pd); return 1; }
    } else {
        const dnnl_memory_desc_t *held;
        dnnl_memory_get_memory_desc(l->weights, &held);
        if (!dnnl_memory_desc_equal(held, wq)) {
            void *handle = NULL;
            dnnl_memory_get_data_handle(l->weights, &handle);
            if (reorder_into(held, handle, wq, l->stream, &reordered, err, errlen)) { dnnl_primitive_desc_destroy(pd); return 1; }
        }
    }
    dnnl_primitive_t prim;
    dnnl_status_t s = dnnl_primitive_create(&prim, pd);
    const char *impl = "";
    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
    snprintf(l->impl, sizeof l->impl, "%s", impl ? impl : "");
    dnnl_primitive_desc_destroy(pd);
    if (s != dnnl_success) { if (reordered) dnnl_memory_destroy(reordered); return fail(err, errlen, "matmul primitive", s); }
    if (l->prim) dnnl_primitive_destroy(l->prim);
    l->prim = prim;
    if (reordered) { if (l->weights) dnnl_memory_destroy(l->weights); l->weights = reordered; }
    l->threads = threads;
    return 0;
}

cs_dnnl_linear *cs_dnnl_linear_create(int64_t m, int64_t n, int64_t k, const float *w, const float *bias,
                                      int threads, char *err, size_t errlen) {
    if (err && errlen) err[0] = 0;
    if (m <= 0 || n <= 0 || k <= 0 || !w) { if (err && errlen) snprintf(err, errlen, "oneDNN linear: empty shape %lldx%lldx%lld", (long long)m, (long long)n, (long long)k); return NULL; }
    pthread_once(&engine_once, make_engine);
    if (engine_status != dnnl_success) { fail(err, errlen, "CPU engine", engine_status); return NULL; }
    cs_dnnl_linear *l = calloc(1, sizeof *l);
    if (!l) { if (err && errlen) snprintf(err, errlen, "oneDNN linear: out of memory"); return NULL; }
    l->m = m; l->n = n; l->k = k;
    dnnl_dims_t sd = {m, k}, dd = {m, n}, bd = {1, n}, wd = {k, n};
    int bad = dnnl_memory_desc_init_by_tag(&l->src_md, 2, sd, dnnl_f32, dnnl_ab) != dnnl_success
        || dnnl_memory_desc_init_by_tag(&l->dst_md, 2, dd, dnnl_f32, dnnl_ab) != dnnl_success
        || dnnl_memory_desc_init_by_tag(&l->bias_md, 2, bd, dnnl_f32, dnnl_ab) != dnnl_success
        || dnnl_memory_desc_init_by_tag(&l->wany_md, 2, wd, dnnl_f32, dnnl_format_tag_any) != dnnl_success;
    dnnl_status_t s = dnnl_stream_create(&l->stream, engine, dnnl_stream_default_flags);
    if (bad || s != dnnl_success) { fail(err, errlen, "descriptors / stream", s); cs_dnnl_linear_free(l); return NULL; }
    if (bias) {
        l->bias_copy = malloc(sizeof(float) * (size_t)n);
        if (!l->bias_copy) { if (err && errlen) snprintf(err, errlen, "oneDNN linear: out of memory"); cs_dnnl_linear_free(l); return NULL; }
        memcpy(l->bias_copy, bias, sizeof(float) * (size_t)n);
        if ((s = dnnl_memory_create(&l->bias, &l->bias_md, engine, l->bias_copy)) != dnnl_success) {
            fail(err, errlen, "memory (bias)", s); cs_dnnl_linear_free(l); return NULL;
        }
    }
    if (make_primitive(l, threads < 1 ? 1 : threads, w, err, errlen)) { cs_dnnl_linear_free(l); return NULL; }
    return l;
}

size_t cs_dnnl_linear_scratch_bytes(cs_dnnl_linear *l, int threads, char *err, size_t errlen) {
    if (threads < 1) threads = 1;
    if (threads != l->threads && make_primitive(l, threads, NULL, err, errlen)) return (size_t)-1;
    return dnnl_memory_desc_get_size(&l->scratch_md);
}

int cs_dnnl_linear_apply(cs_dnnl_linear *l, const float *x, float *y, void *scratch, size_t scratch_bytes,
                         int threads, char *err, size_t errlen) {
    if (threads < 1) threads = 1;
    if (threads != l->threads && make_primitive(l, threads, NULL, err, errlen)) return 1;
    size_t need = dnnl_memory_desc_get_size(&l->scratch_md);
    if (need > scratch_bytes || (need && !scratch)) {
        if (err && errlen) snprintf(err, errlen, "oneDNN linear: scratchpad of %zu bytes given, %zu needed", scratch_bytes, need);
        return 1;
    }
    set_threads(threads);
    dnnl_memory_t src = NULL, dst = NULL, pad = NULL;
    dnnl_status_t s;
    int rc = 0;
    if ((s = dnnl_memory_create(&src, &l->src_md, engine, (void *)x)) != dnnl_success) { rc = fail(err, errlen, "memory (x)", s); goto done; }
    if ((s = dnnl_memory_create(&dst, &l->dst_md, engine, y)) != dnnl_success) { rc = fail(err, errlen, "memory (y)", s); goto done; }
    if ((s = dnnl_memory_create(&pad, &l->scratch_md, engine, scratch)) != dnnl_success) { rc = fail(err, errlen, "memory (scratchpad)", s); goto done; }
    dnnl_exec_arg_t args[5] = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, l->weights}, {DNNL_ARG_DST, dst},
                               {DNNL_ARG_SCRATCHPAD, pad}, {DNNL_ARG_BIAS, l->bias}};
    if ((s = dnnl_primitive_execute(l->prim, l->stream, l->bias ? 5 : 4, args)) != dnnl_success) { rc = fail(err, errlen, "matmul", s); goto done; }
    if ((s = dnnl_stream_wait(l->stream)) != dnnl_success) rc = fail(err, errlen, "stream wait", s);
done:
    if (src) dnnl_memory_destroy(src);
    if (dst) dnnl_memory_destroy(dst);
    if (pad) dnnl_memory_destroy(pad);
    return rc;
}

const char *cs_dnnl_linear_impl(const cs_dnnl_linear *l) { return l->impl; }

size_t cs_dnnl_linear_weight_bytes(const cs_dnnl_linear *l) {
    if (!l->weights) return 0;
    const dnnl_memory_desc_t *md;
    dnnl_memory_get_memory_desc(l->weights, &md);
    return dnnl_memory_desc_get_size(md);
}

void cs_dnnl_linear_free(cs_dnnl_linear *l) {
    if (!l) return;
    if (l->prim) dnnl_primitive_destroy(l->prim);
    if (l->weights) dnnl_memory_destroy(l->weights);
    if (l->bias) dnnl_memory_destroy(l->bias);
    if (l->stream) dnnl_stream_destroy(l->stream);
    free(l->bias_copy);
    free(l);
}

int cs_dnnl_cpu_isa(void) { return (int)dnnl_get_effective_cpu_isa(); }

int cs_dnnl_has_avx512_core(void) {
    int isa = (int)dnnl_get_effective_cpu_isa();
    return (isa & dnnl_cpu_isa_avx512_core) == dnnl_cpu_isa_avx512_core;
}

int cs_dnnl_version(void) {
    const dnnl_version_t *v = dnnl_version();
    return v->major * 10000 + v->minor * 100 + v->patch;
}
