/* vita-received-painter.c — the attention each frame receives (one block, one head
 * or the head average) against the spectral-flux onset curve. */
#include "vita-paint-private.h"
#include "vita-layout.h"

#include <glib/gi18n.h>

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
  char title[256] = "Attention received vs spectral flux";
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
      /* The spectral flux of dsp/vita-features.h (the one definition: CLI onset.npy,
       * the report), computed by the front-end with the mel. */
      const float *onset = an->onset;
      float omax = 0;
      for (int f = 0; onset && f < n; f++)
        if (isfinite (onset[f]))
          omax = MAX (omax, onset[f]);

      cairo_save (cr);
      cairo_rectangle (cr, plot.x, plot.y, plot.width, plot.height);
      cairo_clip (cr);
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_BEVEL);
      /* Screen: the fast rasteriser halves the cost of these spiky curves (vector
       * output ignores it). */
      cairo_set_antialias (cr, CAIRO_ANTIALIAS_FAST);
      cairo_set_line_width (cr, style->line_width);
      vita_set_rgb (cr, style->accent2);
      if (onset)
        curve (cr, &plot, snap, onset, n, omax > 0 ? 0.95f / omax : 0.f);
      vita_set_rgb (cr, style->accent);
      curve (cr, &plot, snap, r, n, rmax > 0 ? 0.95f / rmax : 0.f);
      /* a comparison: side B's curve on the same axis (its own block / head when the
       * depths differ), dashed */
      VitaAnalysis *bn = ctx->compare && ctx->compare->cache_b
                         ? vita_paint_cache_get_analysis (ctx->compare->cache_b) : NULL;
      if (bn != NULL && (bn->received == NULL || bn->n_frames != n))
        bn = NULL;
      if (bn != NULL)
        {
          float bmax;
          const VitaPaintCompare *cmp = ctx->compare;
          int lb = cmp->own_layers ? cmp->layer_b : snap->layer;
          int hb = cmp->own_layers ? cmp->head_b : snap->head;
          const float *rb = vita_paint_cache_received (
            cmp->cache_b, vita_paint_block_for_layer (bn, lb), hb < bn->cfg.heads ? hb : -1, &bmax);
          double dash[] = { 4.0 * style->line_width, 2.0 * style->line_width };
          cairo_set_dash (cr, dash, 2, 0);
          cairo_set_source_rgb (cr, 0.17, 0.63, 0.17);
          curve (cr, &plot, snap, rb, n, bmax > 0 ? 0.95f / bmax : 0.f);
          cairo_set_dash (cr, NULL, 0, 0);
        }
      cairo_restore (cr);

      char who[128];
      const char *input = snap->layer < 1 ? "no attention at the input — showing " : "";
      if (head < 0)
        g_snprintf (who, sizeof who, "%slayer %d, mean of %d heads", input, block + 1, NH);
      else
        g_snprintf (who, sizeof who, "%slayer %d, head %d", input, block + 1, head + 1);
      g_snprintf (title, sizeof title, "Attention received per frame (%s) vs spectral flux",
                  who);
      /* The legend sits in its own row between the title and the plot. */
      double fs = style->font_size;
      double ax0, ay0, ax1, ay1;
      cairo_clip_extents (cr, &ax0, &ay0, &ax1, &ay1);
      const double colors[3][3] = {
        { style->accent[0], style->accent[1], style->accent[2] },
        { style->accent2[0], style->accent2[1], style->accent2[2] },
        { 0.17, 0.63, 0.17 },
      };
      const char *labels[] = { bn ? "A: attention received" : "attention received",
                               "spectral flux", "B: attention received" };
      double lh = vita_text_line_height (style, 0.85);
      vita_layout_legend (cr, style, plot.x, plot.y - 0.2 * fs - lh, ax1 - plot.x - 0.3 * fs,
                          bn ? 3 : 2, colors, labels);
    }
  /* Both curves are scaled to their own maximum over the whole track. */
  vita_axis_value (cr, style, &plot, 0.0, 1.0 / 0.95, "relative (max = 0.95)");
  /* The title goes above the legend row. */
  VitaRect tplot = plot;
  tplot.y -= vita_text_line_height (style, 0.85) + 0.3 * style->font_size;
  vita_paint_time_panel_end (cr, ctx, &plot, NULL);
  vita_panel_title (cr, style, &tplot, title);
}

