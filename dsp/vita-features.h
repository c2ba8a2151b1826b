/* vita-features.h — reference features the model is compared against.
 * All outputs are time-major (n_frames, ...), frame i centred at sample i*hop. */
#pragma once

#include "vita-dsp.h"

G_BEGIN_DECLS

/* Spectral-flux onset novelty from a power spectrogram (n_frames, n_bins):
 * log-compressed magnitude, half-wave rectified first difference summed over bins
 * (Böck & Widmer / librosa.onset.onset_strength style), out: (n_frames), >= 0. */
void vita_onset_flux (const float *power, gsize n_frames, int n_bins, float *out);

/* Peak picking on a novelty curve (librosa-style): returns frame indices, a GArray
 * of guint (free with g_array_unref).  A 3-frame local maximum that exceeds the
 * mean of the 3 frames before and after (±0.1 s at 31.25 frames/s) by delta, at
 * least wait frames after the previous peak. */
GArray *vita_peak_pick (const float *novelty, gsize n, float delta, int wait);
/* The same with librosa.util.peak_pick's windows: max over [n-pre_max, n+post_max),
 * mean over [n-pre_avg, n+post_avg) (clipped to the signal). */
GArray *vita_peak_pick_full (const float *novelty, gsize n, int pre_max, int post_max,
                             int pre_avg, int post_avg, float delta, int wait);

/* Cosine self-similarity of rows: x (n, d) → out (n, n). */
void vita_ssm_cosine (const float *x, gsize n, int d, float *out);
/* Naive reference (double accumulation): tests only. */
void vita_ssm_cosine_ref (const float *x, gsize n, int d, float *out);

/* Chroma filterbank: a port of librosa.filters.chroma(sr, n_fft, n_chroma,
 * tuning=0, ctroct=5, octwidth=2, norm=2, base_c=True), (n_chroma, n_fft/2+1)
 * row-major; free with g_free.  n_chroma is 12 for the usual pitch classes C…B. */
float *vita_chroma_filterbank_new (int sample_rate, int n_fft, int n_chroma);
/* librosa.feature.chroma_stft(S=power, tuning=0, norm=inf): out (n_frames, n_chroma),
 * each frame divided by its maximum (silent frames stay 0). */
void vita_chroma (const float *filterbank, int n_chroma, const float *power,
                  gsize n_frames, int n_bins, float *out);

/* Orthonormal DCT-II matrix (n_mfcc, n_mels) (torchaudio.functional.create_dct(norm="ortho"),
 * transposed); free with g_free. */
float *vita_dct_ortho_new (int n_mfcc, int n_mels);
/* MFCC from a mel POWER spectrogram (n_frames, n_mels) as torchaudio.transforms.MFCC
 * (dct_type 2, norm "ortho", log_mels False: 10 log10 with amin 1e-10 and top_db 80
 * over the whole input): out (n_frames, n_mfcc); n_mfcc is 20 by convention. */
#define VITA_MFCC_DEFAULT_N 20
void vita_mfcc (const float *mel_power, gsize n_frames, int n_mels, int n_mfcc, float *out);

G_END_DECLS
