// oneDNN's f32 matmul against OpenBLAS cblas_sgemm on the encoder's GEMM shapes, in one process,
// interleaved (rep by rep), best of R after a warm-up. y[M, N] = x[M, K] · W[N, K]ᵀ + b, as Gemm.linear.
// OpenBLAS runs as ClipScope calls it: K cut into chunks of 256 (beta 0, then 1), the bias added after.
// oneDNN: weights reordered once into the primitive's own layout (format_tag any), bias fused; its
// output at 1 thread is compared bit for bit with its output at 3, 8 and 16 threads (ClipScope's
// vectors must not depend on the thread count).
//
// Build and run (Scripts/bench/gemm_onednn.sh does both):
//   cc -O2 -fopenmp -o gemm_onednn gemm_onednn.c -ldnnl -lopenblas
//   OMP_NUM_THREADS=T ./gemm_onednn T [REPS]
#include <cblas.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK(x) do { dnnl_status_t s_ = (x); if (s_ != dnnl_success) { fprintf(stderr, "%s: %d\n", #x, s_); exit(1); } } while (0)

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static void openblas_linear(const float *x, int m, int k, const float *w, int n, const float *b, float *y) {
    for (int k0 = 0; k0 < k; k0 += 256) {
        int kc = k - k0 < 256 ? k - k0 : 256;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, kc, 1.0f, x + k0, k, w + k0, k,
                    k0 == 0 ? 0.0f : 1.0f, y, n);
    }
    for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) y[(size_t)i * n + j] += b[j];
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2, reps = argc > 2 ? atoi(argv[2]) : 4;
    openblas_set_num_threads(threads);
    struct { const char *name; int m, n, k; } shapes[] = {
        {"vision qkv", 1297, 3072, 1024}, {"vision gate_up", 1297, 5460, 1024}, {"vision down", 1297, 1024, 2730},
        {"vision out", 1297, 1024, 1024}, {"text fc1 (327 rows)", 327, 4096, 1024}, {"text fc2 (327 rows)", 327, 1024, 4096},
    };
    dnnl_engine_t eng; CHECK(dnnl_engine_create(&eng, dnnl_cpu, 0));
    dnnl_stream_t st; CHECK(dnnl_stream_create(&st, eng, dnnl_stream_default_flags));
    printf("OpenBLAS core %s, threads %d, best of %d\n%-22s %10s %10s %10s  %s\n", openblas_get_corename(), threads, reps, "shape", "OpenBLAS", "oneDNN", "max |d|", "oneDNN kernel");
    for (size_t si = 0; si < sizeof shapes / sizeof *shapes; si++) {
        int m = shapes[si].m, n = shapes[si].n, k = shapes[si].k;
        float *x = malloc(sizeof(float) * m * k), *w = malloc(sizeof(float) * n * k), *b = malloc(sizeof(float) * n);
        float *y1 = malloc(sizeof(float) * m * n), *y2 = malloc(sizeof(float) * m * n);
        srand(1);
        for (size_t i = 0; i < (size_t)m * k; i++) x[i] = rand() / (float)RAND_MAX - 0.5f;
        for (size_t i = 0; i < (size_t)n * k; i++) w[i] = (rand() / (float)RAND_MAX - 0.5f) * 0.05f;
        for (int i = 0; i < n; i++) b[i] = rand() / (float)RAND_MAX - 0.5f;
        dnnl_memory_desc_t src_md, wany_md, wuser_md, dst_md, bias_md;
        dnnl_dims_t sd = {m, k}, wd = {k, n}, dd = {m, n}, bd = {1, n};
        CHECK(dnnl_memory_desc_init_by_tag(&src_md, 2, sd, dnnl_f32, dnnl_ab));
        CHECK(dnnl_memory_desc_init_by_tag(&wany_md, 2, wd, dnnl_f32, dnnl_format_tag_any));
        CHECK(dnnl_memory_desc_init_by_tag(&wuser_md, 2, wd, dnnl_f32, dnnl_ba));   // W [N, K] row-major = [K, N] "ba"
        CHECK(dnnl_memory_desc_init_by_tag(&dst_md, 2, dd, dnnl_f32, dnnl_ab));
        CHECK(dnnl_memory_desc_init_by_tag(&bias_md, 2, bd, dnnl_f32, dnnl_ab));
        dnnl_matmul_desc_t md; CHECK(dnnl_matmul_desc_init(&md, &src_md, &wany_md, &bias_md, &dst_md));
        dnnl_primitive_desc_t pd; CHECK(dnnl_primitive_desc_create(&pd, &md, NULL, eng, NULL));
        const char *impl = ""; dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
        const dnnl_memory_desc_t *wq = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
        dnnl_memory_t msrc, mwu, mw, mdst, mb;
        CHECK(dnnl_memory_create(&msrc, &src_md, eng, x));
        CHECK(dnnl_memory_create(&mwu, &wuser_md, eng, w));
        CHECK(dnnl_memory_create(&mw, wq, eng, DNNL_MEMORY_ALLOCATE));
        CHECK(dnnl_memory_create(&mdst, &dst_md, eng, y2));
        CHECK(dnnl_memory_create(&mb, &bias_md, eng, b));
        dnnl_primitive_desc_t rpd; CHECK(dnnl_reorder_primitive_desc_create(&rpd, &wuser_md, eng, wq, eng, NULL));
        dnnl_primitive_t rp; CHECK(dnnl_primitive_create(&rp, rpd));
        dnnl_exec_arg_t rargs[] = {{DNNL_ARG_FROM, mwu}, {DNNL_ARG_TO, mw}};
        CHECK(dnnl_primitive_execute(rp, st, 2, rargs)); CHECK(dnnl_stream_wait(st));
        dnnl_primitive_t p; CHECK(dnnl_primitive_create(&p, pd));
        dnnl_exec_arg_t args[] = {{DNNL_ARG_SRC, msrc}, {DNNL_ARG_WEIGHTS, mw}, {DNNL_ARG_BIAS, mb}, {DNNL_ARG_DST, mdst}};
        double best1 = 1e9, best2 = 1e9;
        for (int r = 0; r <= reps; r++) {
            double t0 = now(); openblas_linear(x, m, k, w, n, b, y1); double t1 = now();
            CHECK(dnnl_primitive_execute(p, st, 4, args)); CHECK(dnnl_stream_wait(st)); double t2 = now();
            if (r > 0) { if (t1 - t0 < best1) best1 = t1 - t0; if (t2 - t1 < best2) best2 = t2 - t1; }
        }
        // Thread-count independence: a primitive made and run at 1 thread and ones made and run at 3, 8
        // and 16 threads (oneDNN picks its blocking, and the weights' layout, when the primitive is made)
        // must give the same bits.
        float *y3 = malloc(sizeof(float) * m * n), *y4 = malloc(sizeof(float) * m * n);
        int same = 1, counts[] = {1, 3, 8, 16};
        for (int o = 0; o < 4; o++) {
            omp_set_num_threads(counts[o]);
            dnnl_primitive_desc_t pd2; CHECK(dnnl_primitive_desc_create(&pd2, &md, NULL, eng, NULL));
            const dnnl_memory_desc_t *wq2 = dnnl_primitive_desc_query_md(pd2, dnnl_query_weights_md, 0);
            dnnl_memory_t mw2, mdst2;
            CHECK(dnnl_memory_create(&mw2, wq2, eng, DNNL_MEMORY_ALLOCATE));
            CHECK(dnnl_memory_create(&mdst2, &dst_md, eng, o == 0 ? y3 : y4));
            dnnl_primitive_desc_t rpd2; CHECK(dnnl_reorder_primitive_desc_create(&rpd2, &wuser_md, eng, wq2, eng, NULL));
            dnnl_primitive_t rp2; CHECK(dnnl_primitive_create(&rp2, rpd2));
            dnnl_exec_arg_t rargs2[] = {{DNNL_ARG_FROM, mwu}, {DNNL_ARG_TO, mw2}};
            CHECK(dnnl_primitive_execute(rp2, st, 2, rargs2));
            dnnl_primitive_t p2; CHECK(dnnl_primitive_create(&p2, pd2));
            dnnl_exec_arg_t args2[] = {{DNNL_ARG_SRC, msrc}, {DNNL_ARG_WEIGHTS, mw2}, {DNNL_ARG_BIAS, mb}, {DNNL_ARG_DST, mdst2}};
            CHECK(dnnl_primitive_execute(p2, st, 4, args2)); CHECK(dnnl_stream_wait(st));
            if (o > 0 && memcmp(y3, y4, sizeof(float) * m * n) != 0) same = 0;
            dnnl_primitive_destroy(p2); dnnl_primitive_destroy(rp2); dnnl_primitive_desc_destroy(rpd2); dnnl_primitive_desc_destroy(pd2);
            dnnl_memory_destroy(mw2); dnnl_memory_destroy(mdst2);
        }
        omp_set_num_threads(threads);
        free(y3); free(y4);
        double md_ = 0;
        for (size_t i = 0; i < (size_t)m * n; i++) { double d = y1[i] - y2[i]; if (d < 0) d = -d; if (d > md_) md_ = d; }
        double gf = 2.0 * m * n * k / 1e9;
        printf("%-22s %7.1f GF %7.1f GF %10.2e  %-16s %s\n", shapes[si].name, gf / best1, gf / best2, md_, impl,
               same ? "same bits at 1/3/8/16 threads" : "DIFFERS between 1 and 3/8/16 threads");
        dnnl_primitive_destroy(p); dnnl_primitive_destroy(rp); dnnl_primitive_desc_destroy(rpd); dnnl_primitive_desc_destroy(pd);
        dnnl_memory_destroy(msrc); dnnl_memory_destroy(mwu); dnnl_memory_destroy(mw); dnnl_memory_destroy(mdst); dnnl_memory_destroy(mb);
        free(x); free(w); free(b); free(y1); free(y2);
    }
    dnnl_stream_destroy(st); dnnl_engine_destroy(eng);
    return 0;
}
