/* bench-dsp.c — times the DSP front-end on a real file (not a test):
 *   bench-dsp FILE [REPEATS [THREADS]]   decode + downmix + resample to 16 kHz, then the log-mel. */
#include "vita-audio.h"
#include "vita-mel.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

static double
cpu_seconds (void)
{
  struct rusage u;
  getrusage (RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec * 1e-6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec * 1e-6;
}

int
main (int argc, char **argv)
{
  if (argc < 2)
    {
      fprintf (stderr, "usage: %s AUDIO [repeats]\n", argv[0]);
      return 2;
    }
  int reps = argc > 2 ? atoi (argv[2]) : 3;
  if (argc > 3)
    vita_audio_set_threads (atoi (argv[3]));
  for (int r = 0; r < reps; r++)
    {
      g_autoptr(GError) error = NULL;
      double c0 = cpu_seconds ();
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(VitaPcm) pcm = vita_audio_load (argv[1], 16000, NULL, &error);
      gint64 t1 = g_get_monotonic_time ();
      double c1 = cpu_seconds ();
      if (pcm == NULL)
        {
          fprintf (stderr, "%s\n", error->message);
          return 1;
        }
      VitaFrontend fe;
      vita_frontend_init_default (&fe);
      g_autoptr(VitaMel) mel = vita_mel_new (&fe, &error);
      gsize nf = vita_frontend_n_frames (&fe, pcm->n_samples);
      g_autofree float *out = g_new (float, nf * fe.n_mels);
      gint64 t2 = g_get_monotonic_time ();
      vita_mel_compute (mel, pcm->samples, pcm->n_samples, out);
      gint64 t3 = g_get_monotonic_time ();
      printf ("%.1f s of audio (%d Hz, %d ch): decode+resample %.3f s wall (%.3f s CPU), "
              "log-mel (%zu frames) %.3f s\n",
              pcm->duration, pcm->source_rate, pcm->source_channels,
              (t1 - t0) / 1e6, c1 - c0, nf, (t3 - t2) / 1e6);
    }
  return 0;
}
