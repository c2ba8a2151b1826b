/* vita-features.c — reference features the model is compared against
 * (features.md: onsets, and the chroma / MFCC / onset self-similarity matrices).
 * Each function names the reference whose convention it follows exactly; the
 * golden tests (tests/dsp/test-features.c) compare against those references.
 */
#include "vita-features.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <string.h>

/* ---- spectral-flux onset novelty ------------------------------------------------ */

/* Definition (Böck, Krebs & Schedl, "Evaluating the online capabilities of onset
 * detection methods", ISMIR 2012, eq. 2–4, with λ = 1; the same log-magnitude flux
 * as SuperFlux without its maximum filter):
 *     L[t,k]  = log(1 + |X[t,k]|)           |X| = sqrt(power)
 *     out[t]  = Σ_k max(0, L[t,k] - L[t-1,k])   (t >= 1),   out[0] = 0
 * i.e. librosa.onset.onset_strength's half-wave-rectified first difference (lag 1,
 * no max filter) but summed (not averaged) over linear-frequency bins of a
 * log(1+|X|)-compressed magnitude.  The golden reference is the numpy one-liner in
 * tests/make_golden_dsp.py.  Accumulated in double: the result does not depend on
 * the summation order to float precision. */
void
vita_onset_flux (const float *power, gsize n_frames, int n_bins, float *out)
{
  g_return_if_fail ((power != NULL || n_frames == 0) && n_bins > 0 && (out != NULL || n_frames == 0));
  if (n_frames == 0)
    return;
  out[0] = 0.0f;
  for (gsize t = 1; t < n_frames; t++)
    {
      const float *prev = power + (t - 1) * (gsize) n_bins;
      const float *cur = power + t * (gsize) n_bins;
      double acc = 0;
      for (int k = 0; k < n_bins; k++)
        {
          double d = log1p (sqrt (fmax (cur[k], 0.0f))) - log1p (sqrt (fmax (prev[k], 0.0f)));
          if (d > 0)
            acc += d;
        }
      out[t] = (float) acc;
    }
}

/* ---- peak picking ---------------------------------------------------------------------- */

/* librosa.util.peak_pick (0.10) semantics: frame n is a peak when
 *   x[n] == max(x[max(0, n - pre_max) : min(n + post_max, N)])        (local maximum)
 *   x[n] >= mean(x[max(0, n - pre_avg) : min(n + post_avg, N)]) + delta (above the local mean)
 *   n > last_peak + wait                                               (minimum spacing)
 * scanning left to right. */
GArray *
vita_peak_pick_full (const float *x, gsize n, int pre_max, int post_max,
                     int pre_avg, int post_avg, float delta, int wait)
{
  g_return_val_if_fail (x != NULL || n == 0, NULL);
  g_return_val_if_fail (pre_max >= 0 && post_max >= 1 && pre_avg >= 0 && post_avg >= 1 && wait >= 0, NULL);
  GArray *peaks = g_array_new (FALSE, FALSE, sizeof (guint));
  gssize last = -1;
  for (gsize i = 0; i < n; i++)
    {
      if (last >= 0 && (gssize) i <= last + wait)
        continue;
      gsize lo = i >= (gsize) pre_max ? i - (gsize) pre_max : 0;
      gsize hi = MIN (i + (gsize) post_max, n);
      float mx = x[lo];
      for (gsize j = lo + 1; j < hi; j++)
        mx = MAX (mx, x[j]);
      if (x[i] != mx)
        continue;
      lo = i >= (gsize) pre_avg ? i - (gsize) pre_avg : 0;
      hi = MIN (i + (gsize) post_avg, n);
      double sum = 0;
      for (gsize j = lo; j < hi; j++)
        sum += x[j];
      double avg = sum / (double) (hi - lo);
      if ((double) x[i] >= avg + delta)
        {
          guint idx = (guint) i;
          g_array_append_val (peaks, idx);
          last = (gssize) i;
        }
    }
  return peaks;
}

/* Defaults: a 3-frame local maximum (±1 frame = ±32 ms at 31.25 frames/s) and
 * librosa.onset.onset_detect's ±0.1 s moving mean (3 frames before, 3 after). */
GArray *
vita_peak_pick (const float *novelty, gsize n, float delta, int wait)
{
  return vita_peak_pick_full (novelty, n, 1, 2, 3, 4, delta, wait);
}

/* ---- cosine self-similarity ----------------------------------------------------------- */

/* S[i,j] = <x_i, x_j> / (|x_i| |x_j|); rows with zero norm are similar to nothing
 * (their row and column are 0, the diagonal included).  One cblas_sgemm. */
