/* vita-window-attribution.c — attribution in the app (issue 17): the Attribution
 * popover in the header bar (target, method and options, Compute, progress, Cancel,
 * opacity, Clear, Export…), the computation on a worker thread (vita-attr-run.h:
 * pieces nearest the playhead first, the overlay filling as they finish), the
 * overlay on the mel panel (the paint cache's, views/vita-painters.h), its record in
 * the session, and the A/B playback switch of the player.
 *
 * Actions (group "attr" on the window):
 *   attr.compute          computes what the popover says
 *   attr.cancel           cancels the computation (the overlay is removed)
 *   attr.clear            removes the overlay
 *   attr.export  (s)      the mel panel with the overlay as a figure at PATH (PNG, SVG,
 *                         PDF), its sidecar, and PATH-without-extension.npy: the map
 *                         of the visible frames (frames, mel bands)
 *   attr.export-dialog    asks for PATH, then attr.export
 *   attr.ab      (state b) plays the alternate audio (B) instead of the original (A)
 *   attr.load-alternate (s) decodes PATH (e.g. `vitascope-cli counterfactual`'s
 *                         edited.wav) on a worker as the alternate audio (B)
 *   attr.load-alternate-dialog  asks for PATH, then attr.load-alternate
 */
#include "vita-window-private.h"
#include "vita-window-attribution.h"
#include "vita-attr-run.h"
#include "vita-main-post.h"
#include "vita-player.h"

#include "dsp/vita-audio.h"
#include "views/vita-panel-view.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

typedef struct _Job Job;

typedef struct {
  VitaWindow       *window;          /* not a ref: the state lives on the window */
  GSimpleActionGroup *actions;
  GtkWidget        *button;          /* the header bar's menu button */
  GtkWidget        *ab_button;
  GtkDropDown      *target_dd, *probe_dd, *class_dd, *method_dd;
  GtkStringList    *probe_names, *class_names;
  GtkSpinButton    *steps_spin, *patch_f_spin, *patch_b_spin;
  GtkWidget        *compute_button, *cancel_button;
  GtkProgressBar   *progress;
  GtkLabel         *status;
  GtkLabel         *summary;         /* what Compute explains, in words */
  GtkRange         *opacity;
  Job              *job;             /* the running computation, or NULL */
  gboolean          pending;         /* the session's settings wait for an analysis */
  VitaAttrSettings  shown;           /* what the overlay shows (target NULL: none) */
  VitaAnalysis     *shown_an;        /* the analysis it was computed on (not a ref: compared only) */
  char             *last_status;
} AttrState;

struct _Job {
  GWeakRef          window;
  VitaAnalysis     *an;
  VitaAttrSettings  settings;
  VitaProbe        *probe;
  int               near_frame;
  GCancellable     *cancellable;
  GMainContext     *context;
  gint              progress;        /* thousandths, atomic */
  gint64            last_post;       /* monotonic µs of the last partial map posted (worker) */
  guint             progress_source;
};

static AttrState *
state_of (VitaWindow *self)
{
  return g_object_get_data (G_OBJECT (self), "vita-attribution");
}

static void
job_free (Job *job)
{
  g_weak_ref_clear (&job->window);
  vita_analysis_unref (job->an);
  vita_attr_settings_clear (&job->settings);
  g_clear_pointer (&job->probe, vita_probe_free);
  g_clear_object (&job->cancellable);
  g_main_context_unref (job->context);
  g_free (job);
}

static VitaPaintCache *
current_cache (VitaWindow *self)
{
  return vita_analysis_source_get_cache (vita_session_get_analysis_source (self->session));
}

static void
set_status (AttrState *st, const char *text)
{
  gtk_label_set_text (st->status, text ? text : "");
  g_free (st->last_status);
  st->last_status = g_strdup (text);
}

static void
update_sensitivity (AttrState *st)
{
  VitaAnalysis *an = vita_session_get_analysis (st->window->session);
  gboolean running = st->job != NULL;
  gtk_widget_set_sensitive (st->compute_button, an != NULL && !running);
  gtk_widget_set_sensitive (st->cancel_button, running);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (st->actions), "compute")),
                               an != NULL && !running);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (st->actions), "cancel")),
                               running);
  gboolean shown = st->shown.target != NULL && current_cache (st->window) != NULL
                   && vita_paint_cache_get_attribution (current_cache (st->window), NULL, NULL, NULL, NULL, NULL) != NULL;
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (st->actions), "export")), shown);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (st->actions), "export-dialog")), shown);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (st->actions), "clear")), shown || running);
  gboolean alt = vita_player_has_alternate (st->window->player);
  gtk_widget_set_visible (st->ab_button, alt);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (st->actions), "ab")), alt);
}

/* ------------------------------------------------------------------ the popover */

enum { TARGET_CLASS_AT, TARGET_CLASS_OVER, TARGET_COSINE, TARGET_RECEIVED };
enum { METHOD_IG, METHOD_GRAD, METHOD_OCCLUSION };

