/* test-app-training.c — "Train a Model": training runs on its thread with the "test"
 * preset on a folder of WAVs, progress and curves arrive, snapshots replace the main
 * window's model ("training run, step N"), stop writes a checkpoint, a new start
 * resumes from it (the step continues), errors (lock held, unreadable folder) become
 * toasts, and closing the window mid-training stops and joins the trainer. */
#include "test-app-harness.h"
#include "vita-training-window.h"

#include <glib/gstdio.h>
#include <string.h>

#include "model/train/vita-train.h"

typedef struct {
  char       *dir;
  char       *music;
  char       *out;
  VitaWindow *window;
  VitaTrainingWindow *training;
} Fixture;

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  fx->dir = vita_gui_test_tmpdir ();
  fx->music = g_build_filename (fx->dir, "music", NULL);
  fx->out = g_build_filename (fx->dir, "run", NULL);
  g_assert_cmpint (g_mkdir (fx->music, 0755), ==, 0);
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("track%d.wav", i);
      g_free (vita_gui_test_write_wav (fx->music, name, 14.0 + 3 * i, 16000));
    }
  fx->window = vita_gui_test_window ();
  gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.train-model", NULL);
  fx->training = VITA_TRAINING_WINDOW (vita_window_get_training_window (fx->window));
  g_assert_nonnull (fx->training);
  vita_training_window_set_data_dir (fx->training, fx->music);
  vita_training_window_set_out_dir (fx->training, fx->out);
  vita_training_window_set_config (fx->training, "test");
  vita_training_window_set_steps (fx->training, 100000);
  vita_training_window_set_batch (fx->training, 4);
  vita_training_window_set_snapshot_every (fx->training, 5);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  if (fx->window != NULL)
    vita_gui_test_close (fx->window);
  remove_tree (fx->dir);
  g_free (fx->dir);
  g_free (fx->music);
  g_free (fx->out);
}

typedef struct { VitaTrainingWindow *w; gint64 step; } StepCond;

static gboolean
reached_step (gpointer data)
{
  StepCond *c = data;
  return vita_training_window_get_step (c->w) >= c->step && vita_training_window_get_n_points (c->w) > 0;
}

static gboolean
has_snapshot (gpointer data)
{
  Fixture *fx = data;
  return vita_training_window_get_n_snapshots (fx->training) >= 2 &&
         vita_window_get_model_label (fx->window) != NULL;
}

static gboolean
not_running (gpointer data)
{
  return !vita_training_window_is_running (data);
}

static gboolean
main_idle (gpointer data)
{
  return !vita_window_is_busy (data);
}

static void
screenshot (GtkWidget *w, const char *name)
{
  int ww = gtk_widget_get_width (w), wh = gtk_widget_get_height (w);
  g_assert_cmpint (ww, >, 100);
  GdkPaintable *paintable = gtk_widget_paintable_new (w);
  GskRenderNode *node = NULL;
  /* the widget's last frame: wait for one to exist */
  for (int i = 0; i < 100 && node == NULL; i++)
    {
      gtk_widget_queue_draw (w);
      vita_gui_test_run_for (20);
      GtkSnapshot *snap = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, snap, ww, wh);
      node = gtk_snapshot_free_to_node (snap);
    }
  g_assert_nonnull (node);
  cairo_surface_t *shot = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, ww, wh);
  cairo_t *cr = cairo_create (shot);
  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  const char *dir = g_getenv ("VITA_VIEWS_PNG_DIR");
  if (dir)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_assert_cmpint (cairo_surface_write_to_png (shot, path), ==, CAIRO_STATUS_SUCCESS);
    }
  cairo_surface_destroy (shot);
  gsk_render_node_unref (node);
  g_object_unref (paintable);
}

