/* test-gst-decode.c — the GStreamer fallback decoder (app/vita-gst-decode.c):
 * an M4A/AAC file made at test time (audiotestsrc ! avenc_aac ! mp4mux) decodes
 * through vita_audio_load once the fallback is registered; a WAV decodes through
 * GStreamer exactly as through libsndfile; bad files give errors naming the file. */
#include "vita-gst-decode.h"
#include "vita-test.h"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <math.h>
#include <sndfile.h>
#include <string.h>

static char *tmpdir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

static void
assert_error_names_file (const GError *error, const char *path)
{
  g_assert_nonnull (error);
  g_autofree char *base = g_path_get_basename (path);
  g_test_message ("error: %s", error->message);
  if (strstr (error->message, base) == NULL)
    g_error ("error message does not name the file %s: %s", base, error->message);
}

/* Encodes `seconds` of a 440 Hz stereo tone at 44.1 kHz to AAC in MP4; FALSE
 * (with the reason) when an element is missing. */
static gboolean
make_m4a (const char *path, double seconds, char **why)
{
  static const char *needed[] = { "audiotestsrc", "audioconvert", "avenc_aac", "mp4mux", "filesink" };
  for (guint i = 0; i < G_N_ELEMENTS (needed); i++)
    {
      g_autoptr(GstElementFactory) f = gst_element_factory_find (needed[i]);
      if (f == NULL)
        {
          *why = g_strdup_printf ("GStreamer element %s is not installed (gstreamer1.0-libav / -plugins-good)",
                                  needed[i]);
          return FALSE;
        }
    }
  int buffers = (int) ceil (seconds * 44100 / 1024);
  g_autofree char *desc = g_strdup_printf (
      "audiotestsrc num-buffers=%d samplesperbuffer=1024 freq=440 volume=0.5 "
      "! audio/x-raw,rate=44100,channels=2 ! audioconvert ! avenc_aac ! mp4mux "
      "! filesink name=out", buffers);
  g_autoptr(GError) error = NULL;
  GstElement *pipe = gst_parse_launch (desc, &error);
  g_assert_no_error (error);
  GstElement *out = gst_bin_get_by_name (GST_BIN (pipe), "out");
  g_object_set (out, "location", path, NULL);
  gst_object_unref (out);
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  GstBus *bus = gst_element_get_bus (pipe);
  GstMessage *msg = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
                                                GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gboolean ok = msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS;
  if (!ok)
    {
      GError *e = NULL;
      if (msg)
        gst_message_parse_error (msg, &e, NULL);
      *why = g_strdup_printf ("encoding the M4A fixture failed: %s", e ? e->message : "timeout");
      g_clear_error (&e);
    }
  if (msg)
    gst_message_unref (msg);
  gst_object_unref (bus);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (pipe);
  return ok;
}

static void
test_m4a (void)
{
  g_autofree char *path = tmp_path ("tone.m4a");
  g_autofree char *why = NULL;
  if (!make_m4a (path, 2.0, &why))
    {
      g_test_skip (why);
      return;
    }
  /* without the fallback: libsndfile refuses it, naming the file */
  vita_audio_set_fallback_decoder (NULL);
  g_autoptr(GError) error = NULL;
  g_assert_null (vita_audio_load (path, 16000, NULL, &error));
  assert_error_names_file (error, path);
  g_clear_error (&error);

  vita_gst_decode_register ();
  g_autoptr(VitaPcm) pcm = vita_audio_load (path, 16000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pcm->source_rate, ==, 44100);
  g_assert_cmpint (pcm->source_channels, ==, 2);
  g_assert_cmpint (pcm->sample_rate, ==, 16000);
  g_test_message ("M4A: %.3f s, %zu samples at 16 kHz", pcm->duration, pcm->n_samples);
  /* AAC adds priming/padding: 2 s ± 0.1 s */
  g_assert_cmpfloat (fabs (pcm->duration - 2.0), <, 0.1);
  /* a 440 Hz tone of amplitude 0.5: rms ≈ 0.354 in the middle */
  double rms = 0;
  gsize a = pcm->n_samples / 4, b = 3 * pcm->n_samples / 4;
  for (gsize i = a; i < b; i++)
    rms += (double) pcm->samples[i] * pcm->samples[i];
  rms = sqrt (rms / (b - a));
  g_test_message ("M4A: rms %.4f", rms);
  g_assert_cmpfloat (fabs (rms - 0.5 / sqrt (2)), <, 0.02);
  /* zero crossings: 440 Hz → 880 per second */
  gsize zc = 0;
  for (gsize i = a + 1; i < b; i++)
    zc += (pcm->samples[i - 1] < 0) != (pcm->samples[i] < 0);
  double hz = zc / 2.0 / ((double) (b - a) / 16000);
  g_test_message ("M4A: %.1f Hz by zero crossings", hz);
  g_assert_cmpfloat (fabs (hz - 440), <, 5);

  /* the duration limit holds in the GStreamer path too */
  vita_audio_set_max_duration (1.0);
  g_assert_null (vita_audio_load (path, 16000, NULL, &error));
  g_assert_error (error, VITA_DSP_ERROR, VITA_DSP_ERROR_TOO_LONG);
  assert_error_names_file (error, path);
  g_clear_error (&error);
  vita_audio_set_max_duration (10800);

  /* cancellation */
  g_autoptr(GCancellable) c = g_cancellable_new ();
  g_cancellable_cancel (c);
  g_assert_null (vita_gst_decode (path, c, &error));
  g_assert_error (error, VITA_DSP_ERROR, VITA_DSP_ERROR_CANCELLED);
  g_clear_error (&error);

  /* truncated M4A (the moov atom is at the end: cut it off) */
  g_autofree char *bytes = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
  g_autofree char *cut = tmp_path ("cut.m4a");
  g_assert_true (g_file_set_contents (cut, bytes, (gssize) (len / 2), NULL));
  g_autoptr(VitaPcm) pc = vita_audio_load (cut, 16000, NULL, &error);
  if (pc == NULL)
    assert_error_names_file (error, cut);
  else
    g_assert_cmpuint (pc->n_samples, <=, pcm->n_samples);
  g_clear_error (&error);
  vita_audio_set_fallback_decoder (NULL);
}

