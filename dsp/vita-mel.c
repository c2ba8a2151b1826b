/* vita-mel.c — the model's front-end: STFT → |X|² → Slaney mel → log → normalise.
 *
 * Conventions (each matches the named reference exactly):
 *   window   torch.hann_window(win_length, periodic=True), zero-padded to n_fft and
 *            centred in it, as torch.stft does when win_length < n_fft;
 *   framing  torch.stft(center=True, pad_mode="reflect"): frame i covers padded
 *            samples [i*hop, i*hop + n_fft) of x reflect-padded by n_fft/2 on both
 *            sides, so it is centred on sample i*hop; n_frames = 1 + n / hop.
 *            Signals not longer than n_fft/2 (torch refuses those: "padding size
 *            should be less than the input size") are padded as numpy.pad(mode=
 *            "reflect") does, i.e. reflected repeatedly; for longer signals the two
 *            agree, so this only extends torch's convention to short input
 *            (librosa.stft pads the same way).  A single sample is held constant.
 *   mel      torchaudio.functional.melscale_fbanks(n_freqs, f_min, f_max, n_mels,
 *            sample_rate, norm="slaney", mel_scale="slaney") (= librosa's default
 *            filters.mel(htk=False, norm="slaney")); all_freqs spans 0 … sample_rate//2.
 *   log      log(mel + log_offset), then (x - input_mean) / input_std.
 *
 * Precision: the FFT, the window, the mel sums and the log run in DOUBLE.
 * The golden target is 1e-4 on the log-mel against torchaudio in float64.  With a
 * float32 FFT, the round-off of a frame (≈ 1e-7 × the frame's loudest bin) lands
 * in every bin; in a quiet bin whose power is ~1e-6 — where log(p + 1e-6) is most
 * sensitive (d log = dp / (p + 1e-6)) — that is a log error of 1e-3 … 1e-2 in loud
 * music.  fftw3 double costs ~5 µs per 1024-point frame here, i.e. a few tens of
 * milliseconds for a 3-minute track, so precision is not traded for speed.
 *
 * Threads: FFTW's planner is not thread-safe, so plan creation and destruction
 * hold a global mutex.  The plan is executed with the new-array API
 * (fftw_execute_dft_r2c) on per-call scratch buffers, so the process functions may
 * run on the same VitaMel from several threads at once (the object is read-only
 * after vita_mel_new).
 */
#include "vita-mel.h"
#include "vita-features.h"
#include "vita-audio.h"

#include <fftw3.h>
#include <math.h>
#include <string.h>

static GMutex fftw_planner_lock;

struct _VitaMel {
  VitaFrontend fe;
  int     n_bins;       /* n_fft/2 + 1 */
  int     pad;          /* n_fft/2 when centred */
  double *window;       /* (n_fft) periodic Hann, centred, zero outside win_length */
  float  *fb;           /* (n_mels, n_bins) filterbank, float copy for callers */
  double *fb_d;         /* (n_mels, n_bins) filterbank in double, used internally */
  int    *fb_lo;        /* (n_mels) first nonzero bin of each filter */
  int    *fb_hi;        /* (n_mels) one past the last nonzero bin */
  fftw_plan plan;       /* r2c, n_fft, planned on fftw_malloc'd (SIMD-aligned) arrays */
};

/* ---- Slaney mel scale (librosa.hz_to_mel(htk=False), torchaudio _hz_to_mel("slaney")) -- */

static double
hz_to_mel_slaney (double hz)
{
  const double f_sp = 200.0 / 3.0;
  const double min_log_hz = 1000.0;
  const double min_log_mel = min_log_hz / f_sp;
  const double logstep = log (6.4) / 27.0;
  if (hz >= min_log_hz)
    return min_log_mel + log (hz / min_log_hz) / logstep;
  return hz / f_sp;
}

static double
mel_to_hz_slaney (double mel)
{
  const double f_sp = 200.0 / 3.0;
  const double min_log_hz = 1000.0;
  const double min_log_mel = min_log_hz / f_sp;
  const double logstep = log (6.4) / 27.0;
  if (mel >= min_log_mel)
    return min_log_hz * exp (logstep * (mel - min_log_mel));
  return f_sp * mel;
}

/* torchaudio.functional.melscale_fbanks(norm="slaney", mel_scale="slaney"),
 * written transposed: fb (n_mels, n_bins). */
