/* test-attribution.c — attribution targets and their input gradients against PyTorch
 * autograd (tests/make_golden_attribution.py, float64), integrated gradients'
 * completeness, occlusion outside the target's window, cancellation and bad targets. */
#include "vita-test.h"
#include "model/explain/vita-attribution.h"

#include <math.h>
#include <string.h>

static VitaVit *
load_model (const char *tag, int *B_out, float **input_out)
{
  g_autofree char *cn = g_strdup_printf ("attribution/%s_config.npy", tag);
  g_autofree char *pn = g_strdup_printf ("attribution/%s_params.npy", tag);
  g_autofree char *in = g_strdup_printf ("attribution/%s_input.npy", tag);
  g_autofree float *c = vita_test_load_npy (cn, NULL, NULL, NULL);
  VitaVitConfig cfg;
  g_assert_true (vita_vit_config_init_preset (&cfg, "test", NULL));
  cfg.fe.n_mels = c[0];
  cfg.frames = c[1];
  cfg.dim = c[2];
  cfg.depth = c[3];
  cfg.heads = c[4];
  cfg.mlp_dim = c[5];
  cfg.proj_dim = c[6];
  cfg.temperature = c[7];
  *B_out = c[8];
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_vit_config_validate (&cfg, &error));
  VitaVit *vit = vita_vit_new (&cfg);
  gsize n;
  g_autofree float *params = vita_test_load_npy (pn, NULL, NULL, &n);
  g_assert_cmpuint (n, ==, vit->num_params);
  memcpy (vit->memory, params, n * sizeof (float));
  if (input_out)
    *input_out = vita_test_load_npy (in, NULL, NULL, NULL);
  return vit;
}

static VitaProbe *
load_probe (const char *tag, int dim, int layer, gboolean frame_level, VitaPool pool,
            VitaProbeActivation act)
{
  g_autofree char *wn = g_strdup_printf ("attribution/%s_probe_w.npy", tag);
  g_autofree char *bn = g_strdup_printf ("attribution/%s_probe_b.npy", tag);
  gsize shape[VITA_NPY_MAX_DIMS];
  g_autofree float *w = vita_test_load_npy (wn, NULL, shape, NULL);
  g_autofree float *b = vita_test_load_npy (bn, NULL, NULL, NULL);
  g_assert_cmpuint (shape[1], ==, dim);
  VitaProbe *p = vita_probe_new (dim, shape[0], act);
  memcpy (p->weight, w, shape[0] * dim * sizeof (float));
  memcpy (p->bias, b, shape[0] * sizeof (float));
  p->layer = layer;
  p->frame_level = frame_level;
  p->pool = pool;
  return p;
}

/* |got − want| ≤ tol · max|want| (no floor: gradients can be small) */
static void
assert_close_to_scale (const char *what, const float *got, const float *want, gsize n, double tol)
{
  double scale = 0;
  for (gsize i = 0; i < n; i++)
    scale = fmax (scale, fabs (want[i]));
  g_assert_cmpfloat (scale, >, 0);
  vita_test_assert_close (what, got, want, n, tol * scale);
}

