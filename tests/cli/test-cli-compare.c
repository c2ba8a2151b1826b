/* test-cli-compare.c — `vitascope-cli compare` end to end: usage errors (exit 2); a
 * front-end mismatch refused naming both files and the field; each side's arrays
 * byte-identical to a separate `analyze` run (for a second model file and for the
 * twin, whose weights equal `init-model --seed N`'s byte for byte); a model against
 * itself gives differences that are exactly 0, against its twin not; the table files;
 * probes of each side (--probes-a / --probes-b) give per-layer probe rows (claim 3),
 * exactly 0 apart for one model twice, and a probe that does not fit its side fails
 * naming it. */
#include "vita-test.h"

#include "model/vita-vit.h"
#include "model/probe/vita-probe.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

static char *tmp_root;
static char *model_a, *model_b, *model_small, *model_twin, *audio;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_root, name, NULL);
}

static void
init_model (const char *path, const char *config, const char *seed)
{
  VitaCliResult r = vita_test_run_cli ("init-model", path, "--config", config, "--seed", seed, "--force", NULL);
  if (r.status != 0)
    g_error ("init-model %s failed: %s", path, r.err);
  vita_test_cli_result_clear (&r);
}

static void
assert_run_ok (VitaCliResult *r, const char *what)
{
  if (r->status != 0)
    g_error ("%s: exit %d: %s", what, r->status, r->err);
}

/* DIR1/NAME and DIR2/NAME have the same bytes. */
static void
assert_same_file (const char *dir1, const char *dir2, const char *name)
{
  g_autofree char *p1 = g_build_filename (dir1, name, NULL);
  g_autofree char *p2 = g_build_filename (dir2, name, NULL);
  g_autofree char *d1 = NULL, *d2 = NULL;
  gsize n1, n2;
  g_autoptr(GError) error = NULL;
  g_assert_true (g_file_get_contents (p1, &d1, &n1, &error));
  g_assert_true (g_file_get_contents (p2, &d2, &n2, &error));
  g_assert_no_error (error);
  if (n1 != n2 || memcmp (d1, d2, n1) != 0)
    g_error ("%s and %s differ (%" G_GSIZE_FORMAT " and %" G_GSIZE_FORMAT " bytes)", p1, p2, n1, n2);
}

static const char *const side_files[] = {
  "mel.npy", "onset.npy", "tokens.npy", "cls.npy", "attention.npy", "received.npy", "ssm.npy",
  "windows.npy",
};

/* Max |x| of DIR/NAME, and checks it holds count values. */
static double
npy_max_abs (const char *dir, const char *name, gsize *count)
{
  g_autofree char *p = g_build_filename (dir, name, NULL);
  int nd;
  gsize shape[VITA_NPY_MAX_DIMS];
  g_autoptr(GError) error = NULL;
  g_autofree float *x = vita_npy_load (p, &nd, shape, &error);
  g_assert_no_error (error);
  gsize n = 1;
  for (int i = 0; i < nd; i++)
    n *= shape[i];
  double m = 0;
  for (gsize i = 0; i < n; i++)
    m = MAX (m, fabs (x[i]));
  *count = n;
  return m;
}

static JsonObject *
load_summary (const char *dir, JsonParser **parser)
{
  g_autofree char *p = g_build_filename (dir, "summary.json", NULL);
  *parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_assert_true (json_parser_load_from_file (*parser, p, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (*parser));
}

static void
test_usage (void)
{
  const char *out = tmp_root;
  struct { const char *a[10]; } cases[] = {
    { { "compare", NULL } },
    { { "compare", audio, "--out", out, NULL } },
    { { "compare", audio, "--model", model_a, "--out", out, NULL } },           /* no B */
    { { "compare", audio, "--model", model_a, "--model", model_b, "--twin", NULL } },
    { { "compare", audio, "--model", model_a, "--model", model_b, "--seed", "3", NULL } },
    { { "compare", audio, "--model", model_a, "--twin", NULL } },               /* no --out */
  };
  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      const char **a = cases[k].a;
      VitaCliResult r = vita_test_run_cli (a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], NULL);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_nonnull (strstr (r.err, "Usage") ? r.err : strstr (r.err, "vitascope-cli compare"));
      vita_test_cli_result_clear (&r);
    }
  g_autofree char *o = tmp_path ("usage-out");
  VitaCliResult r = vita_test_run_cli ("compare", audio, "--model", model_a, "--twin", "--seed", "x", "--out", o, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--seed"));
  vita_test_cli_result_clear (&r);
}

