/* vita-mel-painter.c — the model's exact input: normalised log-mel frames. */
#include "vita-paint-private.h"
#include "vita-layout.h"

#include <glib/gi18n.h>

#include <math.h>
#include <string.h>

/* Slaney mel scale (librosa / torchaudio mel_scale="slaney"): linear below 1 kHz,
 * logarithmic above. */
static double
hz_to_mel (double hz)
{
  const double f_sp = 200.0 / 3.0, min_log_hz = 1000.0, min_log_mel = min_log_hz / f_sp;
  const double logstep = log (6.4) / 27.0;
  return hz < min_log_hz ? hz / f_sp : min_log_mel + log (hz / min_log_hz) / logstep;
}

static double
mel_to_hz (double mel)
{
  const double f_sp = 200.0 / 3.0, min_log_hz = 1000.0, min_log_mel = min_log_hz / f_sp;
  const double logstep = log (6.4) / 27.0;
  return mel < min_log_mel ? mel * f_sp : min_log_hz * exp (logstep * (mel - min_log_mel));
}

/* Fractional band index of a frequency: band i is centred at the (i+1)-th of
 * n_mels + 2 points evenly spaced in mel between f_min and f_max. */
static double
band_for_hz (const VitaFrontend *fe, double hz)
{
  double m0 = hz_to_mel (fe->f_min), m1 = hz_to_mel (fe->f_max);
  double step = (m1 - m0) / (fe->n_mels + 1);
  return (hz_to_mel (hz) - m0) / step - 1.0;
}

static void
frequency_axis (cairo_t *cr, const VitaStyle *style, const VitaRect *plot,
                const VitaFrontend *fe)
{
  static const double khz[] = { 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 22.05 };
  double fs = style->font_size, last_y = G_MAXDOUBLE;
  double h = vita_text_line_height (style, 0.9), tick_w = vita_axis_tick_width (style);
  int M = fe->n_mels;
  cairo_save (cr);
  cairo_set_source_rgb (cr, style->fg[0], style->fg[1], style->fg[2]);
  cairo_set_line_width (cr, MAX (0.5, style->line_width * 0.6));
  for (gsize i = 0; i < G_N_ELEMENTS (khz); i++)
    {
      double hz = khz[i] * 1000.0;
      if (hz < fe->f_min || hz > fe->f_max)
        continue;
      double b = band_for_hz (fe, hz);
      if (b < -0.5 || b > M - 0.5)
        continue;
      double y = plot->y + plot->height * (1.0 - (b + 0.5) / M);
      /* Labels thin out rather than collide (measured heights). */
      if (last_y - y < h + 0.3 * fs || y - h / 2 < plot->y - 0.5 * h)
        continue;
      last_y = y;
      cairo_move_to (cr, plot->x, y);
      cairo_line_to (cr, plot->x - 0.35 * fs, y);
      cairo_stroke (cr);
      char buf[16];
      g_snprintf (buf, sizeof buf, "%g", khz[i]);
      vita_draw_text_fit (cr, style, buf, plot->x - 0.5 * fs, y, VITA_ANCHOR_E, 0.9, 0.0,
                          tick_w);
    }
  vita_axis_title_left (cr, style, plot, "Frequency (kHz)");
  cairo_restore (cr);
}

/* The colour range of the whole mel (once per colormap) and, for a track that fits one
 * surface, that surface; NULL for a longer one (drawn by mel_paint_tiles). */
static cairo_surface_t *
mel_surface (VitaPaintCache *cache, VitaColormap cmap, float *vmin, float *vmax)
{
  VitaSurfaceSlot *slot = &cache->mel;
  guint64 key = vita_key (cmap, 0, 0, 0, 0);
  if (slot->key == key)
    goto done;
  vita_surface_slot_clear (slot);
  VitaAnalysis *an = cache->an;
  float lo, hi;
  vita_analysis_mel_range (an, &lo, &hi);
  if (!(hi > lo))
    {
      lo = 0;
      hi = 1;
    }
  if (an->n_frames <= VITA_MEL_TILE)
    slot->surface = vita_heatmap_surface_transposed (an->mel, an->n_frames, an->cfg.fe.n_mels,
                                                     lo, hi, cmap);
  slot->decim = 1;
  slot->vmin = lo;
  slot->vmax = hi;
  slot->key = key;
done:
  *vmin = slot->vmin;
  *vmax = slot->vmax;
  return slot->surface;
}

