/* vita-training-window.c — see vita-training-window.h. */
#include "vita-config.h"
#include "vita-training-window.h"
#include "vita-main-post.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "model/train/vita-train.h"
#include "model/vita-model.h"
#include "views/vita-painters.h"

/* ------------------------------------------------------------------ shared state */

/* One step as the curves need it (views/'s training-curves painter). */
typedef VitaTrainingPoint Point;

/* Shared between the training thread (writes under lock) and the main thread.
 * Reference-counted (g_atomic_rc_box): the idle owns one reference, the window one;
 * `window` is read and cleared on the main thread only. */
typedef struct {
  GMutex              lock;
  GArray             *points;       /* Point, not yet taken by the main thread */
  VitaTrainProgress   last;         /* message is NULL here */
  gboolean            have_last;
  char               *message;      /* newest warning / error, owned */
  VitaVit            *snapshot;     /* newest, owned */
  gint64              snapshot_step;
  gboolean            idle_pending;
  VitaTrainingWindow *window;       /* main thread only */
} Shared;

static void
shared_clear (gpointer data)
{
  Shared *sh = data;
  g_mutex_clear (&sh->lock);
  g_array_unref (sh->points);
  g_free (sh->message);
  if (sh->snapshot != NULL)
    vita_vit_unref (sh->snapshot);
}

static void shared_release (Shared *sh) { g_atomic_rc_box_release_full (sh, shared_clear); }

struct _VitaTrainingWindow
{
  AdwWindow        parent_instance;

  GtkWidget       *toasts;
  GtkWidget       *data_row, *out_row;
  GtkWidget       *config_row;
  GtkWidget       *steps_spin, *batch_spin;
  GtkWidget       *live_switch;
  GtkWidget       *start_button, *pause_button, *stop_button;
  GtkWidget       *status_label, *resume_label;
  GtkWidget       *progress_bar;
  GtkWidget       *curves;

  GWeakRef         session;          /* where live models are shown */
  char            *data_dir;
  char            *out_dir;
  gboolean         out_dir_custom;  /* chosen by the user: not derived from data_dir */
  int              snapshot_every;
  gint64           resume_step;     /* -1: no checkpoint in out_dir */

  VitaTrainer     *trainer;
  Shared          *shared;
  guint            poll_id;
  gboolean         paused;
  gboolean         disposed;        /* a chooser may answer after the window went */

  GArray          *history;         /* Point: the curves */
  VitaTrainProgress last;
  gboolean         have_last;
  guint            n_snapshots;
  VitaVit         *pending_live;    /* newest snapshot not yet shown (main window busy) */
  gint64           pending_live_step;
  guint            n_errors;
  char            *last_error;
};

G_DEFINE_FINAL_TYPE (VitaTrainingWindow, vita_training_window, ADW_TYPE_WINDOW)

/* in the order of config_row's list (resources/vita-training-window.ui) */
static const char *const presets[] = { "small-4l", "tiny", "test", NULL };

/* ------------------------------------------------------------------ helpers */

static void
show_error (VitaTrainingWindow *self, const char *message)
{
  AdwToast *toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (self->toasts), toast);
  g_free (self->last_error);
  self->last_error = g_strdup (message);
  self->n_errors++;
}

static void
format_eta (char *buf, gsize len, double s)
{
  if (!(s >= 0) || s > 1e8)
    g_strlcpy (buf, "—", len);
  else if (s >= 3600)
    g_snprintf (buf, len, "%d h %02d min", (int) (s / 3600), (int) fmod (s / 60, 60));
  else
    g_snprintf (buf, len, "%d min %02d s", (int) (s / 60), (int) fmod (s, 60));
}

/* The newest checkpoint's step (the trainer verifies it when it resumes and falls
 * back to an older one if needed); -1 when none. */