static void
test_refusals (void)
{
  g_autofree char *o = tmp_path ("refused");
  VitaCliResult r = vita_test_run_cli ("compare", audio, "--model", model_a, "--model", model_small, "--out", o, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "a.safetensors"));
  g_assert_nonnull (strstr (r.err, "small.safetensors"));
  g_assert_nonnull (strstr (r.err, "n_mels"));
  vita_test_cli_result_clear (&r);
  g_assert_false (g_file_test (o, G_FILE_TEST_EXISTS));   /* refused before writing */

  g_autofree char *missing = tmp_path ("missing.safetensors");
  r = vita_test_run_cli ("compare", audio, "--model", model_a, "--model", missing, "--out", o, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "missing.safetensors"));
  g_assert_nonnull (strstr (r.err, "model B"));
  vita_test_cli_result_clear (&r);

  g_autofree char *no_audio = tmp_path ("nothing.wav");
  r = vita_test_run_cli ("compare", no_audio, "--model", model_a, "--twin", "--out", o, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "nothing.wav"));
  vita_test_cli_result_clear (&r);
}

/* compare A B == analyze A + analyze B, file for file. */
static void
test_matches_analyze (void)
{
  g_autofree char *cmp = tmp_path ("cmp-ab");
  g_autofree char *an_a = tmp_path ("an-a");
  g_autofree char *an_b = tmp_path ("an-b");
  VitaCliResult r = vita_test_run_cli ("compare", audio, "--model", model_a, "--model", model_b, "--out", cmp, NULL);
  assert_run_ok (&r, "compare A B");
  vita_test_cli_result_clear (&r);
  r = vita_test_run_cli ("analyze", audio, "--model", model_a, "--out", an_a, NULL);
  assert_run_ok (&r, "analyze A");
  vita_test_cli_result_clear (&r);
  r = vita_test_run_cli ("analyze", audio, "--model", model_b, "--out", an_b, NULL);
  assert_run_ok (&r, "analyze B");
  vita_test_cli_result_clear (&r);
  g_autofree char *ca = g_build_filename (cmp, "a", NULL);
  g_autofree char *cb = g_build_filename (cmp, "b", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (side_files); i++)
    {
      assert_same_file (ca, an_a, side_files[i]);
      assert_same_file (cb, an_b, side_files[i]);
    }
  g_autofree char *cd = g_build_filename (cmp, "diff", NULL);
  gsize n;
  g_assert_cmpfloat (npy_max_abs (cd, "received.npy", &n), >, 0);
  g_assert_cmpfloat (npy_max_abs (cd, "attention.npy", &n), >, 0);
  g_assert_cmpfloat (npy_max_abs (cd, "ssm.npy", &n), >, 0);
  for (const char *const *f = (const char *const[]) { "table.csv", "table.npy", "table.pdf",
                                                      "table.png", NULL }; *f; f++)
    {
      g_autofree char *p = g_build_filename (cmp, *f, NULL);
      g_assert_true (g_file_test (p, G_FILE_TEST_IS_REGULAR));
    }
}

/* --twin --seed 11: B is `init-model --seed 11` with A's configuration, byte for byte
 * (weights in memory, and every array of the analysis). */
