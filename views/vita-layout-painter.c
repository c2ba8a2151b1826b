/* vita-layout-painter.c — the whole view as one figure, arranged as on screen:
 * time-aligned panels stacked (same x mapping), the window's attention, its row and
 * the SSM beside them, and the layers × heads grid; then every other registered
 * on-screen panel (vita_panel_arrangement: a panel added to the registry joins the
 * whole view with nothing else to write).  Panels without data are left out (never
 * drawn as placeholders); narrow figures (a paper column) stack everything in one
 * column.  Also the natural height of a panel at a width: square panels keep their
 * aspect and the canvas fits them. */
#include "vita-paint-private.h"
#include "vita-layout.h"
#include "vita-probeogram.h"

#include <glib/gi18n.h>

#include <math.h>
#include <string.h>

/* Whether a panel has something to show in a multi-panel figure. */
static gboolean
has_data (VitaPanel panel, const VitaPaintContext *ctx)
{
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  if (ctx->layout_panels != 0 && !(ctx->layout_panels & (G_GUINT64_CONSTANT (1) << panel)))
    return FALSE;
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
      return vita_paint_ssm_ready (an);
    case VITA_PANEL_PROBES:
      return ctx->n_lanes > 0 && ctx->lanes != NULL;
    case VITA_PANEL_PROBEOGRAM:
      return ctx->probeogram != NULL && ctx->probeogram->n_frames > 0;
    default:
      {
        /* a registered panel with no case here: it has data when it has its array */
        const VitaPanelClass *klass = vita_panel_get_class (panel);
        if (klass == NULL || (klass->traits & VITA_PANEL_FIGURE_ONLY))
          return FALSE;
        if ((klass->traits & VITA_PANEL_NEEDS_MODEL) && an == NULL)
          return FALSE;
        if (klass->array == NULL)
          return TRUE;
        int ndim;
        gsize shape[4];
        g_autofree float *data = klass->array (klass, ctx, &ndim, shape, NULL);
        return data != NULL;
      }
    }
}

/* Natural height of one panel at a width (points at the style's font size). */
/* compact < 1 flattens the time-aligned panels (the whole view stacks many of them;
 * squares and the grid keep their aspect). */
static double
panel_height_frame (VitaPanel panel, const VitaPaintContext *ctx, double width, double compact,
                    double *frame_out)
{
  const VitaStyle *style = ctx->style;
  double fs = style->font_size;
  VitaMargins m;
  vita_layout_margins (style, width, 1e6, vita_panel_flags (panel), &m);
  double pw = MAX (width - m.left - m.right, 4 * fs), frame = m.top + m.bottom;
  /* What a panel needs whatever its height: margins and a plot of 2 lines, and the
   * length of a rotated axis title or colorbar label (the longest painters write). */
  double ylen;
  /* A stand-in at least as long as the longest of them ("normalised log-mel",
   * "Layer (0 = input)"): the width the layouts were tuned with. */
  vita_text_size (style, "Layer (0 = embeddings)", 1.0, &ylen, NULL);
  *frame_out = frame + 2 * fs;
  if (vita_panel_flags (panel) & (VITA_PANEL_YAXIS | VITA_PANEL_COLORBAR))
    *frame_out = MAX (*frame_out, ylen + 0.6 * fs);
  VitaAnalysis *an = vita_paint_cache_get_analysis (ctx->cache);
  switch (panel)
    {
    case VITA_PANEL_OVERVIEW:
      return frame + 2.5 * fs;
    case VITA_PANEL_WAVEFORM:
      return frame + CLAMP (0.2 * compact * pw, 4 * fs, 14 * fs);
    case VITA_PANEL_ATTENTION_ROW:
      return frame + CLAMP (0.25 * compact * pw, 5 * fs, 16 * fs);
    case VITA_PANEL_PROBES:
      {
        int rows = 0;
        for (int i = 0; i < ctx->n_lanes; i++)
          rows += ctx->lanes[i]->truth ? 2 : 1;
        *frame_out = MAX (*frame_out, frame + MAX (rows, 1) *
                                      (vita_text_line_height (style, 0.75) + 0.4 * fs));
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
                       0.5 * vita_text_line_height (style, 0.85) + 0.55 * fs + 0.5;
        *frame_out += extra;
        /* The maps are square: layers down and heads across, unless that is more than
         * 1.2 × as tall as wide — then heads down and layers across (the painter
         * picks the orientation with the larger maps, which is this one). */
        double tall = pw * (double) nl / nh, flat = pw * (double) nh / nl;
        return frame + extra + (tall <= 1.2 * width ? tall : flat);
      }
    case VITA_PANEL_MEL:
    case VITA_PANEL_RECEIVED:
    case VITA_PANEL_PROBEOGRAM:
      return frame + CLAMP (0.32 * compact * pw, 6 * fs, 20 * fs);
    default:
      /* other registered panels: their own natural height, else time-aligned ones as
       * the mel and the rest square */
      if (vita_panel_get_class (panel)->natural_height != NULL)
        {
          const VitaPanelClass *klass = vita_panel_get_class (panel);
          return MAX (klass->natural_height (klass, ctx, width), frame + 2 * fs);
        }
      if (vita_panel_is_time_aligned (panel))
        return frame + CLAMP (0.32 * compact * pw, 6 * fs, 20 * fs);
      return frame + MIN (pw, 24 * fs);
    }
}

