/* vita-player.h — audio playback through a GStreamer playbin.
 *
 * The player never touches the timeline: the window reads the pipeline position
 * on the frame clock and writes it there (architecture.md).  Positions are in
 * nanoseconds (GStreamer's unit); the window converts to samples.
 *
 * The audio sink is chosen once, at construction: the environment variable
 * VITASCOPE_AUDIO_SINK names an element ("fakesink" = a synchronised fake sink
 * whose clock still runs, for tests and machines without sound); unset = autoaudiosink.
 *
 * Errors on the bus stop the pipeline (state NULL) and emit "error"; the player
 * stays usable: open another URI or the same one again.
 */
#pragma once

#include <gst/gst.h>
#include <glib-object.h>

G_BEGIN_DECLS

#define VITA_TYPE_PLAYER (vita_player_get_type ())
G_DECLARE_FINAL_TYPE (VitaPlayer, vita_player, VITA, PLAYER, GObject)

/* Properties: uri (string), playing (boolean), duration (int64 ns, -1 unknown),
 * rate (double), loop (boolean), loop-start / loop-end (int64 ns).
 * Signals: error (GError*) — the pipeline has been stopped;
 *          eos — end reached without a loop;
 *          seeked — a seek has completed (position is settled). */
VitaPlayer *vita_player_new          (void);
/* NULL to unload.  The pipeline goes to PAUSED (prerolled) at position 0. */
void        vita_player_set_uri      (VitaPlayer *self, const char *uri);
const char *vita_player_get_uri      (VitaPlayer *self);
void        vita_player_play         (VitaPlayer *self);
void        vita_player_pause        (VitaPlayer *self);
void        vita_player_toggle       (VitaPlayer *self);
gboolean    vita_player_get_playing  (VitaPlayer *self);
/* Accurate, flushing seek; the position reads as the target until it settles. */
void        vita_player_seek         (VitaPlayer *self, gint64 position_ns);
/* Current position; FALSE when unknown (nothing loaded, error). */
gboolean    vita_player_get_position (VitaPlayer *self, gint64 *position_ns);
gint64      vita_player_get_duration (VitaPlayer *self);
/* Playback speed 0.25–4.  Pitch is preserved when the scaletempo element exists. */
void        vita_player_set_rate     (VitaPlayer *self, double rate);
double      vita_player_get_rate     (VitaPlayer *self);
/* Loop [start, end) with segment seeks; start >= end turns the loop off. */
void        vita_player_set_loop     (VitaPlayer *self, gint64 start_ns, gint64 end_ns);
gboolean    vita_player_get_loop     (VitaPlayer *self);
/* The sink element's factory name, e.g. "fakesink" (for tests and diagnostics). */
const char *vita_player_get_sink_name (VitaPlayer *self);
/* TRUE when playback speed keeps the pitch (scaletempo present). */
gboolean    vita_player_preserves_pitch (VitaPlayer *self);
/* The onset-click track mixed into playback (vita-click-track.h); owned by the
 * player, NULL only when playbin is missing.  Disabled by default. */
typedef struct _VitaClickTrack VitaClickTrack;
VitaClickTrack *vita_player_get_click_track (VitaPlayer *self);

/* A/B playback (issue 17): B is an alternate version of the open audio (a
 * counterfactual edit), given as mono float PCM at sample_rate (copied into a
 * temporary WAV that the player removes); NULL / 0 samples removes it (back to A).
 * Opening another URI removes it too. */
gboolean    vita_player_set_alternate (VitaPlayer *self, const float *samples, gsize n_samples,
                                       int sample_rate, GError **error);
gboolean    vita_player_has_alternate (VitaPlayer *self);
/* Plays B (TRUE, when there is one) or A, at the same position, keeping the playing
 * state, rate and loop.  get_uri then names what plays. */
void        vita_player_set_ab        (VitaPlayer *self, gboolean b);
gboolean    vita_player_get_ab        (VitaPlayer *self);

G_END_DECLS