static gint64
find_resume_step (const char *dir)
{
  g_autoptr(GPtrArray) files = vita_checkpoint_list (dir);
  return files->len > 0 ? vita_checkpoint_step_of (files->pdata[0]) : -1;
}

static void
update_controls (VitaTrainingWindow *self)
{
  gboolean running = self->trainer != NULL;
  gboolean ready = self->data_dir != NULL && self->out_dir != NULL;

  self->resume_step = running ? self->resume_step : find_resume_step (self->out_dir);
  gtk_widget_set_sensitive (self->start_button, ready && !running);
  gtk_button_set_label (GTK_BUTTON (self->start_button),
                        self->resume_step >= 0 ? _("_Resume Run") : _("_Start"));
  gtk_widget_set_sensitive (self->pause_button, running);
  gtk_button_set_label (GTK_BUTTON (self->pause_button), self->paused ? _("Co_ntinue") : _("_Pause"));
  gtk_widget_set_sensitive (self->stop_button, running);
  gtk_widget_set_sensitive (self->data_row, !running);
  gtk_widget_set_sensitive (self->out_row, !running);
  gtk_widget_set_sensitive (self->config_row, !running && self->resume_step < 0);
  gtk_widget_set_sensitive (self->steps_spin, !running && self->resume_step < 0);
  gtk_widget_set_sensitive (self->batch_spin, !running);

  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->data_row),
                               self->data_dir ? self->data_dir : _("None chosen"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->out_row),
                               self->out_dir ? self->out_dir : _("None chosen"));
  if (running)
    gtk_label_set_label (GTK_LABEL (self->resume_label),
                         _("Checkpoints are saved every 50 steps, every two minutes and when you stop."));
  else if (self->resume_step >= 0)
    {
      /* Translators: %s is a step number. */
      g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT, self->resume_step);
      g_autofree char *text = g_strdup_printf (_("A run exists in this folder: it resumes from step %s."), n);
      gtk_label_set_label (GTK_LABEL (self->resume_label), text);
    }
  else
    gtk_label_set_label (GTK_LABEL (self->resume_label), _("A new run starts in this folder."));
}

/* ------------------------------------------------------------------ curves (Cairo) */

/* Drawn by views/'s training-curves painter, as every panel (and exported alike). */
static void
draw_curves (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  VitaTrainingWindow *self = user_data;
  int pairs = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->batch_spin));
  VitaTrainingCurves curves = { (const VitaTrainingPoint *) self->history->data,
                                (int) self->history->len,
                                /* top-1 among the 2·pairs − 1 other views */
                                pairs > 1 ? 1.0 / (2 * pairs - 1) : 0 };
  VitaTimelineSnapshot snap;
  VitaStyle style;
  VitaPanel panel = VITA_PANEL_LAYOUT;
  VitaRect rect = { 0, 0, width, height };

  vita_timeline_snapshot_init (&snap, 16000, 512, 0, 1, 1);
  vita_style_init (&style);
  if (adw_style_manager_get_dark (adw_style_manager_get_default ()))
    vita_style_set_dark (&style);   /* as the main window's panels (vita_panel_view_set_dark) */
  vita_panel_from_string ("training", &panel);
  vita_panel_paint (panel, cr, &rect,
                    &(VitaPaintContext) { .snap = &snap, .style = &style, .training = &curves });
}

/* ------------------------------------------------------------------ from the training thread */

static gboolean dispatch_idle (gpointer data);

/* Training thread: store and make sure one idle is pending (vita_main_post, never
 * g_main_context_invoke: see vita-main-post.h). */
static void
schedule_locked (Shared *sh)
{
  if (sh->idle_pending)
    return;
  sh->idle_pending = TRUE;
  vita_main_post (NULL, G_PRIORITY_DEFAULT, dispatch_idle, g_atomic_rc_box_acquire (sh),
                  (GDestroyNotify) shared_release);
}