/* The arrangement, as on screen: rows from top to bottom, each of one panel or of
 * panels side by side (attention and SSM on wide figures). */
static double
panel_height (VitaPanel panel, const VitaPaintContext *ctx, double width)
{
  double frame;
  return panel_height_frame (panel, ctx, width, 1.0, &frame);
}

typedef struct {
  VitaPanel panels[3];
  int       n;
  double    natural;
  double    frame;     /* the part that does not shrink */
} Row;

#define MAX_ROWS VITA_MAX_PANELS

static void
row_add3 (Row *rows, int *n, const VitaPaintContext *ctx, double width, VitaPanel a,
          VitaPanel b, VitaPanel c)
{
  VitaPanel all[3] = { a, b, c };
  Row r = { .n = 0 };
  for (int i = 0; i < 3; i++)
    if ((int) all[i] != VITA_N_PANELS && has_data (all[i], ctx))
      r.panels[r.n++] = all[i];
  if (r.n == 0 || *n >= MAX_ROWS)
    return;
  for (int i = 0; i < r.n; i++)
    {
      double frame, h = panel_height_frame (r.panels[i], ctx, width / r.n, 0.55, &frame);
      r.natural = MAX (r.natural, h);
      r.frame = MAX (r.frame, frame);
    }
  r.frame = MIN (r.frame, r.natural);
  rows[(*n)++] = r;
}

static void
row_add (Row *rows, int *n, const VitaPaintContext *ctx, double width, VitaPanel a, VitaPanel b)
{
  row_add3 (rows, n, ctx, width, a, b, VITA_N_PANELS);
}

/* Panels drawn side by side on wide figures (squares, the grid, the CKA matrix):
 * those not time-aligned. */
static gboolean
side_by_side (VitaPanel p)
{
  return p != VITA_PANEL_OVERVIEW && !vita_panel_is_time_aligned (p);
}

/* Whether a panel of the window's order joins the whole view: one with data that is
 * not on demand (the probe-o-gram is: it joins when it has data). */
static gboolean
in_order_view (VitaPanel p, const VitaPaintContext *ctx)
{
  const VitaPanelClass *klass;

  if ((int) p < 0 || (int) p >= VITA_N_PANELS || p == VITA_PANEL_LAYOUT ||
      (klass = vita_panel_get_class (p)) == NULL)
    return FALSE;
  if ((klass->traits & VITA_PANEL_ON_DEMAND) && p != VITA_PANEL_PROBEOGRAM)
    return FALSE;
  return has_data (p, ctx);
}

/* The arrangement in the window's order (ctx->layout_order): each time-aligned panel
 * a row; runs of the other panels (attention, SSM, grid, CKA, …) next to each other
 * in the order share a row, up to three on wide figures and two on a double column. */
static int
arrange_in_order (const VitaPaintContext *ctx, double width, Row rows[MAX_ROWS])
{
  double fs = ctx->style->font_size;
  int per_row = width >= 100 * fs ? 3 : width >= 60 * fs ? 2 : 1, n = 0;
  VitaPanel run[3];
  int n_run = 0;

  for (int i = 0; i <= ctx->n_layout_order; i++)
    {
      gboolean end = i == ctx->n_layout_order;
      VitaPanel p = end ? (VitaPanel) VITA_N_PANELS : ctx->layout_order[i];
      if (!end && !in_order_view (p, ctx))
        continue;
      if (!end && side_by_side (p))
        {
          run[n_run++] = p;
          if (n_run < per_row)
            continue;
        }
      if (n_run > 0)
        row_add3 (rows, &n, ctx, width, run[0], n_run > 1 ? run[1] : (VitaPanel) VITA_N_PANELS,
                  n_run > 2 ? run[2] : (VitaPanel) VITA_N_PANELS);
      if (!end && !side_by_side (p))
        row_add (rows, &n, ctx, width, p, VITA_N_PANELS);
      n_run = 0;
    }
  return n;
}

