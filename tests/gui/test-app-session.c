/* test-app-session.c — sessions through the GUI (issue 8, section 5): open audio, a
 * model, annotations and probes, move to layer 3 / head 2 at 1:23 zoomed to 10 s
 * with rollout on, save, quit, start again: the same view comes back (the PNG
 * export of the whole view is pixel-identical).  A deleted model: the session opens
 * with the rest and a banner names the model; another model at its path: a warning
 * naming both SHA-256s; a truncated session file: an error naming the file, nothing
 * changes and the file is left as it was. */
#include "test-app-harness.h"

#include <cairo.h>
#include <glib/gstdio.h>
#include <string.h>

#include "model/vita-vit.h"
#include "model/probe/vita-probe.h"

#define RATE 16000

typedef struct {
  char *dir;
  char *wav;
  char *model;
  char *sha256;
  char *probe;
  char *lab;
  char *onsets;
} Fixture;

static char *
save_model (const char *path, guint64 seed)
{
  VitaVitConfig cfg;
  g_autoptr(VitaVit) vit = NULL;
  g_autoptr(VitaVit) loaded = NULL;
  g_autoptr(GError) error = NULL;

  /* The "test" preset made 4 blocks deep: token layers 0…4, 2 heads. */
  g_assert_true (vita_vit_config_init_preset (&cfg, "test", &error));
  cfg.depth = 4;
  vit = vita_vit_new_random (&cfg, seed);
  g_assert_true (vita_vit_save (vit, path, &error));
  loaded = vita_vit_load (path, &error);
  g_assert_no_error (error);
  return g_strdup (loaded->sha256);
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  g_autoptr(VitaProbe) probe = vita_probe_new (16, 1, VITA_PROBE_SIGMOID);
  g_autoptr(GError) error = NULL;

  fx->dir = vita_gui_test_tmpdir ();
  /* 90 s: the view at 1:23 needs a track longer than that */
  fx->wav = vita_gui_test_write_wav (fx->dir, "song.wav", 90.0, RATE);
  fx->model = g_build_filename (fx->dir, "deep.safetensors", NULL);
  fx->sha256 = save_model (fx->model, 7);

  /* annotations (not beside the audio: loaded by hand) and an onset probe */
  fx->lab = g_build_filename (fx->dir, "extra.lab", NULL);
  g_assert_true (g_file_set_contents (fx->lab, "0.0 40.0 C:maj\n40.0 90.0 A:min\n", -1, NULL));
  fx->onsets = g_build_filename (fx->dir, "extra.onsets.txt", NULL);
  g_assert_true (g_file_set_contents (fx->onsets, "80.5\n81.0\n82.5\n83.0\n84.0\n86.5\n", -1, NULL));
  g_free (probe->task);
  probe->task = g_strdup ("onset");
  probe->frame_level = TRUE;
  probe->layer = 2;
  probe->pool = VITA_POOL_TOKEN;
  g_ptr_array_set_size (probe->labels, 0);
  g_ptr_array_add (probe->labels, g_strdup ("onset"));
  for (int i = 0; i < 16; i++)
    probe->weight[i] = 0.25f * (float) (i % 5) - 0.5f;
  probe->bias[0] = 0.5f;
  g_strlcpy (probe->model_sha256, fx->sha256, sizeof probe->model_sha256);
  fx->probe = g_build_filename (fx->dir, "onset.safetensors", NULL);
  g_assert_true (vita_probe_save (probe, fx->probe, &error));
  g_assert_no_error (error);
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
  g_autofree char *last = vita_window_get_last_session_path ();

  g_unlink (last);
  if (g_getenv ("VITA_TEST_KEEP") == NULL)
    remove_all (fx->dir);
  g_free (fx->wav);
  g_free (fx->model);
  g_free (fx->sha256);
  g_free (fx->probe);
  g_free (fx->lab);
  g_free (fx->onsets);
  g_free (fx->dir);
}

static gboolean
settled (gpointer data)
{
  VitaWindow *w = data;
  return !vita_window_is_busy (w) && !vita_window_is_loading_annotations (w) &&
         vita_window_get_audio_path (w) != NULL;
}

static void
wait_settled (VitaWindow *w)
{
  g_assert_true (vita_gui_test_wait (settled, w, 120000));
  vita_gui_test_run_for (300);   /* the panels draw the finished analysis */
}