static void
slaney_filterbank (double *fb, int n_mels, int n_bins, double f_min, double f_max, int sample_rate)
{
  double *f_pts = g_new (double, n_mels + 2);
  const double m_min = hz_to_mel_slaney (f_min);
  const double m_max = hz_to_mel_slaney (f_max);
  for (int i = 0; i < n_mels + 2; i++)
    {
      /* torch.linspace(m_min, m_max, n_mels + 2) */
      double m = m_min + (m_max - m_min) * i / (double) (n_mels + 1);
      f_pts[i] = mel_to_hz_slaney (m);
    }
  /* all_freqs = torch.linspace(0, sample_rate // 2, n_freqs) */
  const double nyq = (double) (sample_rate / 2);
  for (int m = 0; m < n_mels; m++)
    {
      const double lower = f_pts[m], centre = f_pts[m + 1], upper = f_pts[m + 2];
      const double enorm = 2.0 / (upper - lower);  /* Slaney area normalisation */
      for (int k = 0; k < n_bins; k++)
        {
          double f = n_bins > 1 ? nyq * k / (double) (n_bins - 1) : 0.0;
          double down = (f - lower) / (centre - lower);   /* -slopes[:, :-2] / f_diff[:-1] */
          double up = (upper - f) / (upper - centre);     /*  slopes[:, 2:] / f_diff[1:] */
          double w = MAX (0.0, MIN (down, up));
          fb[(gsize) m * n_bins + k] = w * enorm;
        }
    }
  g_free (f_pts);
}

/* ---- object ------------------------------------------------------------------------- */

VitaMel *
vita_mel_new (const VitaFrontend *fe, GError **error)
{
  g_return_val_if_fail (fe != NULL, NULL);
  if (!vita_frontend_validate (fe, error))
    return NULL;

  VitaMel *mel = g_new0 (VitaMel, 1);
  mel->fe = *fe;
  const int n_fft = fe->n_fft;
  mel->n_bins = n_fft / 2 + 1;
  mel->pad = fe->center ? n_fft / 2 : 0;

  /* torch.hann_window(win_length, periodic=True): 0.5 - 0.5 cos(2 pi n / N), then
   * torch.stft pads it with (n_fft - win_length) / 2 zeros on the left. */
  mel->window = g_new0 (double, n_fft);
  const int left = (n_fft - fe->win_length) / 2;
  for (int n = 0; n < fe->win_length; n++)
    mel->window[left + n] = 0.5 - 0.5 * cos (2.0 * G_PI * n / fe->win_length);

  const gsize fb_len = (gsize) fe->n_mels * mel->n_bins;
  mel->fb_d = g_new (double, fb_len);
  mel->fb = g_new (float, fb_len);
  mel->fb_lo = g_new (int, fe->n_mels);
  mel->fb_hi = g_new (int, fe->n_mels);
  slaney_filterbank (mel->fb_d, fe->n_mels, mel->n_bins, fe->f_min, fe->f_max, fe->sample_rate);
  for (gsize i = 0; i < fb_len; i++)
    mel->fb[i] = (float) mel->fb_d[i];
  for (int m = 0; m < fe->n_mels; m++)
    {
      const double *row = mel->fb_d + (gsize) m * mel->n_bins;
      int lo = 0, hi = mel->n_bins;
      while (lo < hi && row[lo] == 0.0)
        lo++;
      while (hi > lo && row[hi - 1] == 0.0)
        hi--;
      mel->fb_lo[m] = lo;
      mel->fb_hi[m] = hi;
    }

  double *in = fftw_alloc_real (n_fft);
  fftw_complex *out = fftw_alloc_complex (mel->n_bins);
  g_mutex_lock (&fftw_planner_lock);
  /* FFTW_ESTIMATE: deterministic plans (no timing), cheap to create. */
  mel->plan = fftw_plan_dft_r2c_1d (n_fft, in, out, FFTW_ESTIMATE | FFTW_DESTROY_INPUT);
  g_mutex_unlock (&fftw_planner_lock);
  fftw_free (in);
  fftw_free (out);
  if (mel->plan == NULL)
    {
      g_set_error (error, VITA_DSP_ERROR, VITA_DSP_ERROR_INVALID,
                   "FFTW could not plan a %d-point FFT", n_fft);
      vita_mel_free (mel);
      return NULL;
    }
  return mel;
}

