/* test-report.c — `report` end to end on a small generated set (additive synth
 * written as WAV; no fluidsynth needed) with the "test" preset: every table is there,
 * for the model and its random twin, values are in range, and the log-mel chord probe
 * beats chance. */
#include "vita-test.h"
#include "model/probe/vita-midigen.h"
#include "model/probe/vita-report.h"
#include "model/probe/vita-probe.h"
#include "model/probe/vita-annotation-set.h"

#include <glib/gstdio.h>
#include <math.h>
#include <sndfile.h>
#include <string.h>

#define SR 16000

static float *
synth (const VitaPiece *p, gsize *n_out)
{
  gsize n = (gsize) ((p->duration + 0.3) * SR);
  float *y = g_new0 (float, n);
  for (guint k = 0; k < p->notes->len; k++)
    {
      const VitaNote *nt = &g_array_index (p->notes, VitaNote, k);
      gsize a = (gsize) (nt->on * SR), b = MIN (n, (gsize) ((nt->off + 0.05) * SR));
      float amp = nt->velocity / 127.0f * 0.05f;
      double f0 = nt->channel == 9 ? 80.0 : 440.0 * pow (2.0, (nt->pitch - 69) / 12.0);
      for (int h = 1; h <= 3; h++)
        {
          double c = cos (2 * G_PI * f0 * h / SR), s = sin (2 * G_PI * f0 * h / SR);
          double re = 1, im = 0;
          for (gsize i = a; i < b; i++)
            {
              y[i] += amp / h * expf (-(float) (i - a) / (0.8f * SR)) * (float) im;
              double nr = re * c - im * s;
              im = re * s + im * c;
              re = nr;
            }
        }
    }
  *n_out = n;
  return y;
}