static void
export_view (VitaWindow *w, const char *path)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vita_window_export (w, VITA_PANEL_LAYOUT, path, &error));
  g_assert_no_error (error);
}

static gboolean
has_model (gpointer data)
{
  return vita_window_get_model_path (data) != NULL;
}

/* Audio, model, annotations and probes; layer 3, head 2, 1:23, 10 s, rollout. */
static VitaWindow *
set_up_view (Fixture *fx)
{
  VitaWindow *w = vita_gui_test_window ();
  g_autoptr(GFile) audio = g_file_new_for_path (fx->wav);
  g_autoptr(GFile) model = g_file_new_for_path (fx->model);
  g_autoptr(GFile) lab = g_file_new_for_path (fx->lab);
  g_autoptr(GFile) onsets = g_file_new_for_path (fx->onsets);
  g_autoptr(GFile) probe = g_file_new_for_path (fx->probe);
  GFile *annotations[] = { lab, onsets };
  VitaTimeline *tl;

  vita_window_open_model (w, model);
  g_assert_true (vita_gui_test_wait (has_model, w, 20000));
  vita_window_open_audio (w, audio);
  vita_window_load_annotations (w, annotations, 2);
  wait_settled (w);
  vita_window_load_probes (w, &probe, 1);
  g_assert_cmpint (vita_window_get_n_probe_lanes (w), >=, 1);

  tl = vita_window_get_timeline (w);
  g_assert_cmpint (vita_timeline_get_n_layers (tl), ==, 5);
  for (int i = 0; i < 3; i++)
    gtk_widget_activate_action (GTK_WIDGET (w), "win.layer-next", NULL);
  for (int i = 0; i < 2; i++)
    gtk_widget_activate_action (GTK_WIDGET (w), "win.head-next", NULL);
  gtk_widget_activate_action (GTK_WIDGET (w), "win.seek", "x", (gint64) 83 * RATE);
  vita_timeline_set_visible (tl, 78 * RATE, 88 * RATE);
  gtk_widget_activate_action (GTK_WIDGET (w), "win.rollout", NULL);
  vita_gui_test_run_for (500);
  wait_settled (w);
  g_assert_cmpint (vita_timeline_get_layer (tl), ==, 3);
  g_assert_cmpint (vita_timeline_get_head (tl), ==, 1);   /* "Head 2" */
  g_assert_cmpint (vita_timeline_get_position (tl), ==, 83 * RATE);
  return w;
}

static void
assert_view (VitaWindow *w)
{
  VitaTimeline *tl = vita_window_get_timeline (w);
  gint64 start, end;

  vita_timeline_get_visible (tl, &start, &end);
  g_assert_cmpint (start, ==, 78 * RATE);
  g_assert_cmpint (end, ==, 88 * RATE);
  g_assert_cmpint (vita_timeline_get_layer (tl), ==, 3);
  g_assert_cmpint (vita_timeline_get_head (tl), ==, 1);
  g_assert_cmpint (vita_timeline_get_position (tl), ==, 83 * RATE);
  g_assert_cmpint (vita_session_get_attention_mode (vita_window_get_session (w)), ==, VITA_ATTENTION_ROLLOUT);
}

static gboolean
window_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* What "quit" does to a window: a close request (which saves the last session). */
static void
quit_window (VitaWindow *w)
{
  gpointer weak = w;

  g_object_add_weak_pointer (G_OBJECT (w), &weak);
  gtk_window_close (GTK_WINDOW (w));
  g_assert_true (vita_gui_test_wait (window_gone, &weak, 5000));
}

