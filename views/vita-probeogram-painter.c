/* vita-probeogram-painter.c — layer × time probe-o-gram (see vita-probeogram.h). */
#include "vita-probeogram.h"
#include "vita-paint-private.h"
#include "vita-layout.h"
#include "model/vita-compare.h"

#include <glib/gi18n.h>

#include <math.h>
#include <string.h>

VitaProbeogram *
vita_probeogram_new (const char *name, int n_layers, int n_frames)
{
  g_return_val_if_fail (n_layers > 0 && n_frames >= 0, NULL);
  VitaProbeogram *pg = g_new0 (VitaProbeogram, 1);
  pg->name = g_strdup (name ? name : "probe");
  pg->n_layers = n_layers;
  pg->n_frames = n_frames;
  pg->values = g_new (float, (gsize) n_layers * MAX (n_frames, 1));
  pg->probed = g_new0 (gboolean, MAX (n_layers, 1));
  for (gsize i = 0; i < (gsize) n_layers * n_frames; i++)
    pg->values[i] = NAN;
  return pg;
}

void
vita_probeogram_free (VitaProbeogram *pg)
{
  if (!pg)
    return;
  g_free (pg->name);
  g_free (pg->values);
  g_free (pg->probed);
  g_free (pg);
}

VitaProbeogram *
vita_probeogram_from_analysis (const VitaAnalysis *an, VitaProbe *const *probes, int n_probes,
                               const int *truth, const char *name, GError **error)
{
  if (an == NULL || an->tokens == NULL)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH,
                   "probe-o-gram: the analysis kept no per-frame tokens");
      return NULL;
    }
  int L = MIN (n_probes, an->n_layers), F = an->n_frames, D = an->cfg.dim;
  g_autoptr(VitaProbeogram) pg = vita_probeogram_new (name, an->n_layers, F);
  pg->has_truth = truth != NULL;
  for (int l = 0; l < L; l++)
    {
      const VitaProbe *p = probes[l];
      if (!p)
        continue;
      if (p->dim != D)
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH,
                       "probe-o-gram: probe of layer %d reads %d dimensions, the model has %d",
                       l, p->dim, D);
          return NULL;
        }
      int C = p->n_classes;
      pg->probed[l] = TRUE;
      g_autofree float *prob = g_new (float, (gsize) F * C);
      vita_probe_predict_analysis (p, an, l, prob);
      for (int f = 0; f < F; f++)
        {
          const float *row = prob + (gsize) f * C;
          float v;
          if (truth)
            v = (truth[f] >= 0 && truth[f] < C) ? row[truth[f]] : NAN;
          else if (p->activation == VITA_PROBE_SIGMOID)
            v = row[0];
          else
            {
              v = row[0];
              for (int c = 1; c < C; c++)
                v = MAX (v, row[c]);
            }
          pg->values[(gsize) l * F + f] = v;
        }
    }
  return g_steal_pointer (&pg);
}

/* A layer without a probe: hatched, "not probed" — missing, never drawn as zero. */
static void
not_probed (cairo_t *cr, const VitaStyle *style, const VitaRect *plot, int n_layers, int layer)
{
  double rh = plot->height / n_layers;
  VitaRect row = { plot->x, plot->y + (n_layers - 1 - layer) * rh, plot->width, rh };
  double step = 0.6 * style->font_size;

  cairo_save (cr);
  cairo_rectangle (cr, row.x, row.y, row.width, row.height);
  cairo_clip (cr);
  cairo_set_source_rgb (cr, style->bg[0], style->bg[1], style->bg[2]);
  cairo_paint (cr);
  cairo_set_source_rgba (cr, style->fg[0], style->fg[1], style->fg[2], 0.35);
  cairo_set_line_width (cr, 1.0);
  for (double x = row.x - row.height; x < row.x + row.width; x += step)
    {
      cairo_move_to (cr, x, row.y + row.height);
      cairo_line_to (cr, x + row.height, row.y);
    }
  cairo_stroke (cr);
  if (row.height >= vita_text_line_height (style, 0.75))
    {
      double w;
      vita_text_size (style, "not probed", 0.75, &w, NULL);
      cairo_set_source_rgb (cr, style->bg[0], style->bg[1], style->bg[2]);
      cairo_rectangle (cr, row.x + 0.3 * style->font_size, row.y + (row.height - vita_text_line_height (style, 0.75)) / 2,
                       w + 0.4 * style->font_size, vita_text_line_height (style, 0.75));
      cairo_fill (cr);
      vita_set_rgb (cr, style->fg);
      vita_draw_text (cr, style, "not probed", row.x + 0.5 * style->font_size, row.y + row.height / 2,
                      VITA_ANCHOR_W, 0.75, 0.0);
    }
  cairo_restore (cr);
}