static void
on_train_progress (const VitaTrainProgress *p, gpointer user_data)
{
  Shared *sh = user_data;
  g_mutex_lock (&sh->lock);
  sh->last = *p;
  sh->last.message = NULL;
  sh->have_last = TRUE;
  if (p->phase == VITA_TRAIN_RUNNING)
    {
      Point pt = { p->step, p->loss, p->loss_avg, p->accuracy, p->accuracy_avg, p->lr };
      if (sh->points->len == 0 || g_array_index (sh->points, Point, sh->points->len - 1).step != p->step)
        g_array_append_val (sh->points, pt);
    }
  /* PREPARING's message is the file being read; FAILED's error comes from join */
  if (p->message != NULL && p->phase == VITA_TRAIN_PAUSED)
    {
      g_free (sh->message);
      sh->message = g_strdup (p->message);
    }
  schedule_locked (sh);
  g_mutex_unlock (&sh->lock);
}

static void
on_train_snapshot (VitaVit *snapshot, gint64 step, gpointer user_data)
{
  Shared *sh = user_data;
  g_mutex_lock (&sh->lock);
  if (sh->snapshot != NULL)
    vita_vit_unref (sh->snapshot);
  sh->snapshot = snapshot;
  sh->snapshot_step = step;
  schedule_locked (sh);
  g_mutex_unlock (&sh->lock);
}

/* ------------------------------------------------------------------ main thread */

/* Shows the newest snapshot in the main window once its analysis of the previous one
 * is complete: every swap restarts the analysis, so swapping faster than it finishes
 * would only ever show half-analysed panels. */
static void
apply_live (VitaTrainingWindow *self)
{
  if (self->pending_live == NULL)
    return;
  g_autoptr(VitaSession) session = g_weak_ref_get (&self->session);
  if (session == NULL || !gtk_switch_get_active (GTK_SWITCH (self->live_switch)))
    {
      g_clear_pointer (&self->pending_live, vita_vit_unref);
      return;
    }
  g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT, self->pending_live_step);
  /* Translators: the main window's subtitle while a training snapshot is shown; %s is a step number. */
  g_autofree char *label = g_strdup_printf (_("training run, step %s"), n);
  /* the session's policy: shown once the previous snapshot's analysis is complete */
  if (vita_session_offer_live_model (session, self->pending_live, label))
    g_clear_pointer (&self->pending_live, vita_vit_unref);
}

static void
show_snapshot (VitaTrainingWindow *self, VitaVit *vit, gint64 step)
{
  self->n_snapshots++;
  if (self->pending_live != NULL)
    vita_vit_unref (self->pending_live);
  self->pending_live = vita_vit_ref (vit);
  self->pending_live_step = step;
  apply_live (self);
}

static void
update_status (VitaTrainingWindow *self)
{
  if (!self->have_last)
    return;
  const VitaTrainProgress *p = &self->last;
  g_autofree char *text = NULL;
  switch (p->phase)
    {
    case VITA_TRAIN_PREPARING:
      text = g_strdup_printf (_("Preparing log-mel spectrograms: %u of %u files"), p->files_done, p->files_total);
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar),
                                     p->files_total ? (double) p->files_done / p->files_total : 0);
      break;
    case VITA_TRAIN_FAILED:
      text = g_strdup (_("Training stopped with an error"));
      break;
    default:
      {
        char eta[32];
        format_eta (eta, sizeof eta, p->eta_s);
        g_autofree char *step = g_strdup_printf ("%" G_GINT64_FORMAT, p->step);
        g_autofree char *total = g_strdup_printf ("%" G_GINT64_FORMAT, p->total_steps);
        if (p->phase == VITA_TRAIN_RUNNING)
          /* Translators: training status line. */
          text = g_strdup_printf (_("Step %s of %s · loss %.3f · accuracy %.2f · %.1f pairs/s · ETA %s"),
                                  step, total, p->loss_avg, p->accuracy_avg, p->pairs_per_s, eta);
        else
          /* Translators: training status line while paused or after the run: no ETA. */
          text = g_strdup_printf (_("Step %s of %s · loss %.3f · accuracy %.2f"),
                                  step, total, p->loss_avg, p->accuracy_avg);
        if (p->phase == VITA_TRAIN_PAUSED)
          {
            char *t = g_strconcat (text, _(" · paused"), NULL);
            g_free (text);
            text = t;
          }
        else if (p->phase == VITA_TRAIN_FINISHED)
          {
            char *t = g_strconcat (text, _(" · checkpoint saved"), NULL);
            g_free (text);
            text = t;
          }
        gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar),
                                       p->total_steps ? (double) p->step / p->total_steps : 0);
      }
    }
  gtk_label_set_label (GTK_LABEL (self->status_label), text);
}

