/* bench-forward.c — speed of vita_vit_forward at the paper's size (D 192, L 12,
 * NH 3, H4 768, T 126 frames, M 128), in ms per window and GFLOP/s, with 1 and 2
 * OpenBLAS threads and several batch sizes; then the time of the kernels on their
 * own at B = 16 (where the time goes).  Compare with bench/pytorch_forward.py.
 *
 *   meson test -C build --benchmark bench-forward   (or run build/bench/bench-forward)
 *   bench-forward [--windows 90] [--reps 3]
 */
#include "model/vita-blas.h"
#include "model/vita-vit.h"
#include "model/vita-vit-kernels.h"
#include "model/vita-rng.h"
#include "model/vita-blas.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  const VitaVit *vit;
  const float   *input;     /* this worker's windows */
  int            windows;
  int            B;
  VitaVitState  *state;
} Worker;

static gpointer
worker_run (gpointer data)
{
  Worker *w = data;
  gsize in_window = (gsize) w->vit->cfg.frames * w->vit->cfg.fe.n_mels;
  for (int i = 0; i < w->windows; i += w->B)
    vita_vit_forward (w->vit, w->state, w->input + (gsize) i * in_window,
                      MIN (w->B, w->windows - i));
  return NULL;
}

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

/* CPU seconds of the whole process (all threads).  On a busy machine wall time
 * measures the neighbours; CPU time of a single-threaded run still measures ours. */
