/* test-results-export.c — results back to the tools (issue 16 item 2): probe lanes,
 * curves and peaks exported as Sonic Visualiser CSV, .lab, JAMS and .npy, then read
 * back by the importers: identical lanes.  And `vitascope-cli export` on annotation
 * files and on an analysis folder.  argv[1] after --tap: the vitascope-cli binary. */
#include "vita-test.h"
#include "app/vita-results-export.h"
#include "model/probe/vita-metrics.h"
#include "model/vita-npy.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static const char *cli;

static void
rm_rf (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *n;
  while (d && (n = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (dir, n, NULL);
      g_remove (p);
    }
  g_rmdir (dir);
}

#define HOP (512.0 / 16000.0)

/* A chord lane of 400 frames: runs of 1..40 frames over all 25 classes. */
static VitaProbeLane *
chord_lane (gboolean with_labels)
{
  const char *names[VITA_CHORD_N_CLASSES];
  for (int c = 0; c < VITA_CHORD_N_CLASSES; c++)
    names[c] = vita_chord_class_name (c);
  VitaProbeLane *lane = vita_probe_lane_new ("chord · layer 3", 400, VITA_CHORD_N_CLASSES, names);
  GRand *r = g_rand_new_with_seed (7);
  int *lab = g_new (int, 400);
  for (int i = 0; i < 400;)
    {
      int c = g_rand_int_range (r, 0, VITA_CHORD_N_CLASSES);
      int run = g_rand_int_range (r, 1, 41);
      for (int k = 0; k < run && i < 400; k++)
        lab[i++] = c;
    }
  lane->probs = g_new0 (float, 400 * VITA_CHORD_N_CLASSES);
  for (int i = 0; i < 400; i++)
    lane->probs[i * VITA_CHORD_N_CLASSES + lab[i]] = 0.9f;
  if (with_labels)
    lane->labels = lab;
  else
    g_free (lab);
  g_rand_free (r);
  return lane;
}

static void
test_chord_lane_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vita-resexp-XXXXXX", &error);
  for (int labels = 0; labels < 2; labels++)
    {
      g_autoptr(VitaProbeLane) lane = chord_lane (labels);
      static const char *const names[] = { "lane.chords.csv", "lane.lab", "lane.jams" };
      static const VitaAnnExportFormat fmt[] = { VITA_ANN_EXPORT_CSV, VITA_ANN_EXPORT_LAB,
                                                 VITA_ANN_EXPORT_JAMS };
      for (int k = 0; k < 3; k++)
        {
          g_autofree char *p = g_build_filename (dir, names[k], NULL);
          g_assert_true (vita_results_export_lane (lane, HOP, VITA_ANN_UNKNOWN, fmt[k], p, &error));
          g_assert_no_error (error);
          g_autoptr(GPtrArray) w = g_ptr_array_new_with_free_func (g_free);
          g_autoptr(VitaAnnotationSet) back = vita_annotation_set_new ();
          g_assert_true (vita_annotation_set_add_file (back, p, VITA_ANN_UNKNOWN, TRUE, w, &error));
          g_assert_no_error (error);
          for (guint i = 0; i < w->len; i++)
            g_test_message ("warning: %s", (char *) g_ptr_array_index (w, i));
          g_assert_cmpuint (w->len, ==, 0);
          g_assert_nonnull (back->chords);
          int frames[400];
          vita_chord_track_to_frames (back->chords, HOP, 400, frames);
          for (int i = 0; i < 400; i++)
            {
              int want = -1;
              float best = -1;
              for (int c = 0; c < VITA_CHORD_N_CLASSES; c++)
                if (lane->probs[i * VITA_CHORD_N_CLASSES + c] > best)
                  best = lane->probs[i * VITA_CHORD_N_CLASSES + c], want = c;
              if (frames[i] != want)
                g_error ("%s: frame %d: %s back, %s exported", names[k], i,
                         vita_chord_class_name (frames[i]), vita_chord_class_name (want));
            }
        }
    }
  /* a lane whose classes are not chords is refused with its name */
  const char *tags[2] = { "piano", "drums" };
  g_autoptr(VitaProbeLane) other = vita_probe_lane_new ("instrument", 10, 2, tags);
  other->probs = g_new0 (float, 20);
  g_autofree char *p = g_build_filename (dir, "x.csv", NULL);
  g_assert_false (vita_results_export_lane (other, HOP, VITA_ANN_UNKNOWN, VITA_ANN_EXPORT_CSV, p,
                                            &error));
  g_assert_nonnull (strstr (error->message, "“instrument”: class “piano” is not a chord"));
  rm_rf (dir);
}

