/* test-cli-video.c — `vitascope-cli render-video` end to end: a 10 s clip at 30 fps of a
 * session's waveform panel, decoded back with GStreamer: 300 frames, 10 s of audio, and
 * the playhead (its colour) at the x the painter puts it for the frame's time in frames
 * grabbed at known times; bad input refused. */
#include "vita-test.h"

#include "vita-session-file.h"
#include "views/vita-painters.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <math.h>
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>
#include <sndfile.h>

#define W 640
#define H 360
#define FPS 30
#define T0 1.0
#define T1 11.0
/* The playhead clip's font size, given (the default is H / VITA_VIDEO_FONT_DIVISOR):
 * at 8 px VP8 spends its bits elsewhere and the 2-px red line of some frames comes
 * back dark red (157, 53, 56), past the colour test below; the x checked does not
 * depend on it. */
#define FONT_PX 6.0

static char *tmp_root, *session, *views_session, *audio_path;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_root, name, NULL);
}

static void
setup (void)
{
  g_autoptr(GError) error = NULL;
  tmp_root = g_dir_make_tmp ("vita-cli-video-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *model = tmp_path ("model.safetensors");
  VitaCliResult r = vita_test_run_cli ("init-model", model, "--config", "test", "--force", NULL);
  g_assert_cmpint (r.status, ==, 0);
  vita_test_cli_result_clear (&r);
  /* 12 s: a tone with a click every 0.5 s */
  audio_path = tmp_path ("clip.wav");
  SF_INFO info = { .samplerate = 16000, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
  SNDFILE *f = sf_open (audio_path, SFM_WRITE, &info);
  g_assert_nonnull (f);
  gsize n = 12 * 16000;
  g_autofree float *x = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    x[i] = 0.3 * sin (2 * G_PI * 220 * i / 16000.0) + ((i % 8000) < 100 ? 0.5 : 0);
  g_assert_cmpint (sf_writef_float (f, x, n), ==, (sf_count_t) n);
  sf_close (f);
  g_autoptr(VitaSessionState) state = vita_session_state_new ();
  state->audio = vita_session_ref_new (audio_path, NULL);
  g_ptr_array_add (state->models, vita_session_ref_new (model, NULL));
  state->view.sample_rate = 16000;
  state->view.visible_start = 0;
  state->view.visible_end = n;
  session = tmp_path ("s.vitascope");
  g_assert_true (vita_session_file_write (session, state, &error));
  g_assert_no_error (error);
  /* the same with two presentation views (Ctrl+B in the app) */
  VitaSessionNamedView *strip = vita_session_named_view_new ("Strip");
  VitaSessionNamedView *two = vita_session_named_view_new ("Two");
  strip->panels = g_strdupv ((char *[]) { "waveform", NULL });
  two->panels = g_strdupv ((char *[]) { "waveform", "mel", NULL });
  two->view.layer = 1;
  VitaSessionNamedView *square = vita_session_named_view_new ("Square");
  square->panels = g_strdupv ((char *[]) { "mel", "attention", NULL });
  square->view.layer = 1;
  g_ptr_array_add (state->views, strip);
  g_ptr_array_add (state->views, two);
  g_ptr_array_add (state->views, square);
  views_session = tmp_path ("v.vitascope");
  g_assert_true (vita_session_file_write (views_session, state, &error));
  g_assert_no_error (error);
}

typedef struct {
  int      n_frames;
  guint8  *frame[2];     /* RGB of the grabbed frames */
  int      grab[2];      /* their indices */
  gsize    n_audio;      /* samples at audio_rate */
  int      audio_rate;
  GstClockTime last_pts;
} Decoded;

/* Decodes path with decodebin: every video frame (RGB, W × H) and the audio (F32 mono). */
static void
decode (const char *path, Decoded *d)
{
  g_autofree char *desc = g_strdup_printf (
    "filesrc location=\"%s\" ! decodebin name=dec "
    "dec. ! queue ! videoconvert ! video/x-raw,format=RGB ! appsink name=v sync=false "
    "dec. ! queue ! audioconvert ! audioresample ! audio/x-raw,format=F32LE,channels=1 ! appsink name=a sync=false",
    path);
  g_autoptr(GError) error = NULL;
  GstElement *p = gst_parse_launch (desc, &error);
  g_assert_no_error (error);
  GstElement *v = gst_bin_get_by_name (GST_BIN (p), "v"), *a = gst_bin_get_by_name (GST_BIN (p), "a");
  g_assert_cmpint (gst_element_set_state (p, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
  gboolean v_eos = FALSE, a_eos = FALSE;
  while (!v_eos || !a_eos)
    {
      if (!v_eos)
        {
          GstSample *s = gst_app_sink_try_pull_sample (GST_APP_SINK (v), 20 * GST_MSECOND);
          if (s)
            {
              GstBuffer *b = gst_sample_get_buffer (s);
              for (int k = 0; k < 2; k++)
                if (d->n_frames == d->grab[k])
                  {
                    GstMapInfo m;
                    gst_buffer_map (b, &m, GST_MAP_READ);
                    g_assert_cmpuint (m.size, >=, (gsize) W * H * 3);
                    d->frame[k] = g_memdup2 (m.data, (gsize) W * H * 3);
                    gst_buffer_unmap (b, &m);
                  }
              d->last_pts = GST_BUFFER_PTS (b);
              d->n_frames++;
              gst_sample_unref (s);
            }
          else
            v_eos = gst_app_sink_is_eos (GST_APP_SINK (v));
        }
      if (!a_eos)
        {
          GstSample *s = gst_app_sink_try_pull_sample (GST_APP_SINK (a), 20 * GST_MSECOND);
          if (s)
            {
              GstStructure *st = gst_caps_get_structure (gst_sample_get_caps (s), 0);
              gst_structure_get_int (st, "rate", &d->audio_rate);
              d->n_audio += gst_buffer_get_size (gst_sample_get_buffer (s)) / sizeof (float);
              gst_sample_unref (s);
            }
          else
            a_eos = gst_app_sink_is_eos (GST_APP_SINK (a));
        }
      g_autoptr(GstBus) bus = gst_element_get_bus (p);
      g_autoptr(GstMessage) msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
      if (msg)
        {
          g_autoptr(GError) e = NULL;
          gst_message_parse_error (msg, &e, NULL);
          g_error ("decoding %s: %s", path, e->message);
        }
    }
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (v);
  gst_object_unref (a);
  gst_object_unref (p);
}

/* Where the waveform painter puts the playhead at time t, visible [T0, T1], W × H. */
static double
expected_x (double t, double *y_mid)
{
  VitaStyle style;
  vita_style_init (&style);
  style.font_size = FONT_PX;
  VitaTimelineSnapshot snap = { 0 };
  snap.sample_rate = 16000;
  snap.hop = 160;
  snap.n_samples = 12 * 16000;
  snap.position = (gint64) llround (t * 16000);
  snap.visible_start = (gint64) llround (T0 * 16000);
  snap.visible_end = (gint64) llround (T1 * 16000);
  snap.show_playhead = TRUE;
  VitaPaintContext ctx = { .snap = &snap, .style = &style };
  VitaRect area = { 0, 0, W, H }, plot;
  double x = NAN, y = NAN;
  g_assert_true (vita_panel_playhead (VITA_PANEL_WAVEFORM, &area, &ctx, &plot, &x, &y));
  *y_mid = plot.y + plot.height * 0.25;
  return x;
}

/* The centre of the playhead in row y: the mean x of the pixels near its colour
 * (the line is antialiased over 2–3 pixels; VP8 softens it further). */
static double
playhead_column (const guint8 *rgb, int y)
{
  VitaStyle style;
  vita_style_init (&style);
  double sum = 0, n = 0;
  for (int x = 0; x < W; x++)
    {
      const guint8 *p = rgb + ((gsize) y * W + x) * 3;
      double d = 0;
      for (int c = 0; c < 3; c++)
        d += pow (p[c] / 255.0 - style.playhead[c], 2);
      if (d < 0.08)
        sum += x + 0.5, n++;
    }
  g_assert_cmpfloat (n, >=, 1);    /* the colour is there (after VP8) */
  g_assert_cmpfloat (n, <=, 6);    /* and only at the line */
  return sum / n;
}

static void
test_webm (void)
{
  g_autofree char *out = tmp_path ("clip.webm");
  /* every frame of the strip fast path checked against a full repaint, pixel for pixel */
  g_setenv ("VITA_VIDEO_VERIFY", "1", TRUE);
  VitaCliResult r = vita_test_run_cli ("render-video", session, "--from", "1", "--to", "11", "--panel", "waveform",
                      "--font-size", "6", "--out", out, "--size", "640x360", "--fps", "30", NULL);
  if (r.status != 0)
    g_error ("render-video: exit %d: %s", r.status, r.err);
  vita_test_cli_result_clear (&r);
  Decoded d = { .grab = { 30, 150 } };
  decode (out, &d);
  g_assert_cmpint (d.n_frames, ==, 300);
  /* WebM keeps milliseconds: frame 299 at 9.967 s */
  g_assert_cmpfloat (fabs ((double) d.last_pts - 299.0 * GST_SECOND / FPS), <=, GST_MSECOND);
  g_assert_cmpint (d.audio_rate, >, 0);
  double audio_s = (double) d.n_audio / d.audio_rate;
  if (fabs (audio_s - 10.0) > 0.03)
    g_error ("audio: %.4f s, not 10 s", audio_s);
  for (int k = 0; k < 2; k++)
    {
      double t = T0 + (double) d.grab[k] / FPS, y;
      double want = expected_x (t, &y);
      g_assert_nonnull (d.frame[k]);
      double got = playhead_column (d.frame[k], (int) y);
      g_test_message ("frame %d: playhead x %.2f, expected %.2f", d.grab[k], got, want);
      if (fabs (got - want) > 1.0)
        g_error ("frame %d (t = %.3f s): playhead at x = %.2f, expected %.2f", d.grab[k], t, got, want);
      g_free (d.frame[k]);
    }
}

/* The whole view (repainted whole each frame): 1 s at 15 fps. */
static void
test_layout (void)
{
  g_autofree char *out = tmp_path ("layout.webm");
  VitaCliResult r = vita_test_run_cli ("render-video", session, "--from", "2", "--to", "3", "--out", out,
                      "--size", "640x360", "--fps", "15", NULL);
  if (r.status != 0)
    g_error ("render-video (layout): exit %d: %s", r.status, r.err);
  vita_test_cli_result_clear (&r);
  Decoded d = { .grab = { -1, -1 } };
  decode (out, &d);
  g_assert_cmpint (d.n_frames, ==, 15);
  g_assert_cmpfloat (fabs ((double) d.n_audio / d.audio_rate - 1.0), <, 0.03);
}

/* --dark: dark panels (exports are light unless asked) */
static void
test_dark (void)
{
  g_autofree char *out = tmp_path ("dark.webm");
  VitaCliResult r = vita_test_run_cli ("render-video", session, "--from", "2", "--to", "3", "--panel", "waveform",
                                       "--dark", "--out", out, "--size", "640x360", "--fps", "15", NULL);
  if (r.status != 0)
    g_error ("render-video --dark: exit %d: %s", r.status, r.err);
  vita_test_cli_result_clear (&r);
  Decoded d = { .grab = { 0, -1 } };
  decode (out, &d);
  g_assert_cmpint (d.n_frames, ==, 15);
  g_assert_nonnull (d.frame[0]);
  const guint8 *corner = d.frame[0] + ((gsize) 4 * W + 4) * 3;   /* the background */
  g_assert_cmpint (corner[0] + corner[1] + corner[2], <, 3 * 80);
  g_free (d.frame[0]);
  g_unlink (out);
}

/* --view NAME: a view of the session (two panels, then one); an unknown name is refused
 * with the names there are. */
static void
test_view (void)
{
  static const char *const views[] = { "Two", "Strip", "Square" };
  /* the strips are painted once without the playhead, then only the playheads per
   * frame; the attention map (beside the mel) whole in its area; each frame the same
   * as a full repaint */
  static const char *const strips[] = { "(2 strips drawn once, the playhead per frame; 0 other panels",
                                        "(1 strip drawn once, the playhead per frame; 0 other panels",
                                        "(1 strip drawn once, the playhead per frame; 1 other panel " };
  g_setenv ("VITA_VIDEO_VERIFY", "1", TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      g_autofree char *out = tmp_path ("view.webm");
      VitaCliResult r = vita_test_run_cli ("render-video", views_session, "--from", "2", "--to", "3",
                                           "--view", views[i], "--out", out, "--size", "640x360",
                                           "--fps", "15", NULL);
      if (r.status != 0)
        g_error ("render-video --view %s: exit %d: %s", views[i], r.status, r.err);
      g_assert_nonnull (strstr (r.err, strips[i]));
      vita_test_cli_result_clear (&r);
      Decoded d = { .grab = { -1, -1 } };
      decode (out, &d);
      g_assert_cmpint (d.n_frames, ==, 15);
      g_unlink (out);
    }
  g_autofree char *out = tmp_path ("view.webm");
  VitaCliResult r = vita_test_run_cli ("render-video", views_session, "--from", "2", "--to", "3",
                                       "--view", "Nope", "--out", out, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "no view “Nope”"));
  g_assert_nonnull (strstr (r.err, "“Strip”"));
  vita_test_cli_result_clear (&r);
  r = vita_test_run_cli ("render-video", session, "--from", "2", "--to", "3", "--view", "Two",
                         "--out", out, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "has no views"));
  vita_test_cli_result_clear (&r);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
}

static void
rm_rf (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
      const char *name;
      while (d && (name = g_dir_read_name (d)))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          rm_rf (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
assert_refused (VitaCliResult r, int status, const char *needle)
{
  if (r.status != status || strstr (r.err, needle) == NULL)
    g_error ("expected exit %d with “%s”, got %d: %s", status, needle, r.status, r.err);
  vita_test_cli_result_clear (&r);
}

static void
test_bad_input (void)
{
  g_autofree char *out = tmp_path ("bad.webm");
  assert_refused (vita_test_run_cli ("render-video", session, "--to", "2", "--out", out, NULL), 2, "--from");
  assert_refused (vita_test_run_cli ("render-video", session, "--from", "3", "--to", "2", "--out", out, NULL), 2, "before --to");
  g_autofree char *avi = tmp_path ("bad.avi");
  assert_refused (vita_test_run_cli ("render-video", session, "--from", "0", "--to", "2", "--out", avi, NULL), 2, ".webm");
  assert_refused (vita_test_run_cli ("render-video", session, "--from", "0", "--to", "2", "--out", out,
                           "--size", "640by360", NULL), 2, "--size");
  assert_refused (vita_test_run_cli ("render-video", session, "--from", "0", "--to", "20", "--out", out, NULL), 1,
                  "clip.wav is 12.000 s long");
  g_autofree char *missing = tmp_path ("missing.vitascope");
  assert_refused (vita_test_run_cli ("render-video", missing, "--from", "0", "--to", "2", "--out", out, NULL), 1,
                  "missing.vitascope");
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  /* no partial file left in the folder */
  g_autoptr(GDir) dir = g_dir_open (tmp_root, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name (dir)))
    g_assert_null (strstr (name, ".part-"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gst_init (NULL, NULL);
  setup ();
  g_test_add_func ("/render-video/webm", test_webm);
  g_test_add_func ("/render-video/view", test_view);
  g_test_add_func ("/render-video/dark", test_dark);
  g_test_add_func ("/render-video/layout", test_layout);
  g_test_add_func ("/render-video/bad-input", test_bad_input);
  int status = g_test_run ();
  if (status == 0)
    rm_rf (tmp_root);
  return status;
}
