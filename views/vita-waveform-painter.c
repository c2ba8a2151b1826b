/* vita-waveform-painter.c — the waveform from PCM peaks, at any zoom. */
#include "vita-paint-private.h"

#include <glib/gi18n.h>

#include <math.h>

void
vita_waveform_paint (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  const VitaStyle *style = ctx->style;
  VitaRect plot;
  vita_paint_time_panel_begin (cr, area, ctx, VITA_PANEL_WAVEFORM, &plot, NULL);

  if (ctx->peaks == NULL)
    vita_panel_message (cr, style, &plot, "No audio");
  else
    {
      double mid = plot.y + plot.height / 2, half = plot.height / 2;
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
          int W = (int) ceil (plot.width);
          int c0 = CLAMP ((int) floor (cx0 - plot.x) - 1, 0, W);
          int c1 = CLAMP ((int) ceil (cx1 - plot.x) + 1, c0, W);
          g_autofree float *mx = g_new (float, MAX (c1 - c0, 1));
          g_autofree float *mn = g_new (float, MAX (c1 - c0, 1));
          for (int c = c0; c < c1; c++)
            {
              gint64 a = vs + (gint64) floor (c * spp), b = vs + (gint64) floor ((c + 1) * spp);
              if (!vita_peaks_range (ctx->peaks, a, MAX (b, a + 1), &mn[c - c0], &mx[c - c0]))
                mn[c - c0] = mx[c - c0] = 0;
            }
          vita_draw_envelope (cr, floor (plot.x) + c0, mid, half, mn, mx, c1 - c0);
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
  vita_axis_value (cr, style, &plot, -1.0, 1.0, "Amplitude");
  vita_paint_time_panel_end (cr, ctx, &plot, "Waveform (mono, model rate)");
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
  .depends = VITA_DEPENDS_VISIBLE | VITA_DEPENDS_SELECTION | VITA_DEPENDS_PEAKS,
  .order = 20, .row = 0, .width = -1, .height = 90,
  .paint = vita_waveform_paint,
  .playhead = vita_time_panel_playhead,
  .hit_sample = vita_time_panel_hit_sample,
  .array = waveform_array,
};
