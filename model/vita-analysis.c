/* vita-analysis.c — long audio: windows → forward passes → per-frame results.
 * Definitions (windows, padding, ownership, received attention, SSM pooling) are in
 * vita-analysis.h; this file follows them literally. */
#include "vita-analysis-private.h"
#include "vita-blas.h"
#include "vita-derived.h"
#include "vita-store.h"
#include "vita-vit-kernels.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

struct _VitaAnalysisPrivate {
  const VitaAnalysisBackend *backend;
  float *ssm_acc;                      /* (n_layers, S, D) sums of unit tokens per group */
  VitaStore *ssm_part;                 /* (n_windows, 2, n_layers, D) a window's sums for the
                                          first and last group it touches (shared groups) */
  int    batch;
  int    workers;                      /* 0: one per core */
  gint   running;                      /* atomic: a run is in progress */
  gint   priority;                     /* atomic: frame to start from, or -1 */
  VitaStore *tokens;                   /* an->tokens's storage, or NULL */
  VitaStore *mel;                      /* an->mel's storage */
  float  mel_lo, mel_hi;               /* finite range of what was written to it */
};

/* ---- default backend: the real ViT-1D ------------------------------------------ */

static gpointer
default_state_new (const VitaVit *vit, int B, GError **error)
{
  VitaVitState *state = vita_vit_state_new (&vit->cfg, B, FALSE);
  if (state == NULL)
    g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                 "Cannot allocate the activations of %d windows", B);
  return state;
}

static void
default_state_free (gpointer state)
{
  vita_vit_state_free (state);
}

static void
default_forward (const VitaVit *vit, gpointer state, const float *input, int B)
{
  vita_vit_forward (vit, state, input, B);
}

static const float *
default_tokens (gpointer state, int layer)
{
  return vita_vit_state_tokens (state, layer);
}

static const float *
default_attention (gpointer state, int block)
{
  return vita_vit_state_attention (state, block);
}

static const VitaAnalysisBackend default_backend = {
  default_state_new, default_state_free, default_forward, default_tokens, default_attention,
};

const VitaAnalysisBackend *
vita_analysis_default_backend (void)
{
  return &default_backend;
}

void
vita_analysis_set_backend (VitaAnalysis *an, const VitaAnalysisBackend *backend)
{
  g_return_if_fail (an != NULL && an->priv != NULL && backend != NULL);
  g_return_if_fail (!g_atomic_int_get (&an->priv->running));
  an->priv->backend = backend;
}

/* ---- construction ------------------------------------------------------------- */

void
vita_analysis_options_init (VitaAnalysisOptions *opt)
{
  memset (opt, 0, sizeof *opt);
  opt->ssm_max = 1024;
  opt->batch = 8;
  opt->priority_frame = -1;
  opt->keep_tokens = TRUE;
  opt->workers = 0;
  opt->tokens_in_memory_max = 64u << 20;
}

/* count floats (a product of up to three factors), checked; NULL + error on overflow
 * or when the memory is not there (a 3-hour track must fail cleanly, not abort). */
static float *
alloc_floats (gsize a, gsize b, gsize c, gboolean zero, const char *what, GError **error)
{
  gsize ab, n, bytes;
  if (!g_size_checked_mul (&ab, a, b) || !g_size_checked_mul (&n, ab, c) ||
      !g_size_checked_mul (&bytes, n, sizeof (float)))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                   "Analysis too large: %s needs %" G_GSIZE_FORMAT " × %" G_GSIZE_FORMAT
                   " × %" G_GSIZE_FORMAT " values", what, a, b, c);
      return NULL;
    }
  /* calloc, not g_try_malloc0 (malloc + memset): a fresh mapping's pages stay
   * untouched until written (a preview writes one window's) */
  float *p = zero ? calloc (1, MAX (bytes, 1)) : g_try_malloc (MAX (bytes, 1));
  if (p == NULL)
    g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                 "Out of memory: %s needs %.1f MB", what, bytes / 1e6);
  return p;
}

void
vita_analysis_release_tokens (VitaAnalysis *an)
{
  g_return_if_fail (an != NULL);
  if (an->priv == NULL)
    return;
  if (an->priv->tokens)
    vita_store_release (an->priv->tokens);
  if (an->priv->mel)
    vita_store_release (an->priv->mel);
}

/* Finite range of n values, widening *lo / *hi. */
static void
widen_range (const float *x, gsize n, float *lo, float *hi)
{
  for (gsize i = 0; i < n; i++)
    if (isfinite (x[i]))
      {
        *lo = MIN (*lo, x[i]);
        *hi = MAX (*hi, x[i]);
      }
}

gboolean
vita_analysis_set_mel (VitaAnalysis *an, int first, const float *mel, int n, GError **error)
{
  g_return_val_if_fail (an != NULL && an->priv != NULL && an->priv->mel != NULL, FALSE);
  g_return_val_if_fail (first >= 0 && n >= 0 && first <= an->n_frames - n, FALSE);
  g_return_val_if_fail (!g_atomic_int_get (&an->priv->running), FALSE);
  const gsize M = an->cfg.fe.n_mels;
  widen_range (mel, (gsize) n * M, &an->priv->mel_lo, &an->priv->mel_hi);
  return vita_store_write (an->priv->mel, (gsize) first * M, mel, (gsize) n * M, error);
}

