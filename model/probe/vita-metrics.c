/* vita-metrics.c — MIR metrics matching mir_eval 0.7 (see vita-metrics.h). */
#include "vita-metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double *
sorted_copy (const double *x, gsize n)
{
  double *s = g_new (double, MAX (n, 1));
  if (n)
    memcpy (s, x, n * sizeof (double));
  qsort (s, n, sizeof (double), cmp_double);
  return s;
}

/* The matching on sorted lists; pairs (optional, n_ref entries) receives for each
 * reference the index of its estimate or -1. */
static guint
match_sorted (const double *r, gsize n_ref, const double *e, gsize n_est, double window,
              gssize *pairs)
{
  /* Estimates in increasing order; each takes the lowest-index unmatched reference in
   * its window.  Candidate windows [lo_j, hi_j] move monotonically with j, so the
   * earliest-deadline rule reduces to one pointer (Glover 1967). */
  gsize p = 0;
  guint matched = 0;
  for (gsize i = 0; pairs && i < n_ref; i++)
    pairs[i] = -1;
  for (gsize j = 0; j < n_est; j++)
    {
      double lo = e[j] - window, hi = e[j] + window;  /* as mir_eval's searchsorted */
      while (p < n_ref && !(r[p] >= lo))
        p++;
      if (p < n_ref && r[p] <= hi)
        {
          if (pairs)
            pairs[p] = (gssize) j;
          matched++;
          p++;
        }
    }
  return matched;
}

guint
vita_match_events (const double *ref, gsize n_ref, const double *est, gsize n_est,
                   double window)
{
  if (n_ref == 0 || n_est == 0)
    return 0;
  g_autofree double *r = sorted_copy (ref, n_ref);
  g_autofree double *e = sorted_copy (est, n_est);
  return match_sorted (r, n_ref, e, n_est, window, NULL);
}

/* Adds v to running slot k: slot k holds [(k - 1) step, k step), the last slot also
 * everything later, slot 0 everything before 0. */
static void
add_slot (double *inc, int n, double k, double v)
{
  inc[k < 0 ? 0 : k > n - 1 ? n - 1 : (int) k] += v;
}

/* ... the slot of time t */
static void
add_at (double *inc, int n, double step, double t, double v)
{
  add_slot (inc, n, floor (t / step) + 1, v);
}

static void
prefix_sums (double *x, int n)
{
  for (int k = 1; k < n; k++)
    x[k] += x[k - 1];
}

void
vita_onset_f_measure_running (const double *ref, gsize n_ref, const double *est, gsize n_est,
                              double window, double step, int n, double *num, double *den)
{
  memset (num, 0, (gsize) n * sizeof (double));
  memset (den, 0, (gsize) n * sizeof (double));
  if (n <= 0 || !(step > 0))
    return;
  g_autofree double *r = sorted_copy (ref, n_ref);
  g_autofree double *e = sorted_copy (est, n_est);
  g_autofree gssize *pairs = g_new (gssize, MAX (n_ref, 1));
  match_sorted (r, n_ref, e, n_est, window, pairs);
  for (gsize i = 0; i < n_ref; i++)
    {
      add_at (den, n, step, r[i], 1);
      if (pairs[i] >= 0)   /* a hit counts once both of its events are passed */
        add_at (num, n, step, MAX (r[i], e[pairs[i]]), 2);
    }
  for (gsize j = 0; j < n_est; j++)
    add_at (den, n, step, e[j], 1);
  prefix_sums (num, n);
  prefix_sums (den, n);
}

VitaEventScore
vita_onset_f_measure (const double *ref, gsize n_ref, const double *est, gsize n_est,
                      double window)
{
  VitaEventScore s = { 0 };
  if (n_ref == 0 || n_est == 0)
    return s;
  s.n_matched = vita_match_events (ref, n_ref, est, n_est, window);
  s.precision = (double) s.n_matched / (double) n_est;
  s.recall = (double) s.n_matched / (double) n_ref;
  /* mir_eval.util.f_measure: 0 when precision + recall == 0. */
  if (s.precision + s.recall > 0)
    s.f_measure = 2.0 * s.precision * s.recall / (s.precision + s.recall);
  return s;
}

VitaEventScore
vita_beat_f_measure (const double *ref, gsize n_ref, const double *est, gsize n_est,
                     double window, double min_beat_time)
{
  /* mir_eval.beat.trim_beats: keep beats >= min_beat_time. */
  g_autofree double *r = g_new (double, MAX (n_ref, 1));
  g_autofree double *e = g_new (double, MAX (n_est, 1));
  gsize nr = 0, ne = 0;
  for (gsize i = 0; i < n_ref; i++)
    if (ref[i] >= min_beat_time)
      r[nr++] = ref[i];
  for (gsize i = 0; i < n_est; i++)
    if (est[i] >= min_beat_time)
      e[ne++] = est[i];
  return vita_onset_f_measure (r, nr, e, ne, window);
}

