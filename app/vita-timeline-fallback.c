/* vita-timeline-fallback.c — a minimal VitaTimeline (views/vita-timeline.h) used
 * only until views/vita-timeline.c exists (app/meson.build picks this file when it
 * does not).  The views helper owns the real implementation; this one follows the
 * same contract: setters clamp and notify only on real change. */
#include "vita-timeline.h"

#include <math.h>

struct _VitaTimeline
{
  GObject parent_instance;
  int     sample_rate, hop, n_frames, n_layers, n_heads, layer, head, query_token;
  gint64  n_samples, position, visible_start, visible_end, selection_start, selection_end;
  char   *probe;
  VitaFollowMode follow;
  gboolean playing;
};

G_DEFINE_FINAL_TYPE (VitaTimeline, vita_timeline, G_TYPE_OBJECT)

enum {
  PROP_0, PROP_SAMPLE_RATE, PROP_HOP, PROP_N_FRAMES, PROP_N_SAMPLES, PROP_POSITION,
  PROP_VISIBLE_START, PROP_VISIBLE_END, PROP_SELECTION_START, PROP_SELECTION_END,
  PROP_LAYER, PROP_N_LAYERS, PROP_HEAD, PROP_N_HEADS, PROP_QUERY_TOKEN, PROP_PROBE,
  PROP_FOLLOW, PROP_PLAYING, N_PROPS
};
static GParamSpec *props[N_PROPS];

#define NOTIFY(p) g_object_notify_by_pspec (G_OBJECT (self), props[p])

static void
vita_timeline_finalize (GObject *object)
{
  g_free (VITA_TIMELINE (object)->probe);
  G_OBJECT_CLASS (vita_timeline_parent_class)->finalize (object);
}

