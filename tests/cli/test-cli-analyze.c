/* test-cli-analyze.c — `vitascope-cli analyze` end to end: usage errors (exit 2),
 * failures naming the file (exit 1), a real Wesnoth OGG excerpt with a small model
 * (every output file's shape, summary.json), layer selection, --no-attention, and the
 * whole pipeline (decode → mel → analysis) on a 16 kHz clip against PyTorch. */
#include "vita-test.h"
#include "dsp/vita-audio.h"
#include "dsp/vita-features.h"
#include "dsp/vita-mel.h"
#include "model/vita-vit.h"

#include <json-glib/json-glib.h>
#include <sys/wait.h>
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#define WESNOTH "/usr/share/games/wesnoth/1.16/data/core/music/elf-land.ogg"
#define LOYALISTS "/usr/share/games/wesnoth/1.16/data/core/music/loyalists.ogg"   /* 3 min */

/* Runs vitascope-cli with the given arguments (NULL-terminated). */
static void
rm_rf (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  if (d == NULL)
    return;
  const char *name;
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (dir);
}

/* Loads DIR/NAME and checks its shape (ndim values, -1 = any); returns the data. */
static float *
load_checked (const char *dir, const char *name, gsize *shape_out, int ndim, ...)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  int nd;
  gsize shape[VITA_NPY_MAX_DIMS];
  float *data = vita_npy_load (path, &nd, shape, &error);
  g_assert_no_error (error);
  g_assert_cmpint (nd, ==, ndim);
  va_list ap;
  va_start (ap, ndim);
  for (int i = 0; i < ndim; i++)
    {
      long want = va_arg (ap, long);
      if (want >= 0)
        g_assert_cmpuint (shape[i], ==, (gsize) want);
      if (shape_out)
        shape_out[i] = shape[i];
    }
  va_end (ap);
  return data;
}

static void
test_usage (void)
{
  VitaCliResult r = vita_test_run_cli ("analyze", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "no audio file"));
  vita_test_cli_result_clear (&r);
  r = vita_test_run_cli ("analyze", "x.ogg", "--out", "/tmp/x", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--model"));
  vita_test_cli_result_clear (&r);
  r = vita_test_run_cli ("analyze", "x.ogg", "--model", "m", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--out"));
  vita_test_cli_result_clear (&r);
  r = vita_test_run_cli ("analyze", "x.ogg", "--model", "m", "--out", "/tmp/x", "--ssm-max", "0", NULL);
  g_assert_cmpint (r.status, ==, 2);
  vita_test_cli_result_clear (&r);
  r = vita_test_run_cli ("analyze", "x.ogg", "--bogus", NULL);
  g_assert_cmpint (r.status, ==, 2);
  vita_test_cli_result_clear (&r);
  r = vita_test_run_cli ("analyze", "--help", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "--no-attention"));
  vita_test_cli_result_clear (&r);
}

static void
test_failures_name_the_file (void)
{
  g_autofree char *model = vita_test_data_path ("ana.safetensors");
  g_autofree char *dir = g_dir_make_tmp ("vita-cli-analyze-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);

  /* missing model */
  VitaCliResult r = vita_test_run_cli ("analyze", WESNOTH, "--model", "/nonexistent/model.safetensors", "--out", out, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "model.safetensors"));
  vita_test_cli_result_clear (&r);

  /* a text file as audio */
  g_autofree char *text = g_build_filename (dir, "notes.wav", NULL);
  g_assert_true (g_file_set_contents (text, "not audio at all\n", -1, NULL));
  r = vita_test_run_cli ("analyze", text, "--model", model, "--out", out, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "notes.wav"));
  vita_test_cli_result_clear (&r);

  /* a model file that is not one */
  r = vita_test_run_cli ("analyze", text, "--model", text, "--out", out, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "notes.wav"));
  vita_test_cli_result_clear (&r);

  /* layers out of range: a usage error once the model is known */
  r = vita_test_run_cli ("analyze", text, "--model", model, "--out", out, "--layers", "0,7", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--layers"));
  vita_test_cli_result_clear (&r);

  /* the output folder cannot be created (a file is in the way) */
  g_autofree char *blocked = g_build_filename (text, "sub", NULL);
  r = vita_test_run_cli ("analyze", text, "--model", model, "--out", blocked, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "notes.wav"));
  vita_test_cli_result_clear (&r);

  g_unlink (text);
  rm_rf (out);
  g_rmdir (dir);
}

