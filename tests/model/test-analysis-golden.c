/* test-analysis-golden.c — the analysis of 3 s of real audio (and of a 20-frame track,
 * padded) against PyTorch (tests/make_golden_analysis.py, tools/vit1d.py): per-frame
 * tokens of every layer, class tokens, received attention, pooled SSMs, every window's
 * attention (streamed and recomputed), at 1e-4. */
#include "vita-test.h"
#include "model/vita-analysis.h"

#include <string.h>

#define TOL 1e-4

typedef struct {
  float *att;
  gsize  per_window;
  int    count;
} Sink;

static gboolean
sink (VitaAnalysis *an, int window, const float *attention, gpointer data, GError **error)
{
  Sink *s = data;
  memcpy (s->att + (gsize) window * s->per_window, attention, s->per_window * sizeof (float));
  s->count++;
  return TRUE;
}

/* The model from its flat parameters (ana_params.npy) and settings (ana_config.npy),
 * so this test does not depend on the safetensors reader (the CLI test reads the
 * same model from ana.safetensors). */
static VitaVit *
golden_model (void)
{
  gsize n_conf, n_params;
  g_autofree float *c = vita_test_load_npy ("ana_config.npy", NULL, NULL, &n_conf);
  g_assert_cmpuint (n_conf, ==, 9);
  VitaVitConfig cfg;
  vita_vit_config_init_tiny (&cfg);
  cfg.fe.n_mels = (int) c[0];
  cfg.frames = (int) c[1];
  cfg.dim = (int) c[2];
  cfg.depth = (int) c[3];
  cfg.heads = (int) c[4];
  cfg.mlp_dim = (int) c[5];
  cfg.proj_dim = (int) c[6];
  cfg.fe.input_mean = c[7];
  cfg.fe.input_std = c[8];
  g_assert_true (vita_vit_config_validate (&cfg, NULL));
  VitaVit *vit = vita_vit_new (&cfg);
  g_autofree float *params = vita_test_load_npy ("ana_params.npy", NULL, NULL, &n_params);
  g_assert_cmpuint (n_params, ==, vit->num_params);
  memcpy (vit->memory, params, n_params * sizeof (float));
  return vit;
}

static void
assert_same (VitaAnalysis *a, VitaAnalysis *b, int n_frames)
{
  const gsize n_tok = (gsize) a->n_layers * n_frames * a->cfg.dim * sizeof (float);
  const gsize n_cls = (gsize) a->n_windows * a->n_layers * a->cfg.dim * sizeof (float);
  const gsize n_rec = (gsize) a->cfg.depth * a->cfg.heads * n_frames * sizeof (float);
  const gsize n_ssm = (gsize) a->n_layers * a->ssm_size * a->ssm_size * sizeof (float);
  g_assert_cmpmem (a->tokens, n_tok, b->tokens, n_tok);
  g_assert_cmpmem (a->cls, n_cls, b->cls, n_cls);
  g_assert_cmpmem (a->received, n_rec, b->received, n_rec);
  g_assert_cmpmem (a->ssm, n_ssm, b->ssm, n_ssm);
  /* the whole track's CKA, the stage after the analysis: its panels shared by as many
   * threads as the run's workers, the same bits */
  const gsize n_cka = (gsize) a->n_layers * a->n_layers * sizeof (float);
  g_assert_true (vita_analysis_run_track_cka (a, NULL, NULL, NULL, NULL));
  g_assert_true (vita_analysis_run_track_cka (b, NULL, NULL, NULL, NULL));
  g_assert_nonnull (a->cka);
  g_assert_nonnull (b->cka);
  g_assert_cmpmem (a->cka, n_cka, b->cka, n_cka);
}

static void
check_case (gconstpointer data)
{
  const char *name = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaVit) vit = golden_model ();

  char file[64];
#define LOAD(var, suffix, shape, count)                                       \
  g_snprintf (file, sizeof file, "ana_%s_%s.npy", name, suffix);             \
  g_autofree float *var = vita_test_load_npy (file, NULL, shape, count)

  gsize mel_shape[VITA_NPY_MAX_DIMS], ssm_shape[VITA_NPY_MAX_DIMS], win_shape[VITA_NPY_MAX_DIMS];
  gsize n_tokens, n_cls, n_received, n_ssm, n_att, n_win;
  LOAD (mel, "mel", mel_shape, NULL);
  LOAD (tokens, "tokens", NULL, &n_tokens);
  LOAD (cls, "cls", NULL, &n_cls);
  LOAD (received, "received", NULL, &n_received);
  LOAD (ssm, "ssm", ssm_shape, &n_ssm);
  LOAD (attention, "attention", NULL, &n_att);
  LOAD (windows, "windows", win_shape, &n_win);
