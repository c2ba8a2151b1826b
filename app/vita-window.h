/* vita-window.h — the main window: header bar, panels, playback, analysis. */
#pragma once

#include <adwaita.h>
#include "vita-player.h"
#include "vita-timeline.h"
#include "vita-painters.h"
#include "vita-probeogram.h"
#include "vita-session.h"
#include "vita-layout.h"

G_BEGIN_DECLS

#define VITA_TYPE_WINDOW (vita_window_get_type ())
G_DECLARE_FINAL_TYPE (VitaWindow, vita_window, VITA, WINDOW, AdwApplicationWindow)

VitaWindow   *vita_window_new (AdwApplication *application);

/* Opens an audio file (cancels any running analysis).  Errors become toasts. */
void          vita_window_open_audio (VitaWindow *self, GFile *file);
/* Opens a model file on a worker thread; NULL = the default model. */
void          vita_window_open_model (VitaWindow *self, GFile *file);

/* Opens what `file` is by its name: a session (.vitascope), a model (.safetensors)
 * or audio (drag and drop, the command line, recent files). */
void          vita_window_open_file (VitaWindow *self, GFile *file);

/* The session the window shows (borrowed): audio, model, analysis, view state. */
VitaSession  *vita_window_get_session (VitaWindow *self);
/* Opens a .vitascope session file.  A malformed or future-version file: an error
 * naming the file and the problem, nothing changes (FALSE). */
gboolean      vita_window_open_session (VitaWindow *self, GFile *file);
/* Saves the session (atomically) to path and remembers path for Save. */
gboolean      vita_window_save_session (VitaWindow *self, const char *path, GError **error);
/* The file the session is saved to on quit and restored from on start
 * ("Restore the last session"): USER_DATA_DIR/vitascope/last-session.vitascope. */
char         *vita_window_get_last_session_path (void);
/* Restores the last session if there is one; FALSE if none or it does not read. */
gboolean      vita_window_restore_last_session (VitaWindow *self);
/* Test hooks: the missing-file and SHA-256 banners' text while shown, else NULL. */
const char   *vita_window_get_missing_banner (VitaWindow *self);
const char   *vita_window_get_warning_banner (VitaWindow *self);

/* The live model's label, or NULL when a model file is shown. */
const char   *vita_window_get_model_label (VitaWindow *self);
/* The "Train a Model" window (win.train-model), or NULL when not open. */
GtkWindow    *vita_window_get_training_window (VitaWindow *self);

/* Exports a panel (VITA_PANEL_LAYOUT: the whole view) as it is on screen: PNG, SVG
 * or PDF with a sidecar JSON (PATH.json), or the panel's array as .npy; atomic. */
/* With paper figure options (NULL: the screen-sized defaults of vita_window_export). */
gboolean      vita_window_export_figure (VitaWindow *self, VitaPanel panel, const char *path,
                                         const VitaFigureOptions *figure, GError **error);
gboolean      vita_window_export (VitaWindow *self, VitaPanel panel, const char *path,
                                  GError **error);

/* The comparison table of the open track (Compare ▸ Comparison Table…, issue 11) as
 * a figure (.png, .svg, .pdf), .csv or .npy by the extension; FALSE + error before it
 * has been computed. */
gboolean      vita_window_export_compare_table (VitaWindow *self, const char *path,
                                                GError **error);
/* TRUE once the comparison table has been computed. */
gboolean      vita_window_has_compare_table (VitaWindow *self);

/* Results back to the field's tools ("Export Results…", win.export-results): what is
 * "received" (the received-attention curve of the shown layer and head), "onset" (the
 * spectral flux), "received-peaks" / "onset-peaks" (their onset peaks), "lane-N"
 * (probe lane N's predictions: chord segments or beat / onset times) or
 * "annotations" (the loaded annotation files: everything in JAMS, otherwise the first
 * of chords, beats, onsets, key).  The format follows path's extension: .csv (Sonic
 * Visualiser), .lab (chords), .jams, .npy; atomic.  FALSE + error naming path. */
gboolean      vita_window_export_results (VitaWindow *self, const char *what, const char *path,
                                          GError **error);
