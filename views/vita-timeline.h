/* vita-timeline.h — the shared time axis every view observes (sysprof's session,
 * Sonic Visualiser's integer sample frames).  A plain GObject, not a widget.
 *
 * Time is kept in integer samples at the model's sample rate.  Token/frame i is
 * centred at sample i * hop — defined once, here (vita_timeline_frame_to_sample).
 * Setters clamp and notify only on real change.  The player writes "position"
 * from a frame-clock tick; a user seek goes through the app's "win.seek" action to
 * the player, never from a position notification (no feedback loops).
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  VITA_FOLLOW_PAGE,        /* flip a page when the playhead leaves the view */
  VITA_FOLLOW_CONTINUOUS,  /* keep the playhead centred */
  VITA_FOLLOW_OFF,
} VitaFollowMode;

#define VITA_TYPE_FOLLOW_MODE (vita_follow_mode_get_type ())
GType vita_follow_mode_get_type (void);

#define VITA_TYPE_TIMELINE (vita_timeline_get_type ())
G_DECLARE_FINAL_TYPE (VitaTimeline, vita_timeline, VITA, TIMELINE, GObject)

/* Properties (all notify):
 *   sample-rate (int), hop (int), n-frames (int), n-samples (int64),
 *   position (int64 samples), visible-start / visible-end (int64 samples),
 *   selection-start / selection-end (int64 samples; equal = no selection),
 *   layer (int, 0..n-layers-1), n-layers (int), head (int, -1 = average), n-heads (int),
 *   query-token (int, -1 = the token under the playhead), probe (string or NULL),
 *   follow (VitaFollowMode), playing (boolean),
 *   current-frame (int, read-only: notifies only when the frame under the playhead changes) */
VitaTimeline *vita_timeline_new (void);

void    vita_timeline_configure (VitaTimeline *self, int sample_rate, int hop,
                                 gint64 n_samples, int n_layers, int n_heads);

int     vita_timeline_get_sample_rate (VitaTimeline *self);
int     vita_timeline_get_hop         (VitaTimeline *self);
int     vita_timeline_get_n_frames    (VitaTimeline *self);
gint64  vita_timeline_get_n_samples   (VitaTimeline *self);

gint64  vita_timeline_get_position    (VitaTimeline *self);
void    vita_timeline_set_position    (VitaTimeline *self, gint64 position);
/* Frame whose centre is nearest the position. */
int     vita_timeline_get_current_frame (VitaTimeline *self);

void    vita_timeline_get_visible     (VitaTimeline *self, gint64 *start, gint64 *end);
void    vita_timeline_set_visible     (VitaTimeline *self, gint64 start, gint64 end);
void    vita_timeline_zoom            (VitaTimeline *self, double factor, gint64 anchor);
void    vita_timeline_scroll          (VitaTimeline *self, gint64 delta);

void    vita_timeline_get_selection   (VitaTimeline *self, gint64 *start, gint64 *end);
void    vita_timeline_set_selection   (VitaTimeline *self, gint64 start, gint64 end);

int     vita_timeline_get_layer       (VitaTimeline *self);
void    vita_timeline_set_layer       (VitaTimeline *self, int layer);
int     vita_timeline_get_n_layers    (VitaTimeline *self);
int     vita_timeline_get_head        (VitaTimeline *self);
void    vita_timeline_set_head        (VitaTimeline *self, int head);
int     vita_timeline_get_n_heads     (VitaTimeline *self);
int     vita_timeline_get_query_token (VitaTimeline *self);
void    vita_timeline_set_query_token (VitaTimeline *self, int token);
const char *vita_timeline_get_probe   (VitaTimeline *self);
void    vita_timeline_set_probe       (VitaTimeline *self, const char *probe);
VitaFollowMode vita_timeline_get_follow (VitaTimeline *self);
void    vita_timeline_set_follow      (VitaTimeline *self, VitaFollowMode mode);
gboolean vita_timeline_get_playing    (VitaTimeline *self);
void    vita_timeline_set_playing     (VitaTimeline *self, gboolean playing);

/* Conversions (token i centred at sample i * hop). */
gint64  vita_timeline_frame_to_sample (VitaTimeline *self, int frame);
int     vita_timeline_sample_to_frame (VitaTimeline *self, gint64 sample);
double  vita_timeline_sample_to_seconds (VitaTimeline *self, gint64 sample);

/* A plain copy of everything a painter needs, taken once per draw: painters (Cairo
 * only, no GObject) and the exporter work from this, never from the live object. */
typedef struct {
  int     sample_rate;
  int     hop;
  int     n_frames;
  gint64  n_samples;
  gint64  position;          /* playhead, samples */
  gint64  visible_start;     /* samples */
  gint64  visible_end;
  gint64  selection_start;   /* equal = no selection */
  gint64  selection_end;
  int     layer;             /* token layer for SSMs; block (layer - 1 clamped) for attention */
  int     n_layers;
  int     head;              /* -1 = head average */
  int     n_heads;
  int     query_token;       /* -1 = the token under the playhead */
  gboolean show_playhead;    /* painters draw the playhead and the visible-range marks of
                                the overview and SSM (export); widgets overlay them */
} VitaTimelineSnapshot;

void    vita_timeline_snapshot (VitaTimeline *self, VitaTimelineSnapshot *snap);
/* A snapshot without a timeline object (export, CLI): whole track visible. */
void    vita_timeline_snapshot_init (VitaTimelineSnapshot *snap, int sample_rate, int hop,
                                     gint64 n_samples, int n_layers, int n_heads);
/* Same conventions as the object's, for snapshots. */
int     vita_snapshot_sample_to_frame (const VitaTimelineSnapshot *snap, gint64 sample);
int     vita_snapshot_current_frame   (const VitaTimelineSnapshot *snap);
double  vita_snapshot_seconds         (const VitaTimelineSnapshot *snap, gint64 sample);

G_END_DECLS
