/* vita-click-track.c — onset clicks mixed into playback (see vita-click-track.h). */
#include "vita-click-track.h"

#include <math.h>
#include <stdlib.h>

struct _VitaClickTrack
{
  GMutex   lock;
  double  *times;      /* sorted, seconds of stream time */
  gsize    n_times;
  gboolean enabled;
};

typedef struct
{
  VitaClickTrack *track;  /* ref */
  GstSegment      segment;
  GstAudioInfo    info;
  gboolean        have_info;
} ProbeState;

static void
click_track_free (gpointer data)
{
  VitaClickTrack *track = data;
  g_mutex_clear (&track->lock);
  g_free (track->times);
}

VitaClickTrack *
vita_click_track_new (void)
{
  VitaClickTrack *track = g_atomic_rc_box_new0 (VitaClickTrack);
  g_mutex_init (&track->lock);
  return track;
}

VitaClickTrack *
vita_click_track_ref (VitaClickTrack *track)
{
  return g_atomic_rc_box_acquire (track);
}

void
vita_click_track_unref (VitaClickTrack *track)
{
  g_atomic_rc_box_release_full (track, click_track_free);
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

void
vita_click_track_set_times (VitaClickTrack *track, const double *times, gsize n)
{
  double *copy = n > 0 ? g_memdup2 (times, n * sizeof (double)) : NULL;
  double *old;

  if (n > 1)
    qsort (copy, n, sizeof (double), cmp_double);
  g_mutex_lock (&track->lock);
  old = track->times;
  track->times = copy;
  track->n_times = n;
  g_mutex_unlock (&track->lock);
  g_free (old);
}

gsize
vita_click_track_get_n_times (VitaClickTrack *track)
{
  gsize n;
  g_mutex_lock (&track->lock);
  n = track->n_times;
  g_mutex_unlock (&track->lock);
  return n;
}

void
vita_click_track_set_enabled (VitaClickTrack *track, gboolean enabled)
{
  g_mutex_lock (&track->lock);
  track->enabled = enabled;
  g_mutex_unlock (&track->lock);
}

gboolean
vita_click_track_get_enabled (VitaClickTrack *track)
{
  gboolean enabled;
  g_mutex_lock (&track->lock);
  enabled = track->enabled;
  g_mutex_unlock (&track->lock);
  return enabled;
}

gsize
vita_click_length (int rate)
{
  return (gsize) MAX (1, lround (VITA_CLICK_SECONDS * rate));
}

float
vita_click_sample (gsize k, int rate)
{
  if (k >= vita_click_length (rate))
    return 0.0f;
  double t = (double) k / rate;
  /* Sine starting at phase pi/2 so the onset sample itself is the loudest (and
   * non-zero: tests and listeners find the onset exactly). */
  return (float) (VITA_CLICK_AMPLITUDE * cos (2.0 * G_PI * VITA_CLICK_FREQ_HZ * t)
                  * exp (-t / VITA_CLICK_DECAY_S));
}

void
vita_click_mix (const gint64 *clicks, gsize n_clicks, gint64 first_sample,
                float *data, gsize n_frames, int channels, int rate)
{
  gint64 len = (gint64) vita_click_length (rate);
  gint64 end = first_sample + (gint64) n_frames;

  for (gsize c = 0; c < n_clicks; c++)
    {
      gint64 on = clicks[c];
      if (on + len <= first_sample)
        continue;
      if (on >= end)
        break;  /* sorted */
      gint64 s0 = MAX (on, first_sample), s1 = MIN (on + len, end);
      for (gint64 s = s0; s < s1; s++)
        {
          float v = vita_click_sample ((gsize) (s - on), rate);
          float *frame = data + (gsize) (s - first_sample) * channels;
          for (int ch = 0; ch < channels; ch++)
            frame[ch] += v;
        }
    }
}

guint
vita_click_track_process (VitaClickTrack *track, const GstSegment *segment,
                          const GstAudioInfo *info, GstBuffer **buffer)
{
  GstClockTime pts = GST_BUFFER_PTS (*buffer);
  int rate = GST_AUDIO_INFO_RATE (info), channels = GST_AUDIO_INFO_CHANNELS (info);
  guint touched = 0;

  if (!GST_CLOCK_TIME_IS_VALID (pts) || rate <= 0 || channels <= 0 ||
      GST_AUDIO_INFO_FORMAT (info) != GST_AUDIO_FORMAT_F32 ||
      GST_AUDIO_INFO_LAYOUT (info) != GST_AUDIO_LAYOUT_INTERLEAVED ||
      segment->format != GST_FORMAT_TIME)
    return 0;
  guint64 stream_time = gst_segment_to_stream_time (segment, GST_FORMAT_TIME, pts);
  if (!GST_CLOCK_TIME_IS_VALID (stream_time))
    return 0;
  gint64 first = (gint64) gst_util_uint64_scale_round (stream_time, rate, GST_SECOND);
  gsize n_frames = gst_buffer_get_size (*buffer) / GST_AUDIO_INFO_BPF (info);
  gint64 len = (gint64) vita_click_length (rate);

  g_mutex_lock (&track->lock);
  if (track->enabled && track->n_times > 0 && n_frames > 0)
    {
      /* Clicks that overlap [first - len, first + n_frames): the list is sorted, so
       * binary-search the first one. */
      double t0 = (double) (first - len) / rate;
      gsize lo = 0, hi = track->n_times;
      while (lo < hi)
        {
          gsize mid = (lo + hi) / 2;
          if (track->times[mid] < t0 - 1.0 / rate)
            lo = mid + 1;
          else
            hi = mid;
        }
      gint64 onsets[64];
      gsize n = 0;
      for (gsize i = lo; i < track->n_times && n < G_N_ELEMENTS (onsets); i++)
        {
          gint64 on = llround (track->times[i] * rate);
          if (on >= first + (gint64) n_frames)
            break;
          if (on + len > first)
            onsets[n++] = on;
        }
      g_mutex_unlock (&track->lock);
      if (n > 0)
        {
          GstMapInfo map;
          *buffer = gst_buffer_make_writable (*buffer);
          if (gst_buffer_map (*buffer, &map, GST_MAP_READWRITE))
            {
              vita_click_mix (onsets, n, first, (float *) map.data, n_frames, channels, rate);
              gst_buffer_unmap (*buffer, &map);
              touched = (guint) n;
            }
        }
      return touched;
    }
  g_mutex_unlock (&track->lock);
  return 0;
}

static GstPadProbeReturn
on_probe (GstPad *pad, GstPadProbeInfo *pinfo, gpointer user_data)
{
  ProbeState *st = user_data;

  if (pinfo->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM)
    {
      GstEvent *event = GST_PAD_PROBE_INFO_EVENT (pinfo);
      if (GST_EVENT_TYPE (event) == GST_EVENT_SEGMENT)
        gst_event_copy_segment (event, &st->segment);
      else if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS)
        {
          GstCaps *caps;
          gst_event_parse_caps (event, &caps);
          st->have_info = gst_audio_info_from_caps (&st->info, caps);
        }
      else if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP)
        gst_segment_init (&st->segment, GST_FORMAT_UNDEFINED);
    }
  else if ((pinfo->type & GST_PAD_PROBE_TYPE_BUFFER) && st->have_info)
    {
      GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (pinfo);
      vita_click_track_process (st->track, &st->segment, &st->info, &buffer);
      GST_PAD_PROBE_INFO_DATA (pinfo) = buffer;
    }
  return GST_PAD_PROBE_OK;
}

