/* vita-features.h — reference features the model is compared against.
 * All outputs are time-major (n_frames, ...), frame i centred at sample i*hop. */
#pragma once

#include "vita-dsp.h"

G_BEGIN_DECLS

/* Spectral-flux onset novelty from a power spectrogram (n_frames, n_bins):
 * log-compressed magnitude, half-wave rectified first difference summed over bins
 * (Böck & Widmer / librosa.onset.onset_strength style), out: (n_frames), >= 0. */
void vita_onset_flux (const float *power, gsize n_frames, int n_bins, float *out);

/* Peak picking on a novelty curve (librosa-style): returns frame indices. */
GArray *vita_peak_pick (const float *novelty, gsize n, float delta, int wait);

/* Cosine self-similarity of rows: x (n, d) → out (n, n). */
void vita_ssm_cosine (const float *x, gsize n, int d, float *out);

G_END_DECLS
