/* vita-received-painter.c — the attention each frame receives (one block, one head
 * or the head average) against the spectral-flux onset curve. */
#include "vita-paint-private.h"
#include "vita-layout.h"

#include <math.h>

/* Cairo's stroker tessellates a whole path at once and spiky curves intersect
 * themselves a lot; stroking in short runs keeps the cost linear. */
#define CHUNK 24

/* Curve of values[f0..f1] over the plot; NaN leaves a gap.  Many frames per unit:
 * the per-column maximum, so no peak disappears at any zoom. */
static void
curve (cairo_t *cr, const VitaRect *plot, const VitaTimelineSnapshot *snap,
       const float *values, int n, float scale)
{
  int f0 = MAX (vita_snapshot_sample_to_frame (snap, snap->visible_start) - 1, 0);
  int f1 = MIN (vita_snapshot_sample_to_frame (snap, snap->visible_end) + 1, n - 1);
  double fpu = (f1 - f0 + 1) / plot->width;
  double base = plot->y + plot->height;
  gboolean pen = FALSE;
  int count = 0;
  if (fpu <= 2.0)
    {
      for (int f = f0; f <= f1; f++)
        {
          if (!isfinite (values[f]))
            {
              pen = FALSE;
              continue;
            }
          double x = vita_paint_x_for_sample (plot, snap, (gint64) f * snap->hop);
          double y = base - values[f] * scale * plot->height;
          if (pen)
            cairo_line_to (cr, x, y);
          else
            cairo_move_to (cr, x, y);
          pen = TRUE;
          if (++count % CHUNK == 0)
            {
              cairo_stroke (cr);
              cairo_move_to (cr, x, y);
            }
        }
    }
  else
    {
      int W = (int) ceil (plot->width);
      for (int c = 0; c < W; c++)
        {
          gint64 a = snap->visible_start + (gint64) ((double) c / plot->width *
                                                     (snap->visible_end - snap->visible_start));
          gint64 b = snap->visible_start + (gint64) ((double) (c + 1) / plot->width *
                                                     (snap->visible_end - snap->visible_start));
          int fa = vita_snapshot_sample_to_frame (snap, a);
          int fb = MAX (vita_snapshot_sample_to_frame (snap, b), fa + 1);
          float m = NAN;
          for (int f = fa; f < fb && f < n; f++)
            if (isfinite (values[f]) && !(values[f] <= m))
              m = values[f];
          if (!isfinite (m))
            {
              pen = FALSE;
              continue;
            }
          double y = base - m * scale * plot->height;
          if (pen)
            cairo_line_to (cr, plot->x + c + 0.5, y);
          else
            cairo_move_to (cr, plot->x + c + 0.5, y);
          pen = TRUE;
          if (++count % CHUNK == 0)
            {
              cairo_stroke (cr);
              cairo_move_to (cr, plot->x + c + 0.5, y);
            }
        }
    }
  cairo_stroke (cr);
}

void
vita_received_paint (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  const VitaStyle *style = ctx->style;
  VitaRect plot;
  vita_paint_time_panel_begin (cr, area, ctx, VITA_PANEL_RECEIVED, &plot, NULL);
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  char title[160] = "Attention received vs spectral flux";
  if (an == NULL || an->received == NULL)
    vita_panel_message (cr, style, &plot, "No analysis");
  else
    {
      int n = an->n_frames, NH = an->cfg.heads;
      int block = vita_paint_block_for_layer (an, snap->layer);
      int head = snap->head < NH ? snap->head : -1;
      /* Received attention of the chosen head (or mean over heads); frames of windows
       * not analysed yet are NaN (gaps).  Cached per block, head and progress. */
      float rmax;
      const float *r = vita_paint_cache_received (ctx->cache, block, head, &rmax);
      const float *onset = ctx->onset ? ctx->onset : vita_paint_cache_onset (ctx->cache);
      float omax = 0;
      if (ctx->onset)
        {
          for (int f = 0; f < n; f++)
            if (isfinite (onset[f]))
              omax = MAX (omax, onset[f]);
        }
      else
        omax = ctx->cache->onset_max;

      cairo_save (cr);
      cairo_rectangle (cr, plot.x, plot.y, plot.width, plot.height);
      cairo_clip (cr);
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_BEVEL);
      /* Screen: the fast rasteriser halves the cost of these spiky curves (vector
       * output ignores it). */
      cairo_set_antialias (cr, CAIRO_ANTIALIAS_FAST);
      cairo_set_line_width (cr, style->line_width);
      vita_set_rgb (cr, style->accent2);
      curve (cr, &plot, snap, onset, n, omax > 0 ? 0.95f / omax : 0.f);
      vita_set_rgb (cr, style->accent);
      curve (cr, &plot, snap, r, n, rmax > 0 ? 0.95f / rmax : 0.f);
      cairo_restore (cr);

      char who[64];
      if (head < 0)
        g_snprintf (who, sizeof who, "layer %d, mean of %d heads", block + 1, NH);
      else
        g_snprintf (who, sizeof who, "layer %d, head %d", block + 1, head + 1);
      g_snprintf (title, sizeof title, "Attention received per frame (%s) vs spectral flux",
                  who);
      /* The legend sits in its own row between the title and the plot. */
      double fs = style->font_size;
      double ax0, ay0, ax1, ay1;
      cairo_clip_extents (cr, &ax0, &ay0, &ax1, &ay1);
      const double colors[2][3] = {
        { style->accent[0], style->accent[1], style->accent[2] },
        { style->accent2[0], style->accent2[1], style->accent2[2] },
      };
      const char *labels[] = { "attention received", "spectral flux" };
      double lh = vita_text_line_height (style, 0.85);
      vita_layout_legend (cr, style, plot.x, plot.y - 0.2 * fs - lh, ax1 - plot.x - 0.3 * fs,
                          2, colors, labels);
    }
  /* Both curves are scaled to their own maximum over the whole track. */
  vita_axis_value (cr, style, &plot, 0.0, 1.0 / 0.95, "relative (max = 0.95)");
  /* The title goes above the legend row. */
  VitaRect tplot = plot;
  tplot.y -= vita_text_line_height (style, 0.85) + 0.3 * style->font_size;
  vita_paint_time_panel_end (cr, ctx, &plot, NULL);
  vita_panel_title (cr, style, &tplot, title);
}
