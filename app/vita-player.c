/* vita-player.c — audio playback through a GStreamer playbin (see vita-player.h).
 *
 * Seeks are flushing and accurate.  A loop is a segment seek: the pipeline posts
 * SEGMENT_DONE instead of EOS at the loop end and we seek back to its start without
 * flushing, so the loop is gapless.  Speed is a rate seek; with scaletempo as the
 * playbin audio filter the pitch is kept, otherwise the audio sink resamples and
 * the pitch moves with the speed.
 */
#include "vita-player.h"
#include "vita-click-track.h"
#include "dsp/vita-edit.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <unistd.h>
#include <glib/gi18n.h>

/* GstPlayFlags lives in the playback plugin, not in a header: audio | soft-volume. */
#define VITA_PLAY_FLAG_AUDIO       (1 << 1)
#define VITA_PLAY_FLAG_SOFT_VOLUME (1 << 4)

struct _VitaPlayer
{
  GObject     parent_instance;

  /* owned */
  GstElement *playbin;
  char       *uri;
  char       *sink_name;
  guint       bus_watch;
  VitaClickTrack *clicks;      /* onset clicks mixed before the tempo filter */

  gboolean    playing;         /* the state asked for: PLAYING */
  gboolean    prerolled;       /* reached PAUSED since the URI was set */
  gboolean    errored;         /* an error stopped the pipeline */
  gboolean    at_eos;
  gboolean    seeking;         /* flushing seek sent, ASYNC_DONE pending */
  gint64      seek_target;
  gboolean    has_pending_seek;/* asked before preroll */
  gint64      pending_seek;
  gboolean    preserves_pitch;
  double      rate;
  gint64      duration;
  gboolean    loop;
  gint64      loop_start;
  gint64      loop_end;

  /* A/B: the opened audio (A) and an alternate version of it (B, a WAV written from
   * the PCM given to vita_player_set_alternate), switched at the same position */
  char       *uri_a;           /* A's URI while B plays */
  char       *alt_path;        /* B's temporary file, or NULL */
  gboolean    on_b;
  gboolean    switching;       /* set_uri from the A/B switch: keep B */
};

G_DEFINE_FINAL_TYPE (VitaPlayer, vita_player, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_URI,
  PROP_PLAYING,
  PROP_DURATION,
  PROP_RATE,
  PROP_LOOP,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_ERROR,
  SIGNAL_EOS,
  SIGNAL_SEEKED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
set_playing (VitaPlayer *self, gboolean playing)
{
  if (self->playing == playing)
    return;
  self->playing = playing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
}

static GstElement *
make_sink (char **name_out)
{
  const char *env = g_getenv ("VITASCOPE_AUDIO_SINK");
  GstElement *sink = NULL;

  if (env != NULL && *env != '\0')
    {
      if (g_str_equal (env, "fakesink"))
        {
          sink = gst_element_factory_make ("fakesink", "vita-audio-sink");
          /* sync=TRUE: buffers are held until their running time, so the pipeline
           * clock runs in real time exactly as with a sound card. */
          if (sink != NULL)
            g_object_set (sink, "sync", TRUE, NULL);
        }
      else
        {
          g_autoptr(GError) error = NULL;
          sink = gst_parse_bin_from_description (env, TRUE, &error);
          if (sink == NULL)
            g_warning ("VITASCOPE_AUDIO_SINK=%s: %s; using the default sink", env, error->message);
        }
      if (sink != NULL)
        *name_out = g_strdup (env);
    }
  if (sink == NULL)
    {
      sink = gst_element_factory_make ("autoaudiosink", "vita-audio-sink");
      *name_out = g_strdup ("autoaudiosink");
    }
  if (sink == NULL)
    {
      sink = gst_element_factory_make ("fakesink", "vita-audio-sink");
      g_object_set (sink, "sync", TRUE, NULL);
      g_free (*name_out);
      *name_out = g_strdup ("fakesink");
    }
  return sink;
}

static void
do_seek (VitaPlayer *self, gint64 position, gboolean flush)
{
  GstSeekFlags flags = GST_SEEK_FLAG_ACCURATE;
  GstSeekType stop_type = GST_SEEK_TYPE_NONE;
  gint64 stop = GST_CLOCK_TIME_NONE;

  if (self->duration > 0)
    position = CLAMP (position, 0, self->duration);
  position = MAX (position, 0);
  if (flush)
    flags |= GST_SEEK_FLAG_FLUSH;
  if (self->loop)
    {
      /* Inside the loop: play to its end; outside it: jump to its start. */
      if (position < self->loop_start || position >= self->loop_end)
        position = self->loop_start;
      flags |= GST_SEEK_FLAG_SEGMENT;
      stop_type = GST_SEEK_TYPE_SET;
      stop = self->loop_end;
    }

  if (!self->prerolled)
    {
      self->has_pending_seek = TRUE;
      self->pending_seek = position;
      return;
    }
  if (gst_element_seek (self->playbin, self->rate, GST_FORMAT_TIME, flags,
                        GST_SEEK_TYPE_SET, position, stop_type, stop))
    {
      self->at_eos = FALSE;
      if (flush)
        {
          self->seeking = TRUE;
          self->seek_target = position;
        }
    }
  else
    g_debug ("seek to %" G_GINT64_FORMAT " ns refused", position);
}

static void
query_duration (VitaPlayer *self)
{
  gint64 duration = -1;

  if (!gst_element_query_duration (self->playbin, GST_FORMAT_TIME, &duration))
    duration = -1;
  if (duration != self->duration)
    {
      self->duration = duration;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION]);
    }
}