static gboolean
dispatch_idle (gpointer data)
{
  Shared *sh = data;
  g_mutex_lock (&sh->lock);
  sh->idle_pending = FALSE;
  GArray *points = sh->points;
  sh->points = g_array_new (FALSE, FALSE, sizeof (Point));
  VitaTrainProgress last = sh->last;
  gboolean have_last = sh->have_last;
  char *message = g_steal_pointer (&sh->message);
  VitaVit *snapshot = g_steal_pointer (&sh->snapshot);
  gint64 snapshot_step = sh->snapshot_step;
  g_mutex_unlock (&sh->lock);

  VitaTrainingWindow *self = sh->window;
  if (self != NULL)
    {
      g_array_append_vals (self->history, points->data, points->len);
      if (have_last)
        {
          /* The run's last report (after Stop, or at the end) carries the step only:
           * the status keeps the last real figures, not zeros. */
          if ((last.phase == VITA_TRAIN_FINISHED || last.phase == VITA_TRAIN_FAILED) &&
              self->have_last && self->last.phase != VITA_TRAIN_PREPARING)
            {
              last.loss_avg = self->last.loss_avg;
              last.accuracy_avg = self->last.accuracy_avg;
              last.loss = self->last.loss;
              last.accuracy = self->last.accuracy;
              last.pairs_per_s = self->last.pairs_per_s;
            }
          self->last = last;
          self->have_last = TRUE;
        }
      if (message != NULL)
        {
          /* a PAUSED with a message: the trainer could not save (disk full) and waits;
           * Continue retries */
          show_error (self, message);
          if (have_last && last.phase == VITA_TRAIN_PAUSED && self->trainer != NULL && !self->paused)
            {
              self->paused = TRUE;
              update_controls (self);
            }
        }
      if (snapshot != NULL)
        show_snapshot (self, snapshot, snapshot_step);
      update_status (self);
      gtk_widget_queue_draw (self->curves);
    }
  g_array_unref (points);
  g_free (message);
  if (snapshot != NULL)
    vita_vit_unref (snapshot);
  return G_SOURCE_REMOVE;
}

/* Stops, joins and frees the trainer (blocks until the thread leaves); its result
 * (an error) becomes a toast unless quiet. */
static void
finish_trainer (VitaTrainingWindow *self, gboolean quiet)
{
  if (self->poll_id != 0)
    {
      g_source_remove (self->poll_id);
      self->poll_id = 0;
    }
  if (self->trainer == NULL)
    return;
  g_autoptr(GError) error = NULL;
  vita_trainer_stop (self->trainer);
  if (!vita_trainer_join (self->trainer, &error) && !quiet && error != NULL)
    show_error (self, error->message);
  g_clear_pointer (&self->trainer, vita_trainer_free);
  /* callbacks can no longer come; a pending idle still holds its reference */
  if (self->shared != NULL)
    {
      if (!quiet)
        dispatch_idle (self->shared);  /* the last status; does not consume a reference */
      self->shared->window = NULL;
      g_clear_pointer (&self->shared, shared_release);
    }
  self->paused = FALSE;
  if (quiet)
    g_clear_pointer (&self->pending_live, vita_vit_unref);
  else
    apply_live (self);
}

