/* vita-session.h — what the user is looking at (shared/design/architecture.md,
 * "The session"): the audio and its decoded PCM/peaks, the model, the analysis job
 * and its analysis, annotations, probes and the probe-o-gram, and the view state
 * (the timeline, attention mode, colormap, follow mode, speed, loop).
 *
 * The window and the panels observe it (detailed notify:: signals, one per
 * property); nothing pushes state into them by hand.  The session owns model
 * loading, the analysis job's lifecycle and the policy for a live model from a
 * training run (the training window talks to a session, never to a window).
 * vita_session_save() / vita_session_open() write and read `.vitascope` files
 * (vita-session-file.h). */
#pragma once

#include <gio/gio.h>
#include "vita-analysis-job.h"
#include "vita-analysis-source.h"
#include "vita-painters.h"
#include "vita-probe-set.h"
#include "vita-probeogram.h"
#include "vita-session-file.h"
#include "vita-timeline.h"

G_BEGIN_DECLS

#define VITA_TYPE_SESSION (vita_session_get_type ())
G_DECLARE_FINAL_TYPE (VitaSession, vita_session, VITA, SESSION, GObject)

/* Which file a missing-file notice is about. */
typedef enum {
  VITA_SESSION_AUDIO,
  VITA_SESSION_MODEL,
  VITA_SESSION_ANNOTATIONS,
  VITA_SESSION_PROBE,
} VitaSessionFileKind;

VitaSession  *vita_session_new (void);

/* ---- sources */
/* Opens an audio file: loads the annotations beside it, restarts the analysis. */
void          vita_session_open_audio (VitaSession *self, const char *path);
/* Loads a model file on a worker thread; errors are emitted as "error". */
void          vita_session_open_model (VitaSession *self, const char *path);
/* Shows `vit` (a training snapshot; ref taken) in place of the model; `label`
 * ("training run, step N") becomes model-label.  A model file opened afterwards
 * replaces it as usual. */
void          vita_session_set_live_model (VitaSession *self, VitaVit *vit, const char *label);
/* The policy for a training run's snapshots: shown once the analysis of the previous
 * one is complete (FALSE: the caller keeps it and tries again later). */
gboolean      vita_session_offer_live_model (VitaSession *self, VitaVit *vit, const char *label);
void          vita_session_load_annotations (VitaSession *self, const char *const *paths);
/* Probes load synchronously; problems are emitted as "error". */
void          vita_session_load_probes (VitaSession *self, const char *const *paths);
/* Removes the probe of lane i (its file leaves the session); all probes. */
void          vita_session_remove_probe (VitaSession *self, int lane);
void          vita_session_clear_probes (VitaSession *self);
/* The task the probe-o-gram shows ("chord", "onset"…), one of the loaded frame-level
 * probes' tasks; NULL: the first lane's. */
void          vita_session_set_probeogram_task (VitaSession *self, const char *task);
const char   *vita_session_get_probeogram_task (VitaSession *self);
/* The tasks of the loaded frame-level probes, in lane order, each once (new array). */
GStrv         vita_session_get_probe_tasks (VitaSession *self);
/* The pipeline's duration (ns), until the decoded PCM gives the exact length. */
void          vita_session_set_duration (VitaSession *self, gint64 duration_ns);
/* A jump of the playhead: the analysis computes the windows around it next. */
void          vita_session_prioritise_position (VitaSession *self);

/* ---- borrowed state */
VitaTimeline *vita_session_get_timeline   (VitaSession *self);
const char   *vita_session_get_audio_path (VitaSession *self);
const char   *vita_session_get_model_path (VitaSession *self);
const char   *vita_session_get_model_label (VitaSession *self);
VitaVit      *vita_session_get_model      (VitaSession *self);
VitaPeaks    *vita_session_get_peaks      (VitaSession *self);
VitaAnalysis *vita_session_get_analysis   (VitaSession *self);
gboolean      vita_session_get_analysis_complete (VitaSession *self);
/* What the panels draw from: the session's analysis, its progress and the shared
 * paint cache (views/vita-analysis-source.h); owned by the session, kept in step
 * with "analysis" and "analysis-updated". */
VitaAnalysisSource *vita_session_get_analysis_source (VitaSession *self);
gboolean      vita_session_get_model_loading (VitaSession *self);
gboolean      vita_session_is_busy        (VitaSession *self);
gboolean      vita_session_is_loading_annotations (VitaSession *self);
VitaProbeSet *vita_session_get_probe_set  (VitaSession *self);
VitaProbeLane *const *vita_session_get_probe_lanes (VitaSession *self, int *n_lanes);
const VitaProbeogram *vita_session_get_probeogram (VitaSession *self);

/* ---- view state (properties of the same names) */
VitaAttentionMode vita_session_get_attention_mode (VitaSession *self);
void          vita_session_set_attention_mode (VitaSession *self, VitaAttentionMode mode);
VitaColormap  vita_session_get_colormap (VitaSession *self);
void          vita_session_set_colormap (VitaSession *self, VitaColormap colormap);
double        vita_session_get_speed (VitaSession *self);
void          vita_session_set_speed (VitaSession *self, double speed);
gboolean      vita_session_get_loop  (VitaSession *self);
void          vita_session_set_loop  (VitaSession *self, gboolean loop);
gboolean      vita_session_get_onset_clicks (VitaSession *self);
void          vita_session_set_onset_clicks (VitaSession *self, gboolean on);

/* ---- session files */
/* The session as a file's state (paths absolute; window size left 0). */
VitaSessionState *vita_session_to_state (VitaSession *self);
/* Restores `state` (taken; read with vita_session_file_read): model first, then the audio,
 * annotations and probes, then the view once the audio is decoded.  Files that are
 * missing are skipped and listed (vita_session_get_missing); a model whose SHA-256
 * differs from the recorded one sets vita_session_get_sha256_warning. */
void          vita_session_restore (VitaSession *self, VitaSessionState *state);
/* The path of the session file last opened or saved, or NULL. */
const char   *vita_session_get_file (VitaSession *self);
void          vita_session_set_file (VitaSession *self, const char *path);
/* Missing files of the last restore: kind and recorded path, first first. */
gboolean      vita_session_get_missing (VitaSession *self, VitaSessionFileKind *kind,
                                        const char **path);
/* Replaces the first missing file by `path` and opens it; the new path is what the
 * session saves from now on. */
void          vita_session_locate (VitaSession *self, const char *path);
/* "Model “m” has SHA-256 …, the session recorded …", or NULL. */
const char   *vita_session_get_sha256_warning (VitaSession *self);
/* TRUE while a restore waits for its model, decode or view. */
gboolean      vita_session_is_restoring (VitaSession *self);

G_END_DECLS
