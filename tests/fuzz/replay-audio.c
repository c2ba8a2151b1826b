/* replay-audio.c — runs every file of tests/fuzz/corpus-audio/ through the fuzz
 * target's function (fuzz-audio.c), in every build configuration. */
#include <glib.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

static void
replay_file (gconstpointer data)
{
  const char *path = data;
  g_autofree char *bytes = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true (g_file_get_contents (path, &bytes, &len, &error));
  g_assert_no_error (error);
  LLVMFuzzerTestOneInput ((const uint8_t *) bytes, len);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  const char *root = g_getenv ("VITA_SOURCE_ROOT");
  g_autofree char *dir = g_build_filename (root ? root : ".", "tests", "fuzz", "corpus-audio", NULL);
  g_autoptr(GError) error = NULL;
  GDir *d = g_dir_open (dir, 0, &error);
  if (d == NULL)
    g_error ("cannot open the corpus %s: %s", dir, error->message);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (d)))
    g_ptr_array_add (names, g_strdup (name));
  g_dir_close (d);
  g_ptr_array_sort (names, compare_names);
  g_assert_cmpuint (names->len, >=, 8);  /* the corpus must not silently vanish */
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < names->len; i++)
    {
      char *path = g_build_filename (dir, names->pdata[i], NULL);
      g_ptr_array_add (paths, path);
      g_autofree char *test = g_strdup_printf ("/fuzz-audio/replay/%s", (char *) names->pdata[i]);
      g_test_add_data_func (test, path, replay_file);
    }
  int ret = g_test_run ();
  g_ptr_array_unref (paths);
  g_ptr_array_unref (names);
  return ret;
}
