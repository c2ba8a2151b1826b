/* test-app-model.c — with a model: layers and heads come from the file, the
 * analysis runs on the worker and completes, the panels export to PNG, SVG, PDF
 * (+ sidecar JSON) and .npy, and closing mid-analysis joins the worker. */
#include "test-app-harness.h"

#include <gst/gst.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "model/vita-vit.h"

#define WESNOTH_TRACK "/usr/share/games/wesnoth/1.16/data/core/music/battle.ogg"

typedef struct {
  char       *dir;
  char       *wav;
  char       *model;
  VitaWindow *window;
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  VitaVitConfig cfg;
  g_autoptr(VitaVit) vit = NULL;
  g_autoptr(GError) error = NULL;

  fx->dir = vita_gui_test_tmpdir ();
  fx->wav = vita_gui_test_write_wav (fx->dir, "clicks.wav", 6.0, 16000);
  /* The "test" preset: D 16, 2 blocks, 2 heads, 8 frames, 16 mel bands. */
  g_assert_true (vita_vit_config_init_preset (&cfg, "test", &error));
  vit = vita_vit_new_random (&cfg, 7);
  fx->model = g_build_filename (fx->dir, "tiny.safetensors", NULL);
  g_assert_true (vita_vit_save (vit, fx->model, &error));
  g_assert_no_error (error);
  fx->window = vita_gui_test_window ();
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          g_chmod (path, 0700);
          remove_tree (path);
        }
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  if (fx->window != NULL)
    vita_gui_test_close (fx->window);
  remove_tree (fx->dir);
  g_free (fx->wav);
  g_free (fx->model);
  g_free (fx->dir);
}

static gboolean
not_busy (gpointer data)
{
  return !vita_window_is_busy (data);
}

static gboolean
has_model (gpointer data)
{
  return vita_window_get_model_path (data) != NULL && !vita_window_is_busy (data);
}

static void
open_model_and_audio (Fixture *fx)
{
  g_autoptr(GFile) model = g_file_new_for_path (fx->model);
  g_autoptr(GFile) audio = g_file_new_for_path (fx->wav);

  vita_window_open_model (fx->window, model);
  g_assert_true (vita_gui_test_wait (has_model, fx->window, 10000));
  vita_window_open_audio (fx->window, audio);
  g_assert_true (vita_gui_test_wait (not_busy, fx->window, 60000));
  g_assert_cmpuint (vita_window_get_n_errors (fx->window), ==, 0);
}

static gboolean
played_a_bit (gpointer data)
{
  return vita_gui_test_timeline_seconds (data) > 0.1;
}

static void
test_model_layers_heads (Fixture *fx, gconstpointer data)
{
  VitaTimeline *tl = vita_window_get_timeline (fx->window);
  GtkDropDown *layers = g_object_get_data (G_OBJECT (fx->window), "vita-test-layer-dropdown");
  GtkDropDown *heads = g_object_get_data (G_OBJECT (fx->window), "vita-test-head-dropdown");

  open_model_and_audio (fx);
  /* 2 blocks → 3 token layers; 2 heads → mean + 2. */
  g_assert_cmpint (vita_timeline_get_n_layers (tl), ==, 3);
  g_assert_cmpint (vita_timeline_get_n_heads (tl), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (layers)), ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (heads)), ==, 3);
  /* The model's front-end: 16 kHz, hop from the file; 6 s of audio. */
  g_assert_cmpint (llabs (vita_timeline_get_n_samples (tl) - 6 * vita_timeline_get_sample_rate (tl)),
                   <=, vita_timeline_get_hop (tl));
  gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.layer-next", NULL);
  gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.layer-next", NULL);
  g_assert_cmpint (vita_timeline_get_layer (tl), ==, 2);
  g_assert_cmpuint (gtk_drop_down_get_selected (layers), ==, 2);
  gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.head-next", NULL);
  g_assert_cmpint (vita_timeline_get_head (tl), ==, 1);
  /* Drawing with the analysis in place: a few frames while playing. */
  gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.play-pause", NULL);
  g_assert_true (vita_gui_test_wait (played_a_bit, fx->window, 20000));
  g_assert_true (vita_player_get_playing (vita_window_get_player (fx->window)));
  g_assert_cmpuint (vita_window_get_n_errors (fx->window), ==, 0);
}