static void
stop_on_error (VitaPlayer *self, GError *error, const char *debug)
{
  g_autofree char *name = NULL;
  g_autoptr(GError) report = NULL;

  g_debug ("GStreamer error: %s (%s)", error->message, debug ? debug : "");
  gst_element_set_state (self->playbin, GST_STATE_NULL);
  self->prerolled = FALSE;
  self->seeking = FALSE;
  self->has_pending_seek = FALSE;
  self->errored = TRUE;
  set_playing (self, FALSE);

  if (self->uri != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_uri (self->uri);
      name = g_file_get_parse_name (file);
    }
  /* Translators: %s is a file name, %s an error message from GStreamer. */
  report = g_error_new (error->domain, error->code, _("Cannot play “%s”: %s"),
                        name ? name : "?", error->message);
  g_signal_emit (self, signals[SIGNAL_ERROR], 0, report);
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  VitaPlayer *self = VITA_PLAYER (user_data);

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *debug = NULL;
        gst_message_parse_error (message, &error, &debug);
        stop_on_error (self, error, debug);
        break;
      }

    case GST_MESSAGE_EOS:
      gst_element_set_state (self->playbin, GST_STATE_PAUSED);
      self->at_eos = TRUE;
      set_playing (self, FALSE);
      g_signal_emit (self, signals[SIGNAL_EOS], 0);
      break;

    case GST_MESSAGE_SEGMENT_DONE:
      /* The loop end: back to its start, without a flush, so there is no gap. */
      if (self->loop)
        do_seek (self, self->loop_start, FALSE);
      break;

    case GST_MESSAGE_ASYNC_DONE:
      if (!self->prerolled)
        {
          self->prerolled = TRUE;
          query_duration (self);
          if (self->has_pending_seek || self->rate != 1.0 || self->loop)
            {
              self->has_pending_seek = FALSE;
              do_seek (self, self->pending_seek, TRUE);
              break;
            }
        }
      if (self->seeking)
        {
          self->seeking = FALSE;
          g_signal_emit (self, signals[SIGNAL_SEEKED], 0);
        }
      break;

    case GST_MESSAGE_DURATION_CHANGED:
      query_duration (self);
      break;

    default:
      break;
    }
  return G_SOURCE_CONTINUE;
}

static void
clear_alternate (VitaPlayer *self)
{
  if (self->alt_path != NULL)
    {
      g_unlink (self->alt_path);
      g_clear_pointer (&self->alt_path, g_free);
    }
}

