/* vita-derived.h — quantities derived from an analysis, each computed here once:
 * the received-attention curve, attention rollout, onset peaks and layer × layer
 * similarity (linear CKA).  Panels (views/), onset clicks (app/), .npy export and
 * the report all call these; nothing recomputes them elsewhere.
 *
 * Kernels follow vita-vit-kernels.h: outputs first, then inputs, then sizes; a
 * naive `_ref` twin in double precision for tests.
 */
#pragma once

#include "vita-analysis.h"

G_BEGIN_DECLS

/* ---- attention of one window ------------------------------------------------- */

/* One head's (N, N) map of a block, or the mean over heads when head < 0.
 * att: (L, NH, N, N) as vita_analysis_window_attention writes it. */
void vita_attention_head_map (float *out, const float *att, int block, int head, int NH, int N);

/* Attention rollout (Abnar & Zuidema 2020, "Quantifying attention flow in
 * transformers") up to and including block: the residual connection is modelled as
 * Ã_b = 0.5 A_b + 0.5 I with A_b averaged over heads and rows renormalised, and
 * R = Ã_block · … · Ã_0.  Row = query, column = key (as vita-vit.h).
 * out: (N, N); att: (L, NH, N, N). */
void vita_attention_rollout (float *out, const float *att, int block, int NH, int N);

/* ---- per-frame curves ---------------------------------------------------------- */

/* The attention frames [f0, f1) receive from block (0..L-1): one head's, or the mean
 * over heads when head < 0 (an->received, see vita-analysis.h).  A frame whose
 * window is not analysed yet is NaN: this is what the panel draws (as a gap) and
 * what its .npy export holds.  Returns the largest finite value (0 when none). */
float vita_received_curve (float *out, const VitaAnalysis *an, int block, int head,
                           int f0, int f1);

/* Onset frames of a novelty curve: the curve min–max scaled to [0, 1] over its
 * finite values (NaN counts as the minimum; a flat curve has no onset), then
 * vita_peak_pick (dsp/vita-features.h) with delta and wait.  guint frame indices. */
GArray *vita_onset_peaks (const float *curve, gsize n, float delta, int wait);

/* ---- layer × layer similarity ------------------------------------------------- */

/* Linear CKA (Kornblith, Norouzi, Lee & Hinton 2019, "Similarity of neural network
 * representations revisited", eq. 5 with linear kernels) between every pair of the
 * n_layers matrices X_l (n, d), row-major at x + l * layer_stride:
 *   CKA(X, Y) = ‖Ycᵀ Xc‖²_F / (‖Xcᵀ Xc‖_F ‖Ycᵀ Yc‖_F),
 * Xc = X with its column means removed (HSIC's 1/(n-1)² cancels).
 * out: (n_layers, n_layers), symmetric; 0 where a matrix is constant.  Computed
 * through the n × n Gram matrices or the d × d cross-covariances, whichever is
 * cheaper (the same number either way), with cblas_sgemm. */
void vita_cka_forward (float *out, const float *x, int n_layers, gsize layer_stride, int n,
                       int d);
/* The same in double precision, naively (tests). */
void vita_cka_forward_ref (float *out, const float *x, int n_layers, gsize layer_stride,
                           int n, int d);

/* CKA of the analysis's token layers over frames [first, first + n) (clamped to the
 * track): out (n_layers, n_layers).  Needs the tokens (keep_tokens; otherwise
 * VITA_MODEL_ERROR_UNSUPPORTED) of frames already analysed (otherwise
 * VITA_MODEL_ERROR_BUSY).  The whole track's CKA is vita_analysis_track_cka() once
 * vita_analysis_run_track_cka() has computed it. */
gboolean vita_analysis_cka (float *out, const VitaAnalysis *an, int first, int n,
                            GError **error);
/* The same with up to `threads` threads (the same result for any number): more than
 * d frames are split into per-layer panels of their d × d products, and cancellable
 * (may be NULL) is checked before each part of 512 frames (G_IO_ERROR_CANCELLED). */
gboolean vita_analysis_cka_threads (float *out, const VitaAnalysis *an, int first, int n,
                                    int threads, GCancellable *cancellable, GError **error);

G_END_DECLS
