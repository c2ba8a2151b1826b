/* test-app-onset-clicks.c — "win.onset-clicks" in the window: off by default (the
 * player's click track is disabled and empty), on after an analysis it fills the
 * track with onsets peak-picked from the received attention, playing with clicks
 * works, and off empties it again. */
#include "test-app-harness.h"

#include <glib/gstdio.h>

#include "model/vita-vit.h"
#include "vita-click-track.h"

static gboolean
has_model (gpointer data)
{
  return vita_window_get_model_path (data) != NULL && !vita_window_is_busy (data);
}

static gboolean
not_busy (gpointer data)
{
  return !vita_window_is_busy (data);
}

static gboolean
track_filled (gpointer data)
{
  VitaClickTrack *track = vita_player_get_click_track (vita_window_get_player (data));
  return vita_click_track_get_enabled (track) && vita_click_track_get_n_times (track) > 0;
}

static gboolean
played_a_bit (gpointer data)
{
  return vita_gui_test_timeline_seconds (data) > 0.3;
}

static void
test_toggle (void)
{
  VitaVitConfig cfg;
  g_autoptr(VitaVit) vit = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = vita_gui_test_tmpdir ();
  g_autofree char *wav = vita_gui_test_write_wav (dir, "clicks.wav", 6.0, 16000);
  g_autofree char *model_path = g_build_filename (dir, "tiny.safetensors", NULL);
  VitaWindow *window = vita_gui_test_window ();
  VitaClickTrack *track = vita_player_get_click_track (vita_window_get_player (window));
  VitaTimeline *tl = vita_window_get_timeline (window);

  g_assert_true (vita_vit_config_init_preset (&cfg, "test", &error));
  vit = vita_vit_new_random (&cfg, 7);
  g_assert_true (vita_vit_save (vit, model_path, &error));
  g_assert_no_error (error);
  g_assert_nonnull (track);

  g_autoptr(GFile) model = g_file_new_for_path (model_path);
  g_autoptr(GFile) audio = g_file_new_for_path (wav);
  vita_window_open_model (window, model);
  g_assert_true (vita_gui_test_wait (has_model, window, 10000));
  vita_window_open_audio (window, audio);
  g_assert_true (vita_gui_test_wait (not_busy, window, 60000));
  g_assert_cmpuint (vita_window_get_n_errors (window), ==, 0);

  /* Off by default: nothing is mixed. */
  g_assert_false (vita_click_track_get_enabled (track));
  g_assert_cmpuint (vita_click_track_get_n_times (track), ==, 0);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.onset-clicks", NULL);
  g_assert_true (vita_gui_test_wait (track_filled, window, 15000));
  /* Onsets are at least 3 frames apart (the peak picker's wait). */
  gsize n_frames = (gsize) (vita_timeline_get_n_samples (tl) / vita_timeline_get_hop (tl)) + 1;
  g_assert_cmpuint (vita_click_track_get_n_times (track), <=, n_frames / 3 + 1);

  /* Another head still gives a filled track; playing with clicks raises no error. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.head-next", NULL);
  g_assert_true (track_filled (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.play-pause", NULL);
  g_assert_true (vita_gui_test_wait (played_a_bit, window, 20000));
  g_assert_cmpuint (vita_window_get_n_errors (window), ==, 0);

  /* Off again: disabled and emptied. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.onset-clicks", NULL);
  g_assert_false (vita_click_track_get_enabled (track));
  g_assert_cmpuint (vita_click_track_get_n_times (track), ==, 0);

  vita_gui_test_close (window);
  g_unlink (wav);
  g_unlink (model_path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  if (!vita_gui_test_init (&argc, &argv))
    return 0;
  g_test_add_func ("/app/onset-clicks/toggle", test_toggle);
  return g_test_run ();
}