static JsonObject *
load_summary (const char *dir, JsonParser *parser)
{
  g_autofree char *path = g_build_filename (dir, "summary.json", NULL);
  g_autoptr(GError) error = NULL;
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  JsonNode *root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_node_get_object (root);
}

static void
test_wesnoth_excerpt (void)
{
  if (!g_file_test (WESNOTH, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("wesnoth-1.16-music is not installed");
      return;
    }
  g_autofree char *model = vita_test_data_path ("ana.safetensors");
  g_autofree char *dir = g_dir_make_tmp ("vita-cli-analyze-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (dir, "all", NULL);
  VitaCliResult r = vita_test_run_cli ("analyze", WESNOTH, "--model", model, "--out", out, "--start", "2",
                      "--duration", "20", "--ssm-max", "100", "--threads", "1", NULL);
  if (r.status != 0)
    g_printerr ("%s", r.err);
  g_assert_cmpint (r.status, ==, 0);
  vita_test_cli_result_clear (&r);

  /* 20 s at 16 kHz, hop 512: 1 + 320000 / 512 = 626 frames; T 32, hop 16:
   * 1 + ceil(594 / 16) = 39 windows; pool ceil(626 / 100) = 7 → S 90 */
  const long n = 626, W = 39, S = 90, L = 2, NH = 2, N = 33, D = 32;
  g_autofree float *mel = load_checked (out, "mel.npy", NULL, 2, n, 128L);
  g_autofree float *onset = load_checked (out, "onset.npy", NULL, 1, n);
  g_autofree float *tokens = load_checked (out, "tokens.npy", NULL, 3, L + 1, n, D);
  g_autofree float *cls = load_checked (out, "cls.npy", NULL, 3, W, L + 1, D);
  g_autofree float *att = load_checked (out, "attention.npy", NULL, 5, W, L, NH, N, N);
  g_autofree float *received = load_checked (out, "received.npy", NULL, 3, L, NH, n);
  g_autofree float *ssm = load_checked (out, "ssm.npy", NULL, 3, L + 1, S, S);
  g_autofree float *windows = load_checked (out, "windows.npy", NULL, 2, W, 3L);

  /* sanity of the contents: real music is not silence; onset >= 0; attention rows sum
   * to 1; received sums to N per window; windows tile the frames */
  double mel_var = 0, onset_sum = 0;
  for (long i = 0; i < n * 128; i++)
    mel_var += (mel[i] - mel[0]) * (mel[i] - mel[0]);
  g_assert_cmpfloat (mel_var, >, 1.0);
  for (long i = 0; i < n; i++)
    {
      g_assert_cmpfloat (onset[i], >=, 0.0f);
      onset_sum += onset[i];
    }
  g_assert_cmpfloat (onset_sum, >, 0.0);
  for (long row = 0; row < W * L * NH * N; row += 37)
    {
      double s = 0;
      for (long k = 0; k < N; k++)
        s += att[row * N + k];
      g_assert_cmpfloat_with_epsilon (s, 1.0, 1e-4);
    }
  g_assert_cmpfloat (windows[0], ==, 0.0f);
  g_assert_cmpfloat (windows[1], ==, 0.0f);
  g_assert_cmpfloat (windows[(W - 1) * 3 + 0], ==, (float) (n - 32));
  g_assert_cmpfloat (windows[(W - 1) * 3 + 2], ==, (float) n);
  for (long w = 1; w < W; w++)
    g_assert_cmpfloat (windows[w * 3 + 1], ==, windows[(w - 1) * 3 + 2]);
  for (long i = 0; i < S; i++)
    g_assert_cmpfloat (ssm[i * S + i], <=, 1.0f + 1e-5f);

  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *sum = load_summary (out, parser);
  g_assert_cmpint (json_object_get_int_member (sum, "n_frames"), ==, n);
  g_assert_cmpint (json_object_get_int_member (sum, "sample_rate"), ==, 16000);
  g_assert_cmpint (json_object_get_int_member (sum, "hop"), ==, 512);
  JsonObject *win = json_object_get_object_member (sum, "windows");
  g_assert_cmpint (json_object_get_int_member (win, "count"), ==, W);
  g_assert_cmpint (json_object_get_int_member (win, "hop"), ==, 16);
  JsonObject *mod = json_object_get_object_member (sum, "model");
  g_assert_cmpuint (strlen (json_object_get_string_member (mod, "sha256")), ==, 64);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (mod, "config"), "dim"), ==, D);
  JsonObject *audio = json_object_get_object_member (sum, "audio");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (audio, "start"), 2.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (audio, "duration"), 20.0, 1e-6);
  g_assert_cmpint (json_object_get_int_member (audio, "source_rate"), ==, 44100);
  JsonArray *shape = json_object_get_array_member (json_object_get_object_member (sum, "shapes"),
                                                   "attention.npy");
  g_assert_cmpuint (json_array_get_length (shape), ==, 5);
  g_assert_cmpint (json_array_get_int_element (shape, 0), ==, W);
  JsonObject *tm = json_object_get_object_member (sum, "timings");
  g_assert_cmpfloat (json_object_get_double_member (tm, "total"), >, 0.0);
  g_assert_cmpfloat (json_object_get_double_member (tm, "forward"), >, 0.0);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (sum, "file"), "elf-land.ogg"));

  /* selected layers, no attention: the same numbers for what is written */
  g_autofree char *out2 = g_build_filename (dir, "sel", NULL);
  r = vita_test_run_cli ("analyze", WESNOTH, "--model", model, "--out", out2, "--start", "2",
               "--duration", "20", "--ssm-max", "100", "--layers", "0,2", "--no-attention", NULL);
  g_assert_cmpint (r.status, ==, 0);
  vita_test_cli_result_clear (&r);
  g_autofree float *tokens2 = load_checked (out2, "tokens.npy", NULL, 3, 2L, n, D);
  g_autofree float *ssm2 = load_checked (out2, "ssm.npy", NULL, 3, 2L, S, S);
  vita_test_assert_close ("layer 0 tokens", tokens2, tokens, n * D, 0.0);
  vita_test_assert_close ("layer 2 tokens", tokens2 + n * D, tokens + 2 * n * D, n * D, 0.0);
  vita_test_assert_close ("layer 2 ssm", ssm2 + S * S, ssm + 2 * S * S, S * S, 0.0);
  g_autofree char *att2 = g_build_filename (out2, "attention.npy", NULL);
  g_assert_false (g_file_test (att2, G_FILE_TEST_EXISTS));
  g_autoptr(JsonParser) parser2 = json_parser_new ();
  JsonObject *sum2 = load_summary (out2, parser2);
  JsonArray *layers = json_object_get_array_member (sum2, "layers");
  g_assert_cmpuint (json_array_get_length (layers), ==, 2);
  g_assert_cmpint (json_array_get_int_element (layers, 1), ==, 2);

  /* no temporary files left behind */
  const char *dirs[2] = { out, out2 };
  for (int k = 0; k < 2; k++)
    {
      g_autoptr(GDir) d = g_dir_open (dirs[k], 0, NULL);
      const char *name;
      while ((name = g_dir_read_name (d)))
        g_assert_true (g_str_has_suffix (name, ".npy") || g_str_equal (name, "summary.json"));
    }
  rm_rf (out);
  rm_rf (out2);
  g_rmdir (dir);
}