void
vita_ssm_cosine (const float *x, gsize n, int d, float *out)
{
  g_return_if_fail ((x != NULL && out != NULL) || n == 0);
  g_return_if_fail (d > 0);
  if (n == 0)
    return;
  gsize len;
  g_assert (g_size_checked_mul (&len, n, (gsize) d));
  float *xn = g_new (float, len);
  for (gsize i = 0; i < n; i++)
    {
      const float *r = x + i * (gsize) d;
      double ss = 0;
      for (int k = 0; k < d; k++)
        ss += (double) r[k] * r[k];
      double inv = ss > 0 && isfinite (ss) ? 1.0 / sqrt (ss) : 0.0;
      for (int k = 0; k < d; k++)
        xn[i * (gsize) d + k] = (float) (r[k] * inv);
    }
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) n, (int) n, d,
               1.0f, xn, d, xn, d, 0.0f, out, (int) n);
  for (gsize i = 0; i < n * n; i++)
    out[i] = CLAMP (out[i], -1.0f, 1.0f);
  g_free (xn);
}

void
vita_ssm_cosine_ref (const float *x, gsize n, int d, float *out)
{
  for (gsize i = 0; i < n; i++)
    for (gsize j = 0; j < n; j++)
      {
        double dot = 0, a = 0, b = 0;
        for (int k = 0; k < d; k++)
          {
            dot += (double) x[i * d + k] * x[j * d + k];
            a += (double) x[i * d + k] * x[i * d + k];
            b += (double) x[j * d + k] * x[j * d + k];
          }
        out[i * n + j] = (a > 0 && b > 0) ? (float) CLAMP (dot / sqrt (a * b), -1.0, 1.0) : 0.0f;
      }
}

/* ---- chroma ---------------------------------------------------------------------------- */

/* A port of librosa.filters.chroma(sr, n_fft, n_chroma, tuning=0.0, ctroct=5.0,
 * octwidth=2, norm=2, base_c=True) (librosa 0.10), computed in double and returned
 * as (n_chroma, n_fft/2 + 1).  Columns are independent in librosa (normalised one
 * by one), so computing only the kept (non-aliased) columns is the same thing. */
float *
vita_chroma_filterbank_new (int sample_rate, int n_fft, int n_chroma)
{
  g_return_val_if_fail (sample_rate > 0 && n_fft >= 4 && n_chroma >= 1, NULL);
  const int n_bins = n_fft / 2 + 1;
  const double A440 = 440.0;  /* tuning = 0: 440 * 2^(0 / n_chroma) */
  /* frqbins over k = 0 … n_bins (one extra for the bin widths) */
  double *frq = g_new (double, n_bins + 1);
  for (int k = 1; k <= n_bins; k++)
    {
      double f = (double) k * sample_rate / n_fft;       /* linspace(0, sr, n_fft, endpoint=False) */
      frq[k] = n_chroma * log2 (f / (A440 / 16.0));      /* n_chroma * hz_to_octs(f) */
    }
  frq[0] = frq[1] - 1.5 * n_chroma;                       /* 0 Hz: 1.5 octaves below bin 1 */
  const double half = nearbyint (n_chroma / 2.0);         /* np.round: half to even */
  double *w = g_new (double, (gsize) n_chroma * n_bins);
  for (int k = 0; k < n_bins; k++)
    {
      double width = MAX (frq[k + 1] - frq[k], 1.0);     /* binwidthbins */
      double norm2 = 0;
      for (int c = 0; c < n_chroma; c++)
        {
          double D = frq[k] - c + half + 10.0 * n_chroma;
          D = D - n_chroma * floor (D / n_chroma);       /* np.remainder (floored) */
          D -= half;
          double v = exp (-0.5 * (2.0 * D / width) * (2.0 * D / width));
          w[(gsize) c * n_bins + k] = v;
          norm2 += v * v;
        }
      double len = sqrt (norm2);
      if (len < DBL_MIN)
        len = 1.0;                                        /* util.normalize(fill=None) */
      double oct = frq[k] / n_chroma - 5.0;               /* ctroct = 5 */
      double scale = exp (-0.5 * (oct / 2.0) * (oct / 2.0));  /* octwidth = 2 */
      for (int c = 0; c < n_chroma; c++)
        w[(gsize) c * n_bins + k] = w[(gsize) c * n_bins + k] / len * scale;
    }
  /* base_c: np.roll(wts, -3 * (n_chroma // 12), axis=0): row c takes row c + shift. */
  const int shift = 3 * (n_chroma / 12);
  float *fb = g_new (float, (gsize) n_chroma * n_bins);
  for (int c = 0; c < n_chroma; c++)
    {
      int src = (c + shift) % n_chroma;
      for (int k = 0; k < n_bins; k++)
        fb[(gsize) c * n_bins + k] = (float) w[(gsize) src * n_bins + k];
    }
  g_free (w);
  g_free (frq);
  return fb;
}