/* ---- the class record -------------------------------------------------------- */

/* The two curves over the visible frames, (2, frames): received attention exactly as
 * drawn (NaN where the window is not analysed yet), then the spectral flux (NaN
 * without one). */
static float *
received_array (const VitaPanelClass *klass, const VitaPaintContext *ctx, int *ndim, gsize shape[4], GError **error)
{
  VitaAnalysis *an = vita_panel_require_analysis (vita_panel_get_class (VITA_PANEL_RECEIVED), ctx, error);
  if (an == NULL)
    return NULL;
  int f0, f1;
  vita_paint_visible_frames (ctx, an->n_frames, &f0, &f1);
  gsize len = (gsize) MAX (f1 - f0 + 1, 0);
  int head = ctx->snap->head < an->cfg.heads ? ctx->snap->head : -1;
  float *out = g_new (float, 2 * MAX (len, 1));
  vita_received_curve (out, an, vita_paint_block_for_layer (an, ctx->snap->layer), head, f0,
                       f0 + (int) len);
  for (gsize i = 0; i < len; i++)
    out[len + i] = an->onset ? an->onset[f0 + i] : NAN;
  *ndim = 2;
  shape[0] = 2;
  shape[1] = len;
  return out;
}

/* Time and both curves' values at the frame under the pointer, on the y axis's scale. */
static gboolean
received_readout (const VitaPanelClass *klass, const VitaRect *area,
                  const VitaPaintContext *ctx, double px, double py, VitaReadout *out)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  gint64 sample;
  if (!vita_time_panel_hit_sample (klass, area, ctx, px, py, &sample))
    return FALSE;
  char t[32];
  vita_format_readout_time (vita_snapshot_seconds (snap, sample),
                            vita_snapshot_seconds (snap, snap->visible_end - snap->visible_start),
                            t, sizeof t);
  int n = g_snprintf (out->text, sizeof out->text, "%s", t);
  if (an == NULL || an->received == NULL || an->n_frames <= 0)
    return TRUE;
  int f = CLAMP (vita_snapshot_sample_to_frame (snap, sample), 0, an->n_frames - 1);
  int head = snap->head < an->cfg.heads ? snap->head : -1;
  float rmax, omax = 0;
  const float *r = vita_paint_cache_received (ctx->cache, vita_paint_block_for_layer (an, snap->layer),
                                              head, &rmax);
  for (int i = 0; an->onset && i < an->n_frames; i++)
    if (isfinite (an->onset[i]))
      omax = MAX (omax, an->onset[i]);
  if (r != NULL && isfinite (r[f]) && rmax > 0)
    n += g_snprintf (out->text + n, sizeof out->text - n, " · received %.2f", 0.95 * r[f] / rmax);
  if (an->onset != NULL && isfinite (an->onset[f]) && omax > 0 && n < (int) sizeof out->text)
    n += g_snprintf (out->text + n, sizeof out->text - n, " · flux %.2f", 0.95 * an->onset[f] / omax);
  if (n < (int) sizeof out->text)
    g_snprintf (out->text + n, sizeof out->text - n, " (relative, max = 0.95)");
  return TRUE;
}

const VitaPanelClass vita_received_panel_class = {
  .name = "received",
  .title = N_("Attention Received"),
  .subtitle = N_("per frame, against spectral-flux onsets"),
  .flags = VITA_PANEL_XAXIS | VITA_PANEL_YAXIS | VITA_PANEL_TITLE | VITA_PANEL_LEGEND,
  .traits = VITA_PANEL_TIME_ALIGNED | VITA_PANEL_NEEDS_MODEL,
  .depends = VITA_DEPENDS_VISIBLE | VITA_DEPENDS_SELECTION | VITA_DEPENDS_LAYER |
             VITA_DEPENDS_ANALYSIS,
  .order = 40, .row = 0, .width = -1, .height = 110,
  .paint = vita_received_paint,
  .playhead = vita_time_panel_playhead,
  .hit_sample = vita_time_panel_hit_sample,
  .readout = received_readout,
  .array = received_array,
};
