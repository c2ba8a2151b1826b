/* vita-audio.h — decode any audio file to mono float PCM at a target rate.
 *
 * libsndfile (WAV, FLAC, OGG/Vorbis, Opus, MP3) reads in bounded chunks; sizes in
 * headers are treated as hints.  Stereo/multichannel is averaged to mono BEFORE
 * resampling (vit1d-format.md).  Resampling is a C port of
 * torchaudio.functional.resample (Hann-windowed sinc, width 6, rolloff 0.99: the
 * same 16 kHz PCM as a PyTorch user's), libsamplerate for rate pairs whose reduced
 * ratio needs a huge kernel (see the comment at VITA_AUDIO_CONVERTER in
 * vita-audio.c).  Output length: ceil(n * target / source), as torchaudio.
 * Errors: VITA_DSP_ERROR_* (cancellation is VITA_DSP_ERROR_CANCELLED).
 * Files libsndfile cannot read are handed to a fallback decoder that the app
 * registers (GStreamer lives in app/, never in dsp/).
 */
#pragma once

#include "vita-dsp.h"
#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _VitaPcm {
  float  *samples;      /* (n_samples) mono, owned */
  gsize   n_samples;
  int     sample_rate;
  int     source_rate;      /* the file's own rate */
  int     source_channels;  /* the file's own channel count */
  double  duration;         /* seconds, n_samples / sample_rate */
  guint   n_nonfinite;      /* NaN/Inf samples found in the file and replaced by 0 */
  gsize   mapped_bytes;     /* 0: samples is g_malloc'ed; else the length of the read-only
                             * mapping of an (unlinked) cache file that samples is */
} VitaPcm;

/* A copy with its own samples. */
VitaPcm *vita_pcm_copy (const VitaPcm *pcm);
void     vita_pcm_free (VitaPcm *pcm);
/* Replaces the samples (freeing the old ones, mapped or not) by a g_malloc'ed buffer. */
void     vita_pcm_take_samples (VitaPcm *pcm, float *samples, gsize n_samples);
/* Drops the pages of a mapped PCM read so far from the resident set (they come back
 * from the cache file on the next read).  A no-op for PCM in memory. */
void     vita_pcm_release (VitaPcm *pcm);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaPcm, vita_pcm_free)

/* A fallback decoder: same contract as vita_audio_load(), must return mono at
 * the file's own rate (vita_audio_load resamples). */
typedef VitaPcm *(*VitaAudioDecodeFunc) (const char   *path,
                                         GCancellable *cancellable,
                                         GError      **error);
void     vita_audio_set_fallback_decoder (VitaAudioDecodeFunc func);

/* A fallback decoder that streams (preferred over the one above when both are set):
 * it pushes its mono samples at the file's own rate into the sink, chunk by chunk;
 * vita_audio_load resamples them as they come and, for a long track, writes them to
 * the same mapped cache file as libsndfile's decoder (vita_audio_set_map_threshold):
 * a long file read by the fallback is never whole in memory.  vita_pcm_sink_push
 * replaces non-finite samples in mono by 0 (counted) and fails (naming the file) past
 * the duration limit, on a rate out of range or changed mid-stream; the decoder then
 * returns FALSE with that error. */
typedef struct _VitaPcmSink VitaPcmSink;
gboolean vita_pcm_sink_push (VitaPcmSink *sink, float *mono, gsize n, int rate, int channels,
                             GError **error);
typedef gboolean (*VitaAudioStreamFunc) (const char   *path,
                                         VitaPcmSink  *sink,
                                         GCancellable *cancellable,
                                         GError      **error);
void     vita_audio_set_fallback_stream (VitaAudioStreamFunc func);

/* Longest track accepted, in seconds (default 10800, 3 hours: a long track's PCM lives in
 * a mapped cache file, see vita_audio_set_map_threshold).  Longer input is refused with
 * VITA_DSP_ERROR_TOO_LONG naming the file and the limit: memory and disk stay bounded. */
void     vita_audio_set_max_duration (double seconds);
double   vita_audio_get_max_duration (void);

