/* vita-click-track.h — onset clicks mixed into playback (issue 5 item 7, features.md
 * finding 1: hear the onsets that emerge in the attention a frame receives).
 *
 * A VitaClickTrack holds a sorted list of click times in stream time (seconds from
 * the start of the file).  vita_click_track_make_filter() wraps it in a bin
 * (audioconvert ! capsfilter F32LE interleaved [! tail]) whose capsfilter src pad
 * has a probe that adds a short click (10 ms, 2 kHz, exponentially decaying) into
 * every buffer at the samples where clicks fall.  The buffer's place is read from
 * its PTS through the current segment (gst_segment_to_stream_time), so clicks stay
 * in sync after flushing seeks, loop segment seeks and rate seeks: the probe sits
 * before the tempo element (the tail, e.g. scaletempo), where buffers still carry
 * media time.  Disabled or empty = buffers pass untouched.
 *
 * The list is swapped from the main thread under a mutex; the streaming thread
 * reads it under the same mutex. */
#pragma once

#include <gst/gst.h>
#include <gst/audio/audio.h>

G_BEGIN_DECLS

typedef struct _VitaClickTrack VitaClickTrack;

#define VITA_CLICK_FREQ_HZ    2000.0
#define VITA_CLICK_SECONDS    0.010
#define VITA_CLICK_DECAY_S    0.002   /* e-folding time of the burst */
#define VITA_CLICK_AMPLITUDE  0.5f

VitaClickTrack *vita_click_track_new   (void);
VitaClickTrack *vita_click_track_ref   (VitaClickTrack *track);
void            vita_click_track_unref (VitaClickTrack *track);
/* Copies times (seconds, any order; sorted here).  n = 0 clears. */
void            vita_click_track_set_times   (VitaClickTrack *track, const double *times, gsize n);
gsize           vita_click_track_get_n_times (VitaClickTrack *track);
void            vita_click_track_set_enabled (VitaClickTrack *track, gboolean enabled);
gboolean        vita_click_track_get_enabled (VitaClickTrack *track);

/* Length of one click in samples at rate. */
gsize vita_click_length (int rate);
/* Value of a click k samples after its onset (0 outside [0, length)). */
float vita_click_sample (gsize k, int rate);

/* Pure mixing: data holds n_frames interleaved frames of channels floats whose first
 * frame is stream sample first_sample (at rate); clicks[] are onset samples (sorted
 * ascending).  Adds every click overlapping the buffer, tails that began in an
 * earlier buffer included, so mixing a stream buffer by buffer equals mixing it
 * whole. */
void vita_click_mix (const gint64 *clicks, gsize n_clicks, gint64 first_sample,
                     float *data, gsize n_frames, int channels, int rate);

/* Mixes the track's clicks into *buffer (made writable, may be replaced) given the
 * segment it belongs to and its audio format (F32 interleaved; otherwise untouched).
 * Returns the number of clicks that touched the buffer. */
guint vita_click_track_process (VitaClickTrack *track, const GstSegment *segment,
                                const GstAudioInfo *info, GstBuffer **buffer);

/* A bin: audioconvert ! capsfilter(F32LE, interleaved) ! tail (tail may be NULL and
 * is taken, floating ref sunk).  The bin holds a ref on track. */
GstElement *vita_click_track_make_filter (VitaClickTrack *track, GstElement *tail);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaClickTrack, vita_click_track_unref)

G_END_DECLS