static void
check_targets (gconstpointer data)
{
  const char *tag = data;
  int B;
  g_autofree float *input = NULL;
  g_autoptr(VitaVit) vit = load_model (tag, &B, &input);
  const VitaVitConfig *c = &vit->cfg;
  const int L = c->depth, D = c->dim;
  const gsize TM = (gsize) c->frames * c->fe.n_mels;
  g_autofree char *rn = g_strdup_printf ("attribution/%s_reference.npy", tag);
  g_autofree float *reference = vita_test_load_npy (rn, NULL, NULL, NULL);

  g_autoptr(VitaProbe) p_logit = load_probe (tag, D, 1, TRUE, VITA_POOL_TOKEN, VITA_PROBE_SOFTMAX);
  g_autoptr(VitaProbe) p_soft = load_probe (tag, D, L, TRUE, VITA_POOL_TOKEN, VITA_PROBE_SOFTMAX);
  g_autoptr(VitaProbe) p_sig = load_probe (tag, D, L, FALSE, VITA_POOL_CLS_MEAN, VITA_PROBE_SIGMOID);
  g_autoptr(VitaProbe) p_mean = load_probe (tag, D, 1, FALSE, VITA_POOL_MEAN, VITA_PROBE_SOFTMAX);

  struct { const char *name; VitaAttrWindowTarget t; } cases[] = {
    { "probe_logit", { .kind = VITA_ATTR_TARGET_PROBE, .probe = p_logit, .class_index = 2,
                       .row_first = 3, .row_last = 3 } },
    { "probe_softmax_range", { .kind = VITA_ATTR_TARGET_PROBE, .probe = p_soft, .class_index = 4,
                               .probability = TRUE, .row_first = 2, .row_last = 5 } },
    { "probe_clip_sigmoid", { .kind = VITA_ATTR_TARGET_PROBE, .probe = p_sig, .class_index = 1,
                              .probability = TRUE } },
    { "probe_clip_mean_logit", { .kind = VITA_ATTR_TARGET_PROBE, .probe = p_mean, .class_index = 0 } },
    { "cosine", { .kind = VITA_ATTR_TARGET_COSINE, .layer = L, .reference = reference } },
    { "cosine_l0", { .kind = VITA_ATTR_TARGET_COSINE, .layer = 0, .reference = reference } },
    { "received_b0_h1", { .kind = VITA_ATTR_TARGET_RECEIVED, .block = 0, .head = 1, .key_row = 4 } },
    { "received_last_mean", { .kind = VITA_ATTR_TARGET_RECEIVED, .block = L - 1, .head = -1,
                              .key_row = 2 } },
  };
  g_autoptr(VitaAttrEngine) e = vita_attr_engine_new (vit, B);
  g_autofree float *grad = g_new (float, B * TM);
  g_autofree double *values = g_new (double, B);
  g_autofree float *vf = g_new (float, B);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *vn = g_strdup_printf ("attribution/%s_%s_value.npy", tag, cases[i].name);
      g_autofree char *gn = g_strdup_printf ("attribution/%s_%s_grad.npy", tag, cases[i].name);
      g_autofree float *v_want = vita_test_load_npy (vn, NULL, NULL, NULL);
      g_autofree float *g_want = vita_test_load_npy (gn, NULL, NULL, NULL);
      /* twice: the engine's buffers must not carry anything from one call to the next */
      for (int rep = 0; rep < 2; rep++)
        {
          memset (grad, 0xff, B * TM * sizeof (float));  /* NaN: every element must be written */
          vita_attr_engine_eval (e, &cases[i].t, input, B, values, grad);
          for (int b = 0; b < B; b++)
            vf[b] = values[b];
          g_autofree char *w1 = g_strdup_printf ("%s %s value", tag, cases[i].name);
          g_autofree char *w2 = g_strdup_printf ("%s %s gradient", tag, cases[i].name);
          assert_close_to_scale (w1, vf, v_want, B, 1e-5);
          assert_close_to_scale (w2, grad, g_want, B * TM, 1e-4);
        }
      /* the value without the gradient is the same */
      vita_attr_engine_eval (e, &cases[i].t, input, B, values, NULL);
      for (int b = 0; b < B; b++)
        g_assert_cmpfloat (fabs (values[b] - vf[b]), <=, 1e-6 * fmax (1, fabs (vf[b])));
    }
}

/* A track of 3.5 windows of the golden input's frames (smooth enough to be music-like
 * for a random model: a sum of the golden windows with a slow ramp). */
static VitaAnalysis *
make_track (VitaVit *vit, const float *input, int n_frames)
{
  const int T = vit->cfg.frames, M = vit->cfg.fe.n_mels;
  g_autofree float *mel = g_new (float, (gsize) n_frames * M);
  for (int f = 0; f < n_frames; f++)
    for (int m = 0; m < M; m++)
      mel[(gsize) f * M + m] = input[(gsize) (f % T) * M + m] + 0.3f * sinf (0.37f * f + m);
  VitaAnalysisOptions opt;
  vita_analysis_options_init (&opt);
  g_autoptr(GError) error = NULL;
  VitaAnalysis *an = vita_analysis_new (vit, mel, n_frames, &opt, &error);
  g_assert_no_error (error);
  return an;
}

