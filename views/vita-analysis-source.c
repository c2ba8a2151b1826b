/* vita-analysis-source.c — see vita-analysis-source.h. */
#include "vita-analysis-source.h"
#include "vita-views-private.h"

struct _VitaAnalysisSource
{
  GObject         parent_instance;
  VitaAnalysis   *analysis;       /* owned ref */
  VitaPaintCache *cache;          /* owned, NULL without an analysis */
  int             n_ready;
  gboolean        complete;
  gboolean        track_cka;      /* the whole track's CKA is there (after complete) */
  gboolean        interned;       /* listed in interned (vita_analysis_source_for_analysis) */
};

G_DEFINE_FINAL_TYPE (VitaAnalysisSource, vita_analysis_source, G_TYPE_OBJECT)
G_DEFINE_BOXED_TYPE (VitaAnalysis, vita_analysis_boxed, vita_analysis_ref, vita_analysis_unref)

GType
vita_analysis_get_boxed_type (void)
{
  return vita_analysis_boxed_get_type ();
}

enum { PROP_0, PROP_ANALYSIS, PROP_N_READY, PROP_COMPLETE, N_PROPS };
static GParamSpec *properties[N_PROPS];
enum { ATTENTION_READY, WINDOWS_READY, N_SIGNALS };
static guint signals[N_SIGNALS];

static VitaWindowAttentionFunc default_attention_func;
/* Sources of bare analyses (no reference: an entry goes with its source). */
static GHashTable *interned;

void
vita_views_set_attention_func (VitaWindowAttentionFunc func)
{
  default_attention_func = func;
}

VitaAnalysisSource *
vita_analysis_source_new (void)
{
  return g_object_new (VITA_TYPE_ANALYSIS_SOURCE, NULL);
}

VitaAnalysis *
vita_analysis_source_get_analysis (VitaAnalysisSource *self)
{
  g_return_val_if_fail (VITA_IS_ANALYSIS_SOURCE (self), NULL);
  return self->analysis;
}

VitaPaintCache *
vita_analysis_source_get_cache (VitaAnalysisSource *self)
{
  g_return_val_if_fail (VITA_IS_ANALYSIS_SOURCE (self), NULL);
  return self->cache;
}

int
vita_analysis_source_get_n_ready (VitaAnalysisSource *self)
{
  return self->n_ready;
}

gboolean
vita_analysis_source_get_complete (VitaAnalysisSource *self)
{
  return self->complete;
}

gboolean
vita_analysis_source_get_track_cka (VitaAnalysisSource *self)
{
  return self->track_cka;
}

/* A window's attention arrived from the cache's worker (main context). */
static void
on_cache_ready (gpointer cache, gpointer data)
{
  VitaAnalysisSource *self = data;
  if (self->cache == cache)
    g_signal_emit (self, signals[ATTENTION_READY], 0);
}

static void
drop_cache (VitaAnalysisSource *self)
{
  if (self->cache == NULL)
    return;
  /* A job still running holds its own reference on the cache: it must not call
   * back into this source afterwards. */
  vita_paint_cache_set_async (self->cache, TRUE, NULL, NULL);
  g_clear_pointer (&self->cache, vita_paint_cache_unref);
}

/* complete: 0, 1 (the analysis), 2 (and the whole track's CKA after it) */
static void
read_progress (VitaAnalysisSource *self, int *n_ready, int *complete)
{
  VitaAnalysis *an = self->analysis;
  *n_ready = an ? g_atomic_int_get (&an->n_ready) : 0;
  *complete = an && g_atomic_int_get (&an->complete) ? 1 + (vita_analysis_track_cka (an) != NULL) : 0;
}

/* n-ready and complete as the analysis says now, notified when they changed (complete
 * also when the whole track's CKA arrived after it). */
static void
publish_progress (VitaAnalysisSource *self)
{
  int n_ready, complete;
  read_progress (self, &n_ready, &complete);
  if (n_ready != self->n_ready)
    {
      self->n_ready = n_ready;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_READY]);
    }
  if (complete != self->complete + self->track_cka)
    {
      self->complete = complete > 0;
      self->track_cka = complete > 1;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
    }
}

