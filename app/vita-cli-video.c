/* vita-cli-video.c — `vitascope-cli render-video SESSION.vitascope --from T0 --to T1
 * [--panel NAME] --out CLIP.webm [--fps 30 --size 1920x1080]`: a panel of a saved
 * session (default the whole view, `layout`) drawn frame by frame through the same
 * painters as `render` (vita-cli-render.h: the session → painters path), the playhead
 * moving from T0 to T1 across a visible range of [T0, T1], muxed with the audio of
 * that range.
 *
 * Frames are exact: frame k (k = 0 … round((T1 − T0) × fps) − 1) shows the playhead at
 * T0 + k / fps and has that presentation time.  The audio is the file decoded again at
 * 48 kHz (mono, vita_audio_load), the samples of [T0, T1) pushed through an audio
 * appsrc.  GStreamer pipeline:
 *   appsrc (BGRx) ! videoconvert ! vp8enc ! webmmux    appsrc (F32) ! audioconvert ! vorbisenc ! webmmux
 * or, for .mp4 (when x264enc is installed), x264enc [! h264parse] ! mp4mux with AAC
 * (avenc_aac / fdkaacenc / voaacenc) audio.  The file is written under a temporary
 * name in the same folder and renamed when complete.  Progress on a terminal.
 * Exit status: 0, 1 failure (a message naming the file), 2 usage. */
#include "vita-cli.h"
#include "vita-cli-render.h"

#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>

#include <glib/gstdio.h>

#define PREFIX "vitascope-cli render-video: "
#define AUDIO_RATE 48000

static gboolean
parse_size (const char *s, int *w, int *h)
{
  char *end;
  guint64 a = g_ascii_strtoull (s, &end, 10);
  if (end == s || (*end != 'x' && *end != 'X'))
    return FALSE;
  const char *p = end + 1;
  guint64 b = g_ascii_strtoull (p, &end, 10);
  if (end == p || *end != '\0' || a < 64 || b < 64 || a > 7680 || b > 4320 || a % 2 || b % 2)
    return FALSE;
  *w = (int) a;
  *h = (int) b;
  return TRUE;
}

static GstElement *
make (const char *factory, GError **error)
{
  GstElement *e = gst_element_factory_make (factory, NULL);
  if (e == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 "the GStreamer element %s is not installed (Debian: %s)", factory,
                 g_str_has_prefix (factory, "x264") ? "gstreamer1.0-plugins-ugly"
                 : g_str_has_prefix (factory, "avenc") ? "gstreamer1.0-libav"
                 : g_str_equal (factory, "vorbisenc") || g_str_equal (factory, "videoconvert") ||
                   g_str_equal (factory, "audioconvert") || g_str_equal (factory, "appsrc")
                   ? "gstreamer1.0-plugins-base" : "gstreamer1.0-plugins-good");
  return e;
}

/* The first installed of a list of encoders. */
static GstElement *
make_first (const char *const *factories, GError **error)
{
  for (int i = 0; factories[i]; i++)
    {
      GstElement *e = gst_element_factory_make (factories[i], NULL);
      if (e)
        return e;
    }
  return make (factories[0], error);
}

/* Waits for EOS or an error on the bus. */
static gboolean
wait_done (GstElement *pipeline, GstClockTime timeout, GError **error)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr(GstMessage) msg = gst_bus_timed_pop_filtered (bus, timeout, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (msg == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "the encoder did not finish");
      return FALSE;
    }
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
    {
      g_autoptr(GError) gerr = NULL;
      g_autofree char *dbg = NULL;
      gst_message_parse_error (msg, &gerr, &dbg);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", gerr->message);
      return FALSE;
    }
  return TRUE;
}

/* Pops any error already posted (an encoder failing while frames are pushed). */
static gboolean
check_bus (GstElement *pipeline, GError **error)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr(GstMessage) msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  if (msg == NULL)
    return TRUE;
  g_autoptr(GError) gerr = NULL;
  gst_message_parse_error (msg, &gerr, NULL);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", gerr->message);
  return FALSE;
}