/* 10 ms of audio (one frame, shorter than a window: padded) and pure digital silence
 * (reliability.md 11): results, no NaN anywhere. */
static void
test_tiny_and_silent (void)
{
  g_autofree char *model = vita_test_data_path ("ana.safetensors");
  g_autofree char *clip = vita_test_data_path ("ana_clip.wav");
  g_autofree char *dir = g_dir_make_tmp ("vita-cli-analyze-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (dir, "tiny", NULL);
  VitaCliResult r = vita_test_run_cli ("analyze", clip, "--model", model, "--out", out, "--duration", "0.01", NULL);
  g_assert_cmpint (r.status, ==, 0);
  vita_test_cli_result_clear (&r);
  /* 160 samples: 1 + 160 / 512 = 1 frame, one window with 31 padded frames */
  g_autofree float *tokens = load_checked (out, "tokens.npy", NULL, 3, 3L, 1L, 32L);
  g_autofree float *att = load_checked (out, "attention.npy", NULL, 5, 1L, 2L, 2L, 33L, 33L);
  g_autofree float *ssm = load_checked (out, "ssm.npy", NULL, 3, 3L, 1L, 1L);
  for (int i = 0; i < 3; i++)
    g_assert_cmpfloat_with_epsilon (ssm[i], 1.0, 1e-5);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *sum = load_summary (out, parser);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (sum, "windows"),
                                               "padded_frames"), ==, 31);
  /* The one numbering of layers and heads, stated once beside the arrays. */
  const char *indexing = json_object_get_string_member (sum, "indexing");
  g_assert_nonnull (indexing);
  g_assert_nonnull (strstr (indexing, "0 = the input embedding"));
  g_assert_nonnull (strstr (indexing, "layer axis 0…L−1 = layers 1…L"));
  g_assert_nonnull (strstr (indexing, "heads axis 0…H−1 = heads 1…H"));
  rm_rf (out);

  /* silence: a float WAV of zeros */
  g_autofree char *silent = g_build_filename (dir, "silence.wav", NULL);
  {
    const guint32 n = 16000;
    GString *wav = g_string_new (NULL);
    guint32 u32;
    guint16 u16;
#define PUT32(v) (u32 = GUINT32_TO_LE (v), g_string_append_len (wav, (char *) &u32, 4))
#define PUT16(v) (u16 = GUINT16_TO_LE (v), g_string_append_len (wav, (char *) &u16, 2))
    g_string_append (wav, "RIFF"); PUT32 (36 + n * 4); g_string_append (wav, "WAVEfmt ");
    PUT32 (16); PUT16 (3); PUT16 (1); PUT32 (16000); PUT32 (64000); PUT16 (4); PUT16 (32);
    g_string_append (wav, "data"); PUT32 (n * 4);
    for (guint32 i = 0; i < n; i++)
      PUT32 (0);
#undef PUT32
#undef PUT16
    g_assert_true (g_file_set_contents (silent, wav->str, wav->len, NULL));
    g_string_free (wav, TRUE);
  }
  r = vita_test_run_cli ("analyze", silent, "--model", model, "--out", out, NULL);
  g_assert_cmpint (r.status, ==, 0);
  vita_test_cli_result_clear (&r);
  const char *names[] = { "mel.npy", "onset.npy", "tokens.npy", "cls.npy", "attention.npy",
                          "received.npy", "ssm.npy" };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (out, names[i], NULL);
      int nd;
      gsize shape[VITA_NPY_MAX_DIMS], count = 1;
      g_autoptr(GError) error = NULL;
      g_autofree float *x = vita_npy_load (path, &nd, shape, &error);
      g_assert_no_error (error);
      for (int k = 0; k < nd; k++)
        count *= shape[k];
      for (gsize k = 0; k < count; k++)
        if (!isfinite (x[k]))
          g_error ("%s[%" G_GSIZE_FORMAT "] = %g for silence", names[i], k, x[k]);
    }
  g_unlink (silent);
  rm_rf (out);
  g_rmdir (dir);
}

