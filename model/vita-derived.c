/* vita-derived.c — received attention, rollout, onset peaks, linear CKA (see
 * vita-derived.h). */
#include "vita-derived.h"
#include "vita-model.h"
#include "vita-blas.h"
#include "dsp/vita-features.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

void
vita_attention_head_map (float *out, const float *att, int block, int head, int NH, int N)
{
  gsize nn = (gsize) N * N;
  const float *blk = att + (gsize) block * NH * nn;   /* (NH, N, N) */
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

void
vita_attention_rollout (float *out, const float *att, int block, int NH, int N)
{
  gsize nn = (gsize) N * N;
  g_autofree float *a = g_new (float, nn);     /* (N, N) Ã_b */
  g_autofree float *tmp = g_new (float, nn);   /* (N, N) */
  for (int b = 0; b <= block; b++)
    {
      vita_attention_head_map (a, att, b, -1, NH, N);
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
        memcpy (out, a, nn * sizeof (float));
      else
        {
          /* R_b = Ã_b · R_{b-1} */
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1.0f, a, N, out, N,
                       0.0f, tmp, N);
          memcpy (out, tmp, nn * sizeof (float));
        }
    }
}

float
vita_received_curve (float *out, const VitaAnalysis *an, int block, int head, int f0, int f1)
{
  int n = an->n_frames, NH = an->cfg.heads;
  float max = 0;
  for (int f = f0; f < f1; f++)
    {
      if (f < 0 || f >= n || an->received == NULL || !vita_analysis_frame_ready (an, f))
        {
          out[f - f0] = NAN;
          continue;
        }
      double s = 0;
      for (int h = 0; h < NH; h++)
        if (head < 0 || h == head)
          s += an->received[((gsize) block * NH + h) * n + f];
      out[f - f0] = (float) (head < 0 ? s / NH : s);
      max = MAX (max, out[f - f0]);
    }
  return max;
}

GArray *
vita_onset_peaks (const float *curve, gsize n, float delta, int wait)
{
  float lo = INFINITY, hi = -INFINITY;
  for (gsize f = 0; f < n; f++)
    if (isfinite (curve[f]))
      {
        lo = MIN (lo, curve[f]);
        hi = MAX (hi, curve[f]);
      }
  /* Min-max scaling: received attention sits on a baseline (every frame gets some)
   * and a piece's flux has its own scale; the onsets are relative peaks, so one
   * delta fits every curve. */
  g_autofree float *c = g_new (float, MAX (n, 1));
  for (gsize f = 0; f < n; f++)
    c[f] = hi > lo && isfinite (curve[f]) ? (curve[f] - lo) / (hi - lo) : 0.0f;
  return vita_peak_pick (c, n, delta, wait);
}

/* ---- linear CKA --------------------------------------------------------------- */

/* Column-centred copy of every layer: z (n_layers, n, d). */
static float *
centred_layers (const float *x, int n_layers, gsize layer_stride, int n, int d)
{
  float *z = g_new (float, (gsize) n_layers * n * d);
  g_autofree double *mean = g_new (double, d);
  for (int l = 0; l < n_layers; l++)
    {
      const float *xl = x + (gsize) l * layer_stride;   /* (n, d) */
      float *zl = z + (gsize) l * n * d;
      memset (mean, 0, d * sizeof (double));
      for (int i = 0; i < n; i++)
        for (int k = 0; k < d; k++)
          mean[k] += xl[(gsize) i * d + k];
      for (int k = 0; k < d; k++)
        mean[k] /= MAX (n, 1);
      for (int i = 0; i < n; i++)
        for (int k = 0; k < d; k++)
          zl[(gsize) i * d + k] = (float) (xl[(gsize) i * d + k] - mean[k]);
    }
  return z;
}

static double
dot (const float *a, const float *b, gsize len)
{
  double s = 0;
  for (gsize i = 0; i < len; i++)
    s += (double) a[i] * b[i];
  return s;
}

static void
cka_normalise (float *out, const double *hsic, int n_layers)
{
  for (int a = 0; a < n_layers; a++)
    for (int b = 0; b < n_layers; b++)
      {
        double den = sqrt (hsic[a * n_layers + a] * hsic[b * n_layers + b]);
        out[a * n_layers + b] = den > 0 ? (float) (hsic[a * n_layers + b] / den) : 0.0f;
      }
}