static void
check_ig_completeness (void)
{
  int B;
  g_autofree float *input = NULL;
  g_autoptr(VitaVit) vit = load_model ("attr_test", &B, &input);
  const int T = vit->cfg.frames;
  g_autoptr(VitaAnalysis) an = make_track (vit, input, 3 * T + T / 2);
  g_autoptr(VitaProbe) probe = load_probe ("attr_test", vit->cfg.dim, 2, TRUE, VITA_POOL_TOKEN,
                                           VITA_PROBE_SOFTMAX);
  VitaAttrTarget targets[4];
  vita_attr_target_init (&targets[0], VITA_ATTR_TARGET_PROBE);
  targets[0].probe = probe;
  targets[0].class_index = 3;
  targets[0].frame = 13;
  vita_attr_target_init (&targets[1], VITA_ATTR_TARGET_PROBE);  /* a range over windows */
  targets[1].probe = probe;
  targets[1].class_index = 1;
  targets[1].probability = TRUE;
  targets[1].frame = 2;
  targets[1].frame_end = 3 * T;
  vita_attr_target_init (&targets[2], VITA_ATTR_TARGET_COSINE);
  targets[2].frame = 5;
  targets[2].ref_frame = 3 * T;
  vita_attr_target_init (&targets[3], VITA_ATTR_TARGET_RECEIVED);
  targets[3].frame = 2 * T + 1;
  targets[3].block = 1;
  targets[3].head = 0;
  VitaAttrOptions opt;
  vita_attr_options_init (&opt);
  opt.method = VITA_ATTR_INTEGRATED_GRADIENTS;
  opt.steps = 64;
  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VitaAttribution) a = vita_attribution_compute (an, &targets[i], &opt, NULL, NULL,
                                                               NULL, &error);
      g_assert_no_error (error);
      double d = a->f_input - a->f_baseline;
      g_test_message ("target %u: %d windows, f(x) %.6g f(b) %.6g, Σ %.6g, completeness error %.3g %%",
                      i, a->n_windows, a->f_input, a->f_baseline, a->sum, 100 * a->completeness);
      g_assert_cmpfloat (fabs (d), >, 1e-3);   /* a target that does not move tests nothing */
      g_assert_cmpfloat (a->completeness, <=, 0.01);
      if (i == 1)
        g_assert_cmpint (a->n_windows, >=, 3);
    }
  /* with 2 steps the rule is too coarse to be complete: the check can fail */
  opt.steps = 2;
  g_autoptr(VitaAttribution) coarse = vita_attribution_compute (an, &targets[3], &opt, NULL, NULL,
                                                                NULL, NULL);
  g_test_message ("2 steps: completeness error %.3g %%", 100 * coarse->completeness);
  g_assert_cmpfloat (coarse->completeness, >, 0.01);
}