#undef LOAD

  int n_frames = (int) mel_shape[0];
  g_assert_cmpuint (mel_shape[1], ==, vit->cfg.fe.n_mels);
  /* the golden SSM size tells which bound the reference used */
  VitaAnalysisOptions opt;
  vita_analysis_options_init (&opt);
  opt.ssm_max = strcmp (name, "long") == 0 ? 40 : 1024;
  opt.batch = 2;                       /* several forward batches, one partial */
  g_autoptr(VitaAnalysis) an = vita_analysis_new (vit, mel, n_frames, &opt, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (an->ssm_size, ==, ssm_shape[1]);
  g_assert_cmpuint (an->n_windows, ==, win_shape[0]);
  for (int w = 0; w < an->n_windows; w++)
    {
      g_assert_cmpint (an->window_start[w], ==, (int) windows[w * 3 + 0]);
      g_assert_cmpint (an->window_owned[w], ==, (int) windows[w * 3 + 1]);
      g_assert_cmpint (an->window_owned[w + 1], ==, (int) windows[w * 3 + 2]);
    }

  Sink s = { g_new0 (float, n_att), n_att / an->n_windows, 0 };
  g_assert_true (vita_analysis_run (an, NULL, NULL, sink, &s, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (s.count, ==, an->n_windows);

  g_assert_cmpuint (n_tokens, ==, (gsize) an->n_layers * n_frames * an->cfg.dim);
  vita_test_assert_close ("tokens", an->tokens, tokens, n_tokens, TOL);
  g_assert_cmpuint (n_cls, ==, (gsize) an->n_windows * an->n_layers * an->cfg.dim);
  vita_test_assert_close ("cls", an->cls, cls, n_cls, TOL);
  g_assert_cmpuint (n_received, ==, (gsize) an->cfg.depth * an->cfg.heads * n_frames);
  vita_test_assert_close ("received", an->received, received, n_received, TOL);
  vita_test_assert_close ("ssm", an->ssm, ssm, n_ssm, TOL);
  vita_test_assert_close ("attention (streamed)", s.att, attention, n_att, TOL);

  g_autofree float *one = g_new (float, s.per_window);
  int w = an->n_windows - 1;
  g_assert_true (vita_analysis_window_attention (an, w, one, &error));
  vita_test_assert_close ("attention (recomputed)", one, attention + w * s.per_window,
                          s.per_window, TOL);
  g_free (s.att);

  /* Several workers: bit-identical to one with the same options, whether in index
   * order (the run above) or from the far end (SSM sums are formed in window order,
   * whichever thread computes which window).  Only the batch composition may change
   * the last bits (the sgemm micro-kernel that a row falls in), and with the same
   * options the batches are the same for any number of workers. */
  opt.workers = 3;
  g_autoptr(VitaAnalysis) par = vita_analysis_new (vit, mel, n_frames, &opt, &error);
  g_assert_no_error (error);
  g_assert_true (vita_analysis_run (par, NULL, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_same (par, an, n_frames);

  opt.priority_frame = n_frames - 1;
  VitaAnalysis *runs[2];
  for (int i = 0; i < 2; i++)
    {
      opt.workers = i == 0 ? 1 : 3;
      runs[i] = vita_analysis_new (vit, mel, n_frames, &opt, &error);
      g_assert_no_error (error);
      g_assert_true (vita_analysis_run (runs[i], NULL, NULL, NULL, NULL, NULL, &error));
      g_assert_no_error (error);
    }
  assert_same (runs[1], runs[0], n_frames);
  vita_test_assert_close ("ssm (priority)", runs[0]->ssm, ssm, n_ssm, TOL);
  vita_analysis_unref (runs[0]);
  vita_analysis_unref (runs[1]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/analysis-golden/long", "long", check_case);
  g_test_add_data_func ("/analysis-golden/short-padded", "short", check_case);
  return g_test_run ();
}