/* Frames of time-aligned strips (waveform, mel, received attention, probes) — one, or
 * a whole view made of them only: their content does not depend on the position and
 * their painter draws the playhead last (vita_paint_time_panel_end:
 * vita_draw_playhead_x over the plot), so the figure is painted once without the
 * playhead and each frame puts the background back where the last playheads were and
 * draws the lines with that same function at the new x, in each strip's area (the
 * whole view's: vita_layout_place).
 * VITA_VIDEO_VERIFY=1 checks every frame against a full repaint, pixel for pixel.
 * Every other panel of a whole view with strips (the overview with its visible-range
 * band, the maps) is repainted whole in its own area each frame; one of them alone,
 * or a whole view of them only, is repainted whole. */
typedef struct {
  cairo_surface_t *surface;       /* the frame */
  cairo_surface_t *background;    /* the figure without a playhead */
  gboolean         strip_ok, verify;
  int              n_strips;
  VitaPanel        strips[VITA_LAYOUT_MAX_PLACED];
  VitaRect         areas[VITA_LAYOUT_MAX_PLACED];
  int              n_live;                          /* the view's other panels: repainted */
  VitaPanel        live[VITA_LAYOUT_MAX_PLACED];    /* whole each frame, in their areas */
  VitaRect         live_areas[VITA_LAYOUT_MAX_PLACED];
  double           old_x[VITA_LAYOUT_MAX_PLACED];   /* playhead x of the last frame, NAN: none */
} Frames;

static gboolean
strip_panel (VitaPanel panel)
{
  return panel == VITA_PANEL_WAVEFORM || panel == VITA_PANEL_MEL || panel == VITA_PANEL_RECEIVED ||
         panel == VITA_PANEL_PROBES || panel == VITA_PANEL_PROBEOGRAM;
}

/* The strips of a panel, or of the whole view when it has strips only: FALSE if not. */
static gboolean
frames_find_strips (Frames *fr, VitaPanel panel, const VitaRect *area, const VitaPaintContext *ctx)
{
  if (strip_panel (panel))
    {
      fr->n_strips = 1;
      fr->strips[0] = panel;
      fr->areas[0] = *area;
      return TRUE;
    }
  if (panel != VITA_PANEL_LAYOUT)
    return FALSE;
  VitaPanel placed[VITA_LAYOUT_MAX_PLACED];
  VitaRect rects[VITA_LAYOUT_MAX_PLACED];
  int n = vita_layout_place (area, ctx, placed, rects, VITA_LAYOUT_MAX_PLACED);
  fr->n_strips = fr->n_live = 0;
  for (int i = 0; i < n; i++)
    if (strip_panel (placed[i]))
      {
        fr->strips[fr->n_strips] = placed[i];
        fr->areas[fr->n_strips++] = rects[i];
      }
    else
      {
        fr->live[fr->n_live] = placed[i];
        fr->live_areas[fr->n_live++] = rects[i];
      }
  return fr->n_strips > 0;
}

static void
paint_full (cairo_surface_t *target, VitaPanel panel, const VitaRect *area,
            const VitaPaintContext *ctx, const VitaStyle *style)
{
  cairo_t *cr = cairo_create (target);
  cairo_set_source_rgb (cr, style->bg[0], style->bg[1], style->bg[2]);
  cairo_paint (cr);
  vita_panel_paint (panel, cr, area, ctx);
  cairo_destroy (cr);
  cairo_surface_flush (target);
}

