/* vita-session.c — what the user is looking at (see vita-session.h).
 *
 * Setters notify only on real change (as views/vita-timeline.c does), each through
 * its own GParamSpec, so observers connect to detailed notify:: signals. */
#include "vita-config.h"
#include "vita-session.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "vita-probe-set.h"
#include "vita-engine.h"
#include "dsp/vita-edit.h"
#include "model/vita-compare.h"
#include "model/probe/vita-probe.h"
#include "model/probe/vita-compare-table.h"
#include "model/probe/vita-metrics.h"

struct _VitaSession
{
  GObject            parent_instance;

  /* owned */
  VitaTimeline      *timeline;
  char              *audio_path;
  char              *model_path;
  char              *pending_model_path;
  char              *live_label;        /* "training run, step N" while a live model shows */
  VitaVit           *vit;
  GCancellable      *model_cancellable;
  VitaAnalysisJob   *job;
  VitaAnalysis      *analysis;          /* ref; filled progressively by the job */
  VitaAnalysisSource *analysis_source;  /* the analysis as the panels observe it */
  VitaPeaks         *peaks;             /* waveform envelope of the decoded PCM */
  VitaProbeSet      *probe_set;         /* annotations + probes → probe lanes */
  GPtrArray         *annotation_paths;  /* loaded annotation files, in order */
  GPtrArray         *probe_paths;       /* loaded probe files, in order */
  GCancellable      *ann_cancellable;
  guint              ann_pending;
  VitaProbeogram    *probeogram;
  char              *probeogram_task;   /* chosen task, or NULL: the first lane's */
  guint              update_id;         /* throttles "analysis-updated" */
  gboolean           model_loading;
  gboolean           job_done;          /* "finished" delivered for self->job */
  gboolean           decoded;           /* "decoded" delivered for self->job */
  /* what the panels show as not known yet ("decoding") */
  gboolean           preview;           /* the analysis shown is a preview (came before "decoded") */
  gboolean           decoding_shown;    /* as last notified: decoding, its progress, preview */
  int                decode_permille_shown;
  gboolean           preview_shown;
  guint              decode_poll_id;    /* polls the decoder's progress while it decodes */

  /* a comparison: side B (vita-session-side.h) */
  VitaSessionSide   *side_b;
  GCancellable      *b_cancellable;     /* loading B's model file */
  VitaCompareView    compare_view;
  gboolean           per_side_scale;
  VitaSessionCompare *pending_compare;  /* a restored session's, once A has decoded */
  VitaProbeSet      *probe_set_b;       /* side B's probe lanes (built from the paths below,
                                           an edit side's from probe_paths) */
  GPtrArray         *probe_paths_b;     /* probes loaded for side B (a model or twin) */
  VitaProbeogram    *probeogram_b;      /* side B's, of the probe-o-gram's task */
  int                layer_b, head_b;   /* side B's own layer / head (own layers only) */
  VitaSessionCompare *applied_compare;  /* restored B's probes and layer, until B is set */

  /* view state beyond the timeline */
  VitaAttentionMode  attention_mode;
  VitaColormap       colormap;
  double             speed;
  gboolean           loop;
  gboolean           onset_clicks;
  VitaAttrSettings   attribution;       /* the overlay shown on the mel panel (target NULL: none) */

  /* session files */
  char              *file;
  VitaSessionState  *restoring;         /* the state being restored, until its view is applied */
  char              *expected_sha256;   /* of the model the session file names */
  char              *sha256_warning;
  GPtrArray         *missing;           /* MissingFile* */
  int                pending_layer;     /* the session's layer and head, kept while */
  int                pending_head;      /* its model is missing (Locate… restores them) */
  gboolean           have_pending;

  /* teaching (issue 12): a checkpoint series and the presentation's views */
  char              *series_path;       /* the series folder shown, or NULL */
  gint64             series_step;       /* its checkpoint shown (trained_steps) */
  GHashTable        *checkpoint_analyses; /* VitaVit* → complete VitaAnalysis* of a checkpoint */
  GQueue             checkpoint_lru;    /* its keys, the most recently shown or kept first */
  gsize              checkpoint_budget; /* bytes the kept analyses may hold together */
  GPtrArray         *checkpoint_wanted; /* VitaVit* (not dereferenced) asked ahead since the last shown */
  VitaAnalysisJob   *prefetch_job;      /* a checkpoint analysed ahead (not shown) */
  VitaVit           *prefetch_vit;
  GPtrArray         *views;             /* VitaSessionNamedView* */
};

typedef struct {
  VitaSessionFileKind  kind;
  char                *path;
} MissingFile;

G_DEFINE_FINAL_TYPE (VitaSession, vita_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TIMELINE,
  PROP_AUDIO_PATH,
  PROP_MODEL_PATH,
  PROP_MODEL_LABEL,
  PROP_MODEL,
  PROP_PEAKS,
  PROP_ANALYSIS,
  PROP_ANALYSIS_COMPLETE,
  PROP_MODEL_LOADING,
  PROP_BUSY,
  PROP_ATTENTION_MODE,
  PROP_COLORMAP,
  PROP_SPEED,
  PROP_LOOP,
  PROP_ONSET_CLICKS,
  PROP_FILE,
  PROP_MISSING,
  PROP_SHA256_WARNING,
  PROP_SIDE_B,
  PROP_COMPARE_VIEW,
  PROP_COMPARE_PER_SIDE_SCALE,
  PROP_LAYER_B,
  PROP_HEAD_B,
  PROP_SERIES,
  PROP_DECODING,
  N_PROPS
};
static GParamSpec *props[N_PROPS];

enum {
  SIGNAL_ERROR,             /* (message) a problem to show */
  SIGNAL_INFO,              /* (message) information, e.g. which annotation files were found */
  SIGNAL_PROGRESS,          /* (fraction, text) of the analysis */
  SIGNAL_ANALYSIS_UPDATED,  /* more windows analysed (throttled) */
  SIGNAL_LANES_CHANGED,     /* probe lanes and probe-o-gram rebuilt */
  SIGNAL_VIEW_RESTORED,     /* a restored view was applied to the timeline */
  SIGNAL_PREFETCHED,        /* a checkpoint analysed ahead is kept (vita_session_prefetch_checkpoint) */
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void restart_analysis (VitaSession *self);
static void stop_prefetch (VitaSession *self, gboolean join);
static void keep_checkpoint (VitaSession *self, VitaVit *vit, VitaAnalysis *an);
static void forget_checkpoints (VitaSession *self);
static void update_probe_lanes (VitaSession *self);
static void restore_continue (VitaSession *self);
static void forget_missing (VitaSession *self, VitaSessionFileKind kind);
static void start_side_b (VitaSession *self);
static void side_b_follow_model (VitaSession *self);
static void restore_compare (VitaSession *self);
static void update_probe_lanes_b (VitaSession *self);
static gboolean probe_belongs_to_b (VitaSession *self, const VitaProbe *probe);

static void
emit_error (VitaSession *self, const char *message)
{
  g_signal_emit (self, signals[SIGNAL_ERROR], 0, message);
}

static void
missing_free (MissingFile *m)
{
  g_free (m->path);
  g_free (m);
}

static void
set_string (VitaSession *self, char **field, const char *value, int prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

static void
notify_busy (VitaSession *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_BUSY]);
}

gboolean
vita_session_get_decoding (VitaSession *self, double *progress, gboolean *preview)
{
  gboolean decoding = self->job != NULL && !self->decoded && !self->job_done;
  if (progress != NULL)
    *progress = decoding ? vita_analysis_job_get_decode_progress (self->job) : 1.0;
  if (preview != NULL)
    *preview = self->preview;
  return decoding;
}

/* "decoding" notified when the decoding state, its progress (in whole per cent) or
 * the preview flag changed. */
static void
update_decoding_full (VitaSession *self, gboolean with_progress)
{
  double progress;
  gboolean preview, decoding = vita_session_get_decoding (self, &progress, &preview);
  /* whole per cent: the label's, and what redraws the panels that show it */
  int permille = progress < 0 ? -1 : 10 * (int) floor (100 * progress);
  if (decoding == self->decoding_shown && preview == self->preview_shown &&
      (permille == self->decode_permille_shown || !with_progress))
    return;
  self->decoding_shown = decoding;
  self->decode_permille_shown = permille;
  self->preview_shown = preview;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DECODING]);
  if (decoding && permille >= 0)
    {
      /* Translators: the track is being decoded; a percentage follows. */
      g_autofree char *text = g_strdup_printf (_("Decoding… %d %%"), permille / 10);
      g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, permille / 1000.0, text);
    }
}

/* The decoding state and its progress (the once-a-second poll) */
static void
update_decoding (VitaSession *self)
{
  update_decoding_full (self, TRUE);
}

static gboolean
decode_poll_cb (gpointer user_data)
{
  VitaSession *self = user_data;
  update_decoding (self);
  if (vita_session_get_decoding (self, NULL, NULL))
    return G_SOURCE_CONTINUE;
  self->decode_poll_id = 0;
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------ timeline */

static void
configure_timeline (VitaSession *self, gint64 n_samples)
{
  int n_layers = 0, n_heads = 0, rate = 16000, hop = 512;
  gint64 position = vita_timeline_get_position (self->timeline);
  gint64 start, end;

  vita_timeline_get_visible (self->timeline, &start, &end);
  if (self->vit != NULL)
    vita_engine_model_describe (self->vit, &n_layers, &n_heads, &rate, &hop);
  vita_timeline_configure (self->timeline, rate, hop, n_samples, n_layers, n_heads);
  vita_timeline_set_position (self->timeline, position);
  if (end > start)
    vita_timeline_set_visible (self->timeline, start, end);
}

void
vita_session_set_duration (VitaSession *self, gint64 duration_ns)
{
  int n_layers = 0, n_heads = 0, rate = 16000, hop = 512;

  if (duration_ns <= 0 || (self->job != NULL && vita_analysis_job_get_n_samples (self->job) > 0))
    return;
  if (self->vit != NULL)
    vita_engine_model_describe (self->vit, &n_layers, &n_heads, &rate, &hop);
  configure_timeline (self, (gint64) ((double) duration_ns * rate / G_USEC_PER_SEC / 1000 + 0.5));
}

/* ------------------------------------------------------------------ model */

static void
replace_model (VitaSession *self, VitaVit *vit, const char *path, const char *label)
{
  VitaVit *old = self->vit;

  self->vit = vit;
  vita_engine_model_unref (old);
  set_string (self, &self->model_path, path, PROP_MODEL_PATH);
  set_string (self, &self->live_label, label, PROP_MODEL_LABEL);
  configure_timeline (self, vita_timeline_get_n_samples (self->timeline));
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MODEL]);
  side_b_follow_model (self);
}

static void
check_sha256 (VitaSession *self)
{
  g_autofree char *warning = NULL;

  if (self->expected_sha256 != NULL && self->vit != NULL && self->vit->sha256[0] &&
      g_ascii_strcasecmp (self->expected_sha256, self->vit->sha256) != 0)
    {
      g_autofree char *name = g_path_get_basename (self->model_path ? self->model_path : "model");
      /* Translators: both %s after “SHA-256” are 64-digit checksums. */
      warning = g_strdup_printf (_("Model “%s” has SHA-256 %s, the session recorded %s: "
                                   "it is not the model the session was saved with"),
                                 name, self->vit->sha256, self->expected_sha256);
    }
  g_clear_pointer (&self->expected_sha256, g_free);
  set_string (self, &self->sha256_warning, warning, PROP_SHA256_WARNING);
}

