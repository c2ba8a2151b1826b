/* test-store.c — model/vita-store.h: a mapped store and an in-memory one give the same
 * values through every accessor, and the cache file leaves nothing behind: no name in
 * the cache folder at any time, no open file once the store is freed. */
#include "model/vita-store.h"
#include "vita-test.h"

#include <glib/gstdio.h>
#include <string.h>

static void
test_round_trip (void)
{
  const gsize n = 100003;   /* not a whole number of pages */
  g_autofree float *src = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    src[i] = (float) i * 0.25f - 7.0f;
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaStore) mem = vita_store_new (n, n * sizeof (float), "a test array", &error);
  g_assert_no_error (error);
  g_autoptr(VitaStore) map = vita_store_new (n, n * sizeof (float) - 1, "a test array", &error);
  g_assert_no_error (error);
  g_assert_false (vita_store_mapped (mem));
  g_assert_true (vita_store_mapped (map));
  g_assert_cmpuint (vita_store_size (map), ==, n);
  g_assert_cmpint (vita_test_cache_open_files (), ==, 1);
  g_assert_cmpint (vita_test_cache_files (), ==, 0);   /* unlinked at once */
  /* zeros until written */
  for (gsize i = 0; i < n; i += 997)
    g_assert_cmpfloat (vita_store_data (map)[i], ==, 0.0f);
  /* written in two uneven parts, as the analysis' workers do */
  for (int k = 0; k < 2; k++)
    {
      VitaStore *s = k ? map : mem;
      g_assert_true (vita_store_write (s, 0, src, 4099, &error));
      g_assert_true (vita_store_write (s, 4099, src + 4099, n - 4099, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpmem (vita_store_data (map), n * sizeof (float), src, n * sizeof (float));
  g_assert_cmpmem (vita_store_data (mem), n * sizeof (float), src, n * sizeof (float));
  vita_store_release (map);   /* the pages come back from the file */
  vita_store_release (mem);   /* a no-op */
  g_assert_cmpmem (vita_store_data (map), n * sizeof (float), src, n * sizeof (float));
  g_autofree float *part = g_new (float, 5000);
  vita_store_read (map, 77777, part, 5000);
  g_assert_cmpmem (part, 5000 * sizeof (float), src + 77777, 5000 * sizeof (float));
  vita_store_read (mem, 77777, part, 5000);
  g_assert_cmpmem (part, 5000 * sizeof (float), src + 77777, 5000 * sizeof (float));
  g_clear_pointer (&map, vita_store_free);
  g_assert_cmpint (vita_test_cache_open_files (), ==, 0);
  g_assert_cmpint (vita_test_cache_files (), ==, 0);
}

/* An empty store is fine; a store that cannot be had says which array and why. */
static void
test_edges (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaStore) empty = vita_store_new (0, 0, "nothing", &error);
  g_assert_no_error (error);
  g_assert_nonnull (vita_store_data (empty));
  g_assert_true (vita_store_write (empty, 0, NULL, 0, &error));
  g_autoptr(VitaStore) huge = vita_store_new (G_MAXSIZE / 2, 0, "the tokens of every layer", &error);
  g_assert_null (huge);
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA);
  g_assert_nonnull (strstr (error->message, "the tokens of every layer"));
}

/* A cache folder that cannot be made: the message names the array and the folder. */
static void
test_unwritable (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "vitascope", NULL);
  g_rmdir (dir);
  g_assert_true (g_file_set_contents (dir, "", 0, NULL));   /* a file where it should be */
  g_autoptr(GError) error = NULL;
  g_assert_null (vita_store_new (1000, 0, "the tokens of every layer", &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "the tokens of every layer"));
  g_assert_nonnull (strstr (error->message, dir));
  g_clear_error (&error);
  g_autoptr(VitaStore) mem = vita_store_new (1000, 4000, "small", &error);   /* memory is fine */
  g_assert_no_error (error);
  g_unlink (dir);
}

int
main (int argc, char **argv)
{
  char *cache = vita_test_cache_new ();   /* before g_test_init */
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/round-trip", test_round_trip);
  g_test_add_func ("/store/edges", test_edges);
  g_test_add_func ("/store/unwritable", test_unwritable);
  return vita_test_cache_remove (cache, g_test_run ());
}
