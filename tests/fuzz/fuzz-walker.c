/* fuzz-walker.c — libFuzzer target for the training-data folder walk
 * (vita_train_scan_folder, issue 15.5).  The input is a small program that builds a
 * folder tree in a temporary folder: two bytes per step,
 *   op 0  mkdir  d<N> inside an existing folder
 *   op 1  a file f<N>.wav inside an existing folder
 *   op 2  a link l<N> inside a folder to ".", "..", "../.." (within the root), or
 *         another folder
 *   op 3  a link l<N>.wav inside a folder to a file (or to a missing one)
 * then walks it.  The walk must end, list every file exactly once (by identity),
 * and list nothing else.  Linked with replay-annotations-main.c as an ordinary test
 * that replays corpus/walker.  libFuzzer (-Dfuzz=true under clang):
 *   build-fuzz/tests/fuzz/fuzz-walker -timeout=10 tests/fuzz/corpus/walker */
#include "model/train/vita-train.h"

#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define MAX_STEPS 48

static void
rm_rf (const char *path)
{
  GStatBuf st;
  if (g_lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      GDir *d = g_dir_open (path, 0, NULL);
      for (const char *n; d && (n = g_dir_read_name (d));)
        {
          char *p = g_build_filename (path, n, NULL);
          rm_rf (p);
          g_free (p);
        }
      if (d)
        g_dir_close (d);
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *root = g_dir_make_tmp ("vita-fuzz-walk-XXXXXX", NULL);
  g_assert (root != NULL);
  GPtrArray *dirs = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (dirs, g_strdup (root));
  int serial = 0;
  for (size_t i = 0; i + 1 < size && i / 2 < MAX_STEPS; i += 2)
    {
      int op = data[i] % 4, arg = data[i + 1];
      const char *in = dirs->pdata[arg % dirs->len];
      char *path = NULL;
      switch (op)
        {
        case 0:
          path = g_strdup_printf ("%s/d%d", in, serial++);
          if (g_mkdir (path, 0755) == 0)
            g_ptr_array_add (dirs, g_steal_pointer (&path));
          break;
        case 1:
          path = g_strdup_printf ("%s/f%d.wav", in, serial++);
          if (g_file_set_contents (path, "RIFF", 4, NULL))
            g_ptr_array_add (files, g_steal_pointer (&path));
          break;
        case 2:
          {
            static const char *const rel[] = { ".", "..", "../.." };
            int k = (arg / 16) % (3 + (int) dirs->len);
            /* ".." and "../.." only where they stay inside the root */
            int depth = 0;
            for (const char *p = in + strlen (root); *p; p++)
              depth += *p == '/';
            if (k < 3 && k > depth)
              k = 0;
            const char *target = k < 3 ? rel[k] : (const char *) dirs->pdata[k - 3];
            path = g_strdup_printf ("%s/l%d", in, serial++);
            (void) symlink (target, path);
            break;
          }
        case 3:
          {
            int k = (arg / 16) % ((int) files->len + 1);
            const char *target = k < (int) files->len ? (const char *) files->pdata[k] : "missing.wav";
            path = g_strdup_printf ("%s/l%d.wav", in, serial++);
            (void) symlink (target, path);
            break;
          }
        }
      g_free (path);
    }
  guint skipped = 0;
  char *first = NULL;
  GPtrArray *found = vita_train_scan_folder (root, &skipped, &first);
  /* every file exactly once, nothing else */
  GHashTable *ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < found->len; i++)
    {
      GStatBuf st;
      g_assert (g_stat (found->pdata[i], &st) == 0 && S_ISREG (st.st_mode));
      char *key = g_strdup_printf ("%llu:%llu", (unsigned long long) st.st_dev,
                                   (unsigned long long) st.st_ino);
      g_assert (g_hash_table_add (ids, key));
    }
  g_assert_cmpuint (found->len, ==, files->len);
  g_assert ((skipped == 0) == (first == NULL));
  g_hash_table_unref (ids);
  g_ptr_array_unref (found);
  g_free (first);
  rm_rf (root);
  g_free (root);
  g_ptr_array_unref (dirs);
  g_ptr_array_unref (files);
  return 0;
}
