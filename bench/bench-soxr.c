/* bench-soxr.c — libsoxr against dsp/'s port of torchaudio's resampler (issue 16 item 4):
 * speed on a 3-minute 44.1 kHz track and the log-mel difference.  The port equals
 * torchaudio.functional.resample to float round-off (tests/dsp/test-audio.c, golden
 * 1e-6 on PCM), so the log-mel of soxr's output against the port's stands for the
 * difference against torchaudio; the golden log-mel tolerance is 1e-4 (test-mel.c).
 *
 *   build/bench/bench-soxr [TRACK] [--seconds 180]
 * Built only when libsoxr-dev is installed (bench/meson.build). */
#include "dsp/vita-audio.h"
#include "dsp/vita-dsp.h"
#include "dsp/vita-mel.h"

#include <math.h>
#include <soxr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

static float *
logmel (VitaMel *mel, const VitaFrontend *fe, const float *pcm, gsize n, gsize *nf)
{
  *nf = vita_frontend_n_frames (fe, n);
  float *out = g_new (float, *nf * fe->n_mels);
  vita_mel_compute (mel, pcm, n, out);
  return out;
}

int
main (int argc, char **argv)
{
  const char *track = argc > 1 ? argv[1] : "/usr/share/games/wesnoth/1.16/data/core/music/battle.ogg";
  double seconds = argc > 3 && strcmp (argv[2], "--seconds") == 0 ? atof (argv[3]) : 180.0;
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaPcm) pcm = vita_audio_load (track, 44100, NULL, &error);
  if (!pcm)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  /* a 3-minute 44.1 kHz signal: the track, repeated if it is shorter */
  gsize n = (gsize) (seconds * 44100);
  g_autofree float *in = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    in[i] = pcm->samples[i % pcm->n_samples];
  printf ("input: %s, %.0f s at 44100 Hz (%zu samples) → 16000 Hz, best of 3 runs\n", track,
          seconds, n);

  VitaFrontend fe;
  vita_frontend_init_default (&fe);
  g_autoptr(VitaMel) mel = vita_mel_new (&fe, &error);
  gsize n_port = 0;
  double best = INFINITY;
  g_autofree float *port = NULL;
  for (int r = 0; r < 3; r++)
    {
      g_free (port);
      double t0 = now ();
      port = vita_resample (in, n, 44100, 16000, &n_port, &error);
      best = MIN (best, now () - t0);
    }
  printf ("%-34s %8.3f s\n", "dsp/ port of torchaudio", best);
  gsize nf;
  g_autofree float *ref = logmel (mel, &fe, port, n_port, &nf);

  static const struct { const char *name; unsigned long recipe; } q[] = {
    { "soxr VHQ (linear phase)", SOXR_VHQ | SOXR_LINEAR_PHASE },
    { "soxr HQ (linear phase)", SOXR_HQ | SOXR_LINEAR_PHASE },
    { "soxr MQ (linear phase)", SOXR_MQ | SOXR_LINEAR_PHASE },
    { "soxr HQ (intermediate phase)", SOXR_HQ | SOXR_INTERMEDIATE_PHASE },
    { "soxr LQ", SOXR_LQ },
  };
  for (gsize k = 0; k < G_N_ELEMENTS (q); k++)
    {
      soxr_io_spec_t io = soxr_io_spec (SOXR_FLOAT32_I, SOXR_FLOAT32_I);
      soxr_quality_spec_t qs = soxr_quality_spec (q[k].recipe, 0);
      soxr_runtime_spec_t rt = soxr_runtime_spec (1);
      gsize cap = (gsize) ceil (n * 16000.0 / 44100) + 64, done = 0;
      g_autofree float *out = g_new0 (float, cap);
      double tb = INFINITY;
      for (int r = 0; r < 3; r++)
        {
          double t0 = now ();
          soxr_error_t e = soxr_oneshot (44100, 16000, 1, in, n, NULL, out, cap, &done, &io, &qs, &rt);
          tb = MIN (tb, now () - t0);
          if (e)
            {
              fprintf (stderr, "soxr: %s\n", e);
              return 1;
            }
        }
      /* same length as the port's output (soxr's may differ by a sample or two) */
      gsize m = MIN (done, n_port);
      g_autofree float *padded = g_new0 (float, n_port);
      memcpy (padded, out, m * sizeof (float));
      gsize nf2;
      g_autofree float *lm = logmel (mel, &fe, padded, n_port, &nf2);
      double maxd = 0, sum = 0, maxd_in = 0, pcm_max = 0;
      gsize cnt = 0;
      for (gsize f = 2; f + 2 < nf; f++)  /* edge frames see the resamplers' padding */
        for (int b = 0; b < fe.n_mels; b++)
          {
            double d = fabs ((double) lm[f * fe.n_mels + b] - ref[f * fe.n_mels + b]);
            maxd = MAX (maxd, d);
            sum += d;
            cnt++;
            if (b < fe.n_mels - 8)
              maxd_in = MAX (maxd_in, d);
          }
      for (gsize i = 100; i + 100 < m; i++)
        pcm_max = MAX (pcm_max, fabs ((double) out[i] - port[i]));
      printf ("%-34s %8.3f s   log-mel |Δ| max %.4f, mean %.5f, max below the top 8 bands "
              "%.4f; PCM |Δ| max %.4f; %s the golden 1e-4\n", q[k].name, tb, maxd, sum / cnt,
              maxd_in, pcm_max, maxd <= 1e-4 ? "WITHIN" : "outside");
    }
  return 0;
}