static void
refill_classes (AttrState *st)
{
  VitaProbeSet *set = vita_session_get_probe_set (st->window->session);
  guint pi = gtk_drop_down_get_selected (st->probe_dd);
  VitaProbe *probe = pi == GTK_INVALID_LIST_POSITION ? NULL : vita_probe_set_get_probe (set, (int) pi);
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (st->class_names));
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  for (guint i = 0; probe && i < probe->labels->len; i++)
    g_ptr_array_add (names, g_ptr_array_index (probe->labels, i));
  g_ptr_array_add (names, NULL);
  gtk_string_list_splice (st->class_names, 0, n_old, (const char *const *) names->pdata);
  /* the class the probe predicts at the playhead */
  int n_lanes = 0;
  VitaProbeLane *const *lanes = vita_session_get_probe_lanes (st->window->session, &n_lanes);
  int frame = vita_timeline_get_current_frame (vita_session_get_timeline (st->window->session));
  guint best = 0;
  if (probe && (int) pi < n_lanes && lanes[pi]->probs && lanes[pi]->n_classes == probe->n_classes
      && frame >= 0 && frame < lanes[pi]->n_frames)
    {
      const float *p = lanes[pi]->probs + (gsize) frame * probe->n_classes;
      for (int c = 1; c < probe->n_classes; c++)
        if (p[c] > p[best])
          best = c;
    }
  if (probe)
    gtk_drop_down_set_selected (st->class_dd, best);
}

static void
refill_probes (AttrState *st)
{
  VitaProbeSet *set = vita_session_get_probe_set (st->window->session);
  int n = vita_probe_set_get_n_probes (set);
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (st->probe_names));
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; i < n; i++)
    {
      VitaProbe *p = vita_probe_set_get_probe (set, i);
      const char *path = vita_probe_set_get_path (set, i);
      g_autofree char *base = path ? g_path_get_basename (path) : g_strdup_printf ("probe %d", i + 1);
      if (p == NULL)   /* a clip-level probe (key): no per-frame class to explain */
        g_ptr_array_add (names, g_strdup_printf (_("%s (clip-level: not available)"), base));
      else
        g_ptr_array_add (names, g_strdup_printf ("%s (%s, layer %d)", base, p->task ? p->task : "probe", p->layer));
    }
  /* the same probes (lanes are rebuilt as the analysis progresses): keep the choice */
  gboolean same = n_old == (guint) n;
  for (int i = 0; same && i < n; i++)
    same = g_strcmp0 (gtk_string_list_get_string (st->probe_names, i), g_ptr_array_index (names, i)) == 0;
  if (same)
    return;
  g_ptr_array_add (names, NULL);
  gtk_string_list_splice (st->probe_names, 0, n_old, (const char *const *) names->pdata);
  if (n > 0)
    gtk_drop_down_set_selected (st->probe_dd, 0);
  refill_classes (st);
}

/* Opening the popover proposes the class the probe predicts at the playhead. */
static void update_summary (AttrState *st);

static void
on_popover_show (AttrState *st)
{
  refill_probes (st);
  refill_classes (st);
  update_sensitivity (st);
  update_summary (st);
}

/* The probe list changed: refilled (with the class predicted at the playhead). */
static void
on_lanes_changed (AttrState *st)
{
  refill_probes (st);
}

static char *
seconds (VitaWindow *self, int frame)
{
  VitaTimeline *tl = vita_session_get_timeline (self->session);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  double t = (double) frame * vita_timeline_get_hop (tl) / vita_timeline_get_sample_rate (tl);
  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.4f", t));
}

/* The settings the popover describes; NULL + a message when it cannot. */
static gboolean
settings_from_popover (AttrState *st, VitaAttrSettings *s, char **message)
{
  VitaWindow *self = st->window;
  VitaTimeline *tl = vita_session_get_timeline (self->session);
  VitaAnalysis *an = vita_session_get_analysis (self->session);
  int frame = vita_timeline_get_current_frame (tl);
  gint64 sel0, sel1;
  vita_timeline_get_selection (tl, &sel0, &sel1);
  int hop = MAX (1, vita_timeline_get_hop (tl));
  int f0 = (int) ((sel0 + hop / 2) / hop), f1 = (int) ((sel1 + hop / 2) / hop);
  guint kind = gtk_drop_down_get_selected (st->target_dd);
  guint method = gtk_drop_down_get_selected (st->method_dd);
  vita_attr_settings_clear (s);
  vita_attr_settings_init (s);
  g_free (s->method);
  s->method = g_strdup (method == METHOD_GRAD ? "grad-input" : method == METHOD_OCCLUSION ? "occlusion" : "ig");
  s->steps = gtk_spin_button_get_value_as_int (st->steps_spin);
  s->patch_frames = gtk_spin_button_get_value_as_int (st->patch_f_spin);
  s->patch_bands = gtk_spin_button_get_value_as_int (st->patch_b_spin);
  s->opacity = gtk_range_get_value (st->opacity);
  g_autofree char *t = seconds (self, frame);
  if (kind == TARGET_CLASS_AT || kind == TARGET_CLASS_OVER)
    {
      VitaProbeSet *set = vita_session_get_probe_set (self->session);
      guint pi = gtk_drop_down_get_selected (st->probe_dd);
      VitaProbe *probe = pi == GTK_INVALID_LIST_POSITION ? NULL : vita_probe_set_get_probe (set, (int) pi);
      guint ci = gtk_drop_down_get_selected (st->class_dd);
      if (probe == NULL || ci == GTK_INVALID_LIST_POSITION || ci >= probe->labels->len)
        {
          *message = g_strdup (_("Load a probe first (Probes → Load Probes…): a class target explains one of its classes."));
          return FALSE;
        }
      const char *probe_path = vita_probe_set_get_path (set, (int) pi);
      s->probe = probe_path ? g_canonicalize_filename (probe_path, NULL) : NULL;
      const char *label = g_ptr_array_index (probe->labels, ci);
      g_autofree char *cls = label && *label ? g_strdup (label) : g_strdup_printf ("%u", ci);
      if (kind == TARGET_CLASS_AT)
        s->target = g_strdup_printf ("class:%s@%s", cls, t);
      else
        {
          if (f1 <= f0)
            {
              *message = g_strdup (_("Select a time range first (drag on a time panel): the target is the class summed over it."));
              return FALSE;
            }
          g_autofree char *a = seconds (self, f0), *b = seconds (self, f1 - 1 > f0 ? f1 - 1 : f0 + 1);
          s->target = g_strdup_printf ("class:%s@%s-%s", cls, a, b);
        }
    }
  else if (kind == TARGET_COSINE)
    {
      if (f1 <= f0)
        {
          *message = g_strdup (_("Select a time range first: the class token at the playhead is compared with the one at the selection’s start."));
          return FALSE;
        }
      g_autofree char *ref = seconds (self, f0);
      int layer = CLAMP (vita_timeline_get_layer (tl), 0, an ? an->cfg.depth : 0);
      s->target = g_strdup_printf ("cosine:%d@%s,%s", layer, t, ref);
    }
  else
    {
      int block = an ? vita_paint_block_for_layer (an, vita_timeline_get_layer (tl)) : 0;
      int head = vita_timeline_get_head (tl);
      /* the one numbering a person reads: layers 1…L, heads 1…H */
      g_autofree char *h = head < 0 ? g_strdup ("mean") : g_strdup_printf ("%d", head + 1);
      s->target = g_strdup_printf ("received:%d:%s@%s", block + 1, h, t);
    }
  return TRUE;
}