/* The attribution overlay as an ARGB32 surface (time along x, band 0 at the bottom),
 * diverging colormap over ±vabs, NaN (not computed) transparent; beyond 16384 frames
 * columns average groups of frames as the mel does. */
static cairo_surface_t *
attribution_surface (VitaPaintCache *cache, const VitaStyle *style)
{
  VitaSurfaceSlot *slot = &cache->attr_slot;
  guint64 key = ((guint64) cache->attr_map_gen << 8) | (guint64) style->diverging;
  if (slot->surface && slot->key == key)
    return slot->surface;
  vita_surface_slot_clear (slot);
  const int T = cache->attr_frames, M = cache->attr_mels;
  const int decim = MAX (1, (T + 16383) / 16384), cols = (T + decim - 1) / decim;
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, cols, M);
  cairo_surface_flush (s);
  guint8 *data = cairo_image_surface_get_data (s);
  const int stride = cairo_image_surface_get_stride (s);
  const guint32 *lut = vita_colormap_lut (style->diverging);
  const double vabs = cache->attr_vabs;
  for (int c = 0; c < cols; c++)
    for (int m = 0; m < M; m++)
      {
        double sum = 0;
        int n = 0;
        for (int f = c * decim; f < MIN (T, (c + 1) * decim); f++)
          {
            float v = cache->attr[(gsize) f * M + m];
            if (isfinite (v))
              sum += v, n++;
          }
        guint32 px = 0;
        if (n > 0)
          {
            /* colour from the diverging map; coverage grows with |v| so that cells
             * near zero (white on the colorbar) leave the mel visible (premultiplied) */
            double v = CLAMP (sum / n / vabs, -1.0, 1.0);
            guint32 rgb = lut[(int) lround ((0.5 + 0.5 * v) * 255)];
            double a = sqrt (fabs (v));
            guint32 ai = (guint32) lround (255 * a);
            guint32 r = (guint32) lround (((rgb >> 16) & 0xff) * a);
            guint32 g = (guint32) lround (((rgb >> 8) & 0xff) * a);
            guint32 b = (guint32) lround ((rgb & 0xff) * a);
            px = ai << 24 | r << 16 | g << 8 | b;
          }
        *(guint32 *) (data + (gsize) (M - 1 - m) * stride + 4 * c) = px;
      }
  cairo_surface_mark_dirty (s);
  slot->surface = s;
  slot->decim = decim;
  slot->key = key;
  return s;
}

/* Per-frame (Σ bands, visible frames: a curve in a strip at the top of the plot) and
 * per-band (Σ computed frames: bars at the right edge) marginals of the overlay. */
