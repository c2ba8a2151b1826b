/* vita-blas.h — the one owner of OpenBLAS: which kernels run, and how many threads.
 *
 * Kernels.  OpenBLAS built with DYNAMIC_ARCH (Debian's) picks its kernels from the
 * CPU's model number at load time, and a model it does not know falls back to
 * "Prescott" (SSE3): Debian 12's 0.3.21 runs an Emerald Rapids Xeon (family 6, model
 * 207, AVX-512) at 30 GFLOP/s per core instead of 140 with its SkylakeX kernels
 * (measured, 1024³ sgemm).  vita_blas_init_kernels() asks for the kernels the CPU's
 * features allow — SkylakeX with AVX-512 F/CD/BW/DQ/VL, Haswell with AVX2+FMA — when
 * OpenBLAS chose a weaker one; OPENBLAS_CORETYPE in the environment always wins.
 *
 * Threads.  The count is one process-wide setting (Debian's pthread build, 0.3.21, has
 * no per-thread one), so one policy decides it for the app, the CLI and the tests:
 *  - the process sets its default once, at start: vita_blas_set_threads (the app:
 *    cores − 1, leaving one to the UI and playback; a CLI command: its --threads);
 *  - code that runs its own worker threads (an analysis with several workers, a
 *    training run with several threads, the SSM/CKA products that must not depend
 *    on the number of threads) holds single-threaded BLAS for its duration with
 *    vita_blas_single_begin / _end: concurrent and nested holders are counted, and
 *    the default is back when the last one ends — also a default set meanwhile.
 * Nothing else calls openblas_set_num_threads.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Runs by itself when a program that links the model library is loaded (a
 * constructor, before main()), so that every program — the app, the CLI, the tests,
 * the benches — computes with the same kernels; a later call is a no-op.  Called by
 * hand: first thing in main(), before any BLAS call and before any thread starts
 * (it sets and unsets OPENBLAS_CORETYPE around OpenBLAS's own re-selection).
 * Returns TRUE when it changed the kernels; a no-op on non-x86-64, with a BLAS that
 * is not OpenBLAS DYNAMIC_ARCH, or when OpenBLAS's choice is already good. */
gboolean    vita_blas_init_kernels (void);
/* OpenBLAS's kernel family now in use ("SkylakeX", "Haswell", "Prescott", ...). */
const char *vita_blas_kernels (void);

/* n > 0: n threads; n <= 0: $OPENBLAS_NUM_THREADS when set, else cores − 1 (≥ 1). */
void vita_blas_set_threads (int n);
/* The default (what BLAS runs with outside single-threaded sections). */
int  vita_blas_get_threads (void);

typedef struct _VitaBlasSingle VitaBlasSingle;
/* Single-threaded BLAS until the matching end; returns a token for g_autoptr. */
VitaBlasSingle *vita_blas_single_begin (void);
void            vita_blas_single_end   (VitaBlasSingle *token);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaBlasSingle, vita_blas_single_end)

G_END_DECLS