static char *
read_head (const char *path, gsize n)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, n);
  return g_strndup (contents, n);
}

static void
check_sidecar (const char *figure, const char *panel)
{
  g_autofree char *sidecar = g_strconcat (figure, ".json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_assert_true (json_parser_load_from_file (parser, sidecar, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  g_assert_true (g_file_get_contents (sidecar, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, panel));
  g_assert_nonnull (strstr (text, "tiny.safetensors"));
  /* The one numbering: head is the 0-based index, head_number what a person reads
   * (1…H, null for the mean), and the sidecar says so. */
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  gint64 h = json_object_get_int_member (o, "head");
  g_assert_true (json_object_has_member (o, "head_number"));
  if (h >= 0)
    g_assert_cmpint (json_object_get_int_member (o, "head_number"), ==, h + 1);
  else
    g_assert_true (json_object_get_null_member (o, "head_number"));
  g_assert_nonnull (strstr (json_object_get_string_member (o, "indexing"), "0 = the input embedding"));
}

static void
test_export (Fixture *fx, gconstpointer data)
{
  g_autofree char *png = g_build_filename (fx->dir, "view.png", NULL);
  g_autofree char *svg = g_build_filename (fx->dir, "attention.svg", NULL);
  g_autofree char *pdf = g_build_filename (fx->dir, "ssm.pdf", NULL);
  g_autofree char *npy = g_build_filename (fx->dir, "ssm.npy", NULL);
  g_autofree char *ro = g_build_filename (fx->dir, "read-only", NULL);
  g_autofree char *ro_pdf = g_build_filename (ro, "fig.pdf", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *head = NULL;
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");

  open_model_and_audio (fx);

  g_assert_true (vita_window_export (fx->window, VITA_PANEL_LAYOUT, png, &error));
  g_assert_no_error (error);
  texture = gdk_texture_new_from_filename (png, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), >, 400);
  g_assert_cmpint (gdk_texture_get_height (texture), >, 300);
  check_sidecar (png, "layout");

  g_assert_true (vita_window_export (fx->window, VITA_PANEL_ATTENTION, svg, &error));
  g_assert_no_error (error);
  head = read_head (svg, 200);
  g_assert_nonnull (strstr (head, "<svg"));
  g_clear_pointer (&head, g_free);
  check_sidecar (svg, "attention");

  g_assert_true (vita_window_export (fx->window, VITA_PANEL_SSM, pdf, &error));
  g_assert_no_error (error);
  head = read_head (pdf, 5);
  g_assert_cmpstr (head, ==, "%PDF-");
  check_sidecar (pdf, "ssm");
  if (pdftotext != NULL)
    {
      /* Vector output with real text: the axis titles are selectable. */
      const char *argv[] = { pdftotext, pdf, "-", NULL };
      g_autofree char *out = NULL;
      int status = 0;
      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                                   NULL, &out, NULL, &status, &error));
      g_assert_no_error (error);
      g_test_message ("pdftotext: %.80s", out);
      g_assert_nonnull (strstr (out, "Self-similarity"));
    }

  g_assert_true (vita_window_export (fx->window, VITA_PANEL_SSM, npy, &error));
  g_assert_no_error (error);
  g_clear_pointer (&head, g_free);
  head = read_head (npy, 6);
  g_assert_cmpstr (head, ==, "\x93NUMPY");

  /* A folder that does not exist: an error naming the path, nothing written. */
  {
    g_autofree char *nowhere = g_build_filename (fx->dir, "no-such-folder", "fig.pdf", NULL);
    g_assert_false (vita_window_export (fx->window, VITA_PANEL_SSM, nowhere, &error));
    g_assert_nonnull (error);
    g_test_message ("error: %s", error->message);
    g_assert_nonnull (strstr (error->message, "no-such-folder"));
    g_clear_error (&error);
  }

  /* A read-only folder: an error naming the path, and no file left behind. */
  g_assert_cmpint (g_mkdir (ro, 0500), ==, 0);
  if (access (ro, W_OK) == 0)
    {
      g_test_message ("running as a user who can write anywhere: read-only case skipped");
      return;
    }
  g_assert_false (vita_window_export (fx->window, VITA_PANEL_SSM, ro_pdf, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "read-only"));
  g_assert_false (g_file_test (ro_pdf, G_FILE_TEST_EXISTS));
}

