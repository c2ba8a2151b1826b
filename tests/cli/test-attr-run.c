/* test-attr-run.c — app/vita-attr-run.c: a probe range cut at window ownership and
 * computed nearest the playhead first, the pieces' sum equal to the whole target's
 * attribution; the settings' JSON (sidecars, sessions) and its errors. */
#include "vita-test.h"

#include "app/vita-attr-run.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

typedef struct {
  int     near;
  GArray *distances;   /* int: distance of each new piece's frames to near */
  float  *seen;        /* the map at the previous call */
  gsize   n;
} Watch;

static void
on_piece (const VitaAttrRun *run, gpointer data)
{
  Watch *w = data;
  const int M = run->n_mels;
  int lo = G_MAXINT, hi = -1;
  for (int f = 0; f < run->n_frames; f++)
    if (isnan (w->seen[(gsize) f * M]) && !isnan (run->map[(gsize) f * M]))
      lo = MIN (lo, f), hi = MAX (hi, f);
  g_assert_cmpint (hi, >=, lo);
  int d = w->near < lo ? lo - w->near : w->near > hi ? w->near - hi : 0;
  g_array_append_val (w->distances, d);
  memcpy (w->seen, run->map, w->n * sizeof (float));
}

static void
test_pieces_nearest_first (void)
{
  VitaVitConfig cfg;
  g_assert_true (vita_vit_config_init_preset (&cfg, "test", NULL));
  g_autoptr(VitaVit) vit = vita_vit_new_random (&cfg, 5);
  const int T = cfg.frames, M = cfg.fe.n_mels, n_frames = 4 * T;
  g_autofree float *mel = g_new (float, (gsize) n_frames * M);
  for (int f = 0; f < n_frames; f++)
    for (int m = 0; m < M; m++)
      mel[(gsize) f * M + m] = sinf (0.37f * f + 0.5f * m) + 0.2f * cosf (0.05f * f * m);
  VitaAnalysisOptions aopt;
  vita_analysis_options_init (&aopt);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaAnalysis) an = vita_analysis_new (vit, mel, n_frames, &aopt, &error);
  g_assert_no_error (error);
  g_autoptr(VitaProbe) probe = vita_probe_new (cfg.dim, 3, VITA_PROBE_SOFTMAX);
  probe->layer = 1;
  probe->frame_level = TRUE;
  probe->pool = VITA_POOL_TOKEN;
  GRand *rand = g_rand_new_with_seed (9);
  for (int i = 0; i < 3 * cfg.dim; i++)
    probe->weight[i] = (float) g_rand_double_range (rand, -1, 1);
  g_rand_free (rand);

  /* the class over frames 2 … n − 3 (every window owns some), the playhead late */
  const double spf = (double) cfg.fe.hop_length / cfg.fe.sample_rate;
  const int a = 2, b = n_frames - 3;
  g_auto(VitaAttrSettings) s;
  vita_attr_settings_init (&s);
  s.target = g_strdup_printf ("class:1@%.6f-%.6f", a * spf, b * spf);
  s.steps = 16;
  Watch w = { .near = 3 * T, .distances = g_array_new (FALSE, FALSE, sizeof (int)),
              .n = (gsize) n_frames * M };
  w.seen = g_new (float, w.n);
  for (gsize i = 0; i < w.n; i++)
    w.seen[i] = NAN;
  g_autoptr(VitaAttrRun) run = vita_attr_run (&s, an, probe, w.near, NULL, on_piece, &w, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run->n_pieces, ==, an->n_windows);
  g_assert_cmpint ((int) w.distances->len, ==, run->n_pieces);
  g_assert_cmpint (g_array_index (w.distances, int, 0), ==, 0);   /* the playhead's piece first */
  for (guint i = 1; i < w.distances->len; i++)
    g_assert_cmpint (g_array_index (w.distances, int, i), >=, g_array_index (w.distances, int, i - 1));

  /* the sum of the pieces = the whole target's attribution */
  VitaAttrTarget t;
  VitaAttrOptions opt;
  g_assert_true (vita_attr_settings_options (&s, &opt, &error));
  g_assert_true (vita_attr_target_parse (s.target, "target", vit, probe, n_frames, &t, &error));
  g_assert_cmpint (t.frame, ==, a);
  g_assert_cmpint (t.frame_end, ==, b + 1);
  g_autoptr(VitaAttribution) whole = vita_attribution_compute (an, &t, &opt, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  double amax = 0, dmax = 0;
  for (gsize i = 0; i < w.n; i++)
    {
      float got = isnan (run->map[i]) ? 0.0f : run->map[i];
      amax = MAX (amax, fabs (whole->map[i]));
      dmax = MAX (dmax, fabs (got - whole->map[i]));
    }
  g_test_message ("%d pieces, max |Δ| %.3g of max %.3g; completeness %.3g vs %.3g", run->n_pieces,
                  dmax, amax, run->completeness, whole->completeness);
  g_assert_cmpfloat (amax, >, 0);
  g_assert_cmpfloat (dmax, <=, 1e-5 * amax);
  g_assert_cmpfloat (fabs (run->f_input - whole->f_input), <=, 1e-4 * (1 + fabs (whole->f_input)));
  g_assert_cmpfloat (fabs (run->sum - whole->sum), <=, 1e-4 * (1 + fabs (whole->sum)));
  g_assert_cmpfloat (run->completeness, <, 0.01);
  g_free (w.seen);
  g_array_unref (w.distances);

  /* a bad target names itself */
  g_free (s.target);
  s.target = g_strdup ("class:7@0.1");
  g_assert_null (vita_attr_run (&s, an, probe, 0, NULL, NULL, NULL, NULL, &error));
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "class:7@0.1"));
}

