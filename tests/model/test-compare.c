/* test-compare.c — two models on one track (model/vita-compare.h): a model compared with
 * itself gives exact zeros in every difference; with its random-init twin it does not;
 * each side equals the same analysis run alone, bit for bit; front-end mismatches are
 * refused naming both models and the field; the twin is vita_vit_new_random's model
 * with the same configuration; the comparison table of a model with itself has
 * A − B = 0 everywhere. */
#include "vita-test.h"

#include "model/vita-compare.h"
#include "model/probe/vita-compare-table.h"
#include "model/probe/vita-metrics.h"
#include "model/vita-rng.h"
#include "dsp/vita-mel.h"

#include <math.h>
#include <string.h>

#define N_FRAMES 203   /* test config: T 8, hop 4 → 50 windows, several batches */

static VitaVit *
test_model (guint64 seed)
{
  VitaVitConfig cfg;
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_vit_config_init_preset (&cfg, "test", &error));
  return vita_vit_new_random (&cfg, seed);
}

static float *
random_mel (const VitaVit *vit, int n_frames, guint64 seed)
{
  VitaRng rng;
  vita_rng_seed (&rng, seed);
  gsize n = (gsize) n_frames * vit->cfg.fe.n_mels;
  float *mel = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    mel[i] = (float) vita_rng_normal (&rng);
  return mel;
}

static void
assert_all_zero (const char *what, const float *x, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (x[i] != 0.0f)
      g_error ("%s: element %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " is %g, not exactly 0",
               what, i, n, x[i]);
}

static gboolean
any_nonzero (const float *x, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (x[i] != 0.0f)
      return TRUE;
  return FALSE;
}

/* separate: two analyses even for the same weights (vita_compare_new), else
 * vita_compare_new_for_mel (which shares one analysis between identical models). */
