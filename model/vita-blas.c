/* vita-blas.c — see vita-blas.h. */
#include "vita-blas.h"

#include <cblas.h>
#include <stdlib.h>

G_LOCK_DEFINE_STATIC (blas);
static int default_threads;   /* 0: not set yet (OpenBLAS's own start-up value) */
static int single_holders;

/* A non-NULL token (never dereferenced). */
static char token;

void
vita_blas_set_threads (int n)
{
  if (n <= 0)
    {
      const char *env = g_getenv ("OPENBLAS_NUM_THREADS");
      n = env ? atoi (env) : (int) g_get_num_processors () - 1;
      n = MAX (n, 1);
    }
  G_LOCK (blas);
  default_threads = n;
  if (single_holders == 0)
    openblas_set_num_threads (n);
  G_UNLOCK (blas);
}

int
vita_blas_get_threads (void)
{
  G_LOCK (blas);
  int n = default_threads > 0 ? default_threads : openblas_get_num_threads ();
  G_UNLOCK (blas);
  return n;
}

VitaBlasSingle *
vita_blas_single_begin (void)
{
  G_LOCK (blas);
  if (single_holders++ == 0)
    {
      if (default_threads == 0)
        default_threads = openblas_get_num_threads ();
      openblas_set_num_threads (1);
    }
  G_UNLOCK (blas);
  return (VitaBlasSingle *) &token;
}

void
vita_blas_single_end (VitaBlasSingle *t)
{
  if (t == NULL)
    return;
  G_LOCK (blas);
  g_assert (single_holders > 0);
  if (--single_holders == 0)
    openblas_set_num_threads (default_threads);
  G_UNLOCK (blas);
}