static void
probe_state_free (gpointer data)
{
  ProbeState *st = data;
  vita_click_track_unref (st->track);
  g_free (st);
}

GstElement *
vita_click_track_make_filter (VitaClickTrack *track, GstElement *tail)
{
  GstElement *bin = gst_bin_new ("vita-click-filter");
  GstElement *convert = gst_element_factory_make ("audioconvert", NULL);
  GstElement *caps = gst_element_factory_make ("capsfilter", NULL);
  g_autoptr(GstCaps) f32 = gst_caps_new_simple ("audio/x-raw",
                                                "format", G_TYPE_STRING, "F32LE",
                                                "layout", G_TYPE_STRING, "interleaved", NULL);
  GstElement *last;
  g_autoptr(GstPad) sink = NULL;
  g_autoptr(GstPad) src = NULL;
  g_autoptr(GstPad) probed = NULL;
  ProbeState *st;

  if (convert == NULL || caps == NULL)
    {
      g_clear_object (&convert);
      g_clear_object (&caps);
      gst_object_unref (gst_object_ref_sink (bin));
      return tail;
    }
  g_object_set (caps, "caps", f32, NULL);
  gst_bin_add_many (GST_BIN (bin), convert, caps, NULL);
  gst_element_link (convert, caps);
  last = caps;
  if (tail != NULL)
    {
      gst_bin_add (GST_BIN (bin), tail);
      gst_element_link (caps, tail);
      last = tail;
    }
  sink = gst_element_get_static_pad (convert, "sink");
  src = gst_element_get_static_pad (last, "src");
  gst_element_add_pad (bin, gst_ghost_pad_new ("sink", sink));
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", src));

  st = g_new0 (ProbeState, 1);
  st->track = vita_click_track_ref (track);
  gst_segment_init (&st->segment, GST_FORMAT_UNDEFINED);
  probed = gst_element_get_static_pad (caps, "src");
  gst_pad_add_probe (probed, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                     on_probe, st, probe_state_free);
  return bin;
}
