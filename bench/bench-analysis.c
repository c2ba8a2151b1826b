/* bench-analysis.c — the whole analysis of a real track: decode → mel → windows →
 * forward passes → per-frame results → SSMs, with the paper-size model ("tiny":
 * d 192, depth 12, heads 3, 126 frames; random weights: timing does not depend on
 * them), printing each stage's time, the total and the peak RSS.
 *
 *   bench-analysis [--threads T] [--loop-to SEC] [--model FILE] [--batch B] [AUDIO]
 *   bench-analysis --long [--threads T] [AUDIO]
 *
 * AUDIO defaults to Wesnoth's loyalists.ogg (3 min).  --loop-to repeats the decoded
 * track up to SEC seconds, as a long track is analysed: the looped PCM and its mel are
 * never whole in memory (the mel is computed a stretch at a time into the analysis,
 * whose large arrays live in cache files, model/vita-store.h).  --long runs this
 * program twice more, for 10 minutes and for 3 hours, and prints their peak RSS and
 * times beside the targets (issue 14.5: ≤ 250 MB and ≤ 400 MB).
 * bench/pytorch_analysis.py runs PyTorch's forward on the same windows and prints the
 * ratio. */
#include "model/vita-blas.h"
#include "dsp/vita-audio.h"
#include "dsp/vita-mel.h"
#include "model/vita-analysis.h"
#include "model/vita-blas.h"

#include <cblas.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define DEFAULT_AUDIO "/usr/share/games/wesnoth/1.16/data/core/music/loyalists.ogg"

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

/* CPU seconds of the whole process (all threads): on a shared, oversubscribed machine
 * this is the steadier figure (with 1 thread it is the work done). */
