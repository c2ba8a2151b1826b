/* vita-compare-painter.c — a model panel of a comparison (vita-painters.h,
 * "two sides"): A and B side by side under labels naming each side, or the
 * difference A − B (attention map, layers × heads grid, SSM) on the diverging
 * colormap centred on zero with its own colorbar.
 *
 * The differences are model/vita-compare.h's one definition (vita_compare_diff) and
 * its symmetric scale (vita_compare_max_abs): a model compared with itself draws
 * exact zeros, i.e. a white panel and a colorbar of ±0. */
#include "vita-paint-private.h"
#include "vita-layout.h"
#include "vita-probeogram.h"
#include "model/vita-compare.h"

#include <math.h>
#include <string.h>

/* vita-attention-painter.c */
const float *vita_attention_map (const VitaPaintContext *ctx, int window, int block,
                                 float *scratch, char *why, gsize why_size);
void vita_attention_describe (const VitaPaintContext *ctx, int block, char *buf, gsize size);

gboolean
vita_compare_has_difference (VitaPanel panel)
{
  return panel == VITA_PANEL_ATTENTION || panel == VITA_PANEL_ATTENTION_GRID ||
         panel == VITA_PANEL_SSM || panel == VITA_PANEL_PROBEOGRAM;
}

/* Both probe-o-grams there, of the same shape (layers × frames). */
static gboolean
probeograms_match (const VitaPaintContext *ctx)
{
  const VitaProbeogram *a = ctx->probeogram, *b = ctx->compare->probeogram_b;
  return a != NULL && b != NULL && a->n_layers == b->n_layers && a->n_frames == b->n_frames &&
         a->n_frames > 0;
}

gboolean
vita_compare_shows_difference (VitaPanel panel, const VitaPaintContext *ctx)
{
  const VitaPaintCompare *cmp = ctx->compare;
  if (cmp == NULL || cmp->view != VITA_COMPARE_DIFFERENCE || !vita_compare_has_difference (panel))
    return FALSE;
  if (panel == VITA_PANEL_PROBEOGRAM)
    return probeograms_match (ctx);
  VitaAnalysis *a = vita_paint_cache_get_analysis (ctx->cache);
  VitaAnalysis *b = cmp->cache_b ? vita_paint_cache_get_analysis (cmp->cache_b) : NULL;
  if (a == NULL || b == NULL || a->n_frames != b->n_frames)
    return FALSE;
  if (panel == VITA_PANEL_SSM)
    return a->n_layers == b->n_layers && a->ssm_size == b->ssm_size;
  return a->cfg.depth == b->cfg.depth && a->cfg.heads == b->cfg.heads &&
         a->cfg.frames == b->cfg.frames && a->n_windows == b->n_windows;
}

/* Height of the label line above each side. */
static double
label_height (const VitaStyle *style)
{
  return vita_text_line_height (style, 0.9) + 0.3 * style->font_size;
}

typedef enum {
  SIDES_ONE,        /* not a two-sided panel: as without a comparison */
  SIDES_A_ONLY,     /* side A only, labelled (B has no probes) */
  SIDES_LANES,      /* probe lanes of two models: A's and B's lane of a task over one
                       ground-truth row (vita_compare_merge_lanes) */
  SIDES_OVERLAY,    /* both on one axis (received attention), labelled */
  SIDES_DIFFERENCE, /* A − B */
  SIDES_SPLIT,      /* A beside B, or A above B (time-aligned panels, and where that
                       leaves each side more room) */
} SidesMode;

static SidesMode
sides_mode (VitaPanel panel, const VitaPaintContext *ctx)
{
  const VitaPaintCompare *cmp = ctx->compare;
  const VitaPanelClass *klass = vita_panel_get_class (panel);
  if (cmp == NULL || klass == NULL || (klass->traits & VITA_PANEL_FIGURE_ONLY) ||
      (!(klass->traits & VITA_PANEL_NEEDS_MODEL) && panel != VITA_PANEL_PROBEOGRAM))
    return SIDES_ONE;
  if (panel == VITA_PANEL_MEL && cmp->same_input)
    return SIDES_ONE;
  if (panel == VITA_PANEL_PROBES && cmp->n_lanes_b > 0)
    return cmp->same_input ? SIDES_LANES : SIDES_SPLIT;
  if (panel == VITA_PANEL_PROBEOGRAM)
    {
      if (cmp->probeogram_b == NULL)
        return ctx->probeogram != NULL ? SIDES_A_ONLY : SIDES_ONE;
      return vita_compare_shows_difference (panel, ctx) ? SIDES_DIFFERENCE : SIDES_SPLIT;
    }
  if (panel == VITA_PANEL_PROBES)
    return SIDES_A_ONLY;
  if (panel == VITA_PANEL_RECEIVED)
    return SIDES_OVERLAY;
  if (vita_compare_shows_difference (panel, ctx))
    return SIDES_DIFFERENCE;
  return SIDES_SPLIT;
}

