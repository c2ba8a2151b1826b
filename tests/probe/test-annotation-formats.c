/* test-annotation-formats.c — annotations as the field writes them (issue 16): names,
 * content sniffing, Sonic Visualiser CSV layers, shorthand chords, JAMS, files found
 * beside the audio with their provenance, and export → import round trips. */
#include "vita-test.h"
#include "model/probe/vita-annotation-set.h"
#include "model/probe/vita-jams.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#define SEG(t, i) (g_array_index ((t)->segments, VitaChordSegment, (i)))
#define EV(e, i) (g_array_index ((e)->times, double, (i)))

static char *
data_path (const char *name)
{
  return g_build_filename (g_getenv ("VITA_TEST_DATA"), "annotations", name, NULL);
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

static void
write_file (const char *dir, const char *name, const char *text)
{
  g_autofree char *p = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_file_set_contents (p, text, -1, &error);
  g_assert_no_error (error);
}

static void
rm_rf (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *n;
  while (d && (n = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (dir, n, NULL);
      g_remove (p);
    }
  g_rmdir (dir);
}

static void
test_names (void)
{
  static const struct { const char *name; int kind; } cases[] = {
    { "a/piece.lab", VITA_ANN_CHORDS },        { "piece.chords", VITA_ANN_CHORDS },
    { "piece.chords.lab", VITA_ANN_CHORDS },   { "piece_chords.csv", VITA_ANN_CHORDS },
    { "piece.beats", VITA_ANN_BEATS },         { "piece.beats.txt", VITA_ANN_BEATS },
    { "PIECE.BEATS.CSV", VITA_ANN_BEATS },     { "piece-onsets.csv", VITA_ANN_ONSETS },
    { "piece.onsets", VITA_ANN_ONSETS },       { "piece.onsets.txt", VITA_ANN_ONSETS },
    { "piece.key", VITA_ANN_KEY },             { "piece.key.txt", VITA_ANN_KEY },
    { "piece.key.lab", VITA_ANN_KEY },         { "piece.tags.csv", VITA_ANN_TAGS },
    { "piece.jams", VITA_ANN_ANY },            { "piece.txt", VITA_ANN_UNKNOWN },
    { "piece.csv", VITA_ANN_UNKNOWN },         { "piece.downbeats.txt", -1 },
    { "piece.wav", -1 },                       { "piece.mid", -1 },
    { "piece", -1 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].name);
      g_assert_cmpint (vita_ann_kind_for_name (cases[i].name), ==, cases[i].kind);
    }
}

static void
test_sniff (void)
{
#define S(text) vita_ann_sniff (text, strlen (text))
  g_assert_cmpint (S ("  {\"annotations\": []}"), ==, VITA_ANN_ANY);
  g_assert_cmpint (S ("0.0 1.5 C:maj\n1.5 3.0 A:min\n"), ==, VITA_ANN_CHORDS);
  g_assert_cmpint (S ("time,label\n0.1,Am\n0.9,F\n"), ==, VITA_ANN_CHORDS);
  g_assert_cmpint (S ("0.5,1\n1.0,2\n1.5,3\n"), ==, VITA_ANN_BEATS);
  g_assert_cmpint (S ("0.0 12.0 A minor\n"), ==, VITA_ANN_KEY);
  g_assert_cmpint (S ("C# minor\n"), ==, VITA_ANN_KEY);
  g_assert_cmpint (S ("0.5\n1.0\n"), ==, VITA_ANN_UNKNOWN);  /* beats or onsets? */
  g_assert_cmpint (S ("\x89PNG\r\n\x1a\n"), ==, VITA_ANN_UNKNOWN);
#undef S
}

static void
test_shorthand_chords (void)
{
  static const struct { const char *label; int chord; } cases[] = {
    { "C", 0 },   { "Am", 21 },  { "Bb7", 10 },  { "F#m7", 18 }, { "Cmaj7", 0 },
    { "G/B", 7 }, { "F/A", 5 },  { "Ebm", 15 },  { "N", VITA_CHORD_N },
    { "Bdim", VITA_CHORD_OTHER }, { "F#m7b5", VITA_CHORD_OTHER }, { "Dsus4", VITA_CHORD_OTHER },
    { "A:min7", 21 }, { "C:maj/3", 0 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      int c = -99;
      g_autofree char *msg = NULL;
      g_test_message ("%s", cases[i].label);
      g_assert_true (vita_chord_parse_any (cases[i].label, &c, &msg));
      g_assert_cmpint (c, ==, cases[i].chord);
    }
  int c;
  g_autofree char *msg = NULL;
  g_assert_false (vita_chord_parse_any ("Hm", &c, &msg));
  g_assert_nonnull (strstr (msg, "'Hm'"));
}

static void
test_sv_csv_chords (void)
{
  g_autofree char *path = data_path ("chordino.csv");
  gsize len;
  g_autofree char *data = NULL;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  /* audio length known: the last instant runs to it */
  g_autoptr(GPtrArray) w = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaChordTrack) t = vita_chord_track_parse_csv (data, len, path, 8.0, w, &error);
  g_assert_no_error (error);
  dump (w);
  g_assert_cmpuint (t->segments->len, ==, 5);
  static const int want[5] = { VITA_CHORD_N, 21, 5, 0, 7 };
  for (int i = 0; i < 5; i++)
    g_assert_cmpint (SEG (t, i).chord, ==, want[i]);
  g_assert_cmpfloat (SEG (t, 0).start, ==, 0.185759637);
  g_assert_cmpfloat (SEG (t, 1).start, ==, 0.928798185);
  g_assert_cmpfloat (SEG (t, 0).end, ==, 0.928798185);
  g_assert_cmpfloat (SEG (t, 4).end, ==, 8.0);
  /* unknown: dropped, and the message names the file and the line */
  g_autoptr(GPtrArray) w2 = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(VitaChordTrack) t2 = vita_chord_track_parse_csv (data, len, "chordino.csv", NAN,
                                                             w2, &error);
  g_assert_no_error (error);
  dump (w2);
  g_assert_cmpuint (t2->segments->len, ==, 4);
  g_assert_true (has_warning (w2, "chordino.csv:5: the last chord instant has no end"));

  /* SV region export: time,value,duration,label (quoted labels) */
  g_autofree char *rpath = data_path ("sv-regions.csv");
  g_autofree char *rdata = NULL;
  g_assert_true (g_file_get_contents (rpath, &rdata, &len, NULL));
  g_autoptr(VitaChordTrack) r = vita_chord_track_parse_csv (rdata, len, rpath, NAN, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->segments->len, ==, 3);
  g_assert_cmpint (SEG (r, 1).chord, ==, 21);
  g_assert_cmpfloat (SEG (r, 2).start, ==, 4.0);
  g_assert_cmpfloat (SEG (r, 2).end, ==, 8.0);

  /* a bad row: file, line and problem; a bad label: the .lab parser's warning */
  const char *bad = "time,label\n0.0,C\nnot a row\n1.0,Hm\n2.0,G\n2.5,\xff\xfe\n";
  g_autoptr(GPtrArray) w3 = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(VitaChordTrack) t3 = vita_chord_track_parse_csv (bad, strlen (bad), "bad.csv", 3.0,
                                                             w3, &error);
  g_assert_no_error (error);
  dump (w3);
  g_assert_true (has_warning (w3, "bad.csv:3: expected 'time,label'"));
  g_assert_true (has_warning (w3, "bad.csv:4: unknown chord label"));
  g_assert_true (has_warning (w3, "bad.csv:6: line is not valid UTF-8"));
}

static void
test_key_csv (void)
{
  g_autofree char *path = data_path ("qm-key.csv");
  gsize len;
  g_autofree char *data = NULL;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  int key = -5;
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_key_file_parse_any (data, len, path, &key, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (key, ==, 15);  /* Eb minor */
  const char *iso = "0.0 1.2 Silence\n1.2 170.0 Key E:minor\n";
  g_assert_true (vita_key_file_parse_any (iso, strlen (iso), "iso.lab", &key, NULL, &error));
  g_assert_cmpint (key, ==, 16);
  const char *lab = "0 10 C# minor\n";
  g_assert_true (vita_key_file_parse_any (lab, strlen (lab), "x.key.lab", &key, NULL, &error));
  g_assert_cmpint (key, ==, 13);
}

static void
test_jams_read (void)
{
  g_autofree char *path = data_path ("piece.jams");
  g_autoptr(GPtrArray) w = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaJams) j = vita_jams_load (path, w, &error);
  g_assert_no_error (error);
  dump (w);
  g_assert_cmpfloat (j->duration, ==, 8.0);
  g_assert_nonnull (j->chords);
  g_assert_cmpuint (j->chords->segments->len, ==, 4);
  g_assert_cmpint (SEG (j->chords, 1).chord, ==, 21);  /* A:min7 → A:min */
  g_assert_cmpint (SEG (j->chords, 3).chord, ==, 7);
  g_assert_cmpfloat (SEG (j->chords, 3).end, ==, 8.0);
  g_assert_nonnull (j->beats);  /* column layout */
  g_assert_cmpuint (j->beats->times->len, ==, 4);
  g_assert_cmpfloat (EV (j->beats, 3), ==, 2.0);
  g_assert_null (j->onsets);
  g_assert_true (j->has_key);
  g_assert_cmpint (j->key, ==, 21);  /* A minor sounds 7 of 8 s */
  g_assert_nonnull (j->tags);
  g_assert_cmpuint (j->tags->names->len, ==, 2);
  g_assert_cmpfloat_with_epsilon (g_array_index (j->tags->values, float, 0), 0.9, 1e-6);
  g_assert_true (has_warning (w, "annotations[4] (segment_open): namespace not used"));
}

static void
test_jams_bad (void)
{
  static const struct { const char *text; const char *needle; } cases[] = {
    { "{\"annotations\": [\n  {\"namespace\": \"chord\",\n   \"data\": [1, 2,]\n}", "bad.jams:3:" },
    { "[1, 2]", "top level is not a JSON object" },
    { "{\"file_metadata\": {}}", "no 'annotations' list" },
    { "{\"annotations\": [{\"namespace\": \"pitch_contour\", \"data\": []}]}", "no usable annotation" },
    { "{\"annotations\": \"x\"}", "no 'annotations' list" },
    { "", "bad.jams:" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VitaJams) j = vita_jams_parse (cases[i].text, strlen (cases[i].text), "bad.jams",
                                               NULL, &error);
      g_assert_null (j);
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].needle));
    }
  /* a bad observation: skipped, named by annotation and observation */
  const char *text =
    "{\"annotations\": [{\"namespace\": \"onset\", \"data\": ["
    "{\"time\": 0.5, \"duration\": 0, \"value\": null, \"confidence\": null},"
    "{\"time\": \"soon\", \"duration\": 0, \"value\": null, \"confidence\": null},"
    "{\"time\": -1.0, \"duration\": 0, \"value\": null, \"confidence\": null}]},"
    "{\"namespace\": \"chord\", \"data\": [{\"time\": 1, \"duration\": 1, \"value\": \"Q:maj\"}]}]}";
  g_autoptr(GPtrArray) w = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaJams) j = vita_jams_parse (text, strlen (text), "o.jams", w, &error);
  g_assert_no_error (error);
  dump (w);
  g_assert_cmpuint (j->onsets->times->len, ==, 1);
  g_assert_true (has_warning (w, "o.jams: annotations[0] (onset): observation 2: no numeric 'time'"));
  g_assert_true (has_warning (w, "o.jams: annotations[0] (onset) observation:3: negative time"));
  g_assert_true (has_warning (w, "o.jams: annotations[1] (chord) observation:1: unknown chord label"));
}