static void
check_occlusion_outside (void)
{
  int B;
  g_autofree float *input = NULL;
  g_autoptr(VitaVit) vit = load_model ("attr_test", &B, &input);
  const int T = vit->cfg.frames, M = vit->cfg.fe.n_mels;
  const int n_frames = 5 * T;
  g_autoptr(VitaAnalysis) an = make_track (vit, input, n_frames);
  VitaAttrTarget t;
  vita_attr_target_init (&t, VITA_ATTR_TARGET_RECEIVED);
  t.frame = 2 * T + 2;
  t.block = 1;
  t.head = -1;
  VitaAttrOptions opt;
  vita_attr_options_init (&opt);
  opt.method = VITA_ATTR_OCCLUSION;
  opt.patch_frames = 2;
  opt.patch_bands = 4;
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaAttribution) a = vita_attribution_compute (an, &t, &opt, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  int w = an->frame_window[t.frame];
  int s = an->window_start[w];
  g_assert_cmpint (a->first_frame, ==, s);
  g_assert_cmpint (a->last_frame, ==, s + T);
  int nonzero_inside = 0;
  for (int f = 0; f < n_frames; f++)
    for (int m = 0; m < M; m++)
      {
        float v = a->map[(gsize) f * M + m];
        if (f < s || f >= s + T)
          g_assert_cmpfloat (v, ==, 0.0f);
        else
          nonzero_inside += v != 0.0f;
      }
  g_test_message ("occlusion: window %d (frames %d..%d), %d nonzero cells inside", w, s, s + T - 1,
                  nonzero_inside);
  g_assert_cmpint (nonzero_inside, >, T * M / 2);
  /* a patch's value is the change of the target when the patch is silenced */
  g_autoptr(VitaAttrEngine) e = vita_attr_engine_new (vit, 1);
  g_autofree float *x = g_new (float, (gsize) T * M);
  vita_analysis_window_input (an, w, x);
  VitaAttrWindowTarget wt = { .kind = VITA_ATTR_TARGET_RECEIVED, .block = 1, .head = -1,
                              .key_row = 1 + t.frame - s };
  double f0, f1;
  vita_attr_engine_eval (e, &wt, x, 1, &f0, NULL);
  int pf = ((s + 3) / 2) * 2;   /* a patch of the grid inside the window */
  for (int f = pf; f < pf + 2; f++)
    for (int m = 4; m < 8; m++)
      x[(gsize) (f - s) * M + m] = an->pad_value;
  vita_attr_engine_eval (e, &wt, x, 1, &f1, NULL);
  g_assert_cmpfloat (fabs (a->map[(gsize) pf * M + 5] - (f0 - f1)), <=, 1e-6);
  g_assert_cmpfloat (fabs (a->f_input - f0), <=, 1e-6);

  /* gradient × input: outside the window also zero, and the map is x ⊙ ∂f/∂x */
  opt.method = VITA_ATTR_GRAD_INPUT;
  g_autoptr(VitaAttribution) gx = vita_attribution_compute (an, &t, &opt, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  for (int f = 0; f < s; f++)
    for (int m = 0; m < M; m++)
      g_assert_cmpfloat (gx->map[(gsize) f * M + m], ==, 0.0f);
}

static void
cancel_at_first (int done, int total, gpointer data)
{
  g_cancellable_cancel (data);
}

static void
check_cancel_and_bad_targets (void)
{
  int B;
  g_autofree float *input = NULL;
  g_autoptr(VitaVit) vit = load_model ("attr_test", &B, &input);
  const int T = vit->cfg.frames;
  g_autoptr(VitaAnalysis) an = make_track (vit, input, 3 * T);
  VitaAttrTarget t;
  vita_attr_target_init (&t, VITA_ATTR_TARGET_COSINE);
  t.frame = 3;
  t.ref_frame = 2 * T;
  VitaAttrOptions opt;
  vita_attr_options_init (&opt);
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  VitaAttribution *a = vita_attribution_compute (an, &t, &opt, cancel_at_first, cancel, cancel, &error);
  g_assert_null (a);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  struct { VitaAttrTargetKind kind; int frame, ref, layer, block, head, cls; const char *needle; } bad[] = {
    { VITA_ATTR_TARGET_COSINE, 3 * T, 0, -1, 0, 0, 0, "outside the track" },
    { VITA_ATTR_TARGET_COSINE, 0, -1, -1, 0, 0, 0, "reference frame" },
    { VITA_ATTR_TARGET_COSINE, 0, 1, 9, 0, 0, 0, "token layer 9" },
    /* 0-based block and head in the API; the message numbers them as a person reads
     * them (layers 1…L, heads 1…H) */
    { VITA_ATTR_TARGET_RECEIVED, 0, 0, 0, 2, 0, 0, "layer 3 head 1 does not exist (layers 1..2" },
    { VITA_ATTR_TARGET_RECEIVED, 0, 0, 0, 0, 5, 0, "head 6" },
    { VITA_ATTR_TARGET_PROBE, 0, 0, 0, 0, 0, 0, "needs a probe" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      vita_attr_target_init (&t, bad[i].kind);
      t.frame = bad[i].frame;
      t.ref_frame = bad[i].ref;
      t.layer = bad[i].layer;
      t.block = bad[i].block;
      t.head = bad[i].head;
      a = vita_attribution_compute (an, &t, &opt, NULL, NULL, NULL, &error);
      g_assert_null (a);
      g_assert_nonnull (error);
      g_test_message ("refused: %s", error->message);
      g_assert_nonnull (strstr (error->message, bad[i].needle));
      g_clear_error (&error);
    }
  g_autoptr(VitaProbe) probe = load_probe ("attr_test", vit->cfg.dim, 2, TRUE, VITA_POOL_TOKEN,
                                           VITA_PROBE_SOFTMAX);
  vita_attr_target_init (&t, VITA_ATTR_TARGET_PROBE);
  t.probe = probe;
  t.class_index = 5;
  a = vita_attribution_compute (an, &t, &opt, NULL, NULL, NULL, &error);
  g_assert_null (a);
  g_assert_nonnull (strstr (error->message, "class 5"));
  g_clear_error (&error);
  probe->layer = 3;
  t.class_index = 0;
  a = vita_attribution_compute (an, &t, &opt, NULL, NULL, NULL, &error);
  g_assert_null (a);
  g_assert_nonnull (strstr (error->message, "does not fit the model"));
}

typedef struct {
  GMainLoop *loop;
  VitaAttribution *result;
  GError *error;
} AsyncData;

static void
on_done (GObject *source, GAsyncResult *res, gpointer data)
{
  AsyncData *d = data;
  d->result = vita_attribution_compute_finish (res, &d->error);
  g_main_loop_quit (d->loop);
}

static void
check_async (void)
{
  int B;
  g_autofree float *input = NULL;
  g_autoptr(VitaVit) vit = load_model ("attr_test", &B, &input);
  const int T = vit->cfg.frames, M = vit->cfg.fe.n_mels;
  g_autoptr(VitaAnalysis) an = make_track (vit, input, 2 * T);
  VitaAttrTarget t;
  vita_attr_target_init (&t, VITA_ATTR_TARGET_RECEIVED);
  t.frame = T;
  t.block = 0;
  t.head = 1;
  VitaAttrOptions opt;
  vita_attr_options_init (&opt);
  opt.steps = 16;
  /* the same map as the synchronous call, delivered in the main loop */
  g_autoptr(VitaAttribution) sync = vita_attribution_compute (an, &t, &opt, NULL, NULL, NULL, NULL);
  AsyncData d = { g_main_loop_new (NULL, FALSE), NULL, NULL };
  vita_attribution_compute_async (an, &t, &opt, NULL, on_done, &d);
  g_main_loop_run (d.loop);
  g_assert_no_error (d.error);
  g_assert_nonnull (d.result);
  g_assert_cmpmem (d.result->map, (gsize) 2 * T * M * sizeof (float), sync->map,
                   (gsize) 2 * T * M * sizeof (float));
  g_clear_pointer (&d.result, vita_attribution_free);
  /* cancelled before it starts: G_IO_ERROR_CANCELLED, no result */
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  g_cancellable_cancel (cancel);
  vita_attribution_compute_async (an, &t, &opt, cancel, on_done, &d);
  g_main_loop_run (d.loop);
  g_assert_null (d.result);
  g_assert_error (d.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&d.error);
  g_main_loop_unref (d.loop);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/attribution/targets/test", "attr_test", check_targets);
  g_test_add_data_func ("/attribution/targets/odd", "attr_odd", check_targets);
  g_test_add_func ("/attribution/ig-completeness", check_ig_completeness);
  g_test_add_func ("/attribution/occlusion-outside", check_occlusion_outside);
  g_test_add_func ("/attribution/cancel-and-bad-targets", check_cancel_and_bad_targets);
  g_test_add_func ("/attribution/async", check_async);
  return g_test_run ();
}