static void
format_time (VitaWindow *self, int frame, char *buf, gsize size)
{
  VitaTimeline *tl = vita_session_get_timeline (self->session);
  double t = (double) frame * vita_timeline_get_hop (tl) / MAX (1, vita_timeline_get_sample_rate (tl));
  g_snprintf (buf, size, "%d:%04.1f", (int) (t / 60), fmod (t, 60));
}

/* "Explains: Bb:maj at 0:05.5 (chord probe, layer 1)" — or why Compute cannot. */
static void
update_summary (AttrState *st)
{
  VitaWindow *self = st->window;
  VitaTimeline *tl = vita_session_get_timeline (self->session);
  int frame = vita_timeline_get_current_frame (tl);
  gint64 sel0, sel1;
  vita_timeline_get_selection (tl, &sel0, &sel1);
  int hop = MAX (1, vita_timeline_get_hop (tl));
  char at[32], a[32], b[32];
  format_time (self, frame, at, sizeof at);
  format_time (self, (int) ((sel0 + hop / 2) / hop), a, sizeof a);
  format_time (self, (int) ((sel1 + hop / 2) / hop), b, sizeof b);
  guint kind = gtk_drop_down_get_selected (st->target_dd);
  guint ci = gtk_drop_down_get_selected (st->class_dd);
  const char *cls = ci != GTK_INVALID_LIST_POSITION && ci < g_list_model_get_n_items (G_LIST_MODEL (st->class_names))
                    ? gtk_string_list_get_string (st->class_names, ci) : NULL;
  int layer = vita_timeline_get_layer (tl), head = vita_timeline_get_head (tl);
  VitaAnalysis *an = vita_session_get_analysis (self->session);
  g_autofree char *text = NULL;
  if ((kind == TARGET_CLASS_AT || kind == TARGET_CLASS_OVER) && cls == NULL)
    text = g_strdup (_("Load a probe to explain one of its classes."));
  else if (kind == TARGET_CLASS_AT)
    text = g_strdup_printf (_("Explains: %s at %s"), cls, at);
  else if ((kind == TARGET_CLASS_OVER || kind == TARGET_COSINE) && sel1 <= sel0)
    text = g_strdup (_("Select a time range first."));
  else if (kind == TARGET_CLASS_OVER)
    text = g_strdup_printf (_("Explains: %s summed over %s–%s"), cls, a, b);
  else if (kind == TARGET_COSINE)
    text = g_strdup_printf (_("Explains: how alike the class tokens of layer %d are at %s and %s"),
                            layer, at, a);
  else
    {
      g_autofree char *h = head < 0 ? g_strdup (_("the mean of the heads")) : g_strdup_printf (_("head %d"), head + 1);
      text = g_strdup_printf (_("Explains: the attention the frame at %s receives in layer %d, %s"), at,
                              an ? vita_paint_block_for_layer (an, layer) + 1 : MAX (layer, 1), h);
    }
  gtk_label_set_text (st->summary, text);
}

/* ------------------------------------------------------------------ computing */

typedef struct {
  Job         *job;      /* borrowed: the job outlives its posted updates (see finish) */
  VitaWindow  *window;   /* a ref */
  float       *map;
  int          n_frames, n_mels, done, total;
  double       completeness;
} Update;

static void
show_map (AttrState *st, VitaAnalysis *an, const float *map, int n_frames, int n_mels,
          const VitaAttrSettings *s)
{
  VitaPaintCache *cache = current_cache (st->window);
  if (cache == NULL || vita_paint_cache_get_analysis (cache) != an)
    return;
  g_autofree char *label = vita_attr_settings_label (s);
  vita_paint_cache_set_attribution (cache, map, n_frames, n_mels, label);
  vita_paint_cache_set_attribution_opacity (cache, gtk_range_get_value (st->opacity));
  _vita_window_panels_queue_draw (st->window);
}

static gboolean
apply_update (gpointer data)
{
  Update *u = data;
  AttrState *st = state_of (u->window);
  if (st && st->job == u->job && !g_cancellable_is_cancelled (u->job->cancellable))
    {
      show_map (st, u->job->an, u->map, u->n_frames, u->n_mels, &u->job->settings);
      g_autofree char *text = g_strdup_printf (_("%d of %d pieces done (nearest the playhead first)…"),
                                               u->done, u->total);
      set_status (st, text);
    }
  return G_SOURCE_REMOVE;
}