static void
test_find_beside (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vita-annfmt-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *audio = g_build_filename (dir, "piece.wav", NULL);
  write_file (dir, "piece.wav", "RIFF");
  write_file (dir, "piece.beats", "0.5\n1.0\n1.5\n");
  write_file (dir, "piece.onsets", "0.25\n0.5\n");
  write_file (dir, "piece.key", "D major\n");
  write_file (dir, "piece.downbeats.txt", "0.5\n");
  write_file (dir, "piece10.lab", "0 1 C\n");            /* another piece */
  write_file (dir, "piece_chords.csv", "0.0,2.0,C\n2.0,2.0,Am\n");
  write_file (dir, "piece.txt", "These are the lyrics,\nnot annotations.\n");  /* not found */
  write_file (dir, "piece.csv", "0.5,1\n1.0,2\n");  /* beat positions: sniffed, found */
  g_autofree char *jams_path = data_path ("piece.jams");
  g_autofree char *jams = NULL;
  g_assert_true (g_file_get_contents (jams_path, &jams, NULL, NULL));
  write_file (dir, "piece.jams", jams);

  g_auto(GStrv) files = vita_annotation_files_beside (audio);
  g_assert_cmpuint (g_strv_length (files), ==, 6);
  g_assert_true (g_str_has_suffix (files[4], "piece.jams"));  /* dedicated names first */
  g_assert_true (g_str_has_suffix (files[5], "piece.csv"));   /* then sniffed ones */

  g_autoptr(GPtrArray) w = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(VitaAnnotationSet) s = vita_annotation_set_find (audio, 8.0, w);
  dump (w);
  g_assert_nonnull (s->chords);
  g_assert_true (g_str_has_suffix (s->from[VITA_ANN_CHORDS], "piece_chords.csv"));
  g_assert_cmpuint (s->beats->times->len, ==, 3);   /* piece.beats wins over the JAMS */
  g_assert_true (g_str_has_suffix (s->from[VITA_ANN_BEATS], "piece.beats"));
  g_assert_true (has_warning (w, "piece.jams: also has beats; those of"));
  g_assert_cmpint (s->key, ==, 2);
  g_assert_true (g_str_has_suffix (s->from[VITA_ANN_TAGS], "piece.jams"));
  g_autofree char *line = vita_annotation_set_describe (s, "piece");
  g_test_message ("%s", line);
  g_assert_cmpstr (line, ==, "piece: found chords (2 segments) from piece_chords.csv, beats (3) "
                   "from piece.beats, onsets (2) from piece.onsets, key (D major) from piece.key, "
                   "tags (2) from piece.jams");

  /* nothing beside it: a line that says so */
  g_autofree char *lonely = g_build_filename (dir, "lonely.wav", NULL);
  g_autoptr(VitaAnnotationSet) e = vita_annotation_set_find (lonely, NAN, NULL);
  g_autofree char *l2 = vita_annotation_set_describe (e, "lonely");
  g_assert_cmpstr (l2, ==, "lonely: found nothing; no chords, no beats, no onsets, no key, no tags");

  /* a bare time list under an ambiguous name: an error that says what to do */
  write_file (dir, "x.txt", "0.5\n1.0\n");
  g_autofree char *xt = g_build_filename (dir, "x.txt", NULL);
  g_autoptr(VitaAnnotationSet) s3 = vita_annotation_set_new ();
  g_assert_false (vita_annotation_set_add_file (s3, xt, VITA_ANN_UNKNOWN, FALSE, NULL, &error));
  g_assert_nonnull (strstr (error->message, "x.txt: cannot tell what this file holds"));
  g_clear_error (&error);
  /* the same file asked for as onsets */
  g_assert_true (vita_annotation_set_add_file (s3, xt, VITA_ANN_ONSETS, FALSE, NULL, &error));
  g_assert_cmpuint (s3->onsets->times->len, ==, 2);
  rm_rf (dir);
}