/* ---------------------------------------------------------------- chords */

static int
class_at (const VitaChordSegment *seg, gsize n, double t, int missing)
{
  /* segments are sorted and non-overlapping; binary search on start */
  gsize lo = 0, hi = n;
  while (lo < hi)
    {
      gsize mid = (lo + hi) / 2;
      if (seg[mid].start <= t)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo == 0)
    return missing;
  const VitaChordSegment *s = &seg[lo - 1];
  return t < s->end ? s->chord : missing;
}

/* The overlap; with running (n slots of step seconds, see add_at) also the correct
 * and valid durations added up slot by slot. */
static double
overlap_majmin (const VitaChordSegment *ref, gsize n_ref, const VitaChordSegment *est,
                gsize n_est, double *valid_seconds, double step, int n, double *num, double *den)
{
  if (valid_seconds)
    *valid_seconds = 0;
  if (n_ref == 0)
    return 0;
  double t0 = ref[0].start, t1 = ref[n_ref - 1].end;
  for (gsize i = 0; i < n_ref; i++)
    {
      t0 = MIN (t0, ref[i].start);
      t1 = MAX (t1, ref[i].end);
    }
  /* Union of boundaries inside [t0, t1] (adjust_intervals + merge_labeled_intervals). */
  g_autofree double *b = g_new (double, 2 * (n_ref + n_est) + 2);
  gsize nb = 0;
  b[nb++] = t0;
  b[nb++] = t1;
  for (gsize i = 0; i < n_ref; i++)
    {
      b[nb++] = ref[i].start;
      b[nb++] = ref[i].end;
    }
  for (gsize i = 0; i < n_est; i++)
    {
      if (est[i].start > t0 && est[i].start < t1)
        b[nb++] = est[i].start;
      if (est[i].end > t0 && est[i].end < t1)
        b[nb++] = est[i].end;
    }
  qsort (b, nb, sizeof (double), cmp_double);

  double correct = 0, total = 0;
  for (gsize i = 0; i + 1 < nb; i++)
    {
      double dur = b[i + 1] - b[i];
      if (!(dur > 0))
        continue;
      double mid = b[i];  /* labels hold on [start, end): look at the left edge */
      int r = class_at (ref, n_ref, mid, VITA_CHORD_OTHER);
      if (r < 0)
        continue;  /* outside maj/min/N, unknown, or a gap: excluded (score -1) */
      int e = class_at (est, n_est, mid, VITA_CHORD_N);
      total += dur;
      if (e == r)
        correct += dur;
      /* the stretch [b[i], b[i+1]) split at slot boundaries */
      for (double a = b[i]; num != NULL && a < b[i + 1];)
        {
          double k = floor (a / step) + 1, end = MIN (b[i + 1], k * step);
          if (end <= a)   /* a on a boundary, rounded down: the next slot */
            k++, end = MIN (b[i + 1], k * step);
          if (k >= n - 1)   /* the last slot takes the rest at once */
            end = b[i + 1];
          add_slot (den, n, k, end - a);
          if (e == r)
            add_slot (num, n, k, end - a);
          a = end;
        }
    }
  if (valid_seconds)
    *valid_seconds = total;
  return total > 0 ? correct / total : 0.0;
}

double
vita_chord_overlap_majmin (const VitaChordSegment *ref, gsize n_ref,
                           const VitaChordSegment *est, gsize n_est,
                           double *valid_seconds)
{
  return overlap_majmin (ref, n_ref, est, n_est, valid_seconds, 0, 0, NULL, NULL);
}

double
vita_chord_overlap_majmin_running (const VitaChordSegment *ref, gsize n_ref,
                                   const VitaChordSegment *est, gsize n_est, double step,
                                   int n, double *num, double *den)
{
  if (n <= 0 || !(step > 0))
    return overlap_majmin (ref, n_ref, est, n_est, NULL, 0, 0, NULL, NULL);
  memset (num, 0, (gsize) n * sizeof (double));
  memset (den, 0, (gsize) n * sizeof (double));
  double s = overlap_majmin (ref, n_ref, est, n_est, NULL, step, n, num, den);
  prefix_sums (num, n);
  prefix_sums (den, n);
  return s;
}

