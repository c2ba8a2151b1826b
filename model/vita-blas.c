/* vita-blas.c — see vita-blas.h. */
#include "vita-blas.h"

#include <cblas.h>
#include <dlfcn.h>
#include <stdlib.h>

/* Kernel families at least as good as what we would ask for (OpenBLAS's names as
 * openblas_get_corename() spells them, case-insensitive). */
static const char *const good_cores[] = {
  "haswell", "skylakex", "cooperlake", "sapphirerapids", "zen", "excavator", NULL,
};

static const char *
wanted_core (void)
{
#if defined(__GNUC__) && defined(__x86_64__)
  __builtin_cpu_init ();
  if (__builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512cd") &&
      __builtin_cpu_supports ("avx512bw") && __builtin_cpu_supports ("avx512dq") &&
      __builtin_cpu_supports ("avx512vl"))
    return "SkylakeX";
  if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
    return "Haswell";
#endif
  return NULL;
}

const char *
vita_blas_kernels (void)
{
  return openblas_get_corename ();
}

gboolean
vita_blas_init_kernels (void)
{
  if (g_getenv ("OPENBLAS_CORETYPE") != NULL)
    return FALSE;   /* the user's choice */
  const char *want = wanted_core ();
  const char *core = openblas_get_corename ();
  if (want == NULL || core == NULL)
    return FALSE;
  for (int i = 0; good_cores[i]; i++)
    if (g_ascii_strcasecmp (core, good_cores[i]) == 0)
      return FALSE;
  /* OpenBLAS's own re-selection (driver/others/dynamic.c): _quit forgets the table,
   * _init reads OPENBLAS_CORETYPE and sets the kernels' blocking parameters.  Looked
   * up at run time: a BLAS without DYNAMIC_ARCH has neither, and keeps its kernels. */
  void (*dynamic_quit) (void) = (void (*) (void)) dlsym (RTLD_DEFAULT, "gotoblas_dynamic_quit");
  void (*dynamic_init) (void) = (void (*) (void)) dlsym (RTLD_DEFAULT, "gotoblas_dynamic_init");
  if (dynamic_quit == NULL || dynamic_init == NULL)
    return FALSE;
  setenv ("OPENBLAS_CORETYPE", want, 1);
  dynamic_quit ();
  dynamic_init ();
  unsetenv ("OPENBLAS_CORETYPE");
  g_debug ("OpenBLAS kernels: %s instead of %s", openblas_get_corename (), core);
  return g_ascii_strcasecmp (openblas_get_corename (), want) == 0;
}

/* Every program that links the model library selects its kernels at load time, before
 * main() runs and before any BLAS call of its own: not only the app's and the CLI's
 * main() but also the test programs (the GUI tests build the app without app/main.c)
 * and whatever else embeds the library.  The kernels decide a sum's rounding, so two
 * programs that picked different ones (OpenBLAS's Prescott fallback in one, SkylakeX
 * in the other, on a CPU model 0.3.21 does not know) compute different last bits for
 * the same tokens: a GUI export and `vitascope-cli render` of the same session then
 * differ in a pixel of a probe lane's curve. */
#if defined(__GNUC__)
__attribute__ ((constructor)) static void
init_kernels_at_load (void)
{
  vita_blas_init_kernels ();
}
#endif

/* ---- threads ---------------------------------------------------------------- */

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
