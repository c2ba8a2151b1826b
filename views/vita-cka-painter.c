/* vita-cka-painter.c — layer × layer similarity: linear CKA (Kornblith et al. 2019,
 * model/vita-derived.h) between the token matrices of every pair of layers.  One
 * square, since CKA is symmetric: above the diagonal the window under the playhead
 * (its T frames), below it the whole track once it is there (the stage after the
 * analysis, vita_analysis_run_track_cka). */
#include "vita-paint-private.h"
#include "vita-layout.h"

#include <glib/gi18n.h>

#include <math.h>
#include <string.h>

extern const VitaPanelClass vita_cka_panel_class;

/* The (L, L) image: a > b (upper left, rows drawn bottom-up) from the window, a < b
 * from the whole track (NaN until there), 1 on the diagonal.  NULL + why when the
 * window's CKA is not available. */
static float *
cka_image (const VitaPaintContext *ctx, int *window, char *why, gsize why_size)
{
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  g_autoptr(GError) error = NULL;
  int L = an->n_layers;
  *window = vita_paint_cache_window_for_frame (ctx->cache, vita_paint_query_frame (ctx));
  /* Cheap (L Gram matrices of T × T): computed when the content is redrawn, i.e.
   * when the window changes (the position key), not cached. */
  g_autofree float *win = g_new (float, (gsize) L * L);
  if (!vita_analysis_cka (win, an, an->window_start[*window], an->cfg.frames, &error))
    {
      /* Short: the panel is small (the full reason is in the export error). */
      g_strlcpy (why, g_error_matches (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_UNSUPPORTED)
                        ? "No tokens kept for this analysis"
                      : g_error_matches (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_BUSY)
                        ? "Analysing…" : error->message, why_size);
      return NULL;
    }
  const float *track = vita_analysis_track_cka (an);
  float *img = g_new (float, (gsize) L * L);
  for (int a = 0; a < L; a++)
    for (int b = 0; b < L; b++)
      img[a * L + b] = a >= b ? win[a * L + b] : track ? track[a * L + b] : NAN;
  return img;
}

/* Layer numbers under the cells, thinned to what fits. */
static void
layer_axis (cairo_t *cr, const VitaStyle *style, const VitaRect *plot, int L)
{
  double fs = style->font_size, cell = plot->width / L;
  int step = MAX (1, (int) ceil (1.8 * fs / MAX (cell, 1e-3)));
  vita_set_rgb (cr, style->fg);
  for (int l = 0; l < L; l += step)
    {
      char buf[16];
      g_snprintf (buf, sizeof buf, "%d", l);
      vita_draw_text (cr, style, buf, plot->x + (l + 0.5) * cell, plot->y + plot->height + 0.3 * fs,
                      VITA_ANCHOR_N, 1.0, 0.0);
    }
  vita_draw_text (cr, style, "Layer (0 = input)", plot->x + plot->width / 2,
                  plot->y + plot->height + 1.6 * fs, VITA_ANCHOR_N, 1.0, 0.0);
  /* the same integer layers up the left side (row a is drawn at (L − 1 − a) cells) */
  double ch = plot->height / L;
  int vstep = MAX (1, (int) ceil (1.4 * fs / MAX (ch, 1e-3)));
  for (int l = 0; l < L; l += vstep)
    {
      char buf[16];
      g_snprintf (buf, sizeof buf, "%d", l);
      vita_draw_text (cr, style, buf, plot->x - 0.4 * fs, plot->y + (L - 1 - l + 0.5) * ch,
                      VITA_ANCHOR_E, 1.0, 0.0);
    }
  vita_axis_title_left (cr, style, plot, "Layer");
}

static void
cka_paint (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  const VitaStyle *style = ctx->style;
  VitaRect plot, cbar;
  vita_panel_begin (cr, style, area->x, area->y, area->width, area->height);
  vita_square_plot (style, area, vita_panel_of_class (&vita_cka_panel_class), &plot, &cbar);
  char title[192] = "Layer similarity (linear CKA)", why[256] = "No analysis";
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  int w = -1;
  g_autofree float *img = an ? cka_image (ctx, &w, why, sizeof why) : NULL;
  if (img == NULL)
    {
      vita_panel_message (cr, style, &plot, why);
      vita_panel_frame (cr, style, &plot);
      if (an != NULL)
        {
          /* the layers are known even when their similarity is not: the axes stay */
          layer_axis (cr, style, &plot, an->n_layers);
        }
      vita_panel_title (cr, style, &plot, title);
      return;
    }
  int L = an->n_layers;
  const VitaTimelineSnapshot *snap = ctx->snap;
  double t0 = (double) an->window_start[w] * snap->hop / snap->sample_rate;
  double t1 = (double) (an->window_start[w] + an->cfg.frames) * snap->hop / snap->sample_rate;
  g_snprintf (title, sizeof title, "Linear CKA: above the diagonal window %d (%.1f–%.1f s), "
              "below %s", w + 1, t0, t1,
              vita_analysis_track_cka (an) ? "the whole track"
                                           : "the whole track (analysing…)");
  cairo_surface_t *s = vita_heatmap_surface (img, L, L, L, 0.0f, 1.0f, style->colormap, TRUE);
  vita_heatmap_paint (cr, s, 0, 0, L, L, &plot);
  cairo_surface_destroy (s);
  /* Cells of the whole track not computed yet: background, not colour 0. */
  double cell = plot.width / L;
  for (int a = 0; a < L; a++)
    for (int b = 0; b < L; b++)
      if (isnan (img[a * L + b]))
        {
          cairo_set_source_rgba (cr, style->bg[0], style->bg[1], style->bg[2], 1.0);
          cairo_rectangle (cr, plot.x + b * cell, plot.y + (L - 1 - a) * cell, cell, cell);
          cairo_fill (cr);
        }
  vita_panel_frame (cr, style, &plot);
  layer_axis (cr, style, &plot, L);
  vita_colorbar (cr, style, &cbar, style->colormap, 0.0, 1.0, "linear CKA");
  vita_panel_title (cr, style, &plot, title);
}