static double
cpu_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
print_load (void)
{
  g_autofree char *load = NULL;
  if (g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
    printf ("load average now: %.*s (a busy machine inflates wall times)\n",
            (int) strcspn (load, " \n") , load);
}

/* Floating-point operations of one window's forward pass (multiply-add = 2). */
static double
flops_per_window (const VitaVitConfig *c)
{
  double T = c->frames, N = T + 1, M = c->fe.n_mels, D = c->dim, H4 = c->mlp_dim;
  double layer = 2 * N * D * 3 * D      /* qkv */
                 + 2 * 2 * N * N * D    /* q k^T and att v over all heads */
                 + 2 * N * D * D        /* proj */
                 + 2 * 2 * N * D * H4;  /* fc1, fc2 */
  return 2 * T * M * D + c->depth * layer + 2 * D * D + 2 * D * c->proj_dim;
}

int
main (int argc, char **argv)
{
  vita_blas_init_kernels ();   /* before any BLAS call (model/vita-blas.h) */
  int windows = 90, reps = 3;
  setvbuf (stdout, NULL, _IOLBF, 0);   /* progress visible when redirected */
  for (int i = 1; i + 1 < argc; i += 2)
    {
      if (g_str_equal (argv[i], "--windows"))
        windows = atoi (argv[i + 1]);
      else if (g_str_equal (argv[i], "--reps"))
        reps = atoi (argv[i + 1]);
    }
  windows = MAX (windows, 1);
  reps = MAX (reps, 1);

  VitaVitConfig cfg;
  vita_vit_config_init_tiny (&cfg);
  g_autoptr(VitaVit) vit = vita_vit_new_random (&cfg, 0);
  int T = cfg.frames, M = cfg.fe.n_mels, N = T + 1, D = cfg.dim, H4 = cfg.mlp_dim;
  gsize in_window = (gsize) T * M;
  g_autofree float *input = g_new (float, in_window * windows);
  VitaRng rng;
  vita_rng_seed (&rng, 1);
  for (gsize i = 0; i < in_window * windows; i++)
    input[i] = (float) vita_rng_normal (&rng);
  double fpw = flops_per_window (&cfg);

  printf ("ViT-1D forward, paper size: D %d, L %d, NH %d, H4 %d, T %d, M %d; %.3f GFLOP/window\n",
          D, cfg.depth, cfg.heads, H4, T, M, fpw / 1e9);
  printf ("%d windows (a 3-minute track at 50%% overlap), best of %d runs\n", windows, reps);
  print_load ();
  printf ("blas kernels: %s (OpenBLAS)\n", vita_blas_kernels ());
  printf ("cpu ms/window = process CPU time / windows (all threads; spinning BLAS threads count)\n\n");
  printf ("threads  batch   total ms   ms/window   GFLOP/s   cpu ms/window\n");
  static const int batches[] = { 1, 4, 8, 16, 32 };
  for (int threads = 1; threads <= 2; threads++)
    {
      vita_blas_set_threads (threads);
      for (gsize bi = 0; bi < G_N_ELEMENTS (batches); bi++)
        {
          int B = batches[bi];
          g_autoptr(VitaVitState) st = vita_vit_state_new (&cfg, B, FALSE);
          vita_vit_forward (vit, st, input, MIN (B, windows));  /* warm-up */
          double best = G_MAXDOUBLE, best_cpu = G_MAXDOUBLE;
          for (int r = 0; r < reps; r++)
            {
              double t0 = now (), c0 = cpu_now ();
              for (int w = 0; w < windows; w += B)
                vita_vit_forward (vit, st, input + (gsize) w * in_window, MIN (B, windows - w));
              best = MIN (best, now () - t0);
              best_cpu = MIN (best_cpu, cpu_now () - c0);
            }
          printf ("%7d  %5d  %9.1f  %10.3f  %8.1f  %14.3f\n", threads, B, best * 1e3,
                  best * 1e3 / windows, fpw * windows / best / 1e9, best_cpu * 1e3 / windows);
        }
    }

  /* Two worker threads, each with its own state and half the windows, OpenBLAS on
   * one thread: how long-audio analysis should use 2 cores (the per-head attention
   * products are too small for OpenBLAS's own threading). */
  printf ("\n2 worker threads × 1 OpenBLAS thread (own state each):\n");
  printf ("workers  batch   total ms   ms/window   GFLOP/s   cpu ms/window\n");
  vita_blas_set_threads (1);
  for (gsize bi = 1; bi < G_N_ELEMENTS (batches); bi++)
    {
      int Bw = batches[bi];
      Worker w[2];
      int half = (windows + 1) / 2;
      for (int i = 0; i < 2; i++)
        {
          w[i].vit = vit;
          w[i].input = input + (gsize) i * half * in_window;
          w[i].windows = i == 0 ? half : windows - half;
          w[i].B = Bw;
          w[i].state = vita_vit_state_new (&cfg, Bw, FALSE);
        }
      double best = G_MAXDOUBLE, best_cpu = G_MAXDOUBLE;
      for (int r = 0; r <= reps; r++)   /* r = 0 is the warm-up */
        {
          double t0 = now (), c0 = cpu_now ();
          GThread *th = g_thread_new ("forward", worker_run, &w[1]);
          worker_run (&w[0]);
          g_thread_join (th);
          if (r > 0)
            {
              best = MIN (best, now () - t0);
              best_cpu = MIN (best_cpu, cpu_now () - c0);
            }
        }
      printf ("%7d  %5d  %9.1f  %10.3f  %8.1f  %14.3f\n", 2, Bw, best * 1e3,
              best * 1e3 / windows, fpw * windows / best / 1e9, best_cpu * 1e3 / windows);
      for (int i = 0; i < 2; i++)
        vita_vit_state_free (w[i].state);
    }

  /* Where the time goes: each kernel alone at B = 16, one layer's shapes, × depth. */
  int B = 16, BN = B * N;
  vita_blas_set_threads (1);
  g_autoptr(VitaVitState) st = vita_vit_state_new (&cfg, B, TRUE);
  vita_vit_forward (vit, st, input, MIN (B, windows));
  VitaVitActs *a = &st->acts;
  const VitaVitParams *p = &vit->params;
  double t[6] = { 0 };
  const char *names[6] = { "layernorm ×2", "qkv matmul", "attention", "proj matmul",
                           "fc1+fc2 matmul", "gelu" };
  for (int r = 0; r < reps; r++)
    {
      double t0 = cpu_now ();
      for (int l = 0; l < cfg.depth; l++)
        {
          vita_layernorm_forward (a->ln1, a->ln1_mean, a->ln1_rstd, a->encoded, p->ln1w, p->ln1b, BN, D, 1e-6f);
          vita_layernorm_forward (a->ln2, a->ln2_mean, a->ln2_rstd, a->encoded, p->ln2w, p->ln2b, BN, D, 1e-6f);
        }
      double t1 = cpu_now ();
      for (int l = 0; l < cfg.depth; l++)
        vita_matmul_forward (a->qkv, a->ln1, p->qkvw, p->qkvb, BN, D, 3 * D);
      double t2 = cpu_now ();
      for (int l = 0; l < cfg.depth; l++)
        vita_attention_forward (a->atty, a->att, a->qkv, B, N, D, cfg.heads);
      double t3 = cpu_now ();
      for (int l = 0; l < cfg.depth; l++)
        vita_matmul_forward (a->res_att, a->atty, p->projw, p->projb, BN, D, D);
      double t4 = cpu_now ();
      for (int l = 0; l < cfg.depth; l++)
        {
          vita_matmul_forward (a->fch, a->ln2, p->fc1w, p->fc1b, BN, D, H4);
          vita_matmul_forward (a->res_mlp, a->fch_gelu, p->fc2w, p->fc2b, BN, H4, D);
        }
      double t5 = cpu_now ();
      for (int l = 0; l < cfg.depth; l++)
        vita_gelu_forward (a->fch_gelu, a->fch, (gsize) BN * H4);
      double t6 = cpu_now ();
      double d[6] = { t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5 };
      for (int i = 0; i < 6; i++)
        t[i] = r == 0 ? d[i] : MIN (t[i], d[i]);
    }
  double flop[6] = { 0, 2.0 * N * D * 3 * D, 4.0 * N * N * D, 2.0 * N * D * D,
                     4.0 * N * D * H4, 0 };
  printf ("\nkernels alone, 1 thread, B = %d, all %d layers (CPU ms per window, GFLOP/s):\n", B, cfg.depth);
  for (int i = 0; i < 6; i++)
    {
      double ms = t[i] * 1e3 / B;
      if (flop[i] > 0)
        printf ("  %-16s %7.3f  %6.1f\n", names[i], ms, flop[i] * cfg.depth / (ms / 1e3) / 1e9);
      else
        printf ("  %-16s %7.3f\n", names[i], ms);
    }
  return 0;
}
