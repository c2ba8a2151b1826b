/* test-app-teach.c — teaching with the window (issue 12), driven by key events through
 * the window's own key controllers (what GTK does with a key press): stepping a
 * training series changes the attention panel per checkpoint (and a checkpoint seen
 * before comes back from its kept analysis), the emergence panel fills; a presentation
 * visits three views by keys alone; the dark style leaves no light panel.  Under Xvfb. */
#include "test-app-harness.h"
#include "model/probe/vita-emergence.h"
#include "vita-panel-card.h"
#include "vita-panel-view.h"
#include "vita-session.h"
#include "vita-training-window.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <math.h>
#include <string.h>

typedef struct {
  char       *dir;
  char       *wav;        /* 4 s at 16 kHz */
  char       *series;     /* three checkpoints of the bundled series */
  VitaWindow *window;
} Fixture;

static const char *const checkpoints[] = {
  "step-00000000.safetensors", "step-00000100.safetensors", "step-00001000.safetensors",
};

static char *
bundled (const char *name)
{
  return g_build_filename (g_getenv ("VITA_SOURCE_ROOT"), "resources", "models", name, NULL);
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  fx->dir = vita_gui_test_tmpdir ();
  fx->wav = vita_gui_test_write_wav (fx->dir, "tone.wav", 4.0, 16000);
  fx->series = g_build_filename (fx->dir, "series", NULL);
  g_assert_cmpint (g_mkdir (fx->series, 0755), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (checkpoints); i++)
    {
      g_autofree char *name = g_build_filename ("default-series", checkpoints[i], NULL);
      g_autofree char *src = bundled (name);
      g_autofree char *dst = g_build_filename (fx->series, checkpoints[i], NULL);
      g_assert_cmpint (symlink (src, dst), ==, 0);
    }
  fx->window = vita_gui_test_window ();
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  vita_gui_test_close (fx->window);
  for (guint i = 0; i < G_N_ELEMENTS (checkpoints); i++)
    {
      g_autofree char *dst = g_build_filename (fx->series, checkpoints[i], NULL);
      g_unlink (dst);
    }
  g_rmdir (fx->series);
  g_unlink (fx->wav);
  g_rmdir (fx->dir);
  g_free (fx->series);
  g_free (fx->wav);
  g_free (fx->dir);
}

/* A key press as GTK delivers it: to the window's capture-phase key controllers in
 * order, until one handles it. */
static gboolean
press_key (VitaWindow *window, guint keyval, GdkModifierType mods)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && !handled; i++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, i);
      if (GTK_IS_EVENT_CONTROLLER_KEY (c) &&
          gtk_event_controller_get_propagation_phase (GTK_EVENT_CONTROLLER (c)) == GTK_PHASE_CAPTURE)
        g_signal_emit_by_name (c, "key-pressed", keyval, 0, mods, &handled);
    }
  vita_gui_test_run_for (30);
  return handled;
}

static gboolean
is_idle (gpointer data)
{
  return !vita_window_is_busy (data) && vita_window_get_checkpoint (data, NULL) >= 0;
}

static gboolean
has_audio_and_idle (gpointer data)
{
  return vita_session_get_peaks (vita_window_get_session (data)) != NULL && !vita_window_is_busy (data);
}

static void
open_audio (Fixture *fx)
{
  g_autoptr(GFile) file = g_file_new_for_path (fx->wav);

  vita_window_open_audio (fx->window, file);
  g_assert_true (vita_gui_test_wait (has_audio_and_idle, fx->window, 20000));
}

static gboolean
is_idle_not_prefetching (gpointer data)
{
  return is_idle (data) && !vita_session_is_prefetching (vita_window_get_session (data));
}

static gboolean
at_checkpoint (gpointer data)
{
  VitaWindow *window = data;
  return vita_window_get_checkpoint (window, NULL) == GPOINTER_TO_INT (g_object_get_data (G_OBJECT (window), "want"));
}

static guint
surface_hash (cairo_surface_t *s)
{
  const guint8 *p = cairo_image_surface_get_data (s);
  gsize n = (gsize) cairo_image_surface_get_stride (s) * cairo_image_surface_get_height (s);
  guint h = 2166136261u;

  for (gsize i = 0; i < n; i++)
    h = (h ^ p[i]) * 16777619u;
  return h;
}

/* The attention panel once its window's attention has been computed (the widget's
 * cache works asynchronously): the same picture three times in a row. */
static guint
attention_picture (Fixture *fx)
{
  GtkWidget *view = vita_window_get_panel_view (fx->window, "attention");
  guint last = 0;
  int same = 0;

  g_assert_nonnull (view);
  for (int i = 0; i < 100 && same < 3; i++)
    {
      cairo_surface_t *s = vita_panel_view_render (VITA_PANEL_VIEW (view), 340, 320);
      guint h = surface_hash (s);
      cairo_surface_destroy (s);
      same = h == last ? same + 1 : 0;
      last = h;
      vita_gui_test_run_for (100);
    }
  g_assert_cmpint (same, >=, 3);
  return last;
}

static gboolean
emergence_filled (gpointer data)
{
  return vita_window_get_emergence_done (data) == (int) G_N_ELEMENTS (checkpoints);
}

static int
by_x (gconstpointer a, gconstpointer b)
{
  const graphene_rect_t *ra = a, *rb = b;
  return (ra->origin.x > rb->origin.x) - (ra->origin.x < rb->origin.x);
}

/* The bounds of the labels under widget with text (a scale's marks), left to right,
 * in scale's coordinates; *last: one of them reads "1000". */
static void
collect_labels (GtkWidget *widget, GtkWidget *scale, GArray *boxes, gboolean *last)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      graphene_rect_t r;
      if (GTK_IS_LABEL (c) && gtk_widget_get_visible (c) && *gtk_label_get_text (GTK_LABEL (c)) &&
          gtk_widget_compute_bounds (c, scale, &r))
        {
          g_array_append_val (boxes, r);
          *last = *last || g_str_equal (gtk_label_get_text (GTK_LABEL (c)), "1000");
        }
      collect_labels (c, scale, boxes, last);
    }
  if (widget == scale)
    g_array_sort (boxes, by_x);
}

/* The bundled series' 11 checkpoints at 3× in a presentation: the step marks' labels
 * never run together (some marks keep only their tick), the last one shown. */