gboolean
vita_analysis_mel_range (const VitaAnalysis *an, float *lo, float *hi)
{
  g_return_val_if_fail (an != NULL && lo != NULL && hi != NULL, FALSE);
  *lo = G_MAXFLOAT;
  *hi = -G_MAXFLOAT;
  if (an->priv && an->priv->mel)
    *lo = an->priv->mel_lo, *hi = an->priv->mel_hi;
  else if (an->mel)
    widen_range (an->mel, (gsize) an->n_frames * an->cfg.fe.n_mels, lo, hi);
  return *lo <= *hi;
}

void
vita_analysis_read_tokens (const VitaAnalysis *an, int layer, int first, int n, float *out)
{
  g_return_if_fail (an != NULL && an->tokens != NULL && out != NULL);
  g_return_if_fail (layer >= 0 && layer < an->n_layers);
  g_return_if_fail (first >= 0 && n >= 0 && first <= an->n_frames - n);
  const gsize D = an->cfg.dim, at = ((gsize) layer * an->n_frames + first) * D;
  if (an->priv && an->priv->tokens)
    vita_store_read (an->priv->tokens, at, out, (gsize) n * D);
  else
    memcpy (out, an->tokens + at, (gsize) n * D * sizeof (float));
}

gboolean
vita_analysis_tokens_cached (const VitaAnalysis *an)
{
  g_return_val_if_fail (an != NULL, FALSE);
  return an->priv != NULL && an->priv->tokens != NULL && vita_store_mapped (an->priv->tokens);
}

VitaAnalysis *
vita_analysis_new (VitaVit *vit, const float *mel, int n_frames,
                   const VitaAnalysisOptions *opt_in, GError **error)
{
  g_return_val_if_fail (vit != NULL, NULL);

  VitaAnalysisOptions opt;
  if (opt_in)
    opt = *opt_in;
  else
    vita_analysis_options_init (&opt);

  if (n_frames < 1)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                   "Nothing to analyse: the track has %d mel frames", n_frames);
      return NULL;
    }
  if (opt.ssm_max < 1 || opt.ssm_max > 65536)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                   "SSM size bound %d is out of range (1–65536)", opt.ssm_max);
      return NULL;
    }
  if (opt.batch < 1 || opt.batch > 4096)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                   "Batch of %d windows is out of range (1–4096)", opt.batch);
      return NULL;
    }
  if (opt.workers < 0 || opt.workers > 1024)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                   "%d workers is out of range (0–1024)", opt.workers);
      return NULL;
    }

  VitaAnalysis *an = g_new0 (VitaAnalysis, 1);
  struct _VitaAnalysisPrivate *real = an->priv = g_new0 (struct _VitaAnalysisPrivate, 1);
  real->backend = &default_backend;
  real->batch = opt.batch;
  real->mel_lo = G_MAXFLOAT;
  real->mel_hi = -G_MAXFLOAT;
  real->workers = opt.workers;
  real->priority = opt.priority_frame < 0 ? -1 : opt.priority_frame;
  an->ref_count = 1;
  an->vit = vita_vit_ref (vit);
  an->cfg = vit->cfg;
  an->n_frames = n_frames;
  an->n_layers = an->cfg.depth + 1;

  const int T = an->cfg.frames, M = an->cfg.fe.n_mels, D = an->cfg.dim;
  const int L = an->cfg.depth, NH = an->cfg.heads;

  /* windows: hop T/2, the last aligned to the end; one padded window when short */
  an->window_hop = MAX (1, T / 2);
  if (n_frames <= T)
    an->n_windows = 1;
  else
    an->n_windows = 1 + (n_frames - T + an->window_hop - 1) / an->window_hop;
  an->n_pad = MAX (0, T - n_frames);
  an->pad_value = (logf (an->cfg.fe.log_offset) - an->cfg.fe.input_mean) / an->cfg.fe.input_std;
  an->window_start = g_new (int, an->n_windows);
  for (int w = 0; w < an->n_windows; w++)
    an->window_start[w] = w < an->n_windows - 1 ? w * an->window_hop : MAX (0, n_frames - T);

  /* ownership: the window where the frame is most central, earlier on a tie */
  an->frame_window = g_new (int, n_frames);
  int *best = g_new (int, n_frames);
  for (int f = 0; f < n_frames; f++)
    an->frame_window[f] = -1;
  for (int w = 0; w < an->n_windows; w++)
    {
      int s = an->window_start[w];
      int e = MIN (s + T, n_frames);
      for (int f = s; f < e; f++)
        {
          int score = ABS (2 * (f - s) - (T - 1));
          if (an->frame_window[f] < 0 || score < best[f])
            {
              an->frame_window[f] = w;
              best[f] = score;
            }
        }
    }
  g_free (best);
  an->window_owned = g_new (int, an->n_windows + 1);
  for (int w = 0, f = 0; w <= an->n_windows; w++)
    {
      while (f < n_frames && an->frame_window[f] < w)
        f++;
      an->window_owned[w] = f;
    }
  for (int f = 1; f < n_frames; f++)   /* proved monotone; the copies below rely on it */
    g_assert (an->frame_window[f] >= an->frame_window[f - 1]);

  /* SSM resolution */
  an->ssm_pool = (n_frames + opt.ssm_max - 1) / opt.ssm_max;
  an->ssm_size = (n_frames + an->ssm_pool - 1) / an->ssm_pool;

  an->window_ready = g_new0 (gint, an->n_windows);

  /* arrays beyond tokens_in_memory_max live in cache files (model/vita-store.h) */
  gsize big = opt.tokens_in_memory_max;
  if (!(real->mel = vita_store_new ((gsize) n_frames * M, big, "the mel spectrogram", error)) ||
      (mel && !vita_analysis_set_mel (an, 0, mel, n_frames, error)) ||
      (opt.keep_tokens &&
       !(real->tokens = vita_store_new ((gsize) an->n_layers * n_frames * D, big,
                                        "the tokens of every layer", error))) ||
      !(an->cls = alloc_floats (an->n_windows, an->n_layers, D, TRUE, "the class tokens", error)) ||
      !(an->received = alloc_floats (L, NH, n_frames, TRUE, "the received attention", error)) ||
      !(an->ssm = alloc_floats (an->n_layers, an->ssm_size, an->ssm_size, TRUE, "the SSMs", error)) ||
      !(real->ssm_acc = alloc_floats (an->n_layers, an->ssm_size, D, TRUE, "the SSM accumulators", error)) ||
      !(real->ssm_part = vita_store_new ((gsize) an->n_windows * 2 * an->n_layers * D, big,
                                         "the SSM partial sums", error)))
    {
      vita_analysis_unref (an);
      return NULL;
    }
  an->mel = vita_store_data (real->mel);
  an->tokens = real->tokens ? vita_store_data (real->tokens) : NULL;
  return an;
}

