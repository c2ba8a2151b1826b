/* test-cli-render-session.c — `vitascope-cli render SESSION.vitascope` draws what the
 * app draws: the session's annotation files over the waveform (the layers its
 * Annotation Layers menu showed), and the whole view in the session's arrangement
 * (order and the panels shown). */
#include <glib.h>
#include <glib/gstdio.h>
#include <cairo.h>
#include <math.h>
#include <sndfile.h>

#include "vita-test.h"
#include "vita-session-file.h"
#include "views/vita-painters.h"

static char *tmp_root, *model, *audio, *lab;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_root, name, NULL);
}

static void
setup (void)
{
  g_autoptr(GError) error = NULL;

  tmp_root = g_dir_make_tmp ("vita-cli-render-session-XXXXXX", &error);
  g_assert_no_error (error);
  model = tmp_path ("model.safetensors");
  VitaCliResult r = vita_test_run_cli ("init-model", model, "--config", "test", "--force", NULL);
  g_assert_cmpint (r.status, ==, 0);
  vita_test_cli_result_clear (&r);
  audio = tmp_path ("clip.wav");
  SF_INFO info = { .samplerate = 16000, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
  SNDFILE *f = sf_open (audio, SFM_WRITE, &info);
  g_assert_nonnull (f);
  gsize n = 8 * 16000;
  g_autofree float *x = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    x[i] = 0.3 * sin (2 * G_PI * 220 * i / 16000.0) + ((i % 8000) < 100 ? 0.5 : 0);
  g_assert_cmpint (sf_writef_float (f, x, n), ==, (sf_count_t) n);
  sf_close (f);
  lab = tmp_path ("clip.lab");
  g_assert_true (g_file_set_contents (lab, "0.0 4.0 C:maj\n4.0 8.0 A:min\n", -1, NULL));
}

/* A session of the clip: its annotations with `layers` shown (NULL: not recorded),
 * and `first` then `second` as the only panels shown (NULL: no arrangement). */
static char *
write_session (const char *name, const char *const *layers, const char *first, const char *second)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaSessionState) state = vita_session_state_new ();
  char *path = tmp_path (name);

  state->audio = vita_session_ref_new (audio, NULL);
  g_ptr_array_add (state->models, vita_session_ref_new (model, NULL));
  g_ptr_array_add (state->annotations, vita_session_ref_new (lab, NULL));
  state->annotation_layers = layers ? g_strdupv ((char **) layers) : NULL;
  state->view.sample_rate = 16000;
  state->view.visible_end = 8 * 16000;
  if (first != NULL)
    {
      const char *names[] = { first, second };
      for (int i = 0; i < 2; i++)
        {
          VitaSessionPanel *p = g_new0 (VitaSessionPanel, 1);
          p->name = g_strdup (names[i]);
          p->visible = TRUE;
          g_ptr_array_add (state->panels, p);
        }
      for (int p = 0; p < vita_panel_count (); p++)
        if (p != VITA_PANEL_LAYOUT && !g_str_equal (vita_panel_to_string (p), first) &&
            !g_str_equal (vita_panel_to_string (p), second))
          {
            VitaSessionPanel *sp = g_new0 (VitaSessionPanel, 1);
            sp->name = g_strdup (vita_panel_to_string (p));
            sp->visible = FALSE;
            g_ptr_array_add (state->panels, sp);
          }
    }
  g_assert_true (vita_session_file_write (path, state, &error));
  g_assert_no_error (error);
  return path;
}

static void
render (const char *session, const char *panel, const char *out)
{
  VitaCliResult r = panel ? vita_test_run_cli ("render", session, "--panel", panel, "--out", out, NULL)
                          : vita_test_run_cli ("render", session, "--out", out, NULL);
  if (r.status != 0)
    g_error ("render %s: exit %d: %s", session, r.status, r.err);
  vita_test_cli_result_clear (&r);
}