static gboolean
poll_trainer (gpointer data)
{
  VitaTrainingWindow *self = data;
  apply_live (self);
  if (self->trainer != NULL && !vita_trainer_is_running (self->trainer))
    {
      self->poll_id = 0;
      finish_trainer (self, FALSE);
      update_controls (self);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

gboolean
vita_training_window_start (VitaTrainingWindow *self)
{
  g_return_val_if_fail (VITA_IS_TRAINING_WINDOW (self), FALSE);
  if (self->trainer != NULL || self->data_dir == NULL || self->out_dir == NULL)
    return FALSE;

  VitaTrainOptions opt;
  vita_train_options_init (&opt);
  opt.data_dir = g_strdup (self->data_dir);
  opt.out_dir = g_strdup (self->out_dir);
  guint sel = adw_combo_row_get_selected (ADW_COMBO_ROW (self->config_row));
  g_free (opt.config);
  opt.config = g_strdup (presets[MIN (sel, G_N_ELEMENTS (presets) - 2)]);
  self->resume_step = find_resume_step (self->out_dir);
  opt.resume = self->resume_step >= 0;
  gint64 steps = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->steps_spin));
  opt.steps = opt.resume ? 0 : steps;
  opt.pairs = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->batch_spin));
  /* Leave a core to the interface (and the analysis): on 2 cores, 1 worker. */
  opt.threads = MAX (1, (int) g_get_num_processors () - 1);
  vita_schedule_init_default (&opt.schedule, steps > 0 ? steps : VITA_TRAIN_DEFAULT_STEPS);
  opt.snapshot_every = self->snapshot_every;
  opt.pause_on_save_error = TRUE;
  if (opt.checkpoint_every <= 0 || opt.checkpoint_every > 50)
    opt.checkpoint_every = 50;

  g_autoptr(GError) error = NULL;
  self->trainer = vita_trainer_new (&opt, &error);
  vita_train_options_clear (&opt);
  if (self->trainer == NULL)
    {
      if (g_error_matches (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY))
        show_error (self, _("Another training run is using this folder"));
      else
        show_error (self, error->message);
      update_controls (self);
      return FALSE;
    }
  self->shared = g_atomic_rc_box_new0 (Shared);
  g_mutex_init (&self->shared->lock);
  self->shared->points = g_array_new (FALSE, FALSE, sizeof (Point));
  self->shared->window = self;
  vita_trainer_set_progress_func (self->trainer, on_train_progress, self->shared);
  vita_trainer_set_snapshot_func (self->trainer, on_train_snapshot, self->shared);
  g_array_set_size (self->history, 0);
  self->have_last = FALSE;
  self->paused = FALSE;
  if (!vita_trainer_start (self->trainer, &error))
    {
      show_error (self, error->message);
      finish_trainer (self, TRUE);
      update_controls (self);
      return FALSE;
    }
  self->poll_id = g_timeout_add (200, poll_trainer, self);
  gtk_label_set_label (GTK_LABEL (self->status_label), _("Starting…"));
  update_controls (self);
  return TRUE;
}

void
vita_training_window_pause (VitaTrainingWindow *self, gboolean pause)
{
  g_return_if_fail (VITA_IS_TRAINING_WINDOW (self));
  if (self->trainer == NULL || self->paused == pause)
    return;
  self->paused = pause;
  if (pause)
    vita_trainer_pause (self->trainer);
  else
    vita_trainer_resume (self->trainer);
  update_controls (self);
}

void
vita_training_window_stop (VitaTrainingWindow *self)
{
  g_return_if_fail (VITA_IS_TRAINING_WINDOW (self));
  if (self->trainer == NULL)
    return;
  /* a paused trainer must run to see the stop */
  if (self->paused)
    vita_trainer_resume (self->trainer);
  self->paused = FALSE;
  vita_trainer_stop (self->trainer);
  gtk_label_set_label (GTK_LABEL (self->status_label), _("Stopping after this step…"));
  gtk_widget_set_sensitive (self->stop_button, FALSE);
  gtk_widget_set_sensitive (self->pause_button, FALSE);
}

