/* test-annotations.c — annotation parsers on bad input (reliability.md 13–15). */
#include "vita-test.h"
#include "model/probe/vita-annotations.h"

#include <locale.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

static GPtrArray *
new_warnings (void)
{
  return g_ptr_array_new_with_free_func (g_free);
}

static gboolean
has_warning (GPtrArray *w, const char *needle)
{
  for (guint i = 0; i < w->len; i++)
    if (strstr (g_ptr_array_index (w, i), needle))
      return TRUE;
  return FALSE;
}

static void
dump (GPtrArray *w)
{
  for (guint i = 0; i < w->len; i++)
    g_test_message ("warning: %s", (char *) g_ptr_array_index (w, i));
}

static VitaChordTrack *
chords (const char *text, gsize len, GPtrArray *w)
{
  g_autoptr(GError) error = NULL;
  VitaChordTrack *t = vita_chord_track_parse (text, len, "test.lab", w, &error);
  g_assert_no_error (error);
  dump (w);
  return t;
}

#define SEG(t, i) (g_array_index ((t)->segments, VitaChordSegment, (i)))

static void
test_lab_basic_crlf_bom_no_newline (void)
{
  const char text[] = "\xEF\xBB\xBF" "0.0\t1.5\tC:maj\r\n\r\n# comment\n1.5 3.25 A:min\r\n3.25\t4\tN";
  g_autoptr(GPtrArray) w = new_warnings ();
  g_autoptr(VitaChordTrack) t = chords (text, sizeof text - 1, w);
  g_assert_cmpuint (w->len, ==, 0);
  g_assert_cmpuint (t->segments->len, ==, 3);
  g_assert_cmpint (SEG (t, 0).chord, ==, 0);
  g_assert_cmpint (SEG (t, 1).chord, ==, 21);
  g_assert_cmpint (SEG (t, 2).chord, ==, VITA_CHORD_N);
  g_assert_cmpfloat (SEG (t, 1).end, ==, 3.25);
  g_assert_cmpfloat (SEG (t, 2).end, ==, 4.0);
}

static void
test_lab_locale (void)
{
  /* A German locale uses ',' as decimal separator; "1.5" must still be 1.5. */
  const char *old = setlocale (LC_NUMERIC, NULL);
  g_autofree char *saved = g_strdup (old);
  if (setlocale (LC_NUMERIC, "de_DE.UTF-8") == NULL)
    g_test_message ("de_DE.UTF-8 not installed; checking with the C locale only");
  const char text[] = "0 1.5 C\n1.5 2.75 G\n";
  g_autoptr(GPtrArray) w = new_warnings ();
  g_autoptr(VitaChordTrack) t = chords (text, sizeof text - 1, w);
  setlocale (LC_NUMERIC, saved);
  g_assert_cmpfloat (SEG (t, 0).end, ==, 1.5);
  g_assert_cmpfloat (SEG (t, 1).end, ==, 2.75);
}

static void
test_lab_bad_numbers (void)
{
  const char text[] = "nan 1 C\n0 inf C\n-1 -0.5 C\n-0.5 1 G\n2 1.5 D\n1 1 E\n1 x F\n1 2\n1 2 C:bogus\n";
  g_autoptr(GPtrArray) w = new_warnings ();
  g_autoptr(VitaChordTrack) t = chords (text, sizeof text - 1, w);
  g_assert_true (has_warning (w, "test.lab:1: time is NaN"));
  g_assert_true (has_warning (w, "test.lab:2: time is NaN or infinite"));
  g_assert_true (has_warning (w, "test.lab:3: segment ends at or before 0"));
  g_assert_true (has_warning (w, "test.lab:4: negative start time"));
  g_assert_true (has_warning (w, "test.lab:5: end 1.500 before start"));
  g_assert_true (has_warning (w, "test.lab:6: zero-length"));
  g_assert_true (has_warning (w, "test.lab:7: start or end time is not a number"));
  g_assert_true (has_warning (w, "test.lab:8: expected"));
  g_assert_true (has_warning (w, "test.lab:9: unknown chord label"));
  g_assert_cmpuint (t->segments->len, ==, 2);
  g_assert_cmpfloat (SEG (t, 0).start, ==, 0.0);  /* clipped */
  g_assert_cmpint (SEG (t, 0).chord, ==, 7);
  g_assert_cmpint (SEG (t, 1).chord, ==, VITA_CHORD_UNKNOWN);
}

