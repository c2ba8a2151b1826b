/* bench-compare.c — the cost of a comparison (model/vita-compare.h) against one analysis,
 * with the paper-size model ("tiny": d 192, depth 12, heads 3, 126 frames; random
 * weights, B its random-init twin):
 *  - time: one analysis of a 3-minute track, then the two analyses of a comparison of the
 *    same track (both sides at once), best of --reps; wall and process CPU time and their
 *    ratios (target: two ≤ 2.1 × one);
 *  - memory: the peak RSS (VmHWM) of a separate process running one analysis of a
 *    10-minute track (the track looped), and of one running the comparison (target:
 *    two ≤ 2 × one).
 * Prints the machine's load average beside the figures: on a shared machine wall times
 * move with it, CPU times much less.
 *
 *   bench-compare [--threads T] [--reps R] [--memory-to SEC] [AUDIO]
 *   bench-compare --only one|two --loop-to SEC [AUDIO]     (one process of the memory part)
 */
#include "dsp/vita-audio.h"
#include "dsp/vita-mel.h"
#include "model/vita-compare.h"

#include <cblas.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define DEFAULT_AUDIO "/usr/share/games/wesnoth/1.16/data/core/music/loyalists.ogg"

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

static double
cpu_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
peak_rss_mb (void)
{
  g_autofree char *status = NULL;
  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    {
      const char *p = strstr (status, "VmHWM:");
      if (p)
        return g_ascii_strtod (p + 6, NULL) / 1024.0;
    }
  return -1;
}

static char *
loadavg (void)
{
  g_autofree char *s = NULL;
  if (!g_file_get_contents ("/proc/loadavg", &s, NULL, NULL))
    return g_strdup ("?");
  g_auto(GStrv) f = g_strsplit (s, " ", 4);
  return g_strdup_printf ("%s %s %s", f[0], f[1] ? f[1] : "", f[1] && f[2] ? f[2] : "");
}

/* The model's mel of AUDIO, looped up to loop_to seconds (0: as is). */
static float *
load_mel (const char *audio, const VitaVitConfig *cfg, double loop_to, int *n_frames,
          GError **error)
{
  g_autoptr(VitaPcm) pcm = vita_audio_load (audio, cfg->fe.sample_rate, NULL, error);
  if (pcm == NULL)
    return NULL;
  if (loop_to > pcm->duration)
    {
      gsize want = (gsize) (loop_to * pcm->sample_rate);
      float *s = g_realloc_n (pcm->samples, want, sizeof (float));
      for (gsize i = pcm->n_samples; i < want; i++)
        s[i] = s[i % pcm->n_samples];
      pcm->samples = s;
      pcm->n_samples = want;
    }
  g_autoptr(VitaMel) mp = vita_mel_new (&cfg->fe, error);
  if (mp == NULL)
    return NULL;
  /* the one front-end call, as the app and the CLI make it */
  gsize n = 0;
  float *mel = vita_mel_features (mp, pcm->samples, pcm->n_samples, NULL, &n, error);
  *n_frames = (int) n;
  return mel;
}

/* One analysis (two = FALSE) or a comparison with the twin; wall and CPU seconds. */
static gboolean
run_once (VitaVit *a, VitaVit *b, const float *mel, int n_frames, int workers, gboolean two,
          double *wall, double *cpu, GError **error)
{
  VitaAnalysisOptions opt;
  vita_analysis_options_init (&opt);
  opt.workers = workers;
  double t0 = now (), c0 = cpu_now ();
  if (two)
    {
      g_autoptr(VitaCompare) cmp = vita_compare_new_for_mel (a, mel, b, mel, n_frames, &opt, error);
      if (cmp == NULL || !vita_compare_run (cmp, NULL, NULL, NULL, NULL, NULL, NULL, NULL, error))
        return FALSE;
    }
  else
    {
      g_autoptr(VitaAnalysis) an = vita_analysis_new (a, mel, n_frames, &opt, error);
      if (an == NULL || !vita_analysis_run (an, NULL, NULL, NULL, NULL, NULL, error))
        return FALSE;
    }
  *wall = now () - t0;
  *cpu = cpu_now () - c0;
  return TRUE;
}

/* Runs this program again with --only, returns the peak RSS it prints. */
static double
child_peak (const char *self, const char *which, double loop_to, const char *audio, int threads)
{
  char secs[32], thr[16];
  g_snprintf (secs, sizeof secs, "%g", loop_to);
  g_snprintf (thr, sizeof thr, "%d", threads);
  const char *args[] = { self, "--only", which, "--loop-to", secs, "--threads", thr, audio, NULL };
  g_autofree char *out = NULL, *err = NULL;
  int status;
  g_autoptr(GError) error = NULL;
  if (!g_spawn_sync (NULL, (char **) args, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                     &error) || !g_spawn_check_wait_status (status, &error))
    {
      fprintf (stderr, "bench-compare: --only %s failed: %s %s\n", which,
               error ? error->message : "", err ? err : "");
      return -1;
    }
  const char *p = strstr (out, "peak_rss_mb ");
  return p ? g_ascii_strtod (p + 12, NULL) : -1;
}

