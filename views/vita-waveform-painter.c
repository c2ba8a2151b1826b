/* vita-waveform-painter.c — the waveform from PCM peaks, at any zoom. */
#include "vita-paint-private.h"
#include "vita-layout.h"

#include <glib/gi18n.h>

#include <math.h>

/* The track's peak |amplitude| (full scale = 1), 0 without audio. */
static double
track_peak (VitaPeaks *peaks)
{
  float mn, mx;
  if (peaks == NULL || !vita_peaks_range (peaks, 0, vita_peaks_get_n_samples (peaks), &mn, &mx))
    return 0;
  return MAX (fabs (mn), fabs (mx));
}

/* Display gain: the track's peak fills the plot, so quiet pieces are visible; the
 * scale says the levels in dBFS.  Nearly silent tracks (peak below -60 dBFS) are not
 * blown up to noise. */
static double
display_peak (VitaPeaks *peaks)
{
  double peak = track_peak (peaks);
  return peak > 1e-3 ? peak : 1.0;
}

/* The level axis: ± the displayed peak and -∞ at 0 in dBFS, and ± half the peak
 * (-6 dB) where there is room for its labels (measured). */
static void
level_axis (cairo_t *cr, const VitaStyle *style, const VitaRect *plot, double peak)
{
  double fs = style->font_size, h = vita_text_line_height (style, 0.9);
  double mid = plot->y + plot->height / 2, tick_w = vita_axis_tick_width (style);
  gboolean halves = plot->height / 4 >= h + 0.2 * fs;
  const double fractions[] = { 1.0, -1.0, 0.0, 0.5, -0.5 };
  cairo_save (cr);
  vita_set_rgb (cr, style->fg);
  cairo_set_line_width (cr, MAX (0.5, style->line_width * 0.6));
  for (gsize i = 0; i < G_N_ELEMENTS (fractions); i++)
    {
      double f = fractions[i];
      if (fabs (f) == 0.5 && !halves)
        continue;
      double y = mid - f * plot->height / 2;
      char buf[24];
      if (f != 0)
        g_snprintf (buf, sizeof buf, "%.0f", 20.0 * log10 (fabs (f) * peak));
      else
        g_strlcpy (buf, "−∞", sizeof buf);
      cairo_move_to (cr, plot->x, y);
      cairo_line_to (cr, plot->x - 0.35 * fs, y);
      cairo_stroke (cr);
      vita_draw_text_fit (cr, style, buf, plot->x - 0.5 * fs, y, VITA_ANCHOR_E, 0.9, 0.0, tick_w);
    }
  vita_axis_title_left (cr, style, plot, "dBFS");
  cairo_restore (cr);
}

void
vita_waveform_paint (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  const VitaStyle *style = ctx->style;
  VitaRect plot;
  vita_paint_time_panel_begin (cr, area, ctx, VITA_PANEL_WAVEFORM, &plot, NULL);

  if (ctx->peaks == NULL && ctx->decoding)
    {
      vita_paint_unknown_x (cr, style, &plot, plot.x, plot.x + plot.width);
      vita_paint_decoding_label (cr, ctx, &plot);
    }
  else if (ctx->peaks == NULL)
    vita_panel_message (cr, style, &plot, "No audio");
  else
    {
      double mid = plot.y + plot.height / 2, half = plot.height / 2 / display_peak (ctx->peaks);
      gint64 vs = snap->visible_start, ve = snap->visible_end;
      double spp = (double) (ve - vs) / plot.width;   /* samples per unit */
      cairo_save (cr);
      cairo_rectangle (cr, plot.x, plot.y, plot.width, plot.height);
      cairo_clip (cr);
      /* zero line */
      cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], 0.35);
      cairo_set_line_width (cr, 0.5);
      cairo_move_to (cr, plot.x, mid);
      cairo_line_to (cr, plot.x + plot.width, mid);
      cairo_stroke (cr);
      vita_set_rgb (cr, style->accent);
      if (spp >= 1.0)
        {
          /* One min/max pair per unit column: a filled envelope polygon, of the
           * columns inside the clip only (a plot may be far wider than what is drawn:
           * a long track at full resolution, drawn in tiles). */
          double cx0, cy0, cx1, cy1;
          cairo_clip_extents (cr, &cx0, &cy0, &cx1, &cy1);
          /* columns of the target's pixels (a 300 dpi figure: ~4 per unit) */
          int k = vita_envelope_columns_per_unit (cr);
          while (k > 1 && spp / k < 1.0)   /* a column holds a sample at least */
            k--;
          const double sppk = spp / k;
          int W = (int) ceil (plot.width * k);
          int c0 = CLAMP ((int) floor ((cx0 - plot.x) * k) - k, 0, W);
          int c1 = CLAMP ((int) ceil ((cx1 - plot.x) * k) + k, c0, W);
          g_autofree float *mx = g_new (float, MAX (c1 - c0, 1));
          g_autofree float *mn = g_new (float, MAX (c1 - c0, 1));
          for (int c = c0; c < c1; c++)
            {
              gint64 a = vs + (gint64) floor (c * sppk), b = vs + (gint64) floor ((c + 1) * sppk);
              if (!vita_peaks_range (ctx->peaks, a, MAX (b, a + 1), &mn[c - c0], &mx[c - c0]))
                mn[c - c0] = mx[c - c0] = 0;
            }
          vita_draw_envelope (cr, floor (plot.x) + (double) c0 / k, k, mid, half, mn, mx, c1 - c0);
        }
      else
        {
          /* Sample level: a line through the samples, dots when far apart. */
          const float *pcm = vita_peaks_get_samples (ctx->peaks);
          gint64 n = vita_peaks_get_n_samples (ctx->peaks);
          gint64 a = MAX (vs - 1, 0), b = MIN (ve + 1, n - 1);
          cairo_set_line_width (cr, style->line_width);
          for (gint64 i = a; i <= b; i++)
            cairo_line_to (cr, vita_paint_x_for_sample (&plot, snap, i), mid - pcm[i] * half);
          cairo_stroke (cr);
          if (1.0 / spp > 6.0)
            for (gint64 i = a; i <= b; i++)
              {
                cairo_arc (cr, vita_paint_x_for_sample (&plot, snap, i), mid - pcm[i] * half,
                           MAX (1.5, style->line_width * 1.5), 0, 2 * G_PI);
                cairo_fill (cr);
              }
        }
      cairo_restore (cr);
    }
  double peak = display_peak (ctx->peaks);
  char title[96];
  if (ctx->peaks != NULL && peak < 1.0)
    g_snprintf (title, sizeof title, "Waveform (mono, model rate; peak %.1f dBFS shown full height)",
                20.0 * log10 (peak));
  else
    g_strlcpy (title, "Waveform (mono, model rate)", sizeof title);
  if (ctx->peaks != NULL)
    vita_paint_annotations (cr, style, &plot, snap, ctx->annotations, title);
  level_axis (cr, style, &plot, peak);
  vita_paint_time_panel_end (cr, ctx, &plot, title);
}

