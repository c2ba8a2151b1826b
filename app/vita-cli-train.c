/* vita-cli-train.c — `vitascope-cli train` and `vitascope-cli export-model`. */
#include "model/vita-blas.h"
#include "vita-cli.h"
#include "model/train/vita-train.h"
#include "model/vita-safetensors.h"

#include <errno.h>
#include <glib/gstdio.h>

#include <cblas.h>

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  gboolean tty;
  gint64 last_print_us;
  gint64 last_step;
} CliProgress;

static void
format_eta (char *buf, gsize len, double s)
{
  if (!(s >= 0) || s > 1e8)
    g_snprintf (buf, len, "--");
  else if (s >= 3600)
    g_snprintf (buf, len, "%dh%02dm", (int) (s / 3600), (int) fmod (s / 60, 60));
  else
    g_snprintf (buf, len, "%dm%02ds", (int) (s / 60), (int) fmod (s, 60));
}

static void
on_progress (const VitaTrainProgress *p, gpointer user_data)
{
  CliProgress *cp = user_data;
  gint64 now = g_get_monotonic_time ();
  switch (p->phase)
    {
    case VITA_TRAIN_PREPARING:
      if (cp->tty || p->files_done == p->files_total)
        {
          fprintf (stderr, "%spreparing log-mel: %u/%u files", cp->tty ? "\r\033[K" : "",
                   p->files_done, p->files_total);
          if (!cp->tty || p->files_done == p->files_total)
            fputc ('\n', stderr);
        }
      return;
    case VITA_TRAIN_RUNNING:
      {
        /* every step on a terminal; otherwise about every 10 s and at the end */
        gboolean print = cp->tty || cp->last_print_us == 0 || now - cp->last_print_us > 10000000 ||
                         p->step == p->total_steps;
        if (!print)
          return;
        cp->last_print_us = now;
        char eta[32];
        format_eta (eta, sizeof eta, p->eta_s);
        fprintf (stderr, "%sstep %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "  loss %.4f (avg %.4f)  "
                 "pos-pair acc %.3f (avg %.3f)  lr %.2e  %.1f pairs/s  ETA %s%s",
                 cp->tty ? "\r\033[K" : "", p->step, p->total_steps, p->loss, p->loss_avg,
                 p->accuracy, p->accuracy_avg, p->lr, p->pairs_per_s, eta, cp->tty ? "" : "\n");
        cp->last_step = p->step;
        return;
      }
    case VITA_TRAIN_SAVING:
      return;
    case VITA_TRAIN_PAUSED:
      if (p->message)
        fprintf (stderr, "%s%s\n", cp->tty ? "\n" : "", p->message);
      return;
    case VITA_TRAIN_FAILED:
    case VITA_TRAIN_FINISHED:
      if (cp->tty)
        fputc ('\n', stderr);
      return;
    }
}

/* Positive-pair retrieval (NT-Xent top-1 accuracy among the 2B−1 other views) on the
 * held-out tracks and on the training tracks: trained vs random initialisation. */
static int
evaluate_run (const char *prog, const char *data_dir, const char *out, const char *cache,
              const char *model_path, int pairs, int batches, int threads, double val_fraction,
              double gap_min, double gap_max)
{
  g_autoptr(GError) error = NULL;
  if (threads > 0)
    vita_blas_set_threads (threads);
  VitaCheckpoint ck = { 0 };
  g_autofree char *path = NULL;
  g_autoptr(VitaVit) loaded = NULL;
  if (model_path != NULL)
    {
      /* any model file (a series checkpoint, the bundled model) on the run's split */
      loaded = vita_vit_load (model_path, &error);
      if (loaded == NULL)
        {
          fprintf (stderr, "%s: %s\n", prog, error->message);
          return 1;
        }
      const char *steps = g_hash_table_lookup (loaded->metadata, "trained_steps");
      ck.vit = loaded;
      ck.step = steps ? g_ascii_strtoll (steps, NULL, 10) : 0;
      path = g_strdup (model_path);
    }
  else if (!vita_checkpoint_load_newest (out, &ck, &path, &error))
    {
      fprintf (stderr, "%s: %s\n", prog, error->message);
      return 1;
    }
  g_autofree char *cache_dir = cache ? g_strdup (cache) : g_build_filename (out, "mel-cache", NULL);
  g_autoptr(VitaTrainData) data = vita_train_data_new (data_dir, cache_dir, &ck.vit->cfg.fe, ck.vit->cfg.frames,
                                                       val_fraction, NULL, NULL, NULL, &error);
  if (data == NULL)
    {
      fprintf (stderr, "%s: %s\n", prog, error->message);
      if (loaded == NULL)
        vita_checkpoint_clear (&ck);
      return 1;
    }
  VitaPairOptions po;
  vita_pair_options_init (&po);
  po.gap_min_s = gap_min;
  po.gap_max_s = gap_max;
  /* the random twin: same architecture and input normalisation, timm init */
  g_autoptr(VitaVit) random = vita_vit_new_random (&ck.vit->cfg, 12345);
  printf ("checkpoint %s (step %" G_GINT64_FORMAT "); %u training / %u held-out tracks; "
          "%d batches of %d pairs (top-1 among %d views; chance %.4f)\n",
          path, ck.step, vita_train_data_n_tracks (data, FALSE), vita_train_data_n_tracks (data, TRUE),
          batches, pairs, 2 * pairs - 1, 1.0 / (2 * pairs - 1));
  for (int split = 1; split >= 0; split--)
    {
      if (vita_train_data_n_tracks (data, split) == 0)
        continue;
      float lt, at, lr, ar;
      vita_train_evaluate (ck.vit, data, split, &po, pairs, batches, 777, &lt, &at);
      vita_train_evaluate (random, data, split, &po, pairs, batches, 777, &lr, &ar);
      printf ("%-9s trained: accuracy %.3f loss %.3f   random init: accuracy %.3f loss %.3f\n",
              split ? "held-out" : "training", at, lt, ar, lr);
    }
  if (loaded == NULL)
    vita_checkpoint_clear (&ck);
  return 0;
}

