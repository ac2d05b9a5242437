// As -ffp-contract=off, in the source so no build flag is needed: a·b + c is never fused into an FMA
// by the compiler (only the explicit _mm*_fmadd_* intrinsics fuse), whatever the optimization level.
#pragma clang fp contract(off)
#include "ckernels.h"

int cs_cpu_features(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    int f = 0;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")) f |= 1;
    if (__builtin_cpu_supports("avx512f")) f |= 2;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")) f |= 4;
    return f;
#else
    return 0;
#endif
}
