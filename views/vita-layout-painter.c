/* vita-layout-painter.c — the whole view as one figure: every registered panel in
 * the on-screen arrangement (vita_panel_arrangement: the same order, the same rows,
 * heights in the same proportions as the window's cards), so the figure is what
 * the user sees.  Panels the window hides are left out here too: the model's panels
 * without an analysis, a panel shown on demand while it has nothing to show. */
#include "vita-paint-private.h"

#include <glib/gi18n.h>

static gboolean
shown (VitaPanel panel, const VitaPaintContext *ctx)
{
  const VitaPanelClass *klass = vita_panel_get_class (panel);
  if ((klass->traits & VITA_PANEL_NEEDS_MODEL) && ctx->cache == NULL)
    return FALSE;
  if (klass->traits & VITA_PANEL_ON_DEMAND)
    {
      int ndim;
      gsize shape[4];
      g_autofree float *data = klass->array ? klass->array (klass, ctx, &ndim, shape, NULL) : NULL;
      return data != NULL;
    }
  return TRUE;
}

/* The rows of the arrangement: [start, end) of panels, and the row's height. */
typedef struct { int start, end, height; } Row;

void
vita_layout_paint (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  vita_panel_begin (cr, ctx->style, area->x, area->y, area->width, area->height);
  int n_all, n = 0;
  g_autofree VitaPanel *all = vita_panel_arrangement (&n_all);
  g_autofree VitaPanel *panels = g_new (VitaPanel, MAX (n_all, 1));
  for (int i = 0; i < n_all; i++)
    if (shown (all[i], ctx))
      panels[n++] = all[i];
  g_autofree Row *rows = g_new0 (Row, MAX (n, 1));
  int n_rows = 0, total = 0;
  for (int i = 0; i < n; )
    {
      const VitaPanelClass *k = vita_panel_get_class (panels[i]);
      Row *r = &rows[n_rows++];
      r->start = i;
      r->height = k->height;
      for (i++; k->row != 0 && i < n && vita_panel_get_class (panels[i])->row == k->row; i++)
        r->height = MAX (r->height, vita_panel_get_class (panels[i])->height);
      r->end = i;
      total += r->height;
    }
  /* The screen's proportions: rows keep their on-screen heights (px) in a virtual
   * canvas the figure's width, scaled down to fit when the figure is shorter than
   * the screen's column of cards — text and panels shrink together, nothing is
   * squeezed into overlap. */
  double s = MIN (1.0, area->height / MAX (total, 1));
  cairo_save (cr);
  cairo_translate (cr, area->x, area->y);
  cairo_scale (cr, s, s);
  double width = area->width / s, height = area->height / s;
  double y = 0;
  for (int r = 0; r < n_rows; r++)
    {
      double h = height * rows[r].height / MAX (total, 1);
      /* Fixed-width panels keep their on-screen aspect; width -1 shares the rest. */
      double fixed = 0;
      int n_flex = 0;
      for (int i = rows[r].start; i < rows[r].end; i++)
        {
          const VitaPanelClass *k = vita_panel_get_class (panels[i]);
          if (k->width > 0)
            fixed += h * k->width / MAX (k->height, 1);
          else
            n_flex++;
        }
      double fit = n_flex > 0 ? MIN (1.0, 0.75 * width / MAX (fixed, 1.0))
                              : width / MAX (fixed, 1.0);
      double flex = n_flex > 0 ? (width - fixed * fit) / n_flex : 0;
      double x = 0;
      for (int i = rows[r].start; i < rows[r].end; i++)
        {
          const VitaPanelClass *k = vita_panel_get_class (panels[i]);
          double w = k->width > 0 ? fit * h * k->width / MAX (k->height, 1) : flex;
          VitaRect rect = { x, y, w, h };
          vita_panel_paint (panels[i], cr, &rect, ctx);
          x += w;
        }
      y += h;
    }
  cairo_restore (cr);
}

static gint64
layout_position_key (const VitaPanelClass *klass, const VitaPaintContext *ctx)
{
  return 1 + ctx->snap->position;
}

const VitaPanelClass vita_layout_panel_class = {
  .name = "layout",
  .title = N_("Whole View"),
  .subtitle = N_("every panel as on screen"),
  .flags = VITA_PANEL_XAXIS | VITA_PANEL_YAXIS | VITA_PANEL_TITLE,
  .traits = VITA_PANEL_FIGURE_ONLY,
  .depends = VITA_DEPENDS_VISIBLE | VITA_DEPENDS_SELECTION | VITA_DEPENDS_LAYER |
             VITA_DEPENDS_ANALYSIS | VITA_DEPENDS_PEAKS | VITA_DEPENDS_TOKENS,
  .paint = vita_layout_paint,
  .position_key = layout_position_key,
};