static void
on_model_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(VitaSession) self = user_data;
  g_autoptr(GError) error = NULL;
  VitaVit *vit = vita_engine_load_model_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->model_loading = FALSE;
  if (vit == NULL)
    {
      g_clear_pointer (&self->expected_sha256, g_free);
      emit_error (self, error->message);
    }
  else
    {
      replace_model (self, vit, vit->path ? vit->path : self->pending_model_path, NULL);
      check_sha256 (self);
      if (self->have_pending)
        {
          /* the model a restored session was missing: its layer and head now exist */
          vita_timeline_set_layer (self->timeline, self->pending_layer);
          vita_timeline_set_head (self->timeline, self->pending_head);
          self->have_pending = FALSE;
        }
      if (self->restoring == NULL)
        restart_analysis (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MODEL_LOADING]);
  notify_busy (self);
  if (self->restoring != NULL)
    restore_continue (self);
}

void
vita_session_open_model (VitaSession *self, const char *path)
{
  g_return_if_fail (VITA_IS_SESSION (self));
  g_return_if_fail (path != NULL);

  forget_missing (self, VITA_SESSION_MODEL);
  g_cancellable_cancel (self->model_cancellable);
  g_clear_object (&self->model_cancellable);
  self->model_cancellable = g_cancellable_new ();
  self->model_loading = TRUE;
  g_free (self->pending_model_path);
  self->pending_model_path = g_strdup (path);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MODEL_LOADING]);
  notify_busy (self);
  vita_engine_load_model_async (path, self->model_cancellable, on_model_loaded, g_object_ref (self));
}

void
vita_session_set_live_model (VitaSession *self, VitaVit *vit, const char *label)
{
  g_return_if_fail (VITA_IS_SESSION (self));
  g_return_if_fail (vit != NULL);

  /* a file being loaded would replace the live model later: cancel it */
  const gboolean was_loading = self->model_loading;
  if (self->model_cancellable != NULL)
    g_cancellable_cancel (self->model_cancellable);
  g_clear_object (&self->model_cancellable);
  if (self->model_loading)
    {
      self->model_loading = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MODEL_LOADING]);
    }
  replace_model (self, vita_engine_model_ref (vit), NULL, label);
  if (self->audio_path != NULL)
    restart_analysis (self);
  notify_busy (self);
  /* a restore waiting for the model just cancelled (on_model_loaded goes on with it)
   * goes on with this one: a session with a training series shows its checkpoint while
   * the session's model file loads, and its track never opened */
  if (was_loading && self->restoring != NULL)
    restore_continue (self);
}

/* Every swap restarts the analysis, so swapping faster than it finishes would only
 * ever show half-analysed panels: a snapshot waits for the previous analysis. */
gboolean
vita_session_offer_live_model (VitaSession *self, VitaVit *vit, const char *label)
{
  g_return_val_if_fail (VITA_IS_SESSION (self), FALSE);

  if (vita_session_is_busy (self))
    return FALSE;
  vita_session_set_live_model (self, vit, label);
  return TRUE;
}

/* ------------------------------------------------------------------ analysis */

static void
set_analysis (VitaSession *self, VitaAnalysis *an, VitaPeaks *peaks)
{
  gboolean changed_an = an != self->analysis, changed_peaks = peaks != self->peaks;

  if (changed_an)
    {
      g_clear_pointer (&self->analysis, vita_analysis_unref);
      self->analysis = an ? vita_analysis_ref (an) : NULL;
      vita_analysis_source_set_analysis (self->analysis_source, self->analysis);
    }
  if (changed_peaks)
    {
      g_clear_pointer (&self->peaks, vita_peaks_unref);
      self->peaks = peaks ? vita_peaks_ref (peaks) : NULL;
    }
  if (changed_peaks)
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PEAKS]);
  if (changed_an)
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ANALYSIS]);
}

static void
stop_job (VitaSession *self, gboolean join)
{
  if (self->job == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->job, self);
  g_clear_handle_id (&self->update_id, g_source_remove);
  vita_analysis_job_cancel (self->job);
  if (join)
    vita_analysis_job_join (self->job);
  g_clear_object (&self->job);
  self->decoded = FALSE;
  self->preview = FALSE;
  g_clear_handle_id (&self->decode_poll_id, g_source_remove);
  set_analysis (self, NULL, NULL);
  update_decoding (self);
  notify_busy (self);
}

static void
apply_view (VitaSession *self, const VitaSessionView *v)
{
  VitaTimeline *tl = self->timeline;
  int rate = vita_timeline_get_sample_rate (tl);
  /* times were saved at v->sample_rate: rescale when the model's rate differs */
  double k = v->sample_rate > 0 && rate > 0 ? (double) rate / v->sample_rate : 1.0;
#define AT(t) ((gint64) llround ((double) (t) * k))

  if (v->visible_end > v->visible_start)
    vita_timeline_set_visible (tl, AT (v->visible_start), AT (v->visible_end));
  vita_timeline_set_position (tl, AT (v->position));
  vita_timeline_set_selection (tl, AT (v->selection_start), AT (v->selection_end));
  vita_timeline_set_layer (tl, v->layer);
  vita_timeline_set_head (tl, v->head);
  self->have_pending = vita_timeline_get_n_layers (tl) == 0;
  self->pending_layer = v->layer;
  self->pending_head = v->head;
  vita_timeline_set_query_token (tl, v->query_token);
#undef AT
  vita_session_set_attention_mode (self, v->attention_mode);
  vita_session_set_speed (self, v->speed);
  vita_session_set_loop (self, v->loop);
  vita_session_set_onset_clicks (self, v->onset_clicks);
}

/* The track's length is known (decoded, or from the header for a preview): the
 * timeline spans it, and a restored session's view applies. */
static void
track_length_known (VitaSession *self, VitaAnalysisJob *job)
{
  configure_timeline (self, vita_analysis_job_get_n_samples (job));
  if (self->restoring != NULL)
    {
      g_autoptr(VitaSessionState) state = g_steal_pointer (&self->restoring);
      apply_view (self, &state->view);
      vita_attr_settings_copy (&self->attribution, &state->attribution);
      vita_analysis_job_set_priority_frame (job, vita_timeline_get_current_frame (self->timeline));
      g_signal_emit (self, signals[SIGNAL_VIEW_RESTORED], 0);
    }
}

static void
on_job_decoded (VitaSession *self, VitaAnalysisJob *job)
{
  track_length_known (self, job);
  set_analysis (self, self->analysis, vita_analysis_job_get_peaks (job));
  self->decoded = TRUE;
  update_decoding (self);
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, 0.0,
                 self->vit ? _("Analysing…") : _("Decoded"));
  if (self->pending_compare != NULL)
    restore_compare (self);
  start_side_b (self);
}

static void
on_job_started (VitaSession *self, VitaAnalysisJob *job)
{
  /* a preview (the window under the playhead before the whole track) comes first */
  if (!self->decoded && vita_analysis_job_get_n_samples (job) > 0)
    track_length_known (self, job);
  /* a preview (its mel only in its window: before the track's analysis, also a seek's
   * just after the decode), or the track's */
  self->preview = vita_analysis_job_is_preview (job);
  set_analysis (self, vita_analysis_job_get_analysis (job), self->peaks);
  /* a preview's attention, computed with it: the attention panels show the window in
   * the frame that shows the preview, not one after a worker's round trip */
  int att_window;
  float *att = vita_analysis_job_take_window_attention (job, &att_window);
  VitaPaintCache *cache = vita_analysis_source_get_cache (self->analysis_source);
  if (att != NULL && cache != NULL && vita_paint_cache_get_analysis (cache) == self->analysis)
    vita_paint_cache_put_window_attention (cache, att_window, att);
  else
    g_free (att);
  /* the state only: a new per cent here would re-render the waveform and overview
   * in the frame that shows the preview (the poll brings it within a second) */
  update_decoding_full (self, FALSE);
  /* a preview's window, or the track's analysis replacing it, is there already: the
   * panels under the playhead show it now, as after a progress report */
  if (self->analysis != NULL && g_atomic_int_get (&self->analysis->n_ready) > 0)
    vita_analysis_source_windows_ready (self->analysis_source);
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, 0.0,
                 _("Analysing windows near the playhead first…"));
}

static gboolean
update_cb (gpointer user_data)
{
  VitaSession *self = VITA_SESSION (user_data);

  self->update_id = 0;
  vita_analysis_source_update (self->analysis_source);
  g_signal_emit (self, signals[SIGNAL_ANALYSIS_UPDATED], 0);
  return G_SOURCE_REMOVE;
}

static void
on_job_progress (VitaSession *self, int done, int total, VitaAnalysisJob *job)
{
  /* Translators: progress of the analysis, in windows of the track. */
  g_autofree char *text = g_strdup_printf (_("Analysing: %d of %d windows"), done, total);

  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, total > 0 ? (double) done / total : 0.0, text);
  /* The panels of the window under the playhead show it as soon as it is there
   * (cheap: they redraw only if their window is among those ready). */
  vita_analysis_source_windows_ready (self->analysis_source);
  /* Observers rebuild their heatmaps when told the analysis changed: at most twice
   * a second, so the main loop keeps its frames while the worker runs. */
  if (self->update_id == 0)
    self->update_id = g_timeout_add (500, update_cb, self);
}

static void
on_job_finished (VitaSession *self, GError *error, VitaAnalysisJob *job)
{
  self->job_done = TRUE;
  self->preview = FALSE;   /* a failed decode: nothing more is coming */
  update_decoding (self);
  if (error != NULL)
    emit_error (self, error->message);
  else if (self->series_path != NULL && self->vit != NULL && self->analysis != NULL)
    /* a checkpoint of the series: showing it again is immediate */
    keep_checkpoint (self, self->vit, self->analysis);
  g_clear_handle_id (&self->update_id, g_source_remove);
  vita_analysis_source_update (self->analysis_source);
  g_signal_emit (self, signals[SIGNAL_ANALYSIS_UPDATED], 0);
  update_probe_lanes (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ANALYSIS_COMPLETE]);
  notify_busy (self);
}

static void
restart_analysis (VitaSession *self)
{
  int frame = vita_timeline_get_current_frame (self->timeline);

  stop_job (self, FALSE);
  if (self->audio_path == NULL)
    return;
  if (self->restoring != NULL && vita_timeline_get_hop (self->timeline) > 0)
    frame = (int) (self->restoring->view.position / vita_timeline_get_hop (self->timeline));
  self->job = vita_analysis_job_new (self->audio_path, self->vit, frame);
  vita_analysis_job_set_preview (self->job, TRUE);
  if (self->side_b != NULL)   /* a comparison: half the workers each */
    vita_analysis_job_set_workers (self->job, vita_analysis_job_half_workers ());
  g_signal_connect_swapped (self->job, "decoded", G_CALLBACK (on_job_decoded), self);
  g_signal_connect_swapped (self->job, "analysis-started", G_CALLBACK (on_job_started), self);
  g_signal_connect_swapped (self->job, "progress", G_CALLBACK (on_job_progress), self);
  g_signal_connect_swapped (self->job, "finished", G_CALLBACK (on_job_finished), self);
  self->job_done = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ANALYSIS_COMPLETE]);
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, 0.0, _("Decoding…"));
  notify_busy (self);
  update_probe_lanes (self);   /* the old lanes belong to the old analysis */
  vita_analysis_job_start (self->job);
  update_decoding (self);
  /* once a second: each change redraws the waveform, overview and mel panels (~7 ms
   * of the main thread on a 3-hour track), which at 4 Hz lifted the p95 of the frames
   * while playing from 0.2 to 6.8 ms */
  if (self->decode_poll_id == 0)
    self->decode_poll_id = g_timeout_add (1000, decode_poll_cb, self);
}

