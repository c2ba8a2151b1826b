/* vita-session-side.c — side B of a comparison (see vita-session-side.h). */
#include "vita-config.h"
#include "vita-session-side.h"

#include <glib/gi18n.h>
#include <string.h>

#include "dsp/vita-edit.h"
#include "vita-engine.h"

struct _VitaSessionSide
{
  GObject          parent_instance;

  VitaSideKind     kind;
  VitaVit         *vit;
  char            *model_path;
  guint64          seed;
  GStrv            edits;
  GPtrArray       *parsed;      /* VitaEdit* of edits */
  char            *label;
  VitaAnalysisJob *job;
  VitaAnalysis    *analysis;
  VitaAnalysisSource *source;
  gboolean         pcm_ready;
  gboolean         complete;
  guint            update_id;   /* the throttled source update, as side A's */
};

G_DEFINE_FINAL_TYPE (VitaSessionSide, vita_session_side, G_TYPE_OBJECT)

enum { PROP_0, PROP_KIND, PROP_LABEL, PROP_PCM_READY, PROP_COMPLETE, N_PROPS };
static GParamSpec *props[N_PROPS];

enum { SIGNAL_FAILED, SIGNAL_PROGRESS, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
update_label (VitaSessionSide *self, const char *audio_name)
{
  g_autofree char *label = NULL;
  if (self->kind == VITA_SIDE_EDIT)
    {
      g_autofree char *joined = g_strjoinv (", ", self->edits);
      g_autofree char *base = audio_name ? g_path_get_basename (audio_name) : NULL;
      label = base ? g_strdup_printf ("%s — %s", base, joined) : g_strdup_printf (_("edited: %s"), joined);
    }
  else
    label = vita_vit_describe (self->vit);
  if (g_strcmp0 (label, self->label) == 0)
    return;
  g_free (self->label);
  self->label = g_steal_pointer (&label);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LABEL]);
}

static void
set_analysis (VitaSessionSide *self, VitaAnalysis *an)
{
  if (an == self->analysis)
    return;
  g_clear_pointer (&self->analysis, vita_analysis_unref);
  self->analysis = an ? vita_analysis_ref (an) : NULL;
  vita_analysis_source_set_analysis (self->source, self->analysis);
}

static void
on_decoded (VitaSessionSide *self, VitaAnalysisJob *job)
{
  self->pcm_ready = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PCM_READY]);
}

static void
on_started (VitaSessionSide *self, VitaAnalysisJob *job)
{
  set_analysis (self, vita_analysis_job_get_analysis (job));
}

static gboolean
update_cb (gpointer data)
{
  VitaSessionSide *self = data;
  self->update_id = 0;
  vita_analysis_source_update (self->source);
  return G_SOURCE_REMOVE;
}

/* As side A's (vita-session.c): the panels of the window under the playhead are told
 * at once, every panel at most twice a second. */
static void
on_progress (VitaSessionSide *self, int done, int total, VitaAnalysisJob *job)
{
  vita_analysis_source_windows_ready (self->source);
  if (self->update_id == 0)
    self->update_id = g_timeout_add (500, update_cb, self);
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, done, total);
}

static void
on_finished (VitaSessionSide *self, GError *error, VitaAnalysisJob *job)
{
  g_clear_handle_id (&self->update_id, g_source_remove);
  vita_analysis_source_update (self->source);
  if (error != NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("Side B (%s): %s"), self->label, error->message);
      g_signal_emit (self, signals[SIGNAL_FAILED], 0, msg);
      return;
    }
  self->complete = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_COMPLETE]);
}

void
vita_session_side_stop (VitaSessionSide *self, gboolean join)
{
  if (self->job == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->job, self);
  vita_analysis_job_cancel (self->job);
  if (join)
    vita_analysis_job_join (self->job);
  g_clear_object (&self->job);
}

void
vita_session_side_start (VitaSessionSide *self, const VitaPcm *pcm, const char *audio_name,
                         int priority_frame)
{
  g_return_if_fail (VITA_IS_SESSION_SIDE (self));
  vita_session_side_stop (self, FALSE);
  set_analysis (self, NULL);
  if (self->complete)
    {
      self->complete = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_COMPLETE]);
    }
  if (self->pcm_ready)
    {
      self->pcm_ready = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PCM_READY]);
    }
  update_label (self, audio_name);
  g_autofree char *name = g_strdup_printf ("%s (%s)", audio_name ? audio_name : "audio", self->label);
  self->job = vita_analysis_job_new_for_pcm (name, vita_pcm_copy (pcm), self->vit, priority_frame);
  if (self->parsed != NULL)
    vita_analysis_job_set_edits (self->job, self->parsed);
  vita_analysis_job_set_workers (self->job, vita_analysis_job_half_workers ());
  g_signal_connect_swapped (self->job, "decoded", G_CALLBACK (on_decoded), self);
  g_signal_connect_swapped (self->job, "analysis-started", G_CALLBACK (on_started), self);
  g_signal_connect_swapped (self->job, "progress", G_CALLBACK (on_progress), self);
  g_signal_connect_swapped (self->job, "finished", G_CALLBACK (on_finished), self);
  vita_analysis_job_start (self->job);
}