static VitaCompare *
run_pair_full (VitaVit *a, VitaVit *b, const float *mel, int priority, int workers,
               gboolean separate)
{
  VitaAnalysisOptions opt;
  vita_analysis_options_init (&opt);
  opt.priority_frame = priority;
  opt.workers = workers;
  opt.ssm_max = 64;
  g_autoptr(GError) error = NULL;
  VitaCompare *cmp;
  if (separate)
    {
      g_autoptr(VitaAnalysis) x = vita_analysis_new (a, mel, N_FRAMES, &opt, &error);
      g_autoptr(VitaAnalysis) y = vita_analysis_new (b, mel, N_FRAMES, &opt, &error);
      g_assert_no_error (error);
      cmp = vita_compare_new (x, y, &error);
    }
  else
    cmp = vita_compare_new_for_mel (a, mel, b, mel, N_FRAMES, &opt, &error);
  g_assert_no_error (error);
  g_assert_true (vita_compare_run (cmp, NULL, NULL, NULL, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (vita_compare_is_complete (cmp));
  return cmp;
}

static VitaCompare *
run_pair (VitaVit *a, VitaVit *b, const float *mel, int priority, int workers)
{
  return run_pair_full (a, b, mel, priority, workers, FALSE);
}

/* The same weights twice (two VitaVit objects): every difference is exactly zero,
 * whichever frame is computed first and however many workers — both with two separate
 * analyses of the same weights (the sides' runs pick the same batches) and with the
 * one analysis vita_compare_new_for_mel shares between identical models. */
static void
test_self_zero (void)
{
  g_autoptr(VitaVit) a = test_model (5);
  g_autoptr(VitaVit) a2 = test_model (5);
  g_autofree float *mel = random_mel (a, N_FRAMES, 42);
  const int priorities[] = { -1, N_FRAMES / 2, 17, -1, N_FRAMES / 2 };
  const int workers[] = { 0, 2, 4, 0, 3 };
  const gboolean separate[] = { TRUE, TRUE, TRUE, FALSE, FALSE };
  for (guint k = 0; k < G_N_ELEMENTS (priorities); k++)
    {
      g_autoptr(VitaCompare) cmp = run_pair_full (a, a2, mel, priorities[k], workers[k],
                                                  separate[k]);
      g_assert_true (separate[k] ? cmp->a != cmp->b : cmp->a == cmp->b);
      g_assert_true (vita_compare_same_weights (a, a2));
      g_assert_true (cmp->same_blocks && cmp->same_layers);
      g_assert_nonnull (cmp->received_diff);
      g_assert_nonnull (cmp->ssm_diff);
      const VitaVitConfig *c = &a->cfg;
      assert_all_zero ("received A − A", cmp->received_diff,
                       (gsize) c->depth * c->heads * N_FRAMES);
      assert_all_zero ("SSM A − A", cmp->ssm_diff,
                       (gsize) cmp->a->n_layers * cmp->a->ssm_size * cmp->a->ssm_size);
      g_assert_cmpmem (cmp->a->tokens, (gsize) cmp->a->n_layers * N_FRAMES * c->dim * 4,
                       cmp->b->tokens, (gsize) cmp->b->n_layers * N_FRAMES * c->dim * 4);
      const gsize N = c->frames + 1, per = (gsize) c->depth * c->heads * N * N;
      g_autofree float *diff = g_new (float, per);
      for (int w = 0; w < cmp->a->n_windows; w++)
        {
          g_autoptr(GError) error = NULL;
          g_assert_true (vita_compare_window_attention (cmp, w, diff, NULL, NULL, &error));
          g_assert_no_error (error);
          assert_all_zero ("attention A − A", diff, per);
        }
    }
}

/* Each side equals the analysis run alone (default workers, same priority). */
static void
test_sides_match_single_runs (void)
{
  g_autoptr(VitaVit) a = test_model (5);
  g_autoptr(VitaVit) b = test_model (9);
  g_autofree float *mel = random_mel (a, N_FRAMES, 43);
  g_autoptr(VitaCompare) cmp = run_pair (a, b, mel, N_FRAMES / 3, 0);
  VitaVit *models[2] = { a, b };
  VitaAnalysis *sides[2] = { cmp->a, cmp->b };
  for (int s = 0; s < 2; s++)
    {
      VitaAnalysisOptions opt;
      vita_analysis_options_init (&opt);
      opt.priority_frame = N_FRAMES / 3;
      opt.ssm_max = 64;
      opt.workers = 1;
      g_autoptr(GError) error = NULL;
      g_autoptr(VitaAnalysis) an = vita_analysis_new (models[s], mel, N_FRAMES, &opt, &error);
      g_assert_true (vita_analysis_run (an, NULL, NULL, NULL, NULL, NULL, &error));
      g_assert_no_error (error);
      const VitaVitConfig *c = &an->cfg;
      g_assert_cmpmem (an->received, (gsize) c->depth * c->heads * N_FRAMES * 4,
                       sides[s]->received, (gsize) c->depth * c->heads * N_FRAMES * 4);
      g_assert_cmpmem (an->ssm, (gsize) an->n_layers * an->ssm_size * an->ssm_size * 4,
                       sides[s]->ssm, (gsize) an->n_layers * an->ssm_size * an->ssm_size * 4);
      g_assert_cmpmem (an->cls, (gsize) an->n_windows * an->n_layers * c->dim * 4,
                       sides[s]->cls, (gsize) an->n_windows * an->n_layers * c->dim * 4);
    }
  /* and the differences are the element-wise A − B of the two */
  gsize n = (gsize) a->cfg.depth * a->cfg.heads * N_FRAMES;
  for (gsize i = 0; i < n; i++)
    g_assert_true (cmp->received_diff[i] == cmp->a->received[i] - cmp->b->received[i]);
}

/* A model beside its random-init twin: the twin is new_random with the model's own
 * configuration (every weight), labelled, and the differences are not zero. */
static void
test_twin (void)
{
  g_autoptr(VitaVit) a = test_model (5);
  g_strlcpy (a->sha256, "00ff", sizeof a->sha256);
  g_autoptr(VitaVit) twin = vita_vit_new_twin (a, 11);
  g_autoptr(VitaVit) ref = vita_vit_new_random (&a->cfg, 11);
  g_assert_cmpuint (twin->num_params, ==, ref->num_params);
  g_assert_cmpmem (twin->memory, twin->num_params * sizeof (float), ref->memory,
                   ref->num_params * sizeof (float));
  g_assert_cmpstr (g_hash_table_lookup (twin->metadata, "twin_seed"), ==, "11");
  g_assert_cmpstr (g_hash_table_lookup (twin->metadata, "twin_of"), ==, "00ff");
  g_autofree char *label = vita_vit_describe (twin);
  g_assert_cmpstr (label, ==, "random-init twin, seed 11");

  g_autofree float *mel = random_mel (a, N_FRAMES, 44);
  g_autoptr(VitaCompare) cmp = run_pair (a, twin, mel, -1, 0);
  g_assert_cmpstr (cmp->label_b, ==, "random-init twin, seed 11");
  g_assert_false (vita_compare_same_weights (a, twin));
  g_assert_true (cmp->a != cmp->b);
  g_assert_true (any_nonzero (cmp->received_diff, (gsize) a->cfg.depth * a->cfg.heads * N_FRAMES));
  g_assert_true (any_nonzero (cmp->ssm_diff,
                              (gsize) cmp->a->n_layers * cmp->a->ssm_size * cmp->a->ssm_size));
  const gsize N = a->cfg.frames + 1, per = (gsize) a->cfg.depth * a->cfg.heads * N * N;
  g_autofree float *diff = g_new (float, per);
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_compare_window_attention (cmp, 3, diff, NULL, NULL, &error));
  g_assert_true (any_nonzero (diff, per));
}

/* Front-ends that differ are refused, naming both models and the field; the
 * normalisation alone may differ. */
static void
test_frontend_mismatch (void)
{
  g_autoptr(VitaVit) a = test_model (5);
  struct { const char *field; void (*change) (VitaFrontend *fe); } cases[] = {
    { "hop_length", NULL }, { "sample_rate", NULL }, { "n_mels", NULL },
  };
  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      VitaVitConfig cfg = a->cfg;
      if (k == 0)
        cfg.fe.hop_length *= 2;
      else if (k == 1)
        cfg.fe.sample_rate = 22050;
      else
        cfg.fe.n_mels = 20;
      g_autoptr(VitaVit) b = vita_vit_new_random (&cfg, 1);
      g_autoptr(GError) error = NULL;
      g_assert_false (vita_compare_check_frontends (a, "first.safetensors", b, "second.safetensors",
                                                    &error));
      g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH);
      g_assert_nonnull (strstr (error->message, "first.safetensors"));
      g_assert_nonnull (strstr (error->message, "second.safetensors"));
      g_assert_nonnull (strstr (error->message, cases[k].field));
    }
  VitaVitConfig cfg = a->cfg;
  cfg.fe.input_mean = 3.0f;
  cfg.fe.input_std = 2.0f;
  g_autoptr(VitaVit) b = vita_vit_new_random (&cfg, 1);
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_compare_check_frontends (a, "a", b, "b", &error));
  g_assert_no_error (error);

  /* analyses of different tracks are refused too */
  g_autofree float *mel = random_mel (a, N_FRAMES, 45);
  g_autoptr(VitaAnalysis) x = vita_analysis_new (a, mel, N_FRAMES, NULL, &error);
  g_autoptr(VitaAnalysis) y = vita_analysis_new (b, mel, N_FRAMES - 1, NULL, &error);
  g_assert_no_error (error);
  g_autoptr(VitaCompare) cmp = vita_compare_new (x, y, &error);
  g_assert_null (cmp);
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH);
}

