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
#include "vita-session-side.h"
#include "model/vita-compare.h"
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
/* TRUE while the track decodes (property "decoding", notified also when *progress —
 * in [0, 1], < 0 when not known — or *preview change); *preview: the analysis shown is
 * the progressive open's preview, whose mel exists only in its ready windows (until the
 * track's analysis replaces it, after the decode).  Either may be NULL. */
gboolean      vita_session_get_decoding (VitaSession *self, double *progress, gboolean *preview);
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

/* ---- comparison: side B (issue 11; issue 17's counterfactual) ------------------
 *
 * A comparison is side B beside the session (side A): one audio, decoded once, one
 * timeline, two analyses (vita-session-side.h).  B is either another model on the same
 * audio (a file or a training run's checkpoint; the random-init twin of A's model) or
 * A's model on an edited copy of the audio.  Starting a comparison replaces side B;
 * side A is never touched: a B that fails to load or to analyse is reported as "error"
 * and dropped.  B's analysis starts once A has decoded and runs nearest the playhead
 * first, alongside A's.  Properties:
 *   side-b                  VitaSessionSide* or NULL                    read-only
 *   compare-view            VitaCompareView (side by side / A − B)      read-write
 *   compare-per-side-scale  bool: attention maps each on its own scale  read-write
 * A session file records the comparison (kind, B's model and SHA-256, the twin's seed,
 * the edits, view and scale) and a restore rebuilds it. */

/* B = the model file at path (loaded on a worker).  Refused ("error", nothing changes)
 * when it does not load or its front-end differs from A's (the message names both
 * files and the field). */
void          vita_session_compare_with_model (VitaSession *self, const char *path);
/* B = A's random-init twin (vita_vit_new_twin, in memory) with that seed.  FALSE
 * without a model. */
gboolean      vita_session_compare_with_twin  (VitaSession *self, guint64 seed, GError **error);
/* B = A's model on the audio edited by `edits` (dsp/vita-edit.h specs, applied in
 * order).  FALSE when one does not parse (the error names it); edits that do not fit
 * the track (a range beyond its end) fail on the worker and come as "error". */
gboolean      vita_session_compare_with_edits (VitaSession *self, const char *const *edits,
                                               GError **error);
void          vita_session_stop_comparing     (VitaSession *self);
/* Side B, or NULL when not comparing; borrowed. */
VitaSessionSide *vita_session_get_side_b      (VitaSession *self);
VitaCompareView vita_session_get_compare_view (VitaSession *self);
void          vita_session_set_compare_view   (VitaSession *self, VitaCompareView view);
gboolean      vita_session_get_compare_per_side_scale (VitaSession *self);
void          vita_session_set_compare_per_side_scale (VitaSession *self, gboolean per_side);
/* The comparison table (model/probe/vita-compare-table.h: per layer SSM correlation
 * with the chroma, MFCC and rhythm references, per head the received attention's onset
 * F when onsets are annotated (not for an edited track), else its correlation with
 * spectral flux; A, B and A − B) of the open track, computed on a
 * worker once both analyses are complete; labels as the panels'.  Errors: not
 * comparing, an analysis not complete. */
void          vita_session_compare_table_async  (VitaSession *self, GCancellable *cancellable,
                                                 GAsyncReadyCallback callback, gpointer data);
VitaCompareTable *vita_session_compare_table_finish (VitaSession *self, GAsyncResult *result,
                                                     GError **error);
/* Side B's probe lanes, for an edit side (the same model on an edited track: the
 * loaded probes applied to B's analysis, without annotations — the ground truth is side
 * A's track's); NULL / 0 otherwise or until B is complete.  "lanes-changed" says when. */