/* Pixels within 24 of the chord strip's colour (views/vita-annotation-layers.c). */
static int
chord_pixels (const char *png)
{
  cairo_surface_t *img = cairo_image_surface_create_from_png (png);
  int n = 0;

  g_assert_cmpint (cairo_surface_status (img), ==, CAIRO_STATUS_SUCCESS);
  int w = cairo_image_surface_get_width (img), h = cairo_image_surface_get_height (img);
  int stride = cairo_image_surface_get_stride (img);
  const guint8 *data = cairo_image_surface_get_data (img);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint32 px = *(const guint32 *) (data + (gsize) y * stride + 4 * x);
        n += ABS ((int) ((px >> 16) & 0xff) - 255) <= 24 && ABS ((int) ((px >> 8) & 0xff) - 217) <= 24 &&
             ABS ((int) (px & 0xff) - 64) <= 24;
      }
  cairo_surface_destroy (img);
  return n;
}

/* Mean luminance of the top (half 0) or bottom (half 1) half of a PNG. */
static double
half_luminance (const char *png, int half)
{
  cairo_surface_t *img = cairo_image_surface_create_from_png (png);
  int w = cairo_image_surface_get_width (img), h = cairo_image_surface_get_height (img);
  int stride = cairo_image_surface_get_stride (img);
  const guint8 *data = cairo_image_surface_get_data (img);
  double sum = 0;
  int n = 0;

  for (int y = half * h / 2; y < (half + 1) * h / 2; y++)
    for (int x = 0; x < w; x++, n++)
      {
        guint32 px = *(const guint32 *) (data + (gsize) y * stride + 4 * x);
        sum += 0.299 * ((px >> 16) & 0xff) + 0.587 * ((px >> 8) & 0xff) + 0.114 * (px & 0xff);
      }
  cairo_surface_destroy (img);
  return sum / MAX (n, 1);
}

static void
test_annotations (void)
{
  const char *const all[] = { "chords", "beats", "onsets", "key", NULL };
  const char *const beats_only[] = { "beats", NULL };
  g_autofree char *shown = write_session ("shown.vitascope", all, NULL, NULL);
  g_autofree char *old = write_session ("old.vitascope", NULL, NULL, NULL);
  g_autofree char *hidden = write_session ("hidden.vitascope", beats_only, NULL, NULL);
  g_autofree char *out = tmp_path ("wave.png");

  render (shown, "waveform", out);
  g_test_message ("waveform with chords: %d chord pixels", chord_pixels (out));
  g_assert_cmpint (chord_pixels (out), >, 100);
  render (old, "mel", out);        /* a session from before the layers were saved: all */
  g_assert_cmpint (chord_pixels (out), >, 100);
  render (hidden, "waveform", out);
  g_assert_cmpint (chord_pixels (out), ==, 0);
}

static void
test_arrangement (void)
{
  const char *const none[] = { NULL };
  g_autofree char *mel_first = write_session ("mel-first.vitascope", none, "mel", "waveform");
  g_autofree char *wave_first = write_session ("wave-first.vitascope", none, "waveform", "mel");
  g_autofree char *a = tmp_path ("mel-first.png"), *b = tmp_path ("wave-first.png");

  render (mel_first, NULL, a);
  render (wave_first, NULL, b);
  g_test_message ("top/bottom luminance: mel first %.0f/%.0f, waveform first %.0f/%.0f",
                  half_luminance (a, 0), half_luminance (a, 1), half_luminance (b, 0), half_luminance (b, 1));
  /* the mel spectrogram (dark on viridis) on top in the first, at the bottom in the second */
  g_assert_cmpfloat (half_luminance (a, 0), <, half_luminance (b, 0) - 10);
  g_assert_cmpfloat (half_luminance (a, 1), >, half_luminance (b, 1) + 10);
}

