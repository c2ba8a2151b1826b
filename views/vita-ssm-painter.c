/* vita-ssm-painter.c — per-layer self-similarity of the whole track (cosine of
 * pooled sequence tokens, [-1, 1], diverging colormap) with the playhead as a cross. */
#include "vita-paint-private.h"

#include <glib/gi18n.h>

#include <math.h>

static gboolean ssm_visible_mark (const VitaPanelClass *klass, const VitaRect *area, const VitaPaintContext *ctx,
                                  VitaRect *mark);

void
vita_ssm_paint (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  const VitaStyle *style = ctx->style;
  VitaRect plot, cbar;
  vita_panel_begin (cr, style, area->x, area->y, area->width, area->height);
  vita_square_plot (style, area, VITA_PANEL_SSM, &plot, &cbar);
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  int layer = an ? CLAMP (snap->layer, 0, an->n_layers - 1) : 0;
  char title[128];
  if (layer == 0)
    g_snprintf (title, sizeof title, "Self-similarity, input embedding (layer 0)");
  else
    g_snprintf (title, sizeof title, "Self-similarity, layer %d", layer);
  if (!vita_paint_ssm_ready (an))
    {
      char msg[128] = "No analysis";
      if (an)
        g_snprintf (msg, sizeof msg, "Analysing… %d of %d windows", g_atomic_int_get (&an->n_ready),
                    an->n_windows);
      vita_panel_message (cr, style, &plot, msg);
      vita_panel_frame (cr, style, &plot);
      vita_panel_title (cr, style, &plot, title);
      return;
    }
  int S = an->ssm_size;
  VitaSurfaceSlot *slot = &ctx->cache->ssm;
  guint64 key = vita_key (layer, 0, 0, style->diverging, 0);
  if (!(slot->surface && slot->key == key))
    {
      vita_surface_slot_clear (slot);
      slot->surface = vita_heatmap_surface (an->ssm + (gsize) layer * S * S, S, S, S, -1.0f,
                                            1.0f, style->diverging, FALSE);
      slot->key = key;
    }
  vita_heatmap_paint (cr, slot->surface, 0, 0, S, S, &plot);
  vita_panel_frame (cr, style, &plot);
  /* Cell c covers frames [c·pool, (c+1)·pool), frame f centred at f·hop. */
  double t0 = -0.5 * snap->hop / snap->sample_rate;
  double t1 = ((double) S * an->ssm_pool - 0.5) * snap->hop / snap->sample_rate;
  vita_axis_time (cr, style, &plot, t0, t1);
  vita_axis_time_vertical (cr, style, &plot, t0, t1, TRUE, "Time");
  vita_colorbar (cr, style, &cbar, style->diverging, -1.0, 1.0, "cosine similarity");
  vita_panel_title (cr, style, &plot, title);

  /* The visible range as a square on the diagonal (widgets overlay it). */
  VitaRect mark;
  if (snap->show_playhead && ssm_visible_mark (NULL, area, ctx, &mark))
    {
      cairo_save (cr);
      vita_set_rgb (cr, style->fg);
      cairo_set_line_width (cr, MAX (1.0, style->line_width * 0.8));
      double dash[] = { 3.0, 2.0 };
      cairo_set_dash (cr, dash, 2, 0);
      cairo_rectangle (cr, mark.x, mark.y, mark.width, mark.height);
      cairo_stroke (cr);
      cairo_restore (cr);
    }
  if (snap->show_playhead)
    {
      double cell = ((double) vita_snapshot_current_frame (snap) + 0.5) / an->ssm_pool / S;
      vita_draw_playhead_x (cr, style, &plot, plot.x + cell * plot.width);
      vita_draw_playhead_y (cr, style, &plot, plot.y + cell * plot.height);
    }
}

/* ---- the class record -------------------------------------------------------- */

static gboolean
ssm_playhead (const VitaPanelClass *klass, const VitaRect *area, const VitaPaintContext *ctx, VitaRect *plot, double *x,
              double *y)
{
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  if (an == NULL || an->ssm_size <= 0)
    return FALSE;
  vita_square_plot (ctx->style, area, VITA_PANEL_SSM, plot, NULL);
  double cell = ((double) vita_snapshot_current_frame (ctx->snap) + 0.5) / an->ssm_pool;
  *x = plot->x + cell / an->ssm_size * plot->width;
  *y = plot->y + cell / an->ssm_size * plot->height;
  return TRUE;
}