static void
test_step_marks (Fixture *fx, gconstpointer data)
{
  VitaSession *session = vita_window_get_session (fx->window);
  g_autofree char *series = bundled ("default-series");

  open_audio (fx);
  vita_session_set_series (session, series, 100);
  g_assert_cmpint (vita_window_get_n_checkpoints (fx->window), ==, 11);
  GtkWidget *scale = g_object_get_data (G_OBJECT (fx->window), "vita-test-step-scale");
  g_assert_true (press_key (fx->window, GDK_KEY_F11, 0));
  for (int i = 0; i < 8; i++)
    g_assert_true (press_key (fx->window, GDK_KEY_equal, GDK_CONTROL_MASK));
  g_assert_cmpfloat (vita_window_get_type_scale (fx->window), ==, 3.0);
  vita_gui_test_run_for (300);
  g_autoptr(GArray) boxes = g_array_new (FALSE, FALSE, sizeof (graphene_rect_t));
  gboolean last_shown = FALSE;
  collect_labels (scale, scale, boxes, &last_shown);
  g_test_message ("%u of 11 step labels shown at 3x", boxes->len);
  g_assert_cmpuint (boxes->len, >=, 2);
  g_assert_cmpuint (boxes->len, <, 11);
  g_assert_true (last_shown);
  for (guint i = 0; i + 1 < boxes->len; i++)
    {
      const graphene_rect_t *a = &g_array_index (boxes, graphene_rect_t, i);
      const graphene_rect_t *b = &g_array_index (boxes, graphene_rect_t, i + 1);
      g_assert_cmpfloat (a->origin.x + a->size.width, <=, b->origin.x + 0.5);
    }
  /* out of the presentation: every mark labelled again */
  g_assert_true (press_key (fx->window, GDK_KEY_0, GDK_CONTROL_MASK));
  g_assert_true (press_key (fx->window, GDK_KEY_F11, 0));
  vita_gui_test_run_for (300);
  g_array_set_size (boxes, 0);
  collect_labels (scale, scale, boxes, &last_shown);
  g_assert_cmpuint (boxes->len, ==, 11);
}

