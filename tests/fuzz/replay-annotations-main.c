/* replay-annotations-main.c — runs a fuzz target over every file of a seed corpus
 * (argv: --tap, then corpus folders), so each build replays the committed corpus. */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
main (int argc, char **argv)
{
  int n = 0;
  for (int a = 1; a < argc; a++)
    {
      if (strcmp (argv[a], "--tap") == 0)
        continue;
      g_autoptr(GError) error = NULL;
      g_autoptr(GDir) dir = g_dir_open (argv[a], 0, &error);
      if (!dir)
        {
          printf ("not ok %d %s\n", ++n, error->message);
          printf ("1..%d\n", n);
          return 1;
        }
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;
      while ((name = g_dir_read_name (dir)))
        g_ptr_array_add (names, g_strdup (name));
      g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
      for (guint i = 0; i < names->len; i++)
        {
          g_autofree char *path = g_build_filename (argv[a], (char *) names->pdata[i], NULL);
          g_autofree char *data = NULL;
          gsize len;
          if (!g_file_get_contents (path, &data, &len, &error))
            {
              printf ("not ok %d %s\n", ++n, error->message);
              printf ("1..%d\n", n);
              return 1;
            }
          LLVMFuzzerTestOneInput ((const uint8_t *) data, len);
          printf ("ok %d %s\n", ++n, path);
        }
    }
  printf ("1..%d\n", n);
  return n > 0 ? 0 : 1;
}
