/* vita-metrics.h — MIR evaluation metrics, each golden-tested against mir_eval 0.7
 * (tests/make_golden_probe.py → tests/probe/test-metrics.c).
 *
 * Conventions (what mir_eval does, and where we state our own choice):
 *  - chords: mir_eval.chord.evaluate's "majmin": the estimate is trimmed to the
 *    reference's time span and padded with N (util.adjust_intervals), both are merged
 *    on the union of boundaries, and the score is the duration-weighted fraction of
 *    reference time (reference chords outside maj/min/N excluded) where the classes
 *    agree.  Gaps inside the reference are excluded; gaps inside the estimate count as
 *    N (mir_eval would carry the previous label over a gap: .lab files have none).
 *  - events: util.match_events — a maximum matching of reference and estimated times
 *    with |ref − est| <= window, hit test written as ref >= est − window and
 *    ref <= est + window in double precision exactly as _fast_hit_windows does.
 *    Because every candidate set is an interval of the sorted reference, a greedy
 *    sweep gives a maximum matching (Glover's rule for convex bipartite graphs).
 *  - onsets: mir_eval.onset.f_measure, window 0.05 s by default (the app's
 *    default tolerance is VITA_EVENT_TOLERANCE = 0.07 s).
 *  - beats: mir_eval.beat.f_measure (window 0.07 s) after beat.trim_beats, which
 *    drops every beat before 5 s in both lists (min_beat_time; pass 0 to keep all).
 *  - key: mir_eval.key.weighted_score (1 / 0.5 fifth / 0.3 relative / 0.2 parallel).
 *  - tags: ROC-AUC with ties counted half (Mann–Whitney), average precision as
 *    sklearn.metrics.average_precision_score (no interpolation); macro means over the
 *    tags that have both positives and negatives.
 */
#pragma once

#include "vita-annotations.h"

G_BEGIN_DECLS

#define VITA_EVENT_TOLERANCE       0.07   /* app default for beats/onsets (seconds) */
#define VITA_ONSET_WINDOW_MIREVAL  0.05
#define VITA_BEAT_WINDOW_MIREVAL   0.07
#define VITA_BEAT_MIN_TIME_MIREVAL 5.0

typedef struct {
  double precision;
  double recall;
  double f_measure;
  guint  n_matched;
} VitaEventScore;

/* Size of a maximum matching; ref and est need not be sorted. */
guint  vita_match_events (const double *ref, gsize n_ref, const double *est, gsize n_est,
                          double window);
/* F = 0 when either list is empty (as mir_eval). */
VitaEventScore vita_onset_f_measure (const double *ref, gsize n_ref, const double *est,
                                     gsize n_est, double window);
/* The F-measure so far, as prefix sums: num[k] / den[k] is F over the events before
 * k * step (a match counts once both its events are; den = references + estimates,
 * num = 2 × matches), num[n - 1] / den[n - 1] the whole F (den 0: no events yet). */
void vita_onset_f_measure_running (const double *ref, gsize n_ref, const double *est,
                                   gsize n_est, double window, double step, int n,
                                   double *num, double *den);
VitaEventScore vita_beat_f_measure  (const double *ref, gsize n_ref, const double *est,
                                     gsize n_est, double window, double min_beat_time);

/* Duration-weighted majmin overlap in [0, 1]; returns 0 when the reference has no
 * in-gamut time.  *valid_seconds (optional) receives the weighting denominator. */
double vita_chord_overlap_majmin (const VitaChordSegment *ref, gsize n_ref,
                                  const VitaChordSegment *est, gsize n_est,
                                  double *valid_seconds);
/* The overlap so far, as prefix sums: num[k] / den[k] is the overlap over the
 * reference before k * step (seconds correct, seconds in gamut), the last the whole
 * overlap; returns the whole overlap. */
double vita_chord_overlap_majmin_running (const VitaChordSegment *ref, gsize n_ref,
                                          const VitaChordSegment *est, gsize n_est,
                                          double step, int n, double *num, double *den);
/* Frame classes (frame i centred at i * hop_seconds, spanning ±hop/2, the first
 * starting at 0) → merged segments. */
GArray *vita_chord_frames_to_segments (const int *frames, int n_frames, double hop_seconds);

double vita_key_weighted_score (int ref_key, int est_key);

/* One tag: labels 0/1, scores any real.  NAN when undefined (no positive or no
 * negative). */
double vita_roc_auc (const float *scores, const float *labels, gsize n, gsize stride);
double vita_average_precision (const float *scores, const float *labels, gsize n, gsize stride);
/* Macro means over n_tags columns of (n, n_tags) arrays; NAN if no tag is defined. */
double vita_macro_roc_auc (const float *scores, const float *labels, gsize n, gsize n_tags);
double vita_mean_average_precision (const float *scores, const float *labels, gsize n,
                                    gsize n_tags);

G_END_DECLS
