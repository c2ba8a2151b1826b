/* vita-timeline.c — the shared time axis (see vita-timeline.h).
 *
 * Modelled on sysprof's SysprofSession: a plain GObject whose setters clamp and
 * notify only on real change, so observers can redraw on every notification
 * without loops.  Time is integer samples (Sonic Visualiser's sample frames).
 *
 * Layer convention: "layer" is a token layer, 0..n-layers-1, as in VitaAnalysis
 * (0 = the embedded input, k = the residual stream after block k).  Attention
 * panels show block k-1 for layer k ≥ 1 (the attention that produced layer k) and
 * block 0 for layer 0.
 */
#include "vita-timeline.h"

#include <math.h>
#include <string.h>

/* Smallest visible span: a few samples, so the waveform can reach sample level. */
#define MIN_VISIBLE_SPAN 16

struct _VitaTimeline
{
  GObject parent_instance;

  int      sample_rate;
  int      hop;
  int      n_frames;
  gint64   n_samples;
  gint64   position;
  int      current_frame;
  gint64   visible_start;
  gint64   visible_end;
  gint64   selection_start;
  gint64   selection_end;
  int      layer;
  int      n_layers;
  int      head;
  int      n_heads;
  int      query_token;
  char    *probe;
  VitaFollowMode follow;
  gboolean playing;
};