/* The whole pipeline on the golden clip (3 s of loyalists.ogg at 16 kHz, the samples
 * PyTorch used): decode → C mel → analysis against PyTorch's analysis of PyTorch's mel. */
static void
test_pipeline_against_pytorch (void)
{
  g_autofree char *model = vita_test_data_path ("ana.safetensors");
  g_autofree char *clip = vita_test_data_path ("ana_clip.wav");
  g_autofree char *dir = g_dir_make_tmp ("vita-cli-analyze-XXXXXX", NULL);
  VitaCliResult r = vita_test_run_cli ("analyze", clip, "--model", model, "--out", dir, "--ssm-max", "40", NULL);
  if (r.status != 0)
    g_printerr ("%s", r.err);
  g_assert_cmpint (r.status, ==, 0);
  vita_test_cli_result_clear (&r);
  const char *names[] = { "mel", "tokens", "cls", "received", "ssm", "attention" };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *golden = g_strdup_printf ("ana_long_%s.npy", names[i]);
      g_autofree char *file = g_strdup_printf ("%s.npy", names[i]);
      g_autofree char *path = g_build_filename (dir, file, NULL);
      gsize n_want;
      g_autofree float *want = vita_test_load_npy (golden, NULL, NULL, &n_want);
      int nd;
      gsize shape[VITA_NPY_MAX_DIMS];
      g_autoptr(GError) error = NULL;
      g_autofree float *got = vita_npy_load (path, &nd, shape, &error);
      g_assert_no_error (error);
      gsize n_got = 1;
      for (int k = 0; k < nd; k++)
        n_got *= shape[k];
      g_assert_cmpuint (n_got, ==, n_want);
      vita_test_assert_close (names[i], got, want, n_got, 1e-4);
      g_unlink (path);
    }
  rm_rf (dir);
}

