/* vita-overview-painter.c — the whole track: envelope, visible range, selection, playhead. */
#include "vita-paint-private.h"

#include <glib/gi18n.h>

#include <math.h>

static gboolean overview_visible_mark (const VitaPanelClass *klass, const VitaRect *area, const VitaPaintContext *ctx,
                                       VitaRect *mark);

void
vita_overview_paint (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  const VitaStyle *style = ctx->style;
  VitaRect plot;
  vita_panel_begin (cr, style, area->x, area->y, area->width, area->height);
  vita_panel_layout (style, area->x, area->y, area->width, area->height,
                     vita_panel_flags (VITA_PANEL_OVERVIEW), &plot, NULL);
  double n = (double) MAX (snap->n_samples, 1);
  double mid = plot.y + plot.height / 2, half = plot.height / 2;

  cairo_save (cr);
  cairo_rectangle (cr, plot.x, plot.y, plot.width, plot.height);
  cairo_clip (cr);
  if (ctx->peaks)
    {
      int k = vita_envelope_columns_per_unit (cr);
      while (k > 1 && n / (plot.width * k) < 1.0)
        k--;
      int W = (int) ceil (plot.width * k);
      double spp = n / (plot.width * k);
      cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], 0.55);
      g_autofree float *mx = g_new (float, MAX (W, 1)), *mn = g_new (float, MAX (W, 1));
      for (int c = 0; c < W; c++)
        if (!vita_peaks_range (ctx->peaks, (gint64) (c * spp), (gint64) ((c + 1) * spp) + 1,
                               &mn[c], &mx[c]))
          mn[c] = mx[c] = 0;
      vita_draw_envelope (cr, plot.x, k, mid, half, mn, mx, W);
    }
  else if (ctx->decoding)
    {
      vita_paint_unknown_x (cr, style, &plot, plot.x, plot.x + plot.width);
      vita_paint_decoding_label (cr, ctx, &plot);
    }
  /* Visible range (widgets overlay it as nodes instead). */
  VitaRect mark;
  if (snap->show_playhead && overview_visible_mark (NULL, area, ctx, &mark))
    {
      cairo_set_source_rgba (cr, style->accent[0], style->accent[1], style->accent[2], 0.22);
      cairo_rectangle (cr, mark.x, mark.y, mark.width, mark.height);
      cairo_fill_preserve (cr);
      vita_set_rgb (cr, style->accent);
      cairo_set_line_width (cr, MAX (1.0, style->line_width));
      cairo_stroke (cr);
    }
  if (snap->selection_end > snap->selection_start)
    {
      double s0 = plot.x + snap->selection_start / n * plot.width;
      double s1 = plot.x + snap->selection_end / n * plot.width;
      cairo_set_source_rgba (cr, style->accent2[0], style->accent2[1], style->accent2[2], 0.3);
      cairo_rectangle (cr, s0, plot.y, MAX (s1 - s0, 1), plot.height);
      cairo_fill (cr);
    }
  cairo_restore (cr);
  vita_panel_frame (cr, style, &plot);
  vita_axis_time (cr, style, &plot, 0.0, vita_snapshot_seconds (snap, snap->n_samples));
  if (snap->show_playhead)
    vita_draw_playhead_x (cr, style, &plot, plot.x + snap->position / n * plot.width);
}

/* ---- the class record -------------------------------------------------------- */

static void
overview_plot (const VitaRect *area, const VitaPaintContext *ctx, VitaRect *plot)
{
  vita_panel_layout (ctx->style, area->x, area->y, area->width, area->height,
                     vita_panel_flags (VITA_PANEL_OVERVIEW), plot, NULL);
}

static gboolean
overview_playhead (const VitaPanelClass *klass, const VitaRect *area, const VitaPaintContext *ctx, VitaRect *plot, double *x,
                   double *y)
{
  overview_plot (area, ctx, plot);
  *x = plot->x + (double) ctx->snap->position / MAX (ctx->snap->n_samples, 1) * plot->width;
  return TRUE;
}

/* The visible range as a band. */
static gboolean
overview_visible_mark (const VitaPanelClass *klass, const VitaRect *area, const VitaPaintContext *ctx, VitaRect *mark)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  VitaRect plot;
  overview_plot (area, ctx, &plot);
  double n = (double) MAX (snap->n_samples, 1);
  double x0 = plot.x + snap->visible_start / n * plot.width;
  double x1 = plot.x + snap->visible_end / n * plot.width;
  *mark = (VitaRect) { x0, plot.y, MAX (x1 - x0, 2.0), plot.height };
  return TRUE;
}

static gboolean
overview_hit (const VitaPanelClass *klass, const VitaRect *area, const VitaPaintContext *ctx, double px, double py,
              gint64 *sample)
{
  VitaRect plot;
  overview_plot (area, ctx, &plot);
  if (px < plot.x || px > plot.x + plot.width)
    return FALSE;
  *sample = (gint64) llround ((px - plot.x) / plot.width * (double) ctx->snap->n_samples);
  return TRUE;
}

/* Every sample of the track. */
static float *
overview_array (const VitaPanelClass *klass, const VitaPaintContext *ctx, int *ndim, gsize shape[4], GError **error)
{
  if (ctx->peaks == NULL)
    return NULL;
  *ndim = 1;
  shape[0] = vita_peaks_get_n_samples (ctx->peaks);
  return g_memdup2 (vita_peaks_get_samples (ctx->peaks), MAX (shape[0], 1) * sizeof (float));
}

const VitaPanelClass vita_overview_panel_class = {
  .name = "overview",
  .title = N_("Overview"),
  .subtitle = N_("the whole track; the visible range is highlighted"),
  .flags = VITA_PANEL_XAXIS,
  .traits = VITA_PANEL_WHOLE_TRACK,
  .depends = VITA_DEPENDS_SELECTION | VITA_DEPENDS_PEAKS | VITA_DEPENDS_DECODING |
             VITA_DEPENDS_AUDIO_ONLY,
  .order = 10, .row = 0, .width = -1, .height = 64,
  .paint = vita_overview_paint,
  .playhead = overview_playhead,
  .visible_mark = overview_visible_mark,
  .hit_sample = overview_hit,
  .array = overview_array,
};