void
vita_cka_forward (float *out, const float *x, int n_layers, gsize layer_stride, int n, int d)
{
  g_return_if_fail (n_layers > 0 && n > 0 && d > 0);
  g_autofree float *z = centred_layers (x, n_layers, layer_stride, n, d);   /* (n_layers, n, d) */
  g_autofree double *hsic = g_new (double, (gsize) n_layers * n_layers);
  /* ‖Ycᵀ Xc‖²_F = <Xc Xcᵀ, Yc Ycᵀ>: d × d products when d < n, else n × n Grams. */
  gboolean gram = n <= d;
  int m = gram ? n : d;
  gsize mm = (gsize) m * m;
  g_autofree float *k = g_new (float, (gsize) n_layers * mm);   /* (n_layers, m, m) */
  if (gram)
    for (int l = 0; l < n_layers; l++)   /* K_l = Z_l Z_lᵀ (n, n) */
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, n, n, d, 1.0f, z + (gsize) l * n * d,
                   d, z + (gsize) l * n * d, d, 0.0f, k + (gsize) l * mm, n);
  for (int a = 0; a < n_layers; a++)
    for (int b = a; b < n_layers; b++)
      {
        double v;
        if (gram)
          v = dot (k + (gsize) a * mm, k + (gsize) b * mm, mm);
        else
          {
            /* C = Z_aᵀ Z_b (d, d); ‖C‖²_F */
            cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, d, d, n, 1.0f,
                         z + (gsize) a * n * d, d, z + (gsize) b * n * d, d, 0.0f, k, d);
            v = dot (k, k, mm);
          }
        hsic[a * n_layers + b] = hsic[b * n_layers + a] = v;
      }
  cka_normalise (out, hsic, n_layers);
}

void
vita_cka_forward_ref (float *out, const float *x, int n_layers, gsize layer_stride, int n,
                      int d)
{
  /* Straight from the definition: Grams of centred features, in double. */
  g_autofree double *z = g_new (double, (gsize) n_layers * n * d);
  for (int l = 0; l < n_layers; l++)
    for (int k = 0; k < d; k++)
      {
        double mean = 0;
        for (int i = 0; i < n; i++)
          mean += x[l * layer_stride + (gsize) i * d + k];
        mean /= n;
        for (int i = 0; i < n; i++)
          z[((gsize) l * n + i) * d + k] = x[l * layer_stride + (gsize) i * d + k] - mean;
      }
  g_autofree double *hsic = g_new0 (double, (gsize) n_layers * n_layers);
  for (int a = 0; a < n_layers; a++)
    for (int b = 0; b < n_layers; b++)
      for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
          {
            double ka = 0, kb = 0;
            for (int k = 0; k < d; k++)
              {
                ka += z[((gsize) a * n + i) * d + k] * z[((gsize) a * n + j) * d + k];
                kb += z[((gsize) b * n + i) * d + k] * z[((gsize) b * n + j) * d + k];
              }
            hsic[a * n_layers + b] += ka * kb;
          }
  cka_normalise (out, hsic, n_layers);
}

/* vita_cka_forward's d × d branch over frames [first, last) of an analysis, read in
 * parts (vita_analysis_read_tokens): the tokens are never whole in memory (3.4 GB for
 * a 3-hour track).  Pass 1: each layer's mean; pass 2: the Gram of the centred tokens of
 * all layers side by side, G = Zᵀ Z (n_layers·d square), accumulated part by part;
 * block (a, b) of G is Z_aᵀ Z_b.
 *
 * Pass 2 is nearly all the work (n·(n_layers·d)²/2 multiply-adds: 35 GFLOP for a
 * 3-minute track at paper size), so it is split into panels shared by `threads`
 * threads: panel a is the rows of layer a right of the diagonal, Z_aᵀ [Z_a … Z_{L-1}],
 * one ssyrk (block (a, a)) and one sgemm (the others) per part of the track.  Each
 * panel is always computed by the same calls on the same inputs, whichever thread has
 * it, so G — and the CKA — are identical for any number of threads.  A thread centres
 * each part once, from the lowest layer of its panels up, for all its panels. */