VitaAnalysis *
vita_analysis_ref (VitaAnalysis *an)
{
  g_return_val_if_fail (an != NULL, NULL);
  g_atomic_int_inc (&an->ref_count);
  return an;
}

void
vita_analysis_unref (VitaAnalysis *an)
{
  if (an == NULL || !g_atomic_int_dec_and_test (&an->ref_count))
    return;
  vita_vit_unref (an->vit);
  g_free (an->window_start);
  g_free (an->frame_window);
  g_free (an->window_owned);
  if (an->priv == NULL)   /* built by hand: plain arrays */
    {
      g_free (an->mel);
      g_free (an->tokens);
    }
  g_free (an->cls);
  g_free (an->received);
  g_free (an->ssm);
  g_free (an->cka);
  g_free (an->onset);
  g_free (an->window_ready);
  if (an->priv)
    {
      vita_store_free (an->priv->mel);
      vita_store_free (an->priv->tokens);
      g_free (an->priv->ssm_acc);
      vita_store_free (an->priv->ssm_part);
    }
  g_free (an->priv);
  g_free (an);
}

/* ---- queries ------------------------------------------------------------------- */

gboolean
vita_analysis_window_ready (const VitaAnalysis *an, int window)
{
  g_return_val_if_fail (an != NULL, FALSE);
  if (window < 0 || window >= an->n_windows)
    return FALSE;
  return g_atomic_int_get (&an->window_ready[window]) != 0;
}

gboolean
vita_analysis_frame_ready (const VitaAnalysis *an, int frame)
{
  g_return_val_if_fail (an != NULL, FALSE);
  if (frame < 0 || frame >= an->n_frames)
    return FALSE;
  return vita_analysis_window_ready (an, an->frame_window[frame]);
}

gboolean
vita_analysis_is_complete (const VitaAnalysis *an)
{
  g_return_val_if_fail (an != NULL, FALSE);
  return g_atomic_int_get (&an->complete) != 0;
}

void
vita_analysis_set_priority_frame (VitaAnalysis *an, int frame)
{
  g_return_if_fail (an != NULL && an->priv != NULL);
  g_atomic_int_set (&an->priv->priority, frame < 0 ? -1 : frame);
}

int
vita_analysis_window_for_frame (const VitaAnalysis *an, int frame)
{
  g_return_val_if_fail (an != NULL, -1);
  if (frame < 0 || frame >= an->n_frames)
    return -1;
  return an->frame_window[frame];
}

void
vita_analysis_window_input (const VitaAnalysis *an, int window, float *out)
{
  g_return_if_fail (an != NULL && out != NULL);
  g_return_if_fail (window >= 0 && window < an->n_windows);
  const int T = an->cfg.frames, M = an->cfg.fe.n_mels;
  int s = an->window_start[window];
  int valid = MIN (T, an->n_frames - s);
  if (an->priv && an->priv->mel)   /* not through the mapping: nothing made resident */
    vita_store_read (an->priv->mel, (gsize) s * M, out, (gsize) valid * M);
  else
    memcpy (out, an->mel + (gsize) s * M, (gsize) valid * M * sizeof (float));
  for (gsize i = (gsize) valid * M; i < (gsize) T * M; i++)
    out[i] = an->pad_value;
}

