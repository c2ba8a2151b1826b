/* views-synth.c — synthetic analyses for views tests. */
#include "views-synth.h"
#include "dsp/vita-mel.h"

#include <math.h>
#include <string.h>

#define SR 16000
#define HOP 512

static float
noise (guint32 *state)
{
  *state = *state * 1664525u + 1013904223u;
  return (float) ((*state >> 8) & 0xffff) / 65535.0f - 0.5f;
}

VitaAnalysis *
views_synth_analysis (double seconds, gboolean complete)
{
  VitaAnalysis *an = g_new0 (VitaAnalysis, 1);
  an->ref_count = 1;
  VitaVitConfig *c = &an->cfg;
  c->fe = (VitaFrontend) { .sample_rate = SR, .n_fft = 1024, .win_length = 1024,
                           .hop_length = HOP, .center = TRUE, .power = 2, .n_mels = 128,
                           .f_min = 0, .f_max = 8000, .log_offset = 1e-6f,
                           .input_mean = -6.0f, .input_std = 4.0f };
  c->frames = 126; c->dim = 192; c->depth = 12; c->heads = 3; c->mlp_dim = 768;
  c->proj_dim = 128; c->norm_eps = 1e-6f; c->temperature = 0.1f;
  gsize n_samples = (gsize) (seconds * SR);
  int n = (int) (1 + n_samples / HOP), T = c->frames, M = c->fe.n_mels;
  an->n_frames = n;
  an->n_layers = c->depth + 1;
  an->window_hop = T / 2;
  an->n_windows = n <= T ? 1 : (n - T + an->window_hop - 1) / an->window_hop + 1;
  an->window_start = g_new (int, an->n_windows);
  for (int w = 0; w < an->n_windows; w++)
    an->window_start[w] = MIN (w * an->window_hop, MAX (n - T, 0));
  an->frame_window = g_new (int, n);
  for (int f = 0; f < n; f++)
    {
      int best = 0;
      double bd = G_MAXDOUBLE;
      for (int w = 0; w < an->n_windows; w++)
        {
          double d = fabs (f - (an->window_start[w] + (T - 1) / 2.0));
          if (d < bd)
            {
              bd = d;
              best = w;
            }
        }
      an->frame_window[f] = best;
    }
  /* Notes change every 0.5 s (15.6 frames): harmonics of a pitch in mel bands, a
   * broadband burst at each onset. */
  an->mel = g_new (float, (gsize) n * M);
  guint32 rng = 1234;
  for (int f = 0; f < n; f++)
    {
      double t = (double) f * HOP / SR;
      int note = (int) (t / 0.5);
      double since = t - note * 0.5;
      int base = 10 + (note * 7) % 23;
      for (int m = 0; m < M; m++)
        {
          double v = -1.5 + 0.1 * noise (&rng);
          for (int h = 1; h <= 5; h++)
            {
              int band = (int) (base * pow (h, 0.55));
              if (band < M && abs (m - band) <= 1)
                v += (2.5 / h) * exp (-since * 3.0);
            }
          if (since < 0.04)
            v += 1.2 * (1.0 - (double) m / M);
          an->mel[(gsize) f * M + m] = (float) v;
        }
    }
  int L = c->depth, NH = c->heads;
  an->received = g_new (float, (gsize) L * NH * n);
  for (int l = 0; l < L; l++)
    for (int h = 0; h < NH; h++)
      for (int f = 0; f < n; f++)
        {
          double t = (double) f * HOP / SR, since = fmod (t, 0.5);
          double v = 1.0 + 0.2 * noise (&rng);
          if (h == 1)
            v += (2.0 + 0.1 * l) * exp (-since * 40.0);
          an->received[((gsize) l * NH + h) * n + f] = (float) v;
        }
  an->window_ready = g_new0 (gint, an->n_windows);
  int ready = complete ? an->n_windows : MAX (1, an->n_windows / 2);
  for (int w = 0; w < ready; w++)
    an->window_ready[w] = 1;
  an->n_ready = ready;
  if (complete)
    {
      an->ssm_pool = (n + 1023) / 1024;
      int S = an->ssm_size = (n + an->ssm_pool - 1) / an->ssm_pool;
      an->ssm = g_new (float, (gsize) an->n_layers * S * S);
      for (int l = 0; l < an->n_layers; l++)
        for (int i = 0; i < S; i++)
          for (int j = 0; j < S; j++)
            {
              double ti = (double) i * an->ssm_pool * HOP / SR;
              double tj = (double) j * an->ssm_pool * HOP / SR;
              /* Sections of 8 s, repeated A B A B …; deeper layers are blockier. */
              int si = (int) (ti / 8.0) % 2, sj = (int) (tj / 8.0) % 2;
              double local = exp (-fabs (ti - tj) / (0.5 + 0.4 * l));
              double v = 0.6 * local + (si == sj ? 0.35 : -0.35) * (0.3 + l / 12.0);
              an->ssm[((gsize) l * S + i) * S + j] = (float) CLAMP (v, -1.0, 1.0);
            }
      an->complete = 1;
    }
  /* The spectral flux of the synthetic audio, from the one front-end call. */
  {
    gsize n_pcm, n_fe = 0;
    g_autofree float *pcm = views_synth_pcm (seconds, &n_pcm);
    g_autoptr(VitaMel) mel = vita_mel_new (&c->fe, NULL);
    g_autofree float *onset = NULL;
    g_autofree float *logmel = vita_mel_features (mel, pcm, n_pcm, &onset, &n_fe, NULL);
    g_assert_cmpuint (n_fe, ==, (gsize) n);
    vita_analysis_set_onset (an, onset);
  }
  return an;
}

