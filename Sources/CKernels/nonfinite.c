// Non-finite scan of raw safetensors payloads (NaN/Inf = exponent bits all ones), run once per tensor
// at load. Byte-wise loads via memcpy: payloads need not be aligned. A branch-free count the
// compiler vectorizes at -O2 with the baseline ISA (SSE2), so no dispatch is needed.
// As -ffp-contract=off, in the source so no build flag is needed: a·b + c is never fused into an FMA
// by the compiler (only the explicit _mm*_fmadd_* intrinsics fuse), whatever the optimization level.
#pragma clang fp contract(off)
#include "ckernels.h"
#include <string.h>

static size_t count16(const unsigned char *p, size_t n, uint16_t mask) {
    size_t c = 0;
    for (size_t i = 0; i < n; i++) {
        uint16_t w;
        memcpy(&w, p + 2 * i, 2);
        c += (size_t)((w & mask) == mask);
    }
    return c;
}

static size_t count32(const unsigned char *p, size_t n) {
    const uint32_t mask = 0x7F800000u;
    size_t c = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t w;
        memcpy(&w, p + 4 * i, 4);
        c += (size_t)((w & mask) == mask);
    }
    return c;
}

size_t cs_count_nonfinite(const void *src, size_t n, int kind) {
    const unsigned char *p = (const unsigned char *)src;
    switch (kind) {
    case 0: return count32(p, n);
    case 1: return count16(p, n, 0x7C00u);   // F16: 5 exponent bits
    case 2: return count16(p, n, 0x7F80u);   // BF16: 8 exponent bits
    default: return 0;
    }
}
