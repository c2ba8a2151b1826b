/* vita-gst-decode.h — the GStreamer fallback decoder (M4A/AAC and whatever else
 * the installed plugins read).  Lives in app/: dsp/ never links GStreamer. */
#pragma once

#include "vita-audio.h"

G_BEGIN_DECLS

/* Decodes PATH with filesrc ! decodebin ! audioconvert ! appsink as interleaved
 * F32LE at the file's own rate and channel count, then averages the channels
 * (vita_audio_downmix, the same rule as the libsndfile path).  Bounded by
 * vita_audio_get_max_duration(); bus errors become a VITA_DSP_ERROR naming the
 * file; the cancellable is checked between buffers. */
VitaPcm *vita_gst_decode (const char   *path,
                          GCancellable *cancellable,
                          GError      **error);

/* The same decoding, streamed into vita_audio_load's sink (vita-audio.h): resampled
 * as it comes, a long track straight into the mapped PCM cache file. */
gboolean vita_gst_decode_stream (const char   *path,
                                 VitaPcmSink  *sink,
                                 GCancellable *cancellable,
                                 GError      **error);

/* gst_init_check() and vita_audio_set_fallback_stream (vita_gst_decode_stream); logs a
 * warning and registers nothing when GStreamer cannot be initialised.  Idempotent. */
void     vita_gst_decode_register (void);

G_END_DECLS
