/* test-app-probes.c — annotations and probe lanes through the GUI (issue 5 item 7):
 * annotations beside the audio load by themselves, probe files become lanes with a
 * score against them, a probe for another model warns, one of the wrong width is
 * refused, a malformed .lab gives a toast and the app stays usable. */
#include "test-app-harness.h"

#include <gst/gst.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "model/vita-vit.h"
#include "model/probe/vita-probe.h"
#include "model/probe/vita-annotations.h"
#include "views/vita-probeogram-view.h"

typedef struct {
  char       *dir;
  char       *wav;
  char       *model;
  char       *sha256;
  VitaWindow *window;
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  VitaVitConfig cfg;
  g_autoptr(VitaVit) vit = NULL;
  g_autoptr(VitaVit) loaded = NULL;
  g_autoptr(GError) error = NULL;

  fx->dir = vita_gui_test_tmpdir ();
  fx->wav = vita_gui_test_write_wav (fx->dir, "song.wav", 6.0, 16000);
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
remove_all (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  if (fx->window != NULL)
    vita_gui_test_close (fx->window);
  if (g_getenv ("VITA_TEST_KEEP") == NULL)
    remove_all (fx->dir);
  g_free (fx->wav);
  g_free (fx->model);
  g_free (fx->sha256);
  g_free (fx->dir);
}

static void
write_file (Fixture *fx, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (fx->dir, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

/* A frame-level probe whose bias alone decides (zero weights): chord probes always
 * say `chord`, event probes give a constant probability.  Written with
 * vita_probe_save, as the report writes them. */
static char *write_probe_at (Fixture *fx, const char *name, const char *task, int dim,
                             int n_classes, int chord, const char *sha256, int layer);

static char *
write_probe (Fixture *fx, const char *name, const char *task, int dim, int n_classes,
             int chord, const char *sha256)
{
  return write_probe_at (fx, name, task, dim, n_classes, chord, sha256, 1);
}

static char *
write_probe_at (Fixture *fx, const char *name, const char *task, int dim, int n_classes,
                int chord, const char *sha256, int layer)
{
  g_autoptr(VitaProbe) probe = vita_probe_new (dim, n_classes,
                                               n_classes == 1 ? VITA_PROBE_SIGMOID
                                                              : VITA_PROBE_SOFTMAX);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (fx->dir, name, NULL);

  g_free (probe->task);
  probe->task = g_strdup (task);
  probe->frame_level = TRUE;
  probe->layer = layer;
  probe->pool = VITA_POOL_TOKEN;
  g_ptr_array_set_size (probe->labels, 0);
  for (int c = 0; c < n_classes; c++)
    {
      g_ptr_array_add (probe->labels,
                       g_strdup (n_classes == 1 ? task : vita_chord_class_name (c)));
      probe->bias[c] = c == chord ? 8.0f : 0.0f;
    }
  if (n_classes == 1)
    probe->bias[0] = 2.0f;
  g_strlcpy (probe->model_sha256, sha256, sizeof probe->model_sha256);
  g_assert_true (vita_probe_save (probe, path, &error));
  g_assert_no_error (error);
  return path;
}

static gboolean
ready (gpointer data)
{
  return vita_window_get_model_path (data) != NULL && !vita_window_is_busy (data) &&
         !vita_window_is_loading_annotations (data);
}

static void
open_model_and_audio (Fixture *fx)
{
  g_autoptr(GFile) model = g_file_new_for_path (fx->model);
  g_autoptr(GFile) audio = g_file_new_for_path (fx->wav);

  vita_window_open_model (fx->window, model);
  g_assert_true (vita_gui_test_wait (ready, fx->window, 10000));
  vita_window_open_audio (fx->window, audio);
  g_assert_true (vita_gui_test_wait (ready, fx->window, 60000));
}

static void
load_probe (Fixture *fx, const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  vita_window_load_probes (fx->window, &file, 1);
}

static void
test_lanes_and_scores (Fixture *fx, gconstpointer data)
{
  g_autofree char *chord = NULL, *beat = NULL, *other = NULL, *narrow = NULL;
  const VitaProbeLane *lane;
  double score = NAN;
  guint errors;

  /* Beside song.wav, named as `vitascope-cli make-dataset` names them. */
  write_file (fx, "song.lab", "0.0 3.0 C:maj\n3.0 6.0 A:min\n");
  write_file (fx, "song.beats.txt", "0.5 1\n1.0 2\n1.5 3\n2.0 4\n2.5 1\n3.0 2\n");
  write_file (fx, "song.onsets.txt", "0.5\n1.0\n");
  write_file (fx, "song.key.txt", "C major\n");
  open_model_and_audio (fx);
  g_assert_cmpuint (vita_window_get_n_errors (fx->window), ==, 0);
  g_assert_cmpint (vita_window_get_n_probe_lanes (fx->window), ==, 0);

  /* Always C:maj against C:maj then A:min: half the track is right. */
  chord = write_probe (fx, "chord.safetensors", "chord", 16, VITA_CHORD_N_CLASSES, 0, fx->sha256);
  load_probe (fx, chord);
  g_assert_cmpuint (vita_window_get_n_errors (fx->window), ==, 0);
  g_assert_cmpint (vita_window_get_n_probe_lanes (fx->window), ==, 1);
  lane = vita_window_get_probe_lane (fx->window, 0, &score);
  g_assert_nonnull (lane);
  g_test_message ("lane 0: %s (score %.4f)", lane->name, score);
  g_assert_cmpint (lane->n_frames, >, 0);
  g_assert_nonnull (lane->truth);
  g_assert_nonnull (lane->labels);
  g_assert_cmpint (lane->labels[0], ==, 0);
  g_assert_cmpfloat (fabs (score - 0.5), <, 0.05);
  g_assert_nonnull (strstr (lane->name, "majmin"));

  /* A beat probe: its lane has the beats as truth and an F-measure. */
  beat = write_probe (fx, "beat.safetensors", "beat", 16, 1, -1, fx->sha256);
  load_probe (fx, beat);
  g_assert_cmpint (vita_window_get_n_probe_lanes (fx->window), ==, 2);
  lane = vita_window_get_probe_lane (fx->window, 1, &score);
  g_test_message ("lane 1: %s (score %.4f)", lane->name, score);
  g_assert_true (lane->binary);
  g_assert_nonnull (lane->truth);
  g_assert_true (score >= 0 && score <= 1);

  /* Trained on another model but of the right width: a toast, the lane is shown. */
  errors = vita_window_get_n_errors (fx->window);
  other = write_probe (fx, "other.safetensors", "chord", 16, VITA_CHORD_N_CLASSES, 9,
                       "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  load_probe (fx, other);
  g_assert_cmpuint (vita_window_get_n_errors (fx->window), ==, errors + 1);
  g_test_message ("toast: %s", vita_window_get_last_error (fx->window));
  g_assert_nonnull (strstr (vita_window_get_last_error (fx->window), "other.safetensors"));
  g_assert_cmpint (vita_window_get_n_probe_lanes (fx->window), ==, 3);
  lane = vita_window_get_probe_lane (fx->window, 2, &score);
  g_assert_cmpint (lane->labels[0], ==, 9);   /* A:maj: always wrong */
  g_assert_cmpfloat (score, <, 0.05);

  /* The wrong width: refused with a toast, the other lanes stay. */
  errors = vita_window_get_n_errors (fx->window);
  narrow = write_probe (fx, "narrow.safetensors", "chord", 8, VITA_CHORD_N_CLASSES, 0, "");
  load_probe (fx, narrow);
  g_assert_cmpuint (vita_window_get_n_errors (fx->window), ==, errors + 1);
  g_test_message ("toast: %s", vita_window_get_last_error (fx->window));
  g_assert_nonnull (strstr (vita_window_get_last_error (fx->window), "narrow.safetensors"));
  g_assert_cmpint (vita_window_get_n_probe_lanes (fx->window), ==, 3);

  g_assert_cmpstr (vita_window_get_page (fx->window), ==, "panels");
  vita_gui_test_run_for (1000);
  {
    g_autofree char *png = g_build_filename (g_get_tmp_dir (), "vita-probes-layout.png", NULL);
    g_autoptr(GError) error = NULL;
    g_assert_true (vita_window_export (fx->window, VITA_PANEL_PROBES, png, &error));
    g_assert_no_error (error);
    g_test_message ("probe panel: %s", png);
  }
  /* What the window shows, for a look by eye (GSK_RENDERER=cairo under Xvfb). */
  {
    GtkWidget *w = GTK_WIDGET (fx->window);
    g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (w);
    g_autoptr(GtkSnapshot) snap = gtk_snapshot_new ();
    g_autoptr(GskRenderNode) node = NULL;
    g_autoptr(GdkTexture) texture = NULL;
    g_autofree char *png = g_build_filename (g_get_tmp_dir (), "vita-probes-window.png", NULL);
    int width = gtk_widget_get_width (w), height = gtk_widget_get_height (w);

    gdk_paintable_snapshot (paintable, snap, width, height);
    node = gtk_snapshot_free_to_node (g_steal_pointer (&snap));
    if (node == NULL || width <= 0 || height <= 0)
      {
        /* This picture is for a look by eye, not a check: a window not drawn yet
         * (a sanitizer build on a loaded machine) simply has none. */
        g_test_message ("window not drawn yet: no screenshot");
        return;
      }
    texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (w)), node,
                                           &GRAPHENE_RECT_INIT (0, 0, width, height));
    g_assert_true (gdk_texture_save_to_png (texture, png));
    g_test_message ("window: %s", png);
  }
}

/* A clip-level key probe (zero weights, the bias picks `key`), mean-pooled. */
static char *
write_key_probe (Fixture *fx, const char *name, int key)
{
  g_autoptr(VitaProbe) probe = vita_probe_new (16, VITA_KEY_N_CLASSES, VITA_PROBE_SOFTMAX);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (fx->dir, name, NULL);

  g_free (probe->task);
  probe->task = g_strdup ("key");
  probe->frame_level = FALSE;
  probe->layer = 2;
  probe->pool = VITA_POOL_MEAN;
  g_ptr_array_set_size (probe->labels, 0);
  for (int c = 0; c < VITA_KEY_N_CLASSES; c++)
    {
      g_ptr_array_add (probe->labels, g_strdup (vita_key_class_name (c)));
      probe->bias[c] = c == key ? 8.0f : 0.0f;
    }
  g_assert_true (vita_probe_save (probe, path, &error));
  g_assert_no_error (error);
  return path;
}

/* Chord probes at layers 0 and 2 give a probe-o-gram with those two rows (P(annotated
 * chord): ~1 on the C:maj half, ~0 on the A:min half) and an empty row 1; the key
 * annotation and a key probe's prediction show in the probe panel's subtitle. */
static GtkWidget *
find_widget (GtkWidget *w, GType type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (w, type))
    return w;
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_widget (c, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_probeogram (Fixture *fx, gconstpointer data)
{
  g_autofree char *c0 = NULL, *c2 = NULL, *key = NULL;
  const VitaProbeogram *pg;
  const char *subtitle;

  write_file (fx, "song.lab", "0.0 3.0 C:maj\n3.0 6.0 A:min\n");
  write_file (fx, "song.key.txt", "C major\n");
  open_model_and_audio (fx);
  g_assert_null (vita_window_get_probeogram (fx->window));
  subtitle = vita_window_get_probes_subtitle (fx->window);
  g_test_message ("subtitle: %s", subtitle);
  g_assert_nonnull (strstr (subtitle, "C major"));

  c0 = write_probe_at (fx, "chord0.safetensors", "chord", 16, VITA_CHORD_N_CLASSES, 0,
                       fx->sha256, 0);
  c2 = write_probe_at (fx, "chord2.safetensors", "chord", 16, VITA_CHORD_N_CLASSES, 0,
                       fx->sha256, 2);
  load_probe (fx, c0);
  load_probe (fx, c2);
  g_assert_cmpuint (vita_window_get_n_errors (fx->window), ==, 0);
  pg = vita_window_get_probeogram (fx->window);
  g_assert_nonnull (pg);
  g_test_message ("probe-o-gram: %s", pg->name);
  g_assert_cmpint (pg->n_layers, ==, 3);
  g_assert_true (pg->has_truth);
  {
    int F = pg->n_frames, early = F / 4, late = 3 * F / 4;
    g_assert_cmpint (F, >, 8);
    for (int l = 0; l < 3; l += 2)
      {
        g_assert_cmpfloat (pg->values[(gsize) l * F + early], >, 0.95f);
        g_assert_cmpfloat (pg->values[(gsize) l * F + late], <, 0.05f);
      }
    g_assert_true (isnan (pg->values[(gsize) 1 * F + early]));
  }

  key = write_key_probe (fx, "key.safetensors", 9);
  load_probe (fx, key);
  g_assert_cmpuint (vita_window_get_n_errors (fx->window), ==, 0);
  g_assert_cmpint (vita_window_get_n_probe_lanes (fx->window), ==, 2);   /* no lane */
  subtitle = vita_window_get_probes_subtitle (fx->window);
  g_test_message ("subtitle: %s", subtitle);
  g_assert_nonnull (strstr (subtitle, "C major"));
  g_assert_nonnull (strstr (subtitle, vita_key_class_name (9)));

  /* The panel is shown, under the probe lanes: scroll down to it for the screenshot. */
  {
    GtkWidget *view = find_widget (GTK_WIDGET (fx->window), VITA_TYPE_PROBEOGRAM_VIEW);
    GtkWidget *scrolled;
    g_assert_nonnull (view);
    vita_gui_test_run_for (300);
    g_assert_true (gtk_widget_is_visible (view));
    g_assert_true (gtk_widget_get_mapped (view));
    scrolled = gtk_widget_get_ancestor (view, GTK_TYPE_SCROLLED_WINDOW);
    if (scrolled != NULL)
      {
        GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
        gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
      }
  }
  vita_gui_test_run_for (1000);
  {
    g_autofree char *png = g_build_filename (g_get_tmp_dir (), "vita-probeogram.png", NULL);
    g_autoptr(GError) error = NULL;
    g_assert_true (vita_window_export (fx->window, VITA_PANEL_PROBEOGRAM, png, &error));
    g_assert_no_error (error);
    g_test_message ("probe-o-gram panel: %s", png);
  }
  {
    GtkWidget *w = GTK_WIDGET (fx->window);
    g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (w);
    g_autoptr(GtkSnapshot) snap = gtk_snapshot_new ();
    g_autoptr(GskRenderNode) node = NULL;
    g_autoptr(GdkTexture) texture = NULL;
    g_autofree char *png = g_build_filename (g_get_tmp_dir (), "vita-probeogram-window.png", NULL);
    int width = gtk_widget_get_width (w), height = gtk_widget_get_height (w);

    gdk_paintable_snapshot (paintable, snap, width, height);
    node = gtk_snapshot_free_to_node (g_steal_pointer (&snap));
    if (node == NULL || width <= 0 || height <= 0)
      {
        /* This picture is for a look by eye, not a check: a window not drawn yet
         * (a sanitizer build on a loaded machine) simply has none. */
        g_test_message ("window not drawn yet: no screenshot");
        return;
      }
    texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (w)), node,
                                           &GRAPHENE_RECT_INIT (0, 0, width, height));
    g_assert_true (gdk_texture_save_to_png (texture, png));
    g_test_message ("window: %s", png);
  }
}

typedef struct {
  VitaWindow *window;
  guint       n;
} ErrorWait;

static gboolean
more_errors (gpointer data)
{
  ErrorWait *w = data;
  return vita_window_get_n_errors (w->window) > w->n &&
         !vita_window_is_loading_annotations (w->window);
}

static gboolean
is_playing (gpointer data)
{
  return vita_player_get_playing (vita_window_get_player (data)) &&
         vita_gui_test_player_seconds (data) > 0.05;
}

static void
test_malformed_lab (Fixture *fx, gconstpointer data)
{
  g_autofree char *bad = g_build_filename (fx->dir, "bad.lab", NULL);
  g_autofree char *half = g_build_filename (fx->dir, "half.lab", NULL);
  g_autofree char *chord = NULL;
  g_autoptr(GFile) bad_file = g_file_new_for_path (bad);
  g_autoptr(GFile) half_file = g_file_new_for_path (half);
  ErrorWait w = { fx->window, 0 };
  double score = NAN;

  open_model_and_audio (fx);
  g_assert_cmpuint (vita_window_get_n_errors (fx->window), ==, 0);
  chord = write_probe (fx, "chord.safetensors", "chord", 16, VITA_CHORD_N_CLASSES, 0, fx->sha256);
  load_probe (fx, chord);
  g_assert_cmpint (vita_window_get_n_probe_lanes (fx->window), ==, 1);
  vita_window_get_probe_lane (fx->window, 0, &score);
  g_assert_true (isnan (score));   /* no annotations yet */

  /* Nothing usable: an error naming the file. */
  g_assert_true (g_file_set_contents (bad, "not a lab file\n\xff\xfe garbage\nnan nan N\n",
                                      -1, NULL));
  w.n = vita_window_get_n_errors (fx->window);
  vita_window_load_annotations (fx->window, &bad_file, 1);
  g_assert_true (vita_gui_test_wait (more_errors, &w, 20000));
  g_test_message ("toast: %s", vita_window_get_last_error (fx->window));
  g_assert_nonnull (strstr (vita_window_get_last_error (fx->window), "bad.lab"));
  vita_window_get_probe_lane (fx->window, 0, &score);
  g_assert_true (isnan (score));

  /* One bad line among good ones: a warning with file:line, the rest is used. */
  g_assert_true (g_file_set_contents (half, "0 6 C:maj\n1 2 Q:zz\n", -1, NULL));
  w.n = vita_window_get_n_errors (fx->window);
  vita_window_load_annotations (fx->window, &half_file, 1);
  g_assert_true (vita_gui_test_wait (more_errors, &w, 20000));
  g_test_message ("toast: %s", vita_window_get_last_error (fx->window));
  g_assert_nonnull (strstr (vita_window_get_last_error (fx->window), "half.lab:2"));
  vita_window_get_probe_lane (fx->window, 0, &score);
  g_test_message ("score with half.lab: %.4f", score);
  g_assert_cmpfloat (score, >, 0.95);

  /* Still usable: it plays. */
  w.n = vita_window_get_n_errors (fx->window);
  gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.play-pause", NULL);
  g_assert_true (vita_gui_test_wait (is_playing, fx->window, 20000));
  gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.play-pause", NULL);
  g_assert_cmpuint (vita_window_get_n_errors (fx->window), ==, w.n);
}

/* Optional, with probes written by `vitascope-cli report` (run by hand, not in CI):
 * VITA_TEST_REPORT_MODEL=model.safetensors VITA_TEST_REPORT_AUDIO=piece.wav (its
 * make-dataset annotations beside it) VITA_TEST_REPORT_PROBES="a.safetensors:b...". */
static void
test_report_probes (Fixture *fx, gconstpointer data)
{
  g_auto(GStrv) probes = g_strsplit (g_getenv ("VITA_TEST_REPORT_PROBES"), ":", -1);
  int n = (int) g_strv_length (probes);

  g_free (fx->model);
  fx->model = g_strdup (g_getenv ("VITA_TEST_REPORT_MODEL"));
  g_free (fx->wav);
  fx->wav = g_strdup (g_getenv ("VITA_TEST_REPORT_AUDIO"));
  open_model_and_audio (fx);
  g_assert_cmpuint (vita_window_get_n_errors (fx->window), ==, 0);
  for (int i = 0; i < n; i++)
    load_probe (fx, probes[i]);
  g_assert_cmpuint (vita_window_get_n_errors (fx->window), ==, 0);
  g_assert_cmpint (vita_window_get_n_probe_lanes (fx->window), ==, n);
  for (int i = 0; i < n; i++)
    {
      double score = NAN;
      const VitaProbeLane *lane = vita_window_get_probe_lane (fx->window, i, &score);
      g_test_message ("report lane %d: %s (score %.4f)", i, lane->name, score);
      g_assert_true (score >= 0 && score <= 1);
    }
  {
    g_autofree char *png = g_build_filename (g_get_tmp_dir (), "vita-probes-report.png", NULL);
    g_autoptr(GError) error = NULL;
    g_assert_true (vita_window_export (fx->window, VITA_PANEL_PROBES, png, &error));
  }
}

int
main (int argc, char *argv[])
{
  if (!vita_gui_test_init (&argc, &argv))
    return 0;
  g_test_add ("/app/probes/lanes-and-scores", Fixture, NULL, fixture_setup,
              test_lanes_and_scores, fixture_teardown);
  g_test_add ("/app/probes/probeogram", Fixture, NULL, fixture_setup,
              test_probeogram, fixture_teardown);
  g_test_add ("/app/probes/malformed-lab", Fixture, NULL, fixture_setup,
              test_malformed_lab, fixture_teardown);
  if (g_getenv ("VITA_TEST_REPORT_PROBES") && g_getenv ("VITA_TEST_REPORT_MODEL") &&
      g_getenv ("VITA_TEST_REPORT_AUDIO"))
    g_test_add ("/app/probes/report", Fixture, NULL, fixture_setup, test_report_probes,
                fixture_teardown);
  return g_test_run ();
}
