/* vita-gst-decode.c — GStreamer fallback decoder for files libsndfile cannot read.
 *
 *   filesrc location=PATH ! decodebin ! audioconvert
 *     ! audio/x-raw,format=F32LE,layout=interleaved ! appsink
 *
 * The channels are NOT mixed by audioconvert (its mix matrix is not a plain
 * average for every layout): the samples come at the file's own channel count and
 * rate and are averaged with vita_audio_downmix, exactly as the libsndfile path
 * does; vita_audio_load then resamples.  The appsink applies back-pressure
 * (max-buffers), and the decoded length is bounded by the duration limit.
 */
#include "vita-gst-decode.h"

#include <gst/app/gstappsink.h>
#include <gst/audio/audio.h>
#include <gst/gst.h>
#include <math.h>
#include <string.h>

#define SET_ERR(code, ...) g_set_error (error, VITA_DSP_ERROR, code, __VA_ARGS__)

typedef struct {
  GstElement *convert;   /* borrowed from the pipeline */
  gint        no_audio;  /* atomic: decodebin exposed all pads, none was audio */
} PadCtx;

/* Streaming thread: all pads are out; none linked means no audio stream. */
static void
on_no_more_pads (GstElement *decodebin, gpointer user_data)
{
  PadCtx *ctx = user_data;
  g_autoptr(GstPad) sink = gst_element_get_static_pad (ctx->convert, "sink");
  if (!gst_pad_is_linked (sink))
    g_atomic_int_set (&ctx->no_audio, 1);
}

/* decodebin drops the errors of children that fail while it is still setting them
 * to PAUSED (gstdecodebin2.c keeps them in filtered_errors and discards them when
 * the state change itself succeeded).  Seen with an MP4 cut before its moov atom:
 * qtdemux's streaming task posts "no playable streams" and stops, the message
 * never reaches the pipeline's bus and the pipeline waits in PAUSED for ever.
 * Two guards: a demuxer whose streaming task has stopped without exposing any
 * pad is a failure (find_dead_demuxer), and no audio at all after this long is
 * one too. */
#define VITA_GST_START_TIMEOUT_US (20 * G_USEC_PER_SEC)

/* An element inside decodebin with no source pads whose sink pad's task (pull
 * mode streaming thread) is paused: it gave up.  Returns its factory name. */
static char *
find_dead_demuxer (GstElement *decodebin)
{
  char *found = NULL;
  GstIterator *it = gst_bin_iterate_recurse (GST_BIN (decodebin));
  GValue item = G_VALUE_INIT;
  gboolean done = FALSE;
  while (!done && found == NULL)
    {
      switch (gst_iterator_next (it, &item))
        {
        case GST_ITERATOR_OK:
          {
            GstElement *e = g_value_get_object (&item);
            if (e->numsrcpads == 0 && e->numsinkpads == 1 && !GST_IS_BIN (e))
              {
                g_autoptr(GstPad) sink = gst_element_get_static_pad (e, "sink");
                if (sink && GST_PAD_MODE (sink) == GST_PAD_MODE_PULL &&
                    gst_pad_get_task_state (sink) == GST_TASK_PAUSED)
                  {
                    GstElementFactory *f = gst_element_get_factory (e);
                    found = g_strdup (f ? GST_OBJECT_NAME (f) : GST_OBJECT_NAME (e));
                  }
              }
            g_value_reset (&item);
            break;
          }
        case GST_ITERATOR_RESYNC:
          gst_iterator_resync (it);
          break;
        default:
          done = TRUE;
          break;
        }
    }
  g_value_unset (&item);
  gst_iterator_free (it);
  return found;
}

static void
on_pad_added (GstElement *decodebin, GstPad *pad, gpointer user_data)
{
  PadCtx *ctx = user_data;
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);
  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  const GstStructure *s = caps && gst_caps_get_size (caps) > 0 ? gst_caps_get_structure (caps, 0) : NULL;
  if (s == NULL || !g_str_has_prefix (gst_structure_get_name (s), "audio/"))
    return;  /* video, subtitles: ignored */
  g_autoptr(GstPad) sink = gst_element_get_static_pad (ctx->convert, "sink");
  if (!gst_pad_is_linked (sink))
    gst_pad_link (pad, sink);  /* the first audio stream wins */
}

