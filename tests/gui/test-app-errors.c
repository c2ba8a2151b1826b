/* test-app-errors.c — bad input through the GUI (reliability.md 9, 12, 22): a toast
 * names the file, the app stays usable, closing mid-playback is clean. */
#include "test-app-harness.h"

#include <gst/gst.h>
#include <glib/gstdio.h>
#include <math.h>

typedef struct {
  char       *dir;
  char       *wav;
  VitaWindow *window;
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  fx->dir = vita_gui_test_tmpdir ();
  fx->wav = vita_gui_test_write_wav (fx->dir, "good.wav", 2.0, 22050);
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
  remove_all (fx->dir);
  g_free (fx->wav);
  g_free (fx->dir);
}

typedef struct {
  VitaWindow *window;
  guint       n;
} ErrorWait;

static gboolean
more_errors (gpointer data)
{
  ErrorWait *w = data;
  return vita_window_get_n_errors (w->window) > w->n;
}

static gboolean
is_playing (gpointer data)
{
  return vita_player_get_playing (vita_window_get_player (data)) &&
         vita_gui_test_player_seconds (data) > 0.05;
}

static void
open_path (VitaWindow *window, const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  vita_window_open_audio (window, file);
}

/* The app is usable: the good file opens and plays. */
static void
assert_usable (Fixture *fx)
{
  guint errors = vita_window_get_n_errors (fx->window);

  open_path (fx->window, fx->wav);
  gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.play-pause", NULL);
  g_assert_true (vita_gui_test_wait (is_playing, fx->window, 20000));
  gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.play-pause", NULL);
  vita_gui_test_run_for (50);
  g_assert_cmpuint (vita_window_get_n_errors (fx->window), ==, errors);
}

static void
test_missing_file (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fx->dir, "does-not-exist.ogg", NULL);

  open_path (fx->window, path);
  g_assert_cmpuint (vita_window_get_n_errors (fx->window), ==, 1);
  g_assert_nonnull (strstr (vita_window_get_last_error (fx->window), "does-not-exist.ogg"));
  g_assert_cmpstr (vita_window_get_page (fx->window), ==, "empty");
  g_assert_null (vita_window_get_audio_path (fx->window));
  assert_usable (fx);
}

static void
test_corrupt_audio (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fx->dir, "notes.wav", NULL);
  ErrorWait w = { fx->window, 0 };

  /* A text file named .wav (reliability.md 9). */
  g_assert_true (g_file_set_contents (path, "these are not samples\n", -1, NULL));
  open_path (fx->window, path);
  g_assert_true (vita_gui_test_wait (more_errors, &w, 20000));
  g_test_message ("toast: %s", vita_window_get_last_error (fx->window));
  g_assert_nonnull (strstr (vita_window_get_last_error (fx->window), "notes.wav"));
  g_assert_false (vita_player_get_playing (vita_window_get_player (fx->window)));
  /* Play again: the error comes again, no crash, no hang. */
  w.n = vita_window_get_n_errors (fx->window);
  gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.play-pause", NULL);
  g_assert_true (vita_gui_test_wait (more_errors, &w, 20000));
  assert_usable (fx);
}

/* A file that is not audio (a text file, an image) shows an error naming it and
 * leaves the window as it was: the start page, then the track already open. */
static gboolean
has_duration (gpointer data)
{
  return vita_player_get_duration (vita_window_get_player (data)) > 0;
}

static void
test_not_audio (Fixture *fx, gconstpointer data)
{
  g_autofree char *text = g_build_filename (fx->dir, "notes.txt", NULL);
  g_autofree char *png = g_build_filename (fx->dir, "picture.png", NULL);
  static const guint8 png_header[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
                                       'I', 'H', 'D', 'R' };

  g_assert_true (g_file_set_contents (text, "a shopping list\n", -1, NULL));
  g_assert_true (g_file_set_contents (png, (const char *) png_header, sizeof png_header, NULL));
  open_path (fx->window, text);
  g_assert_cmpuint (vita_window_get_n_errors (fx->window), ==, 1);
  g_test_message ("toast: %s", vita_window_get_last_error (fx->window));
  g_assert_nonnull (strstr (vita_window_get_last_error (fx->window), "notes.txt"));
  g_assert_nonnull (strstr (vita_window_get_last_error (fx->window), "not an audio file"));
  g_assert_cmpstr (vita_window_get_page (fx->window), ==, "empty");
  g_assert_null (vita_window_get_audio_path (fx->window));

  /* With a track open, it stays. */
  open_path (fx->window, fx->wav);
  g_assert_true (vita_gui_test_wait (has_duration, fx->window, 10000));
  open_path (fx->window, png);
  g_assert_cmpuint (vita_window_get_n_errors (fx->window), ==, 2);
  g_assert_nonnull (strstr (vita_window_get_last_error (fx->window), "picture.png"));
  g_assert_cmpstr (vita_window_get_page (fx->window), ==, "panels");
  g_assert_cmpstr (vita_window_get_audio_path (fx->window), ==, fx->wav);
  assert_usable (fx);
}

