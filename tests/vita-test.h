/* vita-test.h — helpers shared by the C tests (GLib GTest). */
#pragma once

#include <glib.h>
#include "model/vita-npy.h"

G_BEGIN_DECLS

/* Path of a file in tests/data (VITA_TEST_DATA, set by meson). */
char  *vita_test_data_path (const char *name);
/* Loads tests/data/NAME (.npy); fails the test when missing. shape/ndim optional. */
float *vita_test_load_npy  (const char *name, int *ndim, gsize shape[VITA_NPY_MAX_DIMS], gsize *count);
/* Max |a - b| over n values (NaN counts as infinite). */
double vita_test_max_abs_diff (const float *a, const float *b, gsize n, gsize *argmax);
/* Fails loudly with the largest difference, its index and both values. */
void   vita_test_assert_close (const char *what, const float *got, const float *want,
                               gsize n, double tol);
/* Like assert_close but relative: |a-b| <= tol * max(1, max|want|). */
void   vita_test_assert_close_rel (const char *what, const float *got, const float *want,
                                   gsize n, double tol);

/* A fresh $XDG_CACHE_HOME for this test program (the analysis cache files go there);
 * call before g_test_init (GLib reads it once).  vita_test_cache_remove deletes the
 * folder (it must be empty: the cache files are unlinked at once) and returns status. */
char  *vita_test_cache_new    (void);
int    vita_test_cache_remove (char *cache, int status);
/* Names in $XDG_CACHE_HOME/vitascope. */
int    vita_test_cache_files  (void);
/* Descriptors this process holds open on files in $XDG_CACHE_HOME/vitascope (unlinked
 * ones included: how a live cache file is seen). */
int    vita_test_cache_open_files (void);

/* Runs the built vitascope-cli ($VITA_BUILD_ROOT/app/vitascope-cli) with the arguments
 * (NULL-terminated) and returns its exit status and output. */
typedef struct {
  int   status;
  char *out;
  char *err;
} VitaCliResult;
VitaCliResult vita_test_run_cli (const char *first, ...) G_GNUC_NULL_TERMINATED;
void          vita_test_cli_result_clear (VitaCliResult *r);

G_END_DECLS