static void
attribution_marginals (cairo_t *cr, const VitaStyle *style, const VitaRect *plot,
                       VitaPaintCache *cache, double f_start, double f_span)
{
  const int T = cache->attr_frames, M = cache->attr_mels;
  int f0 = MAX (0, (int) floor (f_start)), f1 = MIN (T, (int) ceil (f_start + f_span) + 1);
  g_autofree double *bands = g_new0 (double, M);
  double fmax = 0, bmax = 0;
  for (int f = 0; f < T; f++)
    {
      double sum = 0;
      gboolean any = FALSE;
      for (int m = 0; m < M; m++)
        {
          float v = cache->attr[(gsize) f * M + m];
          if (isfinite (v))
            sum += v, bands[m] += v, any = TRUE;
        }
      if (any)
        fmax = MAX (fmax, fabs (sum));
    }
  for (int m = 0; m < M; m++)
    bmax = MAX (bmax, fabs (bands[m]));
  cairo_save (cr);
  cairo_rectangle (cr, plot->x, plot->y, plot->width, plot->height);
  cairo_clip (cr);
  const double lw = MAX (0.5, style->line_width * 0.6);
  cairo_set_line_width (cr, lw);
  /* per frame: a strip of 15 % of the plot's height, zero in its middle */
  const double sh = plot->height * 0.15, mid = plot->y + sh / 2;
  cairo_set_source_rgba (cr, 1, 1, 1, 0.3);
  cairo_rectangle (cr, plot->x, plot->y, plot->width, sh);
  cairo_fill (cr);
  cairo_set_source_rgba (cr, 0, 0, 0, 0.35);
  cairo_move_to (cr, plot->x, mid);
  cairo_line_to (cr, plot->x + plot->width, mid);
  cairo_stroke (cr);
  if (fmax > 0 && f1 > f0)
    {
      gboolean pen = FALSE;
      for (int f = f0; f < f1; f++)
        {
          double sum = 0;
          gboolean any = FALSE;
          for (int m = 0; m < M; m++)
            {
              float v = cache->attr[(gsize) f * M + m];
              if (isfinite (v))
                sum += v, any = TRUE;
            }
          double x = plot->x + plot->width * (f + 0.5 - f_start) / f_span;
          double y = mid - 0.45 * sh * sum / fmax;
          if (!any)
            pen = FALSE;
          else if (pen)
            cairo_line_to (cr, x, y);
          else
            cairo_move_to (cr, x, y), pen = TRUE;
        }
      cairo_set_source_rgb (cr, 0, 0, 0);
      cairo_stroke (cr);
    }
  /* per band: bars in 10 % of the plot's width at the right, zero in its middle */
  const double bw = plot->width * 0.1, bx = plot->x + plot->width - bw, bmid = bx + bw / 2;
  cairo_set_source_rgba (cr, 1, 1, 1, 0.3);
  cairo_rectangle (cr, bx, plot->y, bw, plot->height);
  cairo_fill (cr);
  if (bmax > 0)
    for (int m = 0; m < M; m++)
      {
        double r, g, b;
        vita_colormap_rgb (style->diverging, 0.5 + 0.5 * bands[m] / bmax, &r, &g, &b);
        double y0 = plot->y + plot->height * (1.0 - (m + 1.0) / M);
        double len = 0.48 * bw * bands[m] / bmax;
        cairo_set_source_rgb (cr, r, g, b);
        cairo_rectangle (cr, MIN (bmid, bmid + len), y0, fabs (len), plot->height / M);
        cairo_fill (cr);
      }
  cairo_set_source_rgba (cr, 0, 0, 0, 0.35);
  cairo_move_to (cr, bmid, plot->y);
  cairo_line_to (cr, bmid, plot->y + plot->height);
  cairo_stroke (cr);
  cairo_restore (cr);
}

/* Frames [f0, f0 + n) that a preview has mel for (those of its ready windows): 1, else 0. */
static guint8 *
preview_known_frames (const VitaAnalysis *an, gsize f0, gsize n)
{
  guint8 *mask = g_malloc0 (MAX (n, 1));
  for (int w = 0; w < an->n_windows; w++)
    if (vita_analysis_window_ready (an, w))
      {
        gsize a = MAX ((gsize) an->window_start[w], f0);
        gsize b = MIN ((gsize) MIN (an->window_start[w] + an->cfg.frames, an->n_frames), f0 + n);
        if (b > a)
          memset (mask + (a - f0), 1, b - a);
      }
  return mask;
}

/* Tile `tile` of the mel at `level` (2^level frames per column, their mean).  A
 * preview's (ctx->preview: the cache's analysis is one, for its whole life) averages
 * only the frames it has mel for: the others are drawn as unknown over it, and reading
 * them would page in the whole of a long track's (sparse, mapped) mel for nothing — a
 * 3-hour track's zoomed-out tile took 360–410 ms on the main thread. */
static cairo_surface_t *
mel_tile (VitaPaintCache *cache, VitaColormap cmap, int level, int tile, gboolean preview)
{
  const guint64 key = vita_key (cmap, level, tile, 0, 0);
  int slot_i = 0;
  for (int i = 0; i < VITA_MEL_TILES; i++)
    {
      if (cache->mel_tiles[i].surface && cache->mel_tiles[i].key == key)
        {
          cache->mel_tiles_used[i] = ++cache->stamp;
          return cache->mel_tiles[i].surface;
        }
      if (cache->mel_tiles_used[i] < cache->mel_tiles_used[slot_i])
        slot_i = i;
    }
  VitaSurfaceSlot *slot = &cache->mel_tiles[slot_i];
  vita_surface_slot_clear (slot);
  const VitaAnalysis *an = cache->an;
  const int M = an->cfg.fe.n_mels, decim = 1 << level;
  const gsize f0 = (gsize) tile * VITA_MEL_TILE * decim;
  const int cols = (int) MIN ((gsize) VITA_MEL_TILE, (an->n_frames - f0 + decim - 1) / decim);
  if (decim == 1)
    slot->surface = vita_heatmap_surface_transposed (an->mel + f0 * M, cols, M, cache->mel.vmin,
                                                     cache->mel.vmax, cmap);
  else
    {
      g_autofree float *avg = g_new0 (float, (gsize) cols * M);
      const gsize span = MIN ((gsize) cols * decim, (gsize) an->n_frames - f0);
      g_autofree guint8 *known = preview ? preview_known_frames (an, f0, span) : NULL;
      for (int c = 0; c < cols; c++)
        {
          gsize a = f0 + (gsize) c * decim, b = MIN (a + decim, (gsize) an->n_frames), k = 0;
          float *col = avg + (gsize) c * M;
          for (gsize f = a; f < b; f++)
            if (known == NULL || known[f - f0])
              {
                for (int m = 0; m < M; m++)
                  col[m] += an->mel[f * M + m];
                k++;
              }
          for (int m = 0; m < M && k > 0; m++)
            col[m] /= (float) k;
        }
      slot->surface = vita_heatmap_surface_transposed (avg, cols, M, cache->mel.vmin,
                                                       cache->mel.vmax, cmap);
      /* a zoomed-out tile reads a long stretch of a mapped mel: drop those pages */
      vita_analysis_release_tokens (cache->an);
    }
  slot->decim = decim;
  slot->key = key;
  cache->mel_tiles_used[slot_i] = ++cache->stamp;
  return slot->surface;
}

