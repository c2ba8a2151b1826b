/* test-app-export-results.c — "Export Results…" (win.export-results, issue 16 item 2):
 * from a window that shows a short generated track analysed by a test model, the
 * onset peaks of the received attention, a probe lane's chord predictions and the
 * loaded annotations are exported with vita_window_export_results and read back with
 * the import path (vita_annotation_set_add_file): the same peaks and segments.  A
 * name without a known extension and a lane that does not exist are refused, naming
 * the file, and nothing is written. */
#include "test-app-harness.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "model/vita-vit.h"
#include "model/vita-derived.h"
#include "model/probe/vita-probe.h"
#include "model/probe/vita-annotation-set.h"
#include "views/vita-painters.h"
#include "vita-results-export.h"
#include "vita-session.h"

typedef struct {
  char       *dir;
  char       *wav;
  char       *model;
  char       *sha256;
  VitaWindow *window;
} Fixture;

static const char song_lab[] =
  "0.000 1.500 C:maj\n"
  "1.500 3.250 A:min\n"
  "3.250 4.750 F:maj\n"
  "4.750 6.000 G:maj\n";

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  VitaVitConfig cfg;
  g_autoptr(VitaVit) vit = NULL;
  g_autoptr(VitaVit) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lab = NULL;

  fx->dir = vita_gui_test_tmpdir ();
  fx->wav = vita_gui_test_write_wav (fx->dir, "song.wav", 6.0, 16000);
  lab = g_build_filename (fx->dir, "song.lab", NULL);
  g_assert_true (g_file_set_contents (lab, song_lab, -1, NULL));
  /* The "test" preset: D 16, 2 blocks → 3 token layers. */
  g_assert_true (vita_vit_config_init_preset (&cfg, "test", &error));
  vit = vita_vit_new_random (&cfg, 7);
  fx->model = g_build_filename (fx->dir, "tiny.safetensors", NULL);
  g_assert_true (vita_vit_save (vit, fx->model, &error));
  loaded = vita_vit_load (fx->model, &error);
  g_assert_no_error (error);
  fx->sha256 = g_strdup (loaded->sha256);
  fx->window = vita_gui_test_window ();
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  if (fx->window != NULL)
    vita_gui_test_close (fx->window);
  if (g_getenv ("VITA_TEST_KEEP") == NULL)
    {
      g_autoptr(GDir) d = g_dir_open (fx->dir, 0, NULL);
      const char *name;
      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *path = g_build_filename (fx->dir, name, NULL);
          g_unlink (path);
        }
      g_rmdir (fx->dir);
    }
  g_free (fx->wav);
  g_free (fx->model);
  g_free (fx->sha256);
  g_free (fx->dir);
}

/* A frame-level chord probe of layer 1 with random weights, so that its predictions
 * change along the track (several segments). */
static char *
write_chord_probe (Fixture *fx)
{
  g_autoptr(VitaProbe) probe = vita_probe_new (16, VITA_CHORD_N_CLASSES, VITA_PROBE_SOFTMAX);
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  char *path = g_build_filename (fx->dir, "chord.safetensors", NULL);

  g_free (probe->task);
  probe->task = g_strdup ("chord");
  probe->frame_level = TRUE;
  probe->layer = 1;
  probe->pool = VITA_POOL_TOKEN;
  g_ptr_array_set_size (probe->labels, 0);
  for (int c = 0; c < VITA_CHORD_N_CLASSES; c++)
    {
      g_ptr_array_add (probe->labels, g_strdup (vita_chord_class_name (c)));
      probe->bias[c] = 0.0f;
      for (int d = 0; d < 16; d++)
        probe->weight[c * 16 + d] = (float) g_rand_double_range (rand, -4.0, 4.0);
    }
  g_strlcpy (probe->model_sha256, fx->sha256, sizeof probe->model_sha256);
  g_assert_true (vita_probe_save (probe, path, &error));
  g_assert_no_error (error);
  return path;
}