void
vita_session_prioritise_position (VitaSession *self)
{
  if (self->job != NULL)
    vita_analysis_job_set_priority_frame (self->job, vita_timeline_get_current_frame (self->timeline));
  if (self->side_b != NULL)
    vita_session_side_set_priority_frame (self->side_b,
                                          vita_timeline_get_current_frame (self->timeline));
}

/* ------------------------------------------------------------------ probes */

/* The probe-o-gram's task: the chosen one, else side A's first lane's (side B shows
 * the same task). */
static const char *
probeogram_task (VitaSession *self)
{
  if (self->probeogram_task != NULL)
    return self->probeogram_task;
  VitaProbe *p = vita_probe_set_get_probe (self->probe_set, 0);
  return p != NULL ? p->task : NULL;
}

/* Several messages at once (a file full of bad lines) become one: the first few,
 * then a count, so the window does not queue hundreds of toasts. */
static void
emit_messages (VitaSession *self, GPtrArray *messages)
{
  g_autoptr(GString) text = NULL;
  const guint shown = 3;

  if (messages == NULL || messages->len == 0)
    return;
  text = g_string_new (NULL);
  for (guint i = 0; i < messages->len && i < shown; i++)
    {
      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, g_ptr_array_index (messages, i));
    }
  if (messages->len > shown)
    {
      g_string_append_c (text, '\n');
      /* Translators: after the first few warnings of a file. */
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "…and %u more warning",
                                                 "…and %u more warnings",
                                                 messages->len - shown),
                              messages->len - shown);
    }
  emit_error (self, text->str);
}

static void
update_probe_lanes (VitaSession *self)
{
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  /* Lanes read the tokens of every frame: only once the analysis is complete. */
  const VitaAnalysis *an = self->job_done ? self->analysis : NULL;

  vita_probe_set_update_lanes (self->probe_set, an, messages);
  g_clear_pointer (&self->probeogram, vita_probeogram_free);
  self->probeogram = vita_probe_set_make_probeogram (self->probe_set, self->probeogram_task, an, messages);
  emit_messages (self, messages);
  /* side B's lanes: the truth (annotations) or the task may have changed */
  if (self->side_b != NULL)
    update_probe_lanes_b (self);
  else
    g_signal_emit (self, signals[SIGNAL_LANES_CHANGED], 0);
}

typedef struct {
  VitaSession *self;   /* ref; the load is cancelled in dispose */
  char        *audio_path;
  GStrv        paths;
} AnnLoad;

static void
on_annotations_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AnnLoad *load = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaAnnotations) ann = vita_annotations_load_finish (result, &error);
  VitaSession *self = load->self;

  self->ann_pending--;
  /* Dropped when the track changed meanwhile: annotations belong to one track. */
  if (ann != NULL && g_strcmp0 (load->audio_path, self->audio_path) == 0)
    {
      for (int i = 0; load->paths[i] != NULL; i++)
        g_ptr_array_add (self->annotation_paths, g_strdup (load->paths[i]));
      vita_probe_set_merge_annotations (self->probe_set, ann);
      if (ann->summary != NULL)  /* what was found, from which file: information */
        g_signal_emit (self, signals[SIGNAL_INFO], 0, ann->summary);
      emit_messages (self, ann->messages);
      update_probe_lanes (self);
    }
  notify_busy (self);
  g_object_unref (self);
  g_free (load->audio_path);
  g_strfreev (load->paths);
  g_free (load);
}

void
vita_session_load_annotations (VitaSession *self, const char *const *paths)
{
  AnnLoad *load;

  g_return_if_fail (VITA_IS_SESSION (self));
  if (paths == NULL || paths[0] == NULL)
    return;
  if (self->ann_cancellable == NULL)
    self->ann_cancellable = g_cancellable_new ();
  load = g_new0 (AnnLoad, 1);
  load->self = g_object_ref (self);
  load->audio_path = g_strdup (self->audio_path);
  load->paths = g_strdupv ((char **) paths);
  self->ann_pending++;
  notify_busy (self);
  vita_annotations_load_async (paths, self->ann_cancellable, on_annotations_loaded, load);
}

void
vita_session_load_probes (VitaSession *self, const char *const *paths)
{
  g_return_if_fail (VITA_IS_SESSION (self));

  for (int i = 0; paths != NULL && paths[i] != NULL; i++)
    {
      g_autofree char *name = g_path_get_basename (paths[i]);
      g_autoptr(GError) error = NULL;
      VitaProbe *probe = vita_probe_load (paths[i], &error);

      if (probe == NULL)
        {
          g_autofree char *message = g_strdup_printf (_("Cannot open “%s”: %s"), name, error->message);
          emit_error (self, message);
          continue;
        }
      if (probe_belongs_to_b (self, probe))
        {
          /* Translators: %s is a probe file name. */
          g_autofree char *message = g_strdup_printf (
              _("Probe “%s” was trained on side B's model: its lane goes to side B"), name);
          g_signal_emit (self, signals[SIGNAL_INFO], 0, message);
          vita_probe_free (probe);
          g_ptr_array_add (self->probe_paths_b, g_strdup (paths[i]));
          continue;
        }
      if (self->vit != NULL && probe->model_sha256[0] && self->vit->sha256[0] &&
          g_ascii_strcasecmp (probe->model_sha256, self->vit->sha256) != 0)
        {
          /* Translators: %s is a probe file name; sha256 is a checksum. */
          g_autofree char *message = g_strdup_printf (
              _("Probe “%s” was trained on another model (sha256 %.12s…, the loaded model "
                "is %.12s…): its lane is shown, but its predictions may mean little"),
              name, probe->model_sha256, self->vit->sha256);
          emit_error (self, message);
        }
      vita_probe_set_add_probe (self->probe_set, probe, paths[i]);
      g_ptr_array_add (self->probe_paths, g_strdup (paths[i]));
    }
  update_probe_lanes (self);
}

/* Side B a model (file or twin) whose probes these are: a probe whose recorded model
 * SHA-256 is B's (and not A's), or one that reads B's width but not A's. */
static gboolean
probe_belongs_to_b (VitaSession *self, const VitaProbe *probe)
{
  VitaSessionSide *b = self->side_b;
  VitaVit *vb = b != NULL && vita_session_side_get_kind (b) != VITA_SIDE_EDIT
                ? vita_session_side_get_model (b) : NULL;
  if (vb == NULL)
    return FALSE;
  if (probe->model_sha256[0] && vb->sha256[0] &&
      g_ascii_strcasecmp (probe->model_sha256, vb->sha256) == 0)
    return self->vit == NULL || g_ascii_strcasecmp (vb->sha256, self->vit->sha256) != 0;
  return self->vit != NULL && probe->dim != self->vit->cfg.dim && probe->dim == vb->cfg.dim;
}

gboolean
vita_session_load_probes_b (VitaSession *self, const char *const *paths, GError **error)
{
  g_return_val_if_fail (VITA_IS_SESSION (self), FALSE);
  VitaSessionSide *b = self->side_b;
  VitaVit *vb = b != NULL ? vita_session_side_get_model (b) : NULL;
  if (b == NULL || vita_session_side_get_kind (b) == VITA_SIDE_EDIT || vb == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("Probes for side B need another model as side B (Compare With… "
                             "or the random-init twin); an edited track uses side A's probes"));
      return FALSE;
    }
  for (int i = 0; paths != NULL && paths[i] != NULL; i++)
    {
      g_autofree char *name = g_path_get_basename (paths[i]);
      g_autoptr(GError) local = NULL;
      VitaProbe *probe = vita_probe_load (paths[i], &local);
      g_autofree char *message = NULL;

      if (probe == NULL)
        message = g_strdup_printf (_("Cannot open “%s”: %s"), name, local->message);
      else if (probe->dim != vb->cfg.dim || probe->layer < 0 || probe->layer > vb->cfg.depth)
        /* Translators: probe file, its layer and width, side B's label, depth and width. */
        message = g_strdup_printf (_("Probe “%s” (layer %d, %d dimensions) does not fit side B, "
                                     "%s (%d layers, %d dimensions)"),
                                   name, probe->layer, probe->dim, vita_session_side_get_label (b),
                                   vb->cfg.depth, vb->cfg.dim);
      else if (!probe->frame_level)
        message = g_strdup_printf (_("Probe “%s” is clip-level: side B shows frame-level probes "
                                     "only"), name);
      if (probe != NULL)
        vita_probe_free (probe);
      if (message != NULL)
        {
          emit_error (self, message);
          continue;
        }
      g_ptr_array_add (self->probe_paths_b, g_strdup (paths[i]));
    }
  update_probe_lanes_b (self);
  return TRUE;
}

const char *const *
vita_session_get_probe_paths_b (VitaSession *self, int *n)
{
  *n = (int) self->probe_paths_b->len;
  return (const char *const *) self->probe_paths_b->pdata;
}

void
vita_session_remove_probe_b (VitaSession *self, int lane)
{
  g_return_if_fail (VITA_IS_SESSION (self));
  const char *path = self->probe_set_b ? vita_probe_set_get_path (self->probe_set_b, lane) : NULL;
  if (path == NULL)
    return;
  for (guint i = 0; i < self->probe_paths_b->len; i++)
    if (g_str_equal (g_ptr_array_index (self->probe_paths_b, i), path))
      {
        g_ptr_array_remove_index (self->probe_paths_b, i);
        break;
      }
  update_probe_lanes_b (self);
}

void
vita_session_remove_probe (VitaSession *self, int lane)
{
  g_autofree char *path = NULL;

  g_return_if_fail (VITA_IS_SESSION (self));
  path = vita_probe_set_remove_probe (self->probe_set, lane);
  if (path == NULL)
    return;
  for (guint i = 0; i < self->probe_paths->len; i++)
    if (g_str_equal (g_ptr_array_index (self->probe_paths, i), path))
      {
        g_ptr_array_remove_index (self->probe_paths, i);
        break;
      }
  update_probe_lanes (self);
}

void
vita_session_clear_probes (VitaSession *self)
{
  g_return_if_fail (VITA_IS_SESSION (self));
  vita_probe_set_clear_probes (self->probe_set);
  g_ptr_array_set_size (self->probe_paths, 0);
  g_ptr_array_set_size (self->probe_paths_b, 0);
  update_probe_lanes (self);
}

void
vita_session_set_probeogram_task (VitaSession *self, const char *task)
{
  g_return_if_fail (VITA_IS_SESSION (self));
  if (g_strcmp0 (task, self->probeogram_task) == 0)
    return;
  g_free (self->probeogram_task);
  self->probeogram_task = g_strdup (task);
  update_probe_lanes (self);
}