/* One window of the last forward (batch row b): its attention (L, NH, N, N) into out. */
static void
gather_attention (const VitaAnalysis *an, const VitaAnalysisBackend *be, gpointer state,
                  int b, float *out)
{
  const gsize N = an->cfg.frames + 1, NH = an->cfg.heads;
  const gsize per_block = NH * N * N;
  for (int l = 0; l < an->cfg.depth; l++)
    memcpy (out + l * per_block, be->attention (state, l) + b * per_block,
            per_block * sizeof (float));
}

gsize
vita_analysis_window_attention_size (const VitaAnalysis *an)
{
  const gsize N = (gsize) an->cfg.frames + 1;
  return (gsize) an->cfg.depth * an->cfg.heads * N * N;
}

gboolean
vita_analysis_window_attention (const VitaAnalysis *an, int window, float *out,
                                GError **error)
{
  g_return_val_if_fail (an != NULL && out != NULL, FALSE);
  if (window < 0 || window >= an->n_windows)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_METADATA,
                   "Window %d does not exist (the analysis has %d)", window, an->n_windows);
      return FALSE;
    }
  g_return_val_if_fail (an->vit != NULL && an->mel != NULL, FALSE);
  const VitaAnalysisBackend *be = an->priv ? an->priv->backend : &default_backend;
  gpointer state = be->state_new (an->vit, 1, error);
  if (state == NULL)
    return FALSE;
  float *input = alloc_floats (an->cfg.frames, an->cfg.fe.n_mels, 1, FALSE, "one window's input", error);
  if (input == NULL)
    {
      be->state_free (state);
      return FALSE;
    }
  vita_analysis_window_input (an, window, input);
  be->forward (an->vit, state, input, 1);
  gather_attention (an, be, state, 0, out);
  g_free (input);
  be->state_free (state);
  return TRUE;
}

/* ---- the run ------------------------------------------------------------------- */

/* A model that loads must also compute (issue 15.6): after each forward pass every
 * token layer and attention map of the batch is checked, in the order they were
 * computed, and the first non-finite value stops the analysis naming the layer and
 * tensor.  The cost is one read of what the forward pass wrote. */
static gboolean
check_finite_batch (VitaAnalysis *an, const VitaAnalysisBackend *be, gpointer state, int nb,
                    const int *ids, GError **error)
{
  const gsize N = an->cfg.frames + 1, D = an->cfg.dim, NH = an->cfg.heads;
  const int L = an->cfg.depth;
  for (int l = 0; l <= L; l++)
    for (int pass = 0; pass < 2; pass++)
      {
        /* pass 0: attention of block l-1, then pass 1: token layer l */
        if (pass == 0 && l == 0)
          continue;
        const float *base = pass == 0 ? be->attention (state, l - 1) : be->tokens (state, l);
        if (base == NULL)
          continue;
        gsize per = pass == 0 ? NH * N * N : N * D;
        if (vita_all_finite (base, (gsize) nb * per))
          continue;   /* the usual case; otherwise find the first one */
        for (int b = 0; b < nb; b++)
          for (gsize i = 0; i < per; i++)
            if (!isfinite (base[(gsize) b * per + i]))
              {
                float v = base[(gsize) b * per + i];
                g_autofree char *what =
                  pass == 0 ? g_strdup_printf ("the attention of layer %d (blocks.%d.attn)", l, l - 1)
                  : l == 0 ? g_strdup ("layer 0 (patch embedding + positions)")
                  : g_strdup_printf ("layer %d (the output of blocks.%d)", l, l - 1);
                g_autofree char *disp = an->vit->path ? g_filename_display_name (an->vit->path)
                                                      : g_strdup ("the model");
                g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_NONFINITE,
                             "%s: the model computes %s in %s for window %d (token %d): its "
                             "weights or front-end constants (input_mean, input_std) are "
                             "unusable", disp, isnan (v) ? "NaN" : "Inf", what, ids[b],
                             (int) (pass == 0 ? (i / N) % N : i / D));
                return FALSE;
              }
      }
  return TRUE;
}

/* Copies window w (batch row b of the last forward) into the per-frame results it
 * owns, its class tokens, and adds its unit tokens to the SSM accumulators. */