static int
arrange (const VitaPaintContext *ctx, double width, Row rows[MAX_ROWS])
{
  if (ctx->layout_order != NULL)
    return arrange_in_order (ctx, width, rows);

  /* Screen and slide widths: attention, SSM and grid side by side, as on screen;
   * a double column: the two squares side by side, the grid under them; a single
   * column: one stack. */
  double fs = ctx->style->font_size;
  gboolean wide = width >= 60 * fs, wider = width >= 100 * fs;
  /* A grid about as tall as wide (few layers × heads) also joins the squares' row on
   * a double column, rather than spreading over the full width. */
  if (wide && !wider && has_data (VITA_PANEL_ATTENTION_GRID, ctx))
    {
      double g = panel_height (VITA_PANEL_ATTENTION_GRID, ctx, width / 3);
      double a = panel_height (VITA_PANEL_ATTENTION, ctx, width / 3);
      wider = g >= 0.8 * a;
    }
  int n = 0;
  row_add (rows, &n, ctx, width, VITA_PANEL_OVERVIEW, VITA_N_PANELS);
  row_add (rows, &n, ctx, width, VITA_PANEL_WAVEFORM, VITA_N_PANELS);
  row_add (rows, &n, ctx, width, VITA_PANEL_MEL, VITA_N_PANELS);
  row_add (rows, &n, ctx, width, VITA_PANEL_RECEIVED, VITA_N_PANELS);
  if (wider)
    row_add3 (rows, &n, ctx, width, VITA_PANEL_ATTENTION, VITA_PANEL_SSM,
              VITA_PANEL_ATTENTION_GRID);
  else if (wide)
    row_add (rows, &n, ctx, width, VITA_PANEL_ATTENTION, VITA_PANEL_SSM);
  else
    {
      row_add (rows, &n, ctx, width, VITA_PANEL_ATTENTION, VITA_N_PANELS);
      row_add (rows, &n, ctx, width, VITA_PANEL_SSM, VITA_N_PANELS);
    }
  if (!wider)
    row_add (rows, &n, ctx, width, VITA_PANEL_ATTENTION_GRID, VITA_N_PANELS);
  row_add (rows, &n, ctx, width, VITA_PANEL_ATTENTION_ROW, VITA_N_PANELS);
  row_add (rows, &n, ctx, width, VITA_PANEL_PROBES, VITA_N_PANELS);
  row_add (rows, &n, ctx, width, VITA_PANEL_PROBEOGRAM, VITA_N_PANELS);
  /* the registered panels placed by no row above, in their on-screen order; on-demand
   * ones (the emergence over a training series: a figure of its own, not of the track's
   * time) are not part of the whole view */
  int n_all;
  g_autofree VitaPanel *all = vita_panel_arrangement (&n_all);
  for (int i = 0; i < n_all; i++)
    if (all[i] > VITA_PANEL_LAYOUT && !(vita_panel_get_class (all[i])->traits & VITA_PANEL_ON_DEMAND))
      row_add (rows, &n, ctx, width, all[i], VITA_N_PANELS);
  return n;
}

double
vita_figure_natural_height (VitaPanel panel, const VitaPaintContext *ctx, double width)
{
  if (panel != VITA_PANEL_LAYOUT)
    return panel_height (panel, ctx, width);
  Row rows[MAX_ROWS];
  int n = arrange (ctx, width, rows);
  double h = 0;
  for (int i = 0; i < n; i++)
    h += rows[i].natural;
  return h > 0 ? h : 6 * ctx->style->font_size;
}

/* Rows stacked top to bottom in an area, each the area's width (the panels of a row
 * side by side): the count placed.  fill: rows at their smallest (nothing to grow
 * by) grow in proportion to fill the area (a video frame). */
