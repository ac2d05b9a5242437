// OpenBLAS through Debian's libopenblas-dev (pthread variant). <cblas.h> resolves to
// /usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h via Debian's alternatives; the
// explicit path is tried first so a box with another default BLAS still gets OpenBLAS's header.
#ifndef CLIPSCOPE_COPENBLAS_SHIM_H
#define CLIPSCOPE_COPENBLAS_SHIM_H
#if __has_include(<x86_64-linux-gnu/openblas-pthread/cblas.h>)
#include <x86_64-linux-gnu/openblas-pthread/cblas.h>
#elif __has_include(<aarch64-linux-gnu/openblas-pthread/cblas.h>)
#include <aarch64-linux-gnu/openblas-pthread/cblas.h>
#elif __has_include(<openblas/cblas.h>)
#include <openblas/cblas.h>
#else
#include <cblas.h>
#endif
#endif