static void
write_file (const char *dir, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
test_report_small (void)
{
  g_autofree char *dir = g_dir_make_tmp ("vita-report-XXXXXX", NULL);
  for (int i = 0; i < 16; i++)
    {
      g_autoptr(VitaPiece) p = vita_piece_generate (3, i, 6.0);
      gsize n;
      g_autofree float *y = synth (p, &n);
      g_autofree char *wav = g_strdup_printf ("%s/p%02d.wav", dir, i);
      SF_INFO info = { .samplerate = SR, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
      SNDFILE *sf = sf_open (wav, SFM_WRITE, &info);
      g_assert_nonnull (sf);
      g_assert_cmpint (sf_writef_float (sf, y, n), ==, (sf_count_t) n);
      sf_close (sf);
      g_autofree char *stem = g_strdup_printf ("p%02d", i);
      g_autofree char *lab = vita_piece_chords_lab (p, 0);
      g_autofree char *beats = vita_piece_events_text (p->beats, 0);
      g_autofree char *onsets = vita_piece_events_text (p->onsets, 0);
      g_autofree char *key = vita_piece_key_text (p);
      g_autofree char *tags = vita_piece_tags_csv (p);
      g_autofree char *n1 = g_strconcat (stem, ".lab", NULL);
      g_autofree char *n2 = g_strconcat (stem, ".beats.txt", NULL);
      g_autofree char *n3 = g_strconcat (stem, ".onsets.txt", NULL);
      g_autofree char *n4 = g_strconcat (stem, ".key.txt", NULL);
      g_autofree char *n5 = g_strconcat (stem, ".tags.csv", NULL);
      write_file (dir, n1, lab);
      write_file (dir, n2, beats);
      write_file (dir, n3, onsets);
      write_file (dir, n4, key);
      write_file (dir, n5, tags);
    }
  VitaVitConfig cfg;
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_vit_config_init_preset (&cfg, "test", &error));
  /* the test preset's 16 mel bands cannot resolve pitch: use the real front-end */
  cfg.fe.n_mels = 128;
  cfg.frames = 32;
  g_assert_true (vita_vit_config_validate (&cfg, &error));
  g_autoptr(VitaVit) vit = vita_vit_new_random (&cfg, 5);
  VitaReportOptions opt;
  vita_report_options_init (&opt);
  opt.epochs_frame = 15;
  opt.epochs_clip = 10;
  g_autofree char *probe_dir = g_build_filename (dir, "probes", NULL);
  opt.probe_dir = probe_dir;
  g_autoptr(VitaReport) r = vita_report_run (vit, dir, &opt, NULL, &error);
  g_assert_no_error (error);
  const char *md = vita_report_markdown (r);
  g_test_message ("%s", md);
  static const char *const must[] = {
    "### (a)", "### (b)", "### (c)", "### (d)", "chord seq (trained)", "chord cls (random)",
    "| log-mel |", "spectral flux", "mean over heads (random)", "head chosen on train (trained)",
    "chroma (trained)", "MFCC (random)", "rhythm (trained)", "key cls+mean (random)",
    "tags mAP mean (trained)", "| 2 |",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (must); i++)
    if (!strstr (md, must[i]))
      g_error ("report lacks '%s'", must[i]);
  /* One numbering: token layers 0…L (0 = the input embedding), attention layers
   * 1…L in the same numbers (no "block"), heads 1…H. */
  g_assert_nonnull (strstr (md, "| 0 (input embedding) |"));
  g_assert_nonnull (strstr (md, "head chosen over all layers (trained: layer "));
  g_assert_null (strstr (md, "block "));
  g_assert_null (strstr (md, " head 0)"));
  GHashTable *csv = vita_report_csv (r);
  g_assert_cmpuint (g_hash_table_size (csv), ==, 4);
  const char *a = g_hash_table_lookup (csv, "table_a_local.csv");
  g_assert_nonnull (a);
  /* the log-mel chord probe beats chance (majority class < 0.35 in these pieces) */
  const char *row = strstr (a, "\nlog-mel,");
  g_assert_nonnull (row);
  double chord = g_ascii_strtod (row + strlen ("\nlog-mel,"), NULL);
  g_test_message ("log-mel chord overlap on held-out pieces: %.3f", chord);
  g_assert_cmpfloat (chord, >, 0.5);
  /* every number is a score in [-1, 1] */
  g_auto(GStrv) lines = g_strsplit (a, "\n", -1);
  for (int i = 1; lines[i] && lines[i][0]; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], ",", -1);
      for (int k = 1; f[k]; k++)
        if (f[k][0])
          {
            double v = g_ascii_strtod (f[k], NULL);
            g_assert_cmpfloat (v, >=, -1.0);
            g_assert_cmpfloat (v, <=, 1.0);
          }
    }
  /* the trained model's probes were saved as probe files */
  g_autofree char *pf = g_build_filename (probe_dir, "chord-token-layer02.safetensors", NULL);
  g_autoptr(VitaProbe) probe = vita_probe_load (pf, &error);
  g_assert_no_error (error);
  g_assert_cmpint (probe->n_classes, ==, 25);
  g_assert_cmpint (probe->layer, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (probe->labels, 24), ==, "N");
  g_assert_nonnull (g_hash_table_lookup (probe->figures, "majmin_overlap"));
  g_autofree char *kf = g_build_filename (probe_dir, "key-cls+mean-layer01.safetensors", NULL);
  g_autoptr(VitaProbe) kp = vita_probe_load (kf, &error);
  g_assert_no_error (error);
  g_assert_false (kp->frame_level);
  g_assert_cmpint (kp->pool, ==, VITA_POOL_CLS_MEAN);
  {
    g_autoptr(GDir) pd = g_dir_open (probe_dir, 0, NULL);
    const char *pn;
    while ((pn = g_dir_read_name (pd)))
      {
        g_autofree char *path = g_build_filename (probe_dir, pn, NULL);
        g_unlink (path);
      }
    g_rmdir (probe_dir);
  }
  /* an empty folder is refused with a message naming it */
  g_autofree char *empty = g_dir_make_tmp ("vita-report-empty-XXXXXX", NULL);
  g_assert_null (vita_report_run (vit, empty, &opt, NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, empty));
  g_rmdir (empty);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

/* A folder named as public datasets name it (issue 16): chords in STEM.jams, beats in
 * STEM.beats (Sonic Visualiser CSV), key in STEM.key, no onsets and no tags anywhere.
 * The report says per piece what it found from which file, and one line for each task
 * nobody annotated instead of a column of "–". */