const char *
vita_session_get_probeogram_task (VitaSession *self)
{
  g_return_val_if_fail (VITA_IS_SESSION (self), NULL);
  return self->probeogram_task;
}

GStrv
vita_session_get_probe_tasks (VitaSession *self)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  int n_lanes = 0;

  g_return_val_if_fail (VITA_IS_SESSION (self), NULL);
  vita_probe_set_get_lanes (self->probe_set, &n_lanes);
  for (int i = 0; i < n_lanes; i++)
    {
      VitaProbe *p = vita_probe_set_get_probe (self->probe_set, i);
      if (p != NULL && p->task != NULL && g_hash_table_add (seen, p->task))
        g_strv_builder_add (b, p->task);
    }
  return g_strv_builder_end (b);
}

/* ------------------------------------------------------------------ audio */

static void
open_audio (VitaSession *self, const char *path, gboolean beside)
{
  stop_job (self, FALSE);
  /* side B runs on its own copy of the audio: a new track restarts it (on decode); a
   * swap of side A's model alone does not */
  if (self->side_b != NULL)
    vita_session_side_stop (self->side_b, FALSE);
  stop_prefetch (self, FALSE);
  forget_checkpoints (self);   /* they were of the old track */
  set_string (self, &self->audio_path, path, PROP_AUDIO_PATH);
  vita_probe_set_clear_annotations (self->probe_set);
  g_ptr_array_set_size (self->annotation_paths, 0);
  if (beside)
    {
      g_auto(GStrv) paths = vita_annotations_find_beside (path);
      vita_session_load_annotations (self, (const char *const *) paths);
    }
  vita_timeline_set_selection (self->timeline, 0, 0);
  vita_timeline_set_position (self->timeline, 0);
  vita_session_set_loop (self, FALSE);
  restart_analysis (self);
}

/* A file opened by hand replaces the missing one of its kind, if any. */
static void
forget_missing (VitaSession *self, VitaSessionFileKind kind)
{
  for (guint i = 0; i < self->missing->len; i++)
    if (((MissingFile *) g_ptr_array_index (self->missing, i))->kind == kind)
      {
        g_ptr_array_remove_index (self->missing, i);
        g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MISSING]);
        return;
      }
}

void
vita_session_open_audio (VitaSession *self, const char *path)
{
  g_return_if_fail (VITA_IS_SESSION (self));
  g_return_if_fail (path != NULL);

  /* a restore under way is overtaken by the user's choice */
  g_clear_pointer (&self->restoring, vita_session_state_free);
  forget_missing (self, VITA_SESSION_AUDIO);
  open_audio (self, path, TRUE);
}

/* ------------------------------------------------------------------ session files */

static VitaSessionRef *
ref_for (const char *path, const char *sha256)
{
  return vita_session_ref_new (path, sha256);
}

VitaSessionState *
vita_session_to_state (VitaSession *self)
{
  VitaSessionState *state = vita_session_state_new ();
  VitaSessionView *v = &state->view;
  VitaTimeline *tl = self->timeline;

  g_return_val_if_fail (VITA_IS_SESSION (self), state);

  if (self->audio_path != NULL)
    state->audio = ref_for (self->audio_path, NULL);
  if (self->model_path != NULL)
    g_ptr_array_add (state->models, ref_for (self->model_path,
                                             self->vit && self->vit->sha256[0] ? self->vit->sha256 : NULL));
  for (guint i = 0; i < self->annotation_paths->len; i++)
    g_ptr_array_add (state->annotations, ref_for (g_ptr_array_index (self->annotation_paths, i), NULL));
  for (guint i = 0; i < self->probe_paths->len; i++)
    g_ptr_array_add (state->probes, ref_for (g_ptr_array_index (self->probe_paths, i), NULL));
  /* still missing files stay in the session, so that a later save keeps them */
  for (guint i = 0; self->missing != NULL && i < self->missing->len; i++)
    {
      MissingFile *m = g_ptr_array_index (self->missing, i);
      VitaSessionRef *ref = ref_for (m->path, NULL);
      if (m->kind == VITA_SESSION_AUDIO && state->audio == NULL)
        state->audio = ref;
      else if (m->kind == VITA_SESSION_MODEL && state->models->len == 0)
        g_ptr_array_add (state->models, ref);
      else if (m->kind == VITA_SESSION_ANNOTATIONS)
        g_ptr_array_add (state->annotations, ref);
      else if (m->kind == VITA_SESSION_PROBE)
        g_ptr_array_add (state->probes, ref);
      else
        vita_session_ref_free (ref);
    }
  v->sample_rate = vita_timeline_get_sample_rate (tl);
  v->position = vita_timeline_get_position (tl);
  vita_timeline_get_visible (tl, &v->visible_start, &v->visible_end);
  vita_timeline_get_selection (tl, &v->selection_start, &v->selection_end);
  v->layer = vita_timeline_get_layer (tl);
  v->head = vita_timeline_get_head (tl);
  v->query_token = vita_timeline_get_query_token (tl);
  v->attention_mode = self->attention_mode;
  v->colormap = g_strdup (vita_colormap_to_string (self->colormap));
  switch (vita_timeline_get_follow (tl))
    {
    case VITA_FOLLOW_CONTINUOUS: v->follow = g_strdup ("continuous"); break;
    case VITA_FOLLOW_OFF:        v->follow = g_strdup ("off"); break;
    default:                     v->follow = g_strdup ("page"); break;
    }
  v->speed = self->speed;
  v->loop = self->loop;
  v->onset_clicks = self->onset_clicks;
  if (self->side_b != NULL)
    {
      VitaSessionSide *b = self->side_b;
      VitaSessionCompare *c = state->compare = g_new0 (VitaSessionCompare, 1);
      VitaVit *vb = vita_session_side_get_model (b);
      c->kind = vita_session_side_get_kind (b);
      if (c->kind == VITA_SIDE_MODEL)
        c->model = ref_for (vita_session_side_get_model_path (b),
                            vb && vb->sha256[0] ? vb->sha256 : NULL);
      c->seed = vita_session_side_get_seed (b);
      c->edits = g_strdupv ((char **) vita_session_side_get_edits (b));
      c->difference = self->compare_view == VITA_COMPARE_DIFFERENCE;
      c->per_side_scale = self->per_side_scale;
      c->has_layer_b = vita_session_get_compare_own_layers (self);
      c->layer_b = self->layer_b;
      c->head_b = self->head_b;
      c->probes_b = g_ptr_array_new_with_free_func ((GDestroyNotify) vita_session_ref_free);
      for (guint i = 0; i < self->probe_paths_b->len; i++)
        g_ptr_array_add (c->probes_b, ref_for (g_ptr_array_index (self->probe_paths_b, i), NULL));
    }
  vita_attr_settings_copy (&state->attribution, &self->attribution);
  state->series = g_strdup (self->series_path);
  state->series_step = self->series_step;
  for (guint i = 0; i < self->views->len; i++)
    g_ptr_array_add (state->views, vita_session_named_view_copy (g_ptr_array_index (self->views, i)));
  return state;
}

static void
add_missing (VitaSession *self, VitaSessionFileKind kind, const char *path)
{
  MissingFile *m = g_new0 (MissingFile, 1);

  m->kind = kind;
  m->path = g_strdup (path);
  g_ptr_array_add (self->missing, m);
}

/* Step two of a restore (after the model, if any): the audio, then annotations and
 * probes; the view follows in on_job_decoded. */
static void
restore_continue (VitaSession *self)
{
  VitaSessionState *state = self->restoring;
  g_autoptr(GPtrArray) annotations = g_ptr_array_new ();
  g_autoptr(GPtrArray) probes = g_ptr_array_new ();

  if (state->audio == NULL || !state->audio->found)
    {
      g_autoptr(VitaSessionState) done = g_steal_pointer (&self->restoring);
      g_signal_emit (self, signals[SIGNAL_VIEW_RESTORED], 0);
      notify_busy (self);
      return;
    }
  open_audio (self, state->audio->path, FALSE);
  for (guint i = 0; i < state->annotations->len; i++)
    {
      VitaSessionRef *ref = g_ptr_array_index (state->annotations, i);
      if (ref->found)
        g_ptr_array_add (annotations, ref->path);
    }
  g_ptr_array_add (annotations, NULL);
  vita_session_load_annotations (self, (const char *const *) annotations->pdata);
  for (guint i = 0; i < state->probes->len; i++)
    {
      VitaSessionRef *ref = g_ptr_array_index (state->probes, i);
      if (ref->found)
        g_ptr_array_add (probes, ref->path);
    }
  g_ptr_array_add (probes, NULL);
  vita_session_load_probes (self, (const char *const *) probes->pdata);
}

const VitaAttrSettings *
vita_session_get_attribution (VitaSession *self)
{
  g_return_val_if_fail (VITA_IS_SESSION (self), NULL);
  return &self->attribution;
}

void
vita_session_set_attribution (VitaSession *self, const VitaAttrSettings *settings)
{
  g_return_if_fail (VITA_IS_SESSION (self));
  if (settings)
    vita_attr_settings_copy (&self->attribution, settings);
  else
    {
      vita_attr_settings_clear (&self->attribution);
      vita_attr_settings_init (&self->attribution);
    }
}

void
vita_session_restore (VitaSession *self, VitaSessionState *state)
{
  VitaSessionRef *model = NULL;

  g_return_if_fail (VITA_IS_SESSION (self));
  g_return_if_fail (state != NULL);

  g_clear_pointer (&self->restoring, vita_session_state_free);
  self->restoring = state;
  vita_session_stop_comparing (self);
  self->pending_compare = g_steal_pointer (&state->compare);

  g_ptr_array_set_size (self->missing, 0);
  if (state->audio != NULL && !state->audio->found)
    add_missing (self, VITA_SESSION_AUDIO, state->audio->path);
  if (state->models->len > 0)
    model = g_ptr_array_index (state->models, 0);
  if (model != NULL && !model->found)
    add_missing (self, VITA_SESSION_MODEL, model->path);
  for (guint i = 0; i < state->annotations->len; i++)
    if (!((VitaSessionRef *) g_ptr_array_index (state->annotations, i))->found)
      add_missing (self, VITA_SESSION_ANNOTATIONS, ((VitaSessionRef *) g_ptr_array_index (state->annotations, i))->path);
  for (guint i = 0; i < state->probes->len; i++)
    if (!((VitaSessionRef *) g_ptr_array_index (state->probes, i))->found)
      add_missing (self, VITA_SESSION_PROBE, ((VitaSessionRef *) g_ptr_array_index (state->probes, i))->path);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MISSING]);
  set_string (self, &self->sha256_warning, NULL, PROP_SHA256_WARNING);

  if (state->view.colormap != NULL)
    {
      VitaColormap cmap;
      if (vita_colormap_from_string (state->view.colormap, &cmap))
        vita_session_set_colormap (self, cmap);
    }
  if (state->view.follow != NULL)
    vita_timeline_set_follow (self->timeline,
                              g_str_equal (state->view.follow, "continuous") ? VITA_FOLLOW_CONTINUOUS
                              : g_str_equal (state->view.follow, "off") ? VITA_FOLLOW_OFF
                                                                        : VITA_FOLLOW_PAGE);
  g_ptr_array_set_size (self->views, 0);
  for (guint i = 0; i < state->views->len; i++)
    g_ptr_array_add (self->views, vita_session_named_view_copy (g_ptr_array_index (state->views, i)));
  notify_busy (self);
  if (model == NULL || !model->found)
    {
      /* the session names no model, or one that is missing: none is shown (not the
       * model of what was open before) */
      g_cancellable_cancel (self->model_cancellable);
      g_clear_object (&self->model_cancellable);
      if (self->model_loading)
        {
          self->model_loading = FALSE;
          g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MODEL_LOADING]);
        }
      if (self->vit != NULL)
        replace_model (self, NULL, NULL, NULL);
    }
  g_autofree char *series = g_strdup (state->series);
  gint64 series_step = state->series_step;
  vita_session_set_series (self, NULL, 0);   /* the series shown before closes; state's reopens below */
  if (model != NULL && model->found)
    {
      g_free (self->expected_sha256);
      self->expected_sha256 = g_strdup (model->sha256);
      vita_session_open_model (self, model->path);
    }
  else
    restore_continue (self);
  /* the window opens the series and shows its checkpoint (notify::series) */
  vita_session_set_series (self, series, series_step);
}