static void
assert_same_set (const VitaAnnotationSet *a, const VitaAnnotationSet *b, VitaAnnKind kind)
{
  if (kind == VITA_ANN_CHORDS || kind == VITA_ANN_ANY)
    {
      g_assert_cmpuint (a->chords->segments->len, ==, b->chords->segments->len);
      for (guint i = 0; i < a->chords->segments->len; i++)
        {
          g_assert_cmpfloat (SEG (a->chords, i).start, ==, SEG (b->chords, i).start);
          /* CSV stores the duration: end = start + (end - start), exact to 1 ulp */
          g_assert_cmpfloat_with_epsilon (SEG (a->chords, i).end, SEG (b->chords, i).end, 1e-12);
          g_assert_cmpint (SEG (a->chords, i).chord, ==, SEG (b->chords, i).chord);
        }
    }
  const VitaEventList *ea[2] = { a->beats, a->onsets }, *eb[2] = { b->beats, b->onsets };
  for (int k = 0; k < 2; k++)
    if (kind == VITA_ANN_ANY || kind == (k ? VITA_ANN_ONSETS : VITA_ANN_BEATS))
      {
        g_assert_cmpuint (ea[k]->times->len, ==, eb[k]->times->len);
        for (guint i = 0; i < ea[k]->times->len; i++)
          g_assert_cmpfloat (EV (ea[k], i), ==, EV (eb[k], i));
      }
  if (kind == VITA_ANN_KEY || kind == VITA_ANN_ANY)
    {
      g_assert_true (b->has_key);
      g_assert_cmpint (a->key, ==, b->key);
    }
  if (kind == VITA_ANN_TAGS || kind == VITA_ANN_ANY)
    {
      g_assert_cmpuint (a->tags->names->len, ==, b->tags->names->len);
      for (guint i = 0; i < a->tags->names->len; i++)
        {
          g_assert_cmpstr (g_ptr_array_index (a->tags->names, i), ==,
                           g_ptr_array_index (b->tags->names, i));
          g_assert_cmpfloat (g_array_index (a->tags->values, float, i), ==,
                             g_array_index (b->tags->values, float, i));
        }
    }
}