static void
update_free (gpointer data)
{
  Update *u = data;
  g_object_unref (u->window);
  g_free (u->map);
  g_free (u);
}

static void
on_piece (const VitaAttrRun *run, gpointer data)
{
  Job *job = data;
  /* partial maps at most five times a second (each is a copy of the whole track's);
   * the last one arrives with the result */
  gint64 now = g_get_monotonic_time ();
  if (run->pieces_done == run->n_pieces || (job->last_post != 0 && now - job->last_post < 200000))
    return;
  job->last_post = now;
  VitaWindow *window = g_weak_ref_get (&job->window);
  if (window == NULL)
    return;
  Update *u = g_new0 (Update, 1);
  u->job = job;
  u->window = window;
  u->map = g_memdup2 (run->map, (gsize) run->n_frames * run->n_mels * sizeof (float));
  u->n_frames = run->n_frames;
  u->n_mels = run->n_mels;
  u->done = run->pieces_done;
  u->total = run->n_pieces;
  vita_main_post (job->context, G_PRIORITY_DEFAULT, apply_update, u, update_free);
}

static void
on_progress (int done, int total, gpointer data)
{
  Job *job = data;
  g_atomic_int_set (&job->progress, (int) (1000.0 * done / MAX (total, 1)));
}

static gboolean
poll_progress (gpointer data)
{
  AttrState *st = data;
  if (st->job)
    gtk_progress_bar_set_fraction (st->progress, g_atomic_int_get (&st->job->progress) / 1000.0);
  return G_SOURCE_CONTINUE;
}

static void
run_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  VitaAttrRun *run = vita_attr_run (&job->settings, job->an, job->probe, job->near_frame,
                                    on_progress, on_piece, job, cancellable, &error);
  if (run == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, run, (GDestroyNotify) vita_attr_run_free);
}

static void
finish_job (AttrState *st)
{
  if (st->job == NULL)
    return;
  g_source_remove (st->job->progress_source);
  st->job = NULL;   /* the task owns it */
}

static void
on_run_done (GObject *source, GAsyncResult *result, gpointer data)
{
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaAttrRun) run = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(VitaWindow) window = g_weak_ref_get (&job->window);
  AttrState *st = window ? state_of (window) : NULL;
  if (st == NULL || st->job != job)
    return;   /* replaced or the window is gone: nothing to show */
  finish_job (st);
  gtk_progress_bar_set_fraction (st->progress, run ? 1.0 : 0.0);
  if (run == NULL)
    {
      VitaPaintCache *cache = current_cache (window);
      if (cache)
        vita_paint_cache_clear_attribution (cache);
      vita_attr_settings_clear (&st->shown);
      vita_session_set_attribution (window->session, NULL);
      _vita_window_panels_queue_draw (window);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_status (st, _("Cancelled."));
      else
        {
          set_status (st, error->message);
          _vita_window_toast (window, error->message);
        }
      update_sensitivity (st);
      return;
    }
  show_map (st, job->an, run->map, run->n_frames, run->n_mels, &job->settings);
  vita_attr_settings_copy (&st->shown, &job->settings);
  st->shown_an = job->an;
  vita_session_set_attribution (window->session, &job->settings);
  g_autofree char *text = NULL;
  g_autofree char *label = vita_attr_settings_label (&job->settings);
  if (isfinite (run->completeness))
    text = g_strdup_printf (_("%s: f(x) = %.4g, f(baseline) = %.4g, Σ attribution = %.4g: completeness error %.3g %%"),
                            label, run->f_input, run->f_baseline, run->sum, 100 * run->completeness);
  else
    text = g_strdup_printf (_("%s: f(x) = %.4g, Σ attribution = %.4g"), label, run->f_input, run->sum);
  set_status (st, text);
  update_sensitivity (st);
}

static void
cancel_job (AttrState *st)
{
  if (st->job)
    g_cancellable_cancel (st->job->cancellable);
}

/* Starts computing s (copied) on the session's analysis. */
static void
start (AttrState *st, const VitaAttrSettings *s)
{
  VitaWindow *self = st->window;
  VitaAnalysis *an = vita_session_get_analysis (self->session);
  if (an == NULL)
    {
      set_status (st, _("Open an audio file and a model first."));
      return;
    }
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaProbe) probe = NULL;
  if (s->probe && (probe = vita_probe_load (s->probe, &error)) == NULL)
    {
      set_status (st, error->message);
      _vita_window_toast (self, error->message);
      return;
    }
  /* the target is checked here, so that a bad one says so at once */
  VitaAttrTarget target;
  if (!vita_attr_target_parse (s->target ? s->target : "", _("Attribution target"), an->vit,
                               probe, an->n_frames, &target, &error))
    {
      set_status (st, error->message);
      _vita_window_toast (self, error->message);
      return;
    }
  if (st->job)
    {
      cancel_job (st);
      finish_job (st);
    }
  Job *job = g_new0 (Job, 1);
  g_weak_ref_init (&job->window, self);
  job->an = vita_analysis_ref (an);
  vita_attr_settings_copy (&job->settings, s);
  job->probe = g_steal_pointer (&probe);
  job->near_frame = vita_timeline_get_current_frame (vita_session_get_timeline (self->session));
  job->cancellable = g_cancellable_new ();
  job->context = g_main_context_ref_thread_default ();
  job->progress_source = g_timeout_add (100, poll_progress, st);
  st->job = job;
  GTask *task = g_task_new (NULL, job->cancellable, on_run_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, run_thread);
  g_object_unref (task);
  gtk_progress_bar_set_fraction (st->progress, 0);
  set_status (st, _("Computing…"));
  update_sensitivity (st);
}