/* ------------------------------------------------------------------ teaching */

/* Bytes an analysis holds in memory (tokens kept in a cache file do not count). */
static gsize
analysis_bytes (const VitaAnalysis *an)
{
  const VitaVitConfig *c = &an->cfg;
  gsize F = MAX (an->n_frames, 0), S = MAX (an->ssm_size, 0), Ly = MAX (an->n_layers, 0);
  gsize n = 0;

  if (an->mel)
    n += F * c->fe.n_mels;
  if (an->tokens)
    n += Ly * F * c->dim;
  if (an->cls)
    n += (gsize) MAX (an->n_windows, 0) * Ly * c->dim;
  if (an->received)
    n += (gsize) c->depth * c->heads * F;
  if (an->ssm)
    n += Ly * S * S;
  if (g_atomic_pointer_get ((float **) &an->cka))   /* set by the job's thread after the analysis */
    n += Ly * Ly;
  if (an->onset)
    n += F;
  return n * sizeof (float);
}

static void
touch_checkpoint (VitaSession *self, VitaVit *vit)
{
  g_queue_remove (&self->checkpoint_lru, vit);
  g_queue_push_head (&self->checkpoint_lru, vit);
}

static void
forget_checkpoints (VitaSession *self)
{
  g_ptr_array_set_size (self->checkpoint_wanted, 0);
  g_queue_clear (&self->checkpoint_lru);
  g_hash_table_remove_all (self->checkpoint_analyses);
}

static gsize
kept_bytes (VitaSession *self)
{
  gsize total = 0;

  for (GList *l = self->checkpoint_lru.head; l != NULL; l = l->next)
    total += analysis_bytes (g_hash_table_lookup (self->checkpoint_analyses, l->data));
  return total;
}

/* Evicts kept analyses, least recently shown or kept first, until `need` more bytes fit
 * the budget.  The checkpoint shown now stays, and so do those the window asked for
 * ahead since it was shown (its neighbours, nearest first): analysing ahead never
 * evicts a nearer neighbour for a farther one.  TRUE when it fits. */
static gboolean
make_room (VitaSession *self, gsize need)
{
  gsize total = kept_bytes (self);
  GList *l, *prev;

  for (l = self->checkpoint_lru.tail; l != NULL && total + need > self->checkpoint_budget; l = prev)
    {
      prev = l->prev;
      if (l->data == self->vit || g_ptr_array_find (self->checkpoint_wanted, l->data, NULL))
        continue;
      total -= analysis_bytes (g_hash_table_lookup (self->checkpoint_analyses, l->data));
      g_hash_table_remove (self->checkpoint_analyses, l->data);
      g_queue_delete_link (&self->checkpoint_lru, l);
    }
  return total + need <= self->checkpoint_budget;
}

/* Keeps a checkpoint's complete analysis (showing it again needs no analysis), within
 * the budget as far as make_room allows. */
static void
keep_checkpoint (VitaSession *self, VitaVit *vit, VitaAnalysis *an)
{
  g_hash_table_replace (self->checkpoint_analyses, vita_engine_model_ref (vit), vita_analysis_ref (an));
  touch_checkpoint (self, vit);
  make_room (self, 0);
}

void
vita_session_set_checkpoint_budget (VitaSession *self, gsize bytes)
{
  g_return_if_fail (VITA_IS_SESSION (self));
  self->checkpoint_budget = bytes;
}

guint
vita_session_get_n_checkpoint_analyses (VitaSession *self, gsize *bytes)
{
  g_return_val_if_fail (VITA_IS_SESSION (self), 0);
  if (bytes != NULL)
    *bytes = kept_bytes (self);
  return g_hash_table_size (self->checkpoint_analyses);
}

void
vita_session_set_series (VitaSession *self, const char *path, gint64 step)
{
  g_return_if_fail (VITA_IS_SESSION (self));

  if (g_strcmp0 (path, self->series_path) == 0 && step == self->series_step)
    return;
  if (g_strcmp0 (path, self->series_path) != 0)
    {
      stop_prefetch (self, FALSE);
      forget_checkpoints (self);
    }
  g_free (self->series_path);
  self->series_path = g_strdup (path);
  self->series_step = path ? step : 0;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SERIES]);
}

const char *
vita_session_get_series (VitaSession *self, gint64 *step)
{
  g_return_val_if_fail (VITA_IS_SESSION (self), NULL);
  if (step != NULL)
    *step = self->series_step;
  return self->series_path;
}

gboolean
vita_session_has_checkpoint_analysis (VitaSession *self, VitaVit *vit)
{
  return g_hash_table_contains (self->checkpoint_analyses, vit);
}

void
vita_session_show_checkpoint (VitaSession *self, VitaVit *vit, const char *label)
{
  VitaAnalysis *cached;

  g_return_if_fail (VITA_IS_SESSION (self));
  g_return_if_fail (vit != NULL);

  g_ptr_array_set_size (self->checkpoint_wanted, 0);   /* its neighbours are asked for anew */
  if (self->prefetch_vit == vit)
    stop_prefetch (self, FALSE);   /* shown now: its own job, the window under the playhead first */
  cached = g_hash_table_lookup (self->checkpoint_analyses, vit);
  if (cached == NULL || self->audio_path == NULL || self->peaks == NULL || self->restoring != NULL)
    {
      vita_session_set_live_model (self, vit, label);
      return;
    }
  /* analysed before: its complete analysis, no job (the PCM envelope stays) */
  touch_checkpoint (self, vit);
  g_autoptr(VitaPeaks) peaks = vita_peaks_ref (self->peaks);
  vita_analysis_ref (cached);
  stop_job (self, FALSE);
  replace_model (self, vita_engine_model_ref (vit), NULL, label);
  set_analysis (self, cached, peaks);
  vita_analysis_unref (cached);
  self->job_done = TRUE;
  vita_analysis_source_update (self->analysis_source);
  g_signal_emit (self, signals[SIGNAL_ANALYSIS_UPDATED], 0);
  update_probe_lanes (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ANALYSIS_COMPLETE]);
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, 1.0, label);
  notify_busy (self);
}

static void
stop_prefetch (VitaSession *self, gboolean join)
{
  if (self->prefetch_job == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->prefetch_job, self);
  vita_analysis_job_cancel (self->prefetch_job);
  if (join)
    vita_analysis_job_join (self->prefetch_job);
  g_clear_object (&self->prefetch_job);
  g_clear_pointer (&self->prefetch_vit, vita_engine_model_unref);
}

static void
on_prefetch_finished (VitaSession *self, GError *error, VitaAnalysisJob *job)
{
  VitaAnalysis *an = vita_analysis_job_get_analysis (job);

  if (error == NULL && an != NULL && self->prefetch_vit != NULL)
    keep_checkpoint (self, self->prefetch_vit, an);
  stop_prefetch (self, FALSE);
  g_signal_emit (self, signals[SIGNAL_PREFETCHED], 0);
}

gboolean
vita_session_prefetch_checkpoint (VitaSession *self, VitaVit *vit)
{
  g_return_val_if_fail (VITA_IS_SESSION (self), FALSE);
  g_return_val_if_fail (vit != NULL, FALSE);

  if (self->audio_path == NULL || self->series_path == NULL || self->prefetch_job != NULL)
    return FALSE;
  if (!g_ptr_array_find (self->checkpoint_wanted, vit, NULL))
    g_ptr_array_add (self->checkpoint_wanted, vit);   /* a neighbour of the one shown: kept */
  if (g_hash_table_contains (self->checkpoint_analyses, vit))
    return FALSE;
  /* room for one more, as large as the analysis shown (same track, same architecture) */
  if (!make_room (self, self->analysis != NULL ? analysis_bytes (self->analysis) : 0))
    return FALSE;
  self->prefetch_vit = vita_engine_model_ref (vit);
  self->prefetch_job = vita_analysis_job_new (self->audio_path, vit,
                                              vita_timeline_get_current_frame (self->timeline));
  g_signal_connect_swapped (self->prefetch_job, "finished", G_CALLBACK (on_prefetch_finished), self);
  vita_analysis_job_start (self->prefetch_job);
  return TRUE;
}

gboolean
vita_session_is_prefetching (VitaSession *self)
{
  return self->prefetch_job != NULL;
}

GPtrArray *
vita_session_get_views (VitaSession *self)
{
  g_return_val_if_fail (VITA_IS_SESSION (self), NULL);
  return self->views;
}

void
vita_session_add_view (VitaSession *self, VitaSessionNamedView *view)
{
  g_return_if_fail (VITA_IS_SESSION (self));
  g_ptr_array_add (self->views, view);
}

const char *
vita_session_get_file (VitaSession *self)
{
  return self->file;
}

void
vita_session_set_file (VitaSession *self, const char *path)
{
  set_string (self, &self->file, path, PROP_FILE);
}

gboolean
vita_session_get_missing (VitaSession *self, VitaSessionFileKind *kind, const char **path)
{
  MissingFile *m;

  if (self->missing->len == 0)
    return FALSE;
  m = g_ptr_array_index (self->missing, 0);
  if (kind != NULL)
    *kind = m->kind;
  if (path != NULL)
    *path = m->path;
  return TRUE;
}

void
vita_session_locate (VitaSession *self, const char *path)
{
  MissingFile *m;
  const char *paths[] = { path, NULL };

  g_return_if_fail (VITA_IS_SESSION (self));
  if (self->missing->len == 0)
    return;
  m = g_ptr_array_steal_index (self->missing, 0);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MISSING]);
  switch (m->kind)
    {
    case VITA_SESSION_AUDIO:       vita_session_open_audio (self, path); break;
    case VITA_SESSION_MODEL:       vita_session_open_model (self, path); break;
    case VITA_SESSION_ANNOTATIONS: vita_session_load_annotations (self, paths); break;
    case VITA_SESSION_PROBE:       vita_session_load_probes (self, paths); break;
    }
  missing_free (m);
}

const char *
vita_session_get_sha256_warning (VitaSession *self)
{
  return self->sha256_warning;
}

gboolean
vita_session_is_restoring (VitaSession *self)
{
  return self->restoring != NULL;
}

/* ------------------------------------------------------------------ view state */

VitaAttentionMode
vita_session_get_attention_mode (VitaSession *self)
{
  return self->attention_mode;
}