static gboolean
store_window (VitaAnalysis *an, const VitaAnalysisBackend *be, gpointer state, int b, int w,
              GError **error)
{
  struct _VitaAnalysisPrivate *real = an->priv;
  const int N = an->cfg.frames + 1, D = an->cfg.dim, NH = an->cfg.heads;
  const int n_frames = an->n_frames, pool = an->ssm_pool, S = an->ssm_size;
  const int s = an->window_start[w];
  const int lo = an->window_owned[w], hi = an->window_owned[w + 1];

  /* SSM sums.  A group whose frames all belong to this window (one strictly between
   * the first and the last group the window touches) is written here; the first and
   * last groups may be shared with neighbouring windows, so the window's sums for them
   * go to its own slots, added up in window order by finish_ssm.  Every sum is thus
   * formed in the same order whatever order (and thread) the windows are computed in:
   * the results are bit-identical for any number of workers or priority, and writing
   * a window twice (a resumed run) is harmless. */
  const int g_first = hi > lo ? lo / pool : 0, g_last = hi > lo ? (hi - 1) / pool : -1;
  const gsize n_part = (gsize) 2 * an->n_layers * D;
  g_autofree float *part = g_new0 (float, n_part);   /* this window's ssm_part slots */
  for (int l = 0; l < an->n_layers; l++)
    {
      const float *x = be->tokens (state, l) + (gsize) b * N * D;
      memcpy (an->cls + ((gsize) w * an->n_layers + l) * D, x, D * sizeof (float));
      /* the owned frames' rows are contiguous in the window and in the store */
      if (real->tokens && hi > lo &&
          !vita_store_write (real->tokens, ((gsize) l * n_frames + lo) * D,
                             x + (gsize) (1 + lo - s) * D, (gsize) (hi - lo) * D, error))
        return FALSE;
      float *acc = real->ssm_acc + (gsize) l * S * D;
      for (int g = g_first; g <= g_last; g++)
        {
          float *cell = g == g_first ? part + (gsize) l * D
                      : g == g_last ? part + (gsize) (an->n_layers + l) * D
                      : acc + (gsize) g * D;
          memset (cell, 0, D * sizeof (float));
          const int f0 = MAX (lo, g * pool), f1 = MIN (hi, (g + 1) * pool);
          /* unit vectors, as torch.nn.functional.cosine_similarity's eps 1e-8 */
          for (int f = f0; f < f1; f++)
            vita_add_unit_row (cell, x + (gsize) (1 + f - s) * D, D);
        }
    }

  if (!vita_store_write (real->ssm_part, (gsize) w * n_part, part, n_part, error))
    return FALSE;
  if (hi <= lo)
    return TRUE;
  /* received attention: column sums over every query row of the window */
  const int k0 = 1 + lo - s, nk = hi - lo;
  float *colsum = g_new (float, nk);
  for (int l = 0; l < an->cfg.depth; l++)
    for (int h = 0; h < NH; h++)
      {
        const float *A = be->attention (state, l) + ((gsize) b * NH + h) * N * N;
        memset (colsum, 0, nk * sizeof (float));
        vita_column_sums (colsum, A + k0, N, N, nk);
        memcpy (an->received + ((gsize) l * NH + h) * n_frames + lo, colsum, nk * sizeof (float));
      }
  g_free (colsum);
  return TRUE;
}

/* One layer's SSM from its accumulator: the mean unit token of each group, then the
 * Gram matrix (single-threaded BLAS: the same bits whichever thread does it). */
static void
finish_ssm_layer (VitaAnalysis *an, int l)
{
  const int S = an->ssm_size, D = an->cfg.dim, pool = an->ssm_pool;
  float *P = an->priv->ssm_acc + (gsize) l * S * D;
  for (int i = 0; i < S; i++)
    {
      int count = MIN (pool, an->n_frames - i * pool);
      float inv = 1.0f / count;
      for (int d = 0; d < D; d++)
        P[(gsize) i * D + d] *= inv;
    }
  float *C = an->ssm + (gsize) l * S * S;
  /* C = P P^T, upper triangle, then mirrored */
  cblas_ssyrk (CblasRowMajor, CblasUpper, CblasNoTrans, S, D, 1.0f, P, D, 0.0f, C, S);
  enum { TILE = 32 };   /* mirrored tile by tile: a column read at a time misses the cache */
  for (int i0 = 0; i0 < S; i0 += TILE)
    for (int j0 = 0; j0 <= i0; j0 += TILE)
      for (int i = i0; i < MIN (i0 + TILE, S); i++)
        for (int j = j0; j < MIN (j0 + TILE, i); j++)
          C[(gsize) i * S + j] = C[(gsize) j * S + i];
}

typedef struct {
  VitaAnalysis *an;
  gint next;   /* atomic: the next layer to take */
} SsmLayers;

static gpointer
finish_ssm_worker (gpointer data)
{
  SsmLayers *job = data;
  for (int l; (l = g_atomic_int_add (&job->next, 1)) < job->an->n_layers;)
    finish_ssm_layer (job->an, l);
  return NULL;
}

