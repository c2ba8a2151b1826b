/* test-cli-emergence.c — `vitascope-cli emergence` end to end and the series loader:
 * a tiny series trained here (config "test", steps 0, 1, 2, 5, 10 of 12) on synthetic
 * tracks; the table has one row per checkpoint, sorted by step, with the logged loss;
 * every value equals what `vitascope-cli compare` gives for that checkpoint alone; the
 * figure's x axis is a log scale with step 0 left of step 1; bad series and usage are
 * refused with a message naming the file. */
#include "vita-test.h"

#include "model/vita-series.h"
#include "model/train/vita-train.h"
#include "views/vita-emergence-painter.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>
#include <sndfile.h>

static char *tmp_root, *run_dir, *audio, *onsets, *data_dir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_root, name, NULL);
}

static void
write_wav (const char *path, int track, double seconds)
{
  SF_INFO info = { .samplerate = 16000, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
  SNDFILE *f = sf_open (path, SFM_WRITE, &info);
  g_assert_nonnull (f);
  gsize n = (gsize) (seconds * 16000);
  g_autofree float *x = g_new (float, n);
  VitaRng rng;
  vita_rng_seed (&rng, 100 + track);
  double f0 = 110.0 * pow (2, track / 4.0);
  for (gsize i = 0; i < n; i++)
    {
      double t = i / 16000.0;
      /* a tone whose pitch steps every 0.5 s, with a click every 0.25 s */
      double fr = f0 * (1 + 0.25 * ((int) (t * 2) % 4));
      x[i] = 0.3 * sin (2 * G_PI * fr * t) + ((i % 4000) < 80 ? 0.4 * (vita_rng_uniform (&rng) - 0.5) : 0);
    }
  g_assert_cmpint (sf_writef_float (f, x, n), ==, (sf_count_t) n);
  sf_close (f);
}

/* A 12-step run of the "test" configuration: series at 0, 1, 2, 5, 10. */
static void
train_series (void)
{
  g_autofree char *data = tmp_path ("data");
  g_mkdir (data, 0755);
  for (int i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("track%d.wav", i);
      g_autofree char *path = g_build_filename (data, name, NULL);
      write_wav (path, i, 6.0 + i);
    }
  data_dir = g_strdup (data);
  run_dir = tmp_path ("run");
  VitaTrainOptions o;
  vita_train_options_init (&o);
  o.data_dir = g_strdup (data);
  o.out_dir = g_strdup (run_dir);
  g_free (o.config);
  o.config = g_strdup ("test");
  o.pairs = 4;
  o.steps = 12;
  o.seed = 5;
  o.threads = 1;
  vita_schedule_init_default (&o.schedule, 12);
  o.schedule.lr = 1e-3f;
  o.pair.gap_min_s = 0.5;
  o.pair.gap_max_s = 1.5;
  o.val_fraction = 0.2;
  o.checkpoint_every = 4;
  o.checkpoint_seconds = 0;
  g_autoptr(GError) error = NULL;
  VitaTrainer *t = vita_trainer_new (&o, &error);
  vita_train_options_clear (&o);
  g_assert_no_error (error);
  g_assert_true (vita_trainer_run (t, &error));
  g_assert_no_error (error);
  vita_trainer_free (t);
  audio = tmp_path ("clip.wav");
  write_wav (audio, 7, 4.0);
  onsets = tmp_path ("clip.onsets.txt");
  g_assert_true (g_file_set_contents (onsets, "0.25\n0.5\n0.75\n1.0\n1.5\n2.0\n3.0\n", -1, NULL));
}

static const gint64 want_steps[] = { 0, 1, 2, 5, 10 };

/* The loader: sorted by step, the log read, each checkpoint loads. */
static void
test_series_open (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaSeries) s = vita_series_open (run_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (s->n, ==, G_N_ELEMENTS (want_steps));
  for (int i = 0; i < s->n; i++)
    g_assert_cmpint (s->entries[i].step, ==, want_steps[i]);
  g_assert_nonnull (s->log_path);
  g_assert_cmpint (s->n_log, ==, 12);
  g_assert_true (isnan (vita_series_loss_at (s, 0)));
  g_assert_true (isfinite (vita_series_loss_at (s, 5)));
  g_assert_cmpint (s->cfg.depth, ==, 2);
  g_autoptr(VitaVit) v = vita_series_load (s, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (v->metadata, "trained_steps"), ==, "5");
  /* the series folder itself (no run folder around it) opens the same, without the log */
  g_autofree char *sub = g_build_filename (run_dir, "series", NULL);
  g_autoptr(VitaSeries) s2 = vita_series_open (sub, &error);
  g_assert_no_error (error);
  g_assert_cmpint (s2->n, ==, s->n);
}

static JsonObject *
load_json (const char *path, JsonParser **parser)
{
  *parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_assert_true (json_parser_load_from_file (*parser, path, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (*parser));
}

static double
number (JsonNode *n)
{
  return JSON_NODE_HOLDS_NULL (n) ? NAN : json_node_get_double (n);
}

/* The table: one row per checkpoint; the loss from the log; the values those of
 * `compare CK CK` for each checkpoint alone (the same analysis, bit for bit). */
static void
test_emergence (void)
{
  g_autofree char *out = tmp_path ("em");
  VitaCliResult r = vita_test_run_cli ("emergence", run_dir, audio, "--out", out, NULL);
  if (r.status != 0)
    g_error ("emergence: exit %d: %s", r.status, r.err);
  vita_test_cli_result_clear (&r);
  const char *files[] = { "emergence.csv", "emergence.npy", "emergence.pdf", "emergence.png",
                          "emergence.svg", "summary.json" };
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *p = g_build_filename (out, files[i], NULL);
      GStatBuf sb;
      g_assert_cmpint (g_stat (p, &sb), ==, 0);
      g_assert_cmpint (sb.st_size, >, 100);
    }
  /* CSV: header + one row per checkpoint, steps in order, no loss at step 0 */
  g_autofree char *csv_path = g_build_filename (out, "emergence.csv", NULL);
  g_autofree char *csv = NULL;
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_auto(GStrv) lines = g_strsplit (g_strchomp (csv), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + G_N_ELEMENTS (want_steps));
  g_assert_true (g_str_has_prefix (lines[0], "step,loss,flux_r_mean_L1,flux_r_mean_L2,flux_r_best_L1"));
  g_assert_nonnull (strstr (lines[0], ",ssm_r_chroma_L0,"));
  g_assert_true (g_str_has_prefix (lines[1], "0,,"));
  g_assert_true (g_str_has_prefix (lines[4], "5,"));
  /* npy: (checkpoints, columns) */
  g_autofree char *npy_path = g_build_filename (out, "emergence.npy", NULL);
  int nd;
  gsize shape[VITA_NPY_MAX_DIMS];
  g_autoptr(GError) error = NULL;
  g_autofree float *arr = vita_npy_load (npy_path, &nd, shape, &error);
  g_assert_no_error (error);
  g_assert_cmpint (nd, ==, 2);
  g_assert_cmpuint (shape[0], ==, G_N_ELEMENTS (want_steps));
  g_auto(GStrv) cols = g_strsplit (lines[0], ",", -1);
  g_assert_cmpuint (shape[1], ==, g_strv_length (cols));

  g_autoptr(VitaSeries) series = vita_series_open (run_dir, &error);
  g_assert_no_error (error);
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *sum_path = g_build_filename (out, "summary.json", NULL);
  JsonObject *s = load_json (sum_path, &parser);
  JsonArray *cks = json_object_get_array_member (s, "checkpoints");
  g_assert_cmpuint (json_array_get_length (cks), ==, G_N_ELEMENTS (want_steps));
  for (guint c = 0; c < G_N_ELEMENTS (want_steps); c++)
    {
      JsonObject *ck = json_array_get_object_element (cks, c);
      g_assert_cmpint (json_object_get_int_member (ck, "step"), ==, want_steps[c]);
      g_assert_cmpfloat (arr[c * shape[1]], ==, (float) want_steps[c]);
      double loss = number (json_object_get_member (ck, "loss"));
      double logged = vita_series_loss_at (series, want_steps[c]);
      g_assert_true (c == 0 ? isnan (loss) : loss == logged);

      /* the same checkpoint alone through `compare` */
      g_autofree char *name = g_strdup_printf ("cmp%u", c);
      g_autofree char *cdir = tmp_path (name);
      VitaCliResult rc = vita_test_run_cli ("compare", audio, "--model", series->entries[c].path, "--model",
                           series->entries[c].path, "--out", cdir, "--no-attention", NULL);
      if (rc.status != 0)
        g_error ("compare: exit %d: %s", rc.status, rc.err);
      vita_test_cli_result_clear (&rc);
      g_autoptr(JsonParser) cp = NULL;
      g_autofree char *cpath = g_build_filename (cdir, "summary.json", NULL);
      JsonObject *cs = load_json (cpath, &cp);
      JsonArray *rows = json_object_get_array_member (json_object_get_object_member (cs, "table"), "rows");
      int checked = 0;
      for (guint i = 0; i < json_array_get_length (rows); i++)
        {
          JsonObject *row = json_array_get_object_element (rows, i);
          if (!JSON_NODE_HOLDS_NULL (json_object_get_member (row, "head")))
            continue;
          const char *measure = json_object_get_string_member (row, "measure");
          int layer = json_object_get_int_member (row, "layer");
          JsonArray *vals = json_object_get_array_member (ck, measure);
          g_assert_nonnull (vals);
          double want = number (json_object_get_member (row, "a"));
          double got = number (json_array_get_element (vals, layer));
          if (!(isnan (want) && isnan (got)) && fabs (want - got) > 1e-12)
            g_error ("step %" G_GINT64_FORMAT " %s layer %d: emergence %.9g, compare %.9g",
                     want_steps[c], measure, layer, got, want);
          checked++;
        }
      g_assert_cmpint (checked, ==, 3 * 3 + 2 * 2);   /* 3 SSM r × layers 0–2, mean/best × 1–2 */
    }
}

/* With onsets the attention measure is onset F. */
static void
test_emergence_onsets (void)
{
  g_autofree char *out = tmp_path ("em-onsets");
  VitaCliResult r = vita_test_run_cli ("emergence", run_dir, audio, "--out", out, "--annotations", onsets, NULL);
  if (r.status != 0)
    g_error ("emergence --annotations: exit %d: %s", r.status, r.err);
  vita_test_cli_result_clear (&r);
  g_autofree char *csv_path = g_build_filename (out, "emergence.csv", NULL);
  g_autofree char *csv = NULL;
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_assert_true (g_str_has_prefix (csv, "step,loss,onset_f_mean_L1,"));
}

/* x: log scale, step 0 one decade left of step 1. */
static void
test_painter_axis (void)
{
  g_autoptr(VitaEmergence) em = vita_emergence_new (4, 3, FALSE);
  const gint64 steps[] = { 0, 1, 10, 100 };
  memcpy (em->step, steps, sizeof steps);
  VitaRect plot = { 10, 0, 300, 100 };
  double x0 = vita_emergence_x_for_step (em, &plot, 0);
  double x1 = vita_emergence_x_for_step (em, &plot, 1);
  double x10 = vita_emergence_x_for_step (em, &plot, 10);
  double x100 = vita_emergence_x_for_step (em, &plot, 100);
  g_assert_cmpfloat (plot.x, <, x0);
  g_assert_cmpfloat (x100, <, plot.x + plot.width);
  g_assert_cmpfloat_with_epsilon (x1 - x0, x10 - x1, 1e-9);
  g_assert_cmpfloat_with_epsilon (x100 - x10, x10 - x1, 1e-9);
  g_autofree char *png = tmp_path ("axis.png");
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_emergence_export (em, png, 600, 400, NULL, &error));
  g_assert_no_error (error);
}