/* Time, the level of the visible column under the pointer (dBFS), the chord. */
static gboolean
waveform_readout (const VitaPanelClass *klass, const VitaRect *area,
                  const VitaPaintContext *ctx, double px, double py, VitaReadout *out)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  gint64 sample;
  if (!vita_time_panel_hit_sample (klass, area, ctx, px, py, &sample))
    return FALSE;
  VitaRect plot;
  vita_panel_layout (ctx->style, area->x, area->y, area->width, area->height, klass->flags,
                     &plot, NULL);
  char t[32];
  vita_format_readout_time (vita_snapshot_seconds (snap, sample),
                            vita_snapshot_seconds (snap, snap->visible_end - snap->visible_start),
                            t, sizeof t);
  int n = g_snprintf (out->text, sizeof out->text, "%s", t);
  float mn, mx;
  gint64 spp = MAX ((gint64) ((snap->visible_end - snap->visible_start) / plot.width), 1);
  if (ctx->peaks != NULL && vita_peaks_range (ctx->peaks, sample, sample + spp, &mn, &mx))
    {
      double level = MAX (fabs (mn), fabs (mx));
      if (level > 0)
        n += g_snprintf (out->text + n, sizeof out->text - n, " · peak %.1f dBFS",
                         20.0 * log10 (level));
      else
        n += g_snprintf (out->text + n, sizeof out->text - n, " · silence");
    }
  const char *chord = vita_annotation_chord_at (ctx->annotations,
                                                vita_snapshot_seconds (snap, sample));
  if (chord != NULL && n < (int) sizeof out->text)
    g_snprintf (out->text + n, sizeof out->text - n, " · chord %s", chord);
  return TRUE;
}

/* ---- the class record -------------------------------------------------------- */

/* The visible samples. */
static float *
waveform_array (const VitaPanelClass *klass, const VitaPaintContext *ctx, int *ndim, gsize shape[4], GError **error)
{
  if (ctx->peaks == NULL)
    return NULL;
  gint64 n = vita_peaks_get_n_samples (ctx->peaks);
  gint64 a = CLAMP (ctx->snap->visible_start, 0, n);
  gint64 b = CLAMP (ctx->snap->visible_end, a, n);
  *ndim = 1;
  shape[0] = (gsize) (b - a);
  return g_memdup2 (vita_peaks_get_samples (ctx->peaks) + a, MAX (shape[0], 1) * sizeof (float));
}

const VitaPanelClass vita_waveform_panel_class = {
  .name = "waveform",
  .title = N_("Waveform"),
  .subtitle = N_("click to seek, drag to select"),
  .flags = VITA_PANEL_XAXIS | VITA_PANEL_YAXIS | VITA_PANEL_TITLE,
  .traits = VITA_PANEL_TIME_ALIGNED,
  .depends = VITA_DEPENDS_VISIBLE | VITA_DEPENDS_SELECTION | VITA_DEPENDS_PEAKS |
             VITA_DEPENDS_DECODING | VITA_DEPENDS_AUDIO_ONLY,
  .order = 20, .row = 0, .width = -1, .height = 90,
  .paint = vita_waveform_paint,
  .playhead = vita_time_panel_playhead,
  .hit_sample = vita_time_panel_hit_sample,
  .readout = waveform_readout,
  .array = waveform_array,
};