static void
test_twin (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaVit) a = vita_vit_load (model_a, &error);
  g_assert_no_error (error);
  g_autoptr(VitaVit) twin = vita_vit_new_twin (a, 11);
  g_autoptr(VitaVit) file = vita_vit_load (model_twin, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (twin->num_params, ==, file->num_params);
  g_assert_cmpmem (twin->memory, twin->num_params * sizeof (float), file->memory,
                   file->num_params * sizeof (float));

  g_autofree char *cmp = tmp_path ("cmp-twin");
  g_autofree char *an_t = tmp_path ("an-twin");
  g_autofree char *an_a = tmp_path ("an-a2");
  VitaCliResult r = vita_test_run_cli ("compare", audio, "--model", model_a, "--twin", "--seed", "11", "--out", cmp,
                      NULL);
  assert_run_ok (&r, "compare --twin");
  g_assert_nonnull (strstr (r.out, "random-init twin, seed 11"));
  vita_test_cli_result_clear (&r);
  r = vita_test_run_cli ("analyze", audio, "--model", model_twin, "--out", an_t, NULL);
  assert_run_ok (&r, "analyze twin file");
  vita_test_cli_result_clear (&r);
  r = vita_test_run_cli ("analyze", audio, "--model", model_a, "--out", an_a, NULL);
  assert_run_ok (&r, "analyze A");
  vita_test_cli_result_clear (&r);
  g_autofree char *ca = g_build_filename (cmp, "a", NULL);
  g_autofree char *cb = g_build_filename (cmp, "b", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (side_files); i++)
    {
      assert_same_file (ca, an_a, side_files[i]);
      assert_same_file (cb, an_t, side_files[i]);
    }
  g_autofree char *cd = g_build_filename (cmp, "diff", NULL);
  gsize n;
  g_assert_cmpfloat (npy_max_abs (cd, "received.npy", &n), >, 0);
  g_assert_cmpfloat (npy_max_abs (cd, "attention.npy", &n), >, 0);
  g_assert_cmpfloat (npy_max_abs (cd, "ssm.npy", &n), >, 0);

  g_autoptr(JsonParser) parser = NULL;
  JsonObject *s = load_summary (cmp, &parser);
  g_assert_cmpstr (json_object_get_string_member (s, "format"), ==, "vitascope-comparison");
  JsonObject *mb = json_object_get_object_member (s, "model_b");
  g_assert_cmpint (json_object_get_int_member (mb, "twin_seed"), ==, 11);
  g_assert_cmpstr (json_object_get_string_member (mb, "label"), ==, "random-init twin, seed 11");
  g_assert_cmpstr (json_object_get_string_member (mb, "twin_of"), ==,
                   json_object_get_string_member (json_object_get_object_member (s, "model_a"), "sha256"));
  JsonObject *d = json_object_get_object_member (s, "differences");
  g_assert_cmpfloat (json_object_get_double_member (d, "ssm_max_abs"), >, 0);
  JsonArray *rows = json_object_get_array_member (json_object_get_object_member (s, "table"), "rows");
  g_assert_cmpuint (json_array_get_length (rows), >, 0);
}

/* A model against itself: every difference exactly 0, and so is every A − B of the
 * table; the table's CSV has one line per row of summary.json. */
