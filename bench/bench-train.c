/* bench-train.c — throughput of one NT-Xent training step of Vitascope's C trainer
 * (forward, NT-Xent, backward, AdamW) against the PyTorch reference
 * (bench/pytorch_train.py), same configuration, batch and threads.
 *
 *   bench-train [--config tiny] [--pairs 32] [--threads 2] [--steps 5] [--pytorch]
 *
 * With --pytorch it also runs /usr/bin/python3 bench/pytorch_train.py (from the
 * source root, VITA_SOURCE_ROOT or the current folder) and prints both side by side.
 * Per-phase timings (forward / loss / backward / AdamW) show where the time goes. */
#include "model/vita-blas.h"
#include "model/train/vita-train.h"
#include "model/vita-blas.h"

#include <cblas.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* CPU time of the whole process (all threads): on a machine shared with other jobs,
 * wall time measures the neighbours; CPU time measures the work (with 1 thread it is
 * what the wall time would be on an idle core). */
static double
cpu_seconds (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int
main (int argc, char **argv)
{
  vita_blas_init_kernels ();   /* before any BLAS call (model/vita-blas.h) */
  g_autofree char *config = g_strdup ("tiny");
  int pairs = 32, threads = 2, steps = 5;
  gboolean pytorch = FALSE;
  GOptionEntry entries[] = {
    { "config", 0, 0, G_OPTION_ARG_STRING, &config, "Model configuration (tiny)", "NAME" },
    { "pairs", 0, 0, G_OPTION_ARG_INT, &pairs, "Pairs per step (32)", "P" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "Threads (2)", "T" },
    { "steps", 0, 0, G_OPTION_ARG_INT, &steps, "Timed steps (5)", "N" },
    { "pytorch", 0, 0, G_OPTION_ARG_NONE, &pytorch, "Also run the PyTorch reference", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("— training-step throughput");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "bench-train: %s\n", error->message);
      return 2;
    }
  VitaVitConfig cfg;
  if (!vita_vit_config_init_preset (&cfg, config, &error))
    {
      fprintf (stderr, "bench-train: %s\n", error->message);
      return 2;
    }
  /* as the trainer: threads > 1 → worker threads over the windows, single-threaded BLAS */
  vita_blas_set_threads (1);
  const int B = 2 * pairs;
  g_autoptr(VitaVit) vit = vita_vit_new_random (&cfg, 1);
  g_autoptr(VitaVitState) state = vita_vit_state_new (&cfg, B, TRUE);
  g_autoptr(VitaVitGrads) g = vita_vit_grads_new (&cfg, B);
  g_autoptr(VitaNtxent) nt = vita_ntxent_new (B, cfg.proj_dim);
  g_autofree float *m = g_new0 (float, vit->num_params);
  g_autofree float *v = g_new0 (float, vit->num_params);
  gsize n_in = (gsize) B * cfg.frames * cfg.fe.n_mels;
  g_autofree float *input = g_new (float, n_in);
  VitaRng rng;
  vita_rng_seed (&rng, 7);
  for (gsize i = 0; i < n_in; i++)
    input[i] = (float) vita_rng_normal (&rng);
  VitaSchedule s;
  vita_schedule_init_default (&s, 1000);

  double t_fwd = 0, t_loss = 0, t_bwd = 0, t_opt = 0, cpu = 0;
  g_autoptr(VitaTrainStep) ts = vita_train_step_new (&cfg, B, threads);
  for (int it = -1; it < steps && threads > 1; it++)
    {
      double c0 = cpu_seconds ();
      gint64 t0 = g_get_monotonic_time ();
      vita_train_step_run (ts, vit, m, v, &s, it + 1, input, NULL, NULL);
      if (it >= 0)
        {
          cpu += cpu_seconds () - c0;
          t_fwd += (g_get_monotonic_time () - t0) / 1e6;  /* whole step */
        }
    }
  for (int it = -1; it < steps && threads == 1; it++)  /* one untimed warm-up step */
    {
      double c0 = cpu_seconds ();
      gint64 t0 = g_get_monotonic_time ();
      vita_vit_forward_train (vit, state, input, B);
      gint64 t1 = g_get_monotonic_time ();
      vita_vit_grads_zero (g);
      vita_ntxent_forward (nt, state->acts.z, B, cfg.temperature, NULL);
      vita_ntxent_backward (nt, g->dz, B, cfg.temperature, 1.0f);
      gint64 t2 = g_get_monotonic_time ();
      vita_vit_backward (vit, state, g, input, B);
      gint64 t3 = g_get_monotonic_time ();
      vita_adamw_step_vit (vit, g->memory, m, v, &s, it + 1);
      gint64 t4 = g_get_monotonic_time ();
      if (it >= 0)
        {
          cpu += cpu_seconds () - c0;
          t_fwd += (t1 - t0) / 1e6;
          t_loss += (t2 - t1) / 1e6;
          t_bwd += (t3 - t2) / 1e6;
          t_opt += (t4 - t3) / 1e6;
        }
    }
  double per = (t_fwd + t_loss + t_bwd + t_opt) / steps;
  double cpu_per = cpu / steps;
  printf ("vitascope %s pairs=%d threads=%d %.2f pairs/s %.1f ms/step wall; %.1f s CPU/step = %.2f pairs/s per CPU-thread-second x %d\n",
          config, pairs, threads, pairs / per, per * 1000, cpu_per, pairs / (cpu_per / threads), threads);
  printf ("  blas kernels %s (OpenBLAS)\n", vita_blas_kernels ());
  if (threads == 1)
    printf ("  forward %.1f ms, NT-Xent %.1f ms, backward %.1f ms, AdamW %.1f ms (per step)\n",
            t_fwd / steps * 1000, t_loss / steps * 1000, t_bwd / steps * 1000, t_opt / steps * 1000);
  fflush (stdout);

  if (pytorch)
    {
      const char *root = g_getenv ("VITA_SOURCE_ROOT");
      g_autofree char *script = g_build_filename (root ? root : ".", "bench", "pytorch_train.py", NULL);
      /* PyTorch's CPU matmuls go to the same system OpenBLAS: give it our kernels */
      g_autofree char *cmd = g_strdup_printf ("env OPENBLAS_CORETYPE=%s /usr/bin/python3 %s --config %s --pairs %d --threads %d --steps %d",
                                              vita_blas_kernels (), script, config, pairs, threads, steps);
      g_autofree char *out = NULL, *err = NULL;
      int status;
      if (!g_spawn_command_line_sync (cmd, &out, &err, &status, &error) || !g_spawn_check_wait_status (status, NULL))
        {
          fprintf (stderr, "bench-train: the PyTorch reference failed: %s %s\n",
                   error ? error->message : "", err ? err : "");
          return 1;
        }
      double py = 0, py_cpu = 0;
      const char *p = strstr (out, " pairs/s");
      if (p)
        {
          const char *q = p;
          while (q > out && q[-1] != ' ')
            q--;
          py = g_ascii_strtod (q, NULL);
        }
      const char *c = strstr (out, "cpu_pairs_per_s=");
      if (c)
        py_cpu = g_ascii_strtod (c + strlen ("cpu_pairs_per_s="), NULL);
      printf ("%s", out);
      printf ("\n%-34s %12s %12s %9s\n", "", "vitascope", "pytorch", "ratio");
      printf ("%-34s %12.2f %12.2f %8.2fx\n", "pairs/s (wall)", pairs / per, py, py > 0 ? pairs / per / py : 0);
      printf ("%-34s %12.2f %12.2f %8.2fx\n", "pairs/s (CPU time / threads)", pairs / (cpu_per / threads),
              py_cpu, py_cpu > 0 ? pairs / (cpu_per / threads) / py_cpu : 0);
    }
  return 0;
}