void
vita_analysis_source_set_analysis (VitaAnalysisSource *self, VitaAnalysis *analysis)
{
  g_return_if_fail (VITA_IS_ANALYSIS_SOURCE (self));
  g_return_if_fail (!self->interned || analysis == self->analysis);
  if (self->analysis == analysis)
    return;
  g_object_freeze_notify (G_OBJECT (self));
  drop_cache (self);
  g_clear_pointer (&self->analysis, vita_analysis_unref);
  if (analysis)
    {
      self->analysis = vita_analysis_ref (analysis);
      self->cache = vita_paint_cache_new (analysis);
      if (default_attention_func)
        vita_paint_cache_set_attention_func (self->cache, default_attention_func);
      /* Widgets never wait for a forward pass (vita-painters.h). */
      vita_paint_cache_set_async (self->cache, TRUE, on_cache_ready, self);
    }
  publish_progress (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ANALYSIS]);
  g_object_thaw_notify (G_OBJECT (self));
}

void
vita_analysis_source_update (VitaAnalysisSource *self)
{
  g_return_if_fail (VITA_IS_ANALYSIS_SOURCE (self));
  int n_ready, complete;
  read_progress (self, &n_ready, &complete);
  if (n_ready == self->n_ready && complete == self->complete + self->track_cka)
    return;
  if (self->cache)
    vita_paint_cache_progressed (self->cache);
  g_object_freeze_notify (G_OBJECT (self));
  publish_progress (self);
  g_object_thaw_notify (G_OBJECT (self));
}

void
vita_analysis_source_windows_ready (VitaAnalysisSource *self)
{
  g_return_if_fail (VITA_IS_ANALYSIS_SOURCE (self));
  g_signal_emit (self, signals[WINDOWS_READY], 0);
}

VitaAnalysisSource *
vita_analysis_source_for_analysis (VitaAnalysis *analysis)
{
  g_return_val_if_fail (analysis != NULL, NULL);
  if (interned == NULL)
    interned = g_hash_table_new (NULL, NULL);
  VitaAnalysisSource *self = g_hash_table_lookup (interned, analysis);
  if (self)
    return g_object_ref (self);
  self = vita_analysis_source_new ();
  vita_analysis_source_set_analysis (self, analysis);
  self->interned = TRUE;
  g_hash_table_insert (interned, analysis, self);
  return self;
}

static void
vita_analysis_source_finalize (GObject *object)
{
  VitaAnalysisSource *self = VITA_ANALYSIS_SOURCE (object);
  if (self->interned && interned)
    g_hash_table_remove (interned, self->analysis);
  drop_cache (self);
  g_clear_pointer (&self->analysis, vita_analysis_unref);
  G_OBJECT_CLASS (vita_analysis_source_parent_class)->finalize (object);
}

static void
vita_analysis_source_get_property (GObject *object, guint prop_id, GValue *value,
                                   GParamSpec *pspec)
{
  VitaAnalysisSource *self = VITA_ANALYSIS_SOURCE (object);
  switch (prop_id)
    {
    case PROP_ANALYSIS: g_value_set_boxed (value, self->analysis); break;
    case PROP_N_READY: g_value_set_int (value, self->n_ready); break;
    case PROP_COMPLETE: g_value_set_boolean (value, self->complete); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vita_analysis_source_set_property (GObject *object, guint prop_id, const GValue *value,
                                   GParamSpec *pspec)
{
  VitaAnalysisSource *self = VITA_ANALYSIS_SOURCE (object);
  switch (prop_id)
    {
    case PROP_ANALYSIS: vita_analysis_source_set_analysis (self, g_value_get_boxed (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vita_analysis_source_class_init (VitaAnalysisSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  object_class->finalize = vita_analysis_source_finalize;
  object_class->get_property = vita_analysis_source_get_property;
  object_class->set_property = vita_analysis_source_set_property;
  properties[PROP_ANALYSIS] =
    g_param_spec_boxed ("analysis", NULL, NULL, VITA_TYPE_ANALYSIS,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_N_READY] =
    g_param_spec_int ("n-ready", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  signals[ATTENTION_READY] = g_signal_new ("attention-ready", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 0);
  signals[WINDOWS_READY] = g_signal_new ("windows-ready", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 0);
}

static void
vita_analysis_source_init (VitaAnalysisSource *self)
{
}
