/* vita-layout-painter.c — the whole view as one figure, arranged as on screen:
 * time-aligned panels stacked (same x mapping), the window's attention, its row and
 * the SSM beside them, and the layers × heads grid.  Panels without data are left
 * out (never drawn as placeholders); narrow figures (a paper column) stack
 * everything in one column.  Also the natural height of a panel at a width: square
 * panels keep their aspect and the canvas fits them. */
#include "vita-paint-private.h"
#include "vita-layout.h"
#include "vita-probe-ogram.h"

#include <math.h>
#include <string.h>

/* Whether a panel has something to show in a multi-panel figure. */
static gboolean
has_data (VitaPanel panel, const VitaPaintContext *ctx)
{
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  switch (panel)
    {
    case VITA_PANEL_WAVEFORM:
    case VITA_PANEL_OVERVIEW:
      return ctx->peaks != NULL;
    case VITA_PANEL_MEL:
      return an != NULL && an->mel != NULL && an->n_frames > 0;
    case VITA_PANEL_RECEIVED:
      return an != NULL && an->received != NULL;
    case VITA_PANEL_ATTENTION:
    case VITA_PANEL_ATTENTION_ROW:
    case VITA_PANEL_ATTENTION_GRID:
      return an != NULL && an->window_start != NULL && an->n_windows > 0;
    case VITA_PANEL_SSM:
      return vita_analysis_is_complete_views (an);
    case VITA_PANEL_PROBES:
      return ctx->n_lanes > 0 && ctx->lanes != NULL;
    case VITA_PANEL_PROBEOGRAM:
      return ctx->probeogram != NULL && ctx->probeogram->n_frames > 0;
    default:
      return FALSE;
    }
}

/* Natural height of one panel at a width (points at the style's font size). */
static double
panel_height (VitaPanel panel, const VitaPaintContext *ctx, double width)
{
  const VitaStyle *style = ctx->style;
  double fs = style->font_size;
  VitaMargins m;
  vita_layout_margins (style, width, 1e6, vita_panel_flags (panel), &m);
  double pw = MAX (width - m.left - m.right, 4 * fs), frame = m.top + m.bottom;
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  switch (panel)
    {
    case VITA_PANEL_OVERVIEW:
      return frame + 2.5 * fs;
    case VITA_PANEL_WAVEFORM:
      return frame + CLAMP (0.2 * pw, 5 * fs, 14 * fs);
    case VITA_PANEL_ATTENTION_ROW:
      return frame + CLAMP (0.25 * pw, 6 * fs, 16 * fs);
    case VITA_PANEL_PROBES:
      {
        int rows = 0;
        for (int i = 0; i < ctx->n_lanes; i++)
          rows += ctx->lanes[i]->truth ? 2 : 1;
        return frame + MAX (rows, 1) * 2.2 * fs;
      }
    case VITA_PANEL_ATTENTION:
    case VITA_PANEL_SSM:
      return frame + pw;   /* square */
    case VITA_PANEL_ATTENTION_GRID:
      {
        int L = an ? an->cfg.depth : 1, NH = an ? an->cfg.heads : 1;
        int nl = 0, nh = 0;
        for (int i = 0; i < L; i++)
          nl += ctx->grid_layers == 0 || i >= 64 || ((ctx->grid_layers >> i) & 1);
        for (int i = 0; i < NH; i++)
          nh += ctx->grid_heads == 0 || i >= 64 || ((ctx->grid_heads >> i) & 1);
        nl = nl ? nl : L;
        nh = nh ? nh : NH;
        double extra = vita_text_line_height (style, 0.8) + vita_text_line_height (style, 0.75) +
                       0.7 * fs;
        /* The maps are square: rows × columns of cells of the plot's width. */
        return frame + extra + pw * (double) nl / nh;
      }
    default:   /* mel, received, probe-o-gram */
      return frame + CLAMP (0.32 * pw, 6 * fs, 20 * fs);
    }
}

typedef struct {
  VitaPanel panel;
  double    height;   /* natural */
} Slot;

typedef struct {
  Slot   slots[12];
  int    n;
  double x, width, natural;
} Column;

static void
column_add (Column *c, VitaPanel panel, const VitaPaintContext *ctx)
{
  if (!has_data (panel, ctx) || c->n >= (int) G_N_ELEMENTS (c->slots))
    return;
  c->slots[c->n].panel = panel;
  c->slots[c->n].height = panel_height (panel, ctx, c->width);
  c->natural += c->slots[c->n].height;
  c->n++;
}