static void
rm_rf (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
      const char *name;
      while (d && (name = g_dir_read_name (d)))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          rm_rf (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
copy_file (const char *src, const char *dst)
{
  g_autofree char *data = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (src, &data, &len, NULL));
  g_assert_true (g_file_set_contents (dst, data, len, NULL));
}

static void
assert_refused (VitaCliResult *r, int status, const char *needle)
{
  if (r->status != status || strstr (r->err, needle) == NULL)
    g_error ("expected exit %d with “%s”, got %d: %s", status, needle, r->status, r->err);
  vita_test_cli_result_clear (r);
}

/* Bad input: usage, a missing series, an empty folder, a model without trained_steps,
 * a checkpoint of another architecture, a broken loss log, a missing audio file. */
/* `train --evaluate` scores the newest checkpoint, or with --model any model file (a
 * series checkpoint), on the run's held-out split, beside the random twin. */
static void
test_evaluate_model (void)
{
  g_autofree char *m10 = g_build_filename (run_dir, "series", "step-00000010.safetensors", NULL);
  const char *common[] = { "--gap-min", "0.5", "--gap-max", "1.5", "--batch", "4",
                           "--val-fraction", "0.2", "--eval-batches", "2" };
  VitaCliResult r = vita_test_run_cli ("train", data_dir, "--out", run_dir, "--evaluate",
                                       common[0], common[1], common[2], common[3], common[4],
                                       common[5], common[6], common[7], common[8], common[9], NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "(step 12)"));
  g_assert_nonnull (strstr (r.out, "held-out  trained: accuracy"));
  vita_test_cli_result_clear (&r);
  r = vita_test_run_cli ("train", data_dir, "--out", run_dir, "--evaluate", "--model", m10,
                         common[0], common[1], common[2], common[3], common[4], common[5],
                         common[6], common[7], common[8], common[9], NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "step-00000010.safetensors (step 10)"));
  g_assert_nonnull (strstr (r.out, "training  trained: accuracy"));
  vita_test_cli_result_clear (&r);
  g_autofree char *missing = tmp_path ("no-such-model.safetensors");
  r = vita_test_run_cli ("train", data_dir, "--out", run_dir, "--evaluate", "--model", missing, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "no-such-model.safetensors"));
  vita_test_cli_result_clear (&r);
}