/* The CKA matrix (a few layers) in a paper figure: compact, not a column-wide square. */
static void
test_cka_size (void)
{
  g_autofree char *session = write_session ("cka.vitascope", NULL, NULL, NULL);
  g_autofree char *out = tmp_path ("cka.png");
  VitaCliResult r = vita_test_run_cli ("render", session, "--panel", "cka", "--size", "double-column",
                                       "--out", out, NULL);
  if (r.status != 0)
    g_error ("render --panel cka: exit %d: %s", r.status, r.err);
  vita_test_cli_result_clear (&r);
  cairo_surface_t *img = cairo_image_surface_create_from_png (out);
  int w = cairo_image_surface_get_width (img), h = cairo_image_surface_get_height (img);
  cairo_surface_destroy (img);
  g_test_message ("CKA at double-column: %d x %d px", w, h);
  g_assert_cmpint (h, <, 0.45 * w);
}

/* Near-white pixels in the left (half 0) or right (half 1) half of a PNG. */
static int
half_white (const char *png, int half)
{
  cairo_surface_t *img = cairo_image_surface_create_from_png (png);
  int w = cairo_image_surface_get_width (img), h = cairo_image_surface_get_height (img);
  int stride = cairo_image_surface_get_stride (img);
  const guint8 *data = cairo_image_surface_get_data (img);
  int n = 0;

  for (int y = 0; y < h; y++)
    for (int x = half * w / 2; x < (half + 1) * w / 2; x++)
      {
        guint32 px = *(const guint32 *) (data + (gsize) y * stride + 4 * x);
        n += ((px >> 16) & 0xff) > 245 && ((px >> 8) & 0xff) > 245 && (px & 0xff) > 245;
      }
  cairo_surface_destroy (img);
  return n;
}

/* A comparison's CKA panel draws both sides whole: side B's lower triangle (the whole
 * track's layer similarity) as the app's side B has it, not left blank. */
static void
test_compare_cka (void)
{
  g_autofree char *path = tmp_path ("compare.vitascope");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(VitaSessionState) state = vita_session_state_new ();
    state->audio = vita_session_ref_new (audio, NULL);
    g_ptr_array_add (state->models, vita_session_ref_new (model, NULL));
    state->view.sample_rate = 16000;
    state->view.visible_end = 8 * 16000;
    state->compare = g_new0 (VitaSessionCompare, 1);
    state->compare->kind = 1;   /* the random-init twin */
    state->compare->seed = 3;
    g_assert_true (vita_session_file_write (path, state, &error));
    g_assert_no_error (error);
  }
  g_autofree char *out = tmp_path ("compare-cka.png");
  VitaCliResult r = vita_test_run_cli ("render", path, "--panel", "cka", "--size", "double-column",
                                       "--no-title", "--no-playhead", "--out", out, NULL);
  if (r.status != 0)
    g_error ("render --panel cka: exit %d: %s", r.status, r.err);
  vita_test_cli_result_clear (&r);
  int a = half_white (out, 0), b = half_white (out, 1);
  g_test_message ("near-white pixels: side A %d, side B %d", a, b);
  /* B's half holds the shared colorbar as well: less white than A's (by 18 k pixels
   * here), unless its lower triangle is blank (then 16 k more than A's) */
  g_assert_cmpint (b, <, a);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  setup ();
  g_test_add_func ("/render-session/annotations", test_annotations);
  g_test_add_func ("/render-session/arrangement", test_arrangement);
  g_test_add_func ("/render-session/cka-size", test_cka_size);
  g_test_add_func ("/render-session/compare-cka", test_compare_cka);
  int status = g_test_run ();
  if (g_getenv ("VITA_TEST_KEEP") == NULL)
    {
      g_autoptr(GDir) d = g_dir_open (tmp_root, 0, NULL);
      const char *name;
      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *path = tmp_path (name);
          g_unlink (path);
        }
      g_rmdir (tmp_root);
    }
  return status;
}