/* The arrangement at a width: columns and their natural heights. */
static int
arrange (const VitaPaintContext *ctx, double x, double width, Column cols[3])
{
  static const VitaPanel timed[] = {
    VITA_PANEL_OVERVIEW, VITA_PANEL_WAVEFORM, VITA_PANEL_MEL, VITA_PANEL_RECEIVED,
    VITA_PANEL_PROBES, VITA_PANEL_PROBEOGRAM,
  };
  static const VitaPanel window[] = {
    VITA_PANEL_ATTENTION, VITA_PANEL_ATTENTION_ROW, VITA_PANEL_SSM,
  };
  double fs = ctx->style->font_size;
  memset (cols, 0, 3 * sizeof (Column));
  if (width < 60 * fs)
    {
      /* A paper column: one stack. */
      cols[0].x = x;
      cols[0].width = width;
      for (gsize i = 0; i < G_N_ELEMENTS (timed); i++)
        column_add (&cols[0], timed[i], ctx);
      for (gsize i = 0; i < G_N_ELEMENTS (window); i++)
        column_add (&cols[0], window[i], ctx);
      column_add (&cols[0], VITA_PANEL_ATTENTION_GRID, ctx);
      return 1;
    }
  double w0 = width * 0.52, w1 = width * 0.28, w2 = width - w0 - w1;
  cols[0] = (Column) { .x = x, .width = w0 };
  cols[1] = (Column) { .x = x + w0, .width = w1 };
  cols[2] = (Column) { .x = x + w0 + w1, .width = w2 };
  for (gsize i = 0; i < G_N_ELEMENTS (timed); i++)
    column_add (&cols[0], timed[i], ctx);
  for (gsize i = 0; i < G_N_ELEMENTS (window); i++)
    column_add (&cols[1], window[i], ctx);
  column_add (&cols[2], VITA_PANEL_ATTENTION_GRID, ctx);
  int n = 3;
  if (cols[2].n == 0)
    {
      /* No grid: the window's panels take its room. */
      n = 2;
      cols[1].width += w2;
      double nat = 0;
      for (int i = 0; i < cols[1].n; i++)
        nat += cols[1].slots[i].height = panel_height (cols[1].slots[i].panel, ctx, cols[1].width);
      cols[1].natural = nat;
    }
  return n;
}

double
vita_figure_natural_height (VitaPanel panel, const VitaPaintContext *ctx, double width)
{
  if (panel != VITA_PANEL_LAYOUT)
    return panel_height (panel, ctx, width);
  Column cols[3];
  int n = arrange (ctx, 0, width, cols);
  double h = 0;
  for (int i = 0; i < n; i++)
    h = MAX (h, cols[i].natural);
  return h > 0 ? h : 6 * ctx->style->font_size;
}

void
vita_layout_paint (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  vita_panel_begin (cr, ctx->style, area->x, area->y, area->width, area->height);
  Column cols[3];
  int n = arrange (ctx, area->x, area->width, cols);
  gboolean any = FALSE;
  for (int c = 0; c < n; c++)
    {
      if (cols[c].n == 0)
        continue;
      any = TRUE;
      /* Heights scale to the figure's; the overview strip keeps its own. */
      double fixed = 0, flex = 0;
      for (int i = 0; i < cols[c].n; i++)
        if (cols[c].slots[i].panel == VITA_PANEL_OVERVIEW)
          fixed += cols[c].slots[i].height;
        else
          flex += cols[c].slots[i].height;
      double k = flex > 0 ? MAX (area->height - fixed, 0) / flex : 1.0;
      double y = area->y;
      for (int i = 0; i < cols[c].n; i++)
        {
          const Slot *s = &cols[c].slots[i];
          double h = s->panel == VITA_PANEL_OVERVIEW ? s->height : s->height * k;
          VitaRect r = { cols[c].x, y, cols[c].width, h };
          vita_panel_paint (s->panel, cr, &r, ctx);
          y += h;
        }
    }
  if (!any)
    {
      VitaRect plot;
      vita_panel_layout (ctx->style, area->x, area->y, area->width, area->height, 0, &plot, NULL);
      vita_panel_message (cr, ctx->style, &plot, "Nothing to show yet: open an audio file");
    }
}