void
vita_mel_free (VitaMel *mel)
{
  if (mel == NULL)
    return;
  if (mel->plan)
    {
      g_mutex_lock (&fftw_planner_lock);
      fftw_destroy_plan (mel->plan);
      g_mutex_unlock (&fftw_planner_lock);
    }
  g_free (mel->window);
  g_free (mel->fb);
  g_free (mel->fb_d);
  g_free (mel->fb_lo);
  g_free (mel->fb_hi);
  g_free (mel);
}

const float *
vita_mel_filterbank (const VitaMel *mel)
{
  return mel->fb;
}

const VitaFrontend *
vita_mel_frontend (const VitaMel *mel)
{
  return &mel->fe;
}

/* numpy.pad(mode="reflect") index map for a signal of n samples: the reflection
 * (edge sample not repeated) continued periodically with period 2(n-1). */
static inline gssize
reflect_index (gssize i, gssize n)
{
  if (n == 1)
    return 0;
  const gssize period = 2 * (n - 1);
  i %= period;
  if (i < 0)
    i += period;
  return i < n ? i : period - i;
}

/* Per-call scratch: the plan's arrays are fftw_malloc'd, so are these (same SIMD
 * alignment), as the new-array execute API requires. */
typedef struct {
  double       *frame;   /* (n_fft) */
  fftw_complex *spec;    /* (n_bins) */
  double       *power;   /* (n_bins) */
} Scratch;

static void
scratch_init (Scratch *s, const VitaMel *mel)
{
  s->frame = fftw_alloc_real (mel->fe.n_fft);
  s->spec = fftw_alloc_complex (mel->n_bins);
  s->power = g_new (double, mel->n_bins);
}

static void
scratch_clear (Scratch *s)
{
  fftw_free (s->frame);
  fftw_free (s->spec);
  g_free (s->power);
}

/* |X|^power of frame t into s->power (double). */
static void
frame_power_part (const VitaMel *mel, Scratch *s, const float *part, gsize part_start,
                  gsize part_len, gsize n_samples, gsize t)
{
  const int n_fft = mel->fe.n_fft;
  const gssize n = (gssize) n_samples, p0 = (gssize) part_start, p1 = p0 + (gssize) part_len;
  const float *pcm = part - part_start;   /* indexed by track sample, only within the part */
  const gssize start = (gssize) (t * (gsize) mel->fe.hop_length) - mel->pad;
  if (start >= p0 && start + n_fft <= MIN (n, p1))
    {
      const float *x = pcm + start;
      for (int i = 0; i < n_fft; i++)
        s->frame[i] = (double) x[i] * mel->window[i];
    }
  else
    {
      for (int i = 0; i < n_fft; i++)
        {
          gssize j = start + i;
          double v;
          if (!mel->fe.center)
            j = (j >= 0 && j < n) ? j : -1;
          else
            j = reflect_index (j, n);
          g_assert (j < 0 || (j >= p0 && j < p1));   /* vita_mel_range_samples' span */
          v = j < 0 ? 0.0 : pcm[j];
          s->frame[i] = v * mel->window[i];
        }
    }
  fftw_execute_dft_r2c (mel->plan, s->frame, s->spec);
  const gboolean squared = mel->fe.power == 2.0f;
  for (int k = 0; k < mel->n_bins; k++)
    {
      double re = s->spec[k][0], im = s->spec[k][1];
      double p = re * re + im * im;
      s->power[k] = squared ? p : sqrt (p);
    }
}

static inline double
mel_band (const VitaMel *mel, const double *power, int m)
{
  const double *row = mel->fb_d + (gsize) m * mel->n_bins;
  double acc = 0;
  for (int k = mel->fb_lo[m]; k < mel->fb_hi[m]; k++)
    acc += row[k] * power[k];
  return acc;
}

void
vita_mel_power (VitaMel *mel, const float *pcm, gsize n_samples, float *out)
{
  g_return_if_fail (mel != NULL && (pcm != NULL || n_samples == 0) && out != NULL);
  const gsize n_frames = vita_frontend_n_frames (&mel->fe, n_samples);
  if (n_samples == 0)
    {
      memset (out, 0, n_frames * mel->n_bins * sizeof (float));
      return;
    }
  Scratch s;
  scratch_init (&s, mel);
  for (gsize t = 0; t < n_frames; t++)
    {
      frame_power_part (mel, &s, pcm, 0, n_samples, n_samples, t);
      float *o = out + t * mel->n_bins;
      for (int k = 0; k < mel->n_bins; k++)
        o[k] = (float) s.power[k];
    }
  scratch_clear (&s);
}