static void
test_lab_unsorted_overlapping_clip (void)
{
  const char text[] = "2 4 G\n0 2.5 C\n4 10 A:min\n";
  g_autoptr(GPtrArray) w = new_warnings ();
  g_autoptr(VitaChordTrack) t = chords (text, sizeof text - 1, w);
  g_assert_true (has_warning (w, "not in time order"));
  g_assert_true (has_warning (w, "overlaps"));
  g_assert_cmpuint (t->segments->len, ==, 3);
  g_assert_cmpfloat (SEG (t, 0).end, ==, 2.0);
  for (guint i = 1; i < t->segments->len; i++)
    g_assert_cmpfloat (SEG (t, i).start, >=, SEG (t, i - 1).end);
  vita_chord_track_clip (t, 5.0, w);
  g_assert_true (has_warning (w, "past the end"));
  g_assert_cmpfloat (SEG (t, 2).end, ==, 5.0);
  vita_chord_track_clip (t, 3.0, w);
  g_assert_cmpuint (t->segments->len, ==, 2);
  int frames[8];
  vita_chord_track_to_frames (t, 0.5, 8, frames);  /* frames past the end → N, no overrun */
  g_assert_cmpint (frames[0], ==, 0);
  g_assert_cmpint (frames[4], ==, 7);
  g_assert_cmpint (frames[7], ==, VITA_CHORD_N);
}

static void
test_lab_nested_overlap (void)
{
  const char text[] = "0 10 C\n2 3 G\n";
  g_autoptr(GPtrArray) w = new_warnings ();
  g_autoptr(VitaChordTrack) t = chords (text, sizeof text - 1, w);
  g_assert_cmpuint (t->segments->len, ==, 3);
  g_assert_cmpint (SEG (t, 1).chord, ==, 7);
  g_assert_cmpint (SEG (t, 2).chord, ==, 0);
  g_assert_cmpfloat (SEG (t, 2).start, ==, 3.0);
  g_assert_cmpfloat (SEG (t, 2).end, ==, 10.0);
}

static void
test_lab_invalid_utf8_nul_long_line (void)
{
  gsize big = 10u << 20;  /* a 10 MB line */
  GString *s = g_string_new ("0 1 C\n1 2 \xC3\x28\n2 3 G");
  g_string_append_len (s, "\0junk\n", 6);
  g_string_append (s, "3 4 ");
  gsize at = s->len;
  g_string_set_size (s, at + big);
  memset (s->str + at, 'A', big);
  g_string_append (s, "\n4 5 D\n");
  g_autoptr(GPtrArray) w = new_warnings ();
  g_autoptr(VitaChordTrack) t = chords (s->str, s->len, w);
  g_string_free (s, TRUE);
  g_assert_true (has_warning (w, "test.lab:2: line is not valid UTF-8"));
  g_assert_true (has_warning (w, "test.lab:3: line contains a NUL"));
  g_assert_true (has_warning (w, "test.lab:4: line of"));
  g_assert_cmpuint (t->segments->len, ==, 2);
  g_assert_cmpint (SEG (t, 1).chord, ==, 2);
  for (guint i = 0; i < w->len; i++)
    g_assert_true (g_utf8_validate (g_ptr_array_index (w, i), -1, NULL));
}

static void
test_lab_empty_and_garbage (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) w = new_warnings ();
  VitaChordTrack *t = vita_chord_track_parse ("", 0, "empty.lab", w, &error);
  g_assert_null (t);
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "empty.lab"));
  g_clear_error (&error);
  /* a binary blob: error, bounded warnings */
  guint8 blob[20000];
  for (gsize i = 0; i < sizeof blob; i++)
    blob[i] = (guint8) ((i * 7919u) >> 3);
  for (gsize i = 0; i < sizeof blob; i += 37)
    blob[i] = '\n';
  t = vita_chord_track_parse ((char *) blob, sizeof blob, "blob.lab", w, &error);
  g_assert_null (t);
  g_assert_nonnull (error);
  g_assert_cmpuint (w->len, <=, 51);
  /* missing file names the file */
  g_clear_error (&error);
  t = vita_chord_track_load ("/nonexistent/x.lab", NULL, &error);
  g_assert_null (t);
  g_assert_nonnull (strstr (error->message, "/nonexistent/x.lab"));
}