static void
test_report_field_names (void)
{
  g_autofree char *dir = g_dir_make_tmp ("vita-report-names-XXXXXX", NULL);
  for (int i = 0; i < 6; i++)
    {
      g_autoptr(VitaPiece) p = vita_piece_generate (3, i, 4.0);
      gsize n;
      g_autofree float *y = synth (p, &n);
      g_autofree char *wav = g_strdup_printf ("%s/p%02d.wav", dir, i);
      SF_INFO info = { .samplerate = SR, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
      SNDFILE *sf = sf_open (wav, SFM_WRITE, &info);
      g_assert_nonnull (sf);
      g_assert_cmpint (sf_writef_float (sf, y, n), ==, (sf_count_t) n);
      sf_close (sf);
      g_autofree char *stem = g_strdup_printf ("p%02d", i);
      /* chords: .lab text → set → JAMS, the way another tool would hand them over */
      g_autofree char *lab = vita_piece_chords_lab (p, 0);
      g_autoptr(GError) error = NULL;
      g_autoptr(VitaAnnotationSet) set = vita_annotation_set_new ();
      set->chords = vita_chord_track_parse (lab, strlen (lab), "gen.lab", NULL, &error);
      g_assert_no_error (error);
      g_autofree char *jams = vita_annotation_to_text (set, VITA_ANN_CHORDS, VITA_ANN_EXPORT_JAMS,
                                                       "test", &error);
      g_assert_no_error (error);
      g_autofree char *beats = vita_piece_events_text (p->beats, 0);
      g_autofree char *beats_csv = g_strdup (beats);
      g_strdelimit (beats_csv, "\t ", ',');
      g_autofree char *key = vita_piece_key_text (p);
      g_autofree char *n1 = g_strconcat (stem, ".jams", NULL);
      g_autofree char *n2 = g_strconcat (stem, ".beats", NULL);
      g_autofree char *n3 = g_strconcat (stem, ".key", NULL);
      write_file (dir, n1, jams);
      write_file (dir, n2, beats_csv);
      write_file (dir, n3, key);
    }
  VitaVitConfig cfg;
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_vit_config_init_preset (&cfg, "test", &error));
  cfg.fe.n_mels = 128;
  cfg.frames = 32;
  g_assert_true (vita_vit_config_validate (&cfg, &error));
  g_autoptr(VitaVit) vit = vita_vit_new_random (&cfg, 5);
  VitaReportOptions opt;
  vita_report_options_init (&opt);
  opt.epochs_frame = 3;
  opt.epochs_clip = 3;
  opt.test_every = 3;
  opt.with_random = FALSE;
  g_autoptr(VitaReport) r = vita_report_run (vit, dir, &opt, NULL, &error);
  g_assert_no_error (error);
  const char *md = vita_report_markdown (r);
  g_test_message ("%s", md);
  g_assert_nonnull (strstr (md, "- p00: found chords ("));
  g_assert_nonnull (strstr (md, "segments) from p00.jams, beats ("));
  g_assert_nonnull (strstr (md, ") from p00.beats, key ("));
  g_assert_nonnull (strstr (md, ") from p00.key; no onsets, no tags\n"));
  g_assert_nonnull (strstr (md, "No annotations for task onsets: none of the 6 pieces has onset "
                                "times"));
  g_assert_nonnull (strstr (md, "No annotations for task tags: none of the 6 pieces has tags"));
  g_assert_null (strstr (md, "No annotations for task chords"));
  g_assert_null (strstr (md, "No annotations for task beats"));
  /* the onset columns and the onset table are gone, not filled with "–" */
  g_assert_null (strstr (md, "onset F seq"));
  g_assert_null (strstr (md, "onset F cls"));
  g_assert_null (strstr (md, "mean over heads"));
  g_assert_null (strstr (md, "tags mAP"));
  g_assert_nonnull (strstr (md, "chord seq (trained)"));
  g_assert_nonnull (strstr (md, "beat F seq (trained)"));
  g_assert_nonnull (strstr (md, "key cls (trained)"));
  /* chords came from the JAMS files: the chord cells hold numbers */
  const char *a = g_hash_table_lookup (vita_report_csv (r), "table_a_local.csv");
  g_assert_nonnull (a);
  g_test_message ("%s", a);
  const char *row = strstr (a, "\nlog-mel,");
  g_assert_nonnull (row);
  char *end = NULL;
  double chord = g_ascii_strtod (row + strlen ("\nlog-mel,"), &end);
  g_assert_true (end != row + strlen ("\nlog-mel,"));
  g_assert_cmpfloat (chord, >, 0.0);
  g_assert_null (g_hash_table_lookup (vita_report_csv (r), "table_b_attention_onsets.csv"));
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/report/small-generated-set", test_report_small);
  g_test_add_func ("/report/field-names-and-missing-tasks", test_report_field_names);
  return g_test_run ();
}