/* The streamed fallback (what the app registers): resampled as it comes and, for a
 * long track, written to the mapped PCM cache file; bit for bit the samples of the
 * whole-buffer path (vita_gst_decode, then vita_resample). */
static void
test_stream_mapped (void)
{
  g_autofree char *path = tmp_path ("stream.m4a");
  g_autofree char *why = NULL;
  if (!make_m4a (path, 6.0, &why))
    {
      g_test_skip (why);
      return;
    }
  vita_gst_decode_register ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaPcm) whole = vita_gst_decode (path, NULL, &error);
  g_assert_no_error (error);
  gsize n = 0;
  g_autofree float *want = vita_resample (whole->samples, whole->n_samples, whole->sample_rate,
                                          16000, &n, &error);
  g_assert_no_error (error);
  for (int mapped = 0; mapped < 2; mapped++)
    {
      /* 6 s at 16 kHz is 384 kB: over a 64 kB threshold it goes to the cache file */
      vita_audio_set_map_threshold (mapped ? 65536 : G_MAXSIZE);
      g_autoptr(VitaPcm) pcm = vita_audio_load (path, 16000, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (pcm->mapped_bytes > 0, ==, mapped);
      g_assert_cmpint (pcm->source_rate, ==, 44100);
      g_assert_cmpint (pcm->source_channels, ==, 2);
      g_assert_cmpmem (pcm->samples, pcm->n_samples * sizeof (float), want, n * sizeof (float));
    }
  vita_audio_set_map_threshold (G_MAXSIZE);
}

/* GStreamer and libsndfile decode the same WAV to the same mono samples. */
static void
test_wav_same_as_sndfile (void)
{
  vita_gst_decode_register ();
  const int rate = 22050;
  const gsize frames = rate;
  g_autofree float *x = g_new (float, frames * 2);
  for (gsize i = 0; i < frames; i++)
    {
      x[2 * i] = (float) (0.5 * sin (i * 0.05));
      x[2 * i + 1] = (float) (0.25 * sin (i * 0.31));
    }
  g_autofree char *path = tmp_path ("stereo.wav");
  SF_INFO info = { .samplerate = rate, .channels = 2, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
  SNDFILE *sf = sf_open (path, SFM_WRITE, &info);
  g_assert_nonnull (sf);
  sf_writef_float (sf, x, (sf_count_t) frames);
  sf_close (sf);
  g_autoptr(GError) error = NULL;
  g_autoptr(VitaPcm) g = vita_gst_decode (path, NULL, &error);
  g_assert_no_error (error);
  g_autoptr(VitaPcm) s = vita_audio_load (path, rate, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g->sample_rate, ==, rate);
  g_assert_cmpint (g->source_channels, ==, 2);
  g_assert_cmpuint (g->n_samples, ==, s->n_samples);
  vita_test_assert_close ("GStreamer vs libsndfile", g->samples, s->samples, s->n_samples, 1e-7);
}

static void
test_bad (void)
{
  vita_gst_decode_register ();
  g_autofree char *text = tmp_path ("readme.m4a");
  g_assert_true (g_file_set_contents (text, "plain text, not audio\n", -1, NULL));
  g_autoptr(GError) error = NULL;
  g_assert_null (vita_gst_decode (text, NULL, &error));
  assert_error_names_file (error, text);
  g_clear_error (&error);
  /* through vita_audio_load: both decoders named in one message */
  vita_audio_set_fallback_decoder (vita_gst_decode);
  g_assert_null (vita_audio_load (text, 16000, NULL, &error));
  assert_error_names_file (error, text);
  g_clear_error (&error);
  g_autofree char *missing = tmp_path ("missing.m4a");
  g_assert_null (vita_gst_decode (missing, NULL, &error));
  assert_error_names_file (error, missing);
  vita_audio_set_fallback_decoder (NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  tmpdir = g_dir_make_tmp ("vita-test-gst-XXXXXX", NULL);
  g_test_add_func ("/gst-decode/m4a", test_m4a);
  g_test_add_func ("/gst-decode/wav", test_wav_same_as_sndfile);
  g_test_add_func ("/gst-decode/stream-mapped", test_stream_mapped);
  g_test_add_func ("/gst-decode/bad", test_bad);
  int ret = g_test_run ();
  GDir *d = g_dir_open (tmpdir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = tmp_path (name);
      g_unlink (p);
    }
  if (d)
    g_dir_close (d);
  g_rmdir (tmpdir);
  g_free (tmpdir);
  return ret;
}