/* Shared loop: mel power (log_norm FALSE) or normalised log-mel (TRUE) of frames
 * first .. first + n_frames - 1 of a track of n_samples, from its samples
 * [part_start, part_start + part_len) in part. */
static void
mel_frames (VitaMel *mel, const float *part, gsize part_start, gsize part_len, gsize n_samples,
            gsize first, gsize n_frames, float *out, gboolean log_norm)
{
  const int n_mels = mel->fe.n_mels;
  const double offset = mel->fe.log_offset;
  const double mean = mel->fe.input_mean;
  const double inv_std = 1.0 / (double) mel->fe.input_std;
  Scratch s;
  scratch_init (&s, mel);
  for (gsize t = 0; t < n_frames; t++)
    {
      float *o = out + t * (gsize) n_mels;
      if (n_samples == 0)
        memset (s.power, 0, mel->n_bins * sizeof (double));
      else
        frame_power_part (mel, &s, part, part_start, part_len, n_samples, first + t);
      for (int m = 0; m < n_mels; m++)
        {
          double v = mel_band (mel, s.power, m);
          o[m] = log_norm ? (float) ((log (v + offset) - mean) * inv_std) : (float) v;
        }
    }
  scratch_clear (&s);
}

void
vita_mel_mel_power (VitaMel *mel, const float *pcm, gsize n_samples, float *out)
{
  g_return_if_fail (mel != NULL && (pcm != NULL || n_samples == 0) && out != NULL);
  mel_frames (mel, pcm, 0, n_samples, n_samples, 0, vita_frontend_n_frames (&mel->fe, n_samples),
              out, FALSE);
}

void
vita_mel_compute (VitaMel *mel, const float *pcm, gsize n_samples, float *out)
{
  g_return_if_fail (mel != NULL && (pcm != NULL || n_samples == 0) && out != NULL);
  mel_frames (mel, pcm, 0, n_samples, n_samples, 0, vita_frontend_n_frames (&mel->fe, n_samples),
              out, TRUE);
}

void
vita_mel_range_samples (const VitaMel *mel, gsize n_samples, gsize first, gsize n,
                        gsize *start, gsize *end)
{
  g_return_if_fail (mel != NULL && n > 0 && start != NULL && end != NULL);
  const gsize hop = mel->fe.hop_length, pad = mel->pad, n_fft = mel->fe.n_fft;
  /* frame t reads samples [t·hop − pad, t·hop − pad + n_fft); near the ends, the
   * reflections of the first and last n_fft samples (any n_fft covers them) */
  gssize lo = (gssize) (first * hop) - (gssize) pad;
  gsize hi = (first + n - 1) * hop - pad + n_fft;
  *start = lo <= (gssize) n_fft ? 0 : (gsize) lo;
  *end = *start == 0 ? MAX (hi, n_fft + 1) : hi;
  if (*end + n_fft >= n_samples)
    {
      *end = n_samples;
      *start = MIN (*start, n_samples > n_fft + 1 ? n_samples - n_fft - 1 : 0);
    }
}

void
vita_mel_compute_range (VitaMel *mel, const float *part, gsize part_start, gsize part_len,
                        gsize n_samples, gsize first, gsize n, float *out)
{
  g_return_if_fail (mel != NULL && out != NULL && (part != NULL || part_len == 0));
  g_return_if_fail (first + n <= vita_frontend_n_frames (&mel->fe, n_samples));
  g_return_if_fail (part_start <= n_samples && part_len <= n_samples - part_start);
  mel_frames (mel, part, part_start, part_len, n_samples, first, n, out, TRUE);
}

/* The onset novelty a stretch of frames at a time: the power spectrogram of a 3-hour
 * track would take 700 MB at once.  Exact, not approximate: with center=True, STFT
 * frame f covers the samples [f·hop − n_fft/2, f·hop + n_fft/2), reflected only at
 * the track's ends, so the frames of a stretch of samples that starts on a frame
 * boundary are the track's own frames wherever their window lies inside the stretch
 * (or meets the track's end); and the flux of frame f needs only frames f−1 and f. */
