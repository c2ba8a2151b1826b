/* vita-test.c — helpers shared by the C tests. */
#include "vita-test.h"
#include <glib/gstdio.h>

#include <stdarg.h>
#include <sys/wait.h>

#include <math.h>

char *
vita_test_data_path (const char *name)
{
  const char *dir = g_getenv ("VITA_TEST_DATA");
  if (dir == NULL)
    dir = "tests/data";
  return g_build_filename (dir, name, NULL);
}

float *
vita_test_load_npy (const char *name, int *ndim, gsize shape[VITA_NPY_MAX_DIMS], gsize *count)
{
  g_autofree char *path = vita_test_data_path (name);
  g_autoptr(GError) error = NULL;
  int nd_local;
  gsize shape_local[VITA_NPY_MAX_DIMS];
  float *data = vita_npy_load (path, &nd_local, shape_local, &error);
  if (data == NULL)
    g_error ("golden file missing or unreadable: %s", error->message);
  gsize n = 1;
  for (int i = 0; i < nd_local; i++)
    n *= shape_local[i];
  if (ndim)
    *ndim = nd_local;
  if (shape)
    for (int i = 0; i < nd_local; i++)
      shape[i] = shape_local[i];
  if (count)
    *count = n;
  return data;
}

double
vita_test_max_abs_diff (const float *a, const float *b, gsize n, gsize *argmax)
{
  double worst = 0;
  gsize at = 0;
  for (gsize i = 0; i < n; i++)
    {
      double d = fabs ((double) a[i] - (double) b[i]);
      if (isnan (d))
        d = INFINITY;
      if (d > worst)
        {
          worst = d;
          at = i;
        }
    }
  if (argmax)
    *argmax = at;
  return worst;
}

void
vita_test_assert_close (const char *what, const float *got, const float *want, gsize n, double tol)
{
  gsize at;
  double worst = vita_test_max_abs_diff (got, want, n, &at);
  g_test_message ("%s: max abs diff %.3g over %" G_GSIZE_FORMAT " values (tol %.1g)",
                  what, worst, n, tol);
  if (!(worst <= tol))
    g_error ("%s: max abs diff %.6g > %.1g at index %" G_GSIZE_FORMAT " (got %.8g, want %.8g)",
             what, worst, tol, at, got[at], want[at]);
}

void
vita_test_assert_close_rel (const char *what, const float *got, const float *want, gsize n, double tol)
{
  double scale = 1.0;
  for (gsize i = 0; i < n; i++)
    scale = fmax (scale, fabs (want[i]));
  vita_test_assert_close (what, got, want, n, tol * scale);
}

VitaCliResult
vita_test_run_cli (const char *first, ...)
{
  const char *build = g_getenv ("VITA_BUILD_ROOT");
  g_assert_nonnull (build);
  g_autofree char *cli = g_build_filename (build, "app", "vitascope-cli", NULL);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_ptr_array_add (args, cli);
  va_list ap;
  va_start (ap, first);
  for (const char *a = first; a; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  VitaCliResult r = { 0 };
  int wait_status;
  g_autoptr(GError) error = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) args->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &r.out, &r.err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r.status = WEXITSTATUS (wait_status);
  return r;
}

void
vita_test_cli_result_clear (VitaCliResult *r)
{
  g_free (r->out);
  g_free (r->err);
}

char *
vita_test_cache_new (void)
{
  char *cache = g_dir_make_tmp ("vita-test-cache-XXXXXX", NULL);
  g_assert_nonnull (cache);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  return cache;
}

int
vita_test_cache_remove (char *cache, int status)
{
  g_autofree char *sub = g_build_filename (cache, "vitascope", NULL);
  g_rmdir (sub);
  g_rmdir (cache);
  g_free (cache);
  return status;
}

int
vita_test_cache_files (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "vitascope", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  int n = 0;
  while (d && g_dir_read_name (d))
    n++;
  return n;
}

int
vita_test_cache_open_files (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "vitascope", NULL);
  g_autoptr(GDir) d = g_dir_open ("/proc/self/fd", 0, NULL);
  g_assert_nonnull (d);
  int n = 0;
  const char *name;
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *fd = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (fd, NULL);
      n += target != NULL && g_str_has_prefix (target, dir);
    }
  return n;
}