int
vita_cli_train (int argc, char **argv)
{
  g_autofree char *out = NULL, *config = NULL, *cache = NULL, *series = NULL, *eval_model = NULL;
  gint64 steps = 0, stop_after = 0;
  int pairs = G_MININT, threads = 1, ckpt_every = 50;   /* pairs: 64 unless --batch */
  gint64 seed = 1;
  gboolean resume = FALSE, augment = FALSE, evaluate = FALSE;
  int eval_batches = 8;
  double lr = 5e-4, gap_min = 4.2, gap_max = 8.0, val = 0.1, warmup = -1;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Checkpoint folder (required)", "CKPT_DIR" },
    { "config", 'c', 0, G_OPTION_ARG_STRING, &config, "Model configuration: tiny, small-4l (default), test", "NAME" },
    { "steps", 'n', 0, G_OPTION_ARG_INT64, &steps, "Length of the schedule in steps (2000; resuming: the checkpoint's)", "N" },
    { "stop-after", 0, 0, G_OPTION_ARG_INT64, &stop_after, "Stop (with a checkpoint) after N steps of this run", "N" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &pairs, "Positive pairs per step (64)", "B" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "BLAS threads (1)", "T" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Random seed (1)", "S" },
    { "resume", 'r', 0, G_OPTION_ARG_NONE, &resume, "Continue from the newest checkpoint in CKPT_DIR", NULL },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &lr, "Peak learning rate (5e-4)", "LR" },
    { "warmup", 0, 0, G_OPTION_ARG_DOUBLE, &warmup, "Warm-up steps (default: min(200, steps/10))", "N" },
    { "gap-min", 0, 0, G_OPTION_ARG_DOUBLE, &gap_min, "Least distance between the starts of the two views, s (4.2)", "S" },
    { "gap-max", 0, 0, G_OPTION_ARG_DOUBLE, &gap_max, "Largest distance, s (8.0)", "S" },
    { "augment", 0, 0, G_OPTION_ARG_NONE, &augment, "Random gain (±6 dB) and light noise per view", NULL },
    { "val-fraction", 0, 0, G_OPTION_ARG_DOUBLE, &val, "Tracks held out for validation (0.1)", "F" },
    { "checkpoint-every", 0, 0, G_OPTION_ARG_INT, &ckpt_every, "Checkpoint every N steps (50; also every 2 min)", "N" },
    { "cache", 0, 0, G_OPTION_ARG_FILENAME, &cache, "Log-mel cache folder (CKPT_DIR/mel-cache)", "DIR" },
    { "series", 0, 0, G_OPTION_ARG_STRING, &series,
      "Steps kept as complete model files in CKPT_DIR/series (0,1,2,5,10,20,50,…; 'none')", "LIST" },
    { "evaluate", 0, 0, G_OPTION_ARG_NONE, &evaluate,
      "Do not train: positive-pair retrieval of the newest checkpoint on the held-out tracks, against the same architecture at random initialisation", NULL },
    { "eval-batches", 0, 0, G_OPTION_ARG_INT, &eval_batches, "Batches of B pairs for --evaluate (8)", "N" },
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &eval_model,
      "With --evaluate: this model file instead of the newest checkpoint (same split of DIR)", "MODEL" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("DIR — train a ViT-1D with NT-Xent on a folder of audio");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 2;
    }
  /* --batch given or not: resuming with another batch is refused, not ignored */
  const gboolean pairs_given = pairs != G_MININT;
  if (!pairs_given)
    pairs = 64;
  if (argc != 2 || out == NULL)
    {
      fprintf (stderr, "Usage: vitascope-cli train DIR --out CKPT_DIR [--config tiny|small-4l|test] "
               "[--steps N] [--batch B] [--threads T] [--seed S] [--resume]\n");
      return 2;
    }

  if (evaluate)
    return evaluate_run (argv[0], argv[1], out, cache, eval_model, pairs, eval_batches, threads, val,
                         gap_min, gap_max);

  VitaTrainOptions opt;
  vita_train_options_init (&opt);
  opt.data_dir = g_strdup (argv[1]);
  opt.out_dir = g_strdup (out);
  opt.cache_dir = g_strdup (cache);
  if (config)
    {
      g_free (opt.config);
      opt.config = g_strdup (config);
    }
  opt.config_given = config != NULL;
  opt.steps = steps;
  opt.stop_after = stop_after;
  opt.pairs = pairs;
  opt.pairs_given = pairs_given;
  opt.threads = threads;
  opt.seed = (guint64) seed;
  opt.resume = resume;
  vita_schedule_init_default (&opt.schedule, steps > 0 ? steps : VITA_TRAIN_DEFAULT_STEPS);
  opt.schedule.lr = lr;
  if (warmup >= 0)
    opt.schedule.warmup_steps = (gint64) warmup;
  opt.pair.gap_min_s = gap_min;
  opt.pair.gap_max_s = gap_max;
  opt.pair.augment = augment;
  opt.val_fraction = val;
  opt.checkpoint_every = ckpt_every;
  opt.pause_on_save_error = FALSE;
  if (series && !vita_train_series_parse (series, &opt.series_steps, &opt.n_series_steps, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      vita_train_options_clear (&opt);
      return 2;
    }

  g_autoptr(VitaTrainer) trainer = vita_trainer_new (&opt, &error);
  vita_train_options_clear (&opt);
  if (trainer == NULL)
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 1;
    }
  CliProgress cp = { .tty = isatty (2) };
  vita_trainer_set_progress_func (trainer, on_progress, &cp);

  /* Ctrl-C / SIGTERM: finish the step, write a checkpoint, exit.  The signals are
   * blocked in every thread (the trainer inherits the mask) and taken synchronously
   * here with sigtimedwait, so no handler ever runs inside the trainer. */
  sigset_t set;
  sigemptyset (&set);
  sigaddset (&set, SIGINT);
  sigaddset (&set, SIGTERM);
  pthread_sigmask (SIG_BLOCK, &set, NULL);
  if (!vita_trainer_start (trainer, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 1;
    }
  while (vita_trainer_is_running (trainer))
    {
      struct timespec ts = { 0, 200 * 1000 * 1000 };
      int sig = sigtimedwait (&set, NULL, &ts);
      if (sig == SIGINT || sig == SIGTERM)
        {
          fprintf (stderr, "\nstopping after this step (a checkpoint is written)...\n");
          vita_trainer_stop (trainer);
        }
    }
  gboolean ok = vita_trainer_join (trainer, &error);
  if (!ok)
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 1;
    }
  fprintf (stderr, "trained to step %" G_GINT64_FORMAT "; checkpoints in %s\n",
           vita_trainer_get_step (trainer), out);
  return 0;
}