static JsonObject *
parse (const char *text, JsonParser *parser)
{
  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_settings_json (void)
{
  g_auto(VitaAttrSettings) s;
  vita_attr_settings_init (&s);
  s.target = g_strdup ("received:2:mean@12.5");
  g_free (s.method);
  s.method = g_strdup ("occlusion");
  s.patch_frames = 4;
  s.patch_bands = 16;
  s.opacity = 0.25;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  vita_attr_settings_write (&s, b);
  json_builder_end_object (b);
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  g_autoptr(GError) error = NULL;
  g_auto(VitaAttrSettings) r = { 0 };
  g_assert_true (vita_attr_settings_read (&r, json_node_get_object (root), "x.json", &error));
  g_assert_cmpstr (r.target, ==, s.target);
  g_assert_cmpstr (r.method, ==, "occlusion");
  g_assert_cmpint (r.patch_frames, ==, 4);
  g_assert_cmpint (r.patch_bands, ==, 16);
  g_assert_null (r.probe);
  g_assert_cmpfloat (r.opacity, ==, 0.25);
  g_autofree char *label = vita_attr_settings_label (&r);
  g_assert_cmpstr (label, ==, "occlusion · received:2:mean@12.5");

  /* none written without a target; none read when absent */
  g_auto(VitaAttrSettings) none = { 0 };
  g_autoptr(JsonBuilder) b2 = json_builder_new ();
  json_builder_begin_object (b2);
  vita_attr_settings_write (&none, b2);
  json_builder_end_object (b2);
  g_autoptr(JsonNode) root2 = json_builder_get_root (b2);
  g_assert_false (json_object_has_member (json_node_get_object (root2), "attribution"));
  g_assert_true (vita_attr_settings_read (&none, json_node_get_object (root2), "x.json", &error));
  g_assert_null (none.target);

  /* bad values: the file and the field named, nothing taken */
  static const struct { const char *json, *field; } bad[] = {
    { "{\"attribution\": 3}", "attribution" },
    { "{\"attribution\": {\"method\": \"ig\"}}", "attribution.target" },
    { "{\"attribution\": {\"target\": \"class:C@1\", \"steps\": 0}}", "attribution.steps" },
    { "{\"attribution\": {\"target\": \"class:C@1\", \"steps\": 1.5}}", "attribution.steps" },
    { "{\"attribution\": {\"target\": \"class:C@1\", \"method\": \"magic\"}}", "attribution.method" },
    { "{\"attribution\": {\"target\": \"class:C@1\", \"opacity\": 2}}", "attribution.opacity" },
    { "{\"attribution\": {\"target\": 7}}", "attribution.target" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonParser) p = json_parser_new ();
      g_auto(VitaAttrSettings) out = { 0 };
      g_clear_error (&error);
      g_assert_false (vita_attr_settings_read (&out, parse (bad[i].json, p), "bad.json", &error));
      g_test_message ("%s → %s", bad[i].json, error->message);
      g_assert_nonnull (strstr (error->message, "bad.json"));
      g_assert_nonnull (strstr (error->message, bad[i].field));
      g_assert_null (out.target);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/attr-run/pieces-nearest-first", test_pieces_nearest_first);
  g_test_add_func ("/attr-run/settings-json", test_settings_json);
  return g_test_run ();
}
