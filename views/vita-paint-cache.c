/* vita-paint-cache.c — per-analysis cache of heatmap surfaces, the last window's
 * recomputed attention, rollouts and the onset curve. */
#include "vita-paint-private.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

gboolean vita_views_default_window_attention (const VitaAnalysis *an, int window, float *out,
                                              GError **error);

void
vita_surface_slot_clear (VitaSurfaceSlot *slot)
{
  g_clear_pointer (&slot->surface, cairo_surface_destroy);
  slot->key = 0;
}

gboolean
vita_analysis_window_is_ready (const VitaAnalysis *an, int window)
{
  if (an == NULL || window < 0 || window >= an->n_windows)
    return FALSE;
  if (an->window_ready == NULL)
    return FALSE;
  return g_atomic_int_get (&an->window_ready[window]) != 0;
}

gboolean
vita_analysis_is_complete_views (const VitaAnalysis *an)
{
  return an != NULL && an->ssm != NULL && g_atomic_int_get (&an->complete) != 0;
}

VitaPaintCache *
vita_paint_cache_new (VitaAnalysis *an)
{
  g_return_val_if_fail (an != NULL, NULL);
  VitaPaintCache *c = g_new0 (VitaPaintCache, 1);
  c->ref_count = 1;
  c->an = vita_views_analysis_ref (an);
  c->attention_func = vita_views_default_window_attention;
  c->att_window = -1;
  c->roll_window = -1;
  return c;
}

VitaPaintCache *
vita_paint_cache_ref (VitaPaintCache *cache)
{
  g_atomic_int_inc (&cache->ref_count);
  return cache;
}

void
vita_paint_cache_unref (VitaPaintCache *c)
{
  if (c == NULL || !g_atomic_int_dec_and_test (&c->ref_count))
    return;
  vita_surface_slot_clear (&c->mel);
  vita_surface_slot_clear (&c->ssm);
  vita_surface_slot_clear (&c->att);
  vita_surface_slot_clear (&c->grid);
  g_free (c->att_data);
  g_free (c->roll_data);
  g_free (c->onset);
  g_free (c->recv);
  vita_views_analysis_unref (c->an);
  g_free (c);
}

VitaAnalysis *
vita_paint_cache_get_analysis (VitaPaintCache *cache)
{
  return cache ? cache->an : NULL;
}

void
vita_paint_cache_set_attention_func (VitaPaintCache *cache, VitaWindowAttentionFunc func)
{
  cache->attention_func = func ? func : vita_views_default_window_attention;
  cache->att_window = -1;
  cache->roll_window = -1;
  vita_surface_slot_clear (&cache->att);
  vita_surface_slot_clear (&cache->grid);
}

void
vita_paint_cache_invalidate (VitaPaintCache *c)
{
  /* The mel never changes; everything computed from windows may. */
  vita_surface_slot_clear (&c->ssm);
  vita_surface_slot_clear (&c->att);
  vita_surface_slot_clear (&c->grid);
  c->att_window = -1;
  c->roll_window = -1;
  c->recv_key = 0;
}

int
vita_paint_cache_window_for_frame (VitaPaintCache *c, int frame)
{
  if (c == NULL || c->an->n_frames <= 0 || c->an->frame_window == NULL)
    return -1;
  return c->an->frame_window[CLAMP (frame, 0, c->an->n_frames - 1)];
}

const float *
vita_paint_cache_window_attention (VitaPaintCache *c, int window, GError **error)
{
  VitaAnalysis *an = c->an;
  if (window < 0 || window >= an->n_windows)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH,
                   "window %d is outside the analysis (%d windows)", window, an->n_windows);
      return NULL;
    }
  if (c->att_window == window)
    return c->att_data;
  if (!vita_analysis_window_is_ready (an, window))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY,
                   "window %d is not analysed yet", window);
      return NULL;
    }
  int L = an->cfg.depth, NH = an->cfg.heads, N = an->cfg.frames + 1;
  if (c->att_data == NULL)
    c->att_data = g_new (float, (gsize) L * NH * N * N);
  c->att_window = -1;
  if (!c->attention_func (an, window, c->att_data, error))
    return NULL;
  c->att_window = window;
  return c->att_data;
}

