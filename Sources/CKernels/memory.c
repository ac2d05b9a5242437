// Returning freed heap memory to the system (glibc's malloc_trim, which Swift's Glibc module does not
// export). A model load frees ~100 MB of converted float32 tensors per vision block once they are
// packed or reordered; glibc keeps freed chunks below its (dynamic, up to 32 MB) mmap threshold in the
// loading thread's arena, so without a trim they stay resident (~150–180 MB at full size).
#include "ckernels.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

int cs_release_free_heap(void) {
#if defined(__GLIBC__)
    return malloc_trim(0);
#else
    return 0;
#endif
}