/* ---- the class record -------------------------------------------------------- */

/* The two layers of the cell under the pointer and their CKA (window or track). */
static gboolean
cka_readout (const VitaPanelClass *klass, const VitaRect *area, const VitaPaintContext *ctx,
             double px, double py, VitaReadout *out)
{
  /* The window's CKA is computed per call: remembered for the last cell (main thread). */
  static struct { gconstpointer an; int ready, w, a, b; char text[sizeof out->text]; } last;
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  VitaRect plot, cbar;
  if (an == NULL)
    return FALSE;
  vita_square_plot (ctx->style, area, vita_panel_of_class (&vita_cka_panel_class), &plot, &cbar);
  if (px < plot.x || px >= plot.x + plot.width || py < plot.y || py >= plot.y + plot.height)
    return FALSE;
  int L = an->n_layers;
  int b = CLAMP ((int) ((px - plot.x) / plot.width * L), 0, L - 1);
  int a = L - 1 - CLAMP ((int) ((py - plot.y) / plot.height * L), 0, L - 1);
  int w = vita_paint_cache_window_for_frame (ctx->cache, vita_paint_query_frame (ctx));
  int ready = g_atomic_int_get (&an->n_ready) + 1000000 * g_atomic_int_get (&an->complete) +
              2000000 * (vita_analysis_track_cka (an) != NULL);
  if (last.an == an && last.ready == ready && last.w == w && last.a == a && last.b == b)
    {
      g_strlcpy (out->text, last.text, sizeof out->text);
      return TRUE;
    }
  char why[256];
  int window;
  g_autofree float *img = cka_image (ctx, &window, why, sizeof why);
  int n = g_snprintf (out->text, sizeof out->text, "layer %d × layer %d", a, b);
  if (img != NULL && isfinite (img[a * L + b]))
    g_snprintf (out->text + n, sizeof out->text - n, " · CKA %.3f (%s)", img[a * L + b],
                a >= b ? "window" : "whole track");
  last.an = an;
  last.ready = ready;
  last.w = w;
  last.a = a;
  last.b = b;
  g_strlcpy (last.text, out->text, sizeof last.text);
  return TRUE;
}

static gint64
cka_position_key (const VitaPanelClass *klass, const VitaPaintContext *ctx)
{
  return 1 + vita_paint_cache_window_for_frame (ctx->cache, vita_paint_query_frame (ctx));
}

/* (2, L, L): the window's CKA, then the whole track's (NaN until it is there). */
static float *
cka_array (const VitaPanelClass *klass, const VitaPaintContext *ctx, int *ndim, gsize shape[4], GError **error)
{
  VitaAnalysis *an = vita_panel_require_analysis (klass, ctx, error);
  if (an == NULL)
    return NULL;
  int w = vita_paint_cache_window_for_frame (ctx->cache, vita_paint_query_frame (ctx));
  gsize LL = (gsize) an->n_layers * an->n_layers;
  float *out = g_new (float, 2 * LL);
  if (!vita_analysis_cka (out, an, an->window_start[w], an->cfg.frames, error))
    {
      g_free (out);
      return NULL;
    }
  const float *track = vita_analysis_track_cka (an);
  for (gsize i = 0; i < LL; i++)
    out[LL + i] = track ? track[i] : NAN;
  *ndim = 3;
  shape[0] = 2;
  shape[1] = shape[2] = an->n_layers;
  return out;
}

/* Cells of about 2.5 lines (a few layers are not a wall of colour in a figure),
 * 10 to 24 lines in all and never wider than the plot can be; with the margins. */
static double
cka_natural_height (const VitaPanelClass *klass, const VitaPaintContext *ctx, double width)
{
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  double fs = ctx->style->font_size;
  int L = an != NULL ? an->n_layers : 5;
  VitaMargins m;

  vita_layout_margins (ctx->style, width, 1e6, klass->flags, &m);
  return m.top + m.bottom + MIN (MAX (width - m.left - m.right, 4 * fs),
                                 CLAMP (2.5 * fs * L, 10 * fs, 24 * fs));
}

const VitaPanelClass vita_cka_panel_class = {
  .name = "cka",
  .title = N_("Layer Similarity"),
  .subtitle = N_("linear CKA of every pair of layers: window and whole track"),
  .flags = VITA_PANEL_XAXIS | VITA_PANEL_YAXIS | VITA_PANEL_COLORBAR | VITA_PANEL_TITLE,
  .traits = VITA_PANEL_NEEDS_MODEL,
  .depends = VITA_DEPENDS_ANALYSIS | VITA_DEPENDS_TOKENS,
  .order = 65, .row = 1, .width = 320, .height = 320,
  .paint = cka_paint,
  .readout = cka_readout,
  .position_key = cka_position_key,
  .array = cka_array,
  .natural_height = cka_natural_height,
};