static void
test_series_scrub (Fixture *fx, gconstpointer data)
{
  VitaSession *session = vita_window_get_session (fx->window);
  guint pictures[3];
  gint64 step = -2;

  open_audio (fx);
  /* what a session file restores (the menu's folder chooser ends here too) */
  vita_session_set_series (session, fx->series, 1000);
  g_assert_cmpint (vita_window_get_n_checkpoints (fx->window), ==, 3);
  g_assert_cmpint (vita_window_get_checkpoint (fx->window, &step), ==, 2);
  g_assert_cmpint (step, ==, 1000);
  g_assert_true (vita_gui_test_wait (is_idle, fx->window, 60000));
  vita_timeline_set_layer (vita_window_get_timeline (fx->window), 2);
  pictures[2] = attention_picture (fx);

  /* a presentation's larger text reaches the slider's step marks (its own labels) */
  {
    GtkWidget *scale = g_object_get_data (G_OBJECT (fx->window), "vita-test-step-scale");
    int h1 = 0, h2 = 0;
    gtk_widget_measure (scale, GTK_ORIENTATION_VERTICAL, -1, NULL, &h1, NULL, NULL);
    g_assert_true (press_key (fx->window, GDK_KEY_F11, 0));
    for (int i = 0; i < 4; i++)
      g_assert_true (press_key (fx->window, GDK_KEY_equal, GDK_CONTROL_MASK));
    g_assert_cmpfloat (vita_window_get_type_scale (fx->window), ==, 2.0);
    gtk_widget_measure (scale, GTK_ORIENTATION_VERTICAL, -1, NULL, &h2, NULL, NULL);
    g_test_message ("step slider %d px at 1x, %d px at 2x", h1, h2);
    g_assert_cmpint (h2, >=, h1 + 8);

    g_assert_true (press_key (fx->window, GDK_KEY_0, GDK_CONTROL_MASK));
    g_assert_true (press_key (fx->window, GDK_KEY_F11, 0));
    g_assert_false (vita_window_is_presenting (fx->window));
    gtk_widget_measure (scale, GTK_ORIENTATION_VERTICAL, -1, NULL, &h2, NULL, NULL);
    g_assert_cmpint (h2, ==, h1);
  }

  /* meanwhile the nearest checkpoint (step 100) was analysed ahead: `,` shows it at once */
  g_assert_true (vita_gui_test_wait (is_idle_not_prefetching, fx->window, 60000));
  g_assert_true (press_key (fx->window, GDK_KEY_comma, 0));
  g_assert_cmpint (vita_window_get_checkpoint (fx->window, &step), ==, 1);
  g_assert_cmpint (step, ==, 100);
  g_assert_cmpstr (vita_window_get_model_label (fx->window), ==, "training step 100");
  g_assert_false (vita_window_is_busy (fx->window));
  g_assert_true (vita_session_get_analysis_complete (session));
  pictures[1] = attention_picture (fx);
  g_assert_cmpuint (pictures[1], !=, pictures[2]);

  g_assert_true (press_key (fx->window, GDK_KEY_comma, 0));
  g_assert_cmpint (vita_window_get_checkpoint (fx->window, NULL), ==, 0);
  g_assert_true (vita_gui_test_wait (is_idle, fx->window, 60000));
  pictures[0] = attention_picture (fx);
  g_assert_cmpuint (pictures[0], !=, pictures[1]);
  g_assert_cmpuint (pictures[0], !=, pictures[2]);
  g_assert_true (press_key (fx->window, GDK_KEY_comma, 0));   /* the first stays first */
  g_assert_cmpint (vita_window_get_checkpoint (fx->window, NULL), ==, 0);

  /* `.` forward: checkpoints analysed before are shown from their kept analysis at once */
  g_assert_true (press_key (fx->window, GDK_KEY_period, 0));
  g_assert_cmpint (vita_window_get_checkpoint (fx->window, NULL), ==, 1);
  g_assert_false (vita_window_is_busy (fx->window));
  g_assert_true (vita_session_get_analysis_complete (session));
  g_assert_cmpuint (attention_picture (fx), ==, pictures[1]);
  g_assert_true (press_key (fx->window, GDK_KEY_period, 0));
  g_assert_false (vita_window_is_busy (fx->window));
  g_assert_cmpuint (attention_picture (fx), ==, pictures[2]);

  /* Play animates across training: from the first checkpoint to the last */
  g_object_set_data (G_OBJECT (fx->window), "want", GINT_TO_POINTER (0));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.series-play", NULL));
  g_assert_true (vita_gui_test_wait (at_checkpoint, fx->window, 10000));
  g_object_set_data (G_OBJECT (fx->window), "want", GINT_TO_POINTER (2));
  g_assert_true (vita_gui_test_wait (at_checkpoint, fx->window, 30000));
  g_assert_true (vita_gui_test_wait (is_idle, fx->window, 60000));

  /* the emergence panel: one row per checkpoint, measured on a worker */
  g_assert_true (vita_gui_test_wait (emergence_filled, fx->window, 120000));
  {
    /* exportable like every panel: figure and array */
    GtkWidget *view = vita_window_get_panel_view (fx->window, "emergence");
    g_autofree char *png = g_build_filename (fx->dir, "emergence.png", NULL);
    g_autofree char *sidecar = vita_export_sidecar_path (png);
    g_autoptr(GError) error = NULL;
    VitaExportSpec spec;
    VitaPaintContext sources;
    int ndim = 0;
    gsize shape[4];
    g_assert_true (gtk_widget_is_visible (gtk_widget_get_parent (view)));
    /* its card is on the page while the series is open (the arrangement's) */
    g_assert_true (gtk_widget_get_mapped (vita_window_get_panel_card (fx->window, "emergence")));
    g_assert_cmpint (gtk_widget_get_height (view), >, 100);
    vita_export_spec_init (&spec);
    vita_panel_view_fill_export (VITA_PANEL_VIEW (view), &spec, &sources);
    g_assert_true (vita_export_figure_with_sidecar (&spec, &sources, png, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
    sources.snap = &spec.snap;
    sources.style = &spec.style;
    g_autofree float *table = vita_panel_array (spec.panel, &sources, &ndim, shape, &error);
    g_assert_no_error (error);
    g_assert_cmpint (ndim, ==, 2);
    g_assert_cmpuint (shape[0], ==, 3);           /* one row per checkpoint */
    g_assert_cmpfloat (table[0], ==, 0);          /* step 0 */
    g_assert_cmpfloat (table[2 * shape[1]], ==, 1000);
    vita_export_spec_clear (&spec);
    g_unlink (png);
    g_unlink (sidecar);
  }

  /* the session keeps the series and the step */
  {
    g_autoptr(VitaSessionState) state = vita_session_to_state (session);
    g_autofree char *text = NULL;
    g_autoptr(VitaSessionState) back = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *path = g_build_filename (fx->dir, "s.vitascope", NULL);
    g_assert_cmpstr (state->series, ==, fx->series);
    g_assert_cmpint (state->series_step, ==, 1000);
    text = vita_session_file_to_data (path, state);
    back = vita_session_file_parse (text, strlen (text), path, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (back->series, ==, fx->series);
    g_assert_cmpint (back->series_step, ==, 1000);
  }

  /* saved and opened again (in a new window): the series at the step shown, the views */
  {
    g_autofree char *path = g_build_filename (fx->dir, "series.vitascope", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GFile) file = g_file_new_for_path (path);
    VitaWindow *other;
    gint64 back_step = -1;
    g_assert_true (press_key (fx->window, GDK_KEY_comma, 0));   /* step 100 */
    g_assert_true (vita_window_save_session (fx->window, path, &error));
    g_assert_no_error (error);
    other = vita_gui_test_window ();
    g_assert_true (vita_window_open_session (other, file));
    g_assert_true (vita_gui_test_wait (is_idle, other, 60000));
    g_assert_cmpint (vita_window_get_checkpoint (other, &back_step), ==, 1);
    g_assert_cmpint (back_step, ==, 100);
    g_assert_cmpstr (vita_window_get_model_label (other), ==, "training step 100");
    g_assert_cmpstr (vita_session_get_audio_path (vita_window_get_session (other)), ==, fx->wav);
    vita_gui_test_close (other);
    g_unlink (path);
  }

  /* a session file naming another model (the bundled one, still loading when the
   * series shows its checkpoint) opens its track too: the checkpoint replaced the model
   * being loaded, which had left the restore waiting for that model for ever */
  {
    g_autofree char *path = g_build_filename (fx->dir, "other-model.vitascope", NULL);
    g_autofree char *model = bundled ("default.safetensors");
    g_autofree char *json = g_strdup_printf (
      "{\"format\": \"vitascope-session\", \"version\": 1, \"audio\": {\"path\": \"%s\"}, "
      "\"models\": [{\"path\": \"%s\"}], \"series\": {\"path\": \"%s\", \"step\": 1000}}",
      fx->wav, model, fx->series);
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_assert_true (g_file_set_contents (path, json, -1, NULL));
    VitaWindow *other = vita_gui_test_window ();
    g_assert_true (vita_window_open_session (other, file));
    g_assert_true (vita_gui_test_wait (has_audio_and_idle, other, 60000));
    g_assert_cmpstr (vita_session_get_audio_path (vita_window_get_session (other)), ==, fx->wav);
    g_assert_cmpint (vita_window_get_checkpoint (other, NULL), ==, 2);
    vita_gui_test_close (other);
    g_unlink (path);
  }

  /* a model file opened by hand ends the series */
  {
    g_autofree char *model = bundled ("default.safetensors");
    vita_session_open_model (session, model);
    g_assert_true (vita_gui_test_wait (has_audio_and_idle, fx->window, 60000));
    g_assert_cmpint (vita_window_get_n_checkpoints (fx->window), ==, 0);
    g_assert_null (vita_session_get_series (session, NULL));
  }
}

/* Counts the session's analysis runs: a job's progress below 1 (a kept analysis
 * shown again reports 1.0 at once, without a job). */
static void
on_progress_count (VitaSession *session, double fraction, const char *text, gpointer data)
{
  if (fraction < 1.0)
    (*(int *) data)++;
}

/* Kept checkpoint analyses are bounded by their bytes: the least recently shown is
 * evicted (shown again, it is analysed again); the one shown and the neighbour
 * analysed ahead for it stay. */
static void
test_series_budget (Fixture *fx, gconstpointer data)
{
  VitaSession *session = vita_window_get_session (fx->window);
  gsize one = 0, bytes = 0;
  int runs = 0;   /* analyses run (not "busy now": the small model may finish a step
                   * within press_key's 30 ms on a quiet machine) */

  open_audio (fx);
  g_signal_connect (session, "progress", G_CALLBACK (on_progress_count), &runs);
  vita_session_set_checkpoint_budget (session, 1);   /* room for the one shown only */
  vita_session_set_series (session, fx->series, 1000);
  g_assert_true (vita_gui_test_wait (is_idle, fx->window, 60000));
  vita_gui_test_run_for (300);
  g_assert_false (vita_session_is_prefetching (session));   /* no room: none analysed ahead */
  g_assert_cmpuint (vita_session_get_n_checkpoint_analyses (session, &one), ==, 1);
  g_assert_cmpuint (one, >, 0);

  /* room for two and a half: step 100 is analysed; step 1000 (its neighbour) stays,
   * so step 0 finds no room ahead of being asked */
  vita_session_set_checkpoint_budget (session, one * 5 / 2);
  runs = 0;
  g_assert_true (press_key (fx->window, GDK_KEY_comma, 0));
  g_assert_cmpint (vita_window_get_checkpoint (fx->window, NULL), ==, 1);
  g_assert_true (vita_gui_test_wait (is_idle_not_prefetching, fx->window, 60000));
  g_assert_cmpint (runs, >, 0);   /* analysed: it was not kept */
  vita_gui_test_run_for (300);
  g_assert_false (vita_session_is_prefetching (session));
  g_assert_cmpuint (vita_session_get_n_checkpoint_analyses (session, &bytes), ==, 2);
  g_assert_cmpuint (bytes, ==, 2 * one);
  /* step 0: analysed when shown; kept, it evicts step 1000 (least recently shown) */
  runs = 0;
  g_assert_true (press_key (fx->window, GDK_KEY_comma, 0));
  g_assert_cmpint (vita_window_get_checkpoint (fx->window, NULL), ==, 0);
  g_assert_true (vita_gui_test_wait (is_idle_not_prefetching, fx->window, 60000));
  g_assert_cmpint (runs, >, 0);   /* analysed when shown */
  g_assert_cmpuint (vita_session_get_n_checkpoint_analyses (session, &bytes), ==, 2);
  g_assert_cmpuint (bytes, <=, one * 5 / 2);
  g_assert_true (press_key (fx->window, GDK_KEY_period, 0));  /* step 100: kept, at once */
  g_assert_cmpint (vita_window_get_checkpoint (fx->window, NULL), ==, 1);
  g_assert_false (vita_window_is_busy (fx->window));
  /* ahead of being asked: step 1000 (next first), which evicts step 0 */
  g_assert_true (vita_gui_test_wait (is_idle_not_prefetching, fx->window, 60000));
  vita_gui_test_run_for (300);
  g_assert_cmpuint (vita_session_get_n_checkpoint_analyses (session, &bytes), ==, 2);
  g_assert_cmpuint (bytes, <=, one * 5 / 2);
  g_assert_true (press_key (fx->window, GDK_KEY_period, 0));  /* step 1000: kept, at once */
  g_assert_false (vita_window_is_busy (fx->window));
  g_assert_true (press_key (fx->window, GDK_KEY_comma, 0));
  runs = 0;
  g_assert_true (press_key (fx->window, GDK_KEY_comma, 0));   /* step 0: evicted */
  g_assert_cmpint (vita_window_get_checkpoint (fx->window, NULL), ==, 0);
  g_assert_true (vita_gui_test_wait (is_idle_not_prefetching, fx->window, 60000));
  g_assert_cmpint (runs, >, 0);   /* evicted: analysed again */
  g_assert_cmpuint (vita_session_get_n_checkpoint_analyses (session, &bytes), <=, 2);
}

/* The emergence panel measures onset F of received attention when the track's onsets
 * are annotated (they load after the audio), else its correlation with spectral flux;
 * the panel's titles say which. */
static gboolean
emergence_onsets_filled (gpointer data)
{
  const VitaEmergence *em = vita_window_get_emergence (data);
  return em != NULL && em->onsets && emergence_filled (data);
}

static void
test_emergence_onsets (Fixture *fx, gconstpointer data)
{
  VitaSession *session = vita_window_get_session (fx->window);
  g_autofree char *onsets = g_build_filename (fx->dir, "tone.onsets.txt", NULL);
  const VitaEmergence *em;

  open_audio (fx);
  vita_session_set_series (session, fx->series, 1000);
  g_assert_true (vita_gui_test_wait (emergence_filled, fx->window, 120000));
  em = vita_window_get_emergence (fx->window);
  g_assert_false (em->onsets);
  g_assert_cmpstr (vita_emergence_measure_name (em, 0), ==, "flux_r_mean");
  {
    GtkWidget *card = vita_window_get_panel_card (fx->window, "emergence");
    const char *sub = gtk_label_get_text (vita_panel_card_get_subtitle (VITA_PANEL_CARD (card)));
    g_assert_nonnull (strstr (sub, "spectral flux"));
  }

  g_assert_true (g_file_set_contents (onsets, "0.5\n1.0\n1.5\n2.0\n2.5\n3.0\n", -1, NULL));
  {
    g_autoptr(GFile) file = g_file_new_for_path (onsets);
    GFile *files[] = { file };
    vita_window_load_annotations (fx->window, files, 1);
  }
  g_assert_true (vita_gui_test_wait (emergence_onsets_filled, fx->window, 120000));
  em = vita_window_get_emergence (fx->window);
  g_assert_cmpstr (vita_emergence_measure_name (em, 0), ==, "onset_f_mean");
  for (int c = 0; c < em->n_checkpoints; c++)
    {
      double f = vita_emergence_get (em, c, 0, 1);
      g_assert_true (f >= 0 && f <= 1);   /* an F measure, not a correlation */
    }
  /* the card's title line names the measure */
  {
    GtkWidget *card = vita_window_get_panel_card (fx->window, "emergence");
    const char *sub = gtk_label_get_text (vita_panel_card_get_subtitle (VITA_PANEL_CARD (card)));
    g_assert_nonnull (strstr (sub, "onset F"));
  }
  g_unlink (onsets);
}

static gboolean
has_model_and_idle (gpointer data)
{
  return vita_session_get_model (vita_window_get_session (data)) != NULL && has_audio_and_idle (data);
}

static gboolean
has_wanted_width (gpointer data)
{
  /* the surface's (the X window's): the widget is narrower by the client-side frame */
  return gdk_surface_get_width (gtk_native_get_surface (data)) == GPOINTER_TO_INT (g_object_get_data (data, "want-width"));
}

/* The first widget under `root` (itself included) with the CSS class `name`. */
static GtkWidget *
find_by_class (GtkWidget *root, const char *name)
{
  if (gtk_widget_has_css_class (root, name))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_by_class (c, name);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A widget's natural height (its text's, for a label). */
static int
natural_height (GtkWidget *widget)
{
  int natural = 0;

  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, -1, NULL, &natural, NULL, NULL);
  return natural;
}

static void
test_presentation_keys (Fixture *fx, gconstpointer data)
{
  VitaSession *session = vita_window_get_session (fx->window);
  VitaTimeline *tl = vita_window_get_timeline (fx->window);
  g_autofree char *model = bundled ("default.safetensors");
  GtkWidget *attention, *title, *time;
  int layers[3], width_before, height_before, title_1x, time_1x;

  vita_session_open_model (session, model);
  open_audio (fx);
  g_assert_true (vita_gui_test_wait (has_model_and_idle, fx->window, 60000));
  attention = vita_window_get_panel_view (fx->window, "attention");
  title = find_by_class (vita_window_get_panel_card (fx->window, "attention"), "vita-panel-title");
  time = find_by_class (GTK_WIDGET (fx->window), "vita-time");
  g_assert_nonnull (title);
  g_assert_nonnull (time);
  title_1x = natural_height (title);
  time_1x = natural_height (time);

  /* F11: full screen — with a window manager it does that; without one (this X
   * server) the window is sized to its monitor shortly after; Ctrl+plus twice: text
   * 1.5× on every panel */
  {
    GdkMonitor *monitor = gdk_display_get_monitor_at_surface (
      gtk_widget_get_display (GTK_WIDGET (fx->window)), gtk_native_get_surface (GTK_NATIVE (fx->window)));
    GdkRectangle geometry;
    gdk_monitor_get_geometry (monitor, &geometry);
    gtk_window_get_default_size (GTK_WINDOW (fx->window), &width_before, &height_before);
    g_assert_cmpint (width_before, <, geometry.width);
    g_object_set_data (G_OBJECT (fx->window), "want-width", GINT_TO_POINTER (geometry.width));
  }
  g_assert_true (press_key (fx->window, GDK_KEY_F11, 0));
  g_assert_true (vita_window_is_presenting (fx->window));
  /* no views yet: the overlay says how to make them */
  g_assert_nonnull (strstr (vita_window_get_overlay_text (fx->window), "Ctrl+B"));
  g_assert_true (vita_gui_test_wait (has_wanted_width, fx->window, 5000));
  g_assert_true (press_key (fx->window, GDK_KEY_plus, GDK_CONTROL_MASK | GDK_SHIFT_MASK));
  g_assert_true (press_key (fx->window, GDK_KEY_equal, GDK_CONTROL_MASK));
  g_assert_cmpfloat (vita_window_get_type_scale (fx->window), ==, 1.5);
  {
    double fs = 0;
    g_object_get (attention, "font-size", &fs, NULL);
    g_assert_cmpfloat (fs, ==, 15.0);
  }
  /* the cards' titles and the header bar's time grow with the panels' text */
  g_test_message ("title %d → %d px, time %d → %d px", title_1x, natural_height (title),
                  time_1x, natural_height (time));
  g_assert_cmpint (natural_height (title), >=, 1.35 * title_1x);
  g_assert_cmpint (natural_height (time), >=, 1.35 * time_1x);
  for (int i = 0; i < 12; i++)   /* clamped at 3× */
    press_key (fx->window, GDK_KEY_plus, GDK_CONTROL_MASK);
  g_assert_cmpfloat (vita_window_get_type_scale (fx->window), ==, 3.0);
  for (int i = 0; i < 4; i++)
    press_key (fx->window, GDK_KEY_minus, GDK_CONTROL_MASK);
  g_assert_cmpfloat (vita_window_get_type_scale (fx->window), ==, 2.0);

  /* three views: Ctrl+B after moving layer (Down) and head (Right) by keys */
  for (int v = 0; v < 3; v++)
    {
      if (v > 0)
        {
          g_assert_true (press_key (fx->window, GDK_KEY_Down, 0));
          g_assert_true (press_key (fx->window, GDK_KEY_Right, 0));
        }
      layers[v] = vita_timeline_get_layer (tl);
      g_assert_true (press_key (fx->window, GDK_KEY_b, GDK_CONTROL_MASK));
      g_assert_nonnull (strstr (vita_window_get_overlay_text (fx->window), "Captured"));
    }
  g_assert_cmpint (layers[0], !=, layers[1]);
  g_assert_cmpint (layers[1], !=, layers[2]);
  g_assert_cmpuint (vita_session_get_views (session)->len, ==, 3);

  /* PageUp twice: back at the first view; PageDown through the others */
  static const char *const names[] = { "View 1 — 1 of 3", "View 2 — 2 of 3", "View 3 — 3 of 3" };
  g_assert_true (press_key (fx->window, GDK_KEY_Page_Up, 0));
  g_assert_true (press_key (fx->window, GDK_KEY_Page_Up, 0));
  g_assert_cmpstr (vita_window_get_overlay_text (fx->window), ==, names[0]);
  g_assert_cmpint (vita_timeline_get_layer (tl), ==, layers[0]);
  for (int v = 1; v < 3; v++)
    {
      g_assert_true (press_key (fx->window, GDK_KEY_Page_Down, 0));
      g_assert_cmpstr (vita_window_get_overlay_text (fx->window), ==, names[v]);
      g_assert_cmpint (vita_timeline_get_layer (tl), ==, layers[v]);
    }
  /* the overlay goes after two seconds */
  vita_gui_test_run_for (2300);
  g_assert_null (vita_window_get_overlay_text (fx->window));

  /* the views are saved in the session */
  {
    g_autoptr(VitaSessionState) state = vita_session_to_state (session);
    g_autofree char *path = g_build_filename (fx->dir, "p.vitascope", NULL);
    g_autofree char *text = vita_session_file_to_data (path, state);
    g_autoptr(GError) error = NULL;
    g_autoptr(VitaSessionState) back = vita_session_file_parse (text, strlen (text), path, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (back->views->len, ==, 3);
    for (int v = 0; v < 3; v++)
      {
        VitaSessionNamedView *nv = g_ptr_array_index (back->views, v);
        g_assert_cmpint (nv->view.layer, ==, layers[v]);
        g_assert_nonnull (nv->panels);
        g_assert_true (g_strv_contains ((const char *const *) nv->panels, "attention"));
      }
  }

  /* Ctrl+0: text 1× again (the scale outlives the presentation otherwise) */
  g_assert_true (press_key (fx->window, GDK_KEY_0, GDK_CONTROL_MASK));
  g_assert_cmpfloat (vita_window_get_type_scale (fx->window), ==, 1.0);

  g_assert_cmpint (natural_height (title), ==, title_1x);
  g_assert_cmpint (natural_height (time), ==, time_1x);

  /* Escape leaves the presentation: the window's size back */
  g_assert_true (press_key (fx->window, GDK_KEY_Escape, 0));
  g_assert_false (vita_window_is_presenting (fx->window));
  g_object_set_data (G_OBJECT (fx->window), "want-width", GINT_TO_POINTER (width_before));
  g_assert_true (vita_gui_test_wait (has_wanted_width, fx->window, 5000));

  /* 3× outside a presentation: the cards' titles follow it, the header bar's time
   * does not, and the window can still be 1024 px wide */
  for (int i = 0; i < 8; i++)
    press_key (fx->window, GDK_KEY_plus, GDK_CONTROL_MASK);
  g_assert_cmpfloat (vita_window_get_type_scale (fx->window), ==, 3.0);
  vita_gui_test_run_for (100);
  g_assert_cmpint (natural_height (title), >=, 2.5 * title_1x);
  g_assert_cmpint (natural_height (time), ==, time_1x);
  {
    int min_width = 0;
    gtk_widget_measure (GTK_WIDGET (fx->window), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
    g_test_message ("window minimum width at 3× %d px", min_width);
    g_assert_cmpint (min_width, <=, 1024);
  }
  g_assert_true (press_key (fx->window, GDK_KEY_0, GDK_CONTROL_MASK));
  g_assert_cmpint (natural_height (title), ==, title_1x);
}

/* Whether the session file at `path` keeps `panel` visible in its arrangement. */
static gboolean
saved_visible (const char *path, const char *panel)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaSessionState) state = vita_session_file_read (path, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < state->panels->len; i++)
    {
      const VitaSessionPanel *sp = g_ptr_array_index (state->panels, i);
      if (g_str_equal (sp->name, panel))
        return sp->visible;
    }
  g_assert_not_reached ();
}

static gboolean
panel_action_state (VitaWindow *window, const char *panel)
{
  g_autofree char *name = g_strdup_printf ("show-%s", panel);
  g_autoptr(GVariant) state = g_action_group_get_action_state (vita_window_get_panel_actions (window), name);
  return g_variant_get_boolean (state);
}

static void
set_panel_shown (VitaWindow *window, const char *panel, gboolean shown)
{
  g_autofree char *name = g_strdup_printf ("show-%s", panel);
  g_action_group_change_action_state (vita_window_get_panel_actions (window), name,
                                      g_variant_new_boolean (shown));
  vita_gui_test_run_for (30);
}

/* The person's arrangement (shown / hidden) of the panels checked here. */
static void
assert_arrangement (VitaWindow *window, const gboolean *want)
{
  static const char *const names[] = { "mel", "attention", "ssm" };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_test_message ("%s: want %s", names[i], want[i] ? "shown" : "hidden");
      g_assert_cmpint (panel_action_state (window, names[i]), ==, want[i]);
    }
}

/* The view state a view sets and leaving the views puts back (the playhead too: a
 * view moves it to where it was captured). */
typedef struct {
  int               layer, head;
  VitaAttentionMode mode;
  gint64            start, end, position;
} ViewState;

static ViewState
view_state_now (VitaWindow *window)
{
  VitaTimeline *tl = vita_window_get_timeline (window);
  ViewState v = { vita_timeline_get_layer (tl), vita_timeline_get_head (tl),
                  vita_session_get_attention_mode (vita_window_get_session (window)), 0, 0 };

  vita_timeline_get_visible (tl, &v.start, &v.end);
  v.position = vita_timeline_get_position (tl);
  return v;
}

static void
assert_view_state_at (VitaWindow *window, const ViewState *want, int line)
{
  ViewState now = view_state_now (window);

  g_test_message ("view state checked at line %d", line);
  g_assert_cmpint (now.layer, ==, want->layer);
  g_assert_cmpint (now.head, ==, want->head);
  g_assert_cmpint (now.mode, ==, want->mode);
  g_assert_cmpint (now.start, ==, want->start);
  g_assert_cmpint (now.end, ==, want->end);
  g_assert_cmpint (now.position, ==, want->position);
}

#define assert_view_state(window, want) assert_view_state_at (window, want, __LINE__)

static gboolean
shows_view2 (gpointer window)
{
  return !panel_action_state (window, "mel") && panel_action_state (window, "attention") &&
         !panel_action_state (window, "ssm");
}

/* Views are a temporary override: capturing and stepping through them, saving while
 * one shows and opening that session again leave the person's arrangement and view
 * state (layer, head, attention mode, time range) as they were in the file; Escape,
 * leaving the presentation, or Back to My Layout restore both.  The view shown when
 * the session was saved shows again when it is opened. */
static void
test_views_keep_arrangement (Fixture *fx, gconstpointer data)
{
  VitaSession *session = vita_window_get_session (fx->window);
  VitaTimeline *tl = vita_window_get_timeline (fx->window);
  g_autofree char *model = bundled ("default.safetensors");
  g_autofree char *path = g_build_filename (fx->dir, "views.vitascope", NULL);
  static const gboolean mine[] = { TRUE, FALSE, TRUE };   /* mel, attention, ssm */
  static const gboolean view2[] = { FALSE, TRUE, FALSE };
  ViewState v1, v2, own;
  gint64 n;

  vita_session_open_model (session, model);
  open_audio (fx);
  g_assert_true (vita_gui_test_wait (has_model_and_idle, fx->window, 60000));
  n = vita_timeline_get_n_samples (tl);

  /* view 1: all three, the whole track; view 2: attention alone, another layer and
   * head (keys); then the person's own: no attention, a third layer, the mean of the
   * heads, attention rollout, zoomed in */
  v1 = view_state_now (fx->window);
  g_assert_true (press_key (fx->window, GDK_KEY_b, GDK_CONTROL_MASK));
  set_panel_shown (fx->window, "mel", FALSE);
  set_panel_shown (fx->window, "ssm", FALSE);
  g_assert_true (press_key (fx->window, GDK_KEY_Down, 0));
  g_assert_true (press_key (fx->window, GDK_KEY_Right, 0));
  v2 = view_state_now (fx->window);
  g_assert_true (press_key (fx->window, GDK_KEY_b, GDK_CONTROL_MASK));
  set_panel_shown (fx->window, "mel", TRUE);
  set_panel_shown (fx->window, "ssm", TRUE);
  set_panel_shown (fx->window, "attention", FALSE);
  g_assert_true (press_key (fx->window, GDK_KEY_Down, 0));
  vita_timeline_set_head (tl, -1);
  vita_session_set_attention_mode (session, VITA_ATTENTION_ROLLOUT);
  vita_timeline_set_visible (tl, n / 4, n / 2);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.seek", "x", (gint64) (n / 3)));
  own = view_state_now (fx->window);
  g_assert_cmpint (v1.layer, !=, v2.layer);
  g_assert_cmpint (v2.layer, !=, own.layer);
  g_assert_cmpint (v1.head, !=, v2.head);
  g_assert_cmpint (v2.head, !=, own.head);
  g_assert_cmpint (v2.mode, !=, own.mode);
  g_assert_cmpint (v2.end - v2.start, !=, own.end - own.start);
  assert_arrangement (fx->window, mine);
  g_assert_false (gtk_widget_get_mapped (vita_window_get_panel_card (fx->window, "attention")));
  g_assert_cmpuint (vita_session_get_views (session)->len, ==, 2);

  /* PageUp: view 1 shows all three, its layer and time range */
  g_assert_true (press_key (fx->window, GDK_KEY_Page_Up, 0));
  g_assert_cmpstr (vita_window_get_overlay_text (fx->window), ==, "View 1 — 1 of 2");
  g_assert_true (panel_action_state (fx->window, "attention"));
  assert_view_state (fx->window, &v1);
  g_assert_true (vita_gui_test_wait ((GSourceFunc) gtk_widget_get_mapped,
                                     vita_window_get_panel_card (fx->window, "attention"), 5000));
  /* PageDown: view 2, attention alone; saved now, the file has the person's own
   * arrangement and view state, and names view 2 */
  g_assert_true (press_key (fx->window, GDK_KEY_Page_Down, 0));
  assert_arrangement (fx->window, view2);
  assert_view_state (fx->window, &v2);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(VitaSessionState) saved = NULL;
    g_assert_true (vita_window_save_session (fx->window, path, &error));
    g_assert_no_error (error);
    saved = vita_session_file_read (path, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (saved->active_view, ==, "View 2");
    g_assert_cmpint (saved->view.layer, ==, own.layer);
    g_assert_cmpint (saved->view.head, ==, own.head);
    g_assert_cmpint (saved->view.attention_mode, ==, own.mode);
    g_assert_cmpint (saved->view.visible_start, ==, own.start);
    g_assert_cmpint (saved->view.visible_end, ==, own.end);
  }
  g_assert_true (saved_visible (path, "mel"));
  g_assert_false (saved_visible (path, "attention"));
  g_assert_true (saved_visible (path, "ssm"));

  /* Escape: the person's arrangement and view state again */
  g_assert_true (press_key (fx->window, GDK_KEY_Escape, 0));
  assert_arrangement (fx->window, mine);
  assert_view_state (fx->window, &own);
  g_assert_cmpstr (vita_window_get_overlay_text (fx->window), ==, "Back to your layout");

  /* the session opened again: view 2 shows, as when it was saved; Escape: the file's
   * own arrangement and view state */
  {
    g_autoptr(GFile) file = g_file_new_for_path (path);
    set_panel_shown (fx->window, "mel", FALSE);   /* changed, then the file's comes back */
    vita_timeline_set_layer (tl, v1.layer);
    g_assert_true (vita_window_open_session (fx->window, file));
    g_assert_true (vita_gui_test_wait (has_model_and_idle, fx->window, 60000));
    g_assert_true (vita_gui_test_wait (shows_view2, fx->window, 5000));
  }
  assert_view_state (fx->window, &v2);
  g_assert_cmpuint (vita_session_get_views (session)->len, ==, 2);
  g_assert_true (press_key (fx->window, GDK_KEY_Escape, 0));
  assert_arrangement (fx->window, mine);
  assert_view_state (fx->window, &own);

  /* a presentation steps through the views and leaving it (F11) restores both */
  g_assert_true (press_key (fx->window, GDK_KEY_F11, 0));
  g_assert_true (press_key (fx->window, GDK_KEY_Page_Up, 0));
  assert_view_state (fx->window, &v1);
  g_assert_true (press_key (fx->window, GDK_KEY_Page_Down, 0));
  assert_arrangement (fx->window, view2);
  assert_view_state (fx->window, &v2);
  g_assert_true (press_key (fx->window, GDK_KEY_F11, 0));
  g_assert_false (vita_window_is_presenting (fx->window));
  assert_arrangement (fx->window, mine);
  assert_view_state (fx->window, &own);

  /* Back to My Layout (the menu's action) from a view outside a presentation */
  g_assert_true (press_key (fx->window, GDK_KEY_Page_Up, 0));
  assert_arrangement (fx->window, (const gboolean[]) { TRUE, TRUE, TRUE });
  assert_view_state (fx->window, &v1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.leave-views", NULL));
  assert_arrangement (fx->window, mine);
  assert_view_state (fx->window, &own);

  /* saved outside a view: no active view; opened, the person's own shows */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(VitaSessionState) saved = NULL;
    g_assert_true (vita_window_save_session (fx->window, path, &error));
    saved = vita_session_file_read (path, &error);
    g_assert_no_error (error);
    g_assert_null (saved->active_view);
  }
  g_unlink (path);
}

/* Rec. 709 luma of a Cairo ARGB32 pixel (opaque). */
static double
luma (guint32 px)
{
  return (0.2126 * ((px >> 16) & 0xff) + 0.7152 * ((px >> 8) & 0xff) + 0.0722 * (px & 0xff)) / 255.0;
}

/* Near white: light and without colour (a light background, not a colormap's end). */
static gboolean
whitish (guint32 px)
{
  int r = (px >> 16) & 0xff, g = (px >> 8) & 0xff, b = px & 0xff;
  return luma (px) > 0.8 && MAX (r, MAX (g, b)) - MIN (r, MIN (g, b)) < 26;
}

static void
test_dark_style (Fixture *fx, gconstpointer data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.vitascope.Vitascope");
  g_autofree char *model = bundled ("default.safetensors");
  VitaSession *session = vita_window_get_session (fx->window);
  int checked = 0;

  vita_session_open_model (session, model);
  open_audio (fx);
  g_assert_true (vita_gui_test_wait (has_model_and_idle, fx->window, 60000));
  g_settings_set_string (settings, "style", "dark");
  vita_gui_test_run_for (200);
  g_assert_true (adw_style_manager_get_dark (adw_style_manager_get_default ()));

  /* every panel on screen: a dark background, and most of it dark (colormaps keep
   * their bright ends, text is light) */
  for (int i = 0; i < vita_panel_count (); i++)
    {
      GtkWidget *view = vita_window_get_panel_view (fx->window, vita_panel_to_string (i));
      if (view == NULL || !gtk_widget_is_visible (view))
        continue;
      int w = MAX (gtk_widget_get_width (view), 200), h = MAX (gtk_widget_get_height (view), 60);
      cairo_surface_t *s = vita_panel_view_render (VITA_PANEL_VIEW (view), w, h);
      const guint8 *p = cairo_image_surface_get_data (s);
      int stride = cairo_image_surface_get_stride (s);
      double light = 0;
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
          light += whitish (*(const guint32 *) (p + y * stride + 4 * x));
      g_test_message ("%s: %.1f %% near-white pixels", vita_panel_to_string (i), 100.0 * light / (w * h));
      g_assert_cmpfloat (luma (*(const guint32 *) p), <, 0.25);   /* the corner: background */
      g_assert_cmpfloat (light / (w * h), <, 0.10);   /* RdBu keeps its white middle */
      cairo_surface_destroy (s);
      checked++;
    }
  g_assert_cmpint (checked, >=, 5);

  /* the training window's curves follow too (they are a panel) */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.train-model", NULL));
  vita_gui_test_run_for (300);
  {
    GtkWindow *training = vita_window_get_training_window (fx->window);
    g_assert_nonnull (training);
    GtkWidget *curves = vita_training_window_get_curves (VITA_TRAINING_WINDOW (training));
    int w = gtk_widget_get_width (curves), h = gtk_widget_get_height (curves);
    double light = 0;
    g_assert_cmpint (w, >, 50);
    g_assert_cmpint (h, >, 50);
    /* drawn by GTK, as on screen */
    g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (curves);
    GtkSnapshot *snapshot = gtk_snapshot_new ();
    gdk_paintable_snapshot (paintable, snapshot, w, h);
    GskRenderNode *node = gtk_snapshot_free_to_node (snapshot);
    cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
    cairo_t *cr = cairo_create (s);
    cairo_set_source_rgb (cr, 1, 1, 1);   /* a panel that paints no background shows white */
    cairo_paint (cr);
    g_assert_nonnull (node);
    gsk_render_node_draw (node, cr);
    cairo_destroy (cr);
    gsk_render_node_unref (node);
    cairo_surface_flush (s);
    const guint8 *p = cairo_image_surface_get_data (s);
    int stride = cairo_image_surface_get_stride (s);
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        light += whitish (*(const guint32 *) (p + y * stride + 4 * x));
    g_test_message ("training curves: %.1f %% near-white pixels", 100.0 * light / (w * h));
    g_assert_cmpfloat (luma (*(const guint32 *) p), <, 0.25);
    g_assert_cmpfloat (light / (w * h), <, 0.10);
    cairo_surface_destroy (s);
    gtk_window_close (training);
  }

  /* back to light */
  g_settings_set_string (settings, "style", "light");
  vita_gui_test_run_for (200);
  {
    GtkWidget *view = vita_window_get_panel_view (fx->window, "waveform");
    cairo_surface_t *s = vita_panel_view_render (VITA_PANEL_VIEW (view), 300, 90);
    g_assert_cmpfloat (luma (*(const guint32 *) cairo_image_surface_get_data (s)), >, 0.9);
    cairo_surface_destroy (s);
  }
  g_settings_reset (settings, "style");
}

/* Decodes a clip: its video frames and rate, its audio in seconds. */
static void
decode_clip (const char *path, int *n_frames, int *fps_n, int *fps_d, double *audio_s)
{
  g_autofree char *desc = g_strdup_printf (
    "filesrc location=\"%s\" ! decodebin name=dec "
    "dec. ! queue ! videoconvert ! video/x-raw,format=RGB ! appsink name=v sync=false "
    "dec. ! queue ! audioconvert ! audio/x-raw,format=F32LE,channels=1 ! appsink name=a sync=false", path);
  g_autoptr(GError) error = NULL;
  GstElement *pipe = gst_parse_launch (desc, &error);
  gsize n_audio = 0;
  int rate = 0;

  g_assert_no_error (error);
  GstElement *v = gst_bin_get_by_name (GST_BIN (pipe), "v"), *a = gst_bin_get_by_name (GST_BIN (pipe), "a");
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  *n_frames = 0;
  for (GstSample *s; (s = gst_app_sink_pull_sample (GST_APP_SINK (v))) != NULL; gst_sample_unref (s))
    {
      if (*n_frames == 0)
        gst_structure_get_fraction (gst_caps_get_structure (gst_sample_get_caps (s), 0), "framerate",
                                    fps_n, fps_d);
      (*n_frames)++;
    }
  for (GstSample *s; (s = gst_app_sink_pull_sample (GST_APP_SINK (a))) != NULL; gst_sample_unref (s))
    {
      gst_structure_get_int (gst_caps_get_structure (gst_sample_get_caps (s), 0), "rate", &rate);
      n_audio += gst_buffer_get_size (gst_sample_get_buffer (s)) / sizeof (float);
    }
  *audio_s = rate > 0 ? (double) n_audio / rate : 0;
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (v);
  gst_object_unref (a);
  gst_object_unref (pipe);
}

static gboolean
video_done (gpointer data)
{
  GtkWidget *dialog = vita_window_get_video_dialog (data);
  return dialog == NULL || g_object_get_data (G_OBJECT (dialog), "vita-test-done") != NULL;
}

static gboolean
video_running (gpointer data)
{
  GtkWidget *dialog = vita_window_get_video_dialog (data);
  return !gtk_widget_get_sensitive (vita_window_video_dialog_widget (dialog, "export")) ||
         g_object_get_data (G_OBJECT (dialog), "vita-test-done") != NULL;
}

static gboolean
video_started (gpointer data)
{
  GtkWidget *dialog = vita_window_get_video_dialog (data);
  GtkWidget *bar = vita_window_video_dialog_widget (dialog, "progress");
  return gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (bar)) > 0;
}

