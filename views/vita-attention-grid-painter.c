/* vita-attention-grid-painter.c — every block × head of the window under the
 * playhead (BertViz's "model view"), each map scaled to its own maximum. */
#include "vita-paint-private.h"

#include <glib/gi18n.h>

#include <math.h>
#include <string.h>

#define GAP 3   /* surface pixels between maps */

void
vita_attention_grid_paint (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  const VitaStyle *style = ctx->style;
  double fs = style->font_size;
  VitaRect plot, cbar;
  vita_panel_begin (cr, style, area->x, area->y, area->width, area->height);
  vita_panel_layout (style, area->x, area->y, area->width, area->height,
                     vita_panel_flags (VITA_PANEL_ATTENTION_GRID), &plot, &cbar);
  /* Room for head labels above the maps. */
  VitaRect title_plot = plot;
  plot.y += 1.2 * fs;
  plot.height -= 1.2 * fs + 1.4 * fs;   /* and for the note under the maps */
  cbar.y = plot.y;
  cbar.height = plot.height;
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  if (an == NULL)
    {
      vita_panel_message (cr, style, &plot, "No analysis");
      return;
    }
  int L = an->cfg.depth, NH = an->cfg.heads, T = an->cfg.frames, N = T + 1;
  int w = vita_paint_cache_window_for_frame (ctx->cache, vita_paint_query_frame (ctx));
  int ws = an->window_start[w];
  int sw = NH * (T + GAP) - GAP, sh = L * (T + GAP) - GAP;
  /* Square cells, left-aligned. */
  double scale = MIN (plot.width / sw, plot.height / sh);
  VitaRect dest = { plot.x, plot.y, sw * scale, sh * scale };

  char title[160];
  g_snprintf (title, sizeof title, "Attention of every layer × head (window %d, %.2f–%.2f s)",
              w + 1, MAX (0.0, (ws - 0.5) * snap->hop / snap->sample_rate),
              (ws + T - 0.5) * snap->hop / snap->sample_rate);

  VitaSurfaceSlot *slot = &ctx->cache->grid;
  guint64 key = vita_key (w, 0, 0, style->colormap, 0);
  if (!(slot->surface && slot->key == key))
    {
      g_autoptr(GError) error = NULL;
      vita_surface_slot_clear (slot);
      const float *att = vita_paint_cache_window_attention (ctx->cache, w, &error);
      if (att == NULL)
        {
          vita_panel_message (cr, style, &plot, error->message);
          vita_panel_title (cr, style, &title_plot, title);
          return;
        }
      cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, sw, sh);
      cairo_surface_flush (s);
      guint8 *pix = cairo_image_surface_get_data (s);
      int stride = cairo_image_surface_get_stride (s);
      guint32 bgpix = 0xff000000u | ((guint32) (style->bg[0] * 255) << 16) |
                      ((guint32) (style->bg[1] * 255) << 8) | (guint32) (style->bg[2] * 255);
      for (int y = 0; y < sh; y++)
        for (int x = 0; x < sw; x++)
          ((guint32 *) (pix + (gsize) y * stride))[x] = bgpix;
      const guint32 *lut = vita_colormap_lut (style->colormap);
      for (int l = 0; l < L; l++)
        for (int h = 0; h < NH; h++)
          {
            const float *m = att + ((gsize) l * NH + h) * N * N;
            float vmax = 0;
            for (int i = 1; i < N; i++)
              for (int j = 1; j < N; j++)
                vmax = MAX (vmax, m[(gsize) i * N + j]);
            float inv = vmax > 0 ? 1.0f / vmax : 0.0f;
            for (int i = 0; i < T; i++)
              {
                guint32 *dst = (guint32 *) (pix + (gsize) (l * (T + GAP) + i) * stride) +
                               h * (T + GAP);
                const float *src = m + (gsize) (i + 1) * N + 1;
                for (int j = 0; j < T; j++)
                  {
                    int k = (int) (src[j] * inv * 255.0f + 0.5f);
                    dst[j] = lut[CLAMP (k, 0, 255)];
                  }
              }
          }
      cairo_surface_mark_dirty (s);
      slot->surface = s;
      slot->key = key;
    }
  vita_heatmap_paint (cr, slot->surface, 0, 0, sw, sh, &dest);

  /* Labels: heads on top, layers on the left, the selected map framed. */
  vita_set_rgb (cr, style->fg);
  double cell = (T + GAP) * scale;
  for (int h = 0; h < NH; h++)
    {
      char buf[16];
      g_snprintf (buf, sizeof buf, "head %d", h + 1);
      vita_draw_text (cr, style, buf, dest.x + h * cell + T * scale / 2, dest.y - 0.2 * fs,
                      VITA_ANCHOR_S, 0.8, 0.0);
    }
  int label_every = cell < 1.1 * fs ? (int) ceil (1.1 * fs / cell) : 1;
  for (int l = 0; l < L; l += label_every)
    {
      char buf[16];
      g_snprintf (buf, sizeof buf, "layer %d", l + 1);
      vita_draw_text (cr, style, buf, dest.x - 0.4 * fs, dest.y + l * cell + T * scale / 2,
                      VITA_ANCHOR_E, 0.8, 0.0);
    }
  int block = vita_paint_block_for_layer (an, snap->layer);
  cairo_save (cr);
  vita_set_rgb (cr, style->playhead);
  cairo_set_line_width (cr, MAX (1.5, style->line_width * 1.5));
  if (snap->head >= 0)
    cairo_rectangle (cr, dest.x + snap->head * cell - 1, dest.y + block * cell - 1,
                     T * scale + 2, T * scale + 2);
  else
    cairo_rectangle (cr, dest.x - 1, dest.y + block * cell - 1, NH * cell - GAP * scale + 2,
                     T * scale + 2);
  cairo_stroke (cr);
  cairo_restore (cr);
  cbar.x = dest.x + dest.width + 0.8 * fs;
  cbar.height = MIN (cbar.height, dest.height);
  vita_colorbar (cr, style, &cbar, style->colormap, 0.0, 1.0, "weight / map maximum");
  vita_panel_title (cr, style, &title_plot, title);
  vita_draw_text (cr, style, "each map: query rows × key columns, frame tokens", dest.x,
                  dest.y + dest.height + 0.3 * fs, VITA_ANCHOR_NW, 0.75, 0.0);
}