static int
stack_rows (Row *rows, int n, const VitaRect *area, gboolean fill, VitaPanel *panels, VitaRect *rects,
            int max)
{
  int placed = 0;
  /* Plots scale to the figure's height; margins (text) never do, and the overview
   * strip keeps its own height.  When even the margins do not fit, the rows with
   * the least to lose go first (probe panels, then the row, then the grid). */
  for (;;)
    {
      double need = 0;
      for (int i = 0; i < n; i++)
        need += rows[i].panels[0] == VITA_PANEL_OVERVIEW ? rows[i].natural : rows[i].frame;
      if (need <= area->height + 0.01 || n <= 1)
        break;
      n--;
    }
  double fixed = 0, flex = 0;
  for (int i = 0; i < n; i++)
    if (rows[i].panels[0] == VITA_PANEL_OVERVIEW)
      fixed += rows[i].natural;
    else
      {
        fixed += rows[i].frame;
        flex += rows[i].natural - rows[i].frame;
      }
  if (fill && flex < 1 && fixed < area->height)
    for (int i = 0; i < n; i++)
      if (rows[i].panels[0] != VITA_PANEL_OVERVIEW)
        fixed -= rows[i].frame, flex += rows[i].frame, rows[i].frame = 0;   /* all of it grows */
  double k = flex > 0 ? MAX (area->height - fixed, 0) / flex : 1.0;
  double y = area->y;
  for (int i = 0; i < n; i++)
    {
      double h = rows[i].panels[0] == VITA_PANEL_OVERVIEW
                   ? rows[i].natural
                   : rows[i].frame + (rows[i].natural - rows[i].frame) * k;
      double w = area->width / rows[i].n;
      for (int j = 0; j < rows[i].n && placed < max; j++)
        {
          panels[placed] = rows[i].panels[j];
          rects[placed++] = (VitaRect) { area->x + j * w, y, w, h };
        }
      y += h;
    }
  return placed;
}

/* The largest rectangle of a panel's own shape (its natural height at a width) in a
 * box, centred in it, on whole pixels. */
static VitaRect
fit_in (VitaPanel panel, const VitaPaintContext *ctx, const VitaRect *box)
{
  double lo = 0, hi = box->width, w, h;

  if (panel_height (panel, ctx, hi) <= box->height)
    lo = hi;
  else
    for (int i = 0; i < 24 && hi - lo > 0.5; i++)
      {
        double mid = 0.5 * (lo + hi);
        if (panel_height (panel, ctx, mid) <= box->height)
          lo = mid;
        else
          hi = mid;
      }
  w = lo > 0 ? floor (lo) : box->width;   /* even the margins do not fit: the whole box */
  h = MIN (ceil (panel_height (panel, ctx, w)), box->height);
  return (VitaRect) { floor (box->x + 0.5 * (box->width - w)), floor (box->y + 0.5 * (box->height - h)),
                      w, h };
}

/* Panels not time-aligned (squares, the grid, …) in lines of at most four in a box,
 * each at the size its share allows, packed side by side and centred; the height
 * used.  With place FALSE only measures. */
static double
place_group (const VitaPanel *group, int n_group, const VitaRect *box, const VitaPaintContext *ctx,
             gboolean place, VitaPanel *panels, VitaRect *rects, int *placed, int max)
{
  int per_line = n_group <= 4 ? n_group : (n_group + 1) / 2;
  int n_lines = (n_group + per_line - 1) / per_line;
  double gap = ctx->style->font_size, used = 0, top;
  VitaRect fitted[VITA_LAYOUT_MAX_PLACED];
  double line_h[VITA_LAYOUT_MAX_PLACED] = { 0 };
  VitaRect cell = { 0, 0, (box->width - (per_line - 1) * gap) / per_line, box->height / n_lines };

  for (int i = 0; i < n_group; i++)
    {
      fitted[i] = fit_in (group[i], ctx, &cell);
      line_h[i / per_line] = MAX (line_h[i / per_line], fitted[i].height);
    }
  for (int line = 0; line < n_lines; line++)
    used += line_h[line];
  top = floor (box->y + 0.5 * MAX (box->height - used, 0));   /* the block centred */
  for (int line = 0; place && line < n_lines; line++)
    {
      int first = line * per_line, n = MIN (per_line, n_group - first);
      double total_w = (n - 1) * gap, x;
      for (int j = 0; j < n; j++)
        total_w += fitted[first + j].width;
      x = floor (box->x + 0.5 * (box->width - total_w));
      for (int j = 0; j < n && *placed < max; j++)
        {
          const VitaRect *f = &fitted[first + j];
          panels[*placed] = group[first + j];
          rects[(*placed)++] = (VitaRect) { x, floor (top + 0.5 * (line_h[line] - f->height)), f->width, f->height };
          x += f->width + gap;
        }
      top += line_h[line];
    }
  return used;
}