GArray *
vita_chord_frames_to_segments (const int *frames, int n_frames, double hop_seconds)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (VitaChordSegment));
  int i = 0;
  while (i < n_frames)
    {
      int j = i;
      while (j + 1 < n_frames && frames[j + 1] == frames[i])
        j++;
      VitaChordSegment s;
      s.start = i == 0 ? 0.0 : (i - 0.5) * hop_seconds;
      s.end = (j + 0.5) * hop_seconds;
      s.chord = frames[i];
      g_array_append_val (out, s);
      i = j + 1;
    }
  return out;
}

/* ---------------------------------------------------------------- key */

double
vita_key_weighted_score (int ref_key, int est_key)
{
  if (ref_key == est_key)
    return 1.0;
  if (ref_key < 0 || est_key < 0)
    return 0.0;
  int rt = ref_key % 12, et = est_key % 12;
  gboolean rmin = ref_key >= 12, emin = est_key >= 12;
  int up = ((et - rt) % 12 + 12) % 12;
  if (rmin == emin && up == 7)
    return 0.5;                      /* perfect fifth above, same mode */
  if (!rmin && emin && up == 9)
    return 0.3;                      /* relative minor */
  if (rmin && !emin && up == 3)
    return 0.3;                      /* relative major */
  if (rmin != emin && rt == et)
    return 0.2;                      /* parallel */
  return 0.0;
}

/* ---------------------------------------------------------------- tags */

typedef struct {
  float score;
  float label;
} ScoreLabel;

static int
cmp_score_desc (const void *a, const void *b)
{
  float x = ((const ScoreLabel *) a)->score, y = ((const ScoreLabel *) b)->score;
  return (x < y) - (x > y);
}

static ScoreLabel *
sorted_desc (const float *scores, const float *labels, gsize n, gsize stride,
             double *npos, double *nneg)
{
  ScoreLabel *sl = g_new (ScoreLabel, MAX (n, 1));
  *npos = *nneg = 0;
  for (gsize i = 0; i < n; i++)
    {
      sl[i].score = scores[i * stride];
      sl[i].label = labels[i * stride] > 0.5f ? 1.0f : 0.0f;
      if (sl[i].label > 0)
        *npos += 1;
      else
        *nneg += 1;
    }
  qsort (sl, n, sizeof (ScoreLabel), cmp_score_desc);
  return sl;
}

double
vita_roc_auc (const float *scores, const float *labels, gsize n, gsize stride)
{
  double npos, nneg;
  g_autofree ScoreLabel *sl = sorted_desc (scores, labels, n, stride, &npos, &nneg);
  if (npos == 0 || nneg == 0)
    return NAN;
  /* Walk thresholds from the top: each group of tied scores adds a trapezoid. */
  double tp = 0, fp = 0, area = 0;
  gsize i = 0;
  while (i < n)
    {
      double gtp = 0, gfp = 0;
      gsize j = i;
      while (j < n && sl[j].score == sl[i].score)
        {
          if (sl[j].label > 0)
            gtp++;
          else
            gfp++;
          j++;
        }
      area += gfp * (tp + 0.5 * gtp);
      tp += gtp;
      fp += gfp;
      i = j;
    }
  return area / (npos * nneg);
}

double
vita_average_precision (const float *scores, const float *labels, gsize n, gsize stride)
{
  double npos, nneg;
  g_autofree ScoreLabel *sl = sorted_desc (scores, labels, n, stride, &npos, &nneg);
  if (npos == 0 || nneg == 0)
    return NAN;
  double tp = 0, sel = 0, ap = 0, prev_r = 0;
  gsize i = 0;
  while (i < n)
    {
      gsize j = i;
      while (j < n && sl[j].score == sl[i].score)
        {
          tp += sl[j].label;
          sel += 1;
          j++;
        }
      double r = tp / npos;
      ap += (r - prev_r) * (tp / sel);
      prev_r = r;
      i = j;
    }
  return ap;
}

static double
macro (double (*f) (const float *, const float *, gsize, gsize),
       const float *scores, const float *labels, gsize n, gsize n_tags)
{
  double sum = 0;
  int count = 0;
  for (gsize t = 0; t < n_tags; t++)
    {
      double v = f (scores + t, labels + t, n, n_tags);
      if (!isnan (v))
        {
          sum += v;
          count++;
        }
    }
  return count ? sum / count : NAN;
}

double
vita_macro_roc_auc (const float *scores, const float *labels, gsize n, gsize n_tags)
{
  return macro (vita_roc_auc, scores, labels, n, n_tags);
}

double
vita_mean_average_precision (const float *scores, const float *labels, gsize n, gsize n_tags)
{
  return macro (vita_average_precision, scores, labels, n, n_tags);
}
