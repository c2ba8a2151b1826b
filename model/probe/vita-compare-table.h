/* vita-compare-table.h — the paper's measurements for one track, model A beside model B
 * (issue 11, item 3): a VitaCompareTable (model/vita-compare.h) with A, B and A − B.
 *
 * Rows (layer = token layer: 0 the embedding, l the output of block l, whose attention
 * is block l's received attention):
 *   ssm_r_chroma, ssm_r_MFCC, ssm_r_rhythm  per layer 0..L: Pearson correlation of the
 *        layer's SSM with the reference SSM (vita_report_ssm_correlation: the report's
 *        claim (c), the same function);
 *   onset_f  per layer 1..L and head: onset F (±onset_window, mir_eval) of the peaks of
 *        the head's received attention, the peak threshold the best of the report's
 *        grid (vita_report_peak_deltas; on one track there are no training pieces to
 *        choose it on, so both sides get their best), when onsets are annotated;
 *        onset_f_mean / onset_f_best over the heads of the layer;
 *   flux_r   instead, without onsets: Pearson correlation over frames of the head's
 *        received attention with spectral flux; flux_r_mean / flux_r_best.
 * A side that lacks a layer or head (different depth or heads) has NaN there.
 */
#pragma once

#include "model/vita-compare.h"
#include "vita-annotations.h"

G_BEGIN_DECLS

/* cmp complete; pcm (n_samples) at the models' sample rate, the audio both analysed
 * (its frames are the analyses' frames); onsets may be NULL; onset_window in seconds
 * (VITA_ONSET_WINDOW_MIREVAL). */
VitaCompareTable *vita_compare_table_compute (const VitaCompare *cmp, const float *pcm,
                                              gsize n_samples, const VitaEventList *onsets,
                                              double onset_window, GError **error);

/* Pearson correlation of two curves over n frames (NaN when either is constant). */
double vita_curve_correlation (const float *x, const float *y, int n);

G_END_DECLS