VitaProbeLane *const *vita_session_get_probe_lanes_b (VitaSession *self, int *n_lanes);
/* Side B's probe set (lanes, scores; borrowed, rebuilt on "lanes-changed"), or NULL. */
VitaProbeSet *vita_session_get_probe_set_b (VitaSession *self);
/* Side B's probe-o-gram (the task of side A's), or NULL. */
const VitaProbeogram *vita_session_get_probeogram_b (VitaSession *self);
/* Probes of side B when B is another model (a file or the twin): their lanes are drawn
 * beside A's lanes of the same task over one ground-truth row, scored against the
 * track's annotations.  vita_session_load_probes sends a probe there by itself when
 * its recorded model SHA-256 is B's, or when it reads B's width and not A's.  FALSE
 * (nothing loaded) when B is not a model; files that do not load or do not fit B are
 * emitted as "error".  Saved in the session ("compare.probes_b"). */
gboolean      vita_session_load_probes_b (VitaSession *self, const char *const *paths,
                                          GError **error);
const char *const *vita_session_get_probe_paths_b (VitaSession *self, int *n);
/* Removes the probe of side B's lane i. */
void          vita_session_remove_probe_b (VitaSession *self, int lane);
/* Side B's own layer and head: when A's and B's configurations differ (depth or heads;
 * vita_session_get_compare_own_layers) B's panels show layer-b / head-b (properties,
 * clamped to B's model; -1 = head mean) and the timeline's layer / head drive side A
 * only; otherwise the timeline drives both.  Start at A's when B is set; saved in the
 * session. */
gboolean      vita_session_get_compare_own_layers (VitaSession *self);
int           vita_session_get_layer_b (VitaSession *self);
void          vita_session_set_layer_b (VitaSession *self, int layer);
int           vita_session_get_head_b (VitaSession *self);
void          vita_session_set_head_b (VitaSession *self, int head);
/* What the labels call side A ("default.safetensors", "training run, step N"). */
char         *vita_session_describe_side_a    (VitaSession *self);
/* ---- the attribution overlay on the mel panel (vita-window-attribution.c computes
 * it; recorded in session files, copied back on restore before "view-restored") */
const VitaAttrSettings *vita_session_get_attribution (VitaSession *self);
/* Copies settings; NULL: none. */
void          vita_session_set_attribution (VitaSession *self, const VitaAttrSettings *settings);

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

/* ---- teaching (issue 12) */
/* The checkpoint series shown (a folder; NULL: none) and its step: recorded for the
 * session file; the window's scrubber owns the series itself (notify::series). */
void          vita_session_set_series (VitaSession *self, const char *path, gint64 step);
const char   *vita_session_get_series (VitaSession *self, gint64 *step);
/* Shows a checkpoint of the series as the model (label: "training step N"): the first
 * time like vita_session_set_live_model (the window under the playhead first); its
 * complete analysis is kept per checkpoint, so showing it again needs no analysis. */
void          vita_session_show_checkpoint (VitaSession *self, VitaVit *vit, const char *label);
gboolean      vita_session_has_checkpoint_analysis (VitaSession *self, VitaVit *vit);
/* Analyses a checkpoint ahead, not shown, and keeps it ("prefetched" when done): one at a
 * time; FALSE when one runs already, it is kept already, or no series/audio is open. */
gboolean      vita_session_prefetch_checkpoint (VitaSession *self, VitaVit *vit);
gboolean      vita_session_is_prefetching (VitaSession *self);
/* The kept checkpoint analyses are bounded by their bytes in memory (default
 * VITA_SESSION_CHECKPOINT_BUDGET): the least recently shown or kept go first; the
 * checkpoint shown and those asked for ahead since (prefetch, nearest first) stay, so
 * a prefetch that finds no room is refused.  The count kept and their bytes (NULL: not wanted). */
#define VITA_SESSION_CHECKPOINT_BUDGET ((gsize) 1 << 30)
void          vita_session_set_checkpoint_budget (VitaSession *self, gsize bytes);
guint         vita_session_get_n_checkpoint_analyses (VitaSession *self, gsize *bytes);
/* The presentation's views (VitaSessionNamedView*, owned), saved in the session file. */
GPtrArray    *vita_session_get_views (VitaSession *self);
void          vita_session_add_view (VitaSession *self, VitaSessionNamedView *view);

G_END_DECLS