void
vita_compare_describe_layer (int layer, int head, char *buf, gsize size)
{
  if (layer < 1)
    g_snprintf (buf, size, "layer 0 (input)");
  else if (head < 0)
    g_snprintf (buf, size, "layer %d, mean of heads", layer);
  else
    g_snprintf (buf, size, "layer %d, head %d", layer, head + 1);
}

/* The side of the largest square that fits the plot of panel laid out in area: what a
 * side's map gets (a wide plot, e.g. the attention row, is scored by its height). */
static double
plot_room (const VitaStyle *style, VitaPanel panel, const VitaRect *area)
{
  VitaRect plot;
  vita_panel_layout (style, area->x, area->y, area->width, area->height,
                     vita_panel_flags (panel), &plot, NULL);
  return MIN (plot.width, plot.height);
}

/* Whether both sides of a split panel draw the same colour scale (one colorbar then
 * says it for both). */
static gboolean
shares_colorbar (VitaPanel panel, const VitaPaintContext *ctx)
{
  if (panel == VITA_PANEL_SSM)
    return TRUE;   /* cosine similarity, −1 … 1 */
  if (panel == VITA_PANEL_ATTENTION)   /* vita_compare_panel_paint's shared_vmax */
    return !ctx->compare->per_side_scale && ctx->attention_mode == VITA_ATTENTION_HEAD;
  const VitaPanelClass *klass = vita_panel_get_class (panel);
  return klass != NULL && klass->name != NULL && g_str_equal (klass->name, "cka");   /* 0 … 1 */
}

int
vita_compare_sides (VitaPanel panel, const VitaRect *area, const VitaPaintContext *ctx,
                    VitaCompareSides *sd)
{
  const VitaPaintCompare *cmp = ctx->compare;
  const VitaPanelClass *klass = vita_panel_get_class (panel);
  SidesMode mode = sides_mode (panel, ctx);
  VitaRect *areas = sd->areas;
  VitaPaintContext *ctxs = sd->ctxs;
  ctxs[0] = *ctx;
  ctxs[0].compare = NULL;
  areas[0] = *area;
  sd->n = 1;
  if (mode == SIDES_ONE)
    return 1;
  double lh = label_height (ctx->style);
  if (mode != SIDES_SPLIT)
    {
      /* one plot under the label line; the overlay and the difference keep B for the
       * painter */
      if (mode == SIDES_OVERLAY || mode == SIDES_DIFFERENCE || mode == SIDES_LANES)
        ctxs[0].compare = cmp;
      areas[0].y += lh;
      areas[0].height = MAX (areas[0].height - lh, 1.0);
      return 1;
    }
  sd->n = 2;
  ctxs[1] = ctxs[0];
  ctxs[1].cache = cmp->cache_b;
  if (panel == VITA_PANEL_PROBES)
    {
      ctxs[1].lanes = cmp->lanes_b;
      ctxs[1].n_lanes = cmp->n_lanes_b;
    }
  ctxs[1].probeogram = cmp->probeogram_b;
  if (cmp->own_layers)
    {
      /* B's own layer and head, within B's model */
      VitaAnalysis *bn = cmp->cache_b ? vita_paint_cache_get_analysis (cmp->cache_b) : NULL;
      sd->snap_b = *ctx->snap;
      if (bn != NULL)
        {
          sd->snap_b.n_layers = bn->n_layers;
          sd->snap_b.n_heads = bn->cfg.heads;
        }
      sd->snap_b.layer = CLAMP (cmp->layer_b, 0, MAX (sd->snap_b.n_layers - 1, 0));
      sd->snap_b.head = cmp->head_b < sd->snap_b.n_heads ? MAX (cmp->head_b, -1) : -1;
      ctxs[1].snap = &sd->snap_b;
    }
  if (klass->traits & VITA_PANEL_TIME_ALIGNED)
    {
      /* A above B: the time axis stays the one of the panels around */
      double h = (area->height - 2 * lh) / 2;
      areas[0] = (VitaRect) { area->x, area->y + lh, area->width, MAX (h, 1.0) };
      areas[1] = (VitaRect) { area->x, area->y + 2 * lh + h, area->width, MAX (h, 1.0) };
      return 2;
    }
  /* A beside B, or A above B where that gives each side's plot more room (a tall,
   * narrow card) */
  const double hh = area->height - lh, w = area->width / 2, h = (area->height - 2 * lh) / 2;
  double wa = w;
  if (ctx->style->draw_colorbar && shares_colorbar (panel, ctx))
    {
      /* one colorbar, B's, for both: A's margin without it, and the width split so
       * that both plots get the same width (a 320 px card at 1024×768 had two ~40 px
       * maps, each beside its own copy of the same colorbar) */
      sd->style_a = *ctx->style;
      sd->style_a.draw_colorbar = FALSE;
      sd->style_a.title_in_plot = TRUE;
      ctxs[0].style = &sd->style_a;
      /* B's title not over the colorbar either: both wrap alike */
      sd->style_b = *ctx->style;
      sd->style_b.title_in_plot = TRUE;
      ctxs[1].style = &sd->style_b;
      VitaMargins ma, mb;
      vita_layout_margins (&sd->style_a, w, hh, vita_panel_flags (panel), &ma);
      vita_layout_margins (ctx->style, w, hh, vita_panel_flags (panel), &mb);
      const double plot_w = (area->width - ma.left - ma.right - mb.left - mb.right) / 2;
      if (plot_w > 0)
        wa = ma.left + ma.right + plot_w;
    }
  areas[0] = (VitaRect) { area->x, area->y + lh, wa, MAX (hh, 1.0) };
  areas[1] = (VitaRect) { area->x + wa, area->y + lh, area->width - wa, MAX (hh, 1.0) };
  VitaRect above = { area->x, area->y + lh, area->width, MAX (h, 1.0) };
  if (plot_room (ctx->style, panel, &above) >
      1.1 * MIN (plot_room (ctxs[0].style, panel, &areas[0]), plot_room (ctx->style, panel, &areas[1])))
    {
      ctxs[0].style = ctxs[1].style = ctx->style;   /* each its colorbar */
      areas[0] = above;
      areas[1] = (VitaRect) { area->x, area->y + 2 * lh + h, area->width, MAX (h, 1.0) };
    }
  return 2;
}