void
views_synth_free (VitaAnalysis *an)
{
  g_assert_cmpint (g_atomic_int_get (&an->ref_count), ==, 1);
  vita_analysis_unref (an);   /* frees every field, as for any analysis */
}

gboolean
views_synth_attention (const VitaAnalysis *an, int window, float *out, GError **error)
{
  int L = an->cfg.depth, NH = an->cfg.heads, T = an->cfg.frames, N = T + 1;
  int ws = an->window_start[window];
  for (int l = 0; l < L; l++)
    for (int h = 0; h < NH; h++)
      for (int i = 0; i < N; i++)
        {
          float *row = out + (((gsize) l * NH + h) * N + i) * N;
          double s = 0;
          for (int j = 0; j < N; j++)
            {
              double v;
              int fj = ws + j - 1;
              double tj = (double) fj * HOP / SR;
              if (h == 0)   /* onset tokens: stripes */
                v = j == 0 ? 0.5 : 0.2 + 3.0 * (fmod (tj, 0.5) < 0.035);
              else if (h == 1)   /* neighbours: a diagonal, wider with depth */
                v = exp (-fabs ((double) i - j) / (1.0 + l));
              else   /* class token sink */
                v = j == 0 ? 8.0 : 0.1 + 0.05 * ((i * 7 + j * 3) % 5);
              row[j] = (float) v;
              s += v;
            }
          for (int j = 0; j < N; j++)
            row[j] = (float) (row[j] / s);
        }
  return TRUE;
}

float *
views_synth_pcm (double seconds, gsize *n_samples)
{
  gsize n = (gsize) (seconds * SR);
  float *pcm = g_new (float, MAX (n, 1));
  guint32 rng = 99;
  for (gsize i = 0; i < n; i++)
    {
      double t = (double) i / SR;
      int note = (int) (t / 0.5);
      double since = t - note * 0.5;
      double f0 = 110.0 * pow (2.0, ((note * 7) % 23) / 12.0);
      double v = 0.6 * exp (-since * 4.0) * sin (2 * G_PI * f0 * t);
      v += 0.3 * exp (-since * 60.0) * noise (&rng);
      pcm[i] = (float) v;
    }
  *n_samples = n;
  return pcm;
}