static gboolean
paint_frame (Frames *fr, VitaPanel panel, const VitaRect *area, const VitaPaintContext *ctx,
             const VitaStyle *style)
{
  if (!fr->strip_ok)
    {
      paint_full (fr->surface, panel, area, ctx, style);
      return TRUE;
    }
  VitaTimelineSnapshot *snap = (VitaTimelineSnapshot *) ctx->snap;
  cairo_t *cr;
  if (fr->background == NULL)
    {
      snap->show_playhead = FALSE;
      fr->background = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) area->width,
                                                   (int) area->height);
      paint_full (fr->background, panel, area, ctx, style);
      snap->show_playhead = TRUE;
      for (int i = 0; i < fr->n_strips; i++)
        fr->old_x[i] = NAN;
      cr = cairo_create (fr->surface);
      cairo_set_source_surface (cr, fr->background, 0, 0);
      cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
      cairo_paint (cr);
      cairo_destroy (cr);
    }
  cr = cairo_create (fr->surface);
  /* the last lines (2 px, pixel-aligned on image surfaces) back to the background,
   * all of them before any new one is drawn */
  for (int i = 0; i < fr->n_strips; i++)
    if (isfinite (fr->old_x[i]))
      {
        const VitaRect *a = &fr->areas[i];
        cairo_save (cr);
        cairo_rectangle (cr, floor (fr->old_x[i]) - 3, floor (a->y), 7, ceil (a->y + a->height) - floor (a->y));
        cairo_clip (cr);
        cairo_set_source_surface (cr, fr->background, 0, 0);
        cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
        cairo_paint (cr);
        cairo_restore (cr);
      }
  /* the other panels (the window's attention, the SSM: their picture follows the
   * playhead) whole, each in its area (a panel clears and clips its own) */
  for (int i = 0; i < fr->n_live; i++)
    {
      cairo_save (cr);
      vita_panel_paint (fr->live[i], cr, &fr->live_areas[i], ctx);
      cairo_restore (cr);
    }
  for (int i = 0; i < fr->n_strips; i++)
    {
      VitaRect plot;
      double x = NAN, y = NAN;
      vita_panel_playhead (fr->strips[i], &fr->areas[i], ctx, &plot, &x, &y);
      vita_draw_playhead_x (cr, style, &plot, x);
      fr->old_x[i] = x;
    }
  cairo_destroy (cr);
  cairo_surface_flush (fr->surface);
  if (!fr->verify)
    return TRUE;
  cairo_surface_t *check = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) area->width,
                                                       (int) area->height);
  paint_full (check, panel, area, ctx, style);
  int stride = cairo_image_surface_get_stride (check);
  gboolean same = memcmp (cairo_image_surface_get_data (check),
                          cairo_image_surface_get_data (fr->surface),
                          (gsize) stride * (int) area->height) == 0;
  cairo_surface_destroy (check);
  return same;
}

