/* vita-blas.h — which OpenBLAS kernels run (not how many threads: that policy lives
 * where the engine sets it).
 *
 * OpenBLAS built with DYNAMIC_ARCH (Debian's) picks its kernels from the CPU's model
 * number at load time, and a model it does not know falls back to "Prescott" (SSE3):
 * Debian 12's 0.3.21 runs an Emerald Rapids Xeon (family 6, model 207, AVX-512) at
 * 30 GFLOP/s per core instead of 140 with its SkylakeX kernels (measured, 1024³
 * sgemm).  vita_blas_init_kernels() asks for the kernels the CPU's features allow —
 * SkylakeX with AVX-512 F/CD/BW/DQ/VL, Haswell with AVX2+FMA — when OpenBLAS chose a
 * weaker one; OPENBLAS_CORETYPE in the environment always wins. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Call first thing in main(), before any BLAS call and before any thread starts
 * (it sets and unsets OPENBLAS_CORETYPE around OpenBLAS's own re-selection).
 * Returns TRUE when it changed the kernels; a no-op on non-x86-64, with a BLAS that
 * is not OpenBLAS DYNAMIC_ARCH, or when OpenBLAS's choice is already good. */
gboolean    vita_blas_init_kernels (void);
/* OpenBLAS's kernel family now in use ("SkylakeX", "Haswell", "Prescott", ...). */
const char *vita_blas_kernels (void);

G_END_DECLS