G_DEFINE_FINAL_TYPE (VitaTimeline, vita_timeline, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (VitaFollowMode, vita_follow_mode,
                    G_DEFINE_ENUM_VALUE (VITA_FOLLOW_PAGE, "page"),
                    G_DEFINE_ENUM_VALUE (VITA_FOLLOW_CONTINUOUS, "continuous"),
                    G_DEFINE_ENUM_VALUE (VITA_FOLLOW_OFF, "off"))

enum {
  PROP_0,
  PROP_SAMPLE_RATE,
  PROP_HOP,
  PROP_N_FRAMES,
  PROP_N_SAMPLES,
  PROP_POSITION,
  PROP_CURRENT_FRAME,
  PROP_VISIBLE_START,
  PROP_VISIBLE_END,
  PROP_SELECTION_START,
  PROP_SELECTION_END,
  PROP_LAYER,
  PROP_N_LAYERS,
  PROP_HEAD,
  PROP_N_HEADS,
  PROP_QUERY_TOKEN,
  PROP_PROBE,
  PROP_FOLLOW,
  PROP_PLAYING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
vita_timeline_finalize (GObject *object)
{
  VitaTimeline *self = VITA_TIMELINE (object);
  g_free (self->probe);
  G_OBJECT_CLASS (vita_timeline_parent_class)->finalize (object);
}

static void
vita_timeline_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VitaTimeline *self = VITA_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_SAMPLE_RATE: g_value_set_int (value, self->sample_rate); break;
    case PROP_HOP: g_value_set_int (value, self->hop); break;
    case PROP_N_FRAMES: g_value_set_int (value, self->n_frames); break;
    case PROP_N_SAMPLES: g_value_set_int64 (value, self->n_samples); break;
    case PROP_POSITION: g_value_set_int64 (value, self->position); break;
    case PROP_CURRENT_FRAME: g_value_set_int (value, self->current_frame); break;
    case PROP_VISIBLE_START: g_value_set_int64 (value, self->visible_start); break;
    case PROP_VISIBLE_END: g_value_set_int64 (value, self->visible_end); break;
    case PROP_SELECTION_START: g_value_set_int64 (value, self->selection_start); break;
    case PROP_SELECTION_END: g_value_set_int64 (value, self->selection_end); break;
    case PROP_LAYER: g_value_set_int (value, self->layer); break;
    case PROP_N_LAYERS: g_value_set_int (value, self->n_layers); break;
    case PROP_HEAD: g_value_set_int (value, self->head); break;
    case PROP_N_HEADS: g_value_set_int (value, self->n_heads); break;
    case PROP_QUERY_TOKEN: g_value_set_int (value, self->query_token); break;
    case PROP_PROBE: g_value_set_string (value, self->probe); break;
    case PROP_FOLLOW: g_value_set_enum (value, self->follow); break;
    case PROP_PLAYING: g_value_set_boolean (value, self->playing); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vita_timeline_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VitaTimeline *self = VITA_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_POSITION: vita_timeline_set_position (self, g_value_get_int64 (value)); break;
    case PROP_VISIBLE_START:
      vita_timeline_set_visible (self, g_value_get_int64 (value), self->visible_end);
      break;
    case PROP_VISIBLE_END:
      vita_timeline_set_visible (self, self->visible_start, g_value_get_int64 (value));
      break;
    case PROP_SELECTION_START:
      vita_timeline_set_selection (self, g_value_get_int64 (value), self->selection_end);
      break;
    case PROP_SELECTION_END:
      vita_timeline_set_selection (self, self->selection_start, g_value_get_int64 (value));
      break;
    case PROP_LAYER: vita_timeline_set_layer (self, g_value_get_int (value)); break;
    case PROP_HEAD: vita_timeline_set_head (self, g_value_get_int (value)); break;
    case PROP_QUERY_TOKEN: vita_timeline_set_query_token (self, g_value_get_int (value)); break;
    case PROP_PROBE: vita_timeline_set_probe (self, g_value_get_string (value)); break;
    case PROP_FOLLOW: vita_timeline_set_follow (self, g_value_get_enum (value)); break;
    case PROP_PLAYING: vita_timeline_set_playing (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vita_timeline_class_init (VitaTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = vita_timeline_finalize;
  object_class->get_property = vita_timeline_get_property;
  object_class->set_property = vita_timeline_set_property;

  properties[PROP_SAMPLE_RATE] = g_param_spec_int ("sample-rate", NULL, NULL, 0, G_MAXINT, 0, ro);
  properties[PROP_HOP] = g_param_spec_int ("hop", NULL, NULL, 0, G_MAXINT, 0, ro);
  properties[PROP_N_FRAMES] = g_param_spec_int ("n-frames", NULL, NULL, 0, G_MAXINT, 0, ro);
  properties[PROP_N_SAMPLES] = g_param_spec_int64 ("n-samples", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_POSITION] = g_param_spec_int64 ("position", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_CURRENT_FRAME] = g_param_spec_int ("current-frame", NULL, NULL, 0, G_MAXINT, 0, ro);
  properties[PROP_VISIBLE_START] = g_param_spec_int64 ("visible-start", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_VISIBLE_END] = g_param_spec_int64 ("visible-end", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_SELECTION_START] = g_param_spec_int64 ("selection-start", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_SELECTION_END] = g_param_spec_int64 ("selection-end", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_LAYER] = g_param_spec_int ("layer", NULL, NULL, 0, G_MAXINT, 0, rw);
  properties[PROP_N_LAYERS] = g_param_spec_int ("n-layers", NULL, NULL, 0, G_MAXINT, 0, ro);
  properties[PROP_HEAD] = g_param_spec_int ("head", NULL, NULL, -1, G_MAXINT, 0, rw);
  properties[PROP_N_HEADS] = g_param_spec_int ("n-heads", NULL, NULL, 0, G_MAXINT, 0, ro);
  properties[PROP_QUERY_TOKEN] = g_param_spec_int ("query-token", NULL, NULL, -1, G_MAXINT, -1, rw);
  properties[PROP_PROBE] = g_param_spec_string ("probe", NULL, NULL, NULL, rw);
  properties[PROP_FOLLOW] = g_param_spec_enum ("follow", NULL, NULL, vita_follow_mode_get_type (),
                                               VITA_FOLLOW_PAGE, rw);
  properties[PROP_PLAYING] = g_param_spec_boolean ("playing", NULL, NULL, FALSE, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vita_timeline_init (VitaTimeline *self)
{
  self->head = 0;
  self->query_token = -1;
  self->follow = VITA_FOLLOW_PAGE;
}

VitaTimeline *
vita_timeline_new (void)
{
  return g_object_new (VITA_TYPE_TIMELINE, NULL);
}

/* Setters below assign and notify only on real change. */
#define SET_AND_NOTIFY(field, val, prop) \
  G_STMT_START { \
    if (self->field != (val)) \
      { \
        self->field = (val); \
        g_object_notify_by_pspec (G_OBJECT (self), properties[prop]); \
      } \
  } G_STMT_END

static int
frame_for_sample (gint64 sample, int hop, int n_frames)
{
  if (hop <= 0 || n_frames <= 0)
    return 0;
  if (sample <= 0)
    return 0;
  /* Frame i is centred at i * hop: the nearest centre rounds half up. */
  gint64 f = (sample + hop / 2) / hop;
  return (int) MIN (f, (gint64) n_frames - 1);
}

static gint64
min_span (VitaTimeline *self)
{
  return MIN ((gint64) MIN_VISIBLE_SPAN, self->n_samples);
}

/* Clamps a visible range; returns the clamped values. */
static void
clamp_visible (VitaTimeline *self, gint64 *start, gint64 *end)
{
  gint64 s = *start, e = *end;
  if (e < s)
    {
      gint64 t = s;
      s = e;
      e = t;
    }
  gint64 span = CLAMP (e - s, min_span (self), self->n_samples);
  s = CLAMP (s, 0, self->n_samples - span);
  *start = s;
  *end = s + span;
}

static void
apply_visible (VitaTimeline *self, gint64 start, gint64 end)
{
  clamp_visible (self, &start, &end);
  g_object_freeze_notify (G_OBJECT (self));
  SET_AND_NOTIFY (visible_start, start, PROP_VISIBLE_START);
  SET_AND_NOTIFY (visible_end, end, PROP_VISIBLE_END);
  g_object_thaw_notify (G_OBJECT (self));
}

/* Sonic Visualiser's follow modes: page flips when the playhead leaves the view,
 * continuous keeps it centred. */
static void
apply_follow (VitaTimeline *self)
{
  gint64 span = self->visible_end - self->visible_start;
  if (span <= 0 || span >= self->n_samples)
    return;
  switch (self->follow)
    {
    case VITA_FOLLOW_PAGE:
      if (self->position < self->visible_start || self->position >= self->visible_end)
        {
          gint64 page = self->position / span;
          apply_visible (self, page * span, page * span + span);
        }
      break;
    case VITA_FOLLOW_CONTINUOUS:
      apply_visible (self, self->position - span / 2, self->position - span / 2 + span);
      break;
    case VITA_FOLLOW_OFF:
    default:
      break;
    }
}

void
vita_timeline_configure (VitaTimeline *self, int sample_rate, int hop,
                         gint64 n_samples, int n_layers, int n_heads)
{
  g_return_if_fail (VITA_IS_TIMELINE (self));
  g_return_if_fail (sample_rate > 0 && hop > 0 && n_samples >= 0);
  g_return_if_fail (n_layers >= 0 && n_heads >= 0);

  gboolean length_changed = n_samples != self->n_samples || hop != self->hop;
  g_object_freeze_notify (G_OBJECT (self));
  SET_AND_NOTIFY (sample_rate, sample_rate, PROP_SAMPLE_RATE);
  SET_AND_NOTIFY (hop, hop, PROP_HOP);
  SET_AND_NOTIFY (n_samples, n_samples, PROP_N_SAMPLES);
  /* Same count as dsp: 1 + n / hop frames for a centred STFT. */
  SET_AND_NOTIFY (n_frames, (int) (1 + n_samples / hop), PROP_N_FRAMES);
  SET_AND_NOTIFY (n_layers, n_layers, PROP_N_LAYERS);
  SET_AND_NOTIFY (n_heads, n_heads, PROP_N_HEADS);

  /* Re-clamp everything that depends on the sizes. */
  if (length_changed)
    apply_visible (self, 0, n_samples);
  else
    apply_visible (self, self->visible_start, self->visible_end);
  vita_timeline_set_position (self, self->position);
  vita_timeline_set_selection (self, self->selection_start, self->selection_end);
  vita_timeline_set_layer (self, self->layer);
  vita_timeline_set_head (self, self->head);
  vita_timeline_set_query_token (self, self->query_token);
  g_object_thaw_notify (G_OBJECT (self));
}

int    vita_timeline_get_sample_rate (VitaTimeline *self) { g_return_val_if_fail (VITA_IS_TIMELINE (self), 0); return self->sample_rate; }
int    vita_timeline_get_hop (VitaTimeline *self)         { g_return_val_if_fail (VITA_IS_TIMELINE (self), 0); return self->hop; }
int    vita_timeline_get_n_frames (VitaTimeline *self)    { g_return_val_if_fail (VITA_IS_TIMELINE (self), 0); return self->n_frames; }
gint64 vita_timeline_get_n_samples (VitaTimeline *self)   { g_return_val_if_fail (VITA_IS_TIMELINE (self), 0); return self->n_samples; }
gint64 vita_timeline_get_position (VitaTimeline *self)    { g_return_val_if_fail (VITA_IS_TIMELINE (self), 0); return self->position; }
int    vita_timeline_get_current_frame (VitaTimeline *self) { g_return_val_if_fail (VITA_IS_TIMELINE (self), 0); return self->current_frame; }
int    vita_timeline_get_layer (VitaTimeline *self)       { g_return_val_if_fail (VITA_IS_TIMELINE (self), 0); return self->layer; }
int    vita_timeline_get_n_layers (VitaTimeline *self)    { g_return_val_if_fail (VITA_IS_TIMELINE (self), 0); return self->n_layers; }
int    vita_timeline_get_head (VitaTimeline *self)        { g_return_val_if_fail (VITA_IS_TIMELINE (self), 0); return self->head; }
int    vita_timeline_get_n_heads (VitaTimeline *self)     { g_return_val_if_fail (VITA_IS_TIMELINE (self), 0); return self->n_heads; }
int    vita_timeline_get_query_token (VitaTimeline *self) { g_return_val_if_fail (VITA_IS_TIMELINE (self), -1); return self->query_token; }
const char *vita_timeline_get_probe (VitaTimeline *self)  { g_return_val_if_fail (VITA_IS_TIMELINE (self), NULL); return self->probe; }
VitaFollowMode vita_timeline_get_follow (VitaTimeline *self) { g_return_val_if_fail (VITA_IS_TIMELINE (self), VITA_FOLLOW_OFF); return self->follow; }
gboolean vita_timeline_get_playing (VitaTimeline *self)   { g_return_val_if_fail (VITA_IS_TIMELINE (self), FALSE); return self->playing; }

void
vita_timeline_set_position (VitaTimeline *self, gint64 position)
{
  g_return_if_fail (VITA_IS_TIMELINE (self));
  position = CLAMP (position, 0, self->n_samples);
  g_object_freeze_notify (G_OBJECT (self));
  SET_AND_NOTIFY (position, position, PROP_POSITION);
  SET_AND_NOTIFY (current_frame, frame_for_sample (position, self->hop, self->n_frames),
                  PROP_CURRENT_FRAME);
  apply_follow (self);
  g_object_thaw_notify (G_OBJECT (self));
}

void
vita_timeline_get_visible (VitaTimeline *self, gint64 *start, gint64 *end)
{
  g_return_if_fail (VITA_IS_TIMELINE (self));
  if (start)
    *start = self->visible_start;
  if (end)
    *end = self->visible_end;
}

void
vita_timeline_set_visible (VitaTimeline *self, gint64 start, gint64 end)
{
  g_return_if_fail (VITA_IS_TIMELINE (self));
  apply_visible (self, start, end);
}

/* factor > 1 zooms in (the span shrinks by factor), keeping anchor (a sample) at
 * the same place on screen. */
void
vita_timeline_zoom (VitaTimeline *self, double factor, gint64 anchor)
{
  g_return_if_fail (VITA_IS_TIMELINE (self));
  g_return_if_fail (factor > 0 && isfinite (factor));
  gint64 span = self->visible_end - self->visible_start;
  if (span <= 0)
    return;
  double rel = (double) (anchor - self->visible_start) / (double) span;
  rel = CLAMP (rel, 0.0, 1.0);
  double new_span = CLAMP ((double) span / factor, (double) min_span (self),
                           (double) self->n_samples);
  gint64 ns = (gint64) llround (new_span);
  gint64 start = anchor - (gint64) llround (rel * (double) ns);
  apply_visible (self, start, start + ns);
}

void
vita_timeline_scroll (VitaTimeline *self, gint64 delta)
{
  g_return_if_fail (VITA_IS_TIMELINE (self));
  gint64 span = self->visible_end - self->visible_start;
  gint64 start = self->visible_start + delta;
  start = CLAMP (start, 0, self->n_samples - span);
  apply_visible (self, start, start + span);
}

void
vita_timeline_get_selection (VitaTimeline *self, gint64 *start, gint64 *end)
{
  g_return_if_fail (VITA_IS_TIMELINE (self));
  if (start)
    *start = self->selection_start;
  if (end)
    *end = self->selection_end;
}

void
vita_timeline_set_selection (VitaTimeline *self, gint64 start, gint64 end)
{
  g_return_if_fail (VITA_IS_TIMELINE (self));
  if (end < start)
    {
      gint64 t = start;
      start = end;
      end = t;
    }
  start = CLAMP (start, 0, self->n_samples);
  end = CLAMP (end, 0, self->n_samples);
  g_object_freeze_notify (G_OBJECT (self));
  SET_AND_NOTIFY (selection_start, start, PROP_SELECTION_START);
  SET_AND_NOTIFY (selection_end, end, PROP_SELECTION_END);
  g_object_thaw_notify (G_OBJECT (self));
}

void
vita_timeline_set_layer (VitaTimeline *self, int layer)
{
  g_return_if_fail (VITA_IS_TIMELINE (self));
  layer = CLAMP (layer, 0, MAX (self->n_layers - 1, 0));
  SET_AND_NOTIFY (layer, layer, PROP_LAYER);
}

void
vita_timeline_set_head (VitaTimeline *self, int head)
{
  g_return_if_fail (VITA_IS_TIMELINE (self));
  head = CLAMP (head, -1, MAX (self->n_heads - 1, 0));
  SET_AND_NOTIFY (head, head, PROP_HEAD);
}

void
vita_timeline_set_query_token (VitaTimeline *self, int token)
{
  g_return_if_fail (VITA_IS_TIMELINE (self));
  token = CLAMP (token, -1, MAX (self->n_frames - 1, -1));
  SET_AND_NOTIFY (query_token, token, PROP_QUERY_TOKEN);
}

void
vita_timeline_set_probe (VitaTimeline *self, const char *probe)
{
  g_return_if_fail (VITA_IS_TIMELINE (self));
  if (g_strcmp0 (self->probe, probe) == 0)
    return;
  g_free (self->probe);
  self->probe = g_strdup (probe);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBE]);
}

void
vita_timeline_set_follow (VitaTimeline *self, VitaFollowMode mode)
{
  g_return_if_fail (VITA_IS_TIMELINE (self));
  g_return_if_fail (mode <= VITA_FOLLOW_OFF);
  SET_AND_NOTIFY (follow, mode, PROP_FOLLOW);
}

void
vita_timeline_set_playing (VitaTimeline *self, gboolean playing)
{
  g_return_if_fail (VITA_IS_TIMELINE (self));
  playing = !!playing;
  SET_AND_NOTIFY (playing, playing, PROP_PLAYING);
}

gint64
vita_timeline_frame_to_sample (VitaTimeline *self, int frame)
{
  g_return_val_if_fail (VITA_IS_TIMELINE (self), 0);
  return (gint64) frame * self->hop;
}

int
vita_timeline_sample_to_frame (VitaTimeline *self, gint64 sample)
{
  g_return_val_if_fail (VITA_IS_TIMELINE (self), 0);
  return frame_for_sample (sample, self->hop, self->n_frames);
}

double
vita_timeline_sample_to_seconds (VitaTimeline *self, gint64 sample)
{
  g_return_val_if_fail (VITA_IS_TIMELINE (self), 0.0);
  return self->sample_rate > 0 ? (double) sample / self->sample_rate : 0.0;
}

void
vita_timeline_snapshot (VitaTimeline *self, VitaTimelineSnapshot *snap)
{
  g_return_if_fail (VITA_IS_TIMELINE (self));
  *snap = (VitaTimelineSnapshot) {
    .sample_rate = self->sample_rate,
    .hop = self->hop,
    .n_frames = self->n_frames,
    .n_samples = self->n_samples,
    .position = self->position,
    .visible_start = self->visible_start,
    .visible_end = self->visible_end,
    .selection_start = self->selection_start,
    .selection_end = self->selection_end,
    .layer = self->layer,
    .n_layers = self->n_layers,
    .head = self->head,
    .n_heads = self->n_heads,
    .query_token = self->query_token,
    .show_playhead = TRUE,
  };
}

void
vita_timeline_snapshot_init (VitaTimelineSnapshot *snap, int sample_rate, int hop,
                             gint64 n_samples, int n_layers, int n_heads)
{
  *snap = (VitaTimelineSnapshot) {
    .sample_rate = sample_rate,
    .hop = hop,
    .n_frames = hop > 0 ? (int) (1 + n_samples / hop) : 0,
    .n_samples = n_samples,
    .visible_end = n_samples,
    .n_layers = n_layers,
    .n_heads = n_heads,
    .query_token = -1,
    .show_playhead = TRUE,
  };
}

int
vita_snapshot_sample_to_frame (const VitaTimelineSnapshot *snap, gint64 sample)
{
  return frame_for_sample (sample, snap->hop, snap->n_frames);
}

int
vita_snapshot_current_frame (const VitaTimelineSnapshot *snap)
{
  return frame_for_sample (snap->position, snap->hop, snap->n_frames);
}

double
vita_snapshot_seconds (const VitaTimelineSnapshot *snap, gint64 sample)
{
  return snap->sample_rate > 0 ? (double) sample / snap->sample_rate : 0.0;
}