int
vita_cli_render_video (int argc, char **argv)
{
  g_autofree char *out = NULL, *panel = NULL, *size = NULL, *audio = NULL, *model = NULL;
  g_autofree char *view = NULL;
  guint64 view_panels = 0;
  double t0 = NAN, t1 = NAN, font_size = 0;
  int fps = 30, bitrate = 0;
  gboolean allow_mismatch = FALSE, dark = FALSE;
  GOptionEntry entries[] = {
    { "dark", 0, 0, G_OPTION_ARG_NONE, &dark, "Dark style (light text on dark panels; colormaps unchanged)", NULL },
    { "from", 0, 0, G_OPTION_ARG_DOUBLE, &t0, "Start (seconds)", "T0" },
    { "to", 0, 0, G_OPTION_ARG_DOUBLE, &t1, "End (seconds)", "T1" },
    { "panel", 'p', 0, G_OPTION_ARG_STRING, &panel,
      "Panel to draw (default layout, the whole view): waveform, mel, attention, "
      "attention-grid, attention-row, received, ssm, overview, probes, probeogram", "NAME" },
    { "view", 0, 0, G_OPTION_ARG_STRING, &view,
      "A view of the session (Ctrl+B in the app): its panels, layer, head and mode", "NAME" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Video to write: .webm (VP8 + Vorbis) or .mp4 (H.264 + AAC)", "FILE" },
    { "fps", 0, 0, G_OPTION_ARG_INT, &fps, "Frames per second (default 30)", "N" },
    { "size", 0, 0, G_OPTION_ARG_STRING, &size, "Frame size in pixels (default 1920x1080)", "WxH" },
    { "font-size", 0, 0, G_OPTION_ARG_DOUBLE, &font_size, "Font size in pixels (default height / 45: read from the back of a room)", "PX" },
    { "bitrate", 0, 0, G_OPTION_ARG_INT, &bitrate, "Video bit rate in kbit/s (default by the size)", "KBPS" },
    { "audio", 0, 0, G_OPTION_ARG_FILENAME, &audio, "Use this audio file instead of the session's", "FILE" },
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model, "Use this model file instead of the session's", "FILE" },
    { "allow-model-mismatch", 0, 0, G_OPTION_ARG_NONE, &allow_mismatch,
      "Render even if the model file's SHA-256 differs from the session's", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) octx = g_option_context_new ("SESSION.vitascope --from T0 --to T1 --out CLIP.webm");
  g_option_context_set_summary (octx, "A panel of a saved session as a video with its sound: the "
                                "playhead moving from T0 to T1, frame by frame through the "
                                "painters of `render`.");
  g_option_context_add_main_entries (octx, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse (octx, &argc, &argv, &error))
    {
      fprintf (stderr, PREFIX "%s\n", error->message);
      return 2;
    }
  int W = 1920, H = 1080;
  const char *usage_error = argc != 2 ? "give one session file"
                          : out == NULL ? "--out is required"
                          : isnan (t0) || isnan (t1) ? "--from and --to are required"
                          : !(t0 >= 0 && t1 > t0 && t1 - t0 <= 3600) ? "--from must be ≥ 0 and before --to (at most an hour)"
                          : fps < 1 || fps > 120 ? "--fps must be 1–120"
                          : size && !parse_size (size, &W, &H) ? "--size must be WxH, even, 64x64 to 7680x4320"
                          : !(g_str_has_suffix (out, ".webm") || g_str_has_suffix (out, ".mp4"))
                            ? "--out must end in .webm or .mp4"
                          : font_size < 0 || font_size > 200 || bitrate < 0 || bitrate > 200000
                            ? "--font-size or --bitrate out of range" : NULL;
  if (usage_error)
    {
      fprintf (stderr, PREFIX "%s\nUsage: vitascope-cli render-video SESSION.vitascope --from T0 "
               "--to T1 [--panel NAME | --view NAME] --out CLIP.webm [--fps 30 --size 1920x1080]\n", usage_error);
      return 2;
    }
  gboolean mp4 = g_str_has_suffix (out, ".mp4");
  if (!gst_init_check (NULL, NULL, &error))
    {
      fprintf (stderr, PREFIX "GStreamer: %s\n", error->message);
      return 1;
    }

  /* the session, analysed, through render's path */
  VitaExportSpec spec;
  if (!vita_cli_spec_from_session (argv[1], panel, &spec, &error))
    {
      fprintf (stderr, PREFIX "%s\n", error->message);
      return 1;
    }
  if (view && !vita_cli_apply_view (argv[1], view, &spec, panel != NULL, &view_panels, &error))
    {
      fprintf (stderr, PREFIX "%s\n", error->message);
      vita_export_spec_clear (&spec);
      return 1;
    }
  if (audio)
    {
      g_free (spec.audio_path);
      spec.audio_path = g_strdup (audio);
    }
  if (model)
    {
      g_free (spec.model_path);
      spec.model_path = g_strdup (model);
    }
  int status = 1;
  VitaCliScene sc = { 0 };
  GstElement *pipeline = NULL;
  g_autofree char *tmp = NULL;
  g_autoptr(VitaPcm) sound = NULL;
  cairo_surface_t *surface = NULL;
  g_autofree char *dir = NULL, *base = NULL, *tmp_name = NULL;
  g_autoptr(GstCaps) vcaps = NULL;
  g_autoptr(GstCaps) acaps = NULL;
  int n_frames = 0;
  VitaStyle style;
  VitaPaintContext ctx = { 0 };
  Frames fr = { 0 };
  if (!vita_cli_scene_load (&sc, &spec, "vitascope-cli render-video", argv[1], TRUE, allow_mismatch))
    goto out;
  const int sr = sc.pcm->sample_rate;
  const double duration = (double) sc.pcm->n_samples / sr;
  if (t1 > duration + 1e-6)
    {
      g_autofree char *disp = g_filename_display_name (spec.audio_path);
      fprintf (stderr, PREFIX "%s is %.3f s long: --to %.3f is past its end\n", disp, duration, t1);
      goto out;
    }
  sound = vita_audio_load (spec.audio_path, AUDIO_RATE, NULL, &error);
  if (sound == NULL)
    {
      fprintf (stderr, PREFIX "%s\n", error->message);
      goto out;
    }

  /* the view: [T0, T1] visible, the playhead moving; pixels = units */
  spec.width = W;
  spec.height = H;
  spec.png_scale = 1;
  spec.style.font_size = font_size > 0 ? font_size : H / VITA_VIDEO_FONT_DIVISOR;
  spec.style.line_width = MAX (spec.style.line_width, H / 720.0);
  if (dark)
    vita_style_set_dark (&spec.style);
  spec.snap.show_playhead = TRUE;
  spec.snap.visible_start = (gint64) llround (t0 * sr);
  spec.snap.visible_end = (gint64) llround (t1 * sr);
  style = spec.style;
  ctx.cache = sc.cache;
  ctx.peaks = sc.peaks;
  ctx.snap = &spec.snap;
  ctx.style = &style;
  ctx.attention_mode = spec.attention_mode;
  ctx.layout_panels = view_panels;
  ctx.fill_frame = TRUE;   /* a square beside the strips, not under them */

  /* the pipeline */
  n_frames = (int) llround ((t1 - t0) * fps);
  dir = g_path_get_dirname (out);
  base = g_path_get_basename (out);
  tmp_name = g_strdup_printf (".%s.part-XXXXXX", base);
  tmp = g_build_filename (dir, tmp_name, NULL);
  {
    int fd = g_mkstemp (tmp);
    if (fd < 0)
      {
        g_autofree char *disp = g_filename_display_name (out);
        fprintf (stderr, PREFIX "cannot write beside %s: %s\n", disp, g_strerror (errno));
        g_clear_pointer (&tmp, g_free);
        goto out;
      }
    close (fd);
  }
  pipeline = gst_pipeline_new ("render-video");
  GstElement *vsrc = make ("appsrc", &error), *vconv = vsrc ? make ("videoconvert", &error) : NULL;
  GstElement *venc = NULL, *vparse = NULL, *mux = NULL, *sink = NULL;
  GstElement *asrc = NULL, *aconv = NULL, *ares = NULL, *aenc = NULL, *vq = NULL, *aq = NULL;
  if (vconv)
    venc = make (mp4 ? "x264enc" : "vp8enc", &error);
  if (venc && mp4)
    vparse = gst_element_factory_make ("h264parse", NULL);   /* optional: mp4mux takes x264enc's avc */
  if (venc)
    mux = make (mp4 ? "mp4mux" : "webmmux", &error);
  if (mux)
    sink = make ("filesink", &error);
  if (sink)
    asrc = make ("appsrc", &error);
  if (asrc)
    aconv = make ("audioconvert", &error);
  if (aconv)
    ares = make ("audioresample", &error);
  if (ares)
    {
      const char *const aac[] = { "avenc_aac", "fdkaacenc", "voaacenc", NULL };
      const char *const vorbis[] = { "vorbisenc", NULL };
      aenc = make_first (mp4 ? aac : vorbis, &error);
    }
  if (aenc)
    {
      vq = make ("queue", &error);
      aq = make ("queue", &error);
    }
  if (aq == NULL)
    {
      GstElement *all[] = { vsrc, vconv, venc, vparse, mux, sink, asrc, aconv, ares, aenc, vq };
      for (guint i = 0; i < G_N_ELEMENTS (all); i++)
        if (all[i])
          gst_object_unref (gst_object_ref_sink (all[i]));
      fprintf (stderr, PREFIX "cannot write %s: %s\n", mp4 ? "MP4" : "WebM", error->message);
      goto out;
    }
  gst_bin_add_many (GST_BIN (pipeline), vsrc, vconv, venc, vq, mux, sink, asrc, aconv, ares, aenc, aq, NULL);
  if (vparse)
    gst_bin_add (GST_BIN (pipeline), vparse);
  vcaps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "BGRx",
                                                  "width", G_TYPE_INT, W, "height", G_TYPE_INT, H,
                                                  "framerate", GST_TYPE_FRACTION, fps, 1,
                                                  "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
  /* a few frames in flight at most: the painter waits for the encoder */
  g_object_set (vsrc, "caps", vcaps, "format", GST_FORMAT_TIME, "is-live", FALSE, "block", TRUE,
                "max-bytes", (guint64) W * H * 4 * 4, NULL);
  acaps = gst_caps_new_simple ("audio/x-raw", "format", G_TYPE_STRING, "F32LE",
                                                  "rate", G_TYPE_INT, AUDIO_RATE, "channels", G_TYPE_INT, 1,
                                                  "layout", G_TYPE_STRING, "interleaved", NULL);
  /* the whole range of audio is queued at once (small); no limit, so it never blocks */
  g_object_set (asrc, "caps", acaps, "format", GST_FORMAT_TIME, "max-bytes", (guint64) 0, NULL);
  int kbps = bitrate > 0 ? bitrate : MAX (1000, (int) ((double) W * H * fps / 250000.0 * 100));
  if (mp4)
    g_object_set (venc, "bitrate", (guint) kbps, "speed-preset", 2 /* superfast */, NULL);
  else
    /* Real-time settings: the fastest speed (cpu-used 16), and static-threshold so the
     * encoder skips the macroblocks that did not change — between two frames of a panel
     * only the playhead (and a map when the playhead enters a new window) moves;
     * token partitions let the threads share a frame. */
    g_object_set (venc, "target-bitrate", kbps * 1000, "deadline", (gint64) 1, "cpu-used", 16,
                  "static-threshold", 1000, "token-partitions", 2, "lag-in-frames", 0,
                  "auto-alt-ref", FALSE,
                  "threads", (int) MIN (g_get_num_processors (), 8), "end-usage", 0 /* vbr */,
                  "keyframe-max-dist", fps * 2, NULL);
  /* the colour conversion (BGRx → I420, a tenth of the CPU at 1920×1080) on every core
   * (GStreamer ≥ 1.20) */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (vconv), "n-threads") != NULL)
    g_object_set (vconv, "n-threads", (guint) MIN (g_get_num_processors (), 8), NULL);
  g_object_set (sink, "location", tmp, NULL);
  gboolean linked = gst_element_link_many (vsrc, vconv, venc, NULL) &&
                    (vparse ? gst_element_link_many (venc, vparse, vq, NULL) : gst_element_link (venc, vq)) &&
                    gst_element_link (vq, mux) && gst_element_link (mux, sink) &&
                    gst_element_link_many (asrc, aconv, ares, aenc, aq, mux, NULL);
  if (!linked)
    {
      fprintf (stderr, PREFIX "cannot link the %s pipeline\n", mp4 ? "MP4" : "WebM");
      goto out;
    }
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      fprintf (stderr, PREFIX "the encoder does not start\n");
      goto out;
    }

  /* the audio of [T0, T1): exactly the clip's length */
  {
    gsize a0 = (gsize) llround (t0 * AUDIO_RATE);
    gsize want = (gsize) llround ((double) n_frames / fps * AUDIO_RATE);
    gsize n = want;
    g_autofree float *chunk = g_new0 (float, MAX (want, 1));
    if (a0 < sound->n_samples)
      memcpy (chunk, sound->samples + a0, MIN (want, sound->n_samples - a0) * sizeof (float));
    for (gsize off = 0; off < n; off += AUDIO_RATE / 10)
      {
        gsize len = MIN ((gsize) AUDIO_RATE / 10, n - off);
        GstBuffer *buf = gst_buffer_new_memdup (chunk + off, len * sizeof (float));
        GST_BUFFER_PTS (buf) = gst_util_uint64_scale (off, GST_SECOND, AUDIO_RATE);
        GST_BUFFER_DURATION (buf) = gst_util_uint64_scale (len, GST_SECOND, AUDIO_RATE);
        gst_app_src_push_buffer (GST_APP_SRC (asrc), buf);
      }
    gst_app_src_end_of_stream (GST_APP_SRC (asrc));
  }

  /* the frames */
  gint64 t_start = g_get_monotonic_time ();
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);
  const int stride = cairo_image_surface_get_stride (surface);
  VitaRect area = { 0, 0, W, H };
  fr.surface = surface;
  fr.strip_ok = frames_find_strips (&fr, spec.panel, &area, &ctx);
  fr.verify = g_getenv ("VITA_VIDEO_VERIFY") != NULL;
  for (int k = 0; k < n_frames; k++)
    {
      double t = t0 + (double) k / fps;
      spec.snap.position = (gint64) llround (t * sr);
      if (!paint_frame (&fr, spec.panel, &area, &ctx, &style))
        {
          vita_cli_progress_end ();
          fprintf (stderr, PREFIX "frame %d: the strip repaint differs from a full repaint\n", k);
          goto out;
        }
      GstBuffer *buf = gst_buffer_new_allocate (NULL, (gsize) W * H * 4, NULL);
      GstMapInfo map;
      gst_buffer_map (buf, &map, GST_MAP_WRITE);
      const guint8 *src = cairo_image_surface_get_data (surface);
      for (int y = 0; y < H; y++)
        memcpy (map.data + (gsize) y * W * 4, src + (gsize) y * stride, (gsize) W * 4);
      gst_buffer_unmap (buf, &map);
      GST_BUFFER_PTS (buf) = gst_util_uint64_scale (k, GST_SECOND, fps);
      GST_BUFFER_DURATION (buf) = gst_util_uint64_scale (k + 1, GST_SECOND, fps) - GST_BUFFER_PTS (buf);
      if (gst_app_src_push_buffer (GST_APP_SRC (vsrc), buf) != GST_FLOW_OK || !check_bus (pipeline, &error))
        {
          vita_cli_progress_end ();
          g_autofree char *disp = g_filename_display_name (out);
          fprintf (stderr, PREFIX "%s: encoding stopped at frame %d: %s\n", disp, k,
                   error ? error->message : "the pipeline refused a frame");
          goto out;
        }
      if (k % 5 == 0 || k == n_frames - 1)
        {
          double el = (g_get_monotonic_time () - t_start) / 1e6;
          char detail[96];
          g_snprintf (detail, sizeof detail, "frame %d/%d, %.2f× real time", k + 1, n_frames,
                      el > 0 ? (k + 1.0) / fps / el : 0);
          vita_cli_progress ("rendering", (k + 1.0) / n_frames, detail);
        }
    }
  gst_app_src_end_of_stream (GST_APP_SRC (vsrc));
  if (!wait_done (pipeline, 600 * GST_SECOND, &error))
    {
      vita_cli_progress_end ();
      g_autofree char *disp = g_filename_display_name (out);
      fprintf (stderr, PREFIX "%s: %s\n", disp, error->message);
      goto out;
    }
  vita_cli_progress_end ();
  gst_element_set_state (pipeline, GST_STATE_NULL);
  if (g_rename (tmp, out) != 0)
    {
      g_autofree char *disp = g_filename_display_name (out);
      fprintf (stderr, PREFIX "cannot write %s: %s\n", disp, g_strerror (errno));
      goto out;
    }
  g_clear_pointer (&tmp, g_free);
  {
    double el = (g_get_monotonic_time () - t_start) / 1e6;
    g_autofree char *disp = g_filename_display_name (out);
    fprintf (stderr, "wrote %s: %d frames at %d fps, %dx%d, %.2f s of audio; %.1f s to render "
             "(%.2f× real time)\n", disp, n_frames, fps, W, H, (double) n_frames / fps, el,
             el > 0 ? (double) n_frames / fps / el : 0);
    if (fr.verify)
      {
        if (fr.strip_ok)
          fprintf (stderr, PREFIX "every frame checked against a full repaint (%d strip%s drawn once, "
                   "the playhead per frame; %d other panel%s repainted)\n", fr.n_strips,
                   fr.n_strips == 1 ? "" : "s", fr.n_live, fr.n_live == 1 ? "" : "s");
        else
          fprintf (stderr, PREFIX "every frame a full repaint (no strip)\n");
      }
  }
  status = 0;
out:
  if (pipeline)
    {
      gst_element_set_state (pipeline, GST_STATE_NULL);
      gst_object_unref (pipeline);
    }
  if (tmp)
    g_unlink (tmp);
  if (surface)
    cairo_surface_destroy (surface);
  if (fr.background)
    cairo_surface_destroy (fr.background);
  vita_cli_scene_clear (&sc);
  vita_export_spec_clear (&spec);
  return status;
}