/* Decoded PCM larger than this many bytes (default 64 MiB, ~17 minutes at 16 kHz; the
 * environment variable VITASCOPE_PCM_MAP_BYTES overrides it when set) does not live in
 * memory: it is written, as it is decoded, to a cache file in the user's cache folder
 * ($XDG_CACHE_HOME/vitascope/pcm-XXXXXX, unlinked at once: nothing stays behind) and
 * VitaPcm.samples is that file's read-only mapping (mapped_bytes > 0).  The samples are
 * the same, bit for bit, as in memory.  A reader of a long mapped PCM calls
 * vita_pcm_release() now and then so what it has read does not stay resident.
 * G_MAXSIZE: always in memory. */
void     vita_audio_set_map_threshold (gsize bytes);
gsize    vita_audio_get_map_threshold (void);

/* Threads used to decode one long OGG/Vorbis or FLAC file (sample-exact seeking
 * lets segments be decoded and resampled in parallel; the result is identical to
 * the serial decoder).  0 (default): the number of processors, at most 4; 1: serial. */
void     vita_audio_set_threads (int n_threads);

/* Decode, downmix, resample to target_rate. Errors name the file. */
VitaPcm *vita_audio_load (const char   *path,
                          int           target_rate,
                          GCancellable *cancellable,
                          GError      **error);

/* vita_audio_load telling how far it is: the file's frames read so far (done) of those
 * its header gives (total; 0: not known), updated atomically as it decodes (from the
 * decoder's threads); a caller zeroes it and reads it from any thread. */
typedef struct {
  gsize done;
  gsize total;
} VitaAudioProgress;
VitaPcm *vita_audio_load_progress (const char        *path,
                                   int                target_rate,
                                   GCancellable      *cancellable,
                                   VitaAudioProgress *progress,
                                   GError           **error);
/* done / total in [0, 1], or -1 while the total is not known. */
double   vita_audio_progress_fraction (VitaAudioProgress *progress);

/* Like vita_audio_load, but decodes only the first `seconds` of the file: the rest
 * is neither read nor held against the duration limit (analyse a part of a long
 * file).  The last few samples may differ from a whole-file decode by the
 * resampler's edge (its filter sees zeros past the cut, not the continuation). */
VitaPcm *vita_audio_load_prefix (const char   *path,
                                 int           target_rate,
                                 double        seconds,
                                 GCancellable *cancellable,
                                 GError      **error);

/* A stretch of a file before the whole of it (the app's progressive open: the window
 * under the playhead first).  vita_audio_stretch_length gives the length, at
 * target_rate, that vita_audio_load will return as the file's header tells it, and
 * vita_audio_load_stretch samples [first, first + n) of that result, bit for bit,
 * decoding only about that stretch (seeking to the sample, resampler state and edges
 * as the parallel decoder's segments).  Only for FLAC and OGG/Vorbis files that give
 * their length: others fail with VITA_DSP_ERROR_FORMAT (decode the whole file).  A
 * header that lies is found out only by the whole decode: its length differs. */
gboolean vita_audio_stretch_length (const char *path, int target_rate, guint64 *n_samples,
                                    GError **error);
float   *vita_audio_load_stretch   (const char   *path,
                                    int           target_rate,
                                    guint64       first,
                                    gsize         n,
                                    GCancellable *cancellable,
                                    GError      **error);

/* Decode a file held in memory (libsndfile virtual I/O; no fallback decoder, no
 * cancellation).  display_name is used in messages.  Used by the fuzzer and tests. */
VitaPcm *vita_audio_load_memory (const guint8 *data,
                                 gsize         len,
                                 const char   *display_name,
                                 int           target_rate,
                                 GError      **error);

/* Downmix frames to mono (average of channels). */
void     vita_audio_downmix (float *out, const float *interleaved, gsize n_frames, int channels);

/* Resample mono PCM; returns a new buffer. */
float   *vita_resample (const float *in, gsize n_in, int rate_in, int rate_out,
                        gsize *n_out, GError **error);

G_END_DECLS