static void
side_label (cairo_t *cr, const VitaStyle *style, const VitaRect *below, const char *text)
{
  double lh = label_height (style);
  cairo_save (cr);
  vita_set_rgb (cr, style->fg);
  vita_draw_text_fit (cr, style, text, below->x + 0.5 * style->font_size,
                      below->y - lh + 0.15 * style->font_size, VITA_ANCHOR_NW, 0.9, 0,
                      below->width - style->font_size);
  cairo_restore (cr);
}

/* Largest frame-token weight of the map a context shows (0 when not available). */
static float
attention_max (const VitaPaintContext *ctx)
{
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  if (an == NULL)
    return 0;
  int T = an->cfg.frames, N = T + 1;
  int w = vita_paint_cache_window_for_frame (ctx->cache, vita_paint_query_frame (ctx));
  int block = vita_paint_block_for_layer (an, ctx->snap->layer);
  char why[256];
  g_autofree float *scratch = g_new (float, (gsize) N * N);
  const float *map = vita_attention_map (ctx, w, block, scratch, why, sizeof why);
  float vmax = 0;
  for (int i = 1; map && i < N; i++)
    for (int j = 1; j < N; j++)
      vmax = MAX (vmax, map[(gsize) i * N + j]);
  return vmax;
}

/* ---- differences --------------------------------------------------------------- */

/* The attention of the window under the query frame on both sides, (L, NH, N, N)
 * each; NULL + why when either is not there yet.  Returns A − B. */
static float *
window_difference (const VitaPaintContext *ctx, int *window, char *why, gsize why_size)
{
  g_autoptr(GError) error = NULL;
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  int w = vita_paint_cache_window_for_frame (ctx->cache, vita_paint_query_frame (ctx));
  gsize n = (gsize) an->cfg.depth * an->cfg.heads * (an->cfg.frames + 1) * (an->cfg.frames + 1);
  *window = w;
  const float *a = vita_paint_cache_window_attention (ctx->cache, w, &error);
  if (a == NULL)
    {
      g_snprintf (why, why_size, "A: %s", error->message);
      return NULL;
    }
  float *diff = g_memdup2 (a, n * sizeof (float));
  const float *b = vita_paint_cache_window_attention (ctx->compare->cache_b, w, &error);
  if (b == NULL)
    {
      g_snprintf (why, why_size, "B: %s", error->message);
      g_free (diff);
      return NULL;
    }
  vita_compare_diff (diff, diff, b, n);
  return diff;
}