/* ------------------------------------------------------------------ setters */

void
vita_training_window_set_data_dir (VitaTrainingWindow *self, const char *dir)
{
  g_return_if_fail (VITA_IS_TRAINING_WINDOW (self));
  g_free (self->data_dir);
  self->data_dir = g_strdup (dir);
  if (!self->out_dir_custom && dir != NULL)
    {
      g_autofree char *base = g_path_get_basename (dir);
      g_free (self->out_dir);
      self->out_dir = g_build_filename (g_get_user_data_dir (), "vitascope", "runs", base, NULL);
    }
  update_controls (self);
}

void
vita_training_window_set_out_dir (VitaTrainingWindow *self, const char *dir)
{
  g_return_if_fail (VITA_IS_TRAINING_WINDOW (self));
  g_free (self->out_dir);
  self->out_dir = g_strdup (dir);
  self->out_dir_custom = dir != NULL;
  update_controls (self);
}

void
vita_training_window_set_config (VitaTrainingWindow *self, const char *preset)
{
  for (guint i = 0; presets[i] != NULL; i++)
    if (g_strcmp0 (presets[i], preset) == 0)
      adw_combo_row_set_selected (ADW_COMBO_ROW (self->config_row), i);
}

void
vita_training_window_set_steps (VitaTrainingWindow *self, int steps)
{
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->steps_spin), steps);
}

void
vita_training_window_set_batch (VitaTrainingWindow *self, int pairs)
{
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->batch_spin), pairs);
}

void
vita_training_window_set_snapshot_every (VitaTrainingWindow *self, int steps)
{
  self->snapshot_every = MAX (0, steps);
}

void
vita_training_window_set_show_live (VitaTrainingWindow *self, gboolean show)
{
  gtk_switch_set_active (GTK_SWITCH (self->live_switch), show);
}

gboolean    vita_training_window_is_running (VitaTrainingWindow *self) { return self->trainer != NULL; }
gint64      vita_training_window_get_step (VitaTrainingWindow *self) { return self->have_last ? self->last.step : -1; }
gboolean    vita_training_window_is_paused_reported (VitaTrainingWindow *self)
{
  return self->have_last && self->last.phase == VITA_TRAIN_PAUSED;
}
gint64      vita_training_window_get_resume_step (VitaTrainingWindow *self) { return self->resume_step; }
guint       vita_training_window_get_n_snapshots (VitaTrainingWindow *self) { return self->n_snapshots; }
GtkWidget  *vita_training_window_get_curves (VitaTrainingWindow *self) { return self->curves; }
guint       vita_training_window_get_n_points (VitaTrainingWindow *self) { return self->history->len; }
const char *vita_training_window_get_last_error (VitaTrainingWindow *self) { return self->last_error; }
guint       vita_training_window_get_n_errors (VitaTrainingWindow *self) { return self->n_errors; }
const char *vita_training_window_get_out_dir (VitaTrainingWindow *self) { return self->out_dir; }
const char *vita_training_window_get_status (VitaTrainingWindow *self) { return gtk_label_get_label (GTK_LABEL (self->status_label)); }
const char *vita_training_window_get_hint (VitaTrainingWindow *self) { return gtk_label_get_label (GTK_LABEL (self->resume_label)); }

/* ------------------------------------------------------------------ choosers */

