/* vita-attention-row-painter.c — the attention row of the query token (the token
 * under the playhead unless the timeline names one) over the keys of its window. */
#include "vita-paint-private.h"
#include "vita-layout.h"

#include <glib/gi18n.h>

#include <math.h>

const float *vita_attention_map (const VitaPaintContext *ctx, int window, int block,
                                 float *scratch, char *why, gsize why_size);
void vita_attention_describe (const VitaPaintContext *ctx, int block, char *buf, gsize size);

void
vita_attention_row_paint (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  const VitaStyle *style = ctx->style;
  double fs = style->font_size;
  VitaRect plot;
  vita_panel_begin (cr, style, area->x, area->y, area->width, area->height);
  vita_panel_layout (style, area->x, area->y, area->width, area->height,
                     vita_panel_flags (VITA_PANEL_ATTENTION_ROW), &plot, NULL);
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  if (an == NULL)
    {
      vita_panel_message (cr, style, &plot, "No analysis");
      return;
    }
  int T = an->cfg.frames, N = T + 1;
  int q = vita_paint_query_frame (ctx);
  int w = vita_paint_cache_window_for_frame (ctx->cache, q);
  int ws = an->window_start[w];
  int block = vita_paint_block_for_layer (an, snap->layer);
  int j = CLAMP (q - ws + 1, 1, T);
  double t0 = (ws - 0.5) * snap->hop / snap->sample_rate;
  double t1 = (ws + T - 0.5) * snap->hop / snap->sample_rate;
  char who[128], title[256], why[256] = "";
  vita_attention_describe (ctx, block, who, sizeof who);
  g_snprintf (title, sizeof title, "Attention row of the token at %.2f s (%s)",
              (double) q * snap->hop / snap->sample_rate, who);
  g_autofree float *scratch = g_new (float, (gsize) N * N);
  const float *map = vita_attention_map (ctx, w, block, scratch, why, sizeof why);
  float vmax = 0;
  if (map == NULL)
    vita_panel_message (cr, style, &plot, why);
  else
    {
      const float *row = map + (gsize) j * N;
      for (int k = 1; k < N; k++)
        vmax = MAX (vmax, row[k]);
      vmax = vmax > 0 ? vmax * 1.05f : 1.0f;
      cairo_save (cr);
      cairo_rectangle (cr, plot.x, plot.y, plot.width, plot.height);
      cairo_clip (cr);
      /* One bar per key token, its width the frame's hop. */
      double bw = plot.width / T;
      cairo_set_source_rgba (cr, style->accent[0], style->accent[1], style->accent[2], 0.8);
      for (int k = 1; k < N; k++)
        {
          double hgt = row[k] / vmax * plot.height;
          cairo_rectangle (cr, plot.x + (k - 1) * bw, plot.y + plot.height - hgt,
                           MAX (bw - (bw > 3 ? 0.5 : 0), 0.5), hgt);
        }
      cairo_fill (cr);
      cairo_restore (cr);
      char cls[64];
      g_snprintf (cls, sizeof cls, "to class token: %.3f", row[0]);
      /* The read-out sits in the row above the plot, never on the bars. */
      vita_set_rgb (cr, style->fg);
      vita_draw_text_fit (cr, style, cls, plot.x, plot.y - 0.2 * fs, VITA_ANCHOR_SW, 0.85, 0.0,
                          plot.width);
    }
  vita_panel_frame (cr, style, &plot);
  vita_axis_time_titled (cr, style, &plot, t0, t1, "Key time");
  vita_axis_value (cr, style, &plot, 0.0, vmax > 0 ? vmax : 1.0,
                   ctx->attention_mode == VITA_ATTENTION_ROLLOUT ? "rollout weight"
                                                                 : "attention weight");
  VitaRect tplot = plot;
  tplot.y -= vita_text_line_height (style, 0.85) + 0.3 * fs;
  vita_panel_title (cr, style, &tplot, title);
  if (snap->show_playhead)
    vita_draw_playhead_x (cr, style, &plot, plot.x + (j - 0.5) / T * plot.width);
}