/* The (S, S) SSM difference of the snapshot's layer, or NULL while either side is not
 * complete. */
static float *
ssm_difference (const VitaPaintContext *ctx, int *layer, int *S)
{
  VitaAnalysis *a = vita_paint_cache_get_analysis (ctx->cache);
  VitaAnalysis *b = vita_paint_cache_get_analysis (ctx->compare->cache_b);
  *layer = CLAMP (ctx->snap->layer, 0, a->n_layers - 1);
  *S = a->ssm_size;
  if (!vita_paint_ssm_ready (a) || !vita_paint_ssm_ready (b))
    return NULL;
  gsize n = (gsize) *S * *S;
  float *d = g_new (float, n);
  vita_compare_diff (d, a->ssm + *layer * n, b->ssm + *layer * n, n);
  return d;
}

/* The frame-token block (T, T) of one head map (or the head mean) of an (L, NH, N, N)
 * difference. */
static float *
frame_tokens (const float *diff, const VitaAnalysis *an, int block, int head)
{
  int T = an->cfg.frames, N = T + 1;
  g_autofree float *map = g_new (float, (gsize) N * N);
  vita_attention_head_map (map, diff, block, head < an->cfg.heads ? head : -1, an->cfg.heads, N);
  float *out = g_new (float, (gsize) T * T);
  for (int i = 0; i < T; i++)
    memcpy (out + (gsize) i * T, map + (gsize) (i + 1) * N + 1, T * sizeof (float));
  return out;
}

static void
diff_heatmap (cairo_t *cr, const VitaStyle *style, const float *d, int rows, int cols,
              float m, const VitaRect *dest)
{
  cairo_surface_t *s = vita_heatmap_surface (d, rows, cols, cols, -m, m, VITA_COLORMAP_DIVERGING,
                                             FALSE);
  vita_heatmap_paint (cr, s, 0, 0, cols, rows, dest);
  cairo_surface_destroy (s);
}

/* The difference's colorbar, ±m; small differences in units of 10^p so that the
 * tick labels stay short ("A − B attention weight (× 1e-3)"). */
static void
diff_colorbar (cairo_t *cr, const VitaStyle *style, const VitaRect *cbar, float m,
               const char *label)
{
  double scale = 1.0;
  char text[160];
  int p = m > 0 ? (int) floor (log10 (m)) : 0;
  if (p < -1)
    {
      scale = pow (10.0, -p);
      g_snprintf (text, sizeof text, "%s (× 1e%d)", label, p);
    }
  else
    g_strlcpy (text, label, sizeof text);
  vita_colorbar (cr, style, cbar, VITA_COLORMAP_DIVERGING, -m * scale, m * scale, text);
}

static void
paint_attention_difference (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  const VitaStyle *style = ctx->style;
  const VitaTimelineSnapshot *snap = ctx->snap;
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  VitaRect plot, cbar;
  vita_panel_begin (cr, style, area->x, area->y, area->width, area->height);
  vita_square_plot (style, area, VITA_PANEL_ATTENTION, &plot, &cbar);
  int T = an->cfg.frames, w;
  int block = vita_paint_block_for_layer (an, snap->layer);
  char who[128], title[256], why[256] = "";
  vita_attention_describe (ctx, block, who, sizeof who);
  g_autofree float *diff = window_difference (ctx, &w, why, sizeof why);
  int ws = an->window_start[w];
  double t0 = ((ws - 0.5) * snap->hop) / snap->sample_rate;
  double t1 = ((ws + T - 0.5) * snap->hop) / snap->sample_rate;
  g_snprintf (title, sizeof title, "Attention A − B, %s (window %d, %.2f–%.2f s)", who, w + 1,
              MAX (t0, 0.0), t1);
  if (ctx->attention_mode == VITA_ATTENTION_ROLLOUT)
    g_strlcpy (why, "The difference shows attention weights: switch the mode from rollout "
                    "to a head or the head mean", sizeof why);
  if (diff == NULL || ctx->attention_mode == VITA_ATTENTION_ROLLOUT)
    {
      vita_panel_message (cr, style, &plot, why);
      vita_panel_frame (cr, style, &plot);
      vita_panel_title (cr, style, &plot, title);
      return;
    }
  g_autofree float *d = frame_tokens (diff, an, block, snap->head);
  float m = vita_compare_max_abs (d, (gsize) T * T);
  diff_heatmap (cr, style, d, T, T, m > 0 ? m : 1e-6f, &plot);
  vita_panel_frame (cr, style, &plot);
  vita_axis_time_titled (cr, style, &plot, t0, t1, "Key time");
  vita_axis_time_vertical (cr, style, &plot, t0, t1, TRUE, "Query time");
  diff_colorbar (cr, style, &cbar, m, "A − B attention weight");
  vita_panel_title (cr, style, &plot, title);
}

