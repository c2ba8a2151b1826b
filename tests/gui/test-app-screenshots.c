/* test-app-screenshots.c — the AppStream screenshot (resources/ metainfo) from
 * a demo track: 20 s of Debian's wesnoth-1.16-music "battle" with the bundled default
 * model and its beat/onset peaks as annotations beside it, analysed, the whole window
 * saved as PNG into $VITA_SCREENSHOT_DIR (default: the test's build folder).  Checks
 * that the analysis finished and the picture is not blank.  Skipped without the demo
 * track or the default model.  tools/take-screenshots.sh collects the pictures. */
#include "test-app-harness.h"

#include <glib/gstdio.h>
#include <sndfile.h>
#include <string.h>

#include "dsp/vita-audio.h"

#define DEMO "/usr/share/games/wesnoth/1.16/data/core/music/battle.ogg"

static gboolean
ready (gpointer data)
{
  return vita_window_get_model_path (data) != NULL && !vita_window_is_busy (data) &&
         !vita_window_is_loading_annotations (data);
}

static void
test_main_screenshot (void)
{
  g_autofree char *model = g_build_filename (g_getenv ("VITA_SOURCE_ROOT"), "resources", "models",
                                             "default.safetensors", NULL);
  if (!g_file_test (DEMO, G_FILE_TEST_IS_REGULAR) || !g_file_test (model, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("no demo track (wesnoth-1.16-music) or no default model");
      return;
    }
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = vita_gui_test_tmpdir ();
  /* 20 s from 30 s on, as a WAV the window opens like any file */
  g_autoptr(VitaPcm) pcm = vita_audio_load (DEMO, 22050, NULL, &error);
  g_assert_no_error (error);
  gsize a = 30 * 22050, n = MIN (pcm->n_samples - MIN (a, pcm->n_samples), (gsize) 20 * 22050);
  g_autofree char *wav = g_build_filename (dir, "battle.wav", NULL);
  SF_INFO info = { .samplerate = 22050, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
  SNDFILE *sf = sf_open (wav, SFM_WRITE, &info);
  g_assert_nonnull (sf);
  g_assert_cmpint (sf_writef_float (sf, pcm->samples + a, n), ==, (sf_count_t) n);
  sf_close (sf);

  VitaWindow *window = vita_gui_test_window ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1600, 1000);
  g_autoptr(GFile) mf = g_file_new_for_path (model);
  g_autoptr(GFile) af = g_file_new_for_path (wav);
  vita_window_open_model (window, mf);
  g_assert_true (vita_gui_test_wait (ready, window, 30000));
  vita_window_open_audio (window, af);
  g_assert_true (vita_gui_test_wait (ready, window, 240000));
  g_assert_cmpuint (vita_window_get_n_errors (window), ==, 0);
  vita_gui_test_run_for (2500);  /* the welcome page's cross-fade is over */

  GtkWidget *w = GTK_WIDGET (window);
  int ww = gtk_widget_get_width (w), wh = gtk_widget_get_height (w);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (w);
  GskRenderNode *node = NULL;
  for (int i = 0; i < 100 && node == NULL; i++)
    {
      gtk_widget_queue_draw (w);
      vita_gui_test_run_for (20);
      GtkSnapshot *snap = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, snap, ww, wh);
      node = gtk_snapshot_free_to_node (snap);
    }
  g_assert_nonnull (node);
  cairo_surface_t *shot = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, ww, wh);
  cairo_t *cr = cairo_create (shot);
  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  gsk_render_node_unref (node);
  /* not blank: many distinct colours (panels with data, not "No analysis") */
  cairo_surface_flush (shot);
  const guint8 *px = cairo_image_surface_get_data (shot);
  int stride = cairo_image_surface_get_stride (shot);
  g_autoptr(GHashTable) colours = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (int y = 0; y < wh; y += 3)
    for (int x = 0; x < ww; x += 3)
      {
        guint32 v;
        memcpy (&v, px + (gsize) y * stride + x * 4, 4);
        g_hash_table_add (colours, GUINT_TO_POINTER (v));
      }
  g_test_message ("screenshot %d × %d, %u colours", ww, wh, g_hash_table_size (colours));
  g_assert_cmpuint (g_hash_table_size (colours), >, 500);
  const char *out = g_getenv ("VITA_SCREENSHOT_DIR");
  g_autofree char *path = g_build_filename (out ? out : ".", "main.png", NULL);
  g_assert_cmpint (cairo_surface_write_to_png (shot, path), ==, CAIRO_STATUS_SUCCESS);
  g_test_message ("screenshot: %s", path);
  cairo_surface_destroy (shot);
  vita_gui_test_close (window);
  g_unlink (wav);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  if (!vita_gui_test_init (&argc, &argv))
    return 0;
  g_test_add_func ("/app/screenshots/main", test_main_screenshot);
  return g_test_run ();
}