void
vita_session_set_attention_mode (VitaSession *self, VitaAttentionMode mode)
{
  if (self->attention_mode == mode)
    return;
  self->attention_mode = mode;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ATTENTION_MODE]);
}

VitaColormap
vita_session_get_colormap (VitaSession *self)
{
  return self->colormap;
}

void
vita_session_set_colormap (VitaSession *self, VitaColormap colormap)
{
  if (self->colormap == colormap)
    return;
  self->colormap = colormap;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_COLORMAP]);
}

double
vita_session_get_speed (VitaSession *self)
{
  return self->speed;
}

void
vita_session_set_speed (VitaSession *self, double speed)
{
  if (!(speed > 0) || self->speed == speed)
    return;
  self->speed = speed;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SPEED]);
}

gboolean
vita_session_get_loop (VitaSession *self)
{
  return self->loop;
}

void
vita_session_set_loop (VitaSession *self, gboolean loop)
{
  if (self->loop == !!loop)
    return;
  self->loop = !!loop;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOOP]);
}

gboolean
vita_session_get_onset_clicks (VitaSession *self)
{
  return self->onset_clicks;
}

void
vita_session_set_onset_clicks (VitaSession *self, gboolean on)
{
  if (self->onset_clicks == !!on)
    return;
  self->onset_clicks = !!on;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ONSET_CLICKS]);
}

/* ------------------------------------------------------------------ getters */

VitaTimeline *vita_session_get_timeline (VitaSession *self) { return self->timeline; }
const char *vita_session_get_audio_path (VitaSession *self) { return self->audio_path; }
const char *vita_session_get_model_path (VitaSession *self) { return self->model_path; }
const char *vita_session_get_model_label (VitaSession *self) { return self->live_label; }
VitaVit *vita_session_get_model (VitaSession *self) { return self->vit; }
VitaPeaks *vita_session_get_peaks (VitaSession *self) { return self->peaks; }
VitaAnalysis *vita_session_get_analysis (VitaSession *self) { return self->analysis; }
gboolean vita_session_get_analysis_complete (VitaSession *self) { return self->job_done; }
gboolean vita_session_get_model_loading (VitaSession *self) { return self->model_loading; }
gboolean vita_session_is_loading_annotations (VitaSession *self) { return self->ann_pending > 0; }
VitaProbeSet *vita_session_get_probe_set (VitaSession *self) { return self->probe_set; }
const VitaProbeogram *vita_session_get_probeogram (VitaSession *self) { return self->probeogram; }
VitaAnalysisSource *vita_session_get_analysis_source (VitaSession *self) { return self->analysis_source; }

VitaProbeLane *const *
vita_session_get_probe_lanes (VitaSession *self, int *n_lanes)
{
  return vita_probe_set_get_lanes (self->probe_set, n_lanes);
}

gboolean
vita_session_is_busy (VitaSession *self)
{
  /* Until "finished" has been delivered on this thread, not only until the worker
   * has left: what it reports lands through the main loop. */
  return self->model_loading || (self->job != NULL && !self->job_done) || self->restoring != NULL;
}

/* ------------------------------------------------------------------ GObject */

