/* test-app-clicks.c — onset clicks mixed into playback (app/vita-click-track.h):
 * the pure mixer on synthetic buffers, the segment/PTS → sample mapping after a
 * seek, a loop (segment base) and a rate change, and a real pipeline with a
 * flushing seek. */
#include <math.h>
#include <string.h>
#include <gst/gst.h>
#include <gst/audio/audio.h>

#include "vita-click-track.h"

#define RATE 44100

/* Index of the first sample after from whose |value| exceeds 1e-6, or -1. */
static gssize
first_nonzero (const float *x, gsize n, gsize from, int channels)
{
  for (gsize i = from; i < n; i++)
    if (fabsf (x[i * channels]) > 1e-6f)
      return (gssize) i;
  return -1;
}

static void
test_click_shape (void)
{
  gsize len = vita_click_length (RATE);
  g_assert_cmpuint (len, ==, 441);              /* 10 ms */
  g_assert_cmpfloat_with_epsilon (vita_click_sample (0, RATE), VITA_CLICK_AMPLITUDE, 1e-6);
  g_assert_cmpfloat (vita_click_sample (len, RATE), ==, 0.0f);
  /* Decays: the last sample is far below the first. */
  g_assert_cmpfloat (fabsf (vita_click_sample (len - 1, RATE)), <, 0.01f);
  /* 2 kHz: a half period later (11.025 samples) the sign has flipped. */
  g_assert_cmpfloat (vita_click_sample (11, RATE), <, 0.0f);
}

static void
test_mix_offsets (void)
{
  const gsize n = 4096;
  const int ch = 2;
  float *x = g_new0 (float, n * ch);
  gint64 clicks[] = { 1000 + 100, 1000 + 2000, 1000 + 5000 /* beyond */ };
  gsize len = vita_click_length (RATE);

  vita_click_mix (clicks, G_N_ELEMENTS (clicks), 1000, x, n, ch, RATE);
  g_assert_cmpint (first_nonzero (x, n, 0, ch), ==, 100);
  g_assert_cmpint (first_nonzero (x, n, 100 + len, ch), ==, 2000);
  g_assert_cmpint (first_nonzero (x, n, 2000 + len, ch), ==, -1);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat (x[i * ch], ==, x[i * ch + 1]);
  g_assert_cmpfloat_with_epsilon (x[100 * ch], VITA_CLICK_AMPLITUDE, 1e-6);
  g_assert_cmpfloat_with_epsilon (x[(100 + 7) * ch], vita_click_sample (7, RATE), 1e-7);
  g_free (x);
}

/* Mixing buffer by buffer (odd sizes, clicks straddling boundaries) equals mixing
 * the whole stream at once. */
static void
test_mix_split (void)
{
  const gsize n = 3000;
  float *whole = g_new0 (float, n), *parts = g_new0 (float, n);
  gint64 clicks[] = { 0, 250, 256, 1020, 2990 };
  gsize sizes[] = { 256, 17, 1000, 1, 1726 };
  gsize at = 0;

  vita_click_mix (clicks, G_N_ELEMENTS (clicks), 0, whole, n, 1, RATE);
  for (gsize b = 0; b < G_N_ELEMENTS (sizes); b++)
    {
      vita_click_mix (clicks, G_N_ELEMENTS (clicks), (gint64) at, parts + at, sizes[b], 1, RATE);
      at += sizes[b];
    }
  g_assert_cmpuint (at, ==, n);
  g_assert_cmpmem (whole, n * sizeof (float), parts, n * sizeof (float));
  g_assert_cmpfloat (fabsf (whole[2999]), >, 0.1f);
  g_free (whole);
  g_free (parts);
}

static GstBuffer *
silent_buffer (gsize frames, int channels, GstClockTime pts)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, frames * channels * sizeof (float), NULL);
  gst_buffer_memset (buf, 0, 0, frames * channels * sizeof (float));
  GST_BUFFER_PTS (buf) = pts;
  return buf;
}

/* Processes one buffer of 4096 frames at pts in segment; returns the first
 * click's offset in the buffer (-1: none) and the clicks counted. */