/* Shows an error as a toast (and remembers it for tests). */
void          vita_window_show_error (VitaWindow *self, const char *message);

/* Borrowed; for tests and the views that need them. */
VitaTimeline *vita_window_get_timeline (VitaWindow *self);
VitaPlayer   *vita_window_get_player   (VitaWindow *self);
const char   *vita_window_get_audio_path (VitaWindow *self);
const char   *vita_window_get_model_path (VitaWindow *self);
/* Test hooks: the last error shown and how many were shown. */
const char   *vita_window_get_last_error (VitaWindow *self);
guint         vita_window_get_n_errors   (VitaWindow *self);
/* "empty" (no audio yet) or "panels". */
const char   *vita_window_get_page (VitaWindow *self);
/* TRUE while an analysis or a model load is in progress. */
gboolean      vita_window_is_busy (VitaWindow *self);

/* Annotation files (.lab chords, beats, onsets, key; parsed on a worker) and probe
 * files (vit1d-probe safetensors): shown as lanes in the probe panel once the
 * analysis is complete.  Problems become toasts. */
void          vita_window_load_annotations (VitaWindow *self, GFile **files, int n_files);
void          vita_window_load_probes      (VitaWindow *self, GFile **files, int n_files);
/* Probes of side B (another model); FALSE (a toast says why) when B is not a model. */
gboolean      vita_window_load_probes_b    (VitaWindow *self, const char *const *paths);
gboolean      vita_window_is_loading_annotations (VitaWindow *self);
int           vita_window_get_n_probe_lanes (VitaWindow *self);
/* Lane i (borrowed, until the next change) and its score (NAN without truth). */
const VitaProbeLane *vita_window_get_probe_lane (VitaWindow *self, int i, double *score);
/* The probe-o-gram shown under the probe lanes (NULL without a frame-level probe). */
const VitaProbeogram *vita_window_get_probeogram (VitaWindow *self);
/* The probe panel's subtitle: key annotation and key probe prediction when loaded. */
const char *vita_window_get_probes_subtitle (VitaWindow *self);
/* The card (app/vita-panel-card.h) around the panel called `name`, shown or not; NULL
 * for no such panel. */
GtkWidget  *vita_window_get_panel_card (VitaWindow *self, const char *name);
/* The "panels." action group: show-NAME (the Panels submenu's check items), hide,
 * move-up, move-down, move-to, maximise, show-all, reset (app/vita-window-arrange.c). */
GActionGroup *vita_window_get_panel_actions (VitaWindow *self);

/* Teaching (vita-window-teach.c), for the tests: the checkpoint shown (-1 none) and its
 * step, the series' size, checkpoints measured for the emergence panel so far, the
 * presentation's type scale, whether presenting, the overlay's text (NULL: hidden), a
 * panel's view by registry name. */
int         vita_window_get_checkpoint (VitaWindow *self, gint64 *step);
int         vita_window_get_n_checkpoints (VitaWindow *self);
int         vita_window_get_emergence_done (VitaWindow *self);
/* The emergence table measured (NULL: no series or no audio); its `onsets` says
 * whether onset F (annotated onsets) or spectral-flux correlation. */
const struct _VitaEmergence *vita_window_get_emergence (VitaWindow *self);
double      vita_window_get_type_scale (VitaWindow *self);
gboolean    vita_window_is_presenting (VitaWindow *self);
const char *vita_window_get_overlay_text (VitaWindow *self);
GtkWidget  *vita_window_get_panel_view (VitaWindow *self, const char *name);
/* Export Video… (vita-window-video.c): the dialog last opened (NULL once closed) and its
 * widgets by role: "from", "to" (spin buttons), "view", "size", "fps" (combo rows),
 * "progress", "status", "export", "cancel".  Data "vita-test-out" on the dialog names
 * the file without a chooser; "vita-test-done" becomes 1 written, 2 cancelled, 3 failed. */
GtkWidget  *vita_window_get_video_dialog (VitaWindow *self);
GtkWidget  *vita_window_video_dialog_widget (GtkWidget *dialog, const char *what);

G_END_DECLS