/* diverging: pg holds A − B in [-1, 1] (the diverging colormap centred on zero) */
static void
paint_values (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx,
              const VitaProbeogram *pg, gboolean diverging)
{
  const VitaTimelineSnapshot *snap = ctx->snap;
  const VitaStyle *style = ctx->style;
  VitaRect plot, cbar;
  /* the mel panel's geometry: time axis, value axis, colorbar — so time lines up */
  vita_paint_time_panel_begin (cr, area, ctx, VITA_PANEL_MEL, &plot, &cbar);
  char title[160] = "Probe-o-gram";
  if (pg == NULL || pg->n_frames <= 0)
    vita_panel_message (cr, style, &plot, "No probes loaded");
  else
    {
      /* NaN cells (no annotation) are drawn as 0 by the heatmap; mark them as such in
       * a copy with -1 below the colour range so they show the colormap's floor. */
      int F = pg->n_frames, L = pg->n_layers;
      int decim = (F + 16383) / 16384;  /* Cairo's 32767-pixel limit, as the mel panel */
      decim = MAX (decim, 1);
      int cols = (F + decim - 1) / decim;
      g_autofree float *img = g_new (float, (gsize) L * cols);
      for (int l = 0; l < L; l++)
        for (int c = 0; c < cols; c++)
          {
            double s = 0;
            int n = 0;
            for (int f = c * decim; f < MIN ((c + 1) * decim, F); f++)
              {
                float v = pg->values[(gsize) l * F + f];
                if (isfinite (v))
                  s += v, n++;
              }
            img[(gsize) l * cols + c] = n ? (float) (s / n) : 0.0f;
          }
      cairo_surface_t *surf = vita_heatmap_surface (img, L, cols, cols, diverging ? -1.0f : 0.0f,
                                                    1.0f, diverging ? VITA_COLORMAP_DIVERGING
                                                                    : style->colormap, TRUE);
      double sx = ((double) snap->visible_start / snap->hop + 0.5) / decim;
      double sw = (double) (snap->visible_end - snap->visible_start) / snap->hop / decim;
      vita_heatmap_paint (cr, surf, sx, 0, sw, L, &plot);
      cairo_surface_destroy (surf);
      for (int l = 0; l < L; l++)
        if (!pg->probed[l])
          not_probed (cr, style, &plot, L, l);
      vita_axis_index (cr, style, &plot, -0.5, L - 0.5, "Layer (0 = input)");
      if (diverging)
        vita_colorbar (cr, style, &cbar, VITA_COLORMAP_DIVERGING, -1.0, 1.0,
                       pg->has_truth ? "A − B P(annotated class)" : "A − B P(predicted class)");
      else
        vita_colorbar (cr, style, &cbar, style->colormap, 0.0, 1.0,
                       pg->has_truth ? "P(annotated class)" : "P(predicted class)");
      g_snprintf (title, sizeof title, diverging ? "Probe-o-gram A − B: %s" : "Probe-o-gram: %s",
                  pg->name);
    }
  vita_paint_time_panel_end (cr, ctx, &plot, title);
}

void
vita_probeogram_paint (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx,
                       const VitaProbeogram *pg)
{
  paint_values (cr, area, ctx, pg, FALSE);
}

void
vita_probeogram_paint_difference (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx,
                                  const VitaProbeogram *a, const VitaProbeogram *b)
{
  g_return_if_fail (a != NULL && b != NULL && a->n_layers == b->n_layers &&
                    a->n_frames == b->n_frames);
  g_autoptr(VitaProbeogram) d = vita_probeogram_new (a->name, a->n_layers, a->n_frames);
  vita_compare_diff (d->values, a->values, b->values, (gsize) a->n_layers * a->n_frames);
  for (int l = 0; l < a->n_layers; l++)
    d->probed[l] = a->probed[l] && b->probed[l];
  d->has_truth = a->has_truth && b->has_truth;
  paint_values (cr, area, ctx, d, TRUE);
}

void
vita_probeogram_panel_paint (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  vita_probeogram_paint (cr, area, ctx, ctx->probeogram);
}

/* ---- the class record -------------------------------------------------------- */

/* (n_layers, n_frames). */
static float *
probeogram_array (const VitaPanelClass *klass, const VitaPaintContext *ctx, int *ndim, gsize shape[4], GError **error)
{
  const VitaProbeogram *pg = ctx->probeogram;
  if (pg == NULL || pg->n_frames <= 0)
    return NULL;
  *ndim = 2;
  shape[0] = pg->n_layers;
  shape[1] = pg->n_frames;
  return g_memdup2 (pg->values, shape[0] * shape[1] * sizeof (float));
}

const VitaPanelClass vita_probeogram_panel_class = {
  .name = "probeogram",
  .title = N_("Probe-o-gram"),
  .subtitle = N_("at which depth the probes' property appears"),
  .flags = VITA_PANEL_XAXIS | VITA_PANEL_YAXIS | VITA_PANEL_COLORBAR | VITA_PANEL_TITLE,
  .traits = VITA_PANEL_TIME_ALIGNED | VITA_PANEL_ON_DEMAND,
  .depends = VITA_DEPENDS_VISIBLE | VITA_DEPENDS_SELECTION,
  .order = 100, .row = 0, .width = -1, .height = 150,
  .paint = vita_probeogram_panel_paint,
  .playhead = vita_time_panel_playhead,
  .hit_sample = vita_time_panel_hit_sample,
  .array = probeogram_array,
};
