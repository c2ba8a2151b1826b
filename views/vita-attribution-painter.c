/* vita-attribution-painter.c — see vita-attribution-painter.h. */
#include "vita-attribution-painter.h"

#include <math.h>

static void
draw_marker (cairo_t *cr, const VitaStyle *style, const VitaRect *plot, double t0, double t1,
             const VitaAttributionFigure *fig)
{
  if (fig->marker_t1 < fig->marker_t0)
    return;
  double span = t1 - t0;
  double x0 = plot->x + plot->width * (fig->marker_t0 - t0) / span;
  double x1 = plot->x + plot->width * (fig->marker_t1 - t0) / span;
  cairo_save (cr);
  cairo_set_source_rgb (cr, style->fg[0], style->fg[1], style->fg[2]);
  cairo_set_line_width (cr, MAX (0.5, style->line_width * 0.5));
  double dash[] = { 3, 2 };
  cairo_set_dash (cr, dash, 2, 0);
  cairo_move_to (cr, x0, plot->y);
  cairo_line_to (cr, x0, plot->y + plot->height);
  if (x1 - x0 > 1.5)
    {
      cairo_move_to (cr, x1, plot->y);
      cairo_line_to (cr, x1, plot->y + plot->height);
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}

/* One heatmap panel: frames [f0, f1) of a (n_frames, n_mels) array. */
static void
heat_panel (cairo_t *cr, const VitaStyle *style, double x, double y, double w, double h,
            const VitaAttributionFigure *fig, const float *data, float vmin, float vmax,
            VitaColormap cmap, const char *title, const char *label, gboolean time_axis)
{
  VitaRect plot, bar;
  VitaPanelFlags flags = VITA_PANEL_YAXIS | VITA_PANEL_COLORBAR | VITA_PANEL_TITLE;
  if (time_axis)
    flags |= VITA_PANEL_XAXIS;
  cairo_save (cr);
  vita_panel_begin (cr, style, x, y, w, h);
  vita_panel_layout (style, x, y, w, h, flags, &plot, &bar);
  const int n = fig->f1 - fig->f0;
  const double t0 = fig->f0 / fig->frame_rate, t1 = fig->f1 / fig->frame_rate;
  cairo_surface_t *s = vita_heatmap_surface_transposed (data + (gsize) fig->f0 * fig->n_mels, n,
                                                        fig->n_mels, vmin, vmax, cmap);
  vita_heatmap_paint (cr, s, 0, 0, n, fig->n_mels, &plot);
  cairo_surface_destroy (s);
  draw_marker (cr, style, &plot, t0, t1, fig);
  vita_panel_frame (cr, style, &plot);
  if (title)
    vita_panel_title (cr, style, &plot, title);
  vita_axis_value (cr, style, &plot, 0, fig->n_mels, "Mel band");
  if (time_axis)
    vita_axis_time (cr, style, &plot, t0, t1);
  vita_colorbar (cr, style, &bar, cmap, vmin, vmax, label);
  cairo_restore (cr);
}

void
vita_attribution_paint (cairo_t *cr, const VitaStyle *style, double x, double y,
                        double width, double height, const VitaAttributionFigure *fig)
{
  g_return_if_fail (fig->map != NULL && fig->f0 >= 0 && fig->f1 > fig->f0 &&
                    fig->f1 <= fig->n_frames && fig->frame_rate > 0);
  const gsize a = (gsize) fig->f0 * fig->n_mels, b = (gsize) fig->f1 * fig->n_mels;
  double vabs = fig->vabs;
  if (!(vabs > 0))
    {
      vabs = 0;
      for (gsize i = a; i < b; i++)
        if (isfinite (fig->map[i]))
          vabs = MAX (vabs, fabs (fig->map[i]));
      if (!(vabs > 0))
        vabs = 1;
    }
  double map_y = y, map_h = height;
  if (fig->mel)
    {
      float lo = G_MAXFLOAT, hi = -G_MAXFLOAT;
      for (gsize i = a; i < b; i++)
        if (isfinite (fig->mel[i]))
          lo = MIN (lo, fig->mel[i]), hi = MAX (hi, fig->mel[i]);
      if (!(hi > lo))
        lo = 0, hi = 1;
      double mel_h = height * 0.45;
      heat_panel (cr, style, x, y, width, mel_h, fig, fig->mel, lo, hi, style->colormap,
                  "Model input (normalised log-mel)", "Log-mel (z-score)", FALSE);
      map_y = y + mel_h;
      map_h = height - mel_h;
    }
  heat_panel (cr, style, x, map_y, width, map_h, fig, fig->map, (float) -vabs, (float) vabs,
              VITA_COLORMAP_DIVERGING, fig->title, fig->label ? fig->label : "Attribution", TRUE);
}