void
vita_session_side_set_priority_frame (VitaSessionSide *self, int frame)
{
  if (self->job != NULL)
    vita_analysis_job_set_priority_frame (self->job, frame);
}

void
vita_session_side_set_model (VitaSessionSide *self, VitaVit *vit)
{
  VitaVit *old = self->vit;
  self->vit = vita_engine_model_ref (vit);
  vita_engine_model_unref (old);
}

VitaSessionSide *
vita_session_side_new (VitaSideKind kind, VitaVit *vit, const char *model_path, guint64 seed,
                       const char *const *edits)
{
  VitaSessionSide *self = g_object_new (VITA_TYPE_SESSION_SIDE, NULL);
  self->kind = kind;
  self->vit = vita_engine_model_ref (vit);
  self->model_path = g_strdup (model_path);
  self->seed = seed;
  if (kind == VITA_SIDE_EDIT)
    {
      self->edits = g_strdupv ((char **) edits);
      self->parsed = g_ptr_array_new_with_free_func ((GDestroyNotify) vita_edit_free);
      for (int i = 0; edits && edits[i]; i++)
        {
          VitaEdit *e = vita_edit_parse (edits[i], NULL);   /* checked by the session */
          if (e != NULL)
            g_ptr_array_add (self->parsed, e);
        }
    }
  update_label (self, NULL);
  return self;
}

VitaSideKind vita_session_side_get_kind (VitaSessionSide *self) { return self->kind; }
const char *vita_session_side_get_label (VitaSessionSide *self) { return self->label; }
VitaVit *vita_session_side_get_model (VitaSessionSide *self) { return self->vit; }
const char *vita_session_side_get_model_path (VitaSessionSide *self) { return self->model_path; }
guint64 vita_session_side_get_seed (VitaSessionSide *self) { return self->seed; }
const char *const *vita_session_side_get_edits (VitaSessionSide *self) { return (const char *const *) self->edits; }
VitaAnalysisSource *vita_session_side_get_analysis_source (VitaSessionSide *self) { return self->source; }
VitaAnalysis *vita_session_side_get_analysis (VitaSessionSide *self) { return self->analysis; }
gboolean vita_session_side_get_complete (VitaSessionSide *self) { return self->complete; }

const VitaPcm *
vita_session_side_get_pcm (VitaSessionSide *self)
{
  return self->pcm_ready && self->job ? vita_analysis_job_get_pcm (self->job) : NULL;
}

static void
vita_session_side_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VitaSessionSide *self = VITA_SESSION_SIDE (object);
  switch (prop_id)
    {
    case PROP_KIND: g_value_set_int (value, self->kind); break;
    case PROP_LABEL: g_value_set_string (value, self->label); break;
    case PROP_PCM_READY: g_value_set_boolean (value, self->pcm_ready); break;
    case PROP_COMPLETE: g_value_set_boolean (value, self->complete); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vita_session_side_dispose (GObject *object)
{
  VitaSessionSide *self = VITA_SESSION_SIDE (object);
  g_clear_handle_id (&self->update_id, g_source_remove);
  vita_session_side_stop (self, TRUE);
  set_analysis (self, NULL);
  G_OBJECT_CLASS (vita_session_side_parent_class)->dispose (object);
}

static void
vita_session_side_finalize (GObject *object)
{
  VitaSessionSide *self = VITA_SESSION_SIDE (object);
  vita_engine_model_unref (self->vit);
  g_free (self->model_path);
  g_strfreev (self->edits);
  g_clear_pointer (&self->parsed, g_ptr_array_unref);
  g_free (self->label);
  g_clear_object (&self->source);
  G_OBJECT_CLASS (vita_session_side_parent_class)->finalize (object);
}

static void
vita_session_side_class_init (VitaSessionSideClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  object_class->get_property = vita_session_side_get_property;
  object_class->dispose = vita_session_side_dispose;
  object_class->finalize = vita_session_side_finalize;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  props[PROP_KIND] = g_param_spec_int ("kind", NULL, NULL, 0, VITA_SIDE_EDIT, 0, ro);
  props[PROP_LABEL] = g_param_spec_string ("label", NULL, NULL, NULL, ro);
  props[PROP_PCM_READY] = g_param_spec_boolean ("pcm-ready", NULL, NULL, FALSE, ro);
  props[PROP_COMPLETE] = g_param_spec_boolean ("complete", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, props);
  /* (message) side B's analysis failed: side A is untouched */
  signals[SIGNAL_FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                           2, G_TYPE_INT, G_TYPE_INT);
}

static void
vita_session_side_init (VitaSessionSide *self)
{
  self->source = vita_analysis_source_new ();
}

gboolean
vita_session_side_is_started (VitaSessionSide *self)
{
  return self->job != NULL;
}
