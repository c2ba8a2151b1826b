/* vita-attention-grid-painter.c — every block × head of the window under the
 * playhead (BertViz's "model view"), each map scaled to its own maximum. */
#include "vita-paint-private.h"
#include "vita-layout.h"

#include <glib/gi18n.h>

#include <math.h>
#include <string.h>


/* Shown blocks / heads from a mask (0 = all), in order; returns the count. */
static int
shown (guint64 mask, int n, int *out)
{
  int k = 0;
  for (int i = 0; i < n; i++)
    if (mask == 0 || i >= 64 || (mask >> i) & 1)
      out[k++] = i;
  return k;
}

/* Surface pixels between maps: 3 for a Tiny model's 126 tokens, in proportion for
 * short windows. */
static int
grid_gap (int T)
{
  return CLAMP (T / 40, 1, 3);
}

/* The maps' rectangle (plot), with room for head labels above the maps and the note
 * under them (measured); title_plot: the rectangle the title goes above. */
static void
grid_plot (const VitaRect *area, const VitaStyle *style, VitaRect *title_plot, VitaRect *plot,
           VitaRect *cbar)
{
  double fs = style->font_size;
  vita_panel_layout (style, area->x, area->y, area->width, area->height,
                     vita_panel_flags (VITA_PANEL_ATTENTION_GRID), plot, cbar);
  double hl = vita_text_line_height (style, 0.8), hn = vita_text_line_height (style, 0.75);
  /* The note clears the colorbar's bottom tick label. */
  double note_gap = 0.5 * vita_text_line_height (style, 0.85) + 0.15 * fs;
  *title_plot = *plot;
  plot->y += hl + 0.3 * fs;
  plot->height -= hl + 0.3 * fs + hn + note_gap + 0.1 * fs;
  plot->height = MAX (plot->height, 1.0);
  cbar->y = plot->y;
  cbar->height = plot->height;
}

/* Layers down and heads across, or transposed when that gives larger maps (a wide
 * figure): the layout picks the orientation, the maps stay square, left-aligned. */
static void
grid_maps (const VitaRect *plot, int T, int nl, int nh, gboolean *across, double *scale,
           VitaRect *dest)
{
  int GAP = grid_gap (T);
  double s_down = MIN (plot->width / (nh * (T + GAP) - GAP), plot->height / (nl * (T + GAP) - GAP));
  double s_across = MIN (plot->width / (nl * (T + GAP) - GAP), plot->height / (nh * (T + GAP) - GAP));
  *across = s_across > s_down * 1.0001;
  int nr = *across ? nh : nl, nc = *across ? nl : nh;
  int sw = nc * (T + GAP) - GAP, sh = nr * (T + GAP) - GAP;
  *scale = MIN (plot->width / sw, plot->height / sh);
  *dest = (VitaRect) { plot->x, plot->y, sw * *scale, sh * *scale };
}

