/* vita-edit.h — counterfactual edits on PCM (non-destructive: a new VitaPcm, the
 * original never changes).  Specs, times in seconds of the track as it is when the
 * edit applies (edits apply in order):
 *
 *   mute:0-300Hz@10-20      zero the spectrum between 0 and 300 Hz from 10 s to 20 s
 *   mute:2-5kHz             … the whole track
 *   mute:3-8mel@10-20       mel bands 3..8 of the model's front-end (their triangles'
 *                           feet, vita_mel_band_range_hz)
 *   gain:-6dB@5-8           gain over a range (the whole track without @)
 *   swap:10-12,20-22        exchange two segments (lengths may differ; the track keeps
 *                           its length)
 *   reverse:3-5             play a segment backwards
 *   transpose:+2            shift the pitch by n semitones (duration kept)
 *   stretch:1.1             make the track 1.1 × as long (pitch kept)
 *   mix:other.wav@-12dB     add another file (decoded at the track's rate) from 0 s,
 *                           cut to the track's length, at a gain (0 dB without @)
 *
 * Mute is a brick-wall filter on the range: one real FFT over the range's samples,
 * the bins of the band set to zero, back, and 10 ms raised-cosine cross-fades into the
 * filtered audio at range edges inside the track (no clicks).
 *
 * Transpose and stretch use the Rubber Band Library (librubberband, Debian's
 * librubberband-dev; GPL-2+, compatible with this app's GPL-3+) in its
 * offline mode with the R3 ("finer") engine: the best-kept pitch/tempo library on
 * Debian, sample-exact and deterministic offline (study pass, then process), where
 * GStreamer's pitch element (soundtouch) is tuned for real-time playback and
 * scaletempo changes tempo only.  `rubberband --fine -p N` (rubberband-cli) runs the
 * same processing outside the app.
 *
 * Errors (VITA_DSP_ERROR_INVALID) name the edit as written and what is wrong: an
 * unknown edit name, a malformed number, a range outside the track, an empty band.
 * vita_edits_apply checks every edit before it returns anything: all or nothing.
 */
#pragma once

#include "vita-audio.h"

G_BEGIN_DECLS

typedef enum {
  VITA_EDIT_MUTE,
  VITA_EDIT_GAIN,
  VITA_EDIT_SWAP,
  VITA_EDIT_REVERSE,
  VITA_EDIT_TRANSPOSE,
  VITA_EDIT_STRETCH,
  VITA_EDIT_MIX,
} VitaEditKind;

typedef struct {
  VitaEditKind kind;
  char   *spec;          /* as written (messages) */
  gboolean has_range;    /* t0..t1 given; else the whole track */
  double  t0, t1;        /* seconds */
  double  t2, t3;        /* SWAP: the second segment */
  double  lo_hz, hi_hz;  /* MUTE in Hz */
  int     band_lo, band_hi; /* MUTE in mel bands (inclusive), or -1 */
  double  value;         /* GAIN, MIX: dB; TRANSPOSE: semitones; STRETCH: ratio */
  char   *path;          /* MIX */
} VitaEdit;

const char *vita_edit_kind_name (VitaEditKind kind);

VitaEdit *vita_edit_parse (const char *spec, GError **error);
void      vita_edit_free  (VitaEdit *edit);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaEdit, vita_edit_free)

/* Applies edits (VitaEdit *) in order to a copy of pcm.  fe: the model's front-end
 * (mel-band mutes).  NULL with an error naming the first edit that does not fit. */
VitaPcm *vita_edits_apply (const VitaPcm *pcm, GPtrArray *edits, const VitaFrontend *fe,
                           GCancellable *cancellable, GError **error);

/* Pitch and time through Rubber Band (offline, R3): a new buffer of
 * round(n · time_ratio) samples. */
float   *vita_rubberband_process (const float *in, gsize n, int sample_rate,
                                  double time_ratio, double pitch_scale, gsize *n_out);

/* 32-bit float mono WAV at pcm->sample_rate (bit-exact round trip through
 * vita_audio_load at the same rate); written atomically. */
gboolean vita_pcm_save_wav (const VitaPcm *pcm, const char *path, GError **error);

G_END_DECLS