static gssize
process_one (VitaClickTrack *track, const GstSegment *seg, GstClockTime pts, guint *touched)
{
  GstAudioInfo info;
  GstBuffer *buf = silent_buffer (4096, 1, pts);
  GstMapInfo map;
  gssize off;

  gst_audio_info_set_format (&info, GST_AUDIO_FORMAT_F32, RATE, 1, NULL);
  *touched = vita_click_track_process (track, seg, &info, &buf);
  g_assert_true (gst_buffer_map (buf, &map, GST_MAP_READ));
  off = first_nonzero ((const float *) map.data, 4096, 0, 1);
  gst_buffer_unmap (buf, &map);
  gst_buffer_unref (buf);
  return off;
}

static void
test_process_segments (void)
{
  g_autoptr(VitaClickTrack) track = vita_click_track_new ();
  double times[] = { 3.0, 1.3, 2.55 };  /* unsorted on purpose */
  GstSegment seg;
  guint touched = 0;

  vita_click_track_set_times (track, times, G_N_ELEMENTS (times));
  g_assert_cmpuint (vita_click_track_get_n_times (track), ==, 3);

  /* Disabled: untouched. */
  gst_segment_init (&seg, GST_FORMAT_TIME);
  g_assert_cmpint (process_one (track, &seg, 1250 * GST_MSECOND, &touched), ==, -1);
  g_assert_cmpuint (touched, ==, 0);
  vita_click_track_set_enabled (track, TRUE);

  /* From the start: click at 1.3 s in a buffer at 1.25 s → offset 0.05 s. */
  g_assert_cmpint (process_one (track, &seg, 1250 * GST_MSECOND, &touched), ==,
                   (gssize) llround (0.05 * RATE));
  g_assert_cmpuint (touched, ==, 1);

  /* After a flushing seek to 2.5 s at rate 2 (upstream of the tempo filter the
   * buffers keep media timestamps): click at 2.55 s → offset 0.05 s. */
  gst_segment_init (&seg, GST_FORMAT_TIME);
  gst_segment_do_seek (&seg, 2.0, GST_FORMAT_TIME, GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE,
                       GST_SEEK_TYPE_SET, 2500 * GST_MSECOND, GST_SEEK_TYPE_NONE, 0, NULL);
  g_assert_cmpint (process_one (track, &seg, 2500 * GST_MSECOND, &touched), ==,
                   (gssize) llround (0.05 * RATE));

  /* A loop: the segment seek back to 1.26 s accumulates running time in base; the
   * click mapping follows stream time, not running time. */
  seg.base = 40 * GST_SECOND;
  seg.start = seg.time = seg.position = 1260 * GST_MSECOND;
  g_assert_cmpint (process_one (track, &seg, 1260 * GST_MSECOND, &touched), ==,
                   (gssize) llround (0.04 * RATE));

  /* A segment whose time differs from start (stream time = pts - start + time). */
  seg.base = 0;
  seg.start = 10 * GST_SECOND;
  seg.time = 2930 * GST_MSECOND;
  seg.position = seg.start;
  seg.stop = GST_CLOCK_TIME_NONE;
  g_assert_cmpint (process_one (track, &seg, 10 * GST_SECOND, &touched), ==,
                   (gssize) llround (0.07 * RATE));

  /* The tail of a click that began before the buffer is mixed too. */
  gst_segment_init (&seg, GST_FORMAT_TIME);
  g_assert_cmpint (process_one (track, &seg, 1305 * GST_MSECOND, &touched), ==, 0);
  g_assert_cmpuint (touched, ==, 1);

  /* Cleared: untouched. */
  vita_click_track_set_times (track, NULL, 0);
  g_assert_cmpint (process_one (track, &seg, 1250 * GST_MSECOND, &touched), ==, -1);
}

/* A real pipeline: silence through the click filter, a flushing accurate seek to
 * 1 s, clicks at 0.5 (before: never heard), 1.5 and 2.0 s.  In running time (what
 * the listener hears) they arrive 0.5 and 1.0 s after the seek. */
typedef struct { GArray *onsets; gint64 last_nonzero; } Heard;