static gboolean
has_part_file (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    if (strstr (name, ".part-") != NULL)
      return TRUE;
  return FALSE;
}

/* Export Video…: 10 s of the track at 30 fps decode back as 300 frames and 10 s of
 * sound; Cancel leaves no file. */
static void
test_export_video (Fixture *fx, gconstpointer data)
{
  g_autofree char *model = bundled ("default.safetensors");
  g_autofree char *wav = vita_gui_test_write_wav (fx->dir, "long.wav", 11.0, 16000);
  g_autofree char *out = g_build_filename (fx->dir, "clip.webm", NULL);
  g_autofree char *cancelled = g_build_filename (fx->dir, "cancelled.webm", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (wav);
  VitaSession *session = vita_window_get_session (fx->window);
  GtkWidget *dialog;
  int n_frames = 0, fps_n = 0, fps_d = 0;
  double audio_s = 0;

  vita_session_open_model (session, model);
  vita_window_open_audio (fx->window, file);
  g_assert_true (vita_gui_test_wait (has_model_and_idle, fx->window, 60000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.export-video", NULL));
  dialog = vita_window_get_video_dialog (fx->window);
  g_assert_nonnull (dialog);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (vita_window_video_dialog_widget (dialog, "from")), 0.5);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (vita_window_video_dialog_widget (dialog, "to")), 10.5);
  adw_combo_row_set_selected (ADW_COMBO_ROW (vita_window_video_dialog_widget (dialog, "size")), 3);   /* 640 × 360 */
  adw_combo_row_set_selected (ADW_COMBO_ROW (vita_window_video_dialog_widget (dialog, "fps")), 0);    /* 30 */
  g_object_set_data_full (G_OBJECT (dialog), "vita-test-out", g_strdup (out), g_free);
  gtk_widget_activate (vita_window_video_dialog_widget (dialog, "export"));
  /* a button's activation clicks after its animation; the export runs until done */
  g_assert_true (vita_gui_test_wait (video_running, fx->window, 10000));
  g_test_message ("%s", gtk_label_get_text (GTK_LABEL (vita_window_video_dialog_widget (dialog, "status"))));
  g_assert_true (vita_gui_test_wait (video_done, fx->window, 600000));
  g_assert_cmpint (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "vita-test-done")), ==, 1);
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (vita_window_video_dialog_widget (dialog, "progress"))), ==, 1.0);
  decode_clip (out, &n_frames, &fps_n, &fps_d, &audio_s);
  g_assert_cmpint (n_frames, ==, 300);
  g_assert_cmpint (fps_n, ==, 30);
  g_assert_cmpint (fps_d, ==, 1);
  g_assert_cmpfloat (fabs (audio_s - 10.0), <, 0.03);
  g_unlink (out);

  /* Cancel while it renders: no clip, no partial file */
  g_object_set_data (G_OBJECT (dialog), "vita-test-done", NULL);
  g_object_set_data_full (G_OBJECT (dialog), "vita-test-out", g_strdup (cancelled), g_free);
  adw_combo_row_set_selected (ADW_COMBO_ROW (vita_window_video_dialog_widget (dialog, "size")), 0);
  gtk_widget_activate (vita_window_video_dialog_widget (dialog, "export"));
  g_assert_true (vita_gui_test_wait (video_started, fx->window, 120000));
  gtk_widget_activate (vita_window_video_dialog_widget (dialog, "cancel"));
  g_assert_true (vita_gui_test_wait (video_done, fx->window, 30000));
  g_assert_cmpint (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "vita-test-done")), ==, 2);
  g_assert_false (g_file_test (cancelled, G_FILE_TEST_EXISTS));
  g_assert_false (has_part_file (fx->dir));
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_unlink (wav);
}