/* A cancelled comparison stops both sides and can be resumed to the same result. */
static void
test_cancel_resume (void)
{
  g_autoptr(VitaVit) a = test_model (5);
  g_autoptr(VitaVit) a2 = test_model (5);
  g_autofree float *mel = random_mel (a, N_FRAMES, 46);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaCompare) cmp = vita_compare_new_for_mel (a, mel, a2, mel, N_FRAMES, NULL, &error);
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  g_cancellable_cancel (cancel);
  g_assert_false (vita_compare_run (cmp, NULL, NULL, NULL, NULL, NULL, NULL, cancel, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (vita_compare_is_complete (cmp));
  g_clear_error (&error);
  g_assert_true (vita_compare_run (cmp, NULL, NULL, NULL, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_all_zero ("received A − A after resume", cmp->received_diff,
                   (gsize) a->cfg.depth * a->cfg.heads * N_FRAMES);
}

static void
cancel_b_on_progress (VitaCompare *cmp, int done_a, int n_a, int done_b, int n_b, gpointer data)
{
  if (done_b > 0)
    vita_compare_cancel_side (cmp, 1);
}

/* Cancelling one side (its model is being swapped) stops only that side. */
static void
test_cancel_side (void)
{
  g_autoptr(VitaVit) a = test_model (5);
  g_autoptr(VitaVit) b = test_model (6);
  g_autofree float *mel = random_mel (a, N_FRAMES, 47);
  VitaAnalysisOptions opt;
  vita_analysis_options_init (&opt);
  opt.workers = 2;   /* one per side: B stops after its first batch */
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaCompare) cmp = vita_compare_new_for_mel (a, mel, b, mel, N_FRAMES, &opt, &error);
  g_assert_no_error (error);
  g_assert_false (vita_compare_run (cmp, cancel_b_on_progress, NULL, NULL, NULL, NULL, NULL, NULL,
                                    &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (vita_analysis_is_complete (cmp->a));
  g_assert_false (vita_analysis_is_complete (cmp->b));
  g_assert_false (vita_compare_is_complete (cmp));
  vita_compare_cancel_side (cmp, 0);   /* not running: nothing happens */
  g_clear_error (&error);
  g_assert_true (vita_compare_run (cmp, NULL, NULL, NULL, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (vita_compare_is_complete (cmp));
}

/* The table: per layer SSM correlations, per head onset F (with onsets) or flux r;
 * a model against itself has A − B exactly 0 wherever defined. */
static void
test_table (void)
{
  g_autoptr(VitaVit) a = test_model (5);
  g_autoptr(VitaVit) a2 = test_model (5);
  g_autoptr(VitaVit) twin = vita_vit_new_twin (a, 3);
  const VitaFrontend *fe = &a->cfg.fe;
  /* a click every 0.25 s: audio with onsets */
  gsize n_samples = (gsize) fe->hop_length * (N_FRAMES - 1);
  g_autofree float *pcm = g_new0 (float, n_samples);
  for (gsize i = 0; i < n_samples; i += fe->sample_rate / 4)
    for (gsize j = 0; j < 40 && i + j < n_samples; j++)
      pcm[i + j] = (j % 2 ? 0.8f : -0.8f);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaMel) mp = vita_mel_new (fe, &error);
  g_assert_no_error (error);
  int F = (int) vita_frontend_n_frames (fe, n_samples);
  g_assert_cmpint (F, ==, N_FRAMES);
  g_autofree float *mel = g_new (float, (gsize) F * fe->n_mels);
  vita_mel_compute (mp, pcm, n_samples, mel);
  GString *txt = g_string_new (NULL);
  for (double t = 0; t < (double) n_samples / fe->sample_rate; t += 0.25)
    g_string_append_printf (txt, "%.4f\n", t);
  g_autoptr(VitaEventList) onsets = vita_event_list_parse (txt->str, txt->len, "clicks.onsets.txt",
                                                           NULL, &error);
  g_string_free (txt, TRUE);
  g_assert_no_error (error);

  for (int with_onsets = 0; with_onsets < 2; with_onsets++)
    {
      VitaAnalysisOptions opt;
      vita_analysis_options_init (&opt);
      opt.ssm_max = 64;
      g_autoptr(VitaCompare) self = vita_compare_new_for_mel (a, mel, a2, mel, F, &opt, &error);
      g_assert_true (vita_compare_run (self, NULL, NULL, NULL, NULL, NULL, NULL, NULL, &error));
      g_autoptr(VitaCompareTable) t =
        vita_compare_table_compute (self, pcm, n_samples, with_onsets ? onsets : NULL,
                                    VITA_ONSET_WINDOW_MIREVAL, &error);
      g_assert_no_error (error);
      const char *what = with_onsets ? "onset_f" : "flux_r";
      /* rows: 3 SSM measures × (L + 1) layers, (NH + 2) per block */
      const VitaVitConfig *c = &a->cfg;
      g_assert_cmpuint (t->rows->len, ==, 3 * (c->depth + 1) + (c->heads + 2) * c->depth);
      int defined = 0;
      for (guint i = 0; i < t->rows->len; i++)
        {
          const VitaCompareRow *r = &g_array_index (t->rows, VitaCompareRow, i);
          if (!isnan (r->a))
            {
              g_assert_true (vita_compare_row_diff (r) == 0.0);
              defined++;
            }
          if (r->head >= 0)
            g_assert_cmpstr (r->measure, ==, what);
        }
      g_assert_cmpint (defined, >=, (int) t->rows->len - 3);   /* a constant layer may be NaN */
      g_assert_nonnull (vita_compare_table_find (t, "ssm_r_chroma", c->depth, -1));
      g_autofree char *best = g_strdup_printf ("%s_best", what);
      g_assert_nonnull (vita_compare_table_find (t, best, 1, -1));
      if (with_onsets)
        {
          const VitaCompareRow *r = vita_compare_table_find (t, "onset_f", 1, 0);
          g_assert_true (r->a >= 0 && r->a <= 1);
        }
      g_autofree char *csv = vita_compare_table_to_csv (t);
      g_assert_true (g_str_has_prefix (csv, "measure,layer,head,A,B,A-B\nssm_r_chroma,0,,"));

      /* against the twin: some A − B differs from 0 */
      g_autoptr(VitaCompare) tw = vita_compare_new_for_mel (a, mel, twin, mel, F, &opt, &error);
      g_assert_true (vita_compare_run (tw, NULL, NULL, NULL, NULL, NULL, NULL, NULL, &error));
      g_autoptr(VitaCompareTable) t2 =
        vita_compare_table_compute (tw, pcm, n_samples, with_onsets ? onsets : NULL,
                                    VITA_ONSET_WINDOW_MIREVAL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (t2->label_b, ==, "random-init twin, seed 3");
      gboolean differs = FALSE;
      for (guint i = 0; i < t2->rows->len; i++)
        differs |= vita_compare_row_diff (&g_array_index (t2->rows, VitaCompareRow, i)) != 0.0;
      g_assert_true (differs);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/compare/self-zero", test_self_zero);
  g_test_add_func ("/compare/sides-match-single-runs", test_sides_match_single_runs);
  g_test_add_func ("/compare/twin", test_twin);
  g_test_add_func ("/compare/frontend-mismatch", test_frontend_mismatch);
  g_test_add_func ("/compare/cancel-resume", test_cancel_resume);
  g_test_add_func ("/compare/cancel-side", test_cancel_side);
  g_test_add_func ("/compare/table", test_table);
  return g_test_run ();
}