static void
test_self (void)
{
  g_autofree char *cmp = tmp_path ("cmp-self");
  g_autofree char *onsets = tmp_path ("clip.onsets.txt");
  g_assert_true (g_file_set_contents (onsets, "0.5\n1.0\n1.5\n2.0\n", -1, NULL));
  VitaCliResult r = vita_test_run_cli ("compare", audio, "--model", model_a, "--model", model_a, "--out", cmp,
                      "--annotations", onsets, "--position", "1.0", NULL);
  assert_run_ok (&r, "compare A A");
  vita_test_cli_result_clear (&r);
  g_autofree char *cd = g_build_filename (cmp, "diff", NULL);
  const char *const diffs[] = { "received.npy", "ssm.npy", "attention.npy" };
  for (guint i = 0; i < G_N_ELEMENTS (diffs); i++)
    {
      gsize n = 0;
      double m = npy_max_abs (cd, diffs[i], &n);
      g_assert_cmpuint (n, >, 0);
      if (m != 0)
        g_error ("diff/%s of a model with itself: max |A − B| = %g, not 0", diffs[i], m);
    }
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *s = load_summary (cmp, &parser);
  JsonObject *d = json_object_get_object_member (s, "differences");
  g_assert_cmpfloat (json_object_get_double_member (d, "received_max_abs"), ==, 0);
  g_assert_cmpfloat (json_object_get_double_member (d, "attention_max_abs"), ==, 0);
  JsonArray *rows = json_object_get_array_member (json_object_get_object_member (s, "table"), "rows");
  gboolean has_onset_f = FALSE;
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      JsonNode *diff = json_object_get_member (row, "a_minus_b");
      if (!JSON_NODE_HOLDS_NULL (diff))
        g_assert_cmpfloat (json_node_get_double (diff), ==, 0);
      has_onset_f |= g_str_has_prefix (json_object_get_string_member (row, "measure"), "onset_f");
    }
  g_assert_true (has_onset_f);   /* onsets given: onset F, not flux r */
  g_autofree char *csv_path = g_build_filename (cmp, "table.csv", NULL);
  g_autofree char *csv = NULL;
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_auto(GStrv) lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, json_array_get_length (rows) + 2);   /* header, final "" */
  gsize n;
  npy_max_abs (cmp, "table.npy", &n);
  g_assert_cmpuint (n, ==, 3 * json_array_get_length (rows));
}

/* An onset probe (test config: 16 dimensions) of a token layer. */
static char *
write_probe (const char *name, int dim, int layer)
{
  g_autoptr(VitaProbe) probe = vita_probe_new (dim, 1, VITA_PROBE_SIGMOID);
  g_autoptr(GError) error = NULL;
  g_free (probe->task);
  probe->task = g_strdup ("onset");
  probe->frame_level = TRUE;
  probe->layer = layer;
  probe->pool = VITA_POOL_TOKEN;
  g_ptr_array_set_size (probe->labels, 0);
  g_ptr_array_add (probe->labels, g_strdup ("onset"));
  for (int i = 0; i < dim; i++)
    probe->weight[i] = 0.3f * (float) ((i * 7 + layer) % 5) - 0.6f;
  char *path = tmp_path (name);
  g_assert_true (vita_probe_save (probe, path, &error));
  g_assert_no_error (error);
  return path;
}

/* The table row (measure, layer) of a summary, or NULL. */
static JsonObject *
find_row (JsonObject *summary, const char *measure, int layer)
{
  JsonArray *rows = json_object_get_array_member (json_object_get_object_member (summary, "table"), "rows");
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      if (g_strcmp0 (json_object_get_string_member (row, "measure"), measure) == 0 &&
          json_object_get_int_member (row, "layer") == layer)
        return row;
    }
  return NULL;
}