static gboolean
analysis_started (gpointer data)
{
  return vita_window_is_busy (data) && vita_gui_test_timeline_seconds (data) >= 0 &&
         vita_timeline_get_n_layers (vita_window_get_timeline (data)) > 0;
}

static void
test_close_during_analysis (Fixture *fx, gconstpointer data)
{
  g_autoptr(GFile) model = g_file_new_for_path (fx->model);
  g_autoptr(GFile) audio = NULL;
  const char *track = g_file_test (WESNOTH_TRACK, G_FILE_TEST_EXISTS) ? WESNOTH_TRACK : fx->wav;

  vita_window_open_model (fx->window, model);
  g_assert_true (vita_gui_test_wait (has_model, fx->window, 10000));
  audio = g_file_new_for_path (track);
  vita_window_open_audio (fx->window, audio);
  gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.play-pause", NULL);
  g_assert_true (vita_gui_test_wait (analysis_started, fx->window, 10000));
  vita_gui_test_run_for (200);
  /* Opening another file cancels the running job (it finishes on its own). */
  {
    g_autoptr(GFile) wav = g_file_new_for_path (fx->wav);
    vita_window_open_audio (fx->window, wav);
  }
  vita_gui_test_run_for (100);
  /* Closing joins the worker before the window goes (ASan/TSan: no use after free). */
  vita_gui_test_close (fx->window);
  fx->window = NULL;
  vita_gui_test_run_for (200);
}

static void
test_bad_model_keeps_good_one (Fixture *fx, gconstpointer data)
{
  g_autofree char *bad = g_build_filename (fx->dir, "nan.safetensors", NULL);
  g_autoptr(GFile) bad_file = g_file_new_for_path (bad);
  g_autofree char *contents = NULL;
  gsize length;

  open_model_and_audio (fx);
  /* The good model with its last bytes cut off: truncated data. */
  g_assert_true (g_file_get_contents (fx->model, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (bad, contents, length - 100, NULL));
  vita_window_open_model (fx->window, bad_file);
  g_assert_true (vita_gui_test_wait (not_busy, fx->window, 10000));
  vita_gui_test_run_for (50);
  g_assert_cmpuint (vita_window_get_n_errors (fx->window), ==, 1);
  g_test_message ("toast: %s", vita_window_get_last_error (fx->window));
  g_assert_nonnull (strstr (vita_window_get_last_error (fx->window), "nan.safetensors"));
  g_assert_cmpstr (vita_window_get_model_path (fx->window), ==, fx->model);
  g_assert_cmpint (vita_timeline_get_n_layers (vita_window_get_timeline (fx->window)), ==, 3);
}

int
main (int argc, char *argv[])
{
  if (!vita_gui_test_init (&argc, &argv))
    return 0;
  g_test_add ("/app/model/layers-heads", Fixture, NULL, fixture_setup, test_model_layers_heads, fixture_teardown);
  g_test_add ("/app/model/export", Fixture, NULL, fixture_setup, test_export, fixture_teardown);
  g_test_add ("/app/model/close-during-analysis", Fixture, NULL, fixture_setup, test_close_during_analysis, fixture_teardown);
  g_test_add ("/app/model/bad-model-keeps-good-one", Fixture, NULL, fixture_setup, test_bad_model_keeps_good_one, fixture_teardown);
  return g_test_run ();
}