void
vita_attention_select (const VitaAnalysis *an, const float *att, int block, int head,
                       float *out)
{
  int NH = an->cfg.heads, N = an->cfg.frames + 1;
  gsize nn = (gsize) N * N;
  const float *blk = att + (gsize) block * NH * nn;
  if (head >= 0)
    {
      memcpy (out, blk + (gsize) head * nn, nn * sizeof (float));
      return;
    }
  for (gsize i = 0; i < nn; i++)
    {
      float s = 0;
      for (int h = 0; h < NH; h++)
        s += blk[(gsize) h * nn + i];
      out[i] = s / NH;
    }
}

const float *
vita_paint_cache_rollout (VitaPaintCache *c, int window, int block, GError **error)
{
  if (c->roll_window == window && c->roll_block == block && c->roll_data)
    return c->roll_data;
  const float *att = vita_paint_cache_window_attention (c, window, error);
  if (att == NULL)
    return NULL;
  VitaAnalysis *an = c->an;
  int N = an->cfg.frames + 1;
  gsize nn = (gsize) N * N;
  block = CLAMP (block, 0, an->cfg.depth - 1);
  g_autofree float *a = g_new (float, nn);
  g_autofree float *tmp = g_new (float, nn);
  if (c->roll_data == NULL)
    c->roll_data = g_new (float, nn);
  float *r = c->roll_data;
  /* Abnar & Zuidema (2020), "Quantifying attention flow in transformers": the
   * residual connection is modelled as 0.5 A + 0.5 I with A averaged over heads,
   * rows renormalised, and the per-layer matrices multiplied from the first block:
   * R_b = Ã_b · R_{b-1}, R_0 = Ã_0.  Row = query, column = key (as vita-vit.h). */
  for (int b = 0; b <= block; b++)
    {
      vita_attention_select (an, att, b, -1, a);
      for (int i = 0; i < N; i++)
        {
          float *row = a + (gsize) i * N;
          double s = 0;
          for (int j = 0; j < N; j++)
            {
              row[j] = 0.5f * row[j] + (i == j ? 0.5f : 0.0f);
              s += row[j];
            }
          float inv = s > 0 ? (float) (1.0 / s) : 0.0f;
          for (int j = 0; j < N; j++)
            row[j] *= inv;
        }
      if (b == 0)
        memcpy (r, a, nn * sizeof (float));
      else
        {
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1.0f, a, N, r, N,
                       0.0f, tmp, N);
          memcpy (r, tmp, nn * sizeof (float));
        }
    }
  c->roll_window = window;
  c->roll_block = block;
  return r;
}

const float *
vita_paint_cache_onset (VitaPaintCache *c)
{
  if (c->onset)
    return c->onset;
  VitaAnalysis *an = c->an;
  int n = an->n_frames, M = an->cfg.fe.n_mels;
  c->onset = g_new0 (float, MAX (n, 1));
  if (an->mel == NULL || M <= 0)
    return c->onset;
  /* The mel input is (log(mel + offset) - mean) / std: undo the scale so the curve
   * is in natural-log units, independent of the model's normalisation. */
  float std = an->cfg.fe.input_std > 0 ? an->cfg.fe.input_std : 1.0f;
  for (int f = 1; f < n; f++)
    {
      const float *cur = an->mel + (gsize) f * M, *prev = cur - M;
      double s = 0;
      for (int b = 0; b < M; b++)
        {
          float d = cur[b] - prev[b];
          if (d > 0)
            s += d;
        }
      c->onset[f] = (float) (s / M * std);
      c->onset_max = MAX (c->onset_max, c->onset[f]);
    }
  return c->onset;
}

const float *
vita_paint_cache_received (VitaPaintCache *c, int block, int head, float *max)
{
  VitaAnalysis *an = c->an;
  int n = an->n_frames, NH = an->cfg.heads;
  guint64 key = vita_key (block, head, g_atomic_int_get (&an->n_ready), 0, 0);
  if (c->recv && c->recv_key == key)
    {
      *max = c->recv_max;
      return c->recv;
    }
  if (c->recv == NULL)
    c->recv = g_new (float, MAX (n, 1));
  float rmax = 0;
  for (int f = 0; f < n; f++)
    {
      if (!vita_analysis_window_is_ready (an, an->frame_window[f]))
        {
          c->recv[f] = NAN;
          continue;
        }
      double s = 0;
      for (int h = 0; h < NH; h++)
        if (head < 0 || h == head)
          s += an->received[((gsize) block * NH + h) * n + f];
      c->recv[f] = (float) (head < 0 ? s / NH : s);
      rmax = MAX (rmax, c->recv[f]);
    }
  c->recv_key = key;
  c->recv_max = rmax;
  *max = rmax;
  return c->recv;
}