static void
vita_timeline_get_property (GObject *object, guint id, GValue *v, GParamSpec *pspec)
{
  VitaTimeline *self = VITA_TIMELINE (object);
  switch (id)
    {
    case PROP_SAMPLE_RATE: g_value_set_int (v, self->sample_rate); break;
    case PROP_HOP: g_value_set_int (v, self->hop); break;
    case PROP_N_FRAMES: g_value_set_int (v, self->n_frames); break;
    case PROP_N_SAMPLES: g_value_set_int64 (v, self->n_samples); break;
    case PROP_POSITION: g_value_set_int64 (v, self->position); break;
    case PROP_VISIBLE_START: g_value_set_int64 (v, self->visible_start); break;
    case PROP_VISIBLE_END: g_value_set_int64 (v, self->visible_end); break;
    case PROP_SELECTION_START: g_value_set_int64 (v, self->selection_start); break;
    case PROP_SELECTION_END: g_value_set_int64 (v, self->selection_end); break;
    case PROP_LAYER: g_value_set_int (v, self->layer); break;
    case PROP_N_LAYERS: g_value_set_int (v, self->n_layers); break;
    case PROP_HEAD: g_value_set_int (v, self->head); break;
    case PROP_N_HEADS: g_value_set_int (v, self->n_heads); break;
    case PROP_QUERY_TOKEN: g_value_set_int (v, self->query_token); break;
    case PROP_PROBE: g_value_set_string (v, self->probe); break;
    case PROP_FOLLOW: g_value_set_int (v, self->follow); break;
    case PROP_PLAYING: g_value_set_boolean (v, self->playing); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
vita_timeline_set_property (GObject *object, guint id, const GValue *v, GParamSpec *pspec)
{
  VitaTimeline *self = VITA_TIMELINE (object);
  switch (id)
    {
    case PROP_POSITION: vita_timeline_set_position (self, g_value_get_int64 (v)); break;
    case PROP_LAYER: vita_timeline_set_layer (self, g_value_get_int (v)); break;
    case PROP_HEAD: vita_timeline_set_head (self, g_value_get_int (v)); break;
    case PROP_QUERY_TOKEN: vita_timeline_set_query_token (self, g_value_get_int (v)); break;
    case PROP_PROBE: vita_timeline_set_probe (self, g_value_get_string (v)); break;
    case PROP_FOLLOW: vita_timeline_set_follow (self, g_value_get_int (v)); break;
    case PROP_PLAYING: vita_timeline_set_playing (self, g_value_get_boolean (v)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
vita_timeline_class_init (VitaTimelineClass *klass)
{
  GObjectClass *oc = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  oc->finalize = vita_timeline_finalize;
  oc->get_property = vita_timeline_get_property;
  oc->set_property = vita_timeline_set_property;
  props[PROP_SAMPLE_RATE] = g_param_spec_int ("sample-rate", NULL, NULL, 0, G_MAXINT, 16000, ro);
  props[PROP_HOP] = g_param_spec_int ("hop", NULL, NULL, 0, G_MAXINT, 512, ro);
  props[PROP_N_FRAMES] = g_param_spec_int ("n-frames", NULL, NULL, 0, G_MAXINT, 0, ro);
  props[PROP_N_SAMPLES] = g_param_spec_int64 ("n-samples", NULL, NULL, 0, G_MAXINT64, 0, ro);
  props[PROP_POSITION] = g_param_spec_int64 ("position", NULL, NULL, 0, G_MAXINT64, 0, rw);
  props[PROP_VISIBLE_START] = g_param_spec_int64 ("visible-start", NULL, NULL, 0, G_MAXINT64, 0, ro);
  props[PROP_VISIBLE_END] = g_param_spec_int64 ("visible-end", NULL, NULL, 0, G_MAXINT64, 0, ro);
  props[PROP_SELECTION_START] = g_param_spec_int64 ("selection-start", NULL, NULL, 0, G_MAXINT64, 0, ro);
  props[PROP_SELECTION_END] = g_param_spec_int64 ("selection-end", NULL, NULL, 0, G_MAXINT64, 0, ro);
  props[PROP_LAYER] = g_param_spec_int ("layer", NULL, NULL, 0, G_MAXINT, 0, rw);
  props[PROP_N_LAYERS] = g_param_spec_int ("n-layers", NULL, NULL, 0, G_MAXINT, 0, ro);
  props[PROP_HEAD] = g_param_spec_int ("head", NULL, NULL, -1, G_MAXINT, -1, rw);
  props[PROP_N_HEADS] = g_param_spec_int ("n-heads", NULL, NULL, 0, G_MAXINT, 0, ro);
  props[PROP_QUERY_TOKEN] = g_param_spec_int ("query-token", NULL, NULL, -1, G_MAXINT, -1, rw);
  props[PROP_PROBE] = g_param_spec_string ("probe", NULL, NULL, NULL, rw);
  props[PROP_FOLLOW] = g_param_spec_int ("follow", NULL, NULL, 0, 2, 0, rw);
  props[PROP_PLAYING] = g_param_spec_boolean ("playing", NULL, NULL, FALSE, rw);
  g_object_class_install_properties (oc, N_PROPS, props);
}

static void
vita_timeline_init (VitaTimeline *self)
{
  self->sample_rate = 16000;
  self->hop = 512;
  self->head = -1;
  self->query_token = -1;
}

VitaTimeline *
vita_timeline_new (void)
{
  return g_object_new (VITA_TYPE_TIMELINE, NULL);
}

void
vita_timeline_configure (VitaTimeline *self, int sample_rate, int hop, gint64 n_samples,
                         int n_layers, int n_heads)
{
  g_return_if_fail (VITA_IS_TIMELINE (self));
  g_return_if_fail (sample_rate > 0 && hop > 0 && n_samples >= 0);

  g_object_freeze_notify (G_OBJECT (self));
  self->sample_rate = sample_rate;
  self->hop = hop;
  self->n_samples = n_samples;
  self->n_frames = (int) (1 + n_samples / hop);
  self->n_layers = MAX (n_layers, 0);
  self->n_heads = MAX (n_heads, 0);
  self->layer = CLAMP (self->layer, 0, MAX (self->n_layers - 1, 0));
  if (self->head >= self->n_heads)
    self->head = -1;
  self->position = CLAMP (self->position, 0, n_samples);
  self->visible_start = 0;
  self->visible_end = n_samples;
  self->selection_start = self->selection_end = 0;
  for (int p = PROP_SAMPLE_RATE; p <= PROP_N_HEADS; p++)
    NOTIFY (p);
  g_object_thaw_notify (G_OBJECT (self));
}

int vita_timeline_get_sample_rate (VitaTimeline *self) { return self->sample_rate; }
int vita_timeline_get_hop (VitaTimeline *self) { return self->hop; }
int vita_timeline_get_n_frames (VitaTimeline *self) { return self->n_frames; }
gint64 vita_timeline_get_n_samples (VitaTimeline *self) { return self->n_samples; }
gint64 vita_timeline_get_position (VitaTimeline *self) { return self->position; }

void
vita_timeline_set_position (VitaTimeline *self, gint64 position)
{
  position = CLAMP (position, 0, self->n_samples);
  if (position == self->position)
    return;
  self->position = position;
  NOTIFY (PROP_POSITION);
}

int
vita_timeline_get_current_frame (VitaTimeline *self)
{
  return vita_timeline_sample_to_frame (self, self->position);
}

void
vita_timeline_get_visible (VitaTimeline *self, gint64 *start, gint64 *end)
{
  if (start) *start = self->visible_start;
  if (end) *end = self->visible_end;
}

void
vita_timeline_set_visible (VitaTimeline *self, gint64 start, gint64 end)
{
  gint64 min_span = MIN ((gint64) self->hop * 8, MAX (self->n_samples, 1));
  gint64 span;

  if (self->n_samples <= 0)
    return;
  span = CLAMP (end - start, min_span, self->n_samples);
  start = CLAMP (start, 0, self->n_samples - span);
  end = start + span;
  if (start == self->visible_start && end == self->visible_end)
    return;
  g_object_freeze_notify (G_OBJECT (self));
  if (start != self->visible_start)
    { self->visible_start = start; NOTIFY (PROP_VISIBLE_START); }
  if (end != self->visible_end)
    { self->visible_end = end; NOTIFY (PROP_VISIBLE_END); }
  g_object_thaw_notify (G_OBJECT (self));
}

void
vita_timeline_zoom (VitaTimeline *self, double factor, gint64 anchor)
{
  double span = (double) (self->visible_end - self->visible_start);
  double new_span = span / factor;
  double rel = span > 0 ? (double) (anchor - self->visible_start) / span : 0.5;
  gint64 start = anchor - (gint64) llround (rel * new_span);

  vita_timeline_set_visible (self, start, start + (gint64) llround (new_span));
}

void
vita_timeline_scroll (VitaTimeline *self, gint64 delta)
{
  vita_timeline_set_visible (self, self->visible_start + delta, self->visible_end + delta);
}

void
vita_timeline_get_selection (VitaTimeline *self, gint64 *start, gint64 *end)
{
  if (start) *start = self->selection_start;
  if (end) *end = self->selection_end;
}

void
vita_timeline_set_selection (VitaTimeline *self, gint64 start, gint64 end)
{
  if (end < start)
    { gint64 t = start; start = end; end = t; }
  start = CLAMP (start, 0, self->n_samples);
  end = CLAMP (end, 0, self->n_samples);
  g_object_freeze_notify (G_OBJECT (self));
  if (start != self->selection_start)
    { self->selection_start = start; NOTIFY (PROP_SELECTION_START); }
  if (end != self->selection_end)
    { self->selection_end = end; NOTIFY (PROP_SELECTION_END); }
  g_object_thaw_notify (G_OBJECT (self));
}

int vita_timeline_get_layer (VitaTimeline *self) { return self->layer; }

void
vita_timeline_set_layer (VitaTimeline *self, int layer)
{
  layer = CLAMP (layer, 0, MAX (self->n_layers - 1, 0));
  if (layer == self->layer)
    return;
  self->layer = layer;
  NOTIFY (PROP_LAYER);
}

int vita_timeline_get_n_layers (VitaTimeline *self) { return self->n_layers; }
int vita_timeline_get_head (VitaTimeline *self) { return self->head; }

void
vita_timeline_set_head (VitaTimeline *self, int head)
{
  head = CLAMP (head, -1, MAX (self->n_heads - 1, -1));
  if (head == self->head)
    return;
  self->head = head;
  NOTIFY (PROP_HEAD);
}

int vita_timeline_get_n_heads (VitaTimeline *self) { return self->n_heads; }
int vita_timeline_get_query_token (VitaTimeline *self) { return self->query_token; }

void
vita_timeline_set_query_token (VitaTimeline *self, int token)
{
  token = CLAMP (token, -1, MAX (self->n_frames - 1, -1));
  if (token == self->query_token)
    return;
  self->query_token = token;
  NOTIFY (PROP_QUERY_TOKEN);
}

const char *vita_timeline_get_probe (VitaTimeline *self) { return self->probe; }

void
vita_timeline_set_probe (VitaTimeline *self, const char *probe)
{
  if (g_strcmp0 (probe, self->probe) == 0)
    return;
  g_free (self->probe);
  self->probe = g_strdup (probe);
  NOTIFY (PROP_PROBE);
}

VitaFollowMode vita_timeline_get_follow (VitaTimeline *self) { return self->follow; }

void
vita_timeline_set_follow (VitaTimeline *self, VitaFollowMode mode)
{
  if (mode == self->follow)
    return;
  self->follow = mode;
  NOTIFY (PROP_FOLLOW);
}

gboolean vita_timeline_get_playing (VitaTimeline *self) { return self->playing; }

void
vita_timeline_set_playing (VitaTimeline *self, gboolean playing)
{
  playing = !!playing;
  if (playing == self->playing)
    return;
  self->playing = playing;
  NOTIFY (PROP_PLAYING);
}

gint64
vita_timeline_frame_to_sample (VitaTimeline *self, int frame)
{
  return (gint64) frame * self->hop;
}

int
vita_timeline_sample_to_frame (VitaTimeline *self, gint64 sample)
{
  gint64 frame = (sample + self->hop / 2) / self->hop;
  return (int) CLAMP (frame, 0, MAX (self->n_frames - 1, 0));
}

double
vita_timeline_sample_to_seconds (VitaTimeline *self, gint64 sample)
{
  return self->sample_rate > 0 ? (double) sample / self->sample_rate : 0.0;
}