static void
action_compute (GSimpleAction *action, GVariant *param, gpointer data)
{
  AttrState *st = data;
  g_auto(VitaAttrSettings) s = { 0 };
  g_autofree char *message = NULL;
  if (!settings_from_popover (st, &s, &message))
    {
      set_status (st, message);
      _vita_window_toast (st->window, message);
      return;
    }
  start (st, &s);
}

static void
action_cancel (GSimpleAction *action, GVariant *param, gpointer data)
{
  cancel_job (data);
}

static void
action_clear (GSimpleAction *action, GVariant *param, gpointer data)
{
  AttrState *st = data;
  cancel_job (st);
  VitaPaintCache *cache = current_cache (st->window);
  if (cache)
    vita_paint_cache_clear_attribution (cache);
  vita_attr_settings_clear (&st->shown);
  vita_session_set_attribution (st->window->session, NULL);
  set_status (st, NULL);
  _vita_window_panels_queue_draw (st->window);
  update_sensitivity (st);
}

static void
on_opacity (GtkRange *range, AttrState *st)
{
  VitaPaintCache *cache = current_cache (st->window);
  st->shown.opacity = gtk_range_get_value (range);
  if (cache)
    vita_paint_cache_set_attribution_opacity (cache, st->shown.opacity);
  if (st->shown.target)
    vita_session_set_attribution (st->window->session, &st->shown);
  _vita_window_panels_queue_draw (st->window);
}

/* ------------------------------------------------------------------ export */

gboolean
_vita_window_attribution_export (VitaWindow *self, const char *path, GError **error)
{
  AttrState *st = state_of (self);
  VitaPaintCache *cache = current_cache (self);
  VitaPanel panel;
  if (st == NULL || st->shown.target == NULL || cache == NULL
      || vita_paint_cache_get_attribution (cache, NULL, NULL, NULL, NULL, NULL) == NULL
      || !vita_panel_from_string ("attribution", &panel))
    {
      g_set_error (error, VITA_EXPORT_ERROR, VITA_EXPORT_ERROR_DATA,
                   "Nothing to export: compute an attribution first");
      return FALSE;
    }
  /* the "attribution" panel (the mel with the overlay) through the window's export, as
   * every panel: its .npy is the map of the visible frames, its sidecar records the
   * attribution */
  const char *dot = strrchr (path, '.');
  const char *slash = strrchr (path, G_DIR_SEPARATOR);
  g_autofree char *stem = dot && (!slash || dot > slash) ? g_strndup (path, dot - path) : g_strdup (path);
  g_autofree char *npy = g_strconcat (stem, ".npy", NULL);
  return vita_window_export (self, panel, npy, error) && vita_window_export (self, panel, path, error);
}

static void
action_export (GSimpleAction *action, GVariant *param, gpointer data)
{
  AttrState *st = data;
  g_autoptr(GError) error = NULL;
  const char *path = g_variant_get_string (param, NULL);
  g_autofree char *disp = g_filename_display_name (path);
  if (_vita_window_attribution_export (st->window, path, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Exported the attribution to %s (+ .npy, sidecar)"), disp);
      _vita_window_toast (st->window, text);
    }
  else
    _vita_window_toast (st->window, error->message);
}

static void
on_export_chosen (GtkNativeDialog *native, int response, VitaWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      if (path)
        gtk_widget_activate_action (GTK_WIDGET (self), "attr.export", "s", path);
    }
  g_object_unref (native);
}

static void
action_export_dialog (GSimpleAction *action, GVariant *param, gpointer data)
{
  AttrState *st = data;
  GtkFileChooserNative *native = gtk_file_chooser_native_new (_("Export Attribution"),
                                                              GTK_WINDOW (st->window),
                                                              GTK_FILE_CHOOSER_ACTION_SAVE,
                                                              _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), "attribution.png");
  GtkFileFilter *filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Figures (PNG, SVG, PDF)"));
  gtk_file_filter_add_suffix (filter, "png");
  gtk_file_filter_add_suffix (filter, "svg");
  gtk_file_filter_add_suffix (filter, "pdf");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  g_object_unref (filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (on_export_chosen), st->window);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

/* ------------------------------------------------------------------ A/B */

static void
action_ab (GSimpleAction *action, GVariant *state, gpointer data)
{
  AttrState *st = data;
  gboolean b = g_variant_get_boolean (state) && vita_player_has_alternate (st->window->player);
  vita_player_set_ab (st->window->player, b);
  g_simple_action_set_state (action, g_variant_new_boolean (vita_player_get_ab (st->window->player)));
}

gboolean
_vita_window_set_alternate_audio (VitaWindow *self, const float *samples, gsize n_samples,
                                  int sample_rate, GError **error)
{
  AttrState *st = state_of (self);
  gboolean ok = vita_player_set_alternate (self->player, samples, n_samples, sample_rate, error);
  self->ab_from_side = FALSE;   /* whoever sets it last owns it (vita-window-compare.c) */
  if (st)
    {
      GAction *ab = g_action_map_lookup_action (G_ACTION_MAP (st->actions), "ab");
      g_simple_action_set_state (G_SIMPLE_ACTION (ab), g_variant_new_boolean (vita_player_get_ab (self->player)));
      update_sensitivity (st);
    }
  return ok;
}

typedef struct {
  char *path;
  int   rate;
} LoadJob;

