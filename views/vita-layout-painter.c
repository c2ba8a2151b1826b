/* vita-layout-painter.c — the full view as one figure: time-aligned panels stacked
 * on the left (same x mapping), the window's attention and the SSM on the right. */
#include "vita-paint-private.h"

void
vita_layout_paint (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  vita_panel_begin (cr, ctx->style, area->x, area->y, area->width, area->height);
  double lw = area->width * 0.62, rw = area->width - lw;
  static const struct { VitaPanel panel; double frac; } left[] = {
    { VITA_PANEL_OVERVIEW, 0.10 }, { VITA_PANEL_WAVEFORM, 0.18 }, { VITA_PANEL_MEL, 0.27 },
    { VITA_PANEL_RECEIVED, 0.25 }, { VITA_PANEL_PROBES, 0.20 },
  };
  static const struct { VitaPanel panel; double frac; } right[] = {
    { VITA_PANEL_ATTENTION, 0.42 }, { VITA_PANEL_ATTENTION_ROW, 0.18 }, { VITA_PANEL_SSM, 0.40 },
  };
  /* The overview keeps a fixed height (it is a strip); the rest share by weight. */
  double fs = ctx->style->font_size;
  double over = MIN (6.5 * fs, area->height * 0.18);
  double rest = area->height - over, wsum = 0;
  for (gsize i = 1; i < G_N_ELEMENTS (left); i++)
    wsum += left[i].frac;
  double y = area->y;
  for (gsize i = 0; i < G_N_ELEMENTS (left); i++)
    {
      double h = i == 0 ? over : rest * left[i].frac / wsum;
      VitaRect r = { area->x, y, lw, h };
      vita_panel_paint (left[i].panel, cr, &r, ctx);
      y += r.height;
    }
  y = area->y;
  for (gsize i = 0; i < G_N_ELEMENTS (right); i++)
    {
      VitaRect r = { area->x + lw, y, rw, area->height * right[i].frac };
      vita_panel_paint (right[i].panel, cr, &r, ctx);
      y += r.height;
    }
}