static gboolean
onset_by_chunks (VitaMel *mel, const float *samples, gsize n_samples, gsize n_frames,
                 float *onset, VitaPcm *release)
{
  const VitaFrontend *fe = &mel->fe;
  const gsize hop = fe->hop_length, half = fe->n_fft / 2, n_bins = mel->n_bins;
  const gsize c = (half + hop - 1) / hop;   /* frames whose window may reach before the stretch */
  const gsize chunk = 2048;                 /* frames per stretch: ~4 MB of power */
  const gsize cap = chunk + 2 * c + 4;      /* frames of a stretch, at most */
  if (!fe->center)
    {
      /* without centring a frame starts at f·hop: one pass is as exact and small enough */
      g_autofree float *power = g_try_new (float, n_frames * n_bins);
      if (power == NULL)
        return FALSE;
      vita_mel_power (mel, samples, n_samples, power);
      vita_onset_flux (power, n_frames, n_bins, onset);
      return TRUE;
    }
  g_autofree float *power = g_try_new (float, cap * n_bins);
  g_autofree float *flux = g_try_new (float, chunk + 1);
  if (power == NULL || flux == NULL)
    return FALSE;
  for (gsize f0 = 0; f0 < n_frames; f0 += chunk)
    {
      const gsize f1 = MIN (n_frames, f0 + chunk);
      const gsize g0 = f0 > 0 ? f0 - 1 : 0;              /* first frame needed */
      const gsize first = g0 >= c ? g0 - c : 0;           /* the stretch's first frame */
      const gsize start = first * hop;
      const gsize end = MIN (n_samples, (f1 - 1) * hop + half);
      const gsize n_sub = vita_frontend_n_frames (fe, end - start);
      g_assert (n_sub <= cap && f1 - 1 - first < n_sub);
      vita_mel_power (mel, samples + start, end - start, power);
      vita_onset_flux (power + (g0 - first) * n_bins, f1 - g0, n_bins, flux);
      memcpy (onset + f0, flux + (f0 - g0), (f1 - f0) * sizeof (float));
      if (release)
        vita_pcm_release (release);
    }
  return TRUE;
}

static float *
features (VitaMel *mel, const float *pcm, gsize n_samples, float **onset, gsize *n_frames,
          VitaPcm *release, GError **error)
{
  g_return_val_if_fail (mel != NULL && (pcm != NULL || n_samples == 0) && n_frames != NULL, NULL);
  const gsize n = vita_frontend_n_frames (&mel->fe, n_samples);
  const int widest = MAX (mel->n_bins, mel->fe.n_mels);
  if (onset)
    *onset = NULL;
  if (n == 0 || n > (gsize) (G_MAXINT / widest))
    {
      g_set_error (error, VITA_DSP_ERROR, VITA_DSP_ERROR_INVALID,
                   n == 0 ? "the audio is too short for one frame"
                          : "the audio is too long (%" G_GSIZE_FORMAT " frames)", n);
      return NULL;
    }
  float *out = g_try_new (float, n * mel->fe.n_mels);
  if (out == NULL)
    {
      g_set_error (error, VITA_DSP_ERROR, VITA_DSP_ERROR_INVALID,
                   "out of memory for the mel spectrogram (%" G_GSIZE_FORMAT " frames)", n);
      return NULL;
    }
  if (onset)
    {
      *onset = g_try_new (float, n);
      if (*onset == NULL || !onset_by_chunks (mel, pcm, n_samples, n, *onset, release))
        {
          g_clear_pointer (onset, g_free);
          g_free (out);
          g_set_error (error, VITA_DSP_ERROR, VITA_DSP_ERROR_INVALID,
                       "out of memory for the spectrogram (%" G_GSIZE_FORMAT " frames)", n);
          return NULL;
        }
    }
  if (release == NULL)
    vita_mel_compute (mel, pcm, n_samples, out);
  else
    {
      /* a stretch at a time from the mapping (bit for bit the same), its pages dropped */
      const gsize M = (gsize) mel->fe.n_mels, stretch = 4096;
      for (gsize f = 0; f < n; f += stretch)
        {
          gsize k = MIN (stretch, n - f), a, b;
          vita_mel_range_samples (mel, n_samples, f, k, &a, &b);
          vita_mel_compute_range (mel, pcm + a, a, b - a, n_samples, f, k, out + f * M);
          vita_pcm_release (release);
        }
    }
  *n_frames = n;
  return out;
}

float *
vita_mel_features (VitaMel *mel, const float *pcm, gsize n_samples, float **onset,
                   gsize *n_frames, GError **error)
{
  return features (mel, pcm, n_samples, onset, n_frames, NULL, error);
}