/* The SSMs from the accumulators, the layers shared by up to `threads` threads. */
static void
finish_ssm (VitaAnalysis *an, int threads)
{
  struct _VitaAnalysisPrivate *real = an->priv;
  const int S = an->ssm_size, D = an->cfg.dim, pool = an->ssm_pool, NL = an->n_layers;
  /* the shared groups: each window's sums for its first and last group, in window order */
  g_autofree float *parts = g_new (float, (gsize) 2 * NL * D);
  for (int w = 0; w < an->n_windows; w++)
    {
      const int lo = an->window_owned[w], hi = an->window_owned[w + 1];
      if (hi <= lo)
        continue;
      const int g_first = lo / pool, g_last = (hi - 1) / pool;
      vita_store_read (real->ssm_part, (gsize) w * 2 * NL * D, parts, (gsize) 2 * NL * D);
      for (int l = 0; l < NL; l++)
        for (int slot = 0; slot < (g_last > g_first ? 2 : 1); slot++)
          {
            const float *part = parts + ((gsize) slot * NL + l) * D;
            float *cell = real->ssm_acc + ((gsize) l * S + (slot ? g_last : g_first)) * D;
            for (int d = 0; d < D; d++)
              cell[d] += part[d];
          }
    }
  /* single-threaded BLAS in every thread: a threaded ssyrk splits the work differently
   * and may round differently, and the SSMs must not depend on the number of workers */
  g_autoptr(VitaBlasSingle) single = vita_blas_single_begin ();
  SsmLayers job = { an, 0 };
  threads = CLAMP (threads, 1, NL);
  g_autofree GThread **helpers = g_new0 (GThread *, threads);
  for (int t = 1; t < threads; t++)
    helpers[t] = g_thread_try_new ("vita-ssm", finish_ssm_worker, &job, NULL);
  finish_ssm_worker (&job);
  for (int t = 1; t < threads; t++)
    if (helpers[t])
      g_thread_join (helpers[t]);
}

