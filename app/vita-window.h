/* vita-window.h — the main window: header bar, panels, playback, analysis. */
#pragma once

#include <adwaita.h>
#include "vita-player.h"
#include "vita-timeline.h"
#include "vita-painters.h"
#include "vita-probeogram.h"

G_BEGIN_DECLS

#define VITA_TYPE_WINDOW (vita_window_get_type ())
G_DECLARE_FINAL_TYPE (VitaWindow, vita_window, VITA, WINDOW, AdwApplicationWindow)

VitaWindow   *vita_window_new (AdwApplication *application);

/* Opens an audio file (cancels any running analysis).  Errors become toasts. */
void          vita_window_open_audio (VitaWindow *self, GFile *file);
/* Opens a model file on a worker thread; NULL = the default model. */
void          vita_window_open_model (VitaWindow *self, GFile *file);

/* Shows `vit` (a training snapshot; ref taken) in place of the model and re-analyses
 * the current audio; `label` ("training run, step N") becomes the subtitle.  Opening
 * a model file afterwards replaces it as usual. */
void          vita_window_set_live_model (VitaWindow *self, VitaVit *vit, const char *label);
/* The live model's label, or NULL when a model file is shown. */
const char   *vita_window_get_model_label (VitaWindow *self);
/* The "Train a Model" window (win.train-model), or NULL when not open. */
GtkWindow    *vita_window_get_training_window (VitaWindow *self);

/* Exports a panel (VITA_PANEL_LAYOUT: the whole view) as it is on screen: PNG, SVG
 * or PDF with a sidecar JSON (PATH.json), or the panel's array as .npy; atomic. */
gboolean      vita_window_export (VitaWindow *self, VitaPanel panel, const char *path,
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
gboolean      vita_window_is_loading_annotations (VitaWindow *self);
int           vita_window_get_n_probe_lanes (VitaWindow *self);
/* Lane i (borrowed, until the next change) and its score (NAN without truth). */
const VitaProbeLane *vita_window_get_probe_lane (VitaWindow *self, int i, double *score);
/* The probe-o-gram shown under the probe lanes (NULL without a frame-level probe). */
const VitaProbeogram *vita_window_get_probeogram (VitaWindow *self);
/* The probe panel's subtitle: key annotation and key probe prediction when loaded. */
const char *vita_window_get_probes_subtitle (VitaWindow *self);

G_END_DECLS