static gboolean
ready (gpointer data)
{
  VitaSession *session = vita_window_get_session (data);
  return vita_window_get_model_path (data) != NULL && !vita_window_is_busy (data) &&
         !vita_window_is_loading_annotations (data) &&
         (vita_window_get_audio_path (data) == NULL ||
          vita_session_get_analysis_complete (session));
}

static gboolean
has_lane (gpointer data)
{
  return vita_window_get_n_probe_lanes (data) > 0 && ready (data);
}

static VitaAnnotationSet *
import (const char *path, VitaAnnKind kind)
{
  g_autoptr(VitaAnnotationSet) set = vita_annotation_set_new ();
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  g_assert_true (vita_annotation_set_add_file (set, path, kind, TRUE, warnings, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < warnings->len; i++)
    g_test_message ("%s: %s", path, (char *) g_ptr_array_index (warnings, i));
  return g_steal_pointer (&set);
}

static void
assert_same_times (GArray *got, GArray *want)
{
  g_assert_cmpuint (got->len, ==, want->len);
  for (guint i = 0; i < want->len; i++)
    g_assert_cmpfloat_with_epsilon (g_array_index (got, double, i),
                                    g_array_index (want, double, i), 1e-4);
}

static void
assert_same_segments (const VitaChordTrack *got, const VitaChordTrack *want)
{
  g_assert_nonnull (got);
  g_assert_nonnull (want);
  g_assert_cmpuint (got->segments->len, ==, want->segments->len);
  for (guint i = 0; i < want->segments->len; i++)
    {
      const VitaChordSegment *a = &g_array_index (got->segments, VitaChordSegment, i);
      const VitaChordSegment *b = &g_array_index (want->segments, VitaChordSegment, i);
      g_assert_cmpint (a->chord, ==, b->chord);
      g_assert_cmpfloat_with_epsilon (a->start, b->start, 1e-4);
      g_assert_cmpfloat_with_epsilon (a->end, b->end, 1e-4);
    }
}

static void
test_round_trip (Fixture *fx, gconstpointer data)
{
  g_autoptr(GFile) model = g_file_new_for_path (fx->model);
  g_autoptr(GFile) audio = g_file_new_for_path (fx->wav);
  g_autofree char *probe_path = write_chord_probe (fx);
  g_autoptr(GFile) probe = g_file_new_for_path (probe_path);
  g_autoptr(GError) error = NULL;
  VitaSession *session = vita_window_get_session (fx->window);
  VitaTimeline *tl = vita_window_get_timeline (fx->window);

  vita_window_open_model (fx->window, model);
  g_assert_true (vita_gui_test_wait (ready, fx->window, 10000));
  vita_window_open_audio (fx->window, audio);
  g_assert_true (vita_gui_test_wait (ready, fx->window, 60000));
  vita_window_load_probes (fx->window, &probe, 1);
  g_assert_true (vita_gui_test_wait (has_lane, fx->window, 20000));
  g_assert_cmpuint (vita_window_get_n_errors (fx->window), ==, 0);

  VitaAnalysis *an = vita_session_get_analysis (session);
  g_assert_nonnull (an);
  double hop_s = (double) vita_timeline_get_hop (tl) / vita_timeline_get_sample_rate (tl);

  /* Onset peaks of the received attention of the shown layer and head. */
  {
    int n = an->n_frames;
    int head = vita_timeline_get_head (tl);
    g_autofree float *curve = g_new (float, n);
    g_assert_cmpint (head, >=, 0);
    g_assert_cmpint (head, <, an->cfg.heads);
    vita_received_curve (curve, an, vita_paint_block_for_layer (an, vita_timeline_get_layer (tl)),
                         head, 0, n);
    g_autoptr(GArray) want = vita_results_curve_peaks (curve, n, hop_s, 0.05);
    g_assert_cmpuint (want->len, >, 1);
    const char *exts[] = { "csv", "jams" };
    for (gsize e = 0; e < G_N_ELEMENTS (exts); e++)
      {
        g_autofree char *name = g_strdup_printf ("peaks.%s", exts[e]);
        g_autofree char *path = g_build_filename (fx->dir, name, NULL);
        g_assert_true (vita_window_export_results (fx->window, "received-peaks", path, &error));
        g_assert_no_error (error);
        g_autoptr(VitaAnnotationSet) back = import (path, VITA_ANN_ONSETS);
        g_assert_nonnull (back->onsets);
        g_test_message ("%s: %u peaks", name, back->onsets->times->len);
        assert_same_times (back->onsets->times, want);
      }
  }

  /* The probe lane's chords as .lab and Sonic Visualiser CSV. */
  {
    double score;
    const VitaProbeLane *lane = vita_window_get_probe_lane (fx->window, 0, &score);
    g_assert_nonnull (lane);
    g_autoptr(VitaAnnotationSet) want = vita_results_lane_to_set (lane, hop_s, VITA_ANN_UNKNOWN,
                                                                  NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (want->chords);
    g_assert_cmpuint (want->chords->segments->len, >, 1);
    const char *exts[] = { "lab", "csv" };
    for (gsize e = 0; e < G_N_ELEMENTS (exts); e++)
      {
        g_autofree char *name = g_strdup_printf ("lane.%s", exts[e]);
        g_autofree char *path = g_build_filename (fx->dir, name, NULL);
        g_assert_true (vita_window_export_results (fx->window, "lane-0", path, &error));
        g_assert_no_error (error);
        g_autoptr(VitaAnnotationSet) back = import (path, VITA_ANN_CHORDS);
        g_test_message ("%s: %u segments", name, back->chords->segments->len);
        assert_same_segments (back->chords, want->chords);
      }
  }

  /* The loaded annotations (song.lab, found beside the audio) as JAMS and .lab. */
  {
    g_autofree char *lab = g_build_filename (fx->dir, "song.lab", NULL);
    g_autoptr(VitaAnnotationSet) want = import (lab, VITA_ANN_CHORDS);
    g_assert_cmpuint (want->chords->segments->len, ==, 4);
    const char *names[] = { "annotations.jams", "annotations.lab" };
    for (gsize e = 0; e < G_N_ELEMENTS (names); e++)
      {
        g_autofree char *path = g_build_filename (fx->dir, names[e], NULL);
        g_assert_true (vita_window_export_results (fx->window, "annotations", path, &error));
        g_assert_no_error (error);
        g_autoptr(VitaAnnotationSet) back = import (path, VITA_ANN_CHORDS);
        assert_same_segments (back->chords, want->chords);
      }
  }

  /* Refused, naming the file; nothing written. */
  {
    g_autofree char *path = g_build_filename (fx->dir, "peaks.txt", NULL);
    g_assert_false (vita_window_export_results (fx->window, "received-peaks", path, &error));
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "peaks.txt"));
    g_clear_error (&error);
    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  }
  {
    g_autofree char *path = g_build_filename (fx->dir, "lane7.lab", NULL);
    g_assert_false (vita_window_export_results (fx->window, "lane-7", path, &error));
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "lane7.lab"));
    g_clear_error (&error);
    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  }
  g_assert_cmpuint (vita_window_get_n_errors (fx->window), ==, 0);
  /* The menu's action is installed on the window class. */
  {
    gboolean found = FALSE;
    GType owner;
    const char *action_name;
    const GVariantType *param;
    const char *state;
    GtkWidgetClass *klass = GTK_WIDGET_GET_CLASS (fx->window);
    for (guint i = 0; gtk_widget_class_query_action (klass, i, &owner, &action_name, &param, &state); i++)
      if (strcmp (action_name, "win.export-results") == 0)
        found = TRUE;
    g_assert_true (found);
  }
}

int
main (int argc, char **argv)
{
  if (!vita_gui_test_init (&argc, &argv))
    return 0;
  g_test_add ("/app/export-results/round-trip", Fixture, NULL, fixture_setup, test_round_trip,
              fixture_teardown);
  return g_test_run ();
}