static void
test_event_lane_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vita-resexp-XXXXXX", &error);
  const char *names[1] = { "onset" };
  g_autoptr(VitaProbeLane) lane = vita_probe_lane_new ("onset · layer 2", 300, 1, names);
  lane->binary = TRUE;
  lane->probs = g_new0 (float, 300);
  for (int i = 0; i < 300; i++)
    lane->probs[i] = 0.5f + 0.49f * (float) sin (i * 0.37) * (float) cos (i * 0.05);
  VitaAnnKind kind;
  g_autoptr(VitaAnnotationSet) want = vita_results_lane_to_set (lane, HOP, VITA_ANN_UNKNOWN,
                                                                &kind, &error);
  g_assert_no_error (error);
  g_assert_cmpint (kind, ==, VITA_ANN_ONSETS);
  g_assert_cmpuint (want->onsets->times->len, >, 10);
  static const char *const files[] = { "lane.onsets.csv", "lane.jams" };
  static const VitaAnnExportFormat fmt[] = { VITA_ANN_EXPORT_CSV, VITA_ANN_EXPORT_JAMS };
  for (int k = 0; k < 2; k++)
    {
      g_autofree char *p = g_build_filename (dir, files[k], NULL);
      g_assert_true (vita_results_export_lane (lane, HOP, VITA_ANN_UNKNOWN, fmt[k], p, &error));
      g_autoptr(VitaAnnotationSet) back = vita_annotation_set_new ();
      g_assert_true (vita_annotation_set_add_file (back, p, VITA_ANN_UNKNOWN, TRUE, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (back->onsets->times->len, ==, want->onsets->times->len);
      for (guint i = 0; i < want->onsets->times->len; i++)
        g_assert_cmpfloat (g_array_index (back->onsets->times, double, i), ==,
                           g_array_index (want->onsets->times, double, i));
    }
  /* .npy: (n,) float64, the same times */
  g_autofree char *npy = g_build_filename (dir, "lane.npy", NULL);
  g_assert_true (vita_results_export_lane (lane, HOP, VITA_ANN_UNKNOWN, VITA_ANN_EXPORT_NPY, npy,
                                           &error));
  int ndim;
  gsize shape[VITA_NPY_MAX_DIMS];
  g_autofree float *v = vita_npy_load (npy, &ndim, shape, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ndim, ==, 1);
  g_assert_cmpuint (shape[0], ==, want->onsets->times->len);
  g_assert_cmpfloat_with_epsilon (v[3], g_array_index (want->onsets->times, double, 3), 1e-6);
  /* a curve: time,value rows that read back to the same floats */
  g_autofree char *csv = g_build_filename (dir, "curve.csv", NULL);
  g_assert_true (vita_results_export_curve (lane->probs, 300, HOP, VITA_ANN_EXPORT_CSV, csv, &error));
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 301);
  for (int i = 0; i < 300; i++)
    {
      char *end;
      double t = g_ascii_strtod (lines[i], &end);
      g_assert_cmpint (*end, ==, ',');
      g_assert_cmpfloat (t, ==, i * HOP);
      g_assert_cmpfloat ((float) g_ascii_strtod (end + 1, NULL), ==, lane->probs[i]);
    }
  g_assert_false (vita_results_export_curve (lane->probs, 300, HOP, VITA_ANN_EXPORT_LAB, csv, &error));
  g_assert_nonnull (strstr (error->message, "curve.csv"));
  rm_rf (dir);
}

static int
run (const char *const *args, char **err_out)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (char *) cli);
  for (int i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  int status;
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, 0, NULL, NULL, &out, err_out,
                               &status, &error));
  g_test_message ("%s", *err_out);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