static void
test_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vita-annrt-XXXXXX", &error);
  g_assert_no_error (error);
  /* the source: every kind, odd times (thirds) that a short decimal would not keep */
  g_autoptr(VitaAnnotationSet) s = vita_annotation_set_new ();
  g_autofree char *jams_path = data_path ("piece.jams");
  g_assert_true (vita_annotation_set_add_file (s, jams_path, VITA_ANN_UNKNOWN, TRUE, NULL, &error));
  g_assert_no_error (error);
  const char *on = "0.1\n0.3333333333333333\n1.7000000000000002\n";
  g_autofree char *onp = g_build_filename (dir, "src.onsets", NULL);
  g_assert_true (g_file_set_contents (onp, on, -1, NULL));
  g_assert_true (vita_annotation_set_add_file (s, onp, VITA_ANN_UNKNOWN, TRUE, NULL, &error));
  const char *lab = "0 0.3333333333333333 C:maj\n0.3333333333333333 2.1 B:min\n2.1 2.5 D:dim\n";
  g_autofree char *labp = g_build_filename (dir, "src.lab", NULL);
  g_assert_true (g_file_set_contents (labp, lab, -1, NULL));
  g_assert_true (vita_annotation_set_add_file (s, labp, VITA_ANN_UNKNOWN, TRUE, NULL, &error));
  g_assert_no_error (error);

  static const struct { VitaAnnKind kind; VitaAnnExportFormat format; const char *name; } cases[] = {
    { VITA_ANN_CHORDS, VITA_ANN_EXPORT_CSV, "out.chords.csv" },
    { VITA_ANN_CHORDS, VITA_ANN_EXPORT_LAB, "out.lab" },
    { VITA_ANN_CHORDS, VITA_ANN_EXPORT_JAMS, "out-chords.jams" },
    { VITA_ANN_BEATS, VITA_ANN_EXPORT_CSV, "out.beats.csv" },
    { VITA_ANN_BEATS, VITA_ANN_EXPORT_JAMS, "out-beats.jams" },
    { VITA_ANN_ONSETS, VITA_ANN_EXPORT_CSV, "out.onsets.csv" },
    { VITA_ANN_ONSETS, VITA_ANN_EXPORT_JAMS, "out-onsets.jams" },
    { VITA_ANN_KEY, VITA_ANN_EXPORT_CSV, "out.key.csv" },
    { VITA_ANN_KEY, VITA_ANN_EXPORT_LAB, "out.key.lab" },
    { VITA_ANN_KEY, VITA_ANN_EXPORT_JAMS, "out-key.jams" },
    { VITA_ANN_TAGS, VITA_ANN_EXPORT_CSV, "out.tags.csv" },
    { VITA_ANN_TAGS, VITA_ANN_EXPORT_JAMS, "out-tags.jams" },
    { VITA_ANN_ANY, VITA_ANN_EXPORT_JAMS, "out-all.jams" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].name);
      g_autofree char *p = g_build_filename (dir, cases[i].name, NULL);
      g_assert_true (vita_annotation_export (s, cases[i].kind, cases[i].format, p, "test", &error));
      g_assert_no_error (error);
      g_autoptr(GPtrArray) w = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(VitaAnnotationSet) back = vita_annotation_set_new ();
      g_assert_true (vita_annotation_set_add_file (back, p, VITA_ANN_UNKNOWN, TRUE, w, &error));
      g_assert_no_error (error);
      dump (w);
      g_assert_cmpuint (w->len, ==, 0);
      assert_same_set (s, back, cases[i].kind);
    }
  /* .lab holds no beats; .npy is written with its shape */
  g_autofree char *bad = g_build_filename (dir, "x.lab", NULL);
  g_assert_false (vita_annotation_export (s, VITA_ANN_BEATS, VITA_ANN_EXPORT_LAB, bad, NULL, &error));
  g_assert_nonnull (strstr (error->message, "x.lab"));
  g_clear_error (&error);
  g_autofree char *npy = g_build_filename (dir, "chords.npy", NULL);
  g_assert_true (vita_annotation_export (s, VITA_ANN_CHORDS, VITA_ANN_EXPORT_NPY, npy, NULL, &error));
  g_autofree char *bytes = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (npy, &bytes, &len, NULL));
  g_assert_cmpuint (len, ==, 128 + 3 * 3 * 8);
  g_assert_nonnull (g_strstr_len (bytes + 10, 118, "'shape': (3, 3)"));
  double row1[3];
  memcpy (row1, bytes + 128 + 24, 24);
  g_assert_cmpfloat (row1[0], ==, 0.3333333333333333);
  g_assert_cmpfloat (row1[2], ==, 23);  /* B:min */
  rm_rf (dir);
}