static void
vita_session_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VitaSession *self = VITA_SESSION (object);

  switch (prop_id)
    {
    case PROP_TIMELINE:          g_value_set_object (value, self->timeline); break;
    case PROP_AUDIO_PATH:        g_value_set_string (value, self->audio_path); break;
    case PROP_MODEL_PATH:        g_value_set_string (value, self->model_path); break;
    case PROP_MODEL_LABEL:       g_value_set_string (value, self->live_label); break;
    case PROP_SERIES:            g_value_set_string (value, self->series_path); break;
    case PROP_MODEL:             g_value_set_pointer (value, self->vit); break;
    case PROP_PEAKS:             g_value_set_pointer (value, self->peaks); break;
    case PROP_ANALYSIS:          g_value_set_pointer (value, self->analysis); break;
    case PROP_ANALYSIS_COMPLETE: g_value_set_boolean (value, self->job_done); break;
    case PROP_DECODING:          g_value_set_boolean (value, vita_session_get_decoding (self, NULL, NULL)); break;
    case PROP_SIDE_B:            g_value_set_object (value, self->side_b); break;
    case PROP_COMPARE_VIEW:      g_value_set_int (value, self->compare_view); break;
    case PROP_COMPARE_PER_SIDE_SCALE: g_value_set_boolean (value, self->per_side_scale); break;
    case PROP_LAYER_B:           g_value_set_int (value, self->layer_b); break;
    case PROP_HEAD_B:            g_value_set_int (value, self->head_b); break;
    case PROP_MODEL_LOADING:     g_value_set_boolean (value, self->model_loading); break;
    case PROP_BUSY:              g_value_set_boolean (value, vita_session_is_busy (self)); break;
    case PROP_ATTENTION_MODE:    g_value_set_int (value, self->attention_mode); break;
    case PROP_COLORMAP:          g_value_set_int (value, self->colormap); break;
    case PROP_SPEED:             g_value_set_double (value, self->speed); break;
    case PROP_LOOP:              g_value_set_boolean (value, self->loop); break;
    case PROP_ONSET_CLICKS:      g_value_set_boolean (value, self->onset_clicks); break;
    case PROP_FILE:              g_value_set_string (value, self->file); break;
    case PROP_MISSING:           g_value_set_uint (value, self->missing->len); break;
    case PROP_SHA256_WARNING:    g_value_set_string (value, self->sha256_warning); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vita_session_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VitaSession *self = VITA_SESSION (object);

  switch (prop_id)
    {
    case PROP_ATTENTION_MODE: vita_session_set_attention_mode (self, g_value_get_int (value)); break;
    case PROP_COLORMAP:       vita_session_set_colormap (self, g_value_get_int (value)); break;
    case PROP_SPEED:          vita_session_set_speed (self, g_value_get_double (value)); break;
    case PROP_LOOP:           vita_session_set_loop (self, g_value_get_boolean (value)); break;
    case PROP_ONSET_CLICKS:   vita_session_set_onset_clicks (self, g_value_get_boolean (value)); break;
    case PROP_COMPARE_VIEW: vita_session_set_compare_view (self, g_value_get_int (value)); break;
    case PROP_LAYER_B:      vita_session_set_layer_b (self, g_value_get_int (value)); break;
    case PROP_HEAD_B:       vita_session_set_head_b (self, g_value_get_int (value)); break;
    case PROP_COMPARE_PER_SIDE_SCALE:
      vita_session_set_compare_per_side_scale (self, g_value_get_boolean (value));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vita_session_dispose (GObject *object)
{
  VitaSession *self = VITA_SESSION (object);

  /* Cancel and join the worker before anything it reports to goes away. */
  stop_job (self, TRUE);
  if (self->b_cancellable != NULL)
    g_cancellable_cancel (self->b_cancellable);
  g_clear_object (&self->b_cancellable);
  if (self->side_b != NULL)
    g_signal_handlers_disconnect_by_data (self->side_b, self);
  g_clear_object (&self->side_b);
  stop_prefetch (self, TRUE);
  if (self->model_cancellable != NULL)
    g_cancellable_cancel (self->model_cancellable);
  g_clear_object (&self->model_cancellable);
  if (self->ann_cancellable != NULL)
    g_cancellable_cancel (self->ann_cancellable);
  g_clear_object (&self->ann_cancellable);
  G_OBJECT_CLASS (vita_session_parent_class)->dispose (object);
}

static void
vita_session_finalize (GObject *object)
{
  VitaSession *self = VITA_SESSION (object);

  vita_engine_model_unref (self->vit);
  vita_attr_settings_clear (&self->attribution);
  g_clear_pointer (&self->analysis, vita_analysis_unref);
  g_clear_object (&self->analysis_source);
  g_clear_pointer (&self->peaks, vita_peaks_unref);
  g_clear_pointer (&self->probeogram, vita_probeogram_free);
  g_clear_pointer (&self->probe_set, vita_probe_set_free);
  g_clear_pointer (&self->annotation_paths, g_ptr_array_unref);
  g_clear_pointer (&self->probe_paths, g_ptr_array_unref);
  g_clear_pointer (&self->probeogram_task, g_free);
  g_clear_pointer (&self->missing, g_ptr_array_unref);
  g_clear_pointer (&self->restoring, vita_session_state_free);
  g_clear_pointer (&self->pending_compare, vita_session_compare_free);
  g_clear_pointer (&self->probe_set_b, vita_probe_set_free);
  g_clear_pointer (&self->probe_paths_b, g_ptr_array_unref);
  g_clear_pointer (&self->probeogram_b, vita_probeogram_free);
  g_clear_pointer (&self->applied_compare, vita_session_compare_free);
  g_clear_object (&self->timeline);
  g_free (self->audio_path);
  g_free (self->model_path);
  g_free (self->pending_model_path);
  g_free (self->live_label);
  g_free (self->file);
  g_free (self->expected_sha256);
  g_free (self->sha256_warning);
  g_free (self->series_path);
  g_queue_clear (&self->checkpoint_lru);
  g_clear_pointer (&self->checkpoint_wanted, g_ptr_array_unref);
  g_clear_pointer (&self->checkpoint_analyses, g_hash_table_unref);
  g_clear_pointer (&self->views, g_ptr_array_unref);
  G_OBJECT_CLASS (vita_session_parent_class)->finalize (object);
}

static void
vita_session_class_init (VitaSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = vita_session_get_property;
  object_class->set_property = vita_session_set_property;
  object_class->dispose = vita_session_dispose;
  object_class->finalize = vita_session_finalize;

  props[PROP_TIMELINE] = g_param_spec_object ("timeline", NULL, NULL, VITA_TYPE_TIMELINE, ro);
  props[PROP_AUDIO_PATH] = g_param_spec_string ("audio-path", NULL, NULL, NULL, ro);
  props[PROP_MODEL_PATH] = g_param_spec_string ("model-path", NULL, NULL, NULL, ro);
  props[PROP_MODEL_LABEL] = g_param_spec_string ("model-label", NULL, NULL, NULL, ro);
  props[PROP_MODEL] = g_param_spec_pointer ("model", NULL, NULL, ro);
  props[PROP_PEAKS] = g_param_spec_pointer ("peaks", NULL, NULL, ro);
  props[PROP_ANALYSIS] = g_param_spec_pointer ("analysis", NULL, NULL, ro);
  props[PROP_ANALYSIS_COMPLETE] = g_param_spec_boolean ("analysis-complete", NULL, NULL, FALSE, ro);
  props[PROP_MODEL_LOADING] = g_param_spec_boolean ("model-loading", NULL, NULL, FALSE, ro);
  props[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, ro);
  /* notify-only: vita_session_get_decoding */
  props[PROP_DECODING] = g_param_spec_boolean ("decoding", NULL, NULL, FALSE, ro);
  props[PROP_ATTENTION_MODE] = g_param_spec_int ("attention-mode", NULL, NULL, VITA_ATTENTION_HEAD,
                                                 VITA_ATTENTION_ROLLOUT, VITA_ATTENTION_HEAD, rw);
  props[PROP_COLORMAP] = g_param_spec_int ("colormap", NULL, NULL, 0, VITA_N_COLORMAPS - 1,
                                           VITA_COLORMAP_VIRIDIS, rw);
  props[PROP_SPEED] = g_param_spec_double ("speed", NULL, NULL, 0.25, 4.0, 1.0, rw);
  props[PROP_LOOP] = g_param_spec_boolean ("loop", NULL, NULL, FALSE, rw);
  props[PROP_ONSET_CLICKS] = g_param_spec_boolean ("onset-clicks", NULL, NULL, FALSE, rw);
  props[PROP_FILE] = g_param_spec_string ("file", NULL, NULL, NULL, ro);
  props[PROP_MISSING] = g_param_spec_uint ("missing", NULL, NULL, 0, G_MAXUINT, 0, ro);
  props[PROP_SHA256_WARNING] = g_param_spec_string ("sha256-warning", NULL, NULL, NULL, ro);
  props[PROP_SIDE_B] = g_param_spec_object ("side-b", NULL, NULL, VITA_TYPE_SESSION_SIDE, ro);
  props[PROP_COMPARE_VIEW] = g_param_spec_int ("compare-view", NULL, NULL, VITA_COMPARE_SIDE_BY_SIDE,
                                               VITA_COMPARE_DIFFERENCE, VITA_COMPARE_SIDE_BY_SIDE, rw);
  props[PROP_COMPARE_PER_SIDE_SCALE] = g_param_spec_boolean ("compare-per-side-scale", NULL, NULL,
                                                             FALSE, rw);
  props[PROP_LAYER_B] = g_param_spec_int ("layer-b", NULL, NULL, 0, G_MAXINT, 0, rw);
  props[PROP_HEAD_B] = g_param_spec_int ("head-b", NULL, NULL, -1, G_MAXINT, -1, rw);
  props[PROP_SERIES] = g_param_spec_string ("series", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, props);

  signals[SIGNAL_ERROR] = g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_INFO] = g_signal_new ("info", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_DOUBLE,
                                           G_TYPE_STRING);
  signals[SIGNAL_ANALYSIS_UPDATED] = g_signal_new ("analysis-updated", G_TYPE_FROM_CLASS (klass),
                                                   G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                   G_TYPE_NONE, 0);
  signals[SIGNAL_LANES_CHANGED] = g_signal_new ("lanes-changed", G_TYPE_FROM_CLASS (klass),
                                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                G_TYPE_NONE, 0);
  signals[SIGNAL_VIEW_RESTORED] = g_signal_new ("view-restored", G_TYPE_FROM_CLASS (klass),
                                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                G_TYPE_NONE, 0);
  signals[SIGNAL_PREFETCHED] = g_signal_new ("prefetched", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 0);
}

static void
vita_session_init (VitaSession *self)
{
  self->timeline = vita_timeline_new ();
  self->analysis_source = vita_analysis_source_new ();
  vita_attr_settings_init (&self->attribution);
  self->probe_set = vita_probe_set_new ();
  self->probe_paths_b = g_ptr_array_new_with_free_func (g_free);
  self->head_b = -1;
  self->annotation_paths = g_ptr_array_new_with_free_func (g_free);
  self->probe_paths = g_ptr_array_new_with_free_func (g_free);
  self->missing = g_ptr_array_new_with_free_func ((GDestroyNotify) missing_free);
  self->attention_mode = VITA_ATTENTION_HEAD;
  self->colormap = VITA_COLORMAP_VIRIDIS;
  self->speed = 1.0;
  self->checkpoint_analyses = g_hash_table_new_full (NULL, NULL,
                                                     (GDestroyNotify) vita_engine_model_unref,
                                                     (GDestroyNotify) vita_analysis_unref);
  g_queue_init (&self->checkpoint_lru);
  self->checkpoint_wanted = g_ptr_array_new ();
  self->checkpoint_budget = VITA_SESSION_CHECKPOINT_BUDGET;
  self->views = g_ptr_array_new_with_free_func ((GDestroyNotify) vita_session_named_view_free);
}

VitaSession *
vita_session_new (void)
{
  return g_object_new (VITA_TYPE_SESSION, NULL);
}

/* ------------------------------------------------------------------ comparison */

char *
vita_session_describe_side_a (VitaSession *self)
{
  if (self->live_label != NULL)
    return g_strdup (self->live_label);
  return self->vit ? vita_vit_describe (self->vit) : g_strdup (_("no model"));
}

static void
on_side_b_failed (VitaSession *self, const char *message, VitaSessionSide *side)
{
  emit_error (self, message);
  /* a side B that cannot be analysed is dropped; side A goes on */
  vita_session_stop_comparing (self);
}

/* Side B's lanes and probe-o-gram, once B is complete: an edit side applies the loaded
 * probes to the edited track (no annotations: they describe side A's track); another
 * model its own probes (probe_paths_b), scored against the track's annotations. */
static void
update_probe_lanes_b (VitaSession *self)
{
  VitaSessionSide *b = self->side_b;
  gboolean edit = b != NULL && vita_session_side_get_kind (b) == VITA_SIDE_EDIT;
  GPtrArray *paths = edit ? self->probe_paths : self->probe_paths_b;
  g_clear_pointer (&self->probe_set_b, vita_probe_set_free);
  g_clear_pointer (&self->probeogram_b, vita_probeogram_free);
  if (b != NULL && vita_session_side_get_complete (b) && paths->len > 0)
    {
      g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
      const VitaAnalysis *an = vita_session_side_get_analysis (b);
      self->probe_set_b = vita_probe_set_new ();
      for (guint i = 0; i < paths->len; i++)
        {
          const char *path = g_ptr_array_index (paths, i);
          VitaProbe *probe = vita_probe_load (path, NULL);   /* loaded once already */
          if (probe != NULL)
            vita_probe_set_add_probe (self->probe_set_b, probe, path);
        }
      vita_probe_set_update_lanes_with_truth (
        self->probe_set_b, an, edit ? NULL : vita_probe_set_get_annotations (self->probe_set),
        messages);
      /* the task side A's probe-o-gram shows (B's own first task when A has none) */
      const char *task = probeogram_task (self);
      int n = 0;
      gboolean has_task = task == NULL;
      vita_probe_set_get_lanes (self->probe_set_b, &n);
      for (int i = 0; !has_task && i < n; i++)
        has_task = g_strcmp0 (vita_probe_set_get_probe (self->probe_set_b, i)->task, task) == 0;
      if (has_task)
        self->probeogram_b = vita_probe_set_make_probeogram (self->probe_set_b, task, an, edit ? NULL : messages);
      if (!edit)
        emit_messages (self, messages);
    }
  g_signal_emit (self, signals[SIGNAL_LANES_CHANGED], 0);
}

static void
on_side_b_complete (VitaSession *self, GParamSpec *pspec, VitaSessionSide *side)
{
  update_probe_lanes_b (self);
}

VitaProbeLane *const *
vita_session_get_probe_lanes_b (VitaSession *self, int *n_lanes)
{
  *n_lanes = 0;
  return self->probe_set_b ? vita_probe_set_get_lanes (self->probe_set_b, n_lanes) : NULL;
}

VitaProbeSet *
vita_session_get_probe_set_b (VitaSession *self)
{
  return self->probe_set_b;
}

const VitaProbeogram *
vita_session_get_probeogram_b (VitaSession *self)
{
  return self->probeogram_b;
}

/* ---- side B's own layer and head */

gboolean
vita_session_get_compare_own_layers (VitaSession *self)
{
  VitaSessionSide *b = self->side_b;
  VitaVit *vb = b ? vita_session_side_get_model (b) : NULL;
  return vb != NULL && self->vit != NULL &&
         (vb->cfg.depth != self->vit->cfg.depth || vb->cfg.heads != self->vit->cfg.heads);
}

int
vita_session_get_layer_b (VitaSession *self)
{
  return self->layer_b;
}

int
vita_session_get_head_b (VitaSession *self)
{
  return self->head_b;
}

/* Clamped to side B's model (token layers 0..depth, heads -1..heads-1). */
void
vita_session_set_layer_b (VitaSession *self, int layer)
{
  g_return_if_fail (VITA_IS_SESSION (self));
  VitaVit *vb = self->side_b ? vita_session_side_get_model (self->side_b) : NULL;
  layer = CLAMP (layer, 0, vb ? vb->cfg.depth : 0);
  if (layer == self->layer_b)
    return;
  self->layer_b = layer;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LAYER_B]);
}

void
vita_session_set_head_b (VitaSession *self, int head)
{
  g_return_if_fail (VITA_IS_SESSION (self));
  VitaVit *vb = self->side_b ? vita_session_side_get_model (self->side_b) : NULL;
  head = CLAMP (head, -1, vb ? vb->cfg.heads - 1 : -1);
  if (head == self->head_b)
    return;
  self->head_b = head;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_HEAD_B]);
}

static void
on_side_b_progress (VitaSession *self, int done, int total, VitaSessionSide *side)
{
  g_signal_emit (self, signals[SIGNAL_ANALYSIS_UPDATED], 0);
}

static void
start_side_b (VitaSession *self)
{
  if (self->side_b == NULL || !self->decoded || self->job == NULL ||
      vita_session_side_is_started (self->side_b))
    return;
  const VitaPcm *pcm = vita_analysis_job_get_pcm (self->job);
  if (pcm == NULL)
    return;
  vita_session_side_start (self->side_b, pcm, self->audio_path,
                           vita_timeline_get_current_frame (self->timeline));
}

static void
set_side_b (VitaSession *self, VitaSessionSide *side)
{
  if (self->side_b == side)
    return;
  if (self->side_b != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->side_b, self);
      vita_session_side_stop (self->side_b, FALSE);
      g_clear_object (&self->side_b);
    }
  /* probes belong to a model: a new side B starts without side B's probes, except
   * those of a restored session */
  g_ptr_array_set_size (self->probe_paths_b, 0);
  g_autoptr(VitaSessionCompare) applied = g_steal_pointer (&self->applied_compare);
  if (side != NULL)
    {
      self->side_b = g_object_ref (side);
      g_signal_connect_swapped (side, "failed", G_CALLBACK (on_side_b_failed), self);
      g_signal_connect_swapped (side, "progress", G_CALLBACK (on_side_b_progress), self);
      g_signal_connect_swapped (side, "notify::complete", G_CALLBACK (on_side_b_complete), self);
      start_side_b (self);
      /* B's own layer and head start at A's (within B's model) */
      vita_session_set_layer_b (self, applied && applied->has_layer_b ? applied->layer_b
                                      : vita_timeline_get_layer (self->timeline));
      vita_session_set_head_b (self, applied && applied->has_layer_b ? applied->head_b
                                     : vita_timeline_get_head (self->timeline));
      for (guint i = 0; applied && applied->probes_b && i < applied->probes_b->len; i++)
        {
          VitaSessionRef *ref = g_ptr_array_index (applied->probes_b, i);
          if (ref->found)
            g_ptr_array_add (self->probe_paths_b, g_strdup (ref->path));
          else
            {
              g_autofree char *msg = g_strdup_printf (_("Side B's probe “%s” is missing"), ref->path);
              emit_error (self, msg);
            }
        }
    }
  if (self->probe_set_b != NULL || self->probe_paths_b->len > 0)
    update_probe_lanes_b (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SIDE_B]);
}

/* A's model changed: a twin is remade from it (same seed), an edit side runs it; a
 * model file B stays when the front-ends still agree. */
