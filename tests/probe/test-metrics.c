/* test-metrics.c — metrics against mir_eval 0.7 golden cases (tests/make_golden_probe.py). */
#include "vita-test.h"
#include "model/probe/vita-metrics.h"

#include <math.h>

static double worst_golden_error = 0;

static void
check (const char *what, double got, double want, double tol)
{
  double err = fabs (got - want);
  worst_golden_error = MAX (worst_golden_error, err);
  if (!(err <= tol))
    g_error ("%s: got %.9f, mir_eval says %.9f (|diff| %.3g > %.3g)", what, got, want, err, tol);
}

static double *
load_times (const char *name, gsize *n)
{
  g_autofree float *f = vita_test_load_npy (name, NULL, NULL, n);
  double *d = g_new (double, MAX (*n, 1));
  for (gsize i = 0; i < *n; i++)
    d[i] = f[i];
  return d;
}

static void
test_chord_majmin (void)
{
  gsize n;
  g_autofree float *want = vita_test_load_npy ("probe/chord_majmin.npy", NULL, NULL, &n);
  g_assert_cmpuint (n, ==, 6);
  for (gsize k = 0; k < n; k++)
    {
      g_autofree char *rn = g_strdup_printf ("probe/chord_ref_%zu.lab", k);
      g_autofree char *en = g_strdup_printf ("probe/chord_est_%zu.lab", k);
      g_autofree char *rp = vita_test_data_path (rn);
      g_autofree char *ep = vita_test_data_path (en);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(VitaChordTrack) ref = vita_chord_track_load (rp, warnings, &error);
      g_assert_no_error (error);
      g_autoptr(VitaChordTrack) est = vita_chord_track_load (ep, warnings, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (warnings->len, ==, 0);  /* every golden label must parse */
      double got = vita_chord_overlap_majmin ((VitaChordSegment *) ref->segments->data,
                                              ref->segments->len,
                                              (VitaChordSegment *) est->segments->data,
                                              est->segments->len, NULL);
      g_autofree char *what = g_strdup_printf ("chord majmin case %zu", k);
      check (what, got, want[k], 1e-6);
    }
}

static void
test_harte_classes (void)
{
  static const struct { const char *label; int chord; } cases[] = {
    { "C:maj", 0 }, { "C", 0 }, { "A:min", 21 }, { "N", VITA_CHORD_N },
    { "X", VITA_CHORD_OTHER }, { "Db:maj", 1 }, { "C#:min", 13 }, { "B#:maj", 0 },
    { "Cb:min", 23 }, { "E:7", 4 }, { "E:min7", 16 }, { "B:dim", VITA_CHORD_OTHER },
    { "C:maj/3", 0 }, { "C:maj/2", VITA_CHORD_OTHER }, { "C:maj/b7", 0 },
    { "C:(1,3,5)", 0 }, { "C:min(*b3)", VITA_CHORD_OTHER }, { "E:maj(*5)", VITA_CHORD_OTHER },
    { "G:sus4", VITA_CHORD_OTHER }, { "C:MAJ", 0 }, { "F:min(b6)", 17 }, { "C:5", VITA_CHORD_OTHER },
    { "C:(b3,5)", 12 }, { "A:maj(9)", 9 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      int c = -99;
      g_autofree char *msg = NULL;
      if (!vita_chord_parse_harte (cases[i].label, &c, &msg))
        g_error ("'%s' did not parse: %s", cases[i].label, msg);
      if (c != cases[i].chord)
        g_error ("'%s' → %d, want %d", cases[i].label, c, cases[i].chord);
    }
  static const char *bad[] = { "H:maj", "C:foo", "C:maj/", "C:(1,3", "C(*3)", "c:maj", "C:maj/x",
                               "C:maj/3/5", "", "C:(14)", "C::maj", "C:min(b3,,5)" };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      int c;
      g_autofree char *msg = NULL;
      if (vita_chord_parse_harte (bad[i], &c, &msg))
        g_error ("'%s' should not parse (got %d)", bad[i], c);
      g_assert_nonnull (msg);
    }
}

static void
test_onsets (void)
{
  gsize n;
  g_autofree float *want = vita_test_load_npy ("probe/onset_expected.npy", NULL, NULL, &n);
  g_assert_cmpuint (n, ==, 6 * 4);
  for (gsize k = 0; k < 6; k++)
    {
      g_autofree char *rn = g_strdup_printf ("probe/onset_ref_%zu.npy", k);
      g_autofree char *en = g_strdup_printf ("probe/onset_est_%zu.npy", k);
      gsize nr, ne;
      g_autofree double *ref = load_times (rn, &nr);
      g_autofree double *est = load_times (en, &ne);
      /* the window as mir_eval saw it: a Python float, stored here as float32 */
      double window = k == 2 ? 0.07 : k == 3 ? 0.02 : 0.05;
      g_assert_cmpfloat (fabs (window - want[4 * k]), <, 1e-7);
      VitaEventScore s = vita_onset_f_measure (ref, nr, est, ne, window);
      g_autofree char *w1 = g_strdup_printf ("onset case %zu precision", k);
      g_autofree char *w2 = g_strdup_printf ("onset case %zu recall", k);
      g_autofree char *w3 = g_strdup_printf ("onset case %zu F", k);
      check (w1, s.precision, want[4 * k + 1], 1e-6);
      check (w2, s.recall, want[4 * k + 2], 1e-6);
      check (w3, s.f_measure, want[4 * k + 3], 1e-6);
    }
}

static void
test_matching_is_maximum (void)
{
  /* A greedy that matched each reference to its nearest estimate would pair 1.00
   * with 1.04 and leave 1.08 unmatched; the maximum matching pairs both. */
  double ref[] = { 1.0, 1.08 };
  double est[] = { 1.04, 1.12 };
  g_assert_cmpuint (vita_match_events (ref, 2, est, 2, 0.05), ==, 2);
  double ref2[] = { 1.08, 1.0 };  /* unsorted input */
  g_assert_cmpuint (vita_match_events (ref2, 2, est, 2, 0.05), ==, 2);
  g_assert_cmpuint (vita_match_events (ref, 2, est, 0, 0.05), ==, 0);
}

static void
test_beats (void)
{
  gsize n;
  g_autofree float *want = vita_test_load_npy ("probe/beat_expected.npy", NULL, NULL, &n);
  g_assert_cmpuint (n, ==, 4);
  for (gsize k = 0; k < n; k++)
    {
      g_autofree char *rn = g_strdup_printf ("probe/beat_ref_%zu.npy", k);
      g_autofree char *en = g_strdup_printf ("probe/beat_est_%zu.npy", k);
      gsize nr, ne;
      g_autofree double *ref = load_times (rn, &nr);
      g_autofree double *est = load_times (en, &ne);
      VitaEventScore s = vita_beat_f_measure (ref, nr, est, ne, VITA_BEAT_WINDOW_MIREVAL,
                                              VITA_BEAT_MIN_TIME_MIREVAL);
      g_autofree char *what = g_strdup_printf ("beat case %zu F", k);
      check (what, s.f_measure, want[k], 1e-6);
    }
}

static void
test_key (void)
{
  gsize n;
  g_autofree float *want = vita_test_load_npy ("probe/key_weighted.npy", NULL, NULL, &n);
  g_assert_cmpuint (n, ==, 25 * 25);
  for (int i = 0; i < 25; i++)
    for (int j = 0; j < 25; j++)
      {
        int a = i < 24 ? i : VITA_KEY_X, b = j < 24 ? j : VITA_KEY_X;
        g_autofree char *what = g_strdup_printf ("key %s vs %s", vita_key_class_name (a),
                                                 vita_key_class_name (b));
        check (what, vita_key_weighted_score (a, b), want[i * 25 + j], 1e-7);
      }
}

static void
test_tags (void)
{
  gsize shape[VITA_NPY_MAX_DIMS], n;
  int nd;
  g_autofree float *labels = vita_test_load_npy ("probe/tags_labels.npy", &nd, shape, NULL);
  g_autofree float *scores = vita_test_load_npy ("probe/tags_scores.npy", NULL, NULL, NULL);
  g_autofree float *want = vita_test_load_npy ("probe/tags_expected.npy", NULL, NULL, &n);
  gsize clips = shape[0], tags = shape[1];
  g_assert_cmpuint (n, ==, 2 * (tags + 1));
  for (gsize t = 0; t < tags; t++)
    {
      g_autofree char *w1 = g_strdup_printf ("ROC-AUC tag %zu", t);
      g_autofree char *w2 = g_strdup_printf ("AP tag %zu", t);
      check (w1, vita_roc_auc (scores + t, labels + t, clips, tags), want[2 * t], 1e-6);
      check (w2, vita_average_precision (scores + t, labels + t, clips, tags), want[2 * t + 1],
             1e-6);
    }
  check ("macro ROC-AUC", vita_macro_roc_auc (scores, labels, clips, tags), want[2 * tags], 1e-6);
  check ("mAP", vita_mean_average_precision (scores, labels, clips, tags), want[2 * tags + 1],
         1e-6);
  float one[3] = { 1, 1, 1 };
  g_assert_true (isnan (vita_roc_auc (one, one, 3, 1)));  /* no negatives: undefined */
}

static void
test_frames_to_segments (void)
{
  int frames[] = { 24, 24, 0, 0, 0, 12 };
  g_autoptr(GArray) s = vita_chord_frames_to_segments (frames, 6, 0.1);
  g_assert_cmpuint (s->len, ==, 3);
  VitaChordSegment *v = (VitaChordSegment *) s->data;
  g_assert_cmpfloat (v[0].start, ==, 0.0);
  g_assert_cmpfloat (fabs (v[0].end - 0.15), <, 1e-12);
  g_assert_cmpfloat (fabs (v[2].end - 0.55), <, 1e-12);
  g_assert_cmpint (v[1].chord, ==, 0);
  /* perfect estimate → 1; everything wrong → 0 */
  g_assert_cmpfloat (vita_chord_overlap_majmin (v, 3, v, 3, NULL), ==, 1.0);
  VitaChordSegment wrong[] = { { 0, 0.55, 5 } };
  g_assert_cmpfloat (vita_chord_overlap_majmin (v, 3, wrong, 1, NULL), ==, 0.0);
}

/* Segments clipped to [0, t) (for the running overlap's check). */
static GArray *
clip_segments (const VitaChordTrack *track, double t)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (VitaChordSegment));
  for (guint i = 0; i < track->segments->len; i++)
    {
      VitaChordSegment seg = g_array_index (track->segments, VitaChordSegment, i);
      if (seg.start >= t)
        break;
      seg.end = MIN (seg.end, t);
      g_array_append_val (out, seg);
    }
  return out;
}