/* The writer's JAMS equals the fixture that tests/make_fixtures_jams.py validated
 * against the JAMS schema (python3-jsonschema): the writer stays schema-valid. */
static void
test_jams_matches_validated_fixture (void)
{
  g_autofree char *src = data_path ("piece.jams");
  g_autofree char *fixture = data_path ("exported-all.jams");
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaAnnotationSet) s = vita_annotation_set_new ();
  g_assert_true (vita_annotation_set_add_file (s, src, VITA_ANN_UNKNOWN, TRUE, NULL, &error));
  g_autofree char *text = vita_annotation_to_text (s, VITA_ANN_ANY, VITA_ANN_EXPORT_JAMS,
                                                   "vitascope-cli 0.1.0 export", &error);
  g_assert_no_error (error);
  g_autofree char *want = NULL;
  g_assert_true (g_file_get_contents (fixture, &want, NULL, NULL));
  g_assert_cmpstr (text, ==, want);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/annotation-formats/names", test_names);
  g_test_add_func ("/annotation-formats/sniff", test_sniff);
  g_test_add_func ("/annotation-formats/shorthand-chords", test_shorthand_chords);
  g_test_add_func ("/annotation-formats/sv-csv-chords", test_sv_csv_chords);
  g_test_add_func ("/annotation-formats/key-csv", test_key_csv);
  g_test_add_func ("/annotation-formats/jams-read", test_jams_read);
  g_test_add_func ("/annotation-formats/jams-bad", test_jams_bad);
  g_test_add_func ("/annotation-formats/find-beside", test_find_beside);
  g_test_add_func ("/annotation-formats/round-trip", test_round_trip);
  g_test_add_func ("/annotation-formats/jams-schema-fixture", test_jams_matches_validated_fixture);
  return g_test_run ();
}