static double
cpu_seconds (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Up to cap windows not taken yet, nearest the priority frame first (index order
 * without one). Returns how many. */
static int
pick_batch (VitaAnalysis *an, const guint8 *taken, int cap, int *ids)
{
  int priority = g_atomic_int_get (&an->priv->priority);
  int n = 0;
  if (priority < 0)
    {
      for (int w = 0; w < an->n_windows && n < cap; w++)
        if (!taken[w])
          ids[n++] = w;
      return n;
    }
  const int T = an->cfg.frames;
  gint64 *dist = g_new (gint64, cap);
  for (int w = 0; w < an->n_windows; w++)
    {
      if (taken[w])
        continue;
      /* twice the distance from the window's centre to the priority frame */
      gint64 d = ABS ((gint64) 2 * priority - (2 * (gint64) an->window_start[w] + T - 1));
      int pos = n;
      while (pos > 0 && dist[pos - 1] > d)  /* ties keep index order */
        pos--;
      if (pos >= cap)
        continue;
      int last = MIN (n, cap - 1);
      for (int i = last; i > pos; i--)
        {
          ids[i] = ids[i - 1];
          dist[i] = dist[i - 1];
        }
      ids[pos] = w;
      dist[pos] = d;
      n = MIN (n + 1, cap);
    }
  g_free (dist);
  return n;
}

/* What the workers of one run share.  lock guards taken, n_taken, next_seq, sink_seq,
 * stop and error; progress_lock serialises the progress callback.  POSIX mutexes
 * rather than GMutex: GLib ≥ 2.73 builds GMutex on raw futexes, which ThreadSanitizer
 * cannot see (every access under them is reported as a race). */
typedef struct {
  VitaAnalysis *an;
  const VitaAnalysisBackend *be;
  VitaAnalysisProgress progress;
  gpointer progress_data;
  VitaAnalysisAttentionSink sink;
  gpointer sink_data;
  GCancellable *cancellable;
  int cap;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  pthread_mutex_t progress_lock;
  int progress_done;   /* under progress_lock: windows_done of the last report */
  guint8 *taken;       /* (n_windows) ready, or handed to a worker in this run */
  int n_taken;
  guint64 next_seq;    /* batches handed out */
  guint64 sink_seq;    /* the batch whose windows go to the sink next */
  gboolean stop;
  int picked_priority; /* the priority frame the last batch was picked for */
  GError *error;       /* the first failure */
} RunShared;

/* Records the first failure and stops every worker. */
static void
run_fail (RunShared *rs, GError *error)
{
  pthread_mutex_lock (&rs->lock);
  if (rs->error == NULL)
    rs->error = error;
  else
    g_error_free (error);
  rs->stop = TRUE;
  pthread_cond_broadcast (&rs->cond);
  pthread_mutex_unlock (&rs->lock);
}

static gpointer
run_worker (gpointer data)
{
  RunShared *rs = data;
  VitaAnalysis *an = rs->an;
  const VitaAnalysisBackend *be = rs->be;
  const int T = an->cfg.frames, M = an->cfg.fe.n_mels;
  const gsize att_size = (gsize) an->cfg.depth * an->cfg.heads * (T + 1) * (T + 1);
  GError *error = NULL;
  float *input = NULL, *att = NULL;
  int *ids = g_new (int, rs->cap);

  gpointer state = be->state_new (an->vit, rs->cap, &error);
  if (state == NULL ||
      !(input = alloc_floats (rs->cap, T, M, FALSE, "the window inputs", &error)) ||
      (rs->sink && !(att = alloc_floats (att_size, 1, 1, FALSE, "one window's attention", &error))))
    {
      run_fail (rs, error);
      goto out;
    }

  for (;;)
    {
      pthread_mutex_lock (&rs->lock);
      if (rs->stop || rs->n_taken == an->n_windows)
        {
          pthread_mutex_unlock (&rs->lock);
          break;
        }
      if (g_cancellable_set_error_if_cancelled (rs->cancellable, &error))
        {
          pthread_mutex_unlock (&rs->lock);
          run_fail (rs, error);
          break;
        }
      /* A new priority (the start, a seek): its window alone first, so that it is
       * ready after one window's forward pass rather than a whole batch's. */
      int priority = g_atomic_int_get (&an->priv->priority), cap = rs->cap;
      if (priority >= 0 && priority != rs->picked_priority)
        cap = 1;
      /* The last windows in ever smaller batches (at most half of what is left), so
       * that at the end no worker waits long for another's whole batch.  Not by the
       * number of workers: a row's last bits depend on the batch it is computed in
       * (the sgemm micro-kernel it falls in), and the batches must be the same for
       * any number of workers. */
      cap = MIN (cap, MAX (1, (an->n_windows - rs->n_taken + 1) / 2));
      rs->picked_priority = priority;
      int nb = pick_batch (an, rs->taken, cap, ids);
      g_assert (nb > 0);
      for (int b = 0; b < nb; b++)
        rs->taken[ids[b]] = 1;
      rs->n_taken += nb;
      guint64 seq = rs->next_seq++;
      pthread_mutex_unlock (&rs->lock);

      for (int b = 0; b < nb; b++)
        vita_analysis_window_input (an, ids[b], input + (gsize) b * T * M);
      be->forward (an->vit, state, input, nb);
      if (!check_finite_batch (an, be, state, nb, ids, &error))
        {
          run_fail (rs, error);
          goto out;
        }
      /* each window writes only its own frames, class tokens and SSM slots */
      for (int b = 0; b < nb; b++)
        if (!store_window (an, be, state, b, ids[b], &error))
          {
            run_fail (rs, error);   /* this batch's windows stay not ready */
            goto out;
          }

      if (rs->sink)
        {
          /* the sink sees the batches in the order they were handed out */
          pthread_mutex_lock (&rs->lock);
          while (rs->sink_seq != seq && !rs->stop)
            pthread_cond_wait (&rs->cond, &rs->lock);
          gboolean stop = rs->stop;
          pthread_mutex_unlock (&rs->lock);
          if (stop)
            break;   /* this batch's windows stay not ready: a later run redoes them */
        }
      for (int b = 0; b < nb; b++)
        {
          /* full barrier: the window's data is visible before its flag */
          g_atomic_int_set (&an->window_ready[ids[b]], 1);
          g_atomic_int_inc (&an->n_ready);
          if (rs->sink)
            {
              gather_attention (an, be, state, b, att);
              if (!rs->sink (an, ids[b], att, rs->sink_data, &error))
                {
                  if (error == NULL)
                    g_set_error (&error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO,
                                 "The attention of window %d could not be written", ids[b]);
                  run_fail (rs, error);
                  goto out;
                }
            }
        }
      if (rs->sink)
        {
          pthread_mutex_lock (&rs->lock);
          rs->sink_seq++;
          pthread_cond_broadcast (&rs->cond);
          pthread_mutex_unlock (&rs->lock);
        }
      if (rs->progress)
        {
          /* serialised; a worker whose windows were already counted in another
           * worker's report has nothing new to say */
          pthread_mutex_lock (&rs->progress_lock);
          int done = g_atomic_int_get (&an->n_ready);
          if (done > rs->progress_done)
            {
              rs->progress_done = done;
              rs->progress (an, done, an->n_windows, rs->progress_data);
            }
          pthread_mutex_unlock (&rs->progress_lock);
        }
    }

out:
  if (state)
    be->state_free (state);
  g_free (input);
  g_free (att);
  g_free (ids);
  return NULL;
}

gboolean
vita_analysis_run (VitaAnalysis *an,
                   VitaAnalysisProgress progress, gpointer progress_data,
                   VitaAnalysisAttentionSink sink, gpointer sink_data,
                   GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (an != NULL && an->priv != NULL, FALSE);
  struct _VitaAnalysisPrivate *real = an->priv;
  if (!g_atomic_int_compare_and_exchange (&real->running, 0, 1))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY,
                   "This analysis is already running in another thread");
      return FALSE;
    }
  if (vita_analysis_is_complete (an))
    {
      g_atomic_int_set (&real->running, 0);
      return TRUE;
    }

  gint64 t0 = g_get_monotonic_time ();
  RunShared rs = {
    .an = an, .be = real->backend, .progress = progress, .progress_data = progress_data,
    .sink = sink, .sink_data = sink_data, .cancellable = cancellable,
    .cap = MIN (real->batch, an->n_windows),
    .picked_priority = -1,
  };
  pthread_mutex_init (&rs.lock, NULL);
  pthread_cond_init (&rs.cond, NULL);
  pthread_mutex_init (&rs.progress_lock, NULL);
  rs.taken = g_new0 (guint8, an->n_windows);
  for (int w = 0; w < an->n_windows; w++)
    if (g_atomic_int_get (&an->window_ready[w]))
      {
        rs.taken[w] = 1;
        rs.n_taken++;
      }

  int workers = real->workers > 0 ? real->workers : (int) g_get_num_processors ();
  int batches = (an->n_windows - rs.n_taken + rs.cap - 1) / rs.cap;
  workers = CLAMP (workers, 1, MAX (1, batches));
  /* Memory: every worker holds a forward state of cap windows (the inference state of
   * vita_vit_state_new: tokens of every layer, attention of every block, one block's
   * scratch — about 6 MB per window at paper size).  Their sum stays within
   * STATE_BUDGET, so a 10-minute track stays under 400 MB on any number of cores
   * (2 workers at batch 8, 9 at batch 2, at paper size). */
  {
    const gsize N = an->cfg.frames + 1, D = an->cfg.dim, L = an->cfg.depth;
    const gsize window_bytes = sizeof (float) *
      ((L + 1) * N * D * 2 + L * an->cfg.heads * N * N + N * (4 * D + 2 * (gsize) an->cfg.mlp_dim));
    const gsize STATE_BUDGET = 96u << 20;
    gsize fit = STATE_BUDGET / MAX (1, window_bytes * rs.cap);
    workers = MIN (workers, (int) CLAMP (fit, 1, 1024));
  }
  GThread **threads = g_new0 (GThread *, workers);
  /* several workers: each BLAS call runs in its worker (vita-blas.h) */
  VitaBlasSingle *single = workers > 1 ? vita_blas_single_begin () : NULL;
  for (int i = 1; i < workers; i++)
    {
      GError *thread_error = NULL;
      threads[i] = g_thread_try_new ("vita-analysis", run_worker, &rs, &thread_error);
      if (threads[i] == NULL)   /* fewer workers: the others do the work */
        g_clear_error (&thread_error);
    }
  run_worker (&rs);
  for (int i = 1; i < workers; i++)
    if (threads[i])
      g_thread_join (threads[i]);
  vita_blas_single_end (single);
  g_free (threads);

  gboolean ok = rs.error == NULL;
  if (!ok)
    g_propagate_error (error, rs.error);
  gint64 t1 = g_get_monotonic_time ();
  an->seconds_forward += (t1 - t0) / 1e6;
  if (ok)
    {
      g_assert (g_atomic_int_get (&an->n_ready) == an->n_windows);
      double c1 = cpu_seconds ();
      finish_ssm (an, workers);
      an->seconds_ssm = (g_get_monotonic_time () - t1) / 1e6;
      an->cpu_seconds_ssm = cpu_seconds () - c1;
      g_clear_pointer (&real->ssm_acc, g_free);
      g_clear_pointer (&real->ssm_part, vita_store_free);
      g_atomic_int_set (&an->complete, 1);
    }
  g_free (rs.taken);
  pthread_mutex_destroy (&rs.lock);
  pthread_cond_destroy (&rs.cond);
  pthread_mutex_destroy (&rs.progress_lock);
  g_atomic_int_set (&real->running, 0);
  return ok;
}