/* A fixed frame filled (ctx->fill_frame): with no square, the usual stack; one square
 * (or grid, …) beside the time-aligned panels, at most half the width; several in a
 * centred row under them; squares alone in a centred row. */
static int
place_frame (Row *rows, int n, const VitaRect *area, const VitaPaintContext *ctx, VitaPanel *panels,
             VitaRect *rects, int max)
{
  VitaPanel time[MAX_ROWS], group[VITA_LAYOUT_MAX_PLACED];
  int n_time = 0, n_group = 0, placed = 0;
  Row time_rows[MAX_ROWS];
  int n_time_rows = 0;
  VitaRect time_area = *area, group_box = *area;

  for (int i = 0; i < n; i++)
    for (int j = 0; j < rows[i].n; j++)
      {
        if (side_by_side (rows[i].panels[j]))
          group[n_group++] = rows[i].panels[j];
        else if (n_time < MAX_ROWS)
          time[n_time++] = rows[i].panels[j];
      }
  if (n_group == 0)
    return stack_rows (rows, n, area, TRUE, panels, rects, max);
  if (n_time > 0 && n_group == 1)
    {
      VitaRect half = { area->x + area->width / 2, area->y, area->width / 2, area->height };
      VitaRect r = fit_in (group[0], ctx, &half);
      group_box = (VitaRect) { area->x + area->width - r.width, area->y, r.width, area->height };
      time_area.width = area->width - r.width;
    }
  else if (n_time > 0)
    {
      /* the squares get what the strips' text and a thin plot leave, at most 60 % */
      VitaRect band = { area->x, area->y, area->width, 0.6 * area->height };
      double need = 0, used;
      for (int i = 0; i < n_time; i++)
        {
          Row r[1];
          int one = 0;
          row_add (r, &one, ctx, area->width, time[i], VITA_N_PANELS);
          need += one == 0 ? 0 : time[i] == VITA_PANEL_OVERVIEW ? r[0].natural : r[0].frame;
        }
      band.height = MAX (MIN (band.height, area->height - need), 0.3 * area->height);
      used = place_group (group, n_group, &band, ctx, FALSE, NULL, NULL, NULL, 0);
      group_box = (VitaRect) { area->x, area->y + area->height - used, area->width, used };
      time_area.height = area->height - used;
    }
  for (int i = 0; i < n_time; i++)
    row_add (time_rows, &n_time_rows, ctx, time_area.width, time[i], VITA_N_PANELS);
  if (n_time_rows > 0)
    placed = stack_rows (time_rows, n_time_rows, &time_area, TRUE, panels, rects, max);
  place_group (group, n_group, &group_box, ctx, TRUE, panels, rects, &placed, max);
  return placed;
}

int
vita_layout_place (const VitaRect *area, const VitaPaintContext *ctx, VitaPanel *panels,
                   VitaRect *rects, int max)
{
  Row rows[MAX_ROWS];
  int n = arrange (ctx, area->width, rows);

  if (ctx->fill_frame)
    return place_frame (rows, n, area, ctx, panels, rects, max);
  return stack_rows (rows, n, area, FALSE, panels, rects, max);
}

void
vita_layout_paint (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  VitaPanel panels[VITA_LAYOUT_MAX_PLACED];
  VitaRect rects[VITA_LAYOUT_MAX_PLACED];

  vita_panel_begin (cr, ctx->style, area->x, area->y, area->width, area->height);
  int n = vita_layout_place (area, ctx, panels, rects, VITA_LAYOUT_MAX_PLACED);
  if (n == 0)
    {
      VitaRect plot;
      vita_panel_layout (ctx->style, area->x, area->y, area->width, area->height, 0, &plot, NULL);
      vita_panel_message (cr, ctx->style, &plot, "Nothing to show yet: open an audio file");
      return;
    }
  for (int i = 0; i < n; i++)
    vita_panel_paint (panels[i], cr, &rects[i], ctx);
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
             VITA_DEPENDS_ANALYSIS | VITA_DEPENDS_PEAKS | VITA_DEPENDS_TOKENS |
             VITA_DEPENDS_DECODING,
  .paint = vita_layout_paint,
  .position_key = layout_position_key,
};