static void
load_job_free (LoadJob *job)
{
  g_free (job->path);
  g_free (job);
}

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LoadJob *job = task_data;
  GError *error = NULL;
  VitaPcm *pcm = vita_audio_load (job->path, job->rate, cancellable, &error);
  if (pcm == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, pcm, (GDestroyNotify) vita_pcm_free);
}

static void
on_alternate_loaded (GObject *source, GAsyncResult *result, gpointer data)
{
  VitaWindow *self = VITA_WINDOW (source);
  LoadJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaPcm) pcm = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *disp = g_filename_display_name (job->path);
  if (pcm != NULL && pcm->n_samples == 0)
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "no audio");
  if (pcm == NULL || error != NULL
      || !_vita_window_set_alternate_audio (self, pcm->samples, pcm->n_samples, pcm->sample_rate, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Cannot use %s as the edited audio (B): %s"), disp,
                                               error->message);
      _vita_window_toast (self, text);
      return;
    }
  g_autofree char *text = g_strdup_printf (_("%s is the edited audio (B): A/B switches playback"), disp);
  _vita_window_toast (self, text);
}

static void
action_load_alternate (GSimpleAction *action, GVariant *param, gpointer data)
{
  AttrState *st = data;
  LoadJob *job = g_new0 (LoadJob, 1);
  job->path = g_strdup (g_variant_get_string (param, NULL));
  int rate = vita_timeline_get_sample_rate (vita_session_get_timeline (st->window->session));
  job->rate = rate > 0 ? rate : 44100;
  GTask *task = g_task_new (st->window, NULL, on_alternate_loaded, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) load_job_free);
  g_task_run_in_thread (task, load_thread);
  g_object_unref (task);
}

static void
on_alternate_chosen (GtkNativeDialog *native, int response, VitaWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      if (path)
        gtk_widget_activate_action (GTK_WIDGET (self), "attr.load-alternate", "s", path);
    }
  g_object_unref (native);
}

static void
action_load_alternate_dialog (GSimpleAction *action, GVariant *param, gpointer data)
{
  AttrState *st = data;
  GtkFileChooserNative *native = gtk_file_chooser_native_new (_("Load Edited Audio (B)"),
                                                              GTK_WINDOW (st->window),
                                                              GTK_FILE_CHOOSER_ACTION_OPEN,
                                                              _("_Open"), _("_Cancel"));
  GtkFileFilter *filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Audio"));
  gtk_file_filter_add_mime_type (filter, "audio/*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  g_object_unref (filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (on_alternate_chosen), st->window);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

/* ------------------------------------------------------------------ the session */

static void
try_pending (AttrState *st)
{
  /* not on a preview (one window's mel): the track's analysis replaces it, and a run
   * started on the preview would be cancelled with it, not restarted */
  gboolean preview = FALSE;
  vita_session_get_decoding (st->window->session, NULL, &preview);
  if (!st->pending || vita_session_get_analysis (st->window->session) == NULL || preview)
    return;
  st->pending = FALSE;
  g_auto(VitaAttrSettings) s = { 0 };
  vita_attr_settings_copy (&s, vita_session_get_attribution (st->window->session));
  if (s.target)
    {
      gtk_range_set_value (st->opacity, s.opacity);
      gtk_spin_button_set_value (st->steps_spin, s.steps);
      gtk_spin_button_set_value (st->patch_f_spin, s.patch_frames);
      gtk_spin_button_set_value (st->patch_b_spin, s.patch_bands);
      gtk_drop_down_set_selected (st->method_dd, g_strcmp0 (s.method, "grad-input") == 0 ? METHOD_GRAD
                                  : g_strcmp0 (s.method, "occlusion") == 0 ? METHOD_OCCLUSION : METHOD_IG);
      const char *at = strrchr (s.target, '@');
      gtk_drop_down_set_selected (st->target_dd, g_str_has_prefix (s.target, "cosine") ? TARGET_COSINE
                                  : g_str_has_prefix (s.target, "received") ? TARGET_RECEIVED
                                  : at && strchr (at, '-') ? TARGET_CLASS_OVER : TARGET_CLASS_AT);
      start (st, &s);
    }
}

static void
on_view_restored (AttrState *st)
{
  st->pending = vita_session_get_attribution (st->window->session)->target != NULL;
  try_pending (st);
}

static void
on_analysis (AttrState *st)
{
  VitaAnalysis *an = vita_session_get_analysis (st->window->session);
  if (st->job && st->job->an != an)
    {
      cancel_job (st);
      finish_job (st);
      gtk_progress_bar_set_fraction (st->progress, 0);
      set_status (st, NULL);
    }
  if (st->shown.target && an != st->shown_an && !st->pending)
    {
      /* another track or model: the overlay went with its analysis */
      vita_attr_settings_clear (&st->shown);
      vita_session_set_attribution (st->window->session, NULL);
      set_status (st, NULL);
    }
  try_pending (st);
  update_sensitivity (st);
}

/* ------------------------------------------------------------------ building */

static void
state_free (gpointer data)
{
  AttrState *st = data;
  if (st->job)
    {
      g_cancellable_cancel (st->job->cancellable);
      finish_job (st);
    }
  vita_attr_settings_clear (&st->shown);
  g_clear_object (&st->actions);
  g_free (st->last_status);
  g_free (st);
}

/* The window goes: the computation is cancelled (its result finds no window) and the
 * progress poll, which reads the popover's widgets, stops. */
static void
on_window_destroy (AttrState *st)
{
  if (st->job)
    {
      g_cancellable_cancel (st->job->cancellable);
      finish_job (st);
    }
}

static GtkWidget *
row_label (const char *text)
{
  GtkWidget *l = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_widget_add_css_class (l, "dim-label");
  return l;
}

static GtkDropDown *
drop_down (const char *const *items, GtkStringList **list_out)
{
  GtkStringList *list = gtk_string_list_new (items);
  GtkDropDown *dd = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (list), NULL));
  if (list_out)
    *list_out = list;
  gtk_widget_set_hexpand (GTK_WIDGET (dd), TRUE);
  return dd;
}