static void
test_bad_input (void)
{
  g_autofree char *out = tmp_path ("em-bad");
  VitaCliResult r = vita_test_run_cli ("emergence", run_dir, NULL);
  assert_refused (&r, 2, "Usage");
  r = vita_test_run_cli ("emergence", run_dir, audio, NULL);
  assert_refused (&r, 2, "--out");
  g_autofree char *missing = tmp_path ("no-such-series");
  r = vita_test_run_cli ("emergence", missing, audio, "--out", out, NULL);
  assert_refused (&r, 1, "no-such-series");
  g_autofree char *empty = tmp_path ("empty");
  g_mkdir (empty, 0755);
  r = vita_test_run_cli ("emergence", empty, audio, "--out", out, NULL);
  assert_refused (&r, 1, "holds no model files");

  g_autofree char *src0 = g_build_filename (run_dir, "series", "step-00000000.safetensors", NULL);
  g_autofree char *src5 = g_build_filename (run_dir, "series", "step-00000005.safetensors", NULL);
  /* a model with no trained_steps */
  g_autofree char *nosteps = tmp_path ("nosteps");
  g_mkdir (nosteps, 0755);
  g_autofree char *a = g_build_filename (nosteps, "a.safetensors", NULL);
  copy_file (src0, a);
  g_autofree char *plain = g_build_filename (nosteps, "plain.safetensors", NULL);
  {
    g_autoptr(GError) err = NULL;
    g_autoptr(VitaVit) pv = vita_vit_load (src5, &err);
    g_assert_no_error (err);
    g_hash_table_remove (pv->metadata, "trained_steps");
    g_assert_true (vita_vit_save (pv, plain, &err));
  }
  r = vita_test_run_cli ("emergence", nosteps, audio, "--out", out, NULL);
  assert_refused (&r, 1, "plain.safetensors: no trained_steps");

  /* mixed architectures: both files named */
  g_autofree char *mixed = tmp_path ("mixed");
  g_mkdir (mixed, 0755);
  g_autofree char *m0 = g_build_filename (mixed, "a-step0.safetensors", NULL);
  copy_file (src0, m0);
  g_autofree char *other = tmp_path ("other.safetensors");
  r = vita_test_run_cli ("init-model", other, "--config", "small-4l", "--force", NULL);
  g_assert_cmpint (r.status, ==, 0);
  vita_test_cli_result_clear (&r);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaVit) ov = vita_vit_load (other, &error);
  g_assert_no_error (error);
  g_hash_table_insert (ov->metadata, g_strdup ("trained_steps"), g_strdup ("7"));
  g_autofree char *m1 = g_build_filename (mixed, "b-step7.safetensors", NULL);
  g_assert_true (vita_vit_save (ov, m1, &error));
  r = vita_test_run_cli ("emergence", mixed, audio, "--out", out, NULL);
  if (r.status != 1 || !strstr (r.err, "a-step0.safetensors") || !strstr (r.err, "b-step7.safetensors") ||
      !strstr (r.err, "not one series"))
    g_error ("mixed series: exit %d: %s", r.status, r.err);
  vita_test_cli_result_clear (&r);

  /* two files at one step */
  g_autofree char *dup = tmp_path ("dup");
  g_mkdir (dup, 0755);
  g_autofree char *d0 = g_build_filename (dup, "x.safetensors", NULL);
  g_autofree char *d1 = g_build_filename (dup, "y.safetensors", NULL);
  copy_file (src5, d0);
  copy_file (src5, d1);
  r = vita_test_run_cli ("emergence", dup, audio, "--out", out, NULL);
  assert_refused (&r, 1, "are both step 5");

  /* a broken loss log names its line */
  g_autofree char *badlog = tmp_path ("badlog");
  g_mkdir (badlog, 0755);
  g_autofree char *b0 = g_build_filename (badlog, "step-00000000.safetensors", NULL);
  copy_file (src0, b0);
  g_autofree char *log = g_build_filename (badlog, "train-log.tsv", NULL);
  g_assert_true (g_file_set_contents (log, "step\tloss\n1\t2.5\nbanana\n", -1, NULL));
  r = vita_test_run_cli ("emergence", badlog, audio, "--out", out, NULL);
  assert_refused (&r, 1, "train-log.tsv, line 3");

  /* the audio */
  g_autofree char *no_audio = tmp_path ("missing.wav");
  r = vita_test_run_cli ("emergence", run_dir, no_audio, "--out", out, NULL);
  assert_refused (&r, 1, "missing.wav");
  g_autofree char *sum = g_build_filename (out, "summary.json", NULL);
  g_assert_false (g_file_test (sum, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_autoptr(GError) error = NULL;
  tmp_root = g_dir_make_tmp ("vita-cli-emergence-XXXXXX", &error);
  g_assert_no_error (error);
  train_series ();
  g_test_add_func ("/emergence/series-open", test_series_open);
  g_test_add_func ("/emergence/table", test_emergence);
  g_test_add_func ("/emergence/onsets", test_emergence_onsets);
  g_test_add_func ("/emergence/painter-axis", test_painter_axis);
  g_test_add_func ("/emergence/bad-input", test_bad_input);
  g_test_add_func ("/emergence/evaluate-model", test_evaluate_model);
  int status = g_test_run ();
  if (status == 0)
    rm_rf (tmp_root);
  return status;
}