static int
compare_cstr_ptr (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* RUN/series/step-*.safetensors → OUT/step-*.safetensors (F16 with --f16), plus the
 * run's loss log, so a series can be bundled or shared without the optimiser state. */
static int
export_series (const char *prog, const char *run, const char *out, const char *train_data,
               gboolean f16, gboolean force)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sdir = g_build_filename (run, "series", NULL);
  g_autoptr(GDir) d = g_dir_open (sdir, 0, &error);
  if (d == NULL)
    {
      fprintf (stderr, "%s: %s has no checkpoint series: %s\n", prog, run, error->message);
      return 1;
    }
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (d)))
    if (g_str_has_prefix (name, "step-") && g_str_has_suffix (name, ".safetensors"))
      g_ptr_array_add (names, g_strdup (name));
  if (names->len == 0)
    {
      fprintf (stderr, "%s: %s holds no step-*.safetensors\n", prog, sdir);
      return 1;
    }
  g_ptr_array_sort (names, compare_cstr_ptr);
  if (g_mkdir_with_parents (out, 0755) != 0)
    {
      fprintf (stderr, "%s: cannot create %s: %s\n", prog, out, g_strerror (errno));
      return 1;
    }
  gsize total = 0;
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *src = g_build_filename (sdir, names->pdata[i], NULL);
      g_autofree char *dst = g_build_filename (out, names->pdata[i], NULL);
      if (!force && g_file_test (dst, G_FILE_TEST_EXISTS))
        {
          fprintf (stderr, "%s: %s exists (use --force to overwrite)\n", prog, dst);
          return 1;
        }
      g_autoptr(VitaVit) model = vita_vit_load (src, &error);
      if (model == NULL)
        {
          fprintf (stderr, "%s: %s\n", prog, error->message);
          return 1;
        }
      vita_model_strip_training_state (model);
      if (train_data)
        g_hash_table_insert (model->metadata, g_strdup ("train_data"), g_strdup (train_data));
      if (!(f16 ? vita_vit_save_f16 (model, dst, &error) : vita_vit_save (model, dst, &error)))
        {
          fprintf (stderr, "%s: %s\n", prog, error->message);
          return 1;
        }
      GStatBuf sb;
      if (g_stat (dst, &sb) == 0)
        total += sb.st_size;
    }
  g_autofree char *log_src = g_build_filename (run, "train-log.tsv", NULL);
  g_autofree char *log = NULL;
  gsize log_len = 0;
  if (g_file_get_contents (log_src, &log, &log_len, NULL))
    {
      g_autofree char *log_dst = g_build_filename (out, "train-log.tsv", NULL);
      if (!vita_file_write_atomic (log_dst, log, log_len, &error))
        {
          fprintf (stderr, "%s: %s\n", prog, error->message);
          return 1;
        }
      total += log_len;
    }
  fprintf (stderr, "wrote %u checkpoints%s to %s (%.1f MB%s)\n", names->len,
           log ? " and the loss log" : "", out, total / 1e6, f16 ? ", F16" : "");
  return 0;
}