int
main (int argc, char **argv)
{
  if (!vita_gui_test_init (&argc, &argv))
    return 0;
  if (g_getenv ("VITA_BUILD_ROOT") != NULL)   /* Export Video… runs the CLI of this build */
    {
      g_autofree char *cli = g_build_filename (g_getenv ("VITA_BUILD_ROOT"), "app", "vitascope-cli", NULL);
      g_setenv ("VITASCOPE_CLI", cli, TRUE);
    }
  g_test_add ("/app/teach/series-scrub", Fixture, NULL, fixture_setup, test_series_scrub, fixture_teardown);
  g_test_add ("/app/teach/series-budget", Fixture, NULL, fixture_setup, test_series_budget, fixture_teardown);
  g_test_add ("/app/teach/emergence-onsets", Fixture, NULL, fixture_setup, test_emergence_onsets, fixture_teardown);
  g_test_add ("/app/teach/step-marks", Fixture, NULL, fixture_setup, test_step_marks, fixture_teardown);
  g_test_add ("/app/teach/presentation-keys", Fixture, NULL, fixture_setup, test_presentation_keys, fixture_teardown);
  g_test_add ("/app/teach/views-keep-arrangement", Fixture, NULL, fixture_setup, test_views_keep_arrangement,
              fixture_teardown);
  g_test_add ("/app/teach/export-video", Fixture, NULL, fixture_setup, test_export_video, fixture_teardown);
  g_test_add ("/app/teach/dark-style", Fixture, NULL, fixture_setup, test_dark_style, fixture_teardown);
  return g_test_run ();
}