static double
cpu_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* VmHWM of /proc/self/status: unlike getrusage's ru_maxrss it is not inherited
 * across exec (a bench started from a big Python process would report Python's). */
static double
peak_rss_mb (void)
{
  g_autofree char *status = NULL;
  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    {
      const char *p = strstr (status, "VmHWM:");
      if (p)
        return g_ascii_strtod (p + 6, NULL) / 1024.0;   /* kB */
    }
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

/* Runs this program again with --loop-to seconds; TRUE with its peak RSS and times. */
static gboolean
run_long (const char *self, int threads, const char *audio, double seconds, double *rss,
          double *analysis, double *total)
{
  g_autofree char *loop = g_strdup_printf ("--loop-to=%.0f", seconds);
  g_autofree char *thr = g_strdup_printf ("--threads=%d", threads);
  const char *argv[] = { self, loop, thr, audio, NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                     &status, &error) || !g_spawn_check_wait_status (status, &error))
    {
      fprintf (stderr, "bench-analysis: %s\n", error->message);
      return FALSE;
    }
  fputs (out, stdout);
  const char *r = strstr (out, "peak RSS"), *a = strstr (out, "\nanalysis"), *t = strstr (out, "\ntotal");
  if (!r || !a || !t)
    return FALSE;
  *rss = g_ascii_strtod (r + strlen ("peak RSS"), NULL);
  *analysis = g_ascii_strtod (a + strlen ("\nanalysis"), NULL);
  *total = g_ascii_strtod (t + strlen ("\ntotal"), NULL);
  return TRUE;
}

/* The sgemm bound (issue 14 item 3: the analysis within 1.1× of it): the forward's
 * FLOPs at the best rate OpenBLAS's sgemm reaches, on this machine, at the forward's
 * four linear shapes (qkv, projection, MLP in and out; a batch of windows' tokens as
 * rows), run as the analysis runs them: `workers` threads at once, each with
 * single-threaded BLAS.  Returns that rate in GFLOP/s (all workers together). */
typedef struct {
  int m, k, n;
  double seconds;
  double flops;
} BoundJob;

static gpointer
bound_worker (gpointer data)
{
  BoundJob *j = data;
  g_autofree float *a = g_new (float, (gsize) j->m * j->k);
  g_autofree float *b = g_new (float, (gsize) j->k * j->n);
  g_autofree float *c = g_new0 (float, (gsize) j->m * j->n);
  for (gsize i = 0; i < (gsize) j->m * j->k; i++)
    a[i] = (float) ((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
  for (gsize i = 0; i < (gsize) j->k * j->n; i++)
    b[i] = (float) ((i * 40503u) % 1000) / 1000.0f - 0.5f;
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, j->m, j->n, j->k, 1.0f, a, j->k,
               b, j->n, 0.0f, c, j->n);   /* warm */
  double t0 = now ();
  int reps = 0;
  do
    {
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, j->m, j->n, j->k, 1.0f, a, j->k,
                   b, j->n, 0.0f, c, j->n);
      reps++;
    }
  while (now () - t0 < 0.15);
  j->seconds = now () - t0;
  j->flops = 2.0 * j->m * j->k * j->n * reps;
  return NULL;
}

static double
sgemm_bound_gflops (const VitaVitConfig *cfg, int batch, int workers)
{
  const int rows = batch * (cfg->frames + 1), D = cfg->dim, H4 = cfg->mlp_dim;
  const int shapes[4][2] = { { D, 3 * D }, { D, D }, { D, H4 }, { H4, D } };
  double best = 0;
  g_autoptr(VitaBlasSingle) single = workers > 1 ? vita_blas_single_begin () : NULL;
  for (int s = 0; s < 4; s++)
    {
      BoundJob jobs[64];
      GThread *th[64];
      int n = CLAMP (workers, 1, 64);
      double flops = 0, secs = 0;
      for (int i = 0; i < n; i++)
        {
          jobs[i] = (BoundJob) { rows, shapes[s][0], shapes[s][1], 0, 0 };
          th[i] = g_thread_new ("bound", bound_worker, &jobs[i]);
        }
      for (int i = 0; i < n; i++)
        {
          g_thread_join (th[i]);
          flops += jobs[i].flops;
          secs = MAX (secs, jobs[i].seconds);
        }
      best = MAX (best, flops / secs / 1e9);
    }
  return best;
}

int
main (int argc, char **argv)
{
  vita_blas_init_kernels ();   /* before any BLAS call (model/vita-blas.h) */
  int threads = 0, batch = 8, workers = -1;
  double loop_to = 0;
  gboolean long_audio = FALSE;
  g_autofree char *model_path = NULL;
  const GOptionEntry entries[] = {
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "BLAS threads (default: OpenBLAS's own)", "T" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "Windows per forward pass (default 8)", "B" },
    { "workers", 'w', 0, G_OPTION_ARG_INT, &workers, "Analysis worker threads, each with single-threaded BLAS (default: --threads, else one per core)", "W" },
    { "loop-to", 0, 0, G_OPTION_ARG_DOUBLE, &loop_to, "Repeat the track up to SEC seconds", "SEC" },
    { "long", 0, 0, G_OPTION_ARG_NONE, &long_audio, "Peak RSS and time of a 10-minute and a 3-hour track (separate processes)", NULL },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path, "Model file (default: random 'tiny')", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("[AUDIO]");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc > 2 || batch < 1)
    {
      fprintf (stderr, "bench-analysis: %s\n", error ? error->message : "bad arguments");
      return 2;
    }
  const char *audio = argc == 2 ? argv[1] : DEFAULT_AUDIO;
  if (!g_file_test (audio, G_FILE_TEST_EXISTS))
    {
      fprintf (stderr, "bench-analysis: %s not found (Debian package wesnoth-1.16-music); skipped\n", audio);
      return 77;
    }
  if (long_audio)
    {
      static const struct { double seconds, target_mb; const char *name; } runs[] = {
        { 600, 250, "10 minutes" }, { 10800, 400, "3 hours" },
      };
      double rss[2], an_s[2], tot[2];
      g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
      if (self == NULL)
        self = g_strdup (argv[0]);
      for (int i = 0; i < 2; i++)
        {
          printf ("---- %s\n", runs[i].name);
          fflush (stdout);
          if (!run_long (self, threads, audio, runs[i].seconds, &rss[i], &an_s[i], &tot[i]))
            return 1;
        }
      printf ("---- long audio (issue 14.5)\n");
      for (int i = 0; i < 2; i++)
        printf ("%-10s  peak RSS %7.1f MB (target ≤ %.0f MB: %s)  analysis %7.2f s  total %7.2f s\n",
                runs[i].name, rss[i], runs[i].target_mb, rss[i] <= runs[i].target_mb ? "met" : "NOT met",
                an_s[i], tot[i]);
      return 0;
    }
  if (threads > 0)
    vita_blas_set_threads (threads);

  g_autoptr(VitaVit) vit = NULL;
  if (model_path)
    vit = vita_vit_load (model_path, &error);
  else
    {
      VitaVitConfig cfg;
      if (vita_vit_config_init_preset (&cfg, "tiny", &error))
        vit = vita_vit_new_random (&cfg, 1);
    }
  if (vit == NULL)
    {
      fprintf (stderr, "bench-analysis: %s\n", error->message);
      return 1;
    }
  const VitaVitConfig *cfg = &vit->cfg;

  double c_start = cpu_now ();
  double t0 = now ();
  g_autoptr(VitaPcm) pcm = vita_audio_load (audio, cfg->fe.sample_rate, NULL, &error);
  if (pcm == NULL)
    {
      fprintf (stderr, "bench-analysis: %s\n", error->message);
      return 1;
    }
  double t_decode = now () - t0;
  double rss_decode = peak_rss_mb ();
  g_autoptr(VitaMel) mp = vita_mel_new (&cfg->fe, &error);
  if (mp == NULL)
    {
      fprintf (stderr, "bench-analysis: %s\n", error->message);
      return 1;
    }
  VitaAnalysisOptions opt;
  vita_analysis_options_init (&opt);
  opt.batch = batch;
  opt.workers = workers >= 0 ? workers : MAX (threads, 0);
  g_autoptr(VitaAnalysis) an = NULL;
  gsize n_frames = 0;
  double duration = pcm->duration;
  t0 = now ();
  if (loop_to > pcm->duration)
    {
      /* the track repeated up to loop_to seconds, a stretch of frames at a time */
      const gsize n_src = pcm->n_samples, want = (gsize) (loop_to * pcm->sample_rate);
      const gsize M = cfg->fe.n_mels, stretch = 8192;
      duration = (double) want / pcm->sample_rate;
      n_frames = vita_frontend_n_frames (&cfg->fe, want);
      if (!(an = vita_analysis_new (vit, NULL, (int) n_frames, &opt, &error)))
        {
          fprintf (stderr, "bench-analysis: %s\n", error->message);
          return 1;
        }
      g_autofree float *out = g_new (float, stretch * M);
      for (gsize f = 0; f < n_frames; f += stretch)
        {
          gsize k = MIN (stretch, n_frames - f), a, b;
          vita_mel_range_samples (mp, want, f, k, &a, &b);
          g_autofree float *part = g_new (float, MAX (b - a, 1));
          for (gsize i = a; i < b; i++)
            part[i - a] = pcm->samples[i % n_src];
          vita_mel_compute_range (mp, part, a, b - a, want, f, k, out);
          if (!vita_analysis_set_mel (an, (int) f, out, (int) k, &error))
            {
              fprintf (stderr, "bench-analysis: %s\n", error->message);
              return 1;
            }
        }
    }
  else
    {
      g_autofree float *mel = vita_mel_features (mp, pcm->samples, pcm->n_samples, NULL, &n_frames, &error);
      if (mel == NULL || !(an = vita_analysis_new (vit, mel, (int) n_frames, &opt, &error)))
        {
          fprintf (stderr, "bench-analysis: %s\n", error->message);
          return 1;
        }
    }
  double t_mel = now () - t0;
  g_clear_pointer (&pcm, vita_pcm_free);

  double c_analysis = cpu_now ();
  t0 = now ();
  if (!vita_analysis_run (an, NULL, NULL, NULL, NULL, NULL, &error))
    {
      fprintf (stderr, "bench-analysis: %s\n", error->message);
      return 1;
    }
  double t_analysis = now () - t0;
  double c_end = cpu_now ();
  /* the stage after the analysis (the app's CKA panel, below the diagonal) */
  t0 = now ();
  if (!vita_analysis_run_track_cka (an, NULL, NULL, NULL, &error))
    {
      fprintf (stderr, "bench-analysis: %s\n", error->message);
      return 1;
    }
  double t_cka = now () - t0;
  double c_cka = cpu_now () - c_end;
  double t_total = t_decode + t_mel + t_analysis + t_cka;

  /* forward FLOPs per window: 2 × (N·M·D + L·(N·D·3D + 2·N²·D + N·D·D + 2·N·D·H4)) */
  double N = cfg->frames + 1, D = cfg->dim, H4 = cfg->mlp_dim, L = cfg->depth, M = cfg->fe.n_mels;
  double flops = 2.0 * an->n_windows * (cfg->frames * M * D +
                                        L * (N * D * 3 * D + 2 * N * N * D + N * D * D + 2 * N * D * H4));
  printf ("audio          %s\n", audio);
  printf ("duration       %.1f s, %" G_GSIZE_FORMAT " frames, %d windows of %d (batch %d)\n",
          duration, n_frames, an->n_windows, cfg->frames, batch);
  printf ("model          d %d, depth %d, heads %d, mlp %d%s\n", cfg->dim, cfg->depth, cfg->heads,
          cfg->mlp_dim, model_path ? "" : " (random 'tiny')");
  printf ("blas kernels   %s (OpenBLAS)\n", vita_blas_kernels ());
  printf ("blas threads   %d outside the run; workers %d (1 BLAS thread each when > 1)\n",
          vita_blas_get_threads (), opt.workers > 0 ? opt.workers : (int) g_get_num_processors ());
  printf ("decode         %8.3f s\n", t_decode);
  printf ("mel            %8.3f s   (into the analysis%s)\n", t_mel,
          vita_analysis_tokens_cached (an) ? "; tokens, mel and SSM sums in cache files" : "");
  printf ("forward        %8.3f s   (%.1f GFLOP/s, incl. per-frame gathering)\n",
          an->seconds_forward, flops / an->seconds_forward / 1e9);
  /* after the windows: the SSMs (S × S Grams of D-wide pooled tokens, one per layer);
   * after the analysis, with the tokens, the whole track's CKA (the Gram of all
   * layers' tokens side by side: n · (L+1)² · D² multiply-add pairs, vita-derived.c) */
  double S = an->ssm_size, NL = an->n_layers;
  double ssm_flops = NL * S * S * D, cka_flops = an->cka ? (double) n_frames * NL * NL * D * D : 0;
  {
    int w = opt.workers > 0 ? opt.workers : (int) g_get_num_processors ();
    double rate = sgemm_bound_gflops (cfg, batch, w);
    double bound = flops / rate / 1e9;
    printf ("sgemm bound    %8.3f s   (the forward's %.1f GFLOP at %.1f GFLOP/s: OpenBLAS sgemm's best at "
            "the forward's linear shapes, %d × %d rows, %d worker%s; forward %.2f×, analysis %.2f× "
            "the bound; issue 14 item 3: ≤ 1.1×)\n",
            bound, flops / 1e9, rate, batch, cfg->frames + 1, w, w == 1 ? "" : "s",
            an->seconds_forward / bound, t_analysis / bound);
  }
  printf ("ssm            %8.3f s   (%.0f SSMs of %d × %d, %.1f GFLOP; cpu %.3f s)\n",
          an->seconds_ssm, NL, an->ssm_size, an->ssm_size, ssm_flops / 1e9, an->cpu_seconds_ssm);
  printf ("analysis       %8.3f s   (windows + forward + ssm; cpu %.3f s, all threads)\n",
          t_analysis, c_end - c_analysis);
  printf ("whole-track CKA %7.3f s   (the stage after the analysis: %.0f layers over %"
          G_GSIZE_FORMAT " frames, %.1f GFLOP; cpu %.3f s)\n", t_cka, NL,
          an->cka ? n_frames : 0, cka_flops / 1e9, c_cka);
  printf ("total          %8.3f s   (decode + mel + analysis + whole-track CKA)\n", t_total);
  printf ("cpu analysis   %8.3f s   (process CPU time, all threads)\n", c_end - c_analysis);
  printf ("cpu total      %8.3f s\n", c_end + c_cka - c_start);
  printf ("peak RSS       %8.1f MB  (after decode %.1f MB)\n", peak_rss_mb (), rss_decode);
  return 0;
}