static void
side_b_follow_model (VitaSession *self)
{
  VitaSessionSide *b = self->side_b;
  if (b == NULL)
    return;
  if (self->vit == NULL)
    {
      vita_session_stop_comparing (self);
      return;
    }
  switch (vita_session_side_get_kind (b))
    {
    case VITA_SIDE_TWIN:
      {
        guint64 seed = vita_session_side_get_seed (b);
        VitaVit *twin = vita_vit_new_twin (self->vit, seed);
        g_autoptr(VitaSessionSide) side = vita_session_side_new (VITA_SIDE_TWIN, twin, NULL, seed, NULL);
        vita_engine_model_unref (twin);
        set_side_b (self, side);
        break;
      }
    case VITA_SIDE_EDIT:
      {
        g_autoptr(VitaSessionSide) side =
          vita_session_side_new (VITA_SIDE_EDIT, self->vit, NULL, 0, vita_session_side_get_edits (b));
        set_side_b (self, side);
        break;
      }
    case VITA_SIDE_MODEL:
    default:
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *na = vita_session_describe_side_a (self);
        if (!vita_compare_check_frontends (self->vit, na, vita_session_side_get_model (b),
                                           vita_session_side_get_label (b), &error))
          {
            emit_error (self, error->message);
            vita_session_stop_comparing (self);
          }
        break;
      }
    }
}

typedef struct {
  VitaSession *self;
  char        *path;
} LoadB;

static void
on_model_b_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LoadB *lb = user_data;
  g_autoptr(VitaSession) self = lb->self;
  g_autofree char *path = lb->path;
  g_autoptr(GError) error = NULL;
  g_free (lb);
  VitaVit *vit = vita_engine_load_model_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (vit == NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("Cannot compare with “%s”: %s"), path, error->message);
      emit_error (self, msg);
      return;
    }
  if (self->vit == NULL)
    {
      emit_error (self, _("Open a model first: a comparison sets a second model beside it"));
      vita_engine_model_unref (vit);
      return;
    }
  g_autofree char *name_a = self->model_path ? g_strdup (self->model_path)
                                             : vita_session_describe_side_a (self);
  if (!vita_compare_check_frontends (self->vit, name_a, vit, path, &error))
    {
      emit_error (self, error->message);
      vita_engine_model_unref (vit);
      return;
    }
  g_autoptr(VitaSessionSide) side = vita_session_side_new (VITA_SIDE_MODEL, vit, path, 0, NULL);
  vita_engine_model_unref (vit);
  set_side_b (self, side);
}

void
vita_session_compare_with_model (VitaSession *self, const char *path)
{
  g_return_if_fail (VITA_IS_SESSION (self));
  g_return_if_fail (path != NULL);
  if (self->b_cancellable != NULL)
    g_cancellable_cancel (self->b_cancellable);
  g_clear_object (&self->b_cancellable);
  self->b_cancellable = g_cancellable_new ();
  LoadB *lb = g_new0 (LoadB, 1);
  lb->self = g_object_ref (self);
  lb->path = g_strdup (path);
  vita_engine_load_model_async (path, self->b_cancellable, on_model_b_loaded, lb);
}

gboolean
vita_session_compare_with_twin (VitaSession *self, guint64 seed, GError **error)
{
  g_return_val_if_fail (VITA_IS_SESSION (self), FALSE);
  if (self->vit == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("Open a model first: its random-init twin has the same configuration"));
      return FALSE;
    }
  VitaVit *twin = vita_vit_new_twin (self->vit, seed);
  g_autoptr(VitaSessionSide) side = vita_session_side_new (VITA_SIDE_TWIN, twin, NULL, seed, NULL);
  vita_engine_model_unref (twin);
  set_side_b (self, side);
  return TRUE;
}

gboolean
vita_session_compare_with_edits (VitaSession *self, const char *const *edits, GError **error)
{
  g_return_val_if_fail (VITA_IS_SESSION (self), FALSE);
  if (self->vit == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("Open a model first: the edited audio is analysed by it"));
      return FALSE;
    }
  if (edits == NULL || edits[0] == NULL)
    {
      g_set_error_literal (error, VITA_DSP_ERROR, VITA_DSP_ERROR_INVALID, _("No edit given"));
      return FALSE;
    }
  for (int i = 0; edits[i]; i++)
    {
      g_autoptr(VitaEdit) e = vita_edit_parse (edits[i], error);
      if (e == NULL)
        return FALSE;
    }
  g_autoptr(VitaSessionSide) side = vita_session_side_new (VITA_SIDE_EDIT, self->vit, NULL, 0, edits);
  set_side_b (self, side);
  return TRUE;
}

void
vita_session_stop_comparing (VitaSession *self)
{
  g_return_if_fail (VITA_IS_SESSION (self));
  if (self->b_cancellable != NULL)
    g_cancellable_cancel (self->b_cancellable);
  g_clear_object (&self->b_cancellable);
  set_side_b (self, NULL);
}

VitaSessionSide *
vita_session_get_side_b (VitaSession *self)
{
  g_return_val_if_fail (VITA_IS_SESSION (self), NULL);
  return self->side_b;
}

VitaCompareView
vita_session_get_compare_view (VitaSession *self)
{
  return self->compare_view;
}

void
vita_session_set_compare_view (VitaSession *self, VitaCompareView view)
{
  if (self->compare_view == view)
    return;
  self->compare_view = view;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_COMPARE_VIEW]);
}

gboolean
vita_session_get_compare_per_side_scale (VitaSession *self)
{
  return self->per_side_scale;
}

void
vita_session_set_compare_per_side_scale (VitaSession *self, gboolean per_side)
{
  per_side = per_side != FALSE;
  if (self->per_side_scale == per_side)
    return;
  self->per_side_scale = per_side;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_COMPARE_PER_SIDE_SCALE]);
}

/* A restored session's comparison, once its audio has decoded (A's model is there). */
static void
restore_compare (VitaSession *self)
{
  g_autoptr(VitaSessionCompare) c = g_steal_pointer (&self->pending_compare);
  g_autoptr(GError) error = NULL;
  vita_session_set_compare_view (self, c->difference ? VITA_COMPARE_DIFFERENCE
                                                     : VITA_COMPARE_SIDE_BY_SIDE);
  vita_session_set_compare_per_side_scale (self, c->per_side_scale);
  /* side B's probes and own layer / head: applied when B is set (a model file B loads
   * on a worker first) */
  g_clear_pointer (&self->applied_compare, vita_session_compare_free);
  self->applied_compare = g_new0 (VitaSessionCompare, 1);
  self->applied_compare->has_layer_b = c->has_layer_b;
  self->applied_compare->layer_b = c->layer_b;
  self->applied_compare->head_b = c->head_b;
  self->applied_compare->probes_b = c->probes_b ? g_ptr_array_ref (c->probes_b) : NULL;
  gboolean ok = TRUE;
  switch (c->kind)
    {
    case VITA_SIDE_TWIN:
      ok = vita_session_compare_with_twin (self, c->seed, &error);
      break;
    case VITA_SIDE_EDIT:
      ok = vita_session_compare_with_edits (self, (const char *const *) c->edits, &error);
      break;
    case VITA_SIDE_MODEL:
    default:
      if (c->model == NULL || !c->model->found)
        {
          g_autofree char *msg = g_strdup_printf (_("The model compared with, “%s”, is missing"),
                                                  c->model ? c->model->path : "?");
          emit_error (self, msg);
        }
      else
        vita_session_compare_with_model (self, c->model->path);
      break;
    }
  if (!ok)
    emit_error (self, error->message);
}

/* ---- the comparison table */

typedef struct {
  VitaAnalysis *a, *b;
  VitaPcm      *pcm;      /* side A's audio, copied */
  VitaEventList *onsets;  /* the annotated onsets, copied, or NULL */
  char         *label_a, *label_b;
  VitaCompareTable *probes; /* the probe rows (claim 3), made on the main thread */
} TableJob;

static void
table_job_free (TableJob *j)
{
  vita_analysis_unref (j->a);
  vita_analysis_unref (j->b);
  vita_pcm_free (j->pcm);
  if (j->onsets)
    vita_event_list_free (j->onsets);
  g_free (j->label_a);
  g_free (j->label_b);
  vita_compare_table_free (j->probes);
  g_free (j);
}

static void
table_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  TableJob *j = task_data;
  GError *error = NULL;
  g_autoptr(VitaCompare) cmp = vita_compare_new (j->a, j->b, &error);
  /* both analyses are complete: the run only computes the differences */
  if (cmp == NULL || !vita_compare_run (cmp, NULL, NULL, NULL, NULL, NULL, NULL, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  VitaCompareTable *table = vita_compare_table_compute (cmp, j->pcm->samples, j->pcm->n_samples,
                                                        j->onsets, VITA_ONSET_WINDOW_MIREVAL, &error);
  if (table == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < j->probes->rows->len; i++)
    {
      const VitaCompareRow *r = &g_array_index (j->probes->rows, VitaCompareRow, i);
      vita_compare_table_add (table, r->measure, r->layer, r->head, r->a, r->b);
    }
  if (j->probes->note != NULL && *j->probes->note)
    {
      char *note = g_strconcat (table->note ? table->note : "", table->note ? " " : "",
                                j->probes->note, NULL);
      g_free (table->note);
      table->note = note;
    }
  g_free (table->label_a);
  g_free (table->label_b);
  table->label_a = g_strdup (j->label_a);
  table->label_b = g_strdup (j->label_b);
  g_task_return_pointer (task, table, (GDestroyNotify) vita_compare_table_free);
}

void
vita_session_compare_table_async (VitaSession *self, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, data);
  VitaSessionSide *b = self->side_b;
  VitaAnalysis *an_b = b ? vita_session_side_get_analysis (b) : NULL;
  const VitaPcm *pcm = self->decoded && self->job ? vita_analysis_job_get_pcm (self->job) : NULL;

  if (b == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("Nothing to compare: choose Compare With… first"));
      return;
    }
  if (!self->job_done || self->analysis == NULL || pcm == NULL || an_b == NULL ||
      !vita_session_side_get_complete (b))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("The comparison table needs both analyses complete"));
      return;
    }
  TableJob *j = g_new0 (TableJob, 1);
  j->a = vita_analysis_ref (self->analysis);
  j->b = vita_analysis_ref (an_b);
  j->pcm = vita_pcm_copy (pcm);
  j->label_a = vita_session_describe_side_a (self);
  j->label_b = g_strdup (vita_session_side_get_label (b));
  j->probes = vita_compare_table_new (j->label_a, j->label_b);
  vita_probe_set_add_table_rows (self->probe_set, self->probe_set_b, j->probes);
  /* onset F per head where onsets are annotated (of side A's track: not for an edit,
   * whose events may have moved), else the correlation with spectral flux */
  const VitaEventList *onsets = vita_probe_set_get_onsets (self->probe_set);
  if (onsets != NULL && vita_session_side_get_kind (b) != VITA_SIDE_EDIT)
    {
      j->onsets = g_new0 (VitaEventList, 1);
      j->onsets->times = g_array_copy (onsets->times);
      j->onsets->path = g_strdup (onsets->path);
    }
  g_task_set_task_data (task, j, (GDestroyNotify) table_job_free);
  g_task_run_in_thread (task, table_thread);
}

VitaCompareTable *
vita_session_compare_table_finish (VitaSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