/* ---- the class record -------------------------------------------------------- */

float *vita_attention_array (VitaPanel panel, const VitaPaintContext *ctx, int *ndim,
                             gsize shape[4], GError **error);

/* A click on a key seeks to its frame centre. */
static gboolean
row_hit (const VitaPanelClass *klass, const VitaRect *area, const VitaPaintContext *ctx, double px, double py, gint64 *sample)
{
  if (ctx->cache == NULL)
    return FALSE;
  VitaRect plot;
  int ws, T;
  vita_attention_geometry (area, ctx, &plot, &ws, &T);
  vita_panel_layout (ctx->style, area->x, area->y, area->width, area->height,
                     vita_panel_flags (VITA_PANEL_ATTENTION_ROW), &plot, NULL);
  if (px < plot.x || px > plot.x + plot.width || py < plot.y || py > plot.y + plot.height)
    return FALSE;
  int j = (int) floor ((px - plot.x) / plot.width * T);
  *sample = (gint64) (ws + CLAMP (j, 0, T - 1)) * ctx->snap->hop;
  return TRUE;
}

/* The key time under the pointer and its weight from the query token. */
static gboolean
row_readout (const VitaPanelClass *klass, const VitaRect *area, const VitaPaintContext *ctx,
             double px, double py, VitaReadout *out)
{
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  gint64 sample;
  if (an == NULL || !klass->hit_sample (klass, area, ctx, px, py, &sample))
    return FALSE;
  const VitaTimelineSnapshot *snap = ctx->snap;
  int T = an->cfg.frames, N = T + 1;
  int q = vita_paint_query_frame (ctx);
  int w = vita_paint_cache_window_for_frame (ctx->cache, q);
  int ws = an->window_start[w];
  int k = CLAMP ((int) (sample / snap->hop) - ws, 0, T - 1);
  double span = (double) T * snap->hop / snap->sample_rate;
  char tq[32], tk[32], why[256];
  vita_format_readout_time ((double) q * snap->hop / snap->sample_rate, span, tq, sizeof tq);
  vita_format_readout_time ((double) (ws + k) * snap->hop / snap->sample_rate, span, tk, sizeof tk);
  int n = g_snprintf (out->text, sizeof out->text, "query %s · key %s", tq, tk);
  g_autofree float *scratch = g_new (float, (gsize) N * N);
  const float *map = vita_attention_map (ctx, w, vita_paint_block_for_layer (an, snap->layer),
                                         scratch, why, sizeof why);
  if (map != NULL && n < (int) sizeof out->text)
    g_snprintf (out->text + n, sizeof out->text - n, " · weight %.4f",
                map[(gsize) CLAMP (q - ws + 1, 1, T) * N + k + 1]);
  return TRUE;
}

static gint64
row_position_key (const VitaPanelClass *klass, const VitaPaintContext *ctx)
{
  return 1 + vita_paint_query_frame (ctx);
}

static float *
row_array (const VitaPanelClass *klass, const VitaPaintContext *ctx, int *ndim, gsize shape[4], GError **error)
{
  return vita_attention_array (VITA_PANEL_ATTENTION_ROW, ctx, ndim, shape, error);
}

const VitaPanelClass vita_attention_row_panel_class = {
  .name = "attention-row",
  .title = N_("Attention of the Token"),
  .subtitle = N_("the row of the token under the playhead"),
  .flags = VITA_PANEL_XAXIS | VITA_PANEL_YAXIS | VITA_PANEL_TITLE | VITA_PANEL_LEGEND,
  .traits = VITA_PANEL_NEEDS_MODEL,
  .depends = VITA_DEPENDS_SELECTION | VITA_DEPENDS_LAYER | VITA_DEPENDS_ANALYSIS,
  .order = 80, .row = 0, .width = -1, .height = 110,
  .paint = vita_attention_row_paint,
  .hit_sample = row_hit,
  .readout = row_readout,
  .position_key = row_position_key,
  .array = row_array,
};
