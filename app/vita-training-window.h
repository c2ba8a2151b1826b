/* vita-training-window.h — "Train a Model": background NT-Xent training of a ViT-1D
 * on a folder of music, with live curves and the weights handed to a session (vita-session.h).
 *
 * Threads (shared/design/architecture.md, "Threads"): the VitaTrainer runs on its own
 * thread with its own weights; its progress and snapshot callbacks (training thread)
 * only store data under a mutex and schedule ONE idle on the main context; the idle
 * applies it to the widgets.  Destroying the window stops and joins the trainer. */
#pragma once

#include <adwaita.h>
#include "vita-session.h"

G_BEGIN_DECLS

#define VITA_TYPE_TRAINING_WINDOW (vita_training_window_get_type ())
G_DECLARE_FINAL_TYPE (VitaTrainingWindow, vita_training_window, VITA, TRAINING_WINDOW, AdwWindow)

/* session: where live models are shown (weak reference); the window is transient
 * for the application's active window. */
VitaTrainingWindow *vita_training_window_new (VitaSession *session);

/* What the buttons and choosers do (also test hooks). */
void        vita_training_window_set_data_dir (VitaTrainingWindow *self, const char *dir);
void        vita_training_window_set_out_dir  (VitaTrainingWindow *self, const char *dir);
void        vita_training_window_set_config   (VitaTrainingWindow *self, const char *preset);
void        vita_training_window_set_steps    (VitaTrainingWindow *self, int steps);
void        vita_training_window_set_batch    (VitaTrainingWindow *self, int pairs);
void        vita_training_window_set_snapshot_every (VitaTrainingWindow *self, int steps);
void        vita_training_window_set_show_live (VitaTrainingWindow *self, gboolean show);
/* Start, or resume the run found in the output folder.  Errors become toasts. */
gboolean    vita_training_window_start  (VitaTrainingWindow *self);
void        vita_training_window_pause  (VitaTrainingWindow *self, gboolean pause);
void        vita_training_window_stop   (VitaTrainingWindow *self);

/* Test hooks (main thread). */
gboolean    vita_training_window_is_running  (VitaTrainingWindow *self);
gint64      vita_training_window_get_step    (VitaTrainingWindow *self);  /* last reported */
/* The trainer's last report says it is paused (it finished the step it was in, and
 * what that step saves, before it stops). */
gboolean    vita_training_window_is_paused_reported (VitaTrainingWindow *self);
gint64      vita_training_window_get_resume_step (VitaTrainingWindow *self); /* -1: new run */
guint       vita_training_window_get_n_snapshots (VitaTrainingWindow *self);
GtkWidget  *vita_training_window_get_curves      (VitaTrainingWindow *self);  /* the curves panel */
guint       vita_training_window_get_n_points    (VitaTrainingWindow *self);
const char *vita_training_window_get_last_error  (VitaTrainingWindow *self);
guint       vita_training_window_get_n_errors    (VitaTrainingWindow *self);
const char *vita_training_window_get_out_dir     (VitaTrainingWindow *self);
/* The status line and the folder hint as shown. */
const char *vita_training_window_get_status      (VitaTrainingWindow *self);
const char *vita_training_window_get_hint        (VitaTrainingWindow *self);

G_END_DECLS