enum { CKA_PART = 512 };

typedef struct {
  const VitaAnalysis *an;
  int first, last;
  const float *mean;    /* (n_layers · d) */
  float *g;             /* (W, W), W = n_layers · d: panels fill blocks (a, b ≥ a) */
  const int *owner;     /* (n_layers) the thread of each panel */
  int thread;           /* this one */
  GCancellable *cancellable;  /* checked before each part */
  gboolean stopped;     /* this thread saw it cancelled */
} CkaPanels;

/* z = x − m over d floats, 8 at a time (GCC's -O2 leaves such loops scalar) */
typedef float CkaVec __attribute__ ((vector_size (32)));

static inline void
cka_centre_row (float *z, const float *x, const float *m, int d)
{
  int k = 0;
  for (; k + 8 <= d; k += 8)
    {
      CkaVec a, b;
      memcpy (&a, x + k, sizeof a);
      memcpy (&b, m + k, sizeof b);
      a -= b;
      memcpy (z + k, &a, sizeof a);
    }
  for (; k < d; k++)
    z[k] = x[k] - m[k];
}

/* Layer l's tokens of frames [f0, f0 + n): in place when they are in memory, else
 * read into scratch (a cache file's pages are not made resident). */
static const float *
cka_tokens (const VitaAnalysis *an, int l, int f0, int n, float *scratch)
{
  const gsize d = an->cfg.dim;
  if (!vita_analysis_tokens_cached (an))
    return an->tokens + ((gsize) l * an->n_frames + f0) * d;
  vita_analysis_read_tokens (an, l, f0, n, scratch);
  return scratch;
}

static gpointer
cka_panels_worker (gpointer data)
{
  CkaPanels *job = data;
  const VitaAnalysis *an = job->an;
  const int NL = an->n_layers, d = an->cfg.dim, W = NL * d;
  int lowest = 0;
  while (lowest < NL && job->owner[lowest] != job->thread)
    lowest++;
  if (lowest == NL)
    return NULL;
  g_autofree float *x = g_new (float, (gsize) CKA_PART * d);
  g_autofree float *z = g_new (float, (gsize) CKA_PART * W);   /* the part, centred */
  for (int f0 = job->first; f0 < job->last; f0 += CKA_PART)
    {
      if (g_cancellable_is_cancelled (job->cancellable))
        {
          job->stopped = TRUE;
          return NULL;
        }
      const int nc = MIN (CKA_PART, job->last - f0);
      for (int l = lowest; l < NL; l++)
        {
          const float *xl = cka_tokens (an, l, f0, nc, x);
          for (int i = 0; i < nc; i++)
            cka_centre_row (z + (gsize) i * W + (gsize) l * d, xl + (gsize) i * d,
                            job->mean + (gsize) l * d, d);
        }
      const float beta = f0 == job->first ? 0.0f : 1.0f;
      for (int a = lowest; a < NL; a++)
        if (job->owner[a] == job->thread)
          {
            /* block (a, a): its upper triangle; blocks (a, a+1 …): all of them */
            const float *za = z + (gsize) a * d;
            float *ga = job->g + (gsize) a * d * W + (gsize) a * d;
            cblas_ssyrk (CblasRowMajor, CblasUpper, CblasTrans, d, nc, 1.0f, za, W, beta, ga, W);
            if (a + 1 < NL)
              cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, d, (NL - a - 1) * d, nc, 1.0f,
                           za, W, za + d, W, beta, ga + d, W);
          }
    }
  return NULL;
}