/* An ERROR message on the bus as a GError naming the file; NULL otherwise. */
static gboolean
bus_error (GstBus *bus, const char *name, GError **error)
{
  g_autoptr(GstMessage) msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  if (msg == NULL)
    return FALSE;
  g_autoptr(GError) gerr = NULL;
  g_autofree char *debug = NULL;
  gst_message_parse_error (msg, &gerr, &debug);
  SET_ERR (VITA_DSP_ERROR_FORMAT, "GStreamer cannot decode “%s”: %s", name,
           gerr ? gerr->message : "unknown error");
  g_debug ("GStreamer error on %s: %s", name, debug ? debug : "");
  return TRUE;
}

/* Takes frames mono samples (the file's rate and channel count given); FALSE + error
 * stops the decoding. */
typedef gboolean (*ChunkFunc) (gpointer data, float *mono, gsize frames, int rate, int channels,
                               const char *name, GError **error);

/* Decodes path, handing its downmixed samples to chunk a few thousand at a time. */
static gboolean
decode_run (const char *path, GCancellable *cancellable, ChunkFunc chunk, gpointer chunk_data,
            GError **error)
{
  g_autofree char *name = g_filename_display_name (path);
  if (!gst_is_initialized ())
    {
      SET_ERR (VITA_DSP_ERROR_FORMAT, "cannot decode “%s”: GStreamer is not initialised", name);
      return FALSE;
    }

  GstElement *pipeline = gst_pipeline_new ("vita-decode");
  GstElement *src = gst_element_factory_make ("filesrc", NULL);
  GstElement *dec = gst_element_factory_make ("decodebin", NULL);
  GstElement *conv = gst_element_factory_make ("audioconvert", NULL);
  GstElement *sink = gst_element_factory_make ("appsink", NULL);
  if (!pipeline || !src || !dec || !conv || !sink)
    {
      SET_ERR (VITA_DSP_ERROR_FORMAT,
               "cannot decode “%s”: GStreamer elements missing (filesrc, decodebin, audioconvert, appsink: "
               "install gstreamer1.0-plugins-base)", name);
      if (pipeline)
        gst_object_unref (pipeline);
      /* unparented elements are floating: sink the refs */
      GstElement *made[] = { src, dec, conv, sink };
      for (guint i = 0; i < G_N_ELEMENTS (made); i++)
        if (made[i])
          gst_object_unref (gst_object_ref_sink (made[i]));
      return FALSE;
    }
  g_object_set (src, "location", path, NULL);
  g_autoptr(GstCaps) caps = gst_caps_new_simple ("audio/x-raw",
                                                 "format", G_TYPE_STRING, "F32LE",
                                                 "layout", G_TYPE_STRING, "interleaved", NULL);
  g_object_set (sink, "caps", caps, "sync", FALSE, "max-buffers", 64, "emit-signals", FALSE, NULL);
  gst_bin_add_many (GST_BIN (pipeline), src, dec, conv, sink, NULL);
  PadCtx ctx = { .convert = conv };
  if (!gst_element_link (src, dec) || !gst_element_link (conv, sink))
    {
      SET_ERR (VITA_DSP_ERROR_FORMAT, "cannot decode “%s”: GStreamer pipeline could not be linked", name);
      gst_object_unref (pipeline);
      return FALSE;
    }
  gulong handler = g_signal_connect (dec, "pad-added", G_CALLBACK (on_pad_added), &ctx);
  gulong handler2 = g_signal_connect (dec, "no-more-pads", G_CALLBACK (on_no_more_pads), &ctx);
  const gint64 started = g_get_monotonic_time ();

  GstBus *bus = gst_element_get_bus (pipeline);
  gboolean result = FALSE;
  gsize len = 0, limit = 0;
  int rate = 0, channels = 0;

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      if (!bus_error (bus, name, error))
        SET_ERR (VITA_DSP_ERROR_FORMAT, "GStreamer cannot decode “%s”", name);
      goto out;
    }

  for (;;)
    {
      if (g_cancellable_is_cancelled (cancellable))
        {
          SET_ERR (VITA_DSP_ERROR_CANCELLED, "decoding “%s” was cancelled", name);
          goto out;
        }
      if (bus_error (bus, name, error))
        goto out;
      /* decodebin keeps some children's errors to itself while it autoplugs (a
       * truncated MP4 without its moov atom): the failed state change shows them */
      if (gst_element_get_state (pipeline, NULL, NULL, 0) == GST_STATE_CHANGE_FAILURE)
        {
          if (!bus_error (bus, name, error))
            SET_ERR (VITA_DSP_ERROR_FORMAT, "GStreamer cannot decode “%s” (no playable audio stream)", name);
          goto out;
        }
      if (g_atomic_int_get (&ctx.no_audio))
        {
          SET_ERR (VITA_DSP_ERROR_FORMAT, "“%s” contains no audio stream GStreamer can decode", name);
          goto out;
        }
      if (rate == 0)
        {
          g_autofree char *dead = find_dead_demuxer (dec);
          if (dead)
            {
              /* the error may still be on its way: prefer it when it is there */
              if (!bus_error (bus, name, error))
                SET_ERR (VITA_DSP_ERROR_FORMAT,
                         "GStreamer cannot decode “%s”: %s found no playable audio stream (damaged file?)",
                         name, dead);
              goto out;
            }
        }
      if (rate == 0 && g_get_monotonic_time () - started > VITA_GST_START_TIMEOUT_US)
        {
          SET_ERR (VITA_DSP_ERROR_FORMAT,
                   "GStreamer cannot decode “%s”: no audio after %d s (damaged or unsupported file)",
                   name, (int) (VITA_GST_START_TIMEOUT_US / G_USEC_PER_SEC));
          goto out;
        }
      g_autoptr(GstSample) sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 50 * GST_MSECOND);
      if (sample == NULL)
        {
          if (gst_app_sink_is_eos (GST_APP_SINK (sink)))
            break;
          continue;  /* timeout: look at the bus and the cancellable again */
        }
      GstAudioInfo info;
      GstCaps *scaps = gst_sample_get_caps (sample);
      if (scaps == NULL || !gst_audio_info_from_caps (&info, scaps))
        {
          SET_ERR (VITA_DSP_ERROR_FORMAT, "GStreamer decoded “%s” to an unexpected format", name);
          goto out;
        }
      int r = GST_AUDIO_INFO_RATE (&info), ch = GST_AUDIO_INFO_CHANNELS (&info);
      if (ch < 1 || ch > 256 || r < 1000 || r > 768000)
        {
          SET_ERR (VITA_DSP_ERROR_INVALID, "“%s” has %d channels at %d Hz (supported: 1–256 channels, 1000–768000 Hz)",
                   name, ch, r);
          goto out;
        }
      if (rate == 0)
        {
          rate = r;
          channels = ch;
          double lim = vita_audio_get_max_duration () * rate + 1;
          limit = lim > (double) (G_MAXSIZE / 8) ? G_MAXSIZE / 8 : (gsize) lim;
        }
      else if (r != rate || ch != channels)
        {
          SET_ERR (VITA_DSP_ERROR_FORMAT, "“%s” changes its format mid-stream (%d Hz × %d → %d Hz × %d)",
                   name, rate, channels, r, ch);
          goto out;
        }
      GstBuffer *buf = gst_sample_get_buffer (sample);
      GstMapInfo map;
      if (buf == NULL || !gst_buffer_map (buf, &map, GST_MAP_READ))
        continue;
      gsize frames = map.size / (sizeof (float) * (gsize) channels);
      if (len + frames > limit)
        {
          gst_buffer_unmap (buf, &map);
          SET_ERR (VITA_DSP_ERROR_TOO_LONG, "“%s” is longer than the %g s limit; cut it or raise the limit",
                   name, vita_audio_get_max_duration ());
          goto out;
        }
      /* map.data may be unaligned for float: copy through memcpy, frame chunk by chunk */
      float tmp[4096], mono[4096];
      gsize per = G_N_ELEMENTS (tmp) / (gsize) channels;
      gboolean ok = TRUE;
      for (gsize done = 0; done < frames && ok; done += per)
        {
          gsize m = MIN (per, frames - done);
          memcpy (tmp, map.data + done * channels * sizeof (float), m * channels * sizeof (float));
          vita_audio_downmix (mono, tmp, m, channels);
          ok = chunk (chunk_data, mono, m, rate, channels, name, error);
        }
      len += frames;
      gst_buffer_unmap (buf, &map);
      if (!ok)
        goto out;
    }
  if (bus_error (bus, name, error))
    goto out;
  if (len == 0)
    {
      SET_ERR (VITA_DSP_ERROR_FORMAT, "“%s” contains no audio GStreamer can decode", name);
      goto out;
    }

  result = TRUE;