static void
paint_ssm_difference (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  const VitaStyle *style = ctx->style;
  const VitaTimelineSnapshot *snap = ctx->snap;
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  VitaRect plot, cbar;
  vita_panel_begin (cr, style, area->x, area->y, area->width, area->height);
  vita_square_plot (style, area, VITA_PANEL_SSM, &plot, &cbar);
  int layer, S;
  g_autofree float *d = ssm_difference (ctx, &layer, &S);
  char title[128];
  g_snprintf (title, sizeof title, "Self-similarity A − B, layer %d%s", layer,
              layer == 0 ? " (input embedding)" : "");
  if (d == NULL)
    {
      vita_panel_message (cr, style, &plot, "Analysing both sides…");
      vita_panel_frame (cr, style, &plot);
      vita_panel_title (cr, style, &plot, title);
      return;
    }
  float m = vita_compare_max_abs (d, (gsize) S * S);
  diff_heatmap (cr, style, d, S, S, m > 0 ? m : 1e-6f, &plot);
  vita_panel_frame (cr, style, &plot);
  double t0 = -0.5 * snap->hop / snap->sample_rate;
  double t1 = ((double) S * an->ssm_pool - 0.5) * snap->hop / snap->sample_rate;
  vita_axis_time (cr, style, &plot, t0, t1);
  vita_axis_time_vertical (cr, style, &plot, t0, t1, TRUE, "Time");
  diff_colorbar (cr, style, &cbar, m, "A − B cosine similarity");
  vita_panel_title (cr, style, &plot, title);
}

/* Every block × head of the window, A − B, on one symmetric scale (the grid's own
 * per-map scales would make the differences of different maps incomparable). */
static void
paint_grid_difference (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  const VitaStyle *style = ctx->style;
  const VitaTimelineSnapshot *snap = ctx->snap;
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  VitaRect plot, cbar;
  vita_panel_begin (cr, style, area->x, area->y, area->width, area->height);
  vita_panel_layout (style, area->x, area->y, area->width, area->height,
                     vita_panel_flags (VITA_PANEL_ATTENTION_GRID), &plot, &cbar);
  int L = an->cfg.depth, NH = an->cfg.heads, T = an->cfg.frames, N = T + 1, w;
  char why[256] = "", title[200];
  g_autofree float *diff = window_difference (ctx, &w, why, sizeof why);
  int ws = an->window_start[w];
  g_snprintf (title, sizeof title, "Attention A − B of every layer × head (window %d, %.2f–%.2f s)",
              w + 1, MAX (0.0, (ws - 0.5) * snap->hop / snap->sample_rate),
              (ws + T - 0.5) * snap->hop / snap->sample_rate);
  /* head numbers above, layer numbers left */
  double hl = vita_text_line_height (style, 0.8);
  VitaRect title_plot = plot;
  plot.y += hl + 0.3 * style->font_size;
  plot.height = MAX (plot.height - hl - 0.3 * style->font_size, 1.0);
  cbar.y = plot.y;
  cbar.height = plot.height;
  if (diff == NULL)
    {
      vita_panel_message (cr, style, &plot, why);
      vita_panel_title (cr, style, &title_plot, title);
      return;
    }
  /* frame tokens of every map, one scale */
  gsize TT = (gsize) T * T;
  g_autofree float *maps = g_new (float, (gsize) L * NH * TT);
  for (int l = 0; l < L; l++)
    for (int h = 0; h < NH; h++)
      {
        const float *m = diff + ((gsize) l * NH + h) * N * N;
        float *dst = maps + ((gsize) l * NH + h) * TT;
        for (int i = 0; i < T; i++)
          memcpy (dst + (gsize) i * T, m + (gsize) (i + 1) * N + 1, T * sizeof (float));
      }
  float m = vita_compare_max_abs (maps, (gsize) L * NH * TT);
  float half = m > 0 ? m : 1e-6f;
  double gap = MAX (1.0, 0.15 * style->font_size);
  double cell = MIN ((plot.width - (NH - 1) * gap) / NH, (plot.height - (L - 1) * gap) / L);
  cell = MAX (cell, 1.0);
  cairo_save (cr);
  vita_set_rgb (cr, style->fg);
  for (int h = 0; h < NH; h++)
    {
      char lab[16];
      g_snprintf (lab, sizeof lab, "H%d", h + 1);
      vita_draw_text_fit (cr, style, lab, plot.x + h * (cell + gap) + cell / 2, plot.y - 0.15 * style->font_size,
                          VITA_ANCHOR_S, 0.8, 0, cell + gap);
    }
  for (int l = 0; l < L; l++)
    {
      char lab[16];
      g_snprintf (lab, sizeof lab, "L%d", l + 1);
      vita_draw_text_fit (cr, style, lab, plot.x - 0.2 * style->font_size,
                          plot.y + l * (cell + gap) + cell / 2, VITA_ANCHOR_E, 0.8, 0, 0);
    }
  cairo_restore (cr);
  for (int l = 0; l < L; l++)
    for (int h = 0; h < NH; h++)
      {
        VitaRect dest = { plot.x + h * (cell + gap), plot.y + l * (cell + gap), cell, cell };
        diff_heatmap (cr, style, maps + ((gsize) l * NH + h) * TT, T, T, half, &dest);
      }
  /* the colorbar beside the maps, as tall as they are */
  double grid_w = NH * cell + (NH - 1) * gap, grid_h = L * cell + (L - 1) * gap;
  cbar.x = MIN (cbar.x, plot.x + grid_w + 0.8 * style->font_size);
  cbar.height = grid_h;
  diff_colorbar (cr, style, &cbar, m, "A − B attention weight");
  vita_panel_title (cr, style, &title_plot, title);
}