/* A mel longer than one surface, by tiles: the level whose columns are at least half a
 * device pixel wide (every frame its own column whenever a frame is wider than that),
 * the tiles under the visible range side by side, meeting on a pixel edge. */
static void
mel_paint_tiles (cairo_t *cr, VitaPaintCache *cache, VitaColormap cmap,
                 const VitaTimelineSnapshot *snap, const VitaRect *plot, gboolean preview)
{
  const VitaAnalysis *an = cache->an;
  /* Column i covers samples [i·hop − hop/2, i·hop + hop/2): x in frames, as below. */
  double c0 = (double) snap->visible_start / snap->hop + 0.5;
  double cw = (double) (snap->visible_end - snap->visible_start) / snap->hop;
  double dw = plot->width, dh = 0;
  cairo_user_to_device_distance (cr, &dw, &dh);
  const double frames_per_pixel = cw / MAX (fabs (dw), 1.0);
  int level = 0;
  while (level < 24 && (double) (2 << level) <= frames_per_pixel)
    level++;
  const int decim = 1 << level;
  c0 /= decim;
  cw /= decim;
  const gint64 cols = (an->n_frames + decim - 1) / decim;
  const int n_tiles = (int) ((cols + VITA_MEL_TILE - 1) / VITA_MEL_TILE);
  const int t0 = CLAMP ((int) floor (c0 / VITA_MEL_TILE), 0, n_tiles - 1);
  const int t1 = CLAMP ((int) floor ((c0 + cw) / VITA_MEL_TILE), 0, n_tiles - 1);
  cairo_save (cr);
  if (t1 > t0)
    cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);   /* no seam where two tiles meet */
  for (int t = t0; t <= t1; t++)
    {
      /* the first and last tiles reach the visible range's ends (padded past the track) */
      double a = t == t0 ? c0 : (double) t * VITA_MEL_TILE;
      double b = t == t1 ? c0 + cw : (double) (t + 1) * VITA_MEL_TILE;
      if (!(b > a))
        continue;
      cairo_surface_t *s = mel_tile (cache, cmap, level, t, preview);
      VitaRect dest = { plot->x + (a - c0) / cw * plot->width, plot->y,
                        (b - a) / cw * plot->width, plot->height };
      vita_heatmap_paint (cr, s, a - (double) t * VITA_MEL_TILE, 0, b - a, an->cfg.fe.n_mels,
                          &dest);
    }
  cairo_restore (cr);
}