out:
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_signal_handler_disconnect (dec, handler);
  g_signal_handler_disconnect (dec, handler2);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  return result;
}

/* vita_gst_decode: the whole file in memory at its own rate. */
typedef struct {
  float *data;
  gsize  len, cap;
  int    rate, channels;
  gsize  n_nonfinite;
} Whole;

static gboolean
append_chunk (gpointer data, float *mono, gsize frames, int rate, int channels,
              const char *name, GError **error)
{
  Whole *w = data;
  if (w->len + frames > w->cap)
    {
      gsize ncap = MAX (MAX (w->cap * 2, w->len + frames), (gsize) 65536);
      float *p = g_try_realloc_n (w->data, ncap, sizeof (float));
      if (p == NULL)
        {
          SET_ERR (VITA_DSP_ERROR_TOO_LONG, "out of memory decoding “%s”", name);
          return FALSE;
        }
      w->data = p;
      w->cap = ncap;
    }
  for (gsize i = 0; i < frames; i++)
    if (!isfinite (mono[i]))
      {
        mono[i] = 0;
        w->n_nonfinite++;
      }
  memcpy (w->data + w->len, mono, frames * sizeof (float));
  w->len += frames;
  w->rate = rate;
  w->channels = channels;
  return TRUE;
}

VitaPcm *
vita_gst_decode (const char *path, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  Whole w = { 0 };
  if (!decode_run (path, cancellable, append_chunk, &w, error))
    {
      g_free (w.data);
      return NULL;
    }
  VitaPcm *pcm = g_new0 (VitaPcm, 1);
  pcm->samples = g_realloc_n (w.data, w.len, sizeof (float));
  pcm->n_samples = w.len;
  pcm->sample_rate = w.rate;
  pcm->source_rate = w.rate;
  pcm->source_channels = w.channels;
  pcm->duration = (double) w.len / w.rate;
  pcm->n_nonfinite = (guint) MIN (w.n_nonfinite, (gsize) G_MAXUINT);
  return pcm;
}

static gboolean
push_chunk (gpointer data, float *mono, gsize frames, int rate, int channels,
            const char *name, GError **error)
{
  return vita_pcm_sink_push (data, mono, frames, rate, channels, error);
}

gboolean
vita_gst_decode_stream (const char *path, VitaPcmSink *sink, GCancellable *cancellable,
                        GError **error)
{
  g_return_val_if_fail (path != NULL && sink != NULL, FALSE);
  return decode_run (path, cancellable, push_chunk, sink, error);
}

void
vita_gst_decode_register (void)
{
  static gsize once = 0;
  if (g_once_init_enter (&once))
    {
      g_autoptr(GError) error = NULL;
      if (gst_init_check (NULL, NULL, &error))
        vita_audio_set_fallback_stream (vita_gst_decode_stream);
      else
        g_warning ("GStreamer is not available (%s): only formats libsndfile reads can be opened",
                   error ? error->message : "unknown error");
      g_once_init_leave (&once, 1);
    }
}