float *
vita_compare_difference_array (VitaPanel panel, const VitaPaintContext *ctx, int *ndim,
                               gsize shape[4], GError **error)
{
  if (!vita_compare_shows_difference (panel, ctx))
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED,
                   "the %s panel shows no difference A − B", vita_panel_to_string (panel));
      return NULL;
    }
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  char why[256] = "";
  if (panel == VITA_PANEL_PROBEOGRAM)
    {
      const VitaProbeogram *a = ctx->probeogram, *b = ctx->compare->probeogram_b;
      gsize n = (gsize) a->n_layers * a->n_frames;
      float *d = g_new (float, n);
      vita_compare_diff (d, a->values, b->values, n);
      *ndim = 2;
      shape[0] = a->n_layers;
      shape[1] = a->n_frames;
      return d;
    }
  if (panel == VITA_PANEL_SSM)
    {
      int layer, S;
      float *d = ssm_difference (ctx, &layer, &S);
      if (d == NULL)
        g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY,
                     "the self-similarity matrices of both sides are not computed yet");
      *ndim = 2;
      shape[0] = shape[1] = S;
      return d;
    }
  int w;
  g_autofree float *diff = window_difference (ctx, &w, why, sizeof why);
  if (diff == NULL)
    {
      g_set_error_literal (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY, why);
      return NULL;
    }
  int L = an->cfg.depth, NH = an->cfg.heads, T = an->cfg.frames, N = T + 1;
  if (panel == VITA_PANEL_ATTENTION)
    {
      *ndim = 2;
      shape[0] = shape[1] = T;
      return frame_tokens (diff, an, vita_paint_block_for_layer (an, ctx->snap->layer),
                           ctx->snap->head);
    }
  float *out = g_new (float, (gsize) L * NH * T * T);
  for (int lh = 0; lh < L * NH; lh++)
    for (int i = 0; i < T; i++)
      memcpy (out + ((gsize) lh * T + i) * T, diff + ((gsize) lh * N + i + 1) * N + 1,
              T * sizeof (float));
  *ndim = 4;
  shape[0] = L;
  shape[1] = NH;
  shape[2] = shape[3] = T;
  return out;
}

/* ---- probe lanes of two models ---------------------------------------------- */

/* A lane's task: its name up to the first " · " ("chord · layer 3 · majmin 0.71"). */
static gboolean
same_task (const VitaProbeLane *a, const VitaProbeLane *b)
{
  const char *na = a->name ? a->name : "", *nb = b->name ? b->name : "";
  const char *ea = strstr (na, " · "), *eb = strstr (nb, " · ");
  gsize la = ea ? (gsize) (ea - na) : strlen (na), lb = eb ? (gsize) (eb - nb) : strlen (nb);
  return la == lb && strncmp (na, nb, la) == 0;
}