void
vita_mel_paint (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  const VitaStyle *style = ctx->style;
  VitaRect plot, cbar;
  vita_paint_time_panel_begin (cr, area, ctx, VITA_PANEL_MEL, &plot, &cbar);
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  char title[256] = "Mel spectrogram (model input)";
  if (an == NULL || an->mel == NULL || an->n_frames <= 0)
    vita_panel_message (cr, style, &plot, "No analysis");
  else
    {
      float vmin, vmax;
      cairo_surface_t *s = mel_surface (ctx->cache, style->colormap, &vmin, &vmax);
      VitaPaintCache *cache = ctx->cache;
      const gboolean overlay = cache->attr != NULL && cache->attr_mels == an->cfg.fe.n_mels;
      VitaRect attr_bar = cbar;
      if (overlay)
        {
          /* Both colorbars share the slot, one above the other: the plot stays
           * aligned with the other time panels (playhead, clicks). */
          double gap = style->font_size;
          cbar.height = MAX (1.0, (cbar.height - gap) / 2);
          attr_bar.height = cbar.height;
          attr_bar.y = cbar.y + cbar.height + gap;
        }
      /* Column i covers samples [i·hop − hop/2, i·hop + hop/2). */
      double sx = (double) snap->visible_start / snap->hop + 0.5;
      double sw = (double) (snap->visible_end - snap->visible_start) / snap->hop;
      if (s != NULL)
        vita_heatmap_paint (cr, s, sx, 0, sw, an->cfg.fe.n_mels, &plot);
      else
        mel_paint_tiles (cr, ctx->cache, style->colormap, snap, &plot, ctx->preview);
      /* a preview: the frames whose mel is not computed yet are not data */
      vita_paint_preview_unknown (cr, ctx, &plot, an);
      frequency_axis (cr, style, &plot, &an->cfg.fe);
      vita_colorbar (cr, style, &cbar, style->colormap, vmin, vmax,
                     overlay ? "log-mel" : "normalised log-mel");
      g_snprintf (title, sizeof title, "Mel spectrogram (model input, %d bands, hop %.1f ms)",
                  an->cfg.fe.n_mels, 1000.0 * snap->hop / snap->sample_rate);
      if (overlay)
        {
          cairo_surface_t *as = attribution_surface (cache, style);
          int adecim = cache->attr_slot.decim;
          double ax = ((double) snap->visible_start / snap->hop + 0.5) / adecim;
          double aw = (double) (snap->visible_end - snap->visible_start) / snap->hop / adecim;
          cairo_push_group (cr);
          vita_heatmap_paint (cr, as, ax, 0, aw, cache->attr_mels, &plot);
          cairo_pop_group_to_source (cr);
          cairo_paint_with_alpha (cr, cache->attr_opacity);
          attribution_marginals (cr, style, &plot, cache, (double) snap->visible_start / snap->hop + 0.5,
                                 (double) (snap->visible_end - snap->visible_start) / snap->hop);
          /* small (or large) attributions: ticks in units of 10^e, said in the label */
          double vabs = cache->attr_vabs;
          int e = (vabs < 0.01 || vabs >= 1000) ? (int) floor (log10 (vabs)) : 0;
          char unit[48] = "attribution";
          if (e != 0)
            g_snprintf (unit, sizeof unit, "attribution (×1e%d)", e);
          vita_colorbar (cr, style, &attr_bar, style->diverging, -vabs / pow (10, e),
                         vabs / pow (10, e), unit);
          g_snprintf (title, sizeof title, "Mel spectrogram + attribution (%s; Σ over bands top, over frames right)",
                      cache->attr_label ? cache->attr_label : "overlay");
        }
      vita_paint_annotations (cr, style, &plot, snap, ctx->annotations, title);
    }
  vita_paint_time_panel_end (cr, ctx, &plot, title);
}

/* ---- the class record -------------------------------------------------------- */

/* The visible frames, (frames, n_mels). */
static float *
mel_array (const VitaPanelClass *klass, const VitaPaintContext *ctx, int *ndim, gsize shape[4], GError **error)
{
  VitaAnalysis *an = vita_panel_require_analysis (vita_panel_get_class (VITA_PANEL_MEL), ctx, error);
  if (an == NULL)
    return NULL;
  int M = an->cfg.fe.n_mels, f0, f1;
  vita_paint_visible_frames (ctx, an->n_frames, &f0, &f1);
  *ndim = 2;
  shape[0] = (gsize) (f1 - f0 + 1);
  shape[1] = (gsize) M;
  return g_memdup2 (an->mel + (gsize) f0 * M, shape[0] * shape[1] * sizeof (float));
}