static void
test_events (void)
{
  const char text[] = "\xEF\xBB\xBF" "time,label\r\n0.5,1\r\n1.0 2\n0.75\nnan\n-1\ninf\n1.0\n2.5\t3";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) w = new_warnings ();
  g_autoptr(VitaEventList) ev = vita_event_list_parse (text, sizeof text - 1, "b.txt", w, &error);
  g_assert_no_error (error);
  dump (w);
  g_assert_cmpuint (ev->times->len, ==, 4);
  g_assert_cmpfloat (g_array_index (ev->times, double, 1), ==, 0.75);
  g_assert_true (has_warning (w, "b.txt:5: time is NaN"));
  g_assert_true (has_warning (w, "b.txt:6: negative time"));
  g_assert_true (has_warning (w, "sorted"));
  g_assert_true (has_warning (w, "duplicate"));
  g_assert_false (has_warning (w, "b.txt:1:"));  /* header tolerated */
  vita_event_list_clip (ev, 1.0, w);
  g_assert_cmpuint (ev->times->len, ==, 3);
  g_assert_true (has_warning (w, "past the end"));
  VitaEventList *none = vita_event_list_parse ("x\ny\n", 4, "n.txt", NULL, &error);
  g_assert_null (none);
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_PARSE);
}

static void
test_tags (void)
{
  const char text[] = "tag,value\npiano,1\n\"strings, bowed\",0.5\ndrums\nloud,7\nbad,nan\n\"open,1\npiano,0\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) w = new_warnings ();
  g_autoptr(VitaTags) t = vita_tags_parse (text, sizeof text - 1, "t.csv", w, &error);
  g_assert_no_error (error);
  dump (w);
  g_assert_cmpuint (t->names->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (t->names, 1), ==, "strings, bowed");
  g_assert_cmpfloat (g_array_index (t->values, float, 1), ==, 0.5f);
  g_assert_cmpfloat (g_array_index (t->values, float, 2), ==, 1.0f);
  g_assert_cmpfloat (g_array_index (t->values, float, 3), ==, 1.0f);  /* clamped */
  g_assert_cmpfloat (g_array_index (t->values, float, 0), ==, 0.0f);  /* last kept */
  g_assert_true (has_warning (w, "t.csv:5: value 7 outside"));
  g_assert_true (has_warning (w, "t.csv:6: value is NaN"));
  g_assert_true (has_warning (w, "t.csv:7: unterminated quote"));
  g_assert_true (has_warning (w, "repeated"));
}