/* The running scores: the majmin overlap so far at every step equals the overlap of
 * both tracks clipped there, and the last the whole; the F-measure so far counts the
 * events passed and ends at the whole F. */
static void
test_running (void)
{
  const double step = 0.37;
  for (gsize k = 0; k < 6; k++)
    {
      g_autofree char *rn = g_strdup_printf ("probe/chord_ref_%zu.lab", k);
      g_autofree char *en = g_strdup_printf ("probe/chord_est_%zu.lab", k);
      g_autofree char *rp = vita_test_data_path (rn);
      g_autofree char *ep = vita_test_data_path (en);
      g_autoptr(GError) error = NULL;
      g_autoptr(VitaChordTrack) ref = vita_chord_track_load (rp, NULL, &error);
      g_assert_no_error (error);
      g_autoptr(VitaChordTrack) est = vita_chord_track_load (ep, NULL, &error);
      g_assert_no_error (error);
      const VitaChordSegment *r = (const VitaChordSegment *) ref->segments->data;
      const VitaChordSegment *e = (const VitaChordSegment *) est->segments->data;
      guint nr = ref->segments->len, ne = est->segments->len;
      double end = MAX (r[nr - 1].end, ne ? e[ne - 1].end : 0);
      int n = (int) ceil (end / step) + 2;
      g_autofree double *num = g_new (double, n);
      g_autofree double *den = g_new (double, n);
      double whole = vita_chord_overlap_majmin (r, nr, e, ne, NULL);
      g_assert_cmpfloat (vita_chord_overlap_majmin_running (r, nr, e, ne, step, n, num, den), ==,
                         whole);
      g_assert_cmpfloat (fabs (num[n - 1] / den[n - 1] - whole), <, 1e-9);
      int checked = 0;
      for (int i = 1; i < n - 1; i++)
        {
          g_autoptr(GArray) rc = clip_segments (ref, i * step);
          g_autoptr(GArray) ec = clip_segments (est, i * step);
          double valid = 0;
          double want = vita_chord_overlap_majmin ((VitaChordSegment *) rc->data, rc->len,
                                                   (VitaChordSegment *) ec->data, ec->len, &valid);
          g_assert_cmpfloat (fabs (den[i] - valid), <, 1e-9);
          if (valid > 0)
            {
              g_assert_cmpfloat (fabs (num[i] / den[i] - want), <, 1e-9);
              checked++;
            }
        }
      g_assert_cmpint (checked, >, 0);
    }

  /* events: refs 1, 2, 3; estimates 1.02 (hit), 2.5 (miss), 3.01 (hit) */
  const double ref_t[] = { 1, 2, 3 }, est_t[] = { 1.02, 2.5, 3.01 };
  double num[5], den[5];
  vita_onset_f_measure_running (ref_t, 3, est_t, 3, 0.05, 1.0, 5, num, den);
  /* before 1 s nothing; before 2 s: 1 and 1.02, one hit → F 1; before 3 s: + 2, 2.5 →
   * 2 hits of 4 events... 1 hit: 2/4; then the whole: 2 hits, 6 events */
  g_assert_cmpfloat (den[1], ==, 0);
  g_assert_cmpfloat (num[2] / den[2], ==, 1.0);
  g_assert_cmpfloat (num[3] / den[3], ==, 0.5);
  VitaEventScore whole = vita_onset_f_measure (ref_t, 3, est_t, 3, 0.05);
  g_assert_cmpfloat (fabs (num[4] / den[4] - whole.f_measure), <, 1e-12);
  g_assert_cmpfloat (num[4] / den[4], ==, 4.0 / 6.0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/metrics/harte-classes", test_harte_classes);
  g_test_add_func ("/metrics/chord-majmin", test_chord_majmin);
  g_test_add_func ("/metrics/matching-is-maximum", test_matching_is_maximum);
  g_test_add_func ("/metrics/onset-f", test_onsets);
  g_test_add_func ("/metrics/beat-f", test_beats);
  g_test_add_func ("/metrics/running", test_running);
  g_test_add_func ("/metrics/key-weighted", test_key);
  g_test_add_func ("/metrics/tags-auc-ap", test_tags);
  g_test_add_func ("/metrics/frames-to-segments", test_frames_to_segments);
  int rc = g_test_run ();
  g_test_message ("largest golden error vs mir_eval/numpy: %.3g", worst_golden_error);
  return rc;
}
