/* vita-attention-painter.c — one window's attention map (query rows × key columns)
 * for a block and head, the head average, or the attention rollout. */
#include "vita-paint-private.h"

#include <math.h>
#include <string.h>

/* The (N, N) map shown, per mode; NULL + message when unavailable. */
const float *vita_attention_map (const VitaPaintContext *ctx, int window, int block,
                                 float *scratch, char *why, gsize why_size);

const float *
vita_attention_map (const VitaPaintContext *ctx, int window, int block, float *scratch,
                    char *why, gsize why_size)
{
  g_autoptr(GError) error = NULL;
  VitaAnalysis *an = ctx->cache->an;
  if (ctx->attention_mode == VITA_ATTENTION_ROLLOUT)
    {
      const float *r = vita_paint_cache_rollout (ctx->cache, window, block, &error);
      if (r == NULL)
        g_strlcpy (why, error->message, why_size);
      return r;
    }
  const float *att = vita_paint_cache_window_attention (ctx->cache, window, &error);
  if (att == NULL)
    {
      g_strlcpy (why, error->message, why_size);
      return NULL;
    }
  vita_attention_select (an, att, block, ctx->snap->head < an->cfg.heads ? ctx->snap->head : -1,
                         scratch);
  return scratch;
}

void
vita_attention_describe (const VitaPaintContext *ctx, int block, char *buf, gsize size);

void
vita_attention_describe (const VitaPaintContext *ctx, int block, char *buf, gsize size)
{
  int head = ctx->snap->head;
  if (ctx->attention_mode == VITA_ATTENTION_ROLLOUT)
    g_snprintf (buf, size, "rollout to layer %d", block + 1);
  else if (head < 0)
    g_snprintf (buf, size, "layer %d, mean of heads", block + 1);
  else
    g_snprintf (buf, size, "layer %d, head %d", block + 1, head + 1);
}

void
vita_attention_paint (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  const VitaStyle *style = ctx->style;
  VitaRect plot, cbar;
  vita_panel_begin (cr, style, area->x, area->y, area->width, area->height);
  vita_square_plot (style, area, VITA_PANEL_ATTENTION, &plot, &cbar);
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  if (an == NULL)
    {
      vita_panel_message (cr, style, &plot, "No analysis");
      vita_panel_frame (cr, style, &plot);
      return;
    }
  int T = an->cfg.frames, N = T + 1;
  int q = vita_paint_query_frame (ctx);
  int w = vita_paint_cache_window_for_frame (ctx->cache, q);
  int ws = an->window_start[w];
  int block = vita_paint_block_for_layer (an, snap->layer);
  double t0 = ((ws - 0.5) * snap->hop) / snap->sample_rate;
  double t1 = ((ws + T - 0.5) * snap->hop) / snap->sample_rate;
  char who[64], title[192];
  vita_attention_describe (ctx, block, who, sizeof who);
  g_snprintf (title, sizeof title, "Attention, %s (window %d, %.2f–%.2f s, frame tokens)",
              who, w + 1, MAX (t0, 0.0), t1);

  VitaSurfaceSlot *slot = &ctx->cache->att;
  guint64 key = vita_key (w, block, ctx->attention_mode == VITA_ATTENTION_ROLLOUT ? -2 : snap->head,
                          style->colormap, 0);
  if (!(slot->surface && slot->key == key))
    {
      char why[256] = "";
      g_autofree float *scratch = g_new (float, (gsize) N * N);
      const float *map = vita_attention_map (ctx, w, block, scratch, why, sizeof why);
      vita_surface_slot_clear (slot);
      if (map == NULL)
        {
          vita_panel_message (cr, style, &plot, why);
          vita_panel_frame (cr, style, &plot);
          vita_panel_title (cr, style, &plot, title);
          return;
        }
      /* Frame tokens only (rows/columns 1..T): the class token's column is usually
       * far larger and would flatten the colour scale. */
      float vmax = 0;
      for (int i = 1; i < N; i++)
        for (int j = 1; j < N; j++)
          vmax = MAX (vmax, map[(gsize) i * N + j]);
      slot->surface = vita_heatmap_surface (map + N + 1, T, T, N, 0.0f, vmax > 0 ? vmax : 1.0f,
                                            style->colormap, FALSE);
      slot->vmin = 0;
      slot->vmax = vmax > 0 ? vmax : 1.0f;
      slot->key = key;
    }
  vita_heatmap_paint (cr, slot->surface, 0, 0, T, T, &plot);
  vita_panel_frame (cr, style, &plot);
  vita_axis_time_titled (cr, style, &plot, t0, t1, "Key time");
  vita_axis_time_vertical (cr, style, &plot, t0, t1, TRUE, "Query time");
  vita_colorbar (cr, style, &cbar, style->colormap, 0.0, slot->vmax,
                 ctx->attention_mode == VITA_ATTENTION_ROLLOUT ? "rollout weight"
                                                               : "attention weight");
  vita_panel_title (cr, style, &plot, title);
  if (snap->show_playhead)
    {
      double j = q - ws + 0.5;
      vita_draw_playhead_x (cr, style, &plot, plot.x + j / T * plot.width);
      vita_draw_playhead_y (cr, style, &plot, plot.y + j / T * plot.height);
    }
}
