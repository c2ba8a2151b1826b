/* vita-attention-painter.c — one window's attention map (query rows × key columns)
 * for a block and head, the head average, or the attention rollout. */
#include "vita-paint-private.h"

#include <glib/gi18n.h>

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
  vita_attention_head_map (scratch, att, block,
                           ctx->snap->head < an->cfg.heads ? ctx->snap->head : -1,
                           an->cfg.heads, an->cfg.frames + 1);
  return scratch;
}

void
vita_attention_describe (const VitaPaintContext *ctx, int block, char *buf, gsize size);

void
vita_attention_describe (const VitaPaintContext *ctx, int block, char *buf, gsize size)
{
  /* Token layers are 0…L (0 = the input embedding), attention belongs to layers
   * 1…L (block b = layer b + 1), heads are 1…H: layer 0 has no attention, so the
   * panels say which layer they show instead. */
  int head = ctx->snap->head;
  const char *input = ctx->snap->layer < 1 ? "no attention at the input — showing " : "";
  if (ctx->attention_mode == VITA_ATTENTION_ROLLOUT)
    g_snprintf (buf, size, "%srollout to layer %d", input, block + 1);
  else if (head < 0)
    g_snprintf (buf, size, "%slayer %d, mean of heads", input, block + 1);
  else
    g_snprintf (buf, size, "%slayer %d, head %d", input, block + 1, head + 1);
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
  char who[128], title[256];
  vita_attention_describe (ctx, block, who, sizeof who);
  g_snprintf (title, sizeof title, "Attention, %s (window %d, %.2f–%.2f s, frame tokens)",
              who, w + 1, MAX (t0, 0.0), t1);

  VitaSurfaceSlot *slot = &ctx->cache->att;
  guint64 key = vita_key (w, block, ctx->attention_mode == VITA_ATTENTION_ROLLOUT ? -2 : snap->head,
                          style->colormap, 0);
  /* a comparison's shared scale: not the cached surface (keyed on one side's max) */
  if (ctx->shared_vmax > 0)
    vita_surface_slot_clear (slot);
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
      float vmax = ctx->shared_vmax;
      for (int i = 1; i < N && ctx->shared_vmax <= 0; i++)
        for (int j = 1; j < N; j++)
          vmax = MAX (vmax, map[(gsize) i * N + j]);
      slot->surface = vita_heatmap_surface (map + N + 1, T, T, N, 0.0f, vmax > 0 ? vmax : 1.0f,
                                            style->colormap, FALSE);
      slot->vmin = 0;
      slot->vmax = vmax > 0 ? vmax : 1.0f;
      slot->key = ctx->shared_vmax > 0 ? 0 : key;
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

/* ---- the class record -------------------------------------------------------- */

void
vita_attention_geometry (const VitaRect *area, const VitaPaintContext *ctx, VitaRect *plot,
                         int *ws, int *T)
{
  vita_square_plot (ctx->style, area, VITA_PANEL_ATTENTION, plot, NULL);
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  int w = vita_paint_cache_window_for_frame (ctx->cache, vita_paint_query_frame (ctx));
  *ws = an && w >= 0 ? an->window_start[w] : 0;
  *T = an ? an->cfg.frames : 1;
}

static gboolean
attention_playhead (const VitaPanelClass *klass, const VitaRect *area, const VitaPaintContext *ctx, VitaRect *plot,
                    double *x, double *y)
{
  if (ctx->cache == NULL)
    return FALSE;
  int ws, T;
  vita_attention_geometry (area, ctx, plot, &ws, &T);
  double j = vita_paint_query_frame (ctx) - ws + 0.5;
  *x = plot->x + j / T * plot->width;
  *y = plot->y + j / T * plot->height;
  return TRUE;
}

/* A click on a column seeks to the key token's frame centre. */
static gboolean
attention_hit (const VitaPanelClass *klass, const VitaRect *area, const VitaPaintContext *ctx, double px, double py,
               gint64 *sample)
{
  if (ctx->cache == NULL)
    return FALSE;
  VitaRect plot;
  int ws, T;
  vita_attention_geometry (area, ctx, &plot, &ws, &T);
  if (px < plot.x || px > plot.x + plot.width || py < plot.y || py > plot.y + plot.height)
    return FALSE;
  int j = (int) floor ((px - plot.x) / plot.width * T);
  *sample = (gint64) (ws + CLAMP (j, 0, T - 1)) * ctx->snap->hop;
  return TRUE;
}

/* Query (row) and key (column) times, and the weight of that cell. */
static gboolean
attention_readout (const VitaPanelClass *klass, const VitaRect *area,
                   const VitaPaintContext *ctx, double px, double py, VitaReadout *out)
{
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  if (an == NULL)
    return FALSE;
  VitaRect plot;
  int ws, T;
  vita_attention_geometry (area, ctx, &plot, &ws, &T);
  if (px < plot.x || px > plot.x + plot.width || py < plot.y || py > plot.y + plot.height)
    return FALSE;
  int j = CLAMP ((int) floor ((px - plot.x) / plot.width * T), 0, T - 1);
  int i = CLAMP ((int) floor ((py - plot.y) / plot.height * T), 0, T - 1);
  const VitaTimelineSnapshot *snap = ctx->snap;
  double span = (double) T * snap->hop / snap->sample_rate;
  char tq[32], tk[32];
  vita_format_readout_time ((double) (ws + i) * snap->hop / snap->sample_rate, span, tq, sizeof tq);
  vita_format_readout_time ((double) (ws + j) * snap->hop / snap->sample_rate, span, tk, sizeof tk);
  int n = g_snprintf (out->text, sizeof out->text, "query %s · key %s", tq, tk);
  int window = vita_paint_cache_window_for_frame (ctx->cache, vita_paint_query_frame (ctx));
  int N = an->cfg.frames + 1;
  if (window >= 0 && T == an->cfg.frames)
    {
      char why[256];
      g_autofree float *scratch = g_new (float, (gsize) N * N);
      const float *m = vita_attention_map (ctx, window, vita_paint_block_for_layer (an, snap->layer),
                                           scratch, why, sizeof why);
      if (m != NULL && n < (int) sizeof out->text)
        g_snprintf (out->text + n, sizeof out->text - n, " · weight %.3f",
                    m[(gsize) (i + 1) * N + j + 1]);
    }
  return TRUE;
}

static gint64
attention_position_key (const VitaPanelClass *klass, const VitaPaintContext *ctx)
{
  return 1 + vita_paint_cache_window_for_frame (ctx->cache, vita_paint_query_frame (ctx));
}

float *vita_attention_array (VitaPanel panel, const VitaPaintContext *ctx, int *ndim,
                             gsize shape[4], GError **error);

/* The map drawn, (T, T) frame tokens (ATTENTION), or its query row, (T)
 * (ATTENTION_ROW): head, head mean or rollout as the mode says. */
float *
vita_attention_array (VitaPanel panel, const VitaPaintContext *ctx, int *ndim, gsize shape[4],
                      GError **error)
{
  VitaAnalysis *an = vita_panel_require_analysis (vita_panel_get_class (panel), ctx, error);
  if (an == NULL)
    return NULL;
  int q = vita_paint_query_frame (ctx);
  int w = vita_paint_cache_window_for_frame (ctx->cache, q);
  int T = an->cfg.frames, N = T + 1;
  int block = vita_paint_block_for_layer (an, ctx->snap->layer);
  char why[256] = "";
  g_autofree float *map = g_new (float, (gsize) N * N);
  const float *m = vita_attention_map (ctx, w, block, map, why, sizeof why);
  if (m == NULL)
    {
      g_set_error_literal (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY, why);
      return NULL;
    }
  if (panel == VITA_PANEL_ATTENTION_ROW)
    {
      int j = CLAMP (q - an->window_start[w] + 1, 1, T);
      *ndim = 1;
      shape[0] = T;
      return g_memdup2 (m + (gsize) j * N + 1, T * sizeof (float));
    }
  float *out = g_new (float, (gsize) T * T);
  for (int i = 0; i < T; i++)
    memcpy (out + (gsize) i * T, m + (gsize) (i + 1) * N + 1, T * sizeof (float));
  *ndim = 2;
  shape[0] = shape[1] = T;
  return out;
}

static float *
attention_array (const VitaPanelClass *klass, const VitaPaintContext *ctx, int *ndim, gsize shape[4], GError **error)
{
  return vita_attention_array (VITA_PANEL_ATTENTION, ctx, ndim, shape, error);
}

const VitaPanelClass vita_attention_panel_class = {
  .name = "attention",
  .title = N_("Attention"),
  .subtitle = N_("the window under the playhead, chosen layer and head"),
  .flags = VITA_PANEL_XAXIS | VITA_PANEL_YAXIS | VITA_PANEL_COLORBAR | VITA_PANEL_TITLE,
  .traits = VITA_PANEL_NEEDS_MODEL,
  .depends = VITA_DEPENDS_SELECTION | VITA_DEPENDS_LAYER | VITA_DEPENDS_ANALYSIS,
  .order = 50, .row = 1, .width = 340, .height = 320,
  .paint = vita_attention_paint,
  .playhead = attention_playhead,
  .hit_sample = attention_hit,
  .readout = attention_readout,
  .position_key = attention_position_key,
  .array = attention_array,
};