static gboolean
cka_streamed (float *out, const VitaAnalysis *an, int first, int last, int threads,
              GCancellable *cancellable, GError **error)
{
  const int NL = an->n_layers, d = an->cfg.dim, W = NL * d, n = last - first;
  g_autofree double *sum = g_new0 (double, W);
  g_autofree float *mean = g_new (float, W);
  g_autofree float *x = g_new (float, (gsize) CKA_PART * d);
  for (int f0 = first; f0 < last; f0 += CKA_PART)
    {
      const int nc = MIN (CKA_PART, last - f0);
      for (int l = 0; l < NL; l++)
        {
          const float *xl = cka_tokens (an, l, f0, nc, x);
          double *sl = sum + (gsize) l * d;
          for (int i = 0; i < nc; i++)
            for (int k = 0; k < d; k++)
              sl[k] += xl[(gsize) i * d + k];
        }
    }
  for (int k = 0; k < W; k++)
    mean[k] = (float) (sum[k] / n);

  g_autofree float *g = g_new (float, (gsize) W * W);
  /* panels to threads, largest first to the least loaded (panel a: NL − a blocks) */
  threads = CLAMP (threads, 1, NL);
  g_autofree int *owner = g_new (int, NL);
  g_autofree int *load = g_new0 (int, threads);
  for (int a = 0; a < NL; a++)
    {
      int t = 0;
      for (int u = 1; u < threads; u++)
        if (load[u] < load[t])
          t = u;
      load[t] += NL - a;
      owner[a] = t;
    }
  g_autofree CkaPanels *jobs = g_new (CkaPanels, threads);
  for (int t = 0; t < threads; t++)
    jobs[t] = (CkaPanels) { .an = an, .first = first, .last = last, .mean = mean, .g = g,
                            .owner = owner, .thread = t, .cancellable = cancellable };
  /* each panel's sgemm in its own thread (vita-blas.h) */
  g_autoptr(VitaBlasSingle) single = threads > 1 ? vita_blas_single_begin () : NULL;
  g_autofree GThread **helpers = g_new0 (GThread *, threads);
  for (int t = 1; t < threads; t++)
    helpers[t] = g_thread_try_new ("vita-cka", cka_panels_worker, &jobs[t], NULL);
  cka_panels_worker (&jobs[0]);
  for (int t = 1; t < threads; t++)
    if (helpers[t])
      g_thread_join (helpers[t]);
    else   /* no thread: its panels here */
      cka_panels_worker (&jobs[t]);
  for (int t = 0; t < threads; t++)
    if (jobs[t].stopped)
      {
        g_cancellable_set_error_if_cancelled (cancellable, error);
        return FALSE;
      }

  /* hsic[a, b] = ‖Z_aᵀ Z_b‖²_F from block (a, b) of G, a ≤ b */
  g_autofree double *hsic = g_new (double, (gsize) NL * NL);
  for (int a = 0; a < NL; a++)
    for (int b = a; b < NL; b++)
      {
        double v = 0;   /* block (a, a): its upper triangle, twice what is off the diagonal */
        for (int i = 0; i < d; i++)
          {
            const float *row = g + (gsize) (a * d + i) * W + (gsize) b * d;
            for (int j = a == b ? i : 0; j < d; j++)
              v += (a == b && j > i ? 2.0 : 1.0) * row[j] * row[j];
          }
        hsic[a * NL + b] = hsic[b * NL + a] = v;
      }
  cka_normalise (out, hsic, NL);
  return TRUE;
}

gboolean
vita_analysis_cka (float *out, const VitaAnalysis *an, int first, int n, GError **error)
{
  return vita_analysis_cka_threads (out, an, first, n, 1, NULL, error);
}

gboolean
vita_analysis_cka_threads (float *out, const VitaAnalysis *an, int first, int n, int threads,
                           GCancellable *cancellable, GError **error)
{
  int last = MIN (first + n, an->n_frames);
  first = MAX (first, 0);
  if (an->tokens == NULL)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED,
                   "layer similarity needs the tokens of every layer, which this analysis "
                   "did not keep");
      return FALSE;
    }
  if (last - first < 2)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH,
                   "layer similarity needs at least 2 frames (frames %d to %d of %d)",
                   first, last, an->n_frames);
      return FALSE;
    }
  for (int f = first; f < last; f++)
    if (!vita_analysis_frame_ready (an, f))
      {
        g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY,
                     "frame %d is not analysed yet", f);
        return FALSE;
      }
  int D = an->cfg.dim;
  if (last - first > D)   /* the d × d branch, without a copy of every token */
    return cka_streamed (out, an, first, last, threads, cancellable, error);
  else
    vita_cka_forward (out, an->tokens + (gsize) first * D, an->n_layers,
                      (gsize) an->n_frames * D, last - first, D);
  return TRUE;
}