static void
on_handoff (GstElement *sink, GstBuffer *buf, GstPad *pad, gpointer user_data)
{
  Heard *h = user_data;
  g_autoptr(GstEvent) ev = gst_pad_get_sticky_event (pad, GST_EVENT_SEGMENT, 0);
  const GstSegment *seg;
  GstMapInfo map;

  g_assert_nonnull (ev);
  gst_event_parse_segment (ev, &seg);
  guint64 rt = gst_segment_to_running_time (seg, GST_FORMAT_TIME, GST_BUFFER_PTS (buf));
  gint64 first = (gint64) gst_util_uint64_scale_round (rt, RATE, GST_SECOND);
  g_assert_true (gst_buffer_map (buf, &map, GST_MAP_READ));
  const float *x = (const float *) map.data;
  gsize n = map.size / sizeof (float);
  for (gsize i = 0; i < n; i++)
    if (fabsf (x[i]) > 1e-6f)
      {
        gint64 s = first + (gint64) i;
        if (h->last_nonzero < 0 || s > h->last_nonzero + (gint64) vita_click_length (RATE))
          g_array_append_val (h->onsets, s);
        h->last_nonzero = s;
      }
  gst_buffer_unmap (buf, &map);
}

static void
test_pipeline_seek (void)
{
  g_autoptr(VitaClickTrack) track = vita_click_track_new ();
  double times[] = { 0.5, 1.5, 2.0 };
  g_autoptr(GError) error = NULL;
  GstElement *pipe = gst_parse_launch (
      "audiotestsrc name=src wave=silence samplesperbuffer=1000 "
      "! audio/x-raw,format=S16LE,rate=44100,channels=1 ! queue name=q "
      "! fakesink name=sink sync=false signal-handoffs=true", &error);
  g_assert_no_error (error);
  Heard heard = { g_array_new (FALSE, FALSE, sizeof (gint64)), -1 };

  vita_click_track_set_times (track, times, 3);
  vita_click_track_set_enabled (track, TRUE);
  /* Put the click filter between the queue and the sink. */
  GstElement *q = gst_bin_get_by_name (GST_BIN (pipe), "q");
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  GstElement *filter = vita_click_track_make_filter (track, NULL);
  g_assert_nonnull (filter);
  gst_element_unlink (q, sink);
  gst_bin_add (GST_BIN (pipe), filter);
  g_assert_true (gst_element_link_many (q, filter, sink, NULL));
  g_signal_connect (sink, "handoff", G_CALLBACK (on_handoff), &heard);

  g_assert_cmpint (gst_element_set_state (pipe, GST_STATE_PAUSED), !=, GST_STATE_CHANGE_FAILURE);
  g_assert_cmpint (gst_element_get_state (pipe, NULL, NULL, 10 * GST_SECOND), ==, GST_STATE_CHANGE_SUCCESS);
  /* Clear what preroll heard, then seek. */
  g_assert_true (gst_element_seek (pipe, 1.0, GST_FORMAT_TIME,
                                   GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE,
                                   GST_SEEK_TYPE_SET, 1 * GST_SECOND,
                                   GST_SEEK_TYPE_SET, 2500 * GST_MSECOND));
  g_assert_cmpint (gst_element_get_state (pipe, NULL, NULL, 10 * GST_SECOND), ==, GST_STATE_CHANGE_SUCCESS);
  g_array_set_size (heard.onsets, 0);
  heard.last_nonzero = -1;
  /* The prerolled buffer (at 1.0 s) has no click; play to the end. */
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  g_autoptr(GstBus) bus = gst_element_get_bus (pipe);
  g_autoptr(GstMessage) msg = gst_bus_timed_pop_filtered (bus, 20 * GST_SECOND,
                                                          GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (msg);
  g_assert_cmpint (GST_MESSAGE_TYPE (msg), ==, GST_MESSAGE_EOS);
  gst_element_set_state (pipe, GST_STATE_NULL);

  g_assert_cmpuint (heard.onsets->len, ==, 2);
  g_assert_cmpint (g_array_index (heard.onsets, gint64, 0), ==, RATE / 2);
  g_assert_cmpint (g_array_index (heard.onsets, gint64, 1), ==, RATE);

  g_array_unref (heard.onsets);
  gst_object_unref (q);
  gst_object_unref (sink);
  gst_object_unref (pipe);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/clicks/shape", test_click_shape);
  g_test_add_func ("/clicks/mix-offsets", test_mix_offsets);
  g_test_add_func ("/clicks/mix-split", test_mix_split);
  g_test_add_func ("/clicks/process-segments", test_process_segments);
  g_test_add_func ("/clicks/pipeline-seek", test_pipeline_seek);
  return g_test_run ();
}