static void
vita_player_dispose (GObject *object)
{
  VitaPlayer *self = VITA_PLAYER (object);

  if (self->bus_watch != 0)
    {
      g_source_remove (self->bus_watch);
      self->bus_watch = 0;
    }
  if (self->playbin != NULL)
    {
      gst_element_set_state (self->playbin, GST_STATE_NULL);
      gst_clear_object (&self->playbin);
    }
  G_OBJECT_CLASS (vita_player_parent_class)->dispose (object);
}

static void
vita_player_finalize (GObject *object)
{
  VitaPlayer *self = VITA_PLAYER (object);

  clear_alternate (self);
  g_free (self->uri_a);
  g_free (self->uri);
  g_free (self->sink_name);
  g_clear_pointer (&self->clicks, vita_click_track_unref);
  G_OBJECT_CLASS (vita_player_parent_class)->finalize (object);
}

static void
vita_player_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VitaPlayer *self = VITA_PLAYER (object);

  switch (prop_id)
    {
    case PROP_URI:      g_value_set_string (value, self->uri); break;
    case PROP_PLAYING:  g_value_set_boolean (value, self->playing); break;
    case PROP_DURATION: g_value_set_int64 (value, self->duration); break;
    case PROP_RATE:     g_value_set_double (value, self->rate); break;
    case PROP_LOOP:     g_value_set_boolean (value, self->loop); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vita_player_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VitaPlayer *self = VITA_PLAYER (object);

  switch (prop_id)
    {
    case PROP_URI:  vita_player_set_uri (self, g_value_get_string (value)); break;
    case PROP_RATE: vita_player_set_rate (self, g_value_get_double (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vita_player_class_init (VitaPlayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vita_player_dispose;
  object_class->finalize = vita_player_finalize;
  object_class->get_property = vita_player_get_property;
  object_class->set_property = vita_player_set_property;

  properties[PROP_URI] = g_param_spec_string ("uri", NULL, NULL, NULL,
      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PLAYING] = g_param_spec_boolean ("playing", NULL, NULL, FALSE,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DURATION] = g_param_spec_int64 ("duration", NULL, NULL, -1, G_MAXINT64, -1,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_RATE] = g_param_spec_double ("rate", NULL, NULL, 0.25, 4.0, 1.0,
      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOOP] = g_param_spec_boolean ("loop", NULL, NULL, FALSE,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_ERROR] = g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[SIGNAL_EOS] = g_signal_new ("eos", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_SEEKED] = g_signal_new ("seeked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
vita_player_init (VitaPlayer *self)
{
  g_autoptr(GstBus) bus = NULL;
  GstElement *filter;

  self->rate = 1.0;
  self->duration = -1;

  self->playbin = gst_element_factory_make ("playbin", "vita-playbin");
  if (self->playbin == NULL)
    {
      /* Only when gstreamer1.0-plugins-base is missing: keep a harmless pipeline so
       * the rest of the app works; every play attempt reports the problem. */
      g_warning ("GStreamer's playbin is missing (gstreamer1.0-plugins-base)");
      self->playbin = gst_object_ref_sink (gst_pipeline_new ("vita-empty"));
    }
  else
    {
      g_object_set (self->playbin,
                    "flags", VITA_PLAY_FLAG_AUDIO | VITA_PLAY_FLAG_SOFT_VOLUME,
                    "audio-sink", make_sink (&self->sink_name),
                    NULL);
      filter = gst_element_factory_make ("scaletempo", NULL);
      self->preserves_pitch = filter != NULL;
      /* The click mixer sits before scaletempo, where buffers carry media time
       * (vita-click-track.h); disabled it passes audio through untouched. */
      self->clicks = vita_click_track_new ();
      filter = vita_click_track_make_filter (self->clicks, filter);
      if (filter != NULL)
        g_object_set (self->playbin, "audio-filter", filter, NULL);
      gst_object_ref_sink (self->playbin);
    }

  bus = gst_element_get_bus (self->playbin);
  self->bus_watch = gst_bus_add_watch (bus, on_bus_message, self);
}

VitaPlayer *
vita_player_new (void)
{
  return g_object_new (VITA_TYPE_PLAYER, NULL);
}

void
vita_player_set_uri (VitaPlayer *self, const char *uri)
{
  g_return_if_fail (VITA_IS_PLAYER (self));

  if (!self->switching)
    {
      /* another audio: its alternate is gone */
      clear_alternate (self);
      g_clear_pointer (&self->uri_a, g_free);
      self->on_b = FALSE;
    }

  gst_element_set_state (self->playbin, GST_STATE_NULL);
  g_free (self->uri);
  self->uri = g_strdup (uri);
  self->prerolled = FALSE;
  self->errored = FALSE;
  self->at_eos = FALSE;
  self->seeking = FALSE;
  self->has_pending_seek = FALSE;
  self->pending_seek = 0;
  self->loop = FALSE;
  self->duration = -1;
  set_playing (self, FALSE);

  if (uri != NULL)
    {
      g_object_set (self->playbin, "uri", uri, NULL);
      gst_element_set_state (self->playbin, GST_STATE_PAUSED);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URI]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOOP]);
}

const char *
vita_player_get_uri (VitaPlayer *self)
{
  g_return_val_if_fail (VITA_IS_PLAYER (self), NULL);
  return self->uri;
}

void
vita_player_play (VitaPlayer *self)
{
  g_return_if_fail (VITA_IS_PLAYER (self));

  if (self->uri == NULL)
    return;
  if (self->errored)
    {
      /* Try again (the file may be back); a new error is reported again. */
      self->errored = FALSE;
      gst_element_set_state (self->playbin, GST_STATE_PAUSED);
    }
  if (self->at_eos)
    do_seek (self, self->loop ? self->loop_start : 0, TRUE);
  if (gst_element_set_state (self->playbin, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE)
    set_playing (self, TRUE);
}

void
vita_player_pause (VitaPlayer *self)
{
  g_return_if_fail (VITA_IS_PLAYER (self));

  if (self->uri == NULL || self->errored)
    return;
  gst_element_set_state (self->playbin, GST_STATE_PAUSED);
  set_playing (self, FALSE);
}

void
vita_player_toggle (VitaPlayer *self)
{
  if (self->playing)
    vita_player_pause (self);
  else
    vita_player_play (self);
}

gboolean
vita_player_get_playing (VitaPlayer *self)
{
  g_return_val_if_fail (VITA_IS_PLAYER (self), FALSE);
  return self->playing;
}

void
vita_player_seek (VitaPlayer *self, gint64 position_ns)
{
  g_return_if_fail (VITA_IS_PLAYER (self));

  if (self->uri == NULL || self->errored)
    return;
  do_seek (self, position_ns, TRUE);
}

gboolean
vita_player_get_position (VitaPlayer *self, gint64 *position_ns)
{
  gint64 position = 0;

  g_return_val_if_fail (VITA_IS_PLAYER (self), FALSE);

  if (self->uri == NULL || self->errored)
    return FALSE;
  if (self->seeking)
    position = self->seek_target;
  else if (!self->prerolled)
    position = self->has_pending_seek ? self->pending_seek : 0;
  else if (self->at_eos && self->duration > 0)
    position = self->duration;
  else if (!gst_element_query_position (self->playbin, GST_FORMAT_TIME, &position))
    return FALSE;
  *position_ns = position;
  return TRUE;
}

gint64
vita_player_get_duration (VitaPlayer *self)
{
  g_return_val_if_fail (VITA_IS_PLAYER (self), -1);
  return self->duration;
}

void
vita_player_set_rate (VitaPlayer *self, double rate)
{
  gint64 position = 0;

  g_return_if_fail (VITA_IS_PLAYER (self));

  rate = CLAMP (rate, 0.25, 4.0);
  if (rate == self->rate)
    return;
  vita_player_get_position (self, &position);
  self->rate = rate;
  if (self->uri != NULL && !self->errored)
    do_seek (self, position, TRUE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RATE]);
}

double
vita_player_get_rate (VitaPlayer *self)
{
  g_return_val_if_fail (VITA_IS_PLAYER (self), 1.0);
  return self->rate;
}

void
vita_player_set_loop (VitaPlayer *self, gint64 start_ns, gint64 end_ns)
{
  gint64 position = 0;
  gboolean loop = start_ns >= 0 && end_ns > start_ns;

  g_return_if_fail (VITA_IS_PLAYER (self));

  if (loop == self->loop && (!loop || (start_ns == self->loop_start && end_ns == self->loop_end)))
    return;
  vita_player_get_position (self, &position);
  self->loop = loop;
  self->loop_start = loop ? start_ns : 0;
  self->loop_end = loop ? end_ns : 0;
  /* A fresh flushing seek installs (or removes) the segment stop. */
  if (self->uri != NULL && !self->errored)
    do_seek (self, position, TRUE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOOP]);
}

gboolean
vita_player_get_loop (VitaPlayer *self)
{
  g_return_val_if_fail (VITA_IS_PLAYER (self), FALSE);
  return self->loop;
}

const char *
vita_player_get_sink_name (VitaPlayer *self)
{
  g_return_val_if_fail (VITA_IS_PLAYER (self), NULL);
  return self->sink_name;
}

gboolean
vita_player_preserves_pitch (VitaPlayer *self)
{
  g_return_val_if_fail (VITA_IS_PLAYER (self), FALSE);
  return self->preserves_pitch;
}

VitaClickTrack *
vita_player_get_click_track (VitaPlayer *self)
{
  g_return_val_if_fail (VITA_IS_PLAYER (self), NULL);
  return self->clicks;
}

/* ------------------------------------------------------------------ A/B */

/* Loads uri in place of the current one at the same position, playing state, rate
 * and loop. */
static void
switch_uri (VitaPlayer *self, const char *uri)
{
  gint64 position = 0;
  gboolean known = vita_player_get_position (self, &position);
  gboolean playing = self->playing, loop = self->loop;
  gint64 loop_start = self->loop_start, loop_end = self->loop_end;
  self->switching = TRUE;
  vita_player_set_uri (self, uri);
  self->switching = FALSE;
  if (loop)
    vita_player_set_loop (self, loop_start, loop_end);
  if (known)
    vita_player_seek (self, position);
  if (playing)
    vita_player_play (self);
}

gboolean
vita_player_set_alternate (VitaPlayer *self, const float *samples, gsize n_samples,
                           int sample_rate, GError **error)
{
  g_return_val_if_fail (VITA_IS_PLAYER (self), FALSE);
  if (samples == NULL || n_samples == 0)
    {
      if (self->on_b)
        vita_player_set_ab (self, FALSE);
      clear_alternate (self);
      return TRUE;
    }
  g_return_val_if_fail (sample_rate > 0, FALSE);
  char *path = NULL;
  int fd = g_file_open_tmp ("vitascope-ab-XXXXXX.wav", &path, error);
  if (fd < 0)
    return FALSE;
  close (fd);
  VitaPcm pcm = { .samples = (float *) samples, .n_samples = n_samples,
                  .sample_rate = sample_rate, .source_rate = sample_rate,
                  .source_channels = 1, .duration = (double) n_samples / sample_rate };
  if (!vita_pcm_save_wav (&pcm, path, error))
    {
      g_unlink (path);
      g_free (path);
      return FALSE;
    }
  char *old = self->alt_path;
  self->alt_path = path;
  if (self->on_b)
    {
      g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);
      switch_uri (self, uri);
    }
  if (old)
    {
      g_unlink (old);
      g_free (old);
    }
  return TRUE;
}

gboolean
vita_player_has_alternate (VitaPlayer *self)
{
  g_return_val_if_fail (VITA_IS_PLAYER (self), FALSE);
  return self->alt_path != NULL;
}

void
vita_player_set_ab (VitaPlayer *self, gboolean b)
{
  g_return_if_fail (VITA_IS_PLAYER (self));
  b = b && self->alt_path != NULL;
  if (b == self->on_b || self->uri == NULL)
    return;
  if (b)
    {
      g_free (self->uri_a);
      self->uri_a = g_strdup (self->uri);
      g_autofree char *uri = g_filename_to_uri (self->alt_path, NULL, NULL);
      switch_uri (self, uri);
    }
  else
    {
      g_autofree char *uri_a = g_steal_pointer (&self->uri_a);
      switch_uri (self, uri_a);
    }
  self->on_b = b;
}

gboolean
vita_player_get_ab (VitaPlayer *self)
{
  g_return_val_if_fail (VITA_IS_PLAYER (self), FALSE);
  return self->on_b;
}