/* ---- the class record -------------------------------------------------------- */

static gint64
grid_position_key (const VitaPanelClass *klass, const VitaPaintContext *ctx)
{
  return 1 + vita_paint_cache_window_for_frame (ctx->cache, vita_paint_query_frame (ctx));
}

/* Every map of the window, (L, NH, T, T): frame tokens only, as drawn. */
static float *
grid_array (const VitaPanelClass *klass, const VitaPaintContext *ctx, int *ndim, gsize shape[4], GError **error)
{
  VitaAnalysis *an = vita_panel_require_analysis (vita_panel_get_class (VITA_PANEL_ATTENTION_GRID), ctx, error);
  if (an == NULL)
    return NULL;
  int w = vita_paint_cache_window_for_frame (ctx->cache, vita_paint_query_frame (ctx));
  int T = an->cfg.frames, N = T + 1, L = an->cfg.depth, NH = an->cfg.heads;
  const float *att = vita_paint_cache_window_attention (ctx->cache, w, error);
  if (att == NULL)
    return NULL;
  float *out = g_new (float, (gsize) L * NH * T * T);
  for (int l = 0; l < L; l++)
    for (int h = 0; h < NH; h++)
      for (int i = 0; i < T; i++)
        memcpy (out + (((gsize) l * NH + h) * T + i) * T,
                att + (((gsize) l * NH + h) * N + i + 1) * N + 1, T * sizeof (float));
  *ndim = 4;
  shape[0] = L; shape[1] = NH; shape[2] = T; shape[3] = T;
  return out;
}

const VitaPanelClass vita_attention_grid_panel_class = {
  .name = "attention-grid",
  .title = N_("All Layers and Heads"),
  .subtitle = N_("the window under the playhead"),
  .flags = VITA_PANEL_YAXIS | VITA_PANEL_COLORBAR | VITA_PANEL_TITLE,
  .traits = VITA_PANEL_NEEDS_MODEL,
  .depends = VITA_DEPENDS_SELECTION | VITA_DEPENDS_LAYER | VITA_DEPENDS_ANALYSIS,
  .order = 70, .row = 1, .width = -1, .height = 320,
  .paint = vita_attention_grid_paint,
  .position_key = grid_position_key,
  .array = grid_array,
};