static void
test_train_resume_close (Fixture *fx, gconstpointer data)
{
  /* audio in the main window: snapshots re-analyse it */
  g_autofree char *wav = g_build_filename (fx->music, "track0.wav", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (wav);
  vita_window_open_audio (fx->window, file);

  g_assert_cmpint (vita_training_window_get_resume_step (fx->training), ==, -1);
  g_assert_true (vita_training_window_start (fx->training));
  g_assert_true (vita_training_window_is_running (fx->training));

  StepCond c = { fx->training, 12 };
  g_assert_true (vita_gui_test_wait (reached_step, &c, 120000));
  g_assert_cmpuint (vita_training_window_get_n_points (fx->training), >=, 2);
  g_assert_true (vita_gui_test_wait (has_snapshot, fx, 60000));
  const char *label = vita_window_get_model_label (fx->window);
  g_assert_true (g_str_has_prefix (label, "training run, step ") || strstr (label, "step") != NULL ||
                 strstr (label, "étape") != NULL);
  /* the main window re-analyses with the snapshot and finishes */
  g_assert_true (vita_gui_test_wait (main_idle, fx->window, 60000));

  /* pause: once the trainer says it has paused (it first finishes the step it is in and
   * what that step saves: at step 100 a checkpoint of the series, which took over 600 ms
   * under ASan in CI), the step stops moving */
  vita_training_window_pause (fx->training, TRUE);
  g_assert_true (vita_gui_test_wait ((gboolean (*) (gpointer)) vita_training_window_is_paused_reported,
                                     fx->training, 60000));
  gint64 paused_at = vita_training_window_get_step (fx->training);
  vita_gui_test_run_for (600);
  g_assert_cmpint (vita_training_window_get_step (fx->training), ==, paused_at);
  /* paused: the figures stay, no ETA */
  g_test_message ("paused: %s", vita_training_window_get_status (fx->training));
  g_assert_nonnull (strstr (vita_training_window_get_status (fx->training), "loss "));
  g_assert_null (strstr (vita_training_window_get_status (fx->training), "ETA"));
  vita_training_window_pause (fx->training, FALSE);
  c.step = paused_at + 3;
  gboolean ok = vita_gui_test_wait (reached_step, &c, 60000);
  if (!ok)
    g_printerr ("paused at %" G_GINT64_FORMAT ", now %" G_GINT64_FORMAT ", running %d, errors %u (%s)\n", paused_at,
                vita_training_window_get_step (fx->training), vita_training_window_is_running (fx->training),
                vita_training_window_get_n_errors (fx->training), vita_training_window_get_last_error (fx->training));
  g_assert_true (ok);

  vita_gui_test_run_for (300);
  screenshot (GTK_WIDGET (fx->training), "training-window.png");
  screenshot (GTK_WIDGET (fx->window), "training-main-window.png");

  /* stop: a checkpoint at the step reached; the folder now offers to resume from it */
  vita_training_window_stop (fx->training);
  g_assert_true (vita_gui_test_wait (not_running, fx->training, 60000));
  gint64 stopped = vita_training_window_get_step (fx->training);
  g_assert_cmpint (stopped, >=, c.step);
  g_assert_cmpint (vita_training_window_get_resume_step (fx->training), ==, stopped);
  /* the status keeps the last real figures (not zeros) and no ETA; the folder hint
   * says the run resumes from the step reached */
  const char *status = vita_training_window_get_status (fx->training);
  g_test_message ("stopped: %s · hint: %s", status, vita_training_window_get_hint (fx->training));
  g_assert_nonnull (strstr (status, "loss "));
  g_assert_null (strstr (status, "loss 0.000"));
  g_assert_null (strstr (status, "ETA"));
  g_autofree char *step_text = g_strdup_printf ("%" G_GINT64_FORMAT, stopped);
  g_assert_nonnull (strstr (vita_training_window_get_hint (fx->training), step_text));
  if (vita_training_window_get_n_errors (fx->training) != 0)
    g_printerr ("error: %s\n", vita_training_window_get_last_error (fx->training));
  g_assert_cmpuint (vita_training_window_get_n_errors (fx->training), ==, 0);

  /* a new start resumes: the curve starts after the checkpoint's step */
  g_assert_true (vita_training_window_start (fx->training));
  g_assert_cmpint (vita_training_window_get_resume_step (fx->training), ==, stopped);
  c.step = stopped + 3;
  g_assert_true (vita_gui_test_wait (reached_step, &c, 60000));
  g_assert_cmpint (vita_training_window_get_step (fx->training), >, stopped);

  /* close the main window mid-training: the training window goes too, the trainer is
   * stopped and joined, and its lock is released */
  g_assert_true (vita_training_window_is_running (fx->training));
  gpointer weak = fx->training;
  g_object_add_weak_pointer (G_OBJECT (fx->training), &weak);
  vita_gui_test_close (fx->window);
  fx->window = NULL;
  g_assert_null (weak);


  /* as after a restart of the app: a new window finds the run and offers to resume
   * from the checkpoint written when the window closed */
  fx->window = vita_gui_test_window ();
  gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.train-model", NULL);
  VitaTrainingWindow *again = VITA_TRAINING_WINDOW (vita_window_get_training_window (fx->window));
  g_assert_true (again != NULL);
  vita_training_window_set_out_dir (again, fx->out);
  g_assert_cmpint (vita_training_window_get_resume_step (again), >=, c.step);

  g_autoptr(GError) error = NULL;
  VitaTrainOptions opt;
  vita_train_options_init (&opt);
  opt.data_dir = g_strdup (fx->music);
  opt.out_dir = g_strdup (fx->out);
  opt.resume = TRUE;
  VitaTrainer *t = vita_trainer_new (&opt, &error);
  g_assert_no_error (error);
  g_assert_nonnull (t);
  vita_trainer_free (t);
  vita_train_options_clear (&opt);
}

static void
test_errors (Fixture *fx, gconstpointer data)
{
  /* the lock is held by another trainer: a toast, nothing runs */
  g_autoptr(GError) error = NULL;
  VitaTrainOptions opt;
  vita_train_options_init (&opt);
  opt.data_dir = g_strdup (fx->music);
  opt.out_dir = g_strdup (fx->out);
  VitaTrainer *t = vita_trainer_new (&opt, &error);
  g_assert_no_error (error);
  g_assert_false (vita_training_window_start (fx->training));
  g_assert_false (vita_training_window_is_running (fx->training));
  g_assert_cmpuint (vita_training_window_get_n_errors (fx->training), ==, 1);
  g_assert_nonnull (vita_training_window_get_last_error (fx->training));
  vita_trainer_free (t);
  vita_train_options_clear (&opt);

  /* a folder that does not exist: the run fails on its thread, a toast */
  g_autofree char *missing = g_build_filename (fx->dir, "no-such-folder", NULL);
  vita_training_window_set_data_dir (fx->training, missing);
  g_assert_true (vita_training_window_start (fx->training));
  g_assert_true (vita_gui_test_wait (not_running, fx->training, 30000));
  g_assert_cmpuint (vita_training_window_get_n_errors (fx->training), >=, 2);
  g_test_message ("error: %s", vita_training_window_get_last_error (fx->training));

  /* an empty folder: the same */
  g_autofree char *empty = g_build_filename (fx->dir, "empty", NULL);
  g_assert_cmpint (g_mkdir (empty, 0755), ==, 0);
  vita_training_window_set_data_dir (fx->training, empty);
  guint before = vita_training_window_get_n_errors (fx->training);
  g_assert_true (vita_training_window_start (fx->training));
  g_assert_true (vita_gui_test_wait (not_running, fx->training, 30000));
  g_assert_cmpuint (vita_training_window_get_n_errors (fx->training), >, before);
}

static void
test_default_out_dir (Fixture *fx, gconstpointer data)
{
  /* a new window derives the checkpoint folder from the music folder's name */
  VitaTrainingWindow *w = vita_training_window_new (vita_window_get_session (fx->window));
  vita_training_window_set_data_dir (w, fx->music);
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "vitascope", "runs", "music", NULL);
  g_assert_cmpstr (vita_training_window_get_out_dir (w), ==, expected);
  gtk_window_destroy (GTK_WINDOW (w));
}

int
main (int argc, char **argv)
{
  if (!vita_gui_test_init (&argc, &argv))
    return 0;
  g_test_add ("/app/training/train-resume-close", Fixture, NULL, fixture_setup, test_train_resume_close, fixture_teardown);
  g_test_add ("/app/training/errors", Fixture, NULL, fixture_setup, test_errors, fixture_teardown);
  g_test_add ("/app/training/default-out-dir", Fixture, NULL, fixture_setup, test_default_out_dir, fixture_teardown);
  return g_test_run ();
}