float *
vita_mel_features_pcm (VitaMel *mel, VitaPcm *pcm, gsize first, gsize n_samples,
                       float **onset, gsize *n_frames, GError **error)
{
  g_return_val_if_fail (pcm != NULL && first <= pcm->n_samples &&
                        n_samples <= pcm->n_samples - first, NULL);
  return features (mel, pcm->samples + first, n_samples, onset, n_frames,
                   pcm->mapped_bytes ? pcm : NULL, error);
}

float *
vita_mel_onset_pcm (VitaMel *mel, VitaPcm *pcm, GError **error)
{
  g_return_val_if_fail (mel != NULL && pcm != NULL, NULL);
  const gsize n = vita_frontend_n_frames (&mel->fe, pcm->n_samples);
  float *onset = n > 0 ? g_try_new (float, n) : NULL;
  if (onset == NULL ||
      !onset_by_chunks (mel, pcm->samples, pcm->n_samples, n, onset, pcm->mapped_bytes ? pcm : NULL))
    {
      g_free (onset);
      g_set_error (error, VITA_DSP_ERROR, VITA_DSP_ERROR_INVALID,
                   n == 0 ? "the audio is too short for one frame"
                          : "out of memory for the spectrogram (%" G_GSIZE_FORMAT " frames)", n);
      return NULL;
    }
  return onset;
}

/* Naive reference (tests): direct DFT in double, dense filterbank, same framing. */
void
vita_mel_compute_ref (const VitaMel *mel, const float *pcm, gsize n_samples, float *out)
{
  const int n_fft = mel->fe.n_fft, n_bins = mel->n_bins, n_mels = mel->fe.n_mels;
  const gsize n_frames = vita_frontend_n_frames (&mel->fe, n_samples);
  double *frame = g_new (double, n_fft);
  double *power = g_new (double, n_bins);
  for (gsize t = 0; t < n_frames; t++)
    {
      gssize start = (gssize) (t * (gsize) mel->fe.hop_length) - mel->pad;
      for (int i = 0; i < n_fft; i++)
        {
          gssize j = start + i;
          double v = 0;
          if (n_samples > 0)
            v = mel->fe.center ? pcm[reflect_index (j, (gssize) n_samples)]
                               : ((j >= 0 && j < (gssize) n_samples) ? pcm[j] : 0.0);
          frame[i] = v * mel->window[i];
        }
      for (int k = 0; k < n_bins; k++)
        {
          double re = 0, im = 0;
          for (int i = 0; i < n_fft; i++)
            {
              /* exact phase: reduce (k*i) mod n_fft in integers before the cos */
              double ph = 2.0 * G_PI * (double) (((gint64) k * i) % n_fft) / n_fft;
              re += frame[i] * cos (ph);
              im -= frame[i] * sin (ph);
            }
          double p = re * re + im * im;
          power[k] = mel->fe.power == 2.0f ? p : sqrt (p);
        }
      for (int m = 0; m < n_mels; m++)
        {
          double acc = 0;
          for (int k = 0; k < n_bins; k++)
            acc += mel->fb_d[(gsize) m * n_bins + k] * power[k];
          out[t * n_mels + m] = (float) ((log (acc + mel->fe.log_offset) - mel->fe.input_mean)
                                         / mel->fe.input_std);
        }
    }
  g_free (frame);
  g_free (power);
}

/* ---- shared with other dsp/ files ---------------------------------------------- */

void
vita_fftw_planner_lock (void)
{
  g_mutex_lock (&fftw_planner_lock);
}

void
vita_fftw_planner_unlock (void)
{
  g_mutex_unlock (&fftw_planner_lock);
}

void
vita_mel_band_range_hz (const VitaFrontend *fe, int band, double *lo_hz, double *hi_hz)
{
  g_return_if_fail (band >= 0 && band < fe->n_mels);
  /* the mel points of slaney_filterbank: band m spans f_pts[m] .. f_pts[m + 2] */
  const double m_min = hz_to_mel_slaney (fe->f_min);
  const double m_max = hz_to_mel_slaney (fe->f_max);
  *lo_hz = mel_to_hz_slaney (m_min + (m_max - m_min) * band / (double) (fe->n_mels + 1));
  *hi_hz = mel_to_hz_slaney (m_min + (m_max - m_min) * (band + 2) / (double) (fe->n_mels + 1));
}
