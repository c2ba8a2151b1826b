/* vita-mel-painter.c — the model's exact input: normalised log-mel frames. */
#include "vita-paint-private.h"
#include "vita-layout.h"

#include <glib/gi18n.h>

#include <math.h>

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

static cairo_surface_t *
mel_surface (VitaPaintCache *cache, VitaColormap cmap, float *vmin, float *vmax)
{
  VitaSurfaceSlot *slot = &cache->mel;
  guint64 key = vita_key (cmap, 0, 0, 0, 0);
  if (slot->surface && slot->key == key)
    goto done;
  vita_surface_slot_clear (slot);
  VitaAnalysis *an = cache->an;
  gsize n = (gsize) an->n_frames * an->cfg.fe.n_mels;
  float lo = G_MAXFLOAT, hi = -G_MAXFLOAT;
  for (gsize i = 0; i < n; i++)
    if (isfinite (an->mel[i]))
      {
        lo = MIN (lo, an->mel[i]);
        hi = MAX (hi, an->mel[i]);
      }
  if (!(hi > lo))
    {
      lo = 0;
      hi = 1;
    }
  /* Cairo images are limited to 32767 pixels a side: beyond 16384 frames (about
   * 9 minutes at the default hop) columns average groups of frames. */
  int M = an->cfg.fe.n_mels, decim = (an->n_frames + 16383) / 16384;
  if (decim <= 1)
    slot->surface = vita_heatmap_surface_transposed (an->mel, an->n_frames, M, lo, hi, cmap);
  else
    {
      int cols = (an->n_frames + decim - 1) / decim;
      g_autofree float *avg = g_new0 (float, (gsize) cols * M);
      for (int c = 0; c < cols; c++)
        {
          int a = c * decim, b = MIN (a + decim, an->n_frames);
          for (int f = a; f < b; f++)
            for (int m = 0; m < M; m++)
              avg[(gsize) c * M + m] += an->mel[(gsize) f * M + m] / (b - a);
        }
      slot->surface = vita_heatmap_surface_transposed (avg, cols, M, lo, hi, cmap);
    }
  slot->decim = MAX (decim, 1);
  slot->vmin = lo;
  slot->vmax = hi;
  slot->key = key;
done:
  *vmin = slot->vmin;
  *vmax = slot->vmax;
  return slot->surface;
}

void
vita_mel_paint (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  const VitaStyle *style = ctx->style;
  VitaRect plot, cbar;
  vita_paint_time_panel_begin (cr, area, ctx, VITA_PANEL_MEL, &plot, &cbar);
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  char title[128] = "Mel spectrogram (model input)";
  if (an == NULL || an->mel == NULL || an->n_frames <= 0)
    vita_panel_message (cr, style, &plot, "No analysis");
  else
    {
      float vmin, vmax;
      cairo_surface_t *s = mel_surface (ctx->cache, style->colormap, &vmin, &vmax);
      /* Column i covers samples [i·hop − hop/2, i·hop + hop/2). */
      int decim = ctx->cache->mel.decim;
      double sx = ((double) snap->visible_start / snap->hop + 0.5) / decim;
      double sw = (double) (snap->visible_end - snap->visible_start) / snap->hop / decim;
      vita_heatmap_paint (cr, s, sx, 0, sw, an->cfg.fe.n_mels, &plot);
      g_snprintf (title, sizeof title, "Mel spectrogram (model input, %d bands, hop %.1f ms)",
                  an->cfg.fe.n_mels, 1000.0 * snap->hop / snap->sample_rate);
      vita_paint_annotations (cr, style, &plot, snap, ctx->annotations, title);
      frequency_axis (cr, style, &plot, &an->cfg.fe);
      vita_colorbar (cr, style, &cbar, style->colormap, vmin, vmax, "normalised log-mel");
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
  .depends = VITA_DEPENDS_VISIBLE | VITA_DEPENDS_SELECTION | VITA_DEPENDS_ANALYSIS,
  .order = 30, .row = 0, .width = -1, .height = 150,
  .paint = vita_mel_paint,
  .playhead = vita_time_panel_playhead,
  .hit_sample = vita_time_panel_hit_sample,
  .readout = mel_readout,
  .array = mel_array,
};