static VitaProbeLane *
lane_view (const VitaProbeLane *lane, const char *side, const int *truth)
{
  VitaProbeLane *v = g_new (VitaProbeLane, 1);
  *v = *lane;
  v->name = g_strdup_printf ("%s: %s", side, lane->name ? lane->name : "probe");
  v->truth = (int *) truth;
  return v;
}

VitaProbeLane **
vita_compare_merge_lanes (VitaProbeLane *const *lanes_a, int n_a, VitaProbeLane *const *lanes_b,
                          int n_b, int *n_rows, int *side, int *index)
{
  VitaProbeLane **out = g_new0 (VitaProbeLane *, n_a + n_b + 1);
  g_autofree gboolean *used = g_new0 (gboolean, MAX (n_b, 1));
  int n = 0;
#define PUT(lane, s, i, t) do { out[n] = lane_view (lane, (s) == 0 ? "A" : "B", t); \
    if (side) { side[n] = (s); } \
    if (index) { index[n] = (i); } \
    n++; } while (0)
  for (int i = 0; i < n_a; i++)
    {
      int j = 0;
      while (j < n_b && (used[j] || !same_task (lanes_a[i], lanes_b[j])))
        j++;
      if (j == n_b)
        {
          PUT (lanes_a[i], 0, i, lanes_a[i]->truth);
          continue;
        }
      used[j] = TRUE;
      /* A, then B, then the one ground truth of the track (the frames are shared) */
      PUT (lanes_a[i], 0, i, NULL);
      PUT (lanes_b[j], 1, j, lanes_a[i]->truth ? lanes_a[i]->truth : lanes_b[j]->truth);
    }
  for (int j = 0; j < n_b; j++)
    if (!used[j])
      PUT (lanes_b[j], 1, j, lanes_b[j]->truth);
#undef PUT
  *n_rows = n;
  return out;
}

void
vita_compare_merged_lanes_free (VitaProbeLane **lanes, int n)
{
  for (int i = 0; lanes != NULL && i < n; i++)
    {
      g_free (lanes[i]->name);
      g_free (lanes[i]);
    }
  g_free (lanes);
}

int
vita_compare_lanes_hit (const VitaRect *area, const VitaPaintContext *ctx, double y, int *side)
{
  const VitaPaintCompare *cmp = ctx->compare;
  *side = 0;
  if (cmp == NULL || sides_mode (VITA_PANEL_PROBES, ctx) != SIDES_LANES)
    return vita_probe_lanes_hit (area, ctx, y);
  VitaCompareSides sd;
  vita_compare_sides (VITA_PANEL_PROBES, area, ctx, &sd);
  VitaRect *areas = sd.areas;
  VitaPaintContext *ctxs = sd.ctxs;
  int n = 0;
  int *sides = g_new (int, ctx->n_lanes + cmp->n_lanes_b + 1);
  int *index = g_new (int, ctx->n_lanes + cmp->n_lanes_b + 1);
  VitaProbeLane **rows = vita_compare_merge_lanes (ctx->lanes, ctx->n_lanes, cmp->lanes_b,
                                                   cmp->n_lanes_b, &n, sides, index);
  ctxs[0].lanes = rows;
  ctxs[0].n_lanes = n;
  int hit = vita_probe_lanes_hit (&areas[0], &ctxs[0], y);
  int lane = hit >= 0 ? index[hit] : -1;
  if (hit >= 0)
    *side = sides[hit];
  vita_compare_merged_lanes_free (rows, n);
  g_free (sides);
  g_free (index);
  return lane;
}

/* ---- the panel ------------------------------------------------------------------ */

/* "A: other.safetensors" and, with B's own selectors on a panel that shows a layer,
 * " — layer 3, head 2" */
static void
side_text (VitaPanel panel, const VitaPaintContext *ctx, int side, const VitaTimelineSnapshot *snap,
           char *buf, gsize size)
{
  const VitaPaintCompare *cmp = ctx->compare;
  const VitaPanelClass *klass = vita_panel_get_class (panel);
  const char *name = side == 0 ? (cmp->label_a ? cmp->label_a : "A")
                               : (cmp->label_b ? cmp->label_b : "B");
  if (cmp->own_layers && klass != NULL && (klass->depends & VITA_DEPENDS_LAYER))
    {
      char what[64];
      vita_compare_describe_layer (snap->layer, snap->head < snap->n_heads ? snap->head : -1,
                                   what, sizeof what);
      g_snprintf (buf, size, "%s: %s — %s", side == 0 ? "A" : "B", name, what);
    }
  else
    g_snprintf (buf, size, "%s: %s", side == 0 ? "A" : "B", name);
}