const float *
vita_analysis_track_cka (const VitaAnalysis *an)
{
  g_return_val_if_fail (an != NULL, NULL);
  return g_atomic_pointer_get (&((VitaAnalysis *) an)->cka);
}

gboolean
vita_analysis_run_track_cka (VitaAnalysis *an,
                             VitaAnalysisProgress progress, gpointer progress_data,
                             GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (an != NULL && an->priv != NULL, FALSE);
  struct _VitaAnalysisPrivate *real = an->priv;
  if (vita_analysis_track_cka (an) != NULL || an->tokens == NULL || an->n_frames < 2)
    return TRUE;   /* there already, or nothing to compute */
  if (!vita_analysis_is_complete (an))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY,
                   "The whole track's layer similarity needs the whole analysis "
                   "(%d of %d windows done)", g_atomic_int_get (&an->n_ready), an->n_windows);
      return FALSE;
    }
  if (!g_atomic_int_compare_and_exchange (&real->running, 0, 1))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY,
                   "This analysis is already running in another thread");
      return FALSE;
    }
  gint64 t0 = g_get_monotonic_time ();
  double c0 = cpu_seconds ();
  int threads = real->workers > 0 ? real->workers : (int) g_get_num_processors ();
  float *cka = g_new (float, (gsize) an->n_layers * an->n_layers);
  gboolean ok = vita_analysis_cka_threads (cka, an, 0, an->n_frames, threads, cancellable, error);
  if (ok)
    {
      an->seconds_cka = (g_get_monotonic_time () - t0) / 1e6;
      an->cpu_seconds_cka = cpu_seconds () - c0;
      g_atomic_pointer_set (&an->cka, cka);   /* full barrier: the values before the pointer */
    }
  else
    g_free (cka);
  g_atomic_int_set (&real->running, 0);
  if (ok && progress)
    progress (an, an->n_windows, an->n_windows, progress_data);
  return ok;
}

void
vita_analysis_set_onset (VitaAnalysis *an, const float *onset)
{
  g_free (an->onset);
  an->onset = onset ? g_memdup2 (onset, (gsize) MAX (an->n_frames, 1) * sizeof (float)) : NULL;
}