/* The visible range as a square on the diagonal. */
static gboolean
ssm_visible_mark (const VitaPanelClass *klass, const VitaRect *area, const VitaPaintContext *ctx, VitaRect *mark)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  VitaRect plot;
  if (!vita_paint_ssm_ready (an))
    return FALSE;
  vita_square_plot (ctx->style, area, VITA_PANEL_SSM, &plot, NULL);
  int S = an->ssm_size;
  double a = ((double) snap->visible_start / snap->hop + 0.5) / an->ssm_pool / S;
  double b = ((double) snap->visible_end / snap->hop + 0.5) / an->ssm_pool / S;
  if (b - a >= 0.999)
    return FALSE;
  *mark = (VitaRect) { plot.x + a * plot.width, plot.y + a * plot.height,
                       (b - a) * plot.width, (b - a) * plot.height };
  return TRUE;
}

/* A click on a cell seeks to the column's time (the x axis). */
static gboolean
ssm_hit (const VitaPanelClass *klass, const VitaRect *area, const VitaPaintContext *ctx, double px, double py, gint64 *sample)
{
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  VitaRect plot;
  if (an == NULL || an->ssm_size <= 0)
    return FALSE;
  vita_square_plot (ctx->style, area, VITA_PANEL_SSM, &plot, NULL);
  if (px < plot.x || px > plot.x + plot.width || py < plot.y || py > plot.y + plot.height)
    return FALSE;
  double cell = (px - plot.x) / plot.width * an->ssm_size;
  *sample = (gint64) llround ((cell * an->ssm_pool - 0.5) * ctx->snap->hop);
  return TRUE;
}

/* Row and column times and their cosine similarity. */
static gboolean
ssm_readout (const VitaPanelClass *klass, const VitaRect *area, const VitaPaintContext *ctx,
             double px, double py, VitaReadout *out)
{
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  VitaRect plot;
  if (!vita_paint_ssm_ready (an))
    return FALSE;
  vita_square_plot (ctx->style, area, VITA_PANEL_SSM, &plot, NULL);
  if (px < plot.x || px > plot.x + plot.width || py < plot.y || py > plot.y + plot.height)
    return FALSE;
  int S = an->ssm_size;
  int c = CLAMP ((int) floor ((px - plot.x) / plot.width * S), 0, S - 1);
  int r = CLAMP ((int) floor ((py - plot.y) / plot.height * S), 0, S - 1);
  int layer = CLAMP (ctx->snap->layer, 0, an->n_layers - 1);
  double cell_s = (double) an->ssm_pool * ctx->snap->hop / ctx->snap->sample_rate;
  double span = S * cell_s;
  char tr[32], tc[32];
  vita_format_readout_time ((r + 0.5) * cell_s, span, tr, sizeof tr);
  vita_format_readout_time ((c + 0.5) * cell_s, span, tc, sizeof tc);
  g_snprintf (out->text, sizeof out->text, "%s × %s · cosine %.2f", tr, tc,
              an->ssm[(gsize) layer * S * S + (gsize) r * S + c]);
  return TRUE;
}

/* The layer's matrix, (S, S), once complete. */
static float *
ssm_array (const VitaPanelClass *klass, const VitaPaintContext *ctx, int *ndim, gsize shape[4], GError **error)
{
  VitaAnalysis *an = vita_panel_require_analysis (vita_panel_get_class (VITA_PANEL_SSM), ctx, error);
  if (an == NULL)
    return NULL;
  if (!vita_paint_ssm_ready (an))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY,
                   "the self-similarity matrices are not computed yet");
      return NULL;
    }
  gsize S = an->ssm_size;
  int layer = CLAMP (ctx->snap->layer, 0, an->n_layers - 1);
  *ndim = 2;
  shape[0] = shape[1] = S;
  return g_memdup2 (an->ssm + (gsize) layer * S * S, S * S * sizeof (float));
}

const VitaPanelClass vita_ssm_panel_class = {
  .name = "ssm",
  .title = N_("Self-Similarity"),
  .subtitle = N_("cosine similarity of the layer's tokens"),
  .flags = VITA_PANEL_XAXIS | VITA_PANEL_YAXIS | VITA_PANEL_COLORBAR | VITA_PANEL_TITLE,
  .traits = VITA_PANEL_NEEDS_MODEL,
  .depends = VITA_DEPENDS_SELECTION | VITA_DEPENDS_LAYER | VITA_DEPENDS_ANALYSIS,
  .order = 60, .row = 1, .width = 340, .height = 320,
  .paint = vita_ssm_paint,
  .playhead = ssm_playhead,
  .readout = ssm_readout,
  .visible_mark = ssm_visible_mark,
  .hit_sample = ssm_hit,
  .array = ssm_array,
};