int
vita_cli_export_model (int argc, char **argv)
{
  g_autofree char *train_data = NULL;
  gboolean force = FALSE, series = FALSE, f16 = FALSE;
  GOptionEntry entries[] = {
    { "train-data", 0, 0, G_OPTION_ARG_STRING, &train_data, "Replace the train_data description", "TEXT" },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Overwrite an existing MODEL", NULL },
    { "series", 0, 0, G_OPTION_ARG_NONE, &series,
      "CKPT is a run folder: copy its checkpoint series (RUN/series) and loss log into the folder MODEL", NULL },
    { "f16", 0, 0, G_OPTION_ARG_NONE, &f16, "Store the weights as F16 (half the size)", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("CKPT MODEL — write a model file without optimizer state\n"
                                                        "  or: --series RUN_DIR OUT_DIR — export a run's checkpoint series");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 2;
    }
  if (argc != 3)
    {
      fprintf (stderr, "Usage: vitascope-cli export-model CKPT MODEL (CKPT: a checkpoint file or a checkpoint folder)\n"
                       "       vitascope-cli export-model --series [--f16] RUN_DIR OUT_DIR\n");
      return 2;
    }
  const char *src = argv[1], *dst = argv[2];
  if (series)
    return export_series (argv[0], src, dst, train_data, f16, force);
  if (!force && g_file_test (dst, G_FILE_TEST_EXISTS))
    {
      fprintf (stderr, "%s: %s exists (use --force to overwrite)\n", argv[0], dst);
      return 1;
    }
  VitaCheckpoint ck = { 0 };
  gboolean ok = g_file_test (src, G_FILE_TEST_IS_DIR)
                  ? vita_checkpoint_load_newest (src, &ck, NULL, &error)
                  : vita_checkpoint_load (src, &ck, &error);
  if (!ok)
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 1;
    }
  g_autoptr(VitaVit) model = vita_checkpoint_export (&ck);
  vita_checkpoint_clear (&ck);
  if (train_data)
    g_hash_table_insert (model->metadata, g_strdup ("train_data"), g_strdup (train_data));
  if (!(f16 ? vita_vit_save_f16 (model, dst, &error) : vita_vit_save (model, dst, &error)))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 1;
    }
  fprintf (stderr, "wrote %s (%" G_GSIZE_FORMAT " parameters, trained_steps %s)\n", dst,
           model->num_params, (const char *) g_hash_table_lookup (model->metadata, "trained_steps"));
  return 0;
}