static void
on_folder_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  VitaTrainingWindow *self = user_data;
  if (response == GTK_RESPONSE_ACCEPT && !self->disposed)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      if (path == NULL)
        show_error (self, _("Folders must be local"));
      else if (g_object_get_data (G_OBJECT (dialog), "out") != NULL)
        vita_training_window_set_out_dir (self, path);
      else
        vita_training_window_set_data_dir (self, path);
    }
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
choose_folder (VitaTrainingWindow *self, gboolean out)
{
  GtkFileChooserNative *native = gtk_file_chooser_native_new (
      out ? _("Checkpoint Folder") : _("Music Folder"), GTK_WINDOW (self),
      GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  if (out)
    g_object_set_data (G_OBJECT (native), "out", GINT_TO_POINTER (1));
  g_signal_connect (native, "response", G_CALLBACK (on_folder_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void on_choose_data (VitaTrainingWindow *self) { choose_folder (self, FALSE); }
static void on_choose_out (VitaTrainingWindow *self) { choose_folder (self, TRUE); }
static void on_start (VitaTrainingWindow *self) { vita_training_window_start (self); }
static void on_pause (VitaTrainingWindow *self) { vita_training_window_pause (self, !self->paused); }
static void on_stop (VitaTrainingWindow *self) { vita_training_window_stop (self); }

/* ------------------------------------------------------------------ construction */

static void
vita_training_window_init (VitaTrainingWindow *self)
{
  self->history = g_array_new (FALSE, FALSE, sizeof (Point));
  self->snapshot_every = 10;  /* small-4l, batch 64, 1 worker: about a minute */
  self->resume_step = -1;

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->steps_spin), VITA_TRAIN_DEFAULT_STEPS);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->curves), draw_curves, self, NULL);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (gtk_widget_queue_draw), self->curves, G_CONNECT_SWAPPED);
  update_controls (self);
}

static void
vita_training_window_dispose (GObject *object)
{
  VitaTrainingWindow *self = VITA_TRAINING_WINDOW (object);
  /* stop and join before the widgets the idle updates go away */
  self->disposed = TRUE;
  finish_trainer (self, TRUE);
  gtk_widget_dispose_template (GTK_WIDGET (self), VITA_TYPE_TRAINING_WINDOW);
  G_OBJECT_CLASS (vita_training_window_parent_class)->dispose (object);
}

static void
vita_training_window_finalize (GObject *object)
{
  VitaTrainingWindow *self = VITA_TRAINING_WINDOW (object);
  g_weak_ref_clear (&self->session);
  g_array_unref (self->history);
  g_free (self->data_dir);
  g_free (self->out_dir);
  g_free (self->last_error);
  if (self->pending_live != NULL)
    vita_vit_unref (self->pending_live);
  G_OBJECT_CLASS (vita_training_window_parent_class)->finalize (object);
}

static void
vita_training_window_class_init (VitaTrainingWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  object_class->dispose = vita_training_window_dispose;
  object_class->finalize = vita_training_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
      "/io/github/vitascope/Vitascope/vita-training-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, VitaTrainingWindow, name)
  BIND (toasts);
  BIND (data_row);
  BIND (out_row);
  BIND (config_row);
  BIND (steps_spin);
  BIND (batch_spin);
  BIND (live_switch);
  BIND (start_button);
  BIND (pause_button);
  BIND (stop_button);
  BIND (status_label);
  BIND (resume_label);
  BIND (progress_bar);
  BIND (curves);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, on_choose_data);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_out);
  gtk_widget_class_bind_template_callback (widget_class, on_start);
  gtk_widget_class_bind_template_callback (widget_class, on_pause);
  gtk_widget_class_bind_template_callback (widget_class, on_stop);
}

VitaTrainingWindow *
vita_training_window_new (VitaSession *session)
{
  GtkApplication *app = GTK_APPLICATION (g_application_get_default ());
  VitaTrainingWindow *self = g_object_new (VITA_TYPE_TRAINING_WINDOW,
                                           "application", app,
                                           "transient-for", app ? gtk_application_get_active_window (app) : NULL,
                                           NULL);
  g_weak_ref_set (&self->session, session);
  return self;
}