test_cli_export (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vita-cliexp-XXXXXX", &error);
  g_autofree char *jams = g_build_filename (g_getenv ("VITA_TEST_DATA"), "annotations",
                                            "piece.jams", NULL);
  g_autofree char *lab = g_build_filename (dir, "out.lab", NULL);
  g_autofree char *err = NULL;
  const char *a1[] = { "export", jams, "--what", "chords", "--out", lab, NULL };
  g_assert_cmpint (run (a1, &err), ==, 0);
  g_assert_nonnull (strstr (err, "read: found chords (4 segments) from piece.jams"));
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (lab, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "0 2 C:maj\n2 4 A:min\n4 5.5 F:maj\n5.5 8 G:maj\n");
  /* beats cannot be a .lab: exit 1, the message names the file */
  g_autofree char *err2 = NULL;
  g_autofree char *bl = g_build_filename (dir, "b.lab", NULL);
  const char *a2[] = { "export", jams, "--what", "beats", "--out", bl, NULL };
  g_assert_cmpint (run (a2, &err2), ==, 1);
  g_assert_nonnull (strstr (err2, "b.lab"));

  /* an analysis folder: the onset curve's peaks as JAMS onsets, received as CSV */
  g_autofree char *an = g_build_filename (dir, "analysis", NULL);
  g_assert_cmpint (g_mkdir (an, 0755), ==, 0);
  g_autofree char *summary = g_build_filename (an, "summary.json", NULL);
  g_assert_true (g_file_set_contents (summary, "{\"sample_rate\": 16000, \"hop\": 512, "
                                      "\"n_frames\": 100, \"layers\": [0, 1]}", -1, NULL));
  float onset[100] = { 0 }, received[2 * 2 * 100] = { 0 };
  for (int f = 10; f < 100; f += 20)
    onset[f] = 1.0f;
  for (int i = 0; i < 400; i++)
    received[i] = (float) (i % 7);
  gsize s1[1] = { 100 }, s3[3] = { 2, 2, 100 };
  g_autofree char *op = g_build_filename (an, "onset.npy", NULL);
  g_autofree char *rp = g_build_filename (an, "received.npy", NULL);
  g_assert_true (vita_npy_save (op, onset, 1, s1, &error));
  g_assert_true (vita_npy_save (rp, received, 3, s3, &error));
  g_autofree char *peaks = g_build_filename (dir, "peaks.jams", NULL);
  g_autofree char *err3 = NULL;
  const char *a3[] = { "export", an, "--what", "onset-peaks", "--out", peaks, NULL };
  g_assert_cmpint (run (a3, &err3), ==, 0);
  g_autoptr(VitaAnnotationSet) back = vita_annotation_set_new ();
  g_assert_true (vita_annotation_set_add_file (back, peaks, VITA_ANN_UNKNOWN, TRUE, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (back->onsets->times->len, ==, 5);
  g_assert_cmpfloat (g_array_index (back->onsets->times, double, 1), ==, 30 * 512.0 / 16000);
  g_autofree char *rc = g_build_filename (dir, "received.csv", NULL);
  g_autofree char *err4 = NULL;
  const char *a4[] = { "export", an, "--what", "received", "--layer", "2", "--head", "2",
                       "--out", rc, NULL };
  g_assert_cmpint (run (a4, &err4), ==, 0);
  g_autofree char *rtext = NULL;
  g_assert_true (g_file_get_contents (rc, &rtext, NULL, NULL));
  /* layer 2, head 2 (0-based block 1, head 1): received[(1 * 2 + 1) * 100 + f] = (300 + f) % 7 */
  g_assert_true (g_str_has_prefix (rtext, "0,6\n0.032,0\n0.064,1\n"));
  g_autofree char *err5 = NULL;
  const char *a5[] = { "export", an, "--what", "received", "--layer", "3", "--out", rc, NULL };
  g_assert_cmpint (run (a5, &err5), ==, 2);
  g_assert_nonnull (strstr (err5, "--layer must be 1..2"));
  /* heads are numbered 1…H: the 0-based spelling of earlier versions is refused */
  {
    g_autofree char *err6 = NULL;
    const char *a6[] = { "export", an, "--what", "received", "--layer", "2", "--head", "0", "--out", rc, NULL };
    g_assert_cmpint (run (a6, &err6), ==, 2);
    g_assert_nonnull (strstr (err6, "heads are numbered 1…H"));
    g_assert_nonnull (strstr (err6, "--head 1 now"));
  }
  g_remove (summary);
  g_remove (op);
  g_remove (rp);
  g_rmdir (an);
  rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  cli = argc > 1 ? argv[1] : "vitascope-cli";
  g_test_add_func ("/results-export/chord-lane-round-trip", test_chord_lane_round_trip);
  g_test_add_func ("/results-export/event-lane-and-curve", test_event_lane_round_trip);
  g_test_add_func ("/results-export/cli", test_cli_export);
  return g_test_run ();
}