static void
test_key (void)
{
  static const struct { const char *text; int key; } ok[] = {
    { "C major\n", 0 }, { "c# minor", 13 }, { "\xEF\xBB\xBF" "Ab:min\r\n", 20 },
    { "# key\n\nA:minor", 21 }, { "Bb", 10 }, { "f#m", 18 }, { "X", VITA_KEY_X },
    { "0.0\t30.0\tE minor\n", 16 }, { "Cb major", 11 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      int key = -99;
      g_autoptr(GError) error = NULL;
      if (!vita_key_file_parse (ok[i].text, strlen (ok[i].text), "k.txt", &key, NULL, &error))
        g_error ("'%s': %s", ok[i].text, error->message);
      g_assert_cmpint (key, ==, ok[i].key);
    }
  int key;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) w = new_warnings ();
  g_assert_false (vita_key_file_parse ("H dorian\n", 9, "k.txt", &key, w, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_PARSE);
  g_assert_true (has_warning (w, "k.txt:1:"));
}


/* issue 15.10: a nested segment after another kept the enclosing chord's remainder
 * in 0.1 only for the first; the second lost it (4–10 s of C) and warned twice */
static void
test_lab_nested_after_another (void)
{
  const char text[] = "0 10 C\n2 4 G\n3 5 A\n";
  g_autoptr(GPtrArray) w = new_warnings ();
  g_autoptr(VitaChordTrack) t = chords (text, sizeof text - 1, w);
  /* C 0–2, G 2–3, A 3–5, C 5–10 */
  g_assert_cmpuint (t->segments->len, ==, 4);
  g_assert_cmpint (SEG (t, 0).chord, ==, 0);
  g_assert_cmpfloat (SEG (t, 0).end, ==, 2.0);
  g_assert_cmpint (SEG (t, 1).chord, ==, 7);
  g_assert_cmpfloat (SEG (t, 1).end, ==, 3.0);
  g_assert_cmpint (SEG (t, 2).chord, ==, 9);
  g_assert_cmpfloat (SEG (t, 2).start, ==, 3.0);
  g_assert_cmpfloat (SEG (t, 2).end, ==, 5.0);
  g_assert_cmpint (SEG (t, 3).chord, ==, 0);
  g_assert_cmpfloat (SEG (t, 3).start, ==, 5.0);
  g_assert_cmpfloat (SEG (t, 3).end, ==, 10.0);
  guint n = 0;
  for (guint i = 0; i < w->len; i++)
    n += strstr (g_ptr_array_index (w, i), "test.lab:3:") != NULL;
  g_assert_cmpuint (n, ==, 1);   /* one warning for line 3 */
  /* a segment starting where the nested one ends: the remainder is kept too */
  const char text2[] = "0 10 C\n2 4 G\n4 6 A\n";
  g_autoptr(GPtrArray) w2 = new_warnings ();
  g_autoptr(VitaChordTrack) t2 = chords (text2, sizeof text2 - 1, w2);
  g_assert_cmpuint (t2->segments->len, ==, 4);
  g_assert_cmpint (SEG (t2, 3).chord, ==, 0);
  g_assert_cmpfloat (SEG (t2, 3).start, ==, 6.0);
  g_assert_cmpfloat (SEG (t2, 3).end, ==, 10.0);
  /* the track still tiles: every segment after the previous one */
  for (guint i = 1; i < t->segments->len; i++)
    g_assert_cmpfloat (SEG (t, i).start, >=, SEG (t, i - 1).end);
}

static void
alarm_fail (int sig)
{
  static const char msg[] = "loading a FIFO blocked\n";
  if (write (2, msg, sizeof msg - 1) < 0)
    _exit (3);
  _exit (2);
}

/* issue 15.10: a .lab that is a FIFO, a folder or a link to /dev/zero is named as
 * such (0.1 reported it as absent; opening a FIFO blocks) */
static void
test_lab_not_regular (void)
{
  g_autofree char *dir = g_dir_make_tmp ("vita-lab-XXXXXX", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo.lab", NULL);
  g_autofree char *folder = g_build_filename (dir, "folder.lab", NULL);
  g_autofree char *zero = g_build_filename (dir, "zero.lab", NULL);
  g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);
  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  g_assert_cmpint (symlink ("/dev/zero", zero), ==, 0);
  const char *paths[] = { fifo, folder, zero };
  const char *kinds[] = { "a FIFO", "a folder", "a device" };
  signal (SIGALRM, alarm_fail);
  alarm (20);
  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) w = new_warnings ();
      g_autoptr(VitaChordTrack) t = vita_chord_track_load (paths[i], w, &error);
      g_assert_null (t);
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, paths[i]));
      g_assert_nonnull (strstr (error->message, kinds[i]));
    }
  alarm (0);
  g_unlink (fifo);
  g_rmdir (folder);
  g_unlink (zero);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/annotations/lab/basic-crlf-bom-no-final-newline", test_lab_basic_crlf_bom_no_newline);
  g_test_add_func ("/annotations/lab/locale", test_lab_locale);
  g_test_add_func ("/annotations/lab/bad-numbers", test_lab_bad_numbers);
  g_test_add_func ("/annotations/lab/unsorted-overlapping-clip", test_lab_unsorted_overlapping_clip);
  g_test_add_func ("/annotations/lab/nested-overlap", test_lab_nested_overlap);
  g_test_add_func ("/annotations/lab/nested-after-another", test_lab_nested_after_another);
  g_test_add_func ("/annotations/lab/not-regular", test_lab_not_regular);
  g_test_add_func ("/annotations/lab/utf8-nul-10MB-line", test_lab_invalid_utf8_nul_long_line);
  g_test_add_func ("/annotations/lab/empty-garbage-missing", test_lab_empty_and_garbage);
  g_test_add_func ("/annotations/events", test_events);
  g_test_add_func ("/annotations/tags", test_tags);
  g_test_add_func ("/annotations/key", test_key);
  return g_test_run ();
}