/* analyze computes the onset novelty 2048 frames at a time (the power spectrogram of
 * a long track is not held at once): bit for bit the novelty of the whole spectrogram,
 * across the stretch boundaries of a 140 s excerpt (4376 frames, three stretches). */
static void
test_onset_by_stretches (void)
{
  if (!g_file_test (LOYALISTS, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("wesnoth-1.16-music is not installed");
      return;
    }
  g_autofree char *model = vita_test_data_path ("ana.safetensors");
  g_autofree char *dir = g_dir_make_tmp ("vita-cli-analyze-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (dir, "onset", NULL);
  VitaCliResult r = vita_test_run_cli ("analyze", LOYALISTS, "--model", model, "--out", out, "--duration", "140",
                      "--no-attention", "--ssm-max", "50", NULL);
  if (r.status != 0)
    g_printerr ("%s", r.err);
  g_assert_cmpint (r.status, ==, 0);
  vita_test_cli_result_clear (&r);

  g_autoptr(GError) error = NULL;
  g_autoptr(VitaVit) vit = vita_vit_load (model, &error);
  g_assert_no_error (error);
  const VitaFrontend *fe = &vit->cfg.fe;
  /* the same PCM analyze decodes: with --duration only the first 140 s (whose last
   * samples may differ from a whole-file decode at the cut; issue 15.10) */
  g_autoptr(VitaPcm) pcm = vita_audio_load_prefix (LOYALISTS, fe->sample_rate, 140, NULL, &error);
  g_assert_no_error (error);
  const gsize n_samples = MIN (pcm->n_samples, (gsize) 140 * fe->sample_rate);
  const gsize n = vita_frontend_n_frames (fe, n_samples), bins = fe->n_fft / 2 + 1;
  g_assert_cmpuint (n, >, 2 * 2048);
  g_autoptr(VitaMel) mel = vita_mel_new (fe, &error);
  g_assert_no_error (error);
  g_autofree float *power = g_new (float, n * bins);
  g_autofree float *want = g_new (float, n);
  vita_mel_power (mel, pcm->samples, n_samples, power);
  vita_onset_flux (power, n, bins, want);
  g_autofree float *got = load_checked (out, "onset.npy", NULL, 1, (long) n);
  vita_test_assert_close ("onset by stretches", got, want, n, 0.0);
  rm_rf (out);
  g_rmdir (dir);
}

/* A long track's PCM in a mapped cache file (VITASCOPE_PCM_MAP_BYTES low: 3 minutes,
 * decoded in parallel segments, read by the front-end a stretch at a time): the same
 * files, byte for byte, as with the PCM in memory. */
static void
test_mapped_pcm (void)
{
  if (!g_file_test (LOYALISTS, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("wesnoth-1.16-music is not installed");
      return;
    }
  g_autofree char *model = vita_test_data_path ("ana.safetensors");
  g_autofree char *dir = g_dir_make_tmp ("vita-cli-analyze-XXXXXX", NULL);
  g_autofree char *out_mem = g_build_filename (dir, "mem", NULL);
  g_autofree char *out_map = g_build_filename (dir, "map", NULL);
  const char *out[2] = { out_mem, out_map };
  for (int k = 0; k < 2; k++)
    {
      g_setenv ("VITASCOPE_PCM_MAP_BYTES", k ? "1000000" : "18446744073709551615", TRUE);
      g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
      VitaCliResult r = vita_test_run_cli ("analyze", LOYALISTS, "--model", model, "--out", out[k],
                                           "--no-attention", "--ssm-max", "50", "--layers", "0,1", NULL);
      g_unsetenv ("VITASCOPE_PCM_MAP_BYTES");
      g_unsetenv ("G_MESSAGES_DEBUG");
      if (r.status != 0)
        g_printerr ("%s", r.err);
      g_assert_cmpint (r.status, ==, 0);
      /* the PCM went to the cache file only under the low threshold */
      g_autofree char *log = g_strconcat (r.out, r.err, NULL);   /* GLib's debug goes to stdout */
      g_assert_true ((strstr (log, "is in a mapped cache file") != NULL) == (k == 1));
      vita_test_cli_result_clear (&r);
    }
  static const char *files[] = { "mel.npy", "onset.npy", "tokens.npy", "cls.npy", "ssm.npy" };
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *a = g_build_filename (out[0], files[i], NULL);
      g_autofree char *b = g_build_filename (out[1], files[i], NULL);
      g_autofree char *da = NULL, *db = NULL;
      gsize la = 0, lb = 0;
      g_assert_true (g_file_get_contents (a, &da, &la, NULL));
      g_assert_true (g_file_get_contents (b, &db, &lb, NULL));
      g_test_message ("%s: %zu bytes", files[i], la);
      g_assert_cmpmem (da, la, db, lb);
    }
  rm_rf (out[0]);
  rm_rf (out[1]);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli/analyze/usage", test_usage);
  g_test_add_func ("/cli/analyze/failures-name-the-file", test_failures_name_the_file);
  g_test_add_func ("/cli/analyze/wesnoth-excerpt", test_wesnoth_excerpt);
  g_test_add_func ("/cli/analyze/onset-by-stretches", test_onset_by_stretches);
  g_test_add_func ("/cli/analyze/mapped-pcm", test_mapped_pcm);
  g_test_add_func ("/cli/analyze/tiny-and-silent", test_tiny_and_silent);
  g_test_add_func ("/cli/analyze/pipeline-against-pytorch", test_pipeline_against_pytorch);
  return g_test_run ();
}
