/* test-annotations-loader.c — the app's Load Annotations (model/probe/vita-annotations.c)
 * on files as the field names them (issue 16): what is found beside the audio, the
 * one-line summary the window shows, and the messages.  No display needed. */
#include "vita-probe-set.h"

#include <glib/gstdio.h>
#include <string.h>

static void
write_file (const char *dir, const char *name, const char *text)
{
  g_autofree char *p = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (p, text, -1, NULL));
}

static gboolean
has_message (GPtrArray *m, const char *needle)
{
  for (guint i = 0; i < m->len; i++)
    if (strstr (g_ptr_array_index (m, i), needle))
      return TRUE;
  return FALSE;
}

static void
test_beside_and_summary (void)
{
  g_autofree char *dir = g_dir_make_tmp ("vita-loader-XXXXXX", NULL);
  g_autofree char *jams_src = g_build_filename (g_getenv ("VITA_TEST_DATA"), "annotations",
                                                "piece.jams", NULL);
  g_autofree char *jams = NULL;
  g_assert_true (g_file_get_contents (jams_src, &jams, NULL, NULL));
  write_file (dir, "song.wav", "RIFF");
  write_file (dir, "song.beats", "0.5\n1.0\n1.5\n");
  write_file (dir, "song.jams", jams);
  write_file (dir, "song.txt", "la la la\n");
  g_autofree char *audio = g_build_filename (dir, "song.wav", NULL);
  g_auto(GStrv) paths = vita_annotations_find_beside (audio);
  g_assert_cmpuint (g_strv_length (paths), ==, 2);  /* not the lyrics */
  g_autoptr(VitaAnnotations) ann = vita_annotations_load ((const char *const *) paths);
  for (guint i = 0; i < ann->messages->len; i++)
    g_test_message ("message: %s", (char *) g_ptr_array_index (ann->messages, i));
  g_test_message ("summary: %s", ann->summary);
  g_assert_cmpint (ann->n_loaded, ==, 2);
  g_assert_cmpstr (ann->summary, ==, "found chords (4 segments) from song.jams, beats (3) from "
                   "song.beats, key (A minor) from song.jams; no onsets, no tags");
  g_assert_cmpuint (ann->beats->times->len, ==, 3);
  g_assert_true (has_message (ann->messages, "song.jams: also has beats; those of"));
  g_assert_true (ann->has_key);

  /* nothing usable: a summary that says so, a message naming the file */
  write_file (dir, "bad.csv", "what,is,this\n");
  g_autofree char *bad = g_build_filename (dir, "bad.csv", NULL);
  const char *one[] = { bad, NULL };
  g_autoptr(VitaAnnotations) none = vita_annotations_load (one);
  g_assert_cmpint (none->n_loaded, ==, 0);
  g_assert_cmpstr (none->summary, ==, "No annotations in bad.csv");
  g_assert_true (has_message (none->messages, "bad.csv: cannot tell what this file holds"));

  const char *names[] = { "song.wav", "song.beats", "song.jams", "song.txt", "bad.csv" };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *p = g_build_filename (dir, names[i], NULL);
      g_unlink (p);
    }
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/annotations-loader/beside-and-summary", test_beside_and_summary);
  return g_test_run ();
}