static void
test_round_trip (Fixture *fx, gconstpointer data)
{
  g_autofree char *before = g_build_filename (fx->dir, "before.png", NULL);
  g_autofree char *after = g_build_filename (fx->dir, "after.png", NULL);
  g_autofree char *reopened = g_build_filename (fx->dir, "reopened.png", NULL);
  g_autofree char *saved = g_build_filename (fx->dir, "view.vitascope", NULL);
  g_autofree char *last = vita_window_get_last_session_path ();
  g_autoptr(GError) error = NULL;
  VitaWindow *w = set_up_view (fx);

  export_view (w, before);
  g_assert_true (vita_window_save_session (w, saved, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (saved, G_FILE_TEST_IS_REGULAR));

  /* `vitascope-cli render SESSION --panel attention` draws what the window exports */
  {
    g_autofree char *gui = g_build_filename (fx->dir, "attention-gui.png", NULL);
    g_autofree char *cli = g_build_filename (fx->dir, "attention-cli.png", NULL);
    g_autofree char *exe = g_build_filename (g_getenv ("VITA_BUILD_ROOT"), "app", "vitascope-cli", NULL);
    const char *argv[] = { exe, "render", saved, "--panel", "attention", "--out", cli, "--no-sidecar", NULL };
    g_autofree char *err = NULL;
    int status = -1;

    g_assert_true (vita_window_export (w, VITA_PANEL_ATTENTION, gui, &error));
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                 NULL, &err, &status, &error));
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, NULL))
      g_test_message ("vitascope-cli: %s", err);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    vita_gui_test_assert_same_pixels (gui, cli);
  }
  g_unlink (last);
  quit_window (w);
  g_assert_true (g_file_test (last, G_FILE_TEST_IS_REGULAR));

  /* start again: the last session comes back */
  w = vita_gui_test_window ();
  g_assert_true (vita_window_restore_last_session (w));
  wait_settled (w);
  g_assert_cmpstr (vita_window_get_audio_path (w), ==, fx->wav);
  g_assert_cmpstr (vita_window_get_model_path (w), ==, fx->model);
  g_assert_cmpint (vita_window_get_n_probe_lanes (w), >=, 1);
  g_assert_null (vita_window_get_missing_banner (w));
  g_assert_null (vita_window_get_warning_banner (w));
  assert_view (w);
  export_view (w, after);
  vita_gui_test_assert_same_pixels (before, after);
  vita_gui_test_close (w);

  /* the file saved by hand, opened as a file (Open Session, drag and drop) */
  w = vita_gui_test_window ();
  {
    g_autoptr(GFile) file = g_file_new_for_path (saved);
    vita_window_open_file (w, file);
  }
  wait_settled (w);
  assert_view (w);
  export_view (w, reopened);
  vita_gui_test_assert_same_pixels (before, reopened);
  vita_gui_test_close (w);
}

static void
test_missing_model (Fixture *fx, gconstpointer data)
{
  g_autofree char *saved = g_build_filename (fx->dir, "view.vitascope", NULL);
  g_autoptr(GError) error = NULL;
  VitaWindow *w = set_up_view (fx);
  const char *banner;

  g_assert_true (vita_window_save_session (w, saved, &error));
  vita_gui_test_close (w);

  /* the model is gone: everything else opens, a banner names the model */
  g_assert_cmpint (g_unlink (fx->model), ==, 0);
  w = vita_gui_test_window ();
  {
    g_autoptr(GFile) file = g_file_new_for_path (saved);
    g_assert_true (vita_window_open_session (w, file));
  }
  wait_settled (w);
  banner = vita_window_get_missing_banner (w);
  g_assert_nonnull (banner);
  g_assert_nonnull (strstr (banner, fx->model));
  g_assert_cmpstr (vita_window_get_audio_path (w), ==, fx->wav);
  g_assert_null (vita_window_get_model_path (w));
  g_assert_cmpint (vita_timeline_get_position (vita_window_get_timeline (w)), ==, 83 * RATE);

  /* Locate… (the banner's button; here without its file chooser): the model found
   * elsewhere opens, the banner goes, and the next save records the new path */
  {
    g_autofree char *moved = g_build_filename (fx->dir, "moved.safetensors", NULL);
    g_autofree char *located = g_build_filename (fx->dir, "located.vitascope", NULL);
    g_autofree char *text = NULL;
    g_autofree char *moved_sha = save_model (moved, 7);

    g_assert_cmpstr (moved_sha, ==, fx->sha256);
    vita_session_locate (vita_window_get_session (w), moved);
    g_assert_true (vita_gui_test_wait (has_model, w, 20000));
    wait_settled (w);
    g_assert_null (vita_window_get_missing_banner (w));
    g_assert_cmpstr (vita_window_get_model_path (w), ==, moved);
    /* the session's layer and head, which need the model, come back with it */
    g_assert_cmpint (vita_timeline_get_layer (vita_window_get_timeline (w)), ==, 3);
    g_assert_cmpint (vita_timeline_get_head (vita_window_get_timeline (w)), ==, 1);
    g_assert_true (vita_window_save_session (w, located, &error));
    g_assert_true (g_file_get_contents (located, &text, NULL, NULL));
    g_assert_nonnull (strstr (text, "moved.safetensors"));
    g_assert_null (strstr (text, "deep.safetensors"));
    g_unlink (moved);
  }
  vita_gui_test_close (w);

  /* another model at its path: it opens, with a warning naming both hashes */
  g_autofree char *other = save_model (fx->model, 8);
  g_assert_cmpstr (other, !=, fx->sha256);
  w = vita_gui_test_window ();
  {
    g_autoptr(GFile) file = g_file_new_for_path (saved);
    g_assert_true (vita_window_open_session (w, file));
  }
  wait_settled (w);
  g_assert_null (vita_window_get_missing_banner (w));
  banner = vita_window_get_warning_banner (w);
  g_assert_nonnull (banner);
  g_assert_nonnull (strstr (banner, fx->sha256));
  g_assert_nonnull (strstr (banner, other));
  g_assert_cmpstr (vita_window_get_model_path (w), ==, fx->model);
  vita_gui_test_close (w);
}

