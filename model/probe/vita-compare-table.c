/* vita-compare-table.c — the comparison table of one track (vita-compare-table.h). */
#include "vita-compare-table.h"
#include "vita-report.h"
#include "dsp/vita-features.h"
#include "dsp/vita-mel.h"

#include <math.h>

double
vita_curve_correlation (const float *x, const float *y, int n)
{
  double sx = 0, sy = 0;
  for (int i = 0; i < n; i++)
    sx += x[i], sy += y[i];
  if (n < 2)
    return NAN;
  double mx = sx / n, my = sy / n, sxx = 0, syy = 0, sxy = 0;
  for (int i = 0; i < n; i++)
    {
      double a = x[i] - mx, b = y[i] - my;
      sxx += a * a;
      syy += b * b;
      sxy += a * b;
    }
  return (sxx > 0 && syy > 0) ? sxy / sqrt (sxx * syy) : NAN;
}

/* The measure of one head of one side: onset F at its best threshold, or flux r. */
static double
head_measure (const VitaAnalysis *an, int block, int head, const float *flux,
              const VitaEventList *onsets, double window, double hop_s)
{
  if (block >= an->cfg.depth || head >= an->cfg.heads)
    return NAN;
  const float *curve = an->received + ((gsize) block * an->cfg.heads + head) * an->n_frames;
  if (!onsets)
    return vita_curve_correlation (curve, flux, an->n_frames);
  int nd;
  const double *deltas = vita_report_peak_deltas (&nd);
  double best = NAN;
  for (int k = 0; k < nd; k++)
    {
      double f = vita_report_curve_onset_f (curve, an->n_frames, deltas[k], hop_s, onsets, window);
      if (isnan (best) || f > best)
        best = f;
    }
  return best;
}

static double
layer_ssm_r (const VitaAnalysis *an, int layer, float *const *ref, int k)
{
  if (layer >= an->n_layers)
    return NAN;
  int S = an->ssm_size;
  return vita_report_ssm_correlation (an->ssm + (gsize) layer * S * S, S, an->ssm_pool, ref[k],
                                      an->n_frames, vita_report_reference_dim (k));
}

VitaCompareTable *
vita_compare_table_compute (const VitaCompare *cmp, const float *pcm, gsize n_samples,
                            const VitaEventList *onsets, double onset_window, GError **error)
{
  g_return_val_if_fail (cmp != NULL && pcm != NULL, NULL);
  if (!vita_compare_is_complete (cmp))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY,
                   "The comparison of %s with %s is not complete yet", cmp->label_a, cmp->label_b);
      return NULL;
    }
  const VitaAnalysis *A = cmp->a, *B = cmp->b;
  const VitaFrontend *fe = &A->cfg.fe;
  int F = (int) vita_frontend_n_frames (fe, n_samples);
  if (F != cmp->n_frames)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH,
                   "The audio has %d frames but the comparison %d: not the audio analysed",
                   F, cmp->n_frames);
      return NULL;
    }
  g_autoptr(VitaMel) mel = vita_mel_new (fe, error);
  if (mel == NULL)
    return NULL;
  g_autofree float *chroma_fb = vita_chroma_filterbank_new (fe->sample_rate, fe->n_fft, 12);
  g_autofree float *flux = g_new (float, F);
  float *ref[VITA_REPORT_N_REF];
  for (int k = 0; k < VITA_REPORT_N_REF; k++)
    ref[k] = g_new (float, (gsize) F * vita_report_reference_dim (k));
  vita_report_reference_features (mel, chroma_fb, pcm, n_samples, flux, ref);

  VitaCompareTable *t = vita_compare_table_new (cmp->label_a, cmp->label_b);
  const double hop_s = (double) fe->hop_length / fe->sample_rate;
  const int NL = MAX (A->n_layers, B->n_layers), NH = MAX (A->cfg.heads, B->cfg.heads);
  const char *what = onsets ? "onset_f" : "flux_r";
  for (int l = 0; l < NL; l++)
    {
      for (int k = 0; k < VITA_REPORT_N_REF; k++)
        {
          g_autofree char *name = g_strdup_printf ("ssm_r_%s", vita_report_reference_name (k));
          vita_compare_table_add (t, name, l, -1, layer_ssm_r (A, l, ref, k),
                                  layer_ssm_r (B, l, ref, k));
        }
      if (l == 0)
        continue;
      double sum[2] = { 0, 0 }, best[2] = { NAN, NAN };
      int n[2] = { 0, 0 };
      for (int h = 0; h < NH; h++)
        {
          double v[2] = { head_measure (A, l - 1, h, flux, onsets, onset_window, hop_s),
                          head_measure (B, l - 1, h, flux, onsets, onset_window, hop_s) };
          vita_compare_table_add (t, what, l, h, v[0], v[1]);
          for (int s = 0; s < 2; s++)
            if (!isnan (v[s]))
              {
                sum[s] += v[s];
                n[s]++;
                if (isnan (best[s]) || v[s] > best[s])
                  best[s] = v[s];
              }
        }
      g_autofree char *mean_name = g_strdup_printf ("%s_mean", what);
      g_autofree char *best_name = g_strdup_printf ("%s_best", what);
      vita_compare_table_add (t, mean_name, l, -1, n[0] ? sum[0] / n[0] : NAN,
                              n[1] ? sum[1] / n[1] : NAN);
      vita_compare_table_add (t, best_name, l, -1, best[0], best[1]);
    }
  t->note = onsets
    ? g_strdup_printf ("ssm_r_*: Pearson r of the layer's SSM with the chroma, MFCC and rhythm "
                       "SSMs (upper triangles). onset_f: onset F (±%.0f ms, mir_eval) of the "
                       "peak-picked received attention of each head, best peak threshold of "
                       "the report's grid; _mean / _best over the layer's heads.",
                       onset_window * 1000)
    : g_strdup ("ssm_r_*: Pearson r of the layer's SSM with the chroma, MFCC and rhythm SSMs "
                "(upper triangles). flux_r: Pearson r over frames of each head's received "
                "attention with spectral flux (no onsets annotated); _mean / _best over the "
                "layer's heads.");
  for (int k = 0; k < VITA_REPORT_N_REF; k++)
    g_free (ref[k]);
  return t;
}