static void
test_probes (void)
{
  g_autofree char *onsets = tmp_path ("probe-clip.onsets.txt");
  g_assert_true (g_file_set_contents (onsets, "0.25\n0.5\n1.0\n1.5\n2.0\n2.5\n", -1, NULL));
  g_autofree char *pa1 = write_probe ("pa1.safetensors", 16, 1);
  g_autofree char *pa2 = write_probe ("pa2.safetensors", 16, 2);
  g_autofree char *pb1 = write_probe ("pb1.safetensors", 16, 1);

  /* A and B, each with its probes: rows per layer either side probed */
  g_autofree char *cmp = tmp_path ("cmp-probes");
  VitaCliResult r = vita_test_run_cli ("compare", audio, "--model", model_a, "--model", model_b,
                                       "--out", cmp, "--annotations", onsets, "--probes-a", pa1,
                                       "--probes-a", pa2, "--probes-b", pb1, NULL);
  assert_run_ok (&r, "compare --probes-a --probes-b");
  vita_test_cli_result_clear (&r);
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *s = load_summary (cmp, &parser);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (s, "probes_a")), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (s, "probes_b")), ==, 1);
  JsonObject *l1 = find_row (s, "probe_onset", 1);
  JsonObject *l2 = find_row (s, "probe_onset", 2);
  g_assert_nonnull (l1);
  g_assert_nonnull (l2);
  g_assert_null (find_row (s, "probe_onset", 0));   /* nobody probed layer 0 */
  double a1 = json_object_get_double_member (l1, "a"), b1 = json_object_get_double_member (l1, "b");
  g_assert_true (a1 >= 0 && a1 <= 1 && b1 >= 0 && b1 <= 1);
  g_assert_cmpfloat (json_object_get_double_member (l1, "a_minus_b"), ==, a1 - b1);
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (l2, "b")));   /* B: no layer-2 probe */
  g_autofree char *csv_path = g_build_filename (cmp, "table.csv", NULL);
  g_autofree char *csv = NULL;
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_assert_nonnull (strstr (csv, "\nprobe_onset,1,,"));
  g_assert_nonnull (strstr (csv, "\nprobe_onset,2,,"));
  g_assert_nonnull (strstr (json_object_get_string_member (json_object_get_object_member (s, "table"), "note"),
                            "probe_TASK"));

  /* one model twice with the same probe on both sides: A − B exactly 0 */
  g_autofree char *self = tmp_path ("cmp-probes-self");
  r = vita_test_run_cli ("compare", audio, "--model", model_a, "--model", model_a, "--out", self,
                         "--annotations", onsets, "--probes-a", pa1, "--probes-b", pa1, NULL);
  assert_run_ok (&r, "compare A A with probes");
  vita_test_cli_result_clear (&r);
  g_autoptr(JsonParser) p2 = NULL;
  JsonObject *s2 = load_summary (self, &p2);
  JsonObject *row = find_row (s2, "probe_onset", 1);
  g_assert_nonnull (row);
  g_assert_cmpfloat (json_object_get_double_member (row, "a_minus_b"), ==, 0);

  /* a probe that does not fit model B: exit 1 naming model B and the probe */
  g_autofree char *wide = write_probe ("wide.safetensors", 24, 1);
  g_autofree char *bad = tmp_path ("cmp-probes-bad");
  r = vita_test_run_cli ("compare", audio, "--model", model_a, "--model", model_b, "--out", bad,
                         "--probes-b", wide, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "model B"));
  g_assert_nonnull (strstr (r.err, "wide.safetensors"));
  vita_test_cli_result_clear (&r);
  /* a file that is not a probe: exit 1 naming it */
  r = vita_test_run_cli ("compare", audio, "--model", model_a, "--twin", "--out", bad,
                         "--probes-a", onsets, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "probe-clip.onsets.txt"));
  vita_test_cli_result_clear (&r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_autoptr(GError) error = NULL;
  tmp_root = g_dir_make_tmp ("vita-cli-compare-XXXXXX", &error);
  g_assert_no_error (error);
  model_a = tmp_path ("a.safetensors");
  model_b = tmp_path ("b.safetensors");
  model_small = tmp_path ("small.safetensors");
  model_twin = tmp_path ("twin11.safetensors");
  audio = vita_test_data_path ("ana_clip.wav");
  init_model (model_a, "test", "3");
  init_model (model_b, "test", "7");
  init_model (model_small, "small-4l", "1");
  init_model (model_twin, "test", "11");
  g_test_add_func ("/cli-compare/usage", test_usage);
  g_test_add_func ("/cli-compare/refusals", test_refusals);
  g_test_add_func ("/cli-compare/matches-analyze", test_matches_analyze);
  g_test_add_func ("/cli-compare/twin", test_twin);
  g_test_add_func ("/cli-compare/self", test_self);
  g_test_add_func ("/cli-compare/probes", test_probes);
  int status = g_test_run ();
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmp_root);
  if (g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL) == FALSE)
    g_printerr ("could not remove %s\n", tmp_root);
  return status;
}