int
main (int argc, char **argv)
{
  int threads = 0, reps = 2;
  double loop_to = 0, memory_to = 600;
  g_autofree char *only = NULL;
  const GOptionEntry entries[] = {
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Worker threads, both sides together (default: one per core)", "T" },
    { "reps", 'r', 0, G_OPTION_ARG_INT, &reps, "Timing repetitions, best kept (default 2)", "R" },
    { "memory-to", 0, 0, G_OPTION_ARG_DOUBLE, &memory_to, "Track length of the memory part (default 600 s; 0: skip it)", "SEC" },
    { "only", 0, 0, G_OPTION_ARG_STRING, &only, "one|two: run just that at --loop-to, print its peak RSS", "WHICH" },
    { "loop-to", 0, 0, G_OPTION_ARG_DOUBLE, &loop_to, "With --only: repeat the track up to SEC seconds", "SEC" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("[AUDIO]");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc > 2 || reps < 1 ||
      (only && strcmp (only, "one") != 0 && strcmp (only, "two") != 0))
    {
      fprintf (stderr, "bench-compare: %s\n", error ? error->message : "bad arguments");
      return 2;
    }
  const char *audio = argc == 2 ? argv[1] : DEFAULT_AUDIO;
  if (!g_file_test (audio, G_FILE_TEST_EXISTS))
    {
      fprintf (stderr, "bench-compare: %s not found (Debian package wesnoth-1.16-music); skipped\n", audio);
      return 77;
    }
  VitaVitConfig cfg;
  g_assert_true (vita_vit_config_init_preset (&cfg, "tiny", NULL));
  g_autoptr(VitaVit) a = vita_vit_new_random (&cfg, 1);
  g_autoptr(VitaVit) b = vita_vit_new_twin (a, 2);
  int n_frames = 0;
  g_autofree float *mel = load_mel (audio, &cfg, only ? loop_to : 0, &n_frames, &error);
  if (mel == NULL)
    {
      fprintf (stderr, "bench-compare: %s\n", error->message);
      return 1;
    }

  if (only)
    {
      double wall, cpu;
      if (!run_once (a, b, mel, n_frames, threads, strcmp (only, "two") == 0, &wall, &cpu, &error))
        {
          fprintf (stderr, "bench-compare: %s\n", error->message);
          return 1;
        }
      printf ("frames %d wall %.3f cpu %.3f peak_rss_mb %.1f\n", n_frames, wall, cpu, peak_rss_mb ());
      return 0;
    }

  g_autofree char *load0 = loadavg ();
  double best[2][2] = { { G_MAXDOUBLE, G_MAXDOUBLE }, { G_MAXDOUBLE, G_MAXDOUBLE } };
  for (int r = 0; r < reps; r++)
    for (int two = 0; two < 2; two++)
      {
        double wall, cpu;
        if (!run_once (a, b, mel, n_frames, threads, two, &wall, &cpu, &error))
          {
            fprintf (stderr, "bench-compare: %s\n", error->message);
            return 1;
          }
        best[two][0] = MIN (best[two][0], wall);
        best[two][1] = MIN (best[two][1], cpu);
      }
  g_autofree char *load1 = loadavg ();
  printf ("audio          %s (%d frames)\n", audio, n_frames);
  printf ("model          tiny (d 192, depth 12, heads 3), random; B = its twin\n");
  printf ("cores          %u; workers %d (both sides together)\n", g_get_num_processors (),
          threads > 0 ? threads : (int) g_get_num_processors ());
  printf ("load average   %s before, %s after\n", load0, load1);
  printf ("one analysis   wall %8.3f s   cpu %8.3f s   (best of %d)\n", best[0][0], best[0][1], reps);
  printf ("comparison     wall %8.3f s   cpu %8.3f s\n", best[1][0], best[1][1]);
  printf ("ratio          wall %8.2f ×   cpu %8.2f ×   (target ≤ 2.1)\n", best[1][0] / best[0][0],
          best[1][1] / best[0][1]);
  if (memory_to > 0)
    {
      g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
      const char *exe = self ? self : argv[0];
      double m1 = child_peak (exe, "one", memory_to, audio, threads);
      double m2 = child_peak (exe, "two", memory_to, audio, threads);
      printf ("peak RSS       one %.1f MB, comparison %.1f MB on %.0f s: %.2f × (target ≤ 2)\n",
              m1, m2, memory_to, m2 / m1);
    }
  return 0;
}