/* librosa.feature.chroma_stft(S=power, tuning=0, norm=np.inf): chroma = fb · S, then
 * each frame divided by its largest value (frames below the smallest normal number,
 * i.e. silence, are left as they are: all zero). */
void
vita_chroma (const float *filterbank, int n_chroma, const float *power, gsize n_frames,
             int n_bins, float *out)
{
  g_return_if_fail (filterbank != NULL && n_chroma > 0 && n_bins > 0);
  g_return_if_fail ((power != NULL && out != NULL) || n_frames == 0);
  double *acc = g_new (double, n_chroma);
  for (gsize t = 0; t < n_frames; t++)
    {
      const float *p = power + t * (gsize) n_bins;
      double mx = 0;
      for (int c = 0; c < n_chroma; c++)
        {
          const float *row = filterbank + (gsize) c * n_bins;
          double s = 0;
          for (int k = 0; k < n_bins; k++)
            s += (double) row[k] * p[k];
          acc[c] = s;
          mx = MAX (mx, fabs (s));
        }
      double inv = mx >= DBL_MIN ? 1.0 / mx : 1.0;
      for (int c = 0; c < n_chroma; c++)
        out[t * (gsize) n_chroma + c] = (float) (acc[c] * inv);
    }
  g_free (acc);
}

/* ---- MFCC ---------------------------------------------------------------------------- */

/* torchaudio.functional.create_dct(n_mfcc, n_mels, norm="ortho") transposed to
 * (n_mfcc, n_mels): dct[k][m] = cos(pi / n_mels * (m + 0.5) * k) * sqrt(2 / n_mels),
 * row 0 further scaled by 1/sqrt(2) — the orthonormal DCT-II. */
float *
vita_dct_ortho_new (int n_mfcc, int n_mels)
{
  g_return_val_if_fail (n_mfcc >= 1 && n_mels >= 1 && n_mfcc <= n_mels, NULL);
  float *dct = g_new (float, (gsize) n_mfcc * n_mels);
  const double s = sqrt (2.0 / n_mels);
  for (int k = 0; k < n_mfcc; k++)
    for (int m = 0; m < n_mels; m++)
      {
        double v = cos (G_PI / n_mels * (m + 0.5) * k) * s;
        if (k == 0)
          v *= 1.0 / sqrt (2.0);
        dct[(gsize) k * n_mels + m] = (float) v;
      }
  return dct;
}

/* torchaudio.transforms.MFCC(n_mfcc, dct_type=2, norm="ortho", log_mels=False):
 * AmplitudeToDB("power", top_db=80): db = 10 log10(max(mel, 1e-10)), then
 * db = max(db, max over the WHOLE spectrogram - 80) — torchaudio takes the
 * maximum over the whole input, so an MFCC frame depends on the loudest frame of
 * the same call — then the DCT over the mel axis.  out (n_frames, n_mfcc). */
void
vita_mfcc (const float *mel_power, gsize n_frames, int n_mels, int n_mfcc, float *out)
{
  g_return_if_fail (n_mels >= 1 && n_mfcc >= 1 && n_mfcc <= n_mels);
  g_return_if_fail ((mel_power != NULL && out != NULL) || n_frames == 0);
  if (n_frames == 0)
    return;
  gsize len;
  g_assert (g_size_checked_mul (&len, n_frames, (gsize) n_mels));
  float *db = g_new (float, len);
  double top = -INFINITY;
  for (gsize i = 0; i < len; i++)
    {
      double v = 10.0 * log10 (fmax ((double) mel_power[i], 1e-10));  /* NaN → 1e-10 */
      db[i] = (float) v;
      top = MAX (top, v);
    }
  const float floor_db = (float) (top - 80.0);
  for (gsize i = 0; i < len; i++)
    db[i] = MAX (db[i], floor_db);
  float *dct = vita_dct_ortho_new (n_mfcc, n_mels);
  /* out (T, n_mfcc) = db (T, n_mels) · dct^T */
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) n_frames, n_mfcc, n_mels,
               1.0f, db, n_mels, dct, n_mels, 0.0f, out, n_mfcc);
  g_free (dct);
  g_free (db);
}
