/* test-trainer.c — the trainer's reliability (shared/design/reliability.md 16–20):
 * exact resume, the lock, SIGKILL at random moments, a corrupt newest checkpoint,
 * NaN, a failing save; and the data rules (unreadable files skipped, hold-out,
 * determinism, the mel cache). Synthetic WAV files, the "test" configuration. */
#include "vita-test.h"
#include "model/train/vita-train.h"

#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sndfile.h>

static char *data_dir;   /* shared by every test: 6 tracks + 1 broken file */
static int   n_threads = 1;  /* trainer worker threads */

static void
write_wav (const char *path, int track, double seconds)
{
  SF_INFO info = { .samplerate = 16000, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
  SNDFILE *f = sf_open (path, SFM_WRITE, &info);
  g_assert_nonnull (f);
  gsize n = (gsize) (seconds * 16000);
  g_autofree float *x = g_new (float, n);
  VitaRng rng;
  vita_rng_seed (&rng, 100 + track);
  double f0 = 110.0 * pow (2, track / 4.0);
  for (gsize i = 0; i < n; i++)
    {
      double t = i / 16000.0;
      /* a tone whose pitch steps every 0.5 s, with a click every 0.25 s */
      double fr = f0 * (1 + 0.25 * ((int) (t * 2) % 4));
      x[i] = 0.3 * sin (2 * G_PI * fr * t) + ((i % 4000) < 80 ? 0.4 * (vita_rng_uniform (&rng) - 0.5) : 0);
    }
  g_assert_cmpint (sf_writef_float (f, x, n), ==, (sf_count_t) n);
  sf_close (f);
}

static void
make_data (void)
{
  data_dir = g_dir_make_tmp ("vita-train-data-XXXXXX", NULL);
  g_autofree char *sub = g_build_filename (data_dir, "album", NULL);
  g_mkdir (sub, 0755);
  for (int i = 0; i < 6; i++)
    {
      g_autofree char *name = g_strdup_printf ("track%d.wav", i);
      g_autofree char *path = g_build_filename (i % 2 ? sub : data_dir, name, NULL);
      write_wav (path, i, 6.0 + i);
    }
  g_autofree char *bad = g_build_filename (data_dir, "broken.wav", NULL);
  g_assert_true (g_file_set_contents (bad, "RIFF....not audio", -1, NULL));
}

static void
rm_rf (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
      const char *name;
      while (d && (name = g_dir_read_name (d)))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          rm_rf (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
options (VitaTrainOptions *o, const char *out, gint64 steps)
{
  vita_train_options_init (o);
  o->data_dir = g_strdup (data_dir);
  o->out_dir = g_strdup (out);
  g_free (o->config);
  o->config = g_strdup ("test");
  o->pairs = 4;
  o->steps = steps;
  o->seed = 5;
  o->threads = n_threads;
  o->resume = TRUE;
  vita_schedule_init_default (&o->schedule, steps);
  o->schedule.lr = 1e-3f;
  o->pair.gap_min_s = 0.5;
  o->pair.gap_max_s = 1.5;
  o->pair.augment = TRUE;   /* exercises the augmentation RNG in the resume test */
  o->val_fraction = 0.2;
  o->checkpoint_every = 2;
  o->checkpoint_seconds = 0;
}

static gboolean
train (const char *out, gint64 steps, gint64 stop_after, GError **error)
{
  VitaTrainOptions o;
  options (&o, out, steps);
  o.stop_after = stop_after;
  VitaTrainer *t = vita_trainer_new (&o, error);
  vita_train_options_clear (&o);
  if (t == NULL)
    return FALSE;
  gboolean ok = vita_trainer_run (t, error);
  vita_trainer_free (t);
  return ok;
}

static void
test_data_rules (void)
{
  VitaVitConfig cfg;
  g_assert_true (vita_vit_config_init_preset (&cfg, "test", NULL));
  g_autoptr(GError) error = NULL;
  g_autofree char *cache = g_dir_make_tmp ("vita-mel-cache-XXXXXX", NULL);
  /* broken.wav is skipped with a warning, never an error */
  g_autoptr(VitaTrainData) d = vita_train_data_new (data_dir, cache, &cfg.fe, cfg.frames, 0.2,
                                                    NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vita_train_data_n_tracks (d, FALSE) + vita_train_data_n_tracks (d, TRUE), ==, 6);
  g_assert_cmpuint (vita_train_data_n_tracks (d, TRUE), >=, 1);
  g_assert_cmpuint (vita_train_data_n_tracks (d, FALSE), >=, 4);
  /* the second scan reads the cache and gives the same data */
  g_autoptr(VitaTrainData) d2 = vita_train_data_new (data_dir, cache, &cfg.fe, cfg.frames, 0.2,
                                                     NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vita_train_data_fingerprint (d), ==, vita_train_data_fingerprint (d2));
  float m1, s1, m2, s2;
  vita_train_data_stats (d, &m1, &s1);
  vita_train_data_stats (d2, &m2, &s2);
  g_assert_cmpfloat (m1, ==, m2);
  g_assert_cmpfloat (s1, ==, s2);
  /* pairs are deterministic given the seed, and the views differ */
  cfg.fe.input_mean = m1;
  cfg.fe.input_std = s1;
  VitaPairOptions po;
  vita_pair_options_init (&po);
  po.gap_min_s = 0.5;
  po.gap_max_s = 1.5;
  gsize n = 2 * 4 * cfg.frames * cfg.fe.n_mels;
  g_autofree float *a = g_new (float, n);
  g_autofree float *b = g_new (float, n);
  VitaPairCursor c1, c2;
  vita_pair_cursor_init (&c1, d, 9);
  vita_pair_cursor_init (&c2, d2, 9);
  vita_train_data_batch (d, &c1, &po, &cfg.fe, cfg.frames, 4, FALSE, a);
  vita_train_data_batch (d2, &c2, &po, &cfg.fe, cfg.frames, 4, FALSE, b);
  g_assert_cmpmem (a, n * sizeof (float), b, n * sizeof (float));
  g_assert_true (memcmp (a, a + n / 2, n / 2 * sizeof (float)) != 0);
  /* the cursor round-trips through its string */
  g_autofree char *s = vita_pair_cursor_to_string (&c1);
  VitaPairCursor c3 = { 0 };
  g_assert_true (vita_pair_cursor_from_string (&c3, d, s));
  vita_train_data_batch (d, &c1, &po, &cfg.fe, cfg.frames, 4, FALSE, a);
  vita_train_data_batch (d, &c3, &po, &cfg.fe, cfg.frames, 4, FALSE, b);
  g_assert_cmpmem (a, n * sizeof (float), b, n * sizeof (float));
  g_assert_false (vita_pair_cursor_from_string (&c3, d, "garbage"));
  vita_pair_cursor_clear (&c1);
  vita_pair_cursor_clear (&c2);
  vita_pair_cursor_clear (&c3);
  /* a touched file invalidates its cache entry (mtime is part of the key) */
  guint before = 0, after = 0;
  {
    g_autoptr(GDir) dir = g_dir_open (cache, 0, NULL);
    while (g_dir_read_name (dir))
      before++;
  }
  g_autofree char *t0 = g_build_filename (data_dir, "track0.wav", NULL);
  g_usleep (20000);
  write_wav (t0, 0, 6.0);
  g_autoptr(VitaTrainData) d3 = vita_train_data_new (data_dir, cache, &cfg.fe, cfg.frames, 0.2,
                                                     NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GDir) dir = g_dir_open (cache, 0, NULL);
    while (g_dir_read_name (dir))
      after++;
  }
  g_assert_cmpuint (after, ==, before + 1);
  rm_rf (cache);
}

static void
assert_same_checkpoint (const char *dir_a, const char *dir_b)
{
  VitaCheckpoint a, b;
  g_autoptr(GError) error = NULL;
  g_assert_true (vita_checkpoint_load_newest (dir_a, &a, NULL, &error));
  g_assert_true (vita_checkpoint_load_newest (dir_b, &b, NULL, &error));
  g_assert_cmpint (a.step, ==, b.step);
  gsize n = a.vit->num_params;
  /* bit-identical: same operations in the same order */
  g_assert_cmpmem (a.vit->memory, n * 4, b.vit->memory, n * 4);
  g_assert_cmpmem (a.m, n * 4, b.m, n * 4);
  g_assert_cmpmem (a.v, n * 4, b.v, n * 4);
  g_assert_cmpstr (g_hash_table_lookup (a.metadata, "data_cursor"), ==,
                   g_hash_table_lookup (b.metadata, "data_cursor"));
  vita_checkpoint_clear (&a);
  vita_checkpoint_clear (&b);
}

/* The checkpoint series: steps 0, 1, 2, 5, 10 as complete model files whose
 * trained_steps is their step, identical whether the run was resumed or not; and the
 * loss log has one line per step. */
static void
assert_same_series (const char *a, const char *b, gint64 steps)
{
  const gint64 want[] = { 0, 1, 2, 5, 10 };
  g_autoptr(GError) error = NULL;
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      g_autofree char *name = g_strdup_printf ("step-%08" G_GINT64_FORMAT ".safetensors", want[i]);
      g_autofree char *pa = g_build_filename (a, "series", name, NULL);
      g_autofree char *pb = g_build_filename (b, "series", name, NULL);
      g_autoptr(VitaVit) va = vita_vit_load (pa, &error);
      g_assert_no_error (error);
      g_autoptr(VitaVit) vb = vita_vit_load (pb, &error);
      g_assert_no_error (error);
      g_autofree char *st = g_strdup_printf ("%" G_GINT64_FORMAT, want[i]);
      g_assert_cmpstr (g_hash_table_lookup (va->metadata, "trained_steps"), ==, st);
      g_assert_cmpmem (va->memory, va->num_params * 4, vb->memory, vb->num_params * 4);
    }
  g_autofree char *extra = g_build_filename (a, "series", "step-00000003.safetensors", NULL);
  g_assert_false (g_file_test (extra, G_FILE_TEST_EXISTS));
  for (int k = 0; k < 2; k++)
    {
      g_autofree char *log = g_build_filename (k ? b : a, "train-log.tsv", NULL);
      g_autofree char *text = NULL;
      g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
      g_auto(GStrv) lines = g_strsplit (g_strchomp (text), "\n", -1);
      g_assert_cmpuint (g_strv_length (lines), ==, steps + 1);
      g_assert_true (g_str_has_prefix (lines[0], "step\tloss"));
      g_assert_true (g_str_has_prefix (lines[steps], "12\t"));
    }
}

static void
test_resume_exact (gconstpointer data)
{
  n_threads = GPOINTER_TO_INT (data);
  g_autofree char *straight = g_dir_make_tmp ("vita-train-a-XXXXXX", NULL);
  g_autofree char *halves = g_dir_make_tmp ("vita-train-b-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  g_assert_true (train (straight, 12, 0, &error));
  g_assert_no_error (error);
  g_assert_true (train (halves, 12, 5, &error));   /* stops at 5: odd, between checkpoints */
  g_assert_no_error (error);
  VitaCheckpoint ck;
  g_assert_true (vita_checkpoint_load_newest (halves, &ck, NULL, &error));
  g_assert_cmpint (ck.step, ==, 5);
  vita_checkpoint_clear (&ck);
  g_assert_true (train (halves, 12, 0, &error));
  g_assert_no_error (error);
  assert_same_checkpoint (straight, halves);
  assert_same_series (straight, halves, 12);

  /* the export strips the optimizer state and keeps the provenance */
  g_assert_true (vita_checkpoint_load_newest (straight, &ck, NULL, &error));
  g_autoptr(VitaVit) model = vita_checkpoint_export (&ck);
  g_assert_cmpstr (g_hash_table_lookup (model->metadata, "trained_steps"), ==, "12");
  g_assert_cmpstr (g_hash_table_lookup (model->metadata, "trained_pairs"), ==, "48");
  g_assert_nonnull (g_hash_table_lookup (model->metadata, "train_data"));
  g_assert_nonnull (g_hash_table_lookup (model->metadata, "created_by"));
  g_assert_null (g_hash_table_lookup (model->metadata, "data_cursor"));
  g_autofree char *mpath = g_build_filename (straight, "model.safetensors", NULL);
  g_assert_true (vita_vit_save (model, mpath, &error));
  g_autoptr(VitaSafetensors) st = vita_safetensors_load (mpath, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < vita_safetensors_n_tensors (st); i++)
    g_assert_false (g_str_has_prefix (vita_safetensors_tensor_at (st, i)->name, "adam."));
  g_autoptr(VitaVit) back = vita_vit_load (mpath, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (back->memory, back->num_params * 4, ck.vit->memory, ck.vit->num_params * 4);
  vita_checkpoint_clear (&ck);

  /* without --resume an existing run is not overwritten */
  VitaTrainOptions o;
  options (&o, straight, 12);
  o.resume = FALSE;
  VitaTrainer *t = vita_trainer_new (&o, &error);
  vita_train_options_clear (&o);
  g_assert_null (t);
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY);
  rm_rf (straight);
  rm_rf (halves);
  n_threads = 1;
}

static void
test_lock (void)
{
  g_autofree char *out = g_dir_make_tmp ("vita-train-lock-XXXXXX", NULL);
  VitaTrainOptions o;
  options (&o, out, 4);
  g_autoptr(GError) error = NULL;
  VitaTrainer *first = vita_trainer_new (&o, &error);
  g_assert_no_error (error);
  VitaTrainer *second = vita_trainer_new (&o, &error);
  g_assert_null (second);
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY);
  g_test_message ("second trainer: %s", error->message);
  g_clear_error (&error);
  /* another process is refused too (flock is per open file description) */
  pid_t pid = fork ();
  if (pid == 0)
    {
      GError *e = NULL;
      VitaTrainer *t = vita_trainer_new (&o, &e);
      _exit (t == NULL && g_error_matches (e, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY) ? 0 : 1);
    }
  int status;
  waitpid (pid, &status, 0);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  vita_trainer_free (first);
  /* released: a new trainer may start */
  VitaTrainer *third = vita_trainer_new (&o, &error);
  g_assert_no_error (error);
  vita_trainer_free (third);
  vita_train_options_clear (&o);
  rm_rf (out);
}

static void
test_corrupt_newest (void)
{
  g_autofree char *out = g_dir_make_tmp ("vita-train-corrupt-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  g_assert_true (train (out, 4, 0, &error));
  VitaCheckpoint ck;
  g_autofree char *newest = NULL;
  g_assert_true (vita_checkpoint_load_newest (out, &ck, &newest, &error));
  g_assert_cmpint (ck.step, ==, 4);
  vita_checkpoint_clear (&ck);
  /* flip one bit in the middle of the tensor data */
  gsize len;
  g_autofree char *bytes = NULL;
  g_assert_true (g_file_get_contents (newest, &bytes, &len, NULL));
  bytes[len - len / 3] ^= 0x10;
  g_assert_true (g_file_set_contents (newest, bytes, len, NULL));
  g_assert_false (vita_checkpoint_load (newest, &ck, &error));
  g_test_message ("bit flip: %s", error->message);
  g_clear_error (&error);
  g_assert_true (vita_checkpoint_load_newest (out, &ck, NULL, &error));
  g_assert_cmpint (ck.step, ==, 2);
  vita_checkpoint_clear (&ck);
  /* truncate it instead */
  g_assert_true (g_file_set_contents (newest, bytes, len / 2, NULL));
  g_assert_true (vita_checkpoint_load_newest (out, &ck, NULL, &error));
  g_assert_cmpint (ck.step, ==, 2);
  vita_checkpoint_clear (&ck);
  /* resuming continues from the good one */
  g_assert_true (train (out, 6, 0, &error));
  g_assert_no_error (error);
  g_assert_true (vita_checkpoint_load_newest (out, &ck, NULL, &error));
  g_assert_cmpint (ck.step, ==, 6);
  vita_checkpoint_clear (&ck);
  rm_rf (out);
}

static void
test_nan_stops (void)
{
  g_autofree char *out = g_dir_make_tmp ("vita-train-nan-XXXXXX", NULL);
  VitaTrainOptions o;
  options (&o, out, 50);
  o.schedule.lr = 1e30f;   /* the weights blow up, then the loss is not finite */
  o.schedule.warmup_steps = 1;
  o.schedule.clip_norm = 0;
  o.checkpoint_every = 1;
  g_autoptr(GError) error = NULL;
  VitaTrainer *t = vita_trainer_new (&o, &error);
  vita_train_options_clear (&o);
  g_assert_no_error (error);
  g_assert_false (vita_trainer_run (t, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_NONFINITE);
  g_test_message ("%s", error->message);
  gint64 stopped = vita_trainer_get_step (t);
  g_assert_cmpint (stopped, <, 50);
  vita_trainer_free (t);
  VitaCheckpoint ck;
  g_clear_error (&error);
  g_assert_true (vita_checkpoint_load_newest (out, &ck, NULL, &error));
  g_assert_cmpint (ck.step, ==, stopped);
  for (gsize i = 0; i < ck.vit->num_params; i++)
    g_assert_true (isfinite (ck.vit->memory[i]));
  vita_checkpoint_clear (&ck);
  rm_rf (out);
}

static void
test_save_failure_keeps_previous (void)
{
  g_autofree char *out = g_dir_make_tmp ("vita-train-full-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  g_assert_true (train (out, 4, 2, &error));  /* checkpoint at step 2 */
  /* the next checkpoint's name is taken by a non-empty folder: rename() fails as it
   * would on a full disk or a read-only folder (tests run as root, so chmod cannot) */
  g_autofree char *blocker = g_build_filename (out, "checkpoint-000000004.safetensors", NULL);
  g_autofree char *inside = g_build_filename (blocker, "x", NULL);
  g_mkdir (blocker, 0755);
  g_assert_true (g_file_set_contents (inside, "x", 1, NULL));
  g_assert_false (train (out, 8, 0, &error));
  g_assert_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_IO);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  VitaCheckpoint ck;
  g_assert_true (vita_checkpoint_load_newest (out, &ck, NULL, &error));
  g_assert_cmpint (ck.step, ==, 2);
  vita_checkpoint_clear (&ck);
  /* no temporary file is left behind */
  g_autoptr(GDir) d = g_dir_open (out, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name (d)))
    g_assert_null (strstr (name, ".tmp"));
  rm_rf (out);
}

static void
test_sigkill (void)
{
  g_autofree char *out = g_dir_make_tmp ("vita-train-kill-XXXXXX", NULL);
  VitaRng rng;
  vita_rng_seed (&rng, 42);
  gint64 last_step = -1;
  int loaded = 0;
  for (int round = 0; round < 25; round++)
    {
      pid_t pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          VitaTrainOptions o;
          options (&o, out, 100000);
          o.checkpoint_every = 1;
          VitaTrainer *t = vita_trainer_new (&o, NULL);
          if (t)
            vita_trainer_run (t, NULL);
          _exit (0);
        }
      g_usleep (20000 + vita_rng_below (&rng, 400000));
      kill (pid, SIGKILL);
      int status;
      waitpid (pid, &status, 0);
      VitaCheckpoint ck;
      g_autoptr(GError) error = NULL;
      if (vita_checkpoint_load_newest (out, &ck, NULL, &error))
        {
          g_assert_cmpint (ck.step, >=, last_step);
          last_step = ck.step;
          loaded++;
          vita_checkpoint_clear (&ck);
        }
      else
        /* only acceptable before the very first checkpoint was ever written */
        g_assert_cmpint (last_step, ==, -1);
    }
  g_test_message ("25 kills: newest checkpoint loaded %d times, reached step %" G_GINT64_FORMAT,
                  loaded, last_step);
  g_assert_cmpint (last_step, >, 0);
  rm_rf (out);
}

typedef struct {
  GMutex lock;
  gint64 last_step;
  int progress_calls;
  int snapshots;
  gboolean paused_seen;
  gboolean finished_seen;
  GThread *trainer_thread;
  gboolean wrong_thread;
} ThreadProbe;

static void
probe_progress (const VitaTrainProgress *p, gpointer user_data)
{
  ThreadProbe *tp = user_data;
  g_mutex_lock (&tp->lock);
  if (tp->trainer_thread == NULL)
    tp->trainer_thread = g_thread_self ();
  tp->wrong_thread |= tp->trainer_thread != g_thread_self ();
  tp->progress_calls++;
  if (p->phase == VITA_TRAIN_RUNNING)
    {
      g_assert_cmpint (p->step, >, tp->last_step);
      g_assert_true (isfinite (p->loss) && p->accuracy >= 0 && p->accuracy <= 1);
      g_assert_cmpfloat (p->lr, >, 0);
      tp->last_step = p->step;
    }
  tp->paused_seen |= p->phase == VITA_TRAIN_PAUSED;
  tp->finished_seen |= p->phase == VITA_TRAIN_FINISHED;
  g_mutex_unlock (&tp->lock);
}

static void
probe_snapshot (VitaVit *snapshot, gint64 step, gpointer user_data)
{
  ThreadProbe *tp = user_data;
  g_assert_cmpint (step % 3, ==, 0);
  g_assert_cmpstr (g_hash_table_lookup (snapshot->metadata, "trained_steps"), !=, NULL);
  /* a snapshot is an independent model the GUI can analyse with */
  g_autoptr(VitaVitState) st = vita_vit_state_new (&snapshot->cfg, 1, FALSE);
  g_autofree float *x = g_new0 (float, snapshot->cfg.frames * snapshot->cfg.fe.n_mels);
  vita_vit_forward (snapshot, st, x, 1);
  g_mutex_lock (&tp->lock);
  tp->snapshots++;
  g_mutex_unlock (&tp->lock);
  vita_vit_unref (snapshot);
}

/* The API a GUI drives: start on a thread, pause, resume, stop, callbacks. */
static void
test_thread_api (void)
{
  g_autofree char *out = g_dir_make_tmp ("vita-train-thread-XXXXXX", NULL);
  VitaTrainOptions o;
  options (&o, out, 1000000);
  o.snapshot_every = 3;
  o.checkpoint_every = 0;
  g_autoptr(GError) error = NULL;
  VitaTrainer *t = vita_trainer_new (&o, &error);
  vita_train_options_clear (&o);
  g_assert_no_error (error);
  ThreadProbe tp = { .last_step = 0 };
  g_mutex_init (&tp.lock);
  vita_trainer_set_progress_func (t, probe_progress, &tp);
  vita_trainer_set_snapshot_func (t, probe_snapshot, &tp);
  g_assert_true (vita_trainer_start (t, &error));
  while (vita_trainer_get_step (t) < 7)
    g_usleep (2000);
  vita_trainer_pause (t);
  g_usleep (50000);
  gint64 paused_at = vita_trainer_get_step (t);
  g_usleep (100000);
  g_assert_cmpint (vita_trainer_get_step (t), ==, paused_at);  /* really paused */
  g_autoptr(VitaVit) copy = vita_trainer_dup_model (t);
  g_assert_nonnull (copy);
  vita_trainer_resume (t);
  while (vita_trainer_get_step (t) < paused_at + 4)
    g_usleep (2000);
  g_assert_true (vita_trainer_is_running (t));
  vita_trainer_stop (t);
  g_assert_true (vita_trainer_join (t, &error));
  g_assert_no_error (error);
  g_assert_false (vita_trainer_is_running (t));
  gint64 final = vita_trainer_get_step (t);
  vita_trainer_free (t);
  g_assert_true (tp.paused_seen);
  g_assert_true (tp.finished_seen);
  g_assert_false (tp.wrong_thread);
  g_assert_cmpint (tp.snapshots, >=, 3);
  g_assert_cmpint (tp.last_step, ==, final);
  /* stopping wrote a checkpoint at the step it stopped */
  VitaCheckpoint ck;
  g_assert_true (vita_checkpoint_load_newest (out, &ck, NULL, &error));
  g_assert_cmpint (ck.step, ==, final);
  vita_checkpoint_clear (&ck);
  g_mutex_clear (&tp.lock);
  rm_rf (out);
}


/* ---- issue 15.5 and 15.10: the folder walk ------------------------------------ */

static guint n_warnings;

static GLogWriterOutput
count_warnings (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  if (level & G_LOG_LEVEL_WARNING)
    n_warnings++;
  return g_log_writer_default (level, fields, n_fields, data);
}

static void
on_alarm (int sig)
{
  static const char msg[] = "the folder walk did not end (symlink loop)\n";
  if (write (2, msg, sizeof msg - 1) < 0)
    _exit (3);
  _exit (2);
}

static void
test_data_symlinks (void)
{
  /* two self-referencing links (0.1: a walk to depth 32 through ~2^32 paths), a link
   * to the parent, and a track linked twice (0.1: counted 33 times, in both splits) */
  g_autofree char *dir = g_dir_make_tmp ("vita-train-links-XXXXXX", NULL);
  g_autofree char *sub = g_build_filename (dir, "album", NULL);
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  g_autofree char *t0 = g_build_filename (dir, "track0.wav", NULL);
  g_autofree char *t1 = g_build_filename (sub, "track1.wav", NULL);
  write_wav (t0, 0, 6.0);
  write_wav (t1, 1, 6.0);
  const char *links[][2] = {
    { ".", "loop1" }, { ".", "loop2" }, { "..", "album/up" }, { "track0.wav", "album/again.wav" },
    { "../track0.wav", "album/third.wav" }, { "album", "album-link" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (links); i++)
    {
      g_autofree char *p = g_build_filename (dir, links[i][1], NULL);
      g_assert_cmpint (symlink (links[i][0], p), ==, 0);
    }
  signal (SIGALRM, on_alarm);
  alarm (60);
  guint skipped = 0;
  g_autofree char *first = NULL;
  g_autoptr(GPtrArray) paths = vita_train_scan_folder (dir, &skipped, &first);
  g_assert_cmpuint (paths->len, ==, 2);
  g_assert_cmpuint (skipped, >=, 4);
  g_assert_nonnull (first);
  VitaVitConfig cfg;
  g_assert_true (vita_vit_config_init_preset (&cfg, "test", NULL));
  g_autoptr(GError) error = NULL;
  guint w0 = n_warnings;
  g_autoptr(VitaTrainData) d = vita_train_data_new (dir, NULL, &cfg.fe, cfg.frames, 0.2,
                                                    NULL, NULL, NULL, &error);
  alarm (0);
  g_assert_no_error (error);
  g_assert_cmpuint (vita_train_data_n_tracks (d, FALSE) + vita_train_data_n_tracks (d, TRUE), ==, 2);
  g_assert_cmpuint (n_warnings - w0, ==, 1);   /* one line about the links */
  rm_rf (dir);
}

static void
test_data_short_files_summarised (void)
{
  /* 40 files shorter than one window: a few named, then one summary line */
  g_autofree char *dir = g_dir_make_tmp ("vita-train-short-XXXXXX", NULL);
  for (int i = 0; i < 40; i++)
    {
      g_autofree char *name = g_strdup_printf ("short%02d.wav", i);
      g_autofree char *p = g_build_filename (dir, name, NULL);
      write_wav (p, i, 0.05);
    }
  g_autofree char *t0 = g_build_filename (dir, "track0.wav", NULL);
  write_wav (t0, 0, 6.0);
  VitaVitConfig cfg;
  g_assert_true (vita_vit_config_init_preset (&cfg, "test", NULL));
  g_autoptr(GError) error = NULL;
  guint w0 = n_warnings;
  g_autoptr(VitaTrainData) d = vita_train_data_new (dir, NULL, &cfg.fe, cfg.frames, 0.0,
                                                    NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vita_train_data_n_tracks (d, FALSE), ==, 1);
  g_assert_cmpuint (n_warnings - w0, <=, 4);
  rm_rf (dir);
}


/* ---- issue 15.10: train --resume refuses settings that would change the run ---- */

static gboolean
train_with (const char *out, gint64 steps, const char *config, int pairs, GError **error)
{
  VitaTrainOptions o;
  options (&o, out, steps);
  if (config)
    {
      g_free (o.config);
      o.config = g_strdup (config);
      o.config_given = TRUE;
    }
  if (pairs)
    {
      o.pairs = pairs;
      o.pairs_given = TRUE;
    }
  VitaTrainer *t = vita_trainer_new (&o, error);
  vita_train_options_clear (&o);
  if (t == NULL)
    return FALSE;
  gboolean ok = vita_trainer_run (t, error);
  vita_trainer_free (t);
  return ok;
}

static void
test_resume_settings (void)
{
  n_threads = 1;
  g_autofree char *out = g_dir_make_tmp ("vita-train-r-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  g_assert_true (train (out, 8, 4, &error));
  g_assert_no_error (error);
  struct { const char *config; int pairs; gint64 steps; const char *want; } cases[] = {
    { "small-4l", 0, 8, "--config" },
    { NULL, 8, 8, "--batch" },
    { NULL, 0, 3, "--steps" },
    { NULL, 0, 4, "--steps" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_clear_error (&error);
      g_assert_false (train_with (out, cases[i].steps, cases[i].config, cases[i].pairs, &error));
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].want));
      g_assert_nonnull (strstr (error->message, "Cannot resume"));
    }
  /* the same settings, given explicitly, continue the run */
  g_clear_error (&error);
  g_assert_true (train_with (out, 8, "test", 4, &error));
  g_assert_no_error (error);
  VitaCheckpoint ck;
  g_assert_true (vita_checkpoint_load_newest (out, &ck, NULL, &error));
  g_assert_cmpint (ck.step, ==, 8);
  vita_checkpoint_clear (&ck);
  rm_rf (out);
}


/* issue 15.2: a batch whose activations would need absurd memory is refused with the
 * figure before anything is allocated (0.1: g_aligned_alloc0 aborted) */
static void
test_batch_memory (void)
{
  n_threads = 1;
  g_autofree char *out = g_dir_make_tmp ("vita-train-m-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  g_assert_false (train_with (out, 4, "tiny", 4096, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "--batch 4096"));
  g_assert_nonnull (strstr (error->message, "GiB"));
  rm_rf (out);
}

/* One listing of checkpoints, by the step's value: the trainer (resume, pruning)
 * and the training window (Resume) agree on which is the newest. */
static void
test_checkpoint_list (void)
{
  g_autofree char *dir = g_dir_make_tmp ("vita-ckpt-XXXXXX", NULL);
  const char *names[] = { "checkpoint-000000012.safetensors", "checkpoint-7.safetensors",
                          "checkpoint-x.safetensors", "checkpoint-5.safetensors.tmp-ab12",
                          "checkpoint-.safetensors", "step-1.safetensors",
                          "checkpoint-000000003.safetensors" };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *p = g_build_filename (dir, names[i], NULL);
      g_assert_true (g_file_set_contents (p, "", 0, NULL));
    }
  g_autoptr(GPtrArray) list = vita_checkpoint_list (dir);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpint (vita_checkpoint_step_of (list->pdata[0]), ==, 12);
  g_assert_cmpint (vita_checkpoint_step_of (list->pdata[1]), ==, 7);
  g_assert_cmpint (vita_checkpoint_step_of (list->pdata[2]), ==, 3);
  g_assert_cmpint (vita_checkpoint_step_of ("checkpoint-x.safetensors"), ==, -1);
  g_autoptr(GPtrArray) none = vita_checkpoint_list (NULL);
  g_assert_cmpuint (none->len, ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *p = g_build_filename (dir, names[i], NULL);
      g_unlink (p);
    }
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* the trainer reports skipped files and checkpoints with g_warning: expected here */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_log_set_writer_func (count_warnings, NULL, NULL);
  make_data ();
  g_test_add_func ("/train/data/rules", test_data_rules);
  g_test_add_func ("/train/data/symlinks", test_data_symlinks);
  g_test_add_func ("/train/data/short-files-summarised", test_data_short_files_summarised);
  g_test_add_data_func ("/train/trainer/resume-exact", GINT_TO_POINTER (1), test_resume_exact);
  g_test_add_data_func ("/train/trainer/resume-exact-2-threads", GINT_TO_POINTER (2), test_resume_exact);
  g_test_add_func ("/train/trainer/lock", test_lock);
  g_test_add_func ("/train/trainer/resume-settings", test_resume_settings);
  g_test_add_func ("/train/trainer/batch-memory", test_batch_memory);
  g_test_add_func ("/train/checkpoint-list", test_checkpoint_list);
  g_test_add_func ("/train/trainer/corrupt-newest", test_corrupt_newest);
  g_test_add_func ("/train/trainer/nan-stops", test_nan_stops);
  g_test_add_func ("/train/trainer/save-failure", test_save_failure_keeps_previous);
  g_test_add_func ("/train/trainer/thread-api", test_thread_api);
  g_test_add_func ("/train/trainer/sigkill", test_sigkill);
  int ret = g_test_run ();
  rm_rf (data_dir);
  g_free (data_dir);
  return ret;
}