void
vita_attention_grid_paint (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  const VitaStyle *style = ctx->style;
  double fs = style->font_size;
  VitaRect plot, cbar, title_plot;
  vita_panel_begin (cr, style, area->x, area->y, area->width, area->height);
  grid_plot (area, style, &title_plot, &plot, &cbar);
  double hl = vita_text_line_height (style, 0.8);
  double note_gap = 0.5 * vita_text_line_height (style, 0.85) + 0.15 * fs;
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  if (an == NULL)
    {
      vita_panel_message (cr, style, &plot, "No analysis");
      return;
    }
  int L = an->cfg.depth, NH = an->cfg.heads, T = an->cfg.frames, N = T + 1;
  /* Surface pixels between maps: 3 for a Tiny model's 126 tokens, in proportion
   * for short windows. */
  const int GAP = grid_gap (T);
  int *rows = g_newa (int, MAX (L, 1)), *cols = g_newa (int, MAX (NH, 1));
  int nl = shown (ctx->grid_layers, L, rows), nh = shown (ctx->grid_heads, NH, cols);
  if (nl == 0)
    nl = shown (0, L, rows);
  if (nh == 0)
    nh = shown (0, NH, cols);
  gboolean subset = nl < L || nh < NH;
  int w = vita_paint_cache_window_for_frame (ctx->cache, vita_paint_query_frame (ctx));
  int ws = an->window_start[w];
  gboolean across;
  double scale;
  VitaRect dest;
  grid_maps (&plot, T, nl, nh, &across, &scale, &dest);
  int nr = across ? nh : nl, nc = across ? nl : nh;   /* map rows, map columns */
  int sw = nc * (T + GAP) - GAP, sh = nr * (T + GAP) - GAP;

  char title[160];
  if (subset)
    g_snprintf (title, sizeof title, "Attention of %d layer%s × %d head%s (window %d, %.2f–%.2f s)",
                nl, nl > 1 ? "s" : "", nh, nh > 1 ? "s" : "", w + 1,
                MAX (0.0, (ws - 0.5) * snap->hop / snap->sample_rate),
                (ws + T - 0.5) * snap->hop / snap->sample_rate);
  else
    g_snprintf (title, sizeof title, "Attention of every layer × head (window %d, %.2f–%.2f s)",
                w + 1, MAX (0.0, (ws - 0.5) * snap->hop / snap->sample_rate),
                (ws + T - 0.5) * snap->hop / snap->sample_rate);

  /* The whole grid is cached for the screen; a chosen subset (figures) is drawn on
   * one absolute scale shared by its maps, and not cached. */
  VitaSurfaceSlot *slot = &ctx->cache->grid;
  guint64 key = vita_key (w, across, 0, style->colormap, 0);
  cairo_surface_t *surface = NULL;
  float shared_max = 0;
  if (subset || !(slot->surface && slot->key == key))
    {
      g_autoptr(GError) error = NULL;
      if (!subset)
        vita_surface_slot_clear (slot);
      const float *att = vita_paint_cache_window_attention (ctx->cache, w, &error);
      if (att == NULL)
        {
          vita_panel_message (cr, style, &plot, error->message);
          vita_panel_title (cr, style, &title_plot, title);
          return;
        }
      if (subset)
        for (int a = 0; a < nl; a++)
          for (int b = 0; b < nh; b++)
            {
              const float *m = att + ((gsize) rows[a] * NH + cols[b]) * N * N;
              for (int i = 1; i < N; i++)
                for (int j = 1; j < N; j++)
                  shared_max = MAX (shared_max, m[(gsize) i * N + j]);
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
      for (int a = 0; a < nl; a++)
        for (int b = 0; b < nh; b++)
          {
            int l = rows[a], h = cols[b];
            const float *m = att + ((gsize) l * NH + h) * N * N;
            float vmax = shared_max;
            if (!subset)
              for (int i = 1; i < N; i++)
                for (int j = 1; j < N; j++)
                  vmax = MAX (vmax, m[(gsize) i * N + j]);
            float inv = vmax > 0 ? 1.0f / vmax : 0.0f;
            int r = across ? b : a, c = across ? a : b;
            for (int i = 0; i < T; i++)
              {
                guint32 *dst = (guint32 *) (pix + (gsize) (r * (T + GAP) + i) * stride) +
                               c * (T + GAP);
                const float *src = m + (gsize) (i + 1) * N + 1;
                for (int j = 0; j < T; j++)
                  {
                    int k = (int) (src[j] * inv * 255.0f + 0.5f);
                    dst[j] = lut[CLAMP (k, 0, 255)];
                  }
              }
          }
      cairo_surface_mark_dirty (s);
      if (subset)
        surface = s;
      else
        {
          slot->surface = s;
          slot->key = key;
        }
    }
  vita_heatmap_paint (cr, subset ? surface : slot->surface, 0, 0, sw, sh, &dest);
  if (surface)
    cairo_surface_destroy (surface);
  vita_layout_record_box (cr, dest.x, dest.y, dest.width, dest.height);

  /* Labels: map columns on top, map rows on the left (measured: shortened, then
   * thinned out rather than colliding), the selected map framed. */
  vita_set_rgb (cr, style->fg);
  double cell = (T + GAP) * scale;
  const char *col_word = across ? "layer" : "head", *row_word = across ? "head" : "layer";
  const int *col_idx = across ? rows : cols, *row_idx = across ? cols : rows;
  char probe[32];
  g_snprintf (probe, sizeof probe, "%s 88", col_word);
  double wide, narrow;
  vita_text_size (style, probe, 0.8, &wide, NULL);
  vita_text_size (style, "88", 0.8, &narrow, NULL);
  gboolean short_cols = wide + 0.4 * fs > cell;
  int col_every = short_cols && narrow + 0.4 * fs > cell ?
                  (int) ceil ((narrow + 0.4 * fs) / cell) : 1;
  for (int c = 0; c < nc; c += col_every)
    {
      char buf[24];
      if (short_cols)
        g_snprintf (buf, sizeof buf, "%d", col_idx[c] + 1);
      else
        g_snprintf (buf, sizeof buf, "%s %d", col_word, col_idx[c] + 1);
      vita_draw_text (cr, style, buf, dest.x + c * cell + T * scale / 2, dest.y - 0.2 * fs,
                      VITA_ANCHOR_S, 0.8, 0.0);
    }
  if (short_cols)
    {
      /* The word once, left of the numbers. */
      vita_draw_text_fit (cr, style, col_word, dest.x - 0.4 * fs, dest.y - 0.2 * fs,
                          VITA_ANCHOR_SE, 0.8, 0.0, dest.x - area->x - 0.7 * fs);
    }
  int label_every = cell < hl + 0.2 * fs ? (int) ceil ((hl + 0.2 * fs) / cell) : 1;
  double label_room = dest.x - area->x - 0.7 * fs;
  for (int r = 0; r < nr; r += label_every)
    {
      char buf[24];
      g_snprintf (buf, sizeof buf, "%s %d", row_word, row_idx[r] + 1);
      vita_draw_text_fit (cr, style, buf, dest.x - 0.4 * fs, dest.y + r * cell + T * scale / 2,
                          VITA_ANCHOR_E, 0.8, 0.0, label_room);
    }
  int block = vita_paint_block_for_layer (an, snap->layer);
  int row_of_block = -1, col_of_head = -1;
  for (int a = 0; a < nl; a++)
    if (rows[a] == block)
      row_of_block = a;
  for (int b = 0; b < nh; b++)
    if (cols[b] == snap->head)
      col_of_head = b;
  if (row_of_block >= 0 && (snap->head < 0 || col_of_head >= 0))
    {
      cairo_save (cr);
      vita_set_rgb (cr, style->playhead);
      cairo_set_line_width (cr, MAX (1.0, style->line_width * 1.2));
      if (snap->head >= 0)
        {
          int r = across ? col_of_head : row_of_block, c = across ? row_of_block : col_of_head;
          cairo_rectangle (cr, dest.x + c * cell - 1, dest.y + r * cell - 1, T * scale + 2,
                           T * scale + 2);
        }
      else if (!across)
        cairo_rectangle (cr, dest.x - 1, dest.y + row_of_block * cell - 1,
                         nh * cell - GAP * scale + 2, T * scale + 2);
      else
        cairo_rectangle (cr, dest.x + row_of_block * cell - 1, dest.y - 1, T * scale + 2,
                         nh * cell - GAP * scale + 2);
      cairo_stroke (cr);
      cairo_restore (cr);
    }
  cbar.x = dest.x + dest.width + 0.8 * fs;
  cbar.height = MIN (cbar.height, dest.height);
  if (subset)
    vita_colorbar (cr, style, &cbar, style->colormap, 0.0, shared_max > 0 ? shared_max : 1.0,
                   "attention weight");
  else
    vita_colorbar (cr, style, &cbar, style->colormap, 0.0, 1.0, "relative weight");
  vita_panel_title (cr, style, &title_plot, title);
  /* The note stays left of the colorbar; the shorter wording when the long one
   * does not fit. */
  double room = (style->draw_colorbar ? cbar.x : area->x + area->width) - dest.x - 0.3 * fs;
  const char *note = subset ? "each map: query rows × key columns"
                            : "each map: query rows × key columns, scaled to its maximum";
  double nw;
  vita_text_size (style, note, 0.75, &nw, NULL);
  if (nw > room)
    note = subset ? "query rows × key columns" : "query rows × key columns, ÷ map max";
  vita_text_size (style, note, 0.75, &nw, NULL);
  if (nw * 0.8 > room)
    return;   /* a note is left out, never cut */
  vita_set_rgb (cr, style->fg);
  vita_draw_text_fit (cr, style, note, dest.x, dest.y + dest.height + note_gap, VITA_ANCHOR_NW,
                      0.75, 0.0, room);
}

/* ---- the class record -------------------------------------------------------- */

static gint64
grid_position_key (const VitaPanelClass *klass, const VitaPaintContext *ctx)
{
  return 1 + vita_paint_cache_window_for_frame (ctx->cache, vita_paint_query_frame (ctx));
}

/* The block and head under the pointer (a click selects them), the query and key
 * times and the weight there. */
static gboolean
grid_readout (const VitaPanelClass *klass, const VitaRect *area, const VitaPaintContext *ctx,
              double px, double py, VitaReadout *out)
{
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  if (an == NULL || ctx->grid_layers != 0 || ctx->grid_heads != 0)
    return FALSE;
  int L = an->cfg.depth, NH = an->cfg.heads, T = an->cfg.frames, N = T + 1, GAP = grid_gap (T);
  VitaRect plot, cbar, title_plot, dest;
  gboolean across;
  double scale;
  grid_plot (area, ctx->style, &title_plot, &plot, &cbar);
  grid_maps (&plot, T, L, NH, &across, &scale, &dest);
  if (px < dest.x || px >= dest.x + dest.width || py < dest.y || py >= dest.y + dest.height)
    return FALSE;
  double cell = (T + GAP) * scale;
  int c = (int) floor ((px - dest.x) / cell), r = (int) floor ((py - dest.y) / cell);
  double u = (px - dest.x) / scale - c * (T + GAP), v = (py - dest.y) / scale - r * (T + GAP);
  int block = across ? c : r, head = across ? r : c;
  if (block < 0 || block >= L || head < 0 || head >= NH)
    return FALSE;
  out->layer = block + 1;
  out->head = head;
  int n = g_snprintf (out->text, sizeof out->text, "layer %d, head %d", block + 1, head + 1);
  if (u >= T || v >= T)
    return TRUE;   /* the gap between maps */
  const VitaTimelineSnapshot *snap = ctx->snap;
  int w = vita_paint_cache_window_for_frame (ctx->cache, vita_paint_query_frame (ctx));
  int ws = an->window_start[w], i = CLAMP ((int) v, 0, T - 1), j = CLAMP ((int) u, 0, T - 1);
  double span = (double) T * snap->hop / snap->sample_rate;
  char tq[32], tk[32];
  vita_format_readout_time ((double) (ws + i) * snap->hop / snap->sample_rate, span, tq, sizeof tq);
  vita_format_readout_time ((double) (ws + j) * snap->hop / snap->sample_rate, span, tk, sizeof tk);
  n += g_snprintf (out->text + n, sizeof out->text - n, " · query %s · key %s", tq, tk);
  const float *att = vita_paint_cache_window_attention (ctx->cache, w, NULL);
  if (att != NULL && n < (int) sizeof out->text)
    g_snprintf (out->text + n, sizeof out->text - n, " · weight %.3f",
                att[(((gsize) block * NH + head) * N + i + 1) * N + j + 1]);
  return TRUE;
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
  .readout = grid_readout,
  .position_key = grid_position_key,
  .array = grid_array,
};