void
vita_compare_panel_paint (VitaPanel panel, cairo_t *cr, const VitaRect *area,
                          const VitaPaintContext *ctx)
{
  const VitaPaintCompare *cmp = ctx->compare;
  const VitaPanelClass *klass = vita_panel_get_class (panel);
  const VitaStyle *style = ctx->style;
  VitaCompareSides sd;
  vita_compare_sides (panel, area, ctx, &sd);
  VitaRect *areas = sd.areas;
  VitaPaintContext *ctxs = sd.ctxs;

  if (!style->transparent)
    {
      vita_set_rgb (cr, style->bg);
      cairo_rectangle (cr, area->x, area->y, area->width, area->height);
      cairo_fill (cr);
    }
  const char *la = cmp->label_a ? cmp->label_a : "A", *lb = cmp->label_b ? cmp->label_b : "B";
  char label[512], ta[300], tb[300];
  switch (sides_mode (panel, ctx))
    {
    case SIDES_ONE:
      klass->paint (cr, area, ctx);
      return;
    case SIDES_A_ONLY:
      g_snprintf (label, sizeof label, "A: %s (no probes for side B: Load Probes for Side B…)", la);
      side_label (cr, style, &areas[0], label);
      klass->paint (cr, &areas[0], &ctxs[0]);
      return;
    case SIDES_OVERLAY:
      {
        VitaTimelineSnapshot sb = *ctx->snap;
        VitaAnalysis *bn = cmp->cache_b ? vita_paint_cache_get_analysis (cmp->cache_b) : NULL;
        if (cmp->own_layers)
          sb.layer = cmp->layer_b, sb.head = cmp->head_b;
        if (bn != NULL)
          sb.n_heads = bn->cfg.heads;
        side_text (panel, ctx, 0, ctx->snap, ta, sizeof ta);
        side_text (panel, ctx, 1, &sb, tb, sizeof tb);
        g_snprintf (label, sizeof label, "%s   ·   %s", ta, tb);
        side_label (cr, style, &areas[0], label);
        klass->paint (cr, &areas[0], &ctxs[0]);
        return;
      }
    case SIDES_LANES:
      {
        int n = 0;
        VitaProbeLane **rows = vita_compare_merge_lanes (ctx->lanes, ctx->n_lanes, cmp->lanes_b,
                                                         cmp->n_lanes_b, &n, NULL, NULL);
        g_snprintf (label, sizeof label, "A: %s   ·   B: %s", la, lb);
        side_label (cr, style, &areas[0], label);
        ctxs[0].compare = NULL;
        ctxs[0].lanes = rows;
        ctxs[0].n_lanes = n;
        klass->paint (cr, &areas[0], &ctxs[0]);
        vita_compare_merged_lanes_free (rows, n);
        return;
      }
    case SIDES_DIFFERENCE:
      g_snprintf (label, sizeof label, "A − B: %s − %s", la, lb);
      side_label (cr, style, &areas[0], label);
      cairo_save (cr);
      if (panel == VITA_PANEL_ATTENTION)
        paint_attention_difference (cr, &areas[0], &ctxs[0]);
      else if (panel == VITA_PANEL_SSM)
        paint_ssm_difference (cr, &areas[0], &ctxs[0]);
      else if (panel == VITA_PANEL_PROBEOGRAM)
        vita_probeogram_paint_difference (cr, &areas[0], &ctxs[0], ctx->probeogram,
                                          cmp->probeogram_b);
      else
        paint_grid_difference (cr, &areas[0], &ctxs[0]);
      cairo_restore (cr);
      return;
    case SIDES_SPLIT:
    default:
      break;
    }
  if (panel == VITA_PANEL_ATTENTION && !cmp->per_side_scale &&
      ctx->attention_mode == VITA_ATTENTION_HEAD)
    {
      /* one colour scale for both maps */
      float vmax = MAX (attention_max (&ctxs[0]), attention_max (&ctxs[1]));
      ctxs[0].shared_vmax = ctxs[1].shared_vmax = vmax;
    }
  for (int i = 0; i < 2; i++)
    {
      side_text (panel, ctx, i, ctxs[i].snap, label, sizeof label);
      side_label (cr, style, &areas[i], label);
      cairo_save (cr);
      klass->paint (cr, &areas[i], &ctxs[i]);
      cairo_restore (cr);
    }
}
