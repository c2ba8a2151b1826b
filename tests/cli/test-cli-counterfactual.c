/* test-cli-counterfactual.c — `vitascope-cli counterfactual` and `attribute` end to end:
 * the edited mel equals analysing a file edited outside the app by the same library
 * (the rubberband command-line tool, R3 engine) within 1e-5; both analyses have
 * analyze's file names; differences are edited − original; bad edits are refused with a
 * message naming the edit and nothing is analysed; `attribute` writes its map, figure
 * and summary (integrated gradients complete within 1 %) and refuses bad targets. */
#include "vita-test.h"
#include "model/probe/vita-probe.h"
#include "model/vita-vit.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <sndfile.h>
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#define RATE 16000

typedef struct {
  int   status;
  char *out;
  char *err;
} Result;

static void
result_clear (Result *r)
{
  g_free (r->out);
  g_free (r->err);
}

static Result
run_argv (const char *const *argv)
{
  Result r = { 0 };
  int wait_status;
  g_autoptr(GError) error = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &r.out, &r.err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r.status = WEXITSTATUS (wait_status);
  return r;
}

/* vitascope-cli with the given arguments (NULL-terminated). */
static Result
run_cli (const char *first, ...)
{
  const char *build = g_getenv ("VITA_BUILD_ROOT");
  g_assert_nonnull (build);
  g_autofree char *cli = g_build_filename (build, "app", "vitascope-cli", NULL);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_ptr_array_add (args, cli);
  va_list ap;
  va_start (ap, first);
  for (const char *a = first; a; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return run_argv ((const char *const *) args->pdata);
}

static void
rm_rf (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
      const char *name;
      while (d && (name = g_dir_read_name (d)))
        {
          g_autofree char *p = g_build_filename (path, name, NULL);
          rm_rf (p);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static float *
load (const char *dir, const char *name, gsize shape[VITA_NPY_MAX_DIMS], int *ndim)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  float *d = vita_npy_load (path, ndim, shape, &error);
  g_assert_no_error (error);
  return d;
}

/* 12 s of chords (three partials each, a new chord every 1.5 s) at a level that cannot
 * clip after pitch shifting (the rubberband tool would rescale clipped output). */
static char *
write_chords (const char *dir)
{
  const gsize n = 12 * RATE;
  g_autofree float *x = g_new (float, n);
  const double roots[] = { 220.0, 246.9, 196.0, 261.6, 174.6, 220.0, 293.7, 164.8 };
  for (gsize i = 0; i < n; i++)
    {
      int c = (int) (i / (RATE * 3 / 2)) % 8;
      double t = (double) i / RATE, r = roots[c], env = 1.0 - fmod (t, 1.5) / 3.0;
      x[i] = (float) (0.08 * env * (sin (2 * G_PI * r * t) + sin (2 * G_PI * r * 1.26 * t)
                                     + sin (2 * G_PI * r * 1.5 * t)));
    }
  char *path = g_build_filename (dir, "chords.wav", NULL);
  SF_INFO info = { .samplerate = RATE, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
  SNDFILE *sf = sf_open (path, SFM_WRITE, &info);
  g_assert_nonnull (sf);
  g_assert_cmpint (sf_writef_float (sf, x, n), ==, n);
  sf_close (sf);
  return path;
}

static const char *
model_path (void)
{
  static char *path;
  if (path == NULL)
    path = vita_test_data_path ("ana.safetensors");
  return path;
}

/* counterfactual with one rubberband edit vs rubberband-cli ARGS … then analyze */
static void
check_against_tool (const char *dir, const char *wav, const char *edit, const char *opt,
                    const char *value)
{
  g_autofree char *tool = g_find_program_in_path ("rubberband");
  if (tool == NULL)
    {
      g_test_skip ("the rubberband tool (rubberband-cli, installed by setup.sh) is missing");
      return;
    }
  g_autofree char *out = g_build_filename (dir, "cf", NULL);
  g_autofree char *ext = g_build_filename (dir, "external.wav", NULL);
  g_autofree char *ext_dir = g_build_filename (dir, "external", NULL);
  rm_rf (out);
  Result r = run_cli ("counterfactual", wav, "--model", model_path (), "--edit", edit,
                      "--out", out, "--no-attention", NULL);
  if (r.status != 0)
    g_error ("counterfactual %s failed: %s", edit, r.err);
  result_clear (&r);
  /* outside the app: rubberband -3 (R3, offline) on the same 16 kHz file */
  const char *targv[] = { tool, "-q", "-3", opt, value, wav, ext, NULL };
  r = run_argv (targv);
  if (r.status != 0)
    g_error ("rubberband failed: %s", r.err);
  result_clear (&r);
  r = run_cli ("analyze", ext, "--model", model_path (), "--out", ext_dir, "--no-attention", NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);

  g_autofree char *edited = g_build_filename (out, "edited", NULL);
  g_autofree char *original = g_build_filename (out, "original", NULL);
  g_autofree char *diff = g_build_filename (out, "difference", NULL);
  gsize sa[VITA_NPY_MAX_DIMS], sb[VITA_NPY_MAX_DIMS], so[VITA_NPY_MAX_DIMS], sd[VITA_NPY_MAX_DIMS];
  int na, nb, no, nd;
  g_autofree float *a = load (edited, "mel.npy", sa, &na);
  g_autofree float *b = load (ext_dir, "mel.npy", sb, &nb);
  g_assert_cmpint (na, ==, 2);
  g_assert_cmpuint (sa[0], ==, sb[0]);
  g_assert_cmpuint (sa[1], ==, sb[1]);
  g_autofree char *what = g_strdup_printf ("%s: counterfactual's edited mel vs rubberband %s %s", edit,
                                           opt, value);
  vita_test_assert_close (what, a, b, sa[0] * sa[1], 1e-5);

  /* the edit changed something, and difference/mel.npy is edited − original */
  g_autofree float *o = load (original, "mel.npy", so, &no);
  g_autofree float *d = load (diff, "mel.npy", sd, &nd);
  gsize fc = MIN (so[0], sa[0]);
  g_assert_cmpuint (sd[0], ==, fc);
  double maxd = 0;
  for (gsize i = 0; i < fc * sa[1]; i++)
    {
      g_assert_cmpfloat (fabs (d[i] - (a[i] - o[i])), <=, 1e-6);
      maxd = MAX (maxd, fabs (d[i]));
    }
  g_test_message ("%s: largest mel change %.3f", edit, maxd);
  g_assert_cmpfloat (maxd, >, 0.5);

  /* both sides carry analyze's file names; summary.json names the edit */
  const char *names[] = { "mel.npy", "onset.npy", "tokens.npy", "cls.npy", "received.npy", "ssm.npy",
                          "windows.npy", "summary.json" };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    for (int side = 0; side < 2; side++)
      {
        g_autofree char *p = g_build_filename (side ? edited : original, names[i], NULL);
        g_assert_true (g_file_test (p, G_FILE_TEST_EXISTS));
      }
  g_autofree char *summary = g_build_filename (out, "summary.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_assert_true (json_parser_load_from_file (parser, summary, &error));
  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  JsonArray *edits = json_object_get_array_member (root, "edits");
  g_assert_cmpuint (json_array_get_length (edits), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (edits, 0), "spec"), ==, edit);
  JsonObject *diffs = json_object_get_object_member (root, "differences");
  g_assert_true (json_object_has_member (diffs, "mel.npy"));
  g_assert_true (json_object_has_member (diffs, "token_cosine.npy"));
  g_assert_cmpfloat (fabs (json_object_get_double_member (json_object_get_object_member (diffs, "mel.npy"),
                                                          "max_abs") - maxd), <=, 1e-5);
}

static void
test_counterfactual (void)
{
  g_autofree char *dir = g_dir_make_tmp ("vita-cf-XXXXXX", NULL);
  g_autofree char *wav = write_chords (dir);
  check_against_tool (dir, wav, "transpose:+2", "-p", "2");
  check_against_tool (dir, wav, "stretch:1.1", "-t", "1.1");

  /* several edits in order, a band mute among them */
  g_autofree char *out = g_build_filename (dir, "multi", NULL);
  Result r = run_cli ("counterfactual", wav, "--model", model_path (), "--edit", "transpose:-1",
                      "--edit", "mute:0-300Hz@2-5", "--edit", "swap:1-2,6-8", "--edit", "reverse:9-10",
                      "--edit", "gain:-6dB@10-11", "--out", out, "--no-attention", NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  rm_rf (dir);
}

static void
test_bad_edits (void)
{
  g_autofree char *dir = g_dir_make_tmp ("vita-cf-XXXXXX", NULL);
  g_autofree char *wav = write_chords (dir);
  struct { const char *edit, *needle; int status; } bad[] = {
    { "gain:-6dB@5-80", "ends after the track", 1 },
    { "mute:300-300Hz@1-2", "is empty", 2 },
    { "wobble:3", "unknown edit", 2 },
    { "swap:1-3,2-4", "overlap", 2 },
    { "mix:/nonexistent/x.wav@-12dB", "cannot mix in", 1 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *out = g_build_filename (dir, "out", NULL);
      /* a good edit first: nothing may be analysed half */
      Result r = run_cli ("counterfactual", wav, "--model", model_path (), "--edit", "transpose:+1",
                          "--edit", bad[i].edit, "--out", out, NULL);
      g_test_message ("%s → %d: %s", bad[i].edit, r.status, r.err);
      g_assert_cmpint (r.status, ==, bad[i].status);
      g_assert_nonnull (strstr (r.err, bad[i].edit));
      g_assert_nonnull (strstr (r.err, bad[i].needle));
      g_autofree char *orig = g_build_filename (out, "original", NULL);
      g_assert_false (g_file_test (orig, G_FILE_TEST_EXISTS));
      result_clear (&r);
      rm_rf (out);
    }
  Result r = run_cli ("counterfactual", wav, "--model", model_path (), "--out", dir, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--edit is required"));
  result_clear (&r);
  rm_rf (dir);
}

static void
test_attribute (void)
{
  g_autofree char *dir = g_dir_make_tmp ("vita-attr-XXXXXX", NULL);
  g_autofree char *wav = write_chords (dir);
  /* a frame-level probe on token layer 2 of the test model (random weights: the
   * CLI plumbing is under test here; the gradients are in tests/model) */
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaVit) vit = vita_vit_load (model_path (), &error);
  g_assert_no_error (error);
  const int D = vit->cfg.dim, C = 3;
  g_autoptr(VitaProbe) probe = vita_probe_new (D, C, VITA_PROBE_SOFTMAX);
  for (int i = 0; i < C * D; i++)
    probe->weight[i] = (float) sin (1.7 * i + 0.3);
  g_free (probe->task);
  probe->task = g_strdup ("chord");
  probe->frame_level = TRUE;
  probe->layer = 2;
  probe->pool = VITA_POOL_TOKEN;
  const char *labels[] = { "N", "A:maj", "C:maj" };
  g_ptr_array_set_size (probe->labels, 0);
  for (int i = 0; i < C; i++)
    g_ptr_array_add (probe->labels, g_strdup (labels[i]));
  g_autofree char *probe_path = g_build_filename (dir, "probe.safetensors", NULL);
  g_assert_true (vita_probe_save (probe, probe_path, &error));

  g_autofree char *out = g_build_filename (dir, "attr", NULL);
  Result r = run_cli ("attribute", wav, "--model", model_path (), "--probe", probe_path,
                      "--target", "class:A:maj@4.0", "--method", "ig", "--steps", "64", "--out", out, NULL);
  if (r.status != 0)
    g_error ("attribute failed: %s", r.err);
  g_test_message ("%s", r.out);
  result_clear (&r);
  gsize s[VITA_NPY_MAX_DIMS], sm[VITA_NPY_MAX_DIMS];
  int nd;
  g_autofree float *map = load (out, "attribution.npy", s, &nd);
  g_autofree float *mel = load (out, "mel.npy", sm, &nd);
  g_assert_cmpuint (s[0], ==, sm[0]);
  g_assert_cmpuint (s[1], ==, 128);
  /* 4.0 s = frame 125; the test model's windows are 32 frames: outside them, zero */
  g_assert_cmpfloat (map[0], ==, 0.0f);
  g_assert_cmpfloat (map[(s[0] - 1) * s[1]], ==, 0.0f);
  g_autofree char *png = g_build_filename (out, "attribution.png", NULL);
  g_assert_true (g_file_test (png, G_FILE_TEST_EXISTS));
  g_autofree char *summary = g_build_filename (out, "summary.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_file (parser, summary, &error));
  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (root, "frame"), ==, 125);
  g_assert_cmpint (json_object_get_int_member (root, "class_index"), ==, 1);
  g_assert_cmpfloat (json_object_get_double_member (root, "completeness_error"), <=, 0.01);
  double sum = 0;
  for (gsize i = 0; i < s[0] * s[1]; i++)
    sum += map[i];
  g_assert_cmpfloat (fabs (sum - json_object_get_double_member (root, "sum")), <=,
                     1e-4 * fmax (1, fabs (sum)));

  /* counterfactual with probes: an edit that changes nothing keeps every class
   * (and "moves" every chord frame by the 0-semitone transposition) */
  g_autoptr(VitaProbe) chord = vita_probe_new (D, 25, VITA_PROBE_SOFTMAX);
  for (int i = 0; i < 25 * D; i++)
    chord->weight[i] = (float) cos (0.37 * i);
  g_free (chord->task);
  chord->task = g_strdup ("chord");
  chord->frame_level = TRUE;
  chord->layer = 1;
  chord->pool = VITA_POOL_TOKEN;
  g_autofree char *chord_path = g_build_filename (dir, "chord.safetensors", NULL);
  g_assert_true (vita_probe_save (chord, chord_path, &error));
  g_autofree char *cf = g_build_filename (dir, "cf", NULL);
  r = run_cli ("counterfactual", wav, "--model", model_path (), "--probe", chord_path, "--probe",
               probe_path, "--edit", "gain:0dB", "--out", cf, "--no-attention", NULL);
  if (r.status != 0)
    g_error ("counterfactual --probe failed: %s", r.err);
  result_clear (&r);
  {
    g_autofree char *cs = g_build_filename (cf, "summary.json", NULL);
    g_autoptr(JsonParser) pp = json_parser_new ();
    g_assert_true (json_parser_load_from_file (pp, cs, &error));
    JsonArray *pa = json_object_get_array_member (json_node_get_object (json_parser_get_root (pp)), "probes");
    g_assert_cmpuint (json_array_get_length (pa), ==, 2);
    JsonObject *c0 = json_array_get_object_element (pa, 0);
    g_assert_cmpfloat (json_object_get_double_member (c0, "same_class"), ==, 1.0);
    g_assert_cmpint (json_object_get_int_member (c0, "transposition"), ==, 0);
    g_assert_cmpfloat (json_object_get_double_member (c0, "moved_with_transposition"), ==, 1.0);
    g_assert_false (json_object_has_member (json_array_get_object_element (pa, 1), "transposition"));
    g_autofree char *po = g_build_filename (cf, "difference", "probe-chord-layer01-edited.npy", NULL);
    g_assert_true (g_file_test (po, G_FILE_TEST_EXISTS));
  }
  /* transposed by +2 semitones: chord frames are counted against the moved class */
  r = run_cli ("counterfactual", wav, "--model", model_path (), "--probe", chord_path,
               "--edit", "transpose:+2", "--out", cf, "--no-attention", NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  {
    g_autofree char *cs = g_build_filename (cf, "summary.json", NULL);
    g_autoptr(JsonParser) pp = json_parser_new ();
    g_assert_true (json_parser_load_from_file (pp, cs, &error));
    JsonObject *c0 = json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (json_parser_get_root (pp)), "probes"), 0);
    g_assert_cmpint (json_object_get_int_member (c0, "transposition"), ==, 2);
    double moved = json_object_get_double_member (c0, "moved_with_transposition");
    g_assert_cmpfloat (moved, >=, 0.0);
    g_assert_cmpfloat (moved, <=, 1.0);
  }

  /* occlusion and a received-attention target, as SVG */
  g_autofree char *svg = g_build_filename (dir, "occ.svg", NULL);
  r = run_cli ("attribute", wav, "--model", model_path (), "--target", "received:1:mean@6.0",
               "--method", "occlusion", "--patch", "4x16", "--figure", svg, "--out", out, NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  g_assert_true (g_file_test (svg, G_FILE_TEST_EXISTS));

  struct { const char *target, *needle; } bad[] = {
    { "class:B:min@4.0", "no class “B:min”" },
    { "class:A:maj@40.0", "after the end of the track" },
    { "cosine@1.0", "two times" },
    { "received:7:1@1.0", "layer 7 head 1 does not exist" },
    { "received:0:1@1.0", "layer 0 is the input embedding" },
    { "received:1:0@1.0", "heads are numbered 1…H" },
    { "wobble@1.0", "unknown target" },
    { "class:A:maj", "no time" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      r = run_cli ("attribute", wav, "--model", model_path (), "--probe", probe_path,
                   "--target", bad[i].target, "--out", out, NULL);
      g_test_message ("%s → %d: %s", bad[i].target, r.status, r.err);
      g_assert_cmpint (r.status, !=, 0);
      g_assert_nonnull (strstr (r.err, bad[i].needle));
      result_clear (&r);
    }
  rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli/counterfactual/against-rubberband", test_counterfactual);
  g_test_add_func ("/cli/counterfactual/bad-edits", test_bad_edits);
  g_test_add_func ("/cli/attribute", test_attribute);
  return g_test_run ();
}
