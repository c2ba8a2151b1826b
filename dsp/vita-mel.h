/* vita-mel.h — the model's exact front-end: STFT → power → Slaney mel → log → normalise.
 * Matches torchaudio.transforms.MelSpectrogram(sample_rate, n_fft, win_length, hop,
 * f_min, f_max, n_mels, power=2, center=True, pad_mode="reflect",
 * mel_scale="slaney", norm="slaney") followed by log(x + log_offset) and
 * (x - input_mean) / input_std.
 *
 * aubio-style object: new (all allocation, checks), process (no allocation), free.
 */
#pragma once

#include "vita-dsp.h"

G_BEGIN_DECLS

typedef struct _VitaMel VitaMel;

VitaMel *vita_mel_new  (const VitaFrontend *fe, GError **error);
void     vita_mel_free (VitaMel *mel);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaMel, vita_mel_free)

/* The VitaMel object is read-only after vita_mel_new(): the process functions
 * below may be called on the same object from several threads at once. */

/* The front-end this object computes (a copy of what vita_mel_new() got). */
const VitaFrontend *vita_mel_frontend (const VitaMel *mel);

/* Slaney filterbank, (n_mels, n_fft/2+1) row-major; borrowed. */
const float *vita_mel_filterbank (const VitaMel *mel);

/* Power spectrogram |X|^2, out: (n_frames, n_fft/2+1). n_frames = vita_frontend_n_frames(). */
void vita_mel_power (VitaMel *mel, const float *pcm, gsize n_samples, float *out);

/* Mel power (before log), out: (n_frames, n_mels). */
void vita_mel_mel_power (VitaMel *mel, const float *pcm, gsize n_samples, float *out);

/* The model input: normalised log-mel, out: (n_frames, n_mels). */
void vita_mel_compute (VitaMel *mel, const float *pcm, gsize n_samples, float *out);

/* A long track's model input a stretch at a time, never its whole PCM or mel at once:
 * frames first .. first + n - 1 of vita_mel_compute on a track of n_samples samples
 * (bit for bit), from the part of the track in part, samples [part_start, part_start +
 * part_len).  The part must hold [start, end) of vita_mel_range_samples (the samples
 * those frames' windows read, their reflections at the track's ends included). */
void vita_mel_range_samples (const VitaMel *mel, gsize n_samples, gsize first, gsize n,
                             gsize *start, gsize *end);
void vita_mel_compute_range (VitaMel *mel, const float *part, gsize part_start, gsize part_len,
                             gsize n_samples, gsize first, gsize n, float *out);

/* The audio → model-input front-end, the one call every path uses (the app's
 * analysis job, `analyze`, `render`, `report`, the trainer): returns the model input
 * (n_frames, n_mels) of pcm (vita_mel_compute) and, when onset is not NULL, the
 * spectral flux of the same STFT in *onset (vita_onset_flux, dsp/vita-features.h:
 * the one flux every panel, file and report shows), (n_frames).  *n_frames =
 * vita_frontend_n_frames.  NULL + VITA_DSP_ERROR_INVALID when pcm gives no frame or
 * more than fit int frame indices, or the arrays cannot be allocated (the caller
 * names the file). */
float *vita_mel_features (VitaMel *mel, const float *pcm, gsize n_samples, float **onset,
                          gsize *n_frames, GError **error);

/* vita_mel_features of pcm->samples[first, first + n_samples), the same bit for bit; a
 * PCM mapped from its cache file (vita-audio.h) is read a stretch at a time and its
 * pages are dropped as they are read, so a long track's PCM never becomes resident. */
struct _VitaPcm;
float *vita_mel_features_pcm (VitaMel *mel, struct _VitaPcm *pcm, gsize first, gsize n_samples,
                              float **onset, gsize *n_frames, GError **error);

/* The spectral flux alone of vita_mel_features_pcm (the same bits), (n_frames), for a
 * caller that computes the model input a stretch at a time (vita_mel_compute_range)
 * straight into its own store: a long track's mel is never whole in memory. */
float *vita_mel_onset_pcm (VitaMel *mel, struct _VitaPcm *pcm, GError **error);

/* Naive reference of vita_mel_compute (direct DFT, dense filterbank): tests only. */
void vita_mel_compute_ref (const VitaMel *mel, const float *pcm, gsize n_samples, float *out);

/* Where mel band `band` (0..n_mels-1) of fe's Slaney filterbank is nonzero: its
 * triangle's feet, lo_hz .. hi_hz. */
void vita_mel_band_range_hz (const VitaFrontend *fe, int band, double *lo_hz, double *hi_hz);

/* FFTW's planner is not thread-safe: every fftw_plan_* and fftw_destroy_plan in dsp/
 * runs under this one lock. */
void vita_fftw_planner_lock   (void);
void vita_fftw_planner_unlock (void);

G_END_DECLS