static void
on_method (AttrState *st)
{
  guint m = gtk_drop_down_get_selected (st->method_dd);
  gtk_widget_set_sensitive (GTK_WIDGET (st->steps_spin), m == METHOD_IG);
  gtk_widget_set_sensitive (GTK_WIDGET (st->patch_f_spin), m == METHOD_OCCLUSION);
  gtk_widget_set_sensitive (GTK_WIDGET (st->patch_b_spin), m == METHOD_OCCLUSION);
}

static void
on_target (AttrState *st)
{
  guint k = gtk_drop_down_get_selected (st->target_dd);
  gboolean probe = k == TARGET_CLASS_AT || k == TARGET_CLASS_OVER;
  gtk_widget_set_sensitive (GTK_WIDGET (st->probe_dd), probe);
  gtk_widget_set_sensitive (GTK_WIDGET (st->class_dd), probe);
  update_summary (st);
}

void
_vita_window_attribution_init (VitaWindow *self)
{
  AttrState *st = g_new0 (AttrState, 1);
  st->window = self;
  g_object_set_data_full (G_OBJECT (self), "vita-attribution", st, state_free);

  static const GActionEntry entries[] = {
    { "compute", action_compute },
    { "cancel", action_cancel },
    { "clear", action_clear },
    { "export", action_export, "s" },
    { "export-dialog", action_export_dialog },
    { "ab", NULL, NULL, "false", action_ab },
    { "load-alternate", action_load_alternate, "s" },
    { "load-alternate-dialog", action_load_alternate_dialog },
  };
  st->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (st->actions), entries, G_N_ELEMENTS (entries), st);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "attr", G_ACTION_GROUP (st->actions));

  GtkWidget *grid = gtk_grid_new ();
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  int row = 0;
  GtkWidget *title = gtk_label_new (_("Why does the model say that?"));
  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_grid_attach (GTK_GRID (grid), title, 0, row++, 2, 1);

  st->target_dd = drop_down ((const char *[]) { _("Probe class at the playhead"),
                                                _("Probe class over the selection"),
                                                _("Class-token similarity: playhead vs selection start"),
                                                _("Attention the playhead frame receives (layer, head shown)"),
                                                NULL }, NULL);
  gtk_grid_attach (GTK_GRID (grid), row_label (_("Target")), 0, row, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (st->target_dd), 1, row++, 1, 1);
  st->probe_dd = drop_down ((const char *[]) { NULL }, &st->probe_names);
  gtk_grid_attach (GTK_GRID (grid), row_label (_("Probe")), 0, row, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (st->probe_dd), 1, row++, 1, 1);
  st->class_dd = drop_down ((const char *[]) { NULL }, &st->class_names);
  gtk_drop_down_set_enable_search (st->class_dd, TRUE);
  gtk_grid_attach (GTK_GRID (grid), row_label (_("Class")), 0, row, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (st->class_dd), 1, row++, 1, 1);
  st->summary = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (st->summary, TRUE);
  gtk_label_set_max_width_chars (st->summary, 48);
  gtk_label_set_xalign (st->summary, 0);
  gtk_widget_add_css_class (GTK_WIDGET (st->summary), "caption");
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (st->summary), 0, row++, 2, 1);
  st->method_dd = drop_down ((const char *[]) { _("Integrated gradients (from silence)"),
                                                _("Gradient × input"),
                                                _("Occlusion (patch → silence)"), NULL }, NULL);
  gtk_grid_attach (GTK_GRID (grid), row_label (_("Method")), 0, row, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (st->method_dd), 1, row++, 1, 1);
  st->steps_spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (1, 512, 1));
  gtk_spin_button_set_value (st->steps_spin, 64);
  gtk_grid_attach (GTK_GRID (grid), row_label (_("IG steps")), 0, row, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (st->steps_spin), 1, row++, 1, 1);
  GtkWidget *patch = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  st->patch_f_spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (1, 256, 1));
  st->patch_b_spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (1, 256, 1));
  gtk_spin_button_set_value (st->patch_f_spin, 8);
  gtk_spin_button_set_value (st->patch_b_spin, 8);
  gtk_box_append (GTK_BOX (patch), GTK_WIDGET (st->patch_f_spin));
  gtk_box_append (GTK_BOX (patch), gtk_label_new (_("frames ×")));
  gtk_box_append (GTK_BOX (patch), GTK_WIDGET (st->patch_b_spin));
  gtk_box_append (GTK_BOX (patch), gtk_label_new (_("bands")));
  gtk_grid_attach (GTK_GRID (grid), row_label (_("Occlusion patch")), 0, row, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), patch, 1, row++, 1, 1);

  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  st->compute_button = gtk_button_new_with_mnemonic (_("_Compute"));
  gtk_widget_add_css_class (st->compute_button, "suggested-action");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (st->compute_button), "attr.compute");
  st->cancel_button = gtk_button_new_with_mnemonic (_("C_ancel"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (st->cancel_button), "attr.cancel");
  GtkWidget *clear = gtk_button_new_with_mnemonic (_("C_lear"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (clear), "attr.clear");
  GtkWidget *export = gtk_button_new_with_mnemonic (_("_Export…"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (export), "attr.export-dialog");
  gtk_box_append (GTK_BOX (buttons), st->compute_button);
  gtk_box_append (GTK_BOX (buttons), st->cancel_button);
  gtk_box_append (GTK_BOX (buttons), clear);
  gtk_box_append (GTK_BOX (buttons), export);
  gtk_grid_attach (GTK_GRID (grid), buttons, 0, row++, 2, 1);
  st->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (st->progress), 0, row++, 2, 1);
  st->status = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (st->status, TRUE);
  gtk_label_set_max_width_chars (st->status, 48);
  gtk_label_set_xalign (st->status, 0);
  gtk_label_set_selectable (st->status, TRUE);
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (st->status), 0, row++, 2, 1);
  st->opacity = GTK_RANGE (gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0, 1, 0.05));
  gtk_range_set_value (st->opacity, 0.7);
  gtk_scale_set_draw_value (GTK_SCALE (st->opacity), TRUE);
  gtk_scale_set_digits (GTK_SCALE (st->opacity), 2);
  gtk_grid_attach (GTK_GRID (grid), row_label (_("Overlay opacity")), 0, row, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (st->opacity), 1, row++, 1, 1);
  GtkWidget *load_b = gtk_button_new_with_mnemonic (_("Load _Edited Audio (B)…"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (load_b), "attr.load-alternate-dialog");
  gtk_widget_set_tooltip_text (load_b, _("A counterfactual version of this track (e.g. vitascope-cli counterfactual’s edited.wav) to compare by ear with the A/B button"));
  gtk_grid_attach (GTK_GRID (grid), row_label (_("Counterfactual")), 0, row, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), load_b, 1, row++, 1, 1);
  g_signal_connect (st->opacity, "value-changed", G_CALLBACK (on_opacity), st);
  g_signal_connect_swapped (st->method_dd, "notify::selected", G_CALLBACK (on_method), st);
  g_signal_connect_swapped (st->target_dd, "notify::selected", G_CALLBACK (on_target), st);
  g_signal_connect_swapped (st->probe_dd, "notify::selected", G_CALLBACK (refill_classes), st);
  g_signal_connect_swapped (st->class_dd, "notify::selected", G_CALLBACK (update_summary), st);
  on_method (st);

  GtkWidget *popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (popover), grid);
  g_signal_connect_swapped (popover, "show", G_CALLBACK (on_popover_show), st);
  st->button = gtk_menu_button_new ();
  /* an icon, with its name for screen readers and the tooltip: the header bar keeps
   * the window within 1024 px */
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (st->button), "edit-find-symbolic");
  gtk_accessible_update_property (GTK_ACCESSIBLE (st->button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Attribution"), -1);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (st->button), popover);
  gtk_widget_set_tooltip_text (st->button, _("Attribution: what in the mel input drives a probe’s class, a similarity or attention"));
  st->ab_button = gtk_toggle_button_new_with_label ("A/B");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (st->ab_button), "attr.ab");
  gtk_widget_set_tooltip_text (st->ab_button, _("Play the edited audio (B) or the original (A), at the same position"));
  /* the header bar is the content box's first child (vita-window.ui); both go on its
   * start side, which is shorter than the end side: the centred title keeps the
   * window's minimum width where it was */
  GtkWidget *header = gtk_widget_get_first_child (self->content_box);
  if (ADW_IS_HEADER_BAR (header))
    {
      adw_header_bar_pack_start (ADW_HEADER_BAR (header), st->button);
      adw_header_bar_pack_start (ADW_HEADER_BAR (header), st->ab_button);
    }

  g_signal_connect_swapped (self, "destroy", G_CALLBACK (on_window_destroy), st);
  /* a popover left open while the window goes leaves GTK a timeout on a dead surface */
  g_signal_connect_object (self, "unrealize", G_CALLBACK (gtk_popover_popdown), popover,
                           G_CONNECT_SWAPPED);

  GSignalGroup *g = self->session_signals;
  g_signal_group_connect_swapped (g, "view-restored", G_CALLBACK (on_view_restored), st);
  g_signal_group_connect_swapped (g, "notify::analysis", G_CALLBACK (on_analysis), st);
  g_signal_group_connect_swapped (g, "lanes-changed", G_CALLBACK (on_lanes_changed), st);

  /* For the GUI tests (tests/gui/test-app-attribution.c). */
  g_object_set_data (G_OBJECT (self), "vita-test-attr-button", st->button);
  g_object_set_data (G_OBJECT (self), "vita-test-attr-popover", popover);
  g_object_set_data (G_OBJECT (self), "vita-test-attr-target", st->target_dd);
  g_object_set_data (G_OBJECT (self), "vita-test-attr-class", st->class_dd);
  g_object_set_data (G_OBJECT (self), "vita-test-attr-method", st->method_dd);
  g_object_set_data (G_OBJECT (self), "vita-test-attr-steps", st->steps_spin);
  g_object_set_data (G_OBJECT (self), "vita-test-attr-compute", st->compute_button);
  g_object_set_data (G_OBJECT (self), "vita-test-attr-cancel", st->cancel_button);
  g_object_set_data (G_OBJECT (self), "vita-test-attr-status", st->status);
  g_object_set_data (G_OBJECT (self), "vita-test-attr-summary", st->summary);
  g_object_set_data (G_OBJECT (self), "vita-test-attr-opacity", st->opacity);
  g_object_set_data (G_OBJECT (self), "vita-test-ab-button", st->ab_button);
  update_sensitivity (st);
}

gboolean
_vita_window_attribution_is_running (VitaWindow *self)
{
  AttrState *st = state_of (self);
  return st && st->job != NULL;
}