static void
test_truncated_audio (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fx->dir, "cut.wav", NULL);
  g_autofree char *contents = NULL;
  gsize length;
  ErrorWait w = { fx->window, 0 };

  /* Only the first 20 bytes of a WAV header. */
  g_assert_true (g_file_get_contents (fx->wav, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (path, contents, 20, NULL));
  open_path (fx->window, path);
  g_assert_true (vita_gui_test_wait (more_errors, &w, 20000));
  g_assert_nonnull (strstr (vita_window_get_last_error (fx->window), "cut.wav"));
  assert_usable (fx);
}

static void
test_bad_model (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fx->dir, "broken.safetensors", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  ErrorWait w = { fx->window, 0 };

  g_assert_true (g_file_set_contents (path, "\xff\xff\xff\xff\xff\xff\xff\x7f{", 9, NULL));
  vita_window_open_model (fx->window, file);
  g_assert_true (vita_gui_test_wait (more_errors, &w, 20000));
  g_test_message ("toast: %s", vita_window_get_last_error (fx->window));
  g_assert_nonnull (strstr (vita_window_get_last_error (fx->window), "broken.safetensors"));
  g_assert_null (vita_window_get_model_path (fx->window));
  g_assert_false (vita_window_is_busy (fx->window));
  assert_usable (fx);
}

static void
test_deleted_during_playback (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fx->dir, "gone.wav", NULL);
  g_autofree char *contents = NULL;
  gsize length;
  guint errors;

  g_assert_true (g_file_get_contents (fx->wav, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (path, contents, length, NULL));
  open_path (fx->window, path);
  gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.play-pause", NULL);
  g_assert_true (vita_gui_test_wait (is_playing, fx->window, 20000));
  g_assert_cmpint (g_unlink (path), ==, 0);
  /* Keep playing and seeking: either it goes on from the open file or a toast says why. */
  vita_gui_test_run_for (300);
  gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.seek", "x", (gint64) 1000);
  vita_gui_test_run_for (300);
  /* Opening it again names the file. */
  errors = vita_window_get_n_errors (fx->window);
  open_path (fx->window, path);
  g_assert_cmpuint (vita_window_get_n_errors (fx->window), ==, errors + 1);
  g_assert_nonnull (strstr (vita_window_get_last_error (fx->window), "gone.wav"));
  assert_usable (fx);
}

static void
test_close_while_playing (Fixture *fx, gconstpointer data)
{
  open_path (fx->window, fx->wav);
  gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.play-pause", NULL);
  g_assert_true (vita_gui_test_wait (is_playing, fx->window, 20000));
  /* Destroy mid-playback (and mid-analysis when the engine is built in). */
  vita_gui_test_close (fx->window);
  fx->window = NULL;
  vita_gui_test_run_for (100);
}

static void
test_empty_state (Fixture *fx, gconstpointer data)
{
  /* No audio, no model: the empty page, actions that need audio disabled. */
  g_assert_cmpstr (vita_window_get_page (fx->window), ==, "empty");
  g_assert_false (gtk_widget_get_sensitive (g_object_get_data (G_OBJECT (fx->window), "vita-test-play-button")));
  gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.play-pause", NULL);
  vita_gui_test_run_for (50);
  g_assert_false (vita_player_get_playing (vita_window_get_player (fx->window)));
  g_assert_null (vita_window_get_model_path (fx->window));
  gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.seek", "x", (gint64) 1000);
  gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.layer-next", NULL);
  vita_gui_test_run_for (50);
  g_assert_cmpuint (vita_window_get_n_errors (fx->window), ==, 0);
}

int
main (int argc, char *argv[])
{
  if (!vita_gui_test_init (&argc, &argv))
    return 0;
  g_test_add ("/app/empty-state", Fixture, NULL, fixture_setup, test_empty_state, fixture_teardown);
  g_test_add ("/app/missing-file", Fixture, NULL, fixture_setup, test_missing_file, fixture_teardown);
  g_test_add ("/app/corrupt-audio", Fixture, NULL, fixture_setup, test_corrupt_audio, fixture_teardown);
  g_test_add ("/app/not-audio", Fixture, NULL, fixture_setup, test_not_audio, fixture_teardown);
  g_test_add ("/app/truncated-audio", Fixture, NULL, fixture_setup, test_truncated_audio, fixture_teardown);
  g_test_add ("/app/bad-model", Fixture, NULL, fixture_setup, test_bad_model, fixture_teardown);
  g_test_add ("/app/deleted-during-playback", Fixture, NULL, fixture_setup, test_deleted_during_playback, fixture_teardown);
  g_test_add ("/app/close-while-playing", Fixture, NULL, fixture_setup, test_close_while_playing, fixture_teardown);
  return g_test_run ();
}