/* Time, the band's centre frequency with its note, and the value there. */
static gboolean
mel_readout (const VitaPanelClass *klass, const VitaRect *area, const VitaPaintContext *ctx,
             double px, double py, VitaReadout *out)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  VitaRect plot;
  gint64 sample;
  if (an == NULL || an->mel == NULL || an->n_frames <= 0 ||
      !vita_time_panel_hit_sample (klass, area, ctx, px, py, &sample))
    return FALSE;
  vita_panel_layout (ctx->style, area->x, area->y, area->width, area->height, klass->flags,
                     &plot, NULL);
  const VitaFrontend *fe = &an->cfg.fe;
  int M = fe->n_mels;
  int band = CLAMP ((int) floor ((1.0 - (py - plot.y) / plot.height) * M), 0, M - 1);
  double m0 = hz_to_mel (fe->f_min), m1 = hz_to_mel (fe->f_max);
  double hz = mel_to_hz (m0 + (band + 1) * (m1 - m0) / (M + 1));
  int frame = CLAMP (vita_snapshot_sample_to_frame (snap, sample), 0, an->n_frames - 1);
  char t[32], note[16];
  vita_format_readout_time (vita_snapshot_seconds (snap, sample),
                            vita_snapshot_seconds (snap, snap->visible_end - snap->visible_start),
                            t, sizeof t);
  vita_note_name (hz, note, sizeof note);
  int n = g_snprintf (out->text, sizeof out->text, "%s · %.0f Hz (%s) · log-mel %.2f", t, hz,
                      note, an->mel[(gsize) frame * M + band]);
  const char *chord = vita_annotation_chord_at (ctx->annotations,
                                                vita_snapshot_seconds (snap, sample));
  if (chord != NULL && n < (int) sizeof out->text)
    g_snprintf (out->text + n, sizeof out->text - n, " · chord %s", chord);
  return TRUE;
}

const VitaPanelClass vita_mel_panel_class = {
  .name = "mel",
  .title = N_("Mel Spectrogram"),
  .subtitle = N_("the model's exact input"),
  .flags = VITA_PANEL_XAXIS | VITA_PANEL_YAXIS | VITA_PANEL_COLORBAR | VITA_PANEL_TITLE,
  .traits = VITA_PANEL_TIME_ALIGNED | VITA_PANEL_NEEDS_MODEL,
  /* The mel is the analysis's from its start: progress changes nothing drawn. */
  .depends = VITA_DEPENDS_VISIBLE | VITA_DEPENDS_SELECTION | VITA_DEPENDS_DECODING,
  .order = 30, .row = 0, .width = -1, .height = 150,
  .paint = vita_mel_paint,
  .playhead = vita_time_panel_playhead,
  .hit_sample = vita_time_panel_hit_sample,
  .readout = mel_readout,
  .array = mel_array,
};

/* ---- the attribution overlay as a panel of its own (export, render --panel) ------- */

/* The overlay's map of the visible frames, (frames, n_mels); cells not computed are 0. */
static float *
attribution_array (const VitaPanelClass *klass, const VitaPaintContext *ctx, int *ndim,
                   gsize shape[4], GError **error)
{
  VitaAnalysis *an = vita_panel_require_analysis (klass, ctx, error);
  if (an == NULL)
    return NULL;
  int n_frames = 0, M = 0;
  const float *map = vita_paint_cache_get_attribution (ctx->cache, &n_frames, &M, NULL, NULL, NULL);
  if (map == NULL || n_frames != an->n_frames)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY,
                   "No attribution to export: compute one first (Attribution in the header bar)");
      return NULL;
    }
  int f0, f1;
  vita_paint_visible_frames (ctx, an->n_frames, &f0, &f1);
  *ndim = 2;
  shape[0] = (gsize) (f1 - f0 + 1);
  shape[1] = (gsize) M;
  float *out = g_memdup2 (map + (gsize) f0 * M, shape[0] * shape[1] * sizeof (float));
  for (gsize i = 0; i < shape[0] * shape[1]; i++)
    if (isnan (out[i]))
      out[i] = 0;
  return out;
}

const VitaPanelClass vita_attribution_panel_class = {
  .name = "attribution",
  .title = N_("Attribution"),
  .subtitle = N_("the mel input and what in it drives the chosen target"),
  .flags = VITA_PANEL_XAXIS | VITA_PANEL_YAXIS | VITA_PANEL_COLORBAR | VITA_PANEL_TITLE,
  /* the mel panel draws the overlay on screen; this record exports it */
  .traits = VITA_PANEL_TIME_ALIGNED | VITA_PANEL_NEEDS_MODEL | VITA_PANEL_FIGURE_ONLY,
  .depends = VITA_DEPENDS_VISIBLE | VITA_DEPENDS_SELECTION | VITA_DEPENDS_ANALYSIS |
             VITA_DEPENDS_DECODING,
  .order = 31, .row = 0, .width = -1, .height = 150,
  .paint = vita_mel_paint,
  .playhead = vita_time_panel_playhead,
  .hit_sample = vita_time_panel_hit_sample,
  .array = attribution_array,
};