static void
test_truncated (Fixture *fx, gconstpointer data)
{
  g_autofree char *saved = g_build_filename (fx->dir, "view.vitascope", NULL);
  g_autofree char *cut = g_build_filename (fx->dir, "cut.vitascope", NULL);
  g_autofree char *text = NULL, *after_text = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0, after_len = 0;
  VitaWindow *w = set_up_view (fx);
  VitaTimeline *tl = vita_window_get_timeline (w);
  guint n_errors;

  g_assert_true (vita_window_save_session (w, saved, &error));
  g_assert_true (g_file_get_contents (saved, &text, &len, NULL));
  g_assert_true (g_file_set_contents (cut, text, (gssize) (len / 2), NULL));

  /* move away from the saved view, then try the truncated file */
  gtk_widget_activate_action (GTK_WIDGET (w), "win.seek", "x", (gint64) 10 * RATE);
  gtk_widget_activate_action (GTK_WIDGET (w), "win.layer-previous", NULL);
  n_errors = vita_window_get_n_errors (w);
  {
    g_autoptr(GFile) file = g_file_new_for_path (cut);
    g_assert_false (vita_window_open_session (w, file));
  }
  g_assert_cmpuint (vita_window_get_n_errors (w), ==, n_errors + 1);
  g_assert_nonnull (strstr (vita_window_get_last_error (w), cut));
  /* nothing changed */
  g_assert_cmpint (vita_timeline_get_position (tl), ==, 10 * RATE);
  g_assert_cmpint (vita_timeline_get_layer (tl), ==, 2);
  g_assert_cmpstr (vita_window_get_audio_path (w), ==, fx->wav);
  g_assert_cmpstr (vita_window_get_model_path (w), ==, fx->model);
  g_assert_null (vita_window_get_missing_banner (w));
  /* Save goes to the session saved last, never to the file that did not read */
  gtk_widget_activate_action (GTK_WIDGET (w), "win.save-session", NULL);
  quit_window (w);
  g_assert_true (g_file_get_contents (cut, &after_text, &after_len, NULL));
  g_assert_cmpuint (after_len, ==, len / 2);
  g_assert_true (memcmp (after_text, text, after_len) == 0);

  /* a truncated last session: not restored, and not overwritten on quit */
  g_autofree char *last = vita_window_get_last_session_path ();
  g_assert_true (g_file_set_contents (last, text, (gssize) (len / 2), NULL));
  w = vita_gui_test_window ();
  g_assert_false (vita_window_restore_last_session (w));
  g_assert_nonnull (strstr (vita_window_get_last_error (w), last));
  {
    g_autoptr(GFile) audio = g_file_new_for_path (fx->wav);
    vita_window_open_audio (w, audio);
  }
  wait_settled (w);
  quit_window (w);
  g_free (after_text);
  g_assert_true (g_file_get_contents (last, &after_text, &after_len, NULL));
  g_assert_cmpuint (after_len, ==, len / 2);
}

int
main (int argc, char **argv)
{
  if (!vita_gui_test_init (&argc, &argv))
    return 0;
  g_test_add ("/app/session/round-trip", Fixture, NULL, fixture_setup, test_round_trip, fixture_teardown);
  g_test_add ("/app/session/missing-model", Fixture, NULL, fixture_setup, test_missing_model, fixture_teardown);
  g_test_add ("/app/session/truncated", Fixture, NULL, fixture_setup, test_truncated, fixture_teardown);
  return g_test_run ();
}
