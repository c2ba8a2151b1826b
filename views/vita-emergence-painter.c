/* vita-emergence-painter.c — the emergence figure (vita-emergence-painter.h). */
#include "vita-emergence-painter.h"
#include "vita-export.h"
#include "vita-paint-private.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include <math.h>

/* Qualitative colours (matplotlib's tab10) for layers 0, 1, 2, …: lines must be told
 * apart, not ordered as a sequential map would. */
static const double layer_rgb[10][3] = {
  { 0.122, 0.467, 0.706 }, { 1.000, 0.498, 0.055 }, { 0.173, 0.627, 0.173 },
  { 0.839, 0.153, 0.157 }, { 0.580, 0.404, 0.741 }, { 0.549, 0.337, 0.294 },
  { 0.890, 0.467, 0.761 }, { 0.498, 0.498, 0.498 }, { 0.737, 0.741, 0.133 },
  { 0.090, 0.745, 0.812 },
};

#define N_PANELS (VITA_EMERGENCE_N_MEASURES + 1)   /* the measures, then the loss */

/* log10 range of the x axis: [lo, hi]; step 0 sits at lo. */
static void
x_range (const VitaEmergence *em, double *lo, double *hi)
{
  gint64 min_pos = 0, max_step = 0;
  gboolean zero = FALSE;
  for (int c = 0; c < em->n_checkpoints; c++)
    {
      gint64 s = em->step[c];
      if (s <= 0)
        zero = TRUE;
      else if (min_pos == 0 || s < min_pos)
        min_pos = s;
      max_step = MAX (max_step, s);
    }
  if (min_pos == 0)
    min_pos = 1;
  double first = log10 ((double) min_pos);
  *lo = zero ? first - 1 : first;
  *hi = MAX (log10 ((double) MAX (max_step, 1)), *lo + 1);
}

double
vita_emergence_x_for_step (const VitaEmergence *em, const VitaRect *plot, gint64 step)
{
  double lo, hi;
  x_range (em, &lo, &hi);
  double v = step > 0 ? log10 ((double) step) : lo;
  double pad = 0.04 * (hi - lo);
  return plot->x + (v - (lo - pad)) / (hi - lo + 2 * pad) * plot->width;
}

static const char *
panel_title_short (const VitaEmergence *em, int p)
{
  static const char *titles[2][N_PANELS] = {
    { "Attention vs flux, head mean", "Attention vs flux, best head",
      "SSM vs chroma", "SSM vs MFCC", "SSM vs rhythm", "Training loss" },
    { "Onset F, head mean", "Onset F, best head",
      "SSM vs chroma", "SSM vs MFCC", "SSM vs rhythm", "Training loss" },
  };
  return titles[em->onsets ? 1 : 0][p];
}

static const char *
panel_title (const VitaEmergence *em, int p)
{
  static const char *titles[2][N_PANELS] = {
    { "Received attention vs spectral flux, mean over heads", "Received attention vs spectral flux, best head",
      "SSM vs chroma SSM", "SSM vs MFCC SSM", "SSM vs rhythm SSM", "Training loss" },
    { "Onset F of received attention, mean over heads", "Onset F of received attention, best head",
      "SSM vs chroma SSM", "SSM vs MFCC SSM", "SSM vs rhythm SSM", "Training loss" },
  };
  return titles[em->onsets ? 1 : 0][p];
}

static const char *
panel_unit (const VitaEmergence *em, int p)
{
  if (p < 2)
    return em->onsets ? "onset F (0–1)" : "Pearson r";
  return p < N_PANELS - 1 ? "Pearson r" : "NT-Xent loss (nats)";
}

static double
panel_value (const VitaEmergence *em, int p, int c, int layer)
{
  return p < VITA_EMERGENCE_N_MEASURES ? vita_emergence_get (em, c, p, layer) : em->loss[c];
}

static void
paint_panel (cairo_t *cr, const VitaStyle *style, const VitaRect *outer, const VitaEmergence *em,
             int p, int current, gboolean narrow)
{
  const double fs = style->font_size;
  VitaRect plot = { outer->x + vita_axis_tick_width (style) + 2.6 * fs, outer->y + 1.8 * fs,
                    0, 0 };
  plot.width = outer->x + outer->width - plot.x - 0.5 * fs;
  plot.height = outer->y + outer->height - plot.y - 2.9 * fs;
  if (plot.width < 10 || plot.height < 10)
    return;
  cairo_set_source_rgb (cr, style->fg[0], style->fg[1], style->fg[2]);
  {
    /* over the plot only (the value axis's title stands left of it); the short title
     * when the long one would not fit */
    const char *title = panel_title (em, p);
    double tw;
    vita_text_size (style, title, 1.0, &tw, NULL);
    if (narrow || tw > plot.width)
      title = panel_title_short (em, p);
    vita_draw_text_fit (cr, style, title, plot.x + plot.width / 2, outer->y + 0.2 * fs,
                        VITA_ANCHOR_N, 1.0, 0, plot.width);
  }

  /* the value range of what is drawn */
  gboolean is_loss = p == N_PANELS - 1;
  int l0 = is_loss ? 0 : vita_emergence_first_layer (p), l1 = is_loss ? 1 : em->n_layers;
  double vmin = INFINITY, vmax = -INFINITY;
  for (int c = 0; c < em->n_checkpoints; c++)
    for (int l = l0; l < l1; l++)
      {
        double v = panel_value (em, p, c, l);
        if (isfinite (v))
          vmin = MIN (vmin, v), vmax = MAX (vmax, v);
      }
  vita_panel_frame (cr, style, &plot);
  if (!isfinite (vmin))
    {
      vita_panel_message (cr, style, &plot, is_loss ? "No loss log beside the series" : "No values");
      vmin = 0, vmax = 1;
    }
  if (vmax - vmin < 1e-6)
    vmin -= 0.05, vmax += 0.05;
  else
    {
      /* a margin so that no point sits on the frame */
      double pad = 0.06 * (vmax - vmin);
      vmin -= pad, vmax += pad;
    }
  double ticks[16], tstep;
  int nt = vita_nice_ticks (vmin, vmax, 5, ticks, &tstep);
  if (nt > 0)
    {
      vmin = MIN (vmin, ticks[0]);
      vmax = MAX (vmax, ticks[nt - 1]);
    }
  vita_axis_value (cr, style, &plot, vmin, vmax, panel_unit (em, p));

  /* x axis: decades, with "0" behind a break when step 0 is in the series */
  double lo, hi;
  x_range (em, &lo, &hi);
  gboolean zero = FALSE;
  for (int c = 0; c < em->n_checkpoints; c++)
    zero |= em->step[c] <= 0;
  cairo_set_source_rgb (cr, style->fg[0], style->fg[1], style->fg[2]);
  cairo_set_line_width (cr, MAX (0.5, style->line_width / 2));
  double ybase = plot.y + plot.height;
  for (int k = (int) ceil (lo + (zero ? 0.5 : 0)); k <= (int) floor (hi + 1e-9); k++)
    {
      double x = vita_emergence_x_for_step (em, &plot, (gint64) llround (pow (10, k)));
      cairo_move_to (cr, x, ybase);
      cairo_line_to (cr, x, ybase + 0.3 * fs);
      cairo_stroke (cr);
      char buf[32];
      if (k <= 3)
        g_snprintf (buf, sizeof buf, "%.0f", pow (10, k));
      else
        g_snprintf (buf, sizeof buf, "1e%d", k);
      vita_draw_text (cr, style, buf, x, ybase + 0.4 * fs, VITA_ANCHOR_N, 0.9, 0);
    }
  if (zero)
    {
      double x0 = vita_emergence_x_for_step (em, &plot, 0);
      double xb = (x0 + vita_emergence_x_for_step (em, &plot, (gint64) llround (pow (10, lo + 1)))) / 2;
      cairo_move_to (cr, x0, ybase);
      cairo_line_to (cr, x0, ybase + 0.3 * fs);
      cairo_stroke (cr);
      vita_draw_text (cr, style, "0", x0, ybase + 0.4 * fs, VITA_ANCHOR_N, 0.9, 0);
      /* the break: two short slashes on the axis */
      for (int s = -1; s <= 1; s += 2)
        {
          cairo_move_to (cr, xb + s * 0.15 * fs - 0.2 * fs, ybase + 0.3 * fs);
          cairo_line_to (cr, xb + s * 0.15 * fs + 0.2 * fs, ybase - 0.3 * fs);
        }
      cairo_stroke (cr);
    }
  {
    /* the axis title under the plot, shorter when the plot is narrow */
    const char *xt = "Training step (log scale)";
    double xw;
    vita_text_size (style, xt, 0.9, &xw, NULL);
    if (xw > plot.width)
      xt = "Step (log scale)";
    vita_draw_text_fit (cr, style, xt, plot.x + plot.width / 2, ybase + 1.6 * fs, VITA_ANCHOR_N,
                        0.9, 0, plot.width);
  }

  cairo_save (cr);
  cairo_rectangle (cr, plot.x, plot.y, plot.width, plot.height);
  cairo_clip (cr);
  if (current >= 0 && current < em->n_checkpoints)
    {
      double x = vita_emergence_x_for_step (em, &plot, em->step[current]);
      double dash[2] = { 3, 3 };
      cairo_set_dash (cr, dash, 2, 0);
      cairo_set_source_rgb (cr, style->playhead[0], style->playhead[1], style->playhead[2]);
      cairo_move_to (cr, x, plot.y);
      cairo_line_to (cr, x, plot.y + plot.height);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }
  cairo_set_line_width (cr, style->line_width);
  for (int l = l0; l < l1; l++)
    {
      const double *rgb = is_loss ? style->fg : layer_rgb[l % 10];
      cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
      gboolean pen = FALSE;
      for (int c = 0; c < em->n_checkpoints; c++)
        {
          double v = panel_value (em, p, c, l);
          if (!isfinite (v))
            {
              pen = FALSE;
              continue;
            }
          double x = vita_emergence_x_for_step (em, &plot, em->step[c]);
          double y = plot.y + plot.height * (1 - (v - vmin) / (vmax - vmin));
          if (pen)
            cairo_line_to (cr, x, y);
          else
            cairo_move_to (cr, x, y);
          pen = TRUE;
        }
      cairo_stroke (cr);
      for (int c = 0; c < em->n_checkpoints; c++)
        {
          double v = panel_value (em, p, c, l);
          if (!isfinite (v))
            continue;
          double x = vita_emergence_x_for_step (em, &plot, em->step[c]);
          double y = plot.y + plot.height * (1 - (v - vmin) / (vmax - vmin));
          cairo_arc (cr, x, y, 1.2 * style->line_width, 0, 2 * G_PI);
          cairo_fill (cr);
        }
    }
  cairo_restore (cr);
}

/* Columns × rows of the six panels: the shape whose plots are the largest (their
 * shorter side, a plot a little wider than tall preferred), one column on a narrow
 * figure unless it leaves the plots too short for their axis titles. */
static void
grid_shape (const VitaStyle *style, double gw, double gh, gboolean narrow, int *cols, int *rows)
{
  const double fs = style->font_size;
  double best = -1;
  *cols = narrow ? 1 : 2;
  *rows = (N_PANELS + *cols - 1) / *cols;
  for (int c = 1; c <= 3; c++)
    {
      int r = (N_PANELS + c - 1) / c;
      double pw = gw / c - vita_axis_tick_width (style) - 3.1 * fs, ph = gh / r - 4.7 * fs;
      double score = MIN (pw, 1.5 * ph);
      if (ph < 10 * fs)   /* the rotated axis title would run into the next row */
        score -= 1000;
      if (score > best)
        best = score, *cols = c, *rows = r;
    }
}

void
vita_emergence_paint (cairo_t *cr, const VitaRect *area, const VitaStyle *style_in,
                      const VitaEmergence *em, int current)
{
  VitaStyle style;
  if (style_in)
    style = *style_in;
  else
    vita_style_init (&style);
  const double fs = style.font_size;
  cairo_save (cr);
  vita_panel_begin (cr, &style, area->x, area->y, area->width, area->height);

  /* Wide: the legend in a column right of 3 rows × 2 columns of panels.  Narrow (a
   * paper column): the legend in rows on top, the panels in one column. */
  gboolean narrow = area->width < 62 * fs;
  double legend_w = narrow ? 0 : 10.5 * fs, legend_h = 0;
  double lx = area->x + area->width - legend_w, ly = area->y + 2 * fs;
  if (narrow)
    {
      /* "Layer  — 0 (embedding)  — 1  — 2 …", wrapped */
      double x = area->x + 0.5 * fs, y = area->y + 0.9 * fs, w;
      cairo_set_source_rgb (cr, style.fg[0], style.fg[1], style.fg[2]);
      x += vita_draw_text (cr, &style, "Layer", x, y, VITA_ANCHOR_W, 1.0, 0) + 0.8 * fs;
      for (int l = 0; l < em->n_layers; l++)
        {
          char buf[48];
          g_snprintf (buf, sizeof buf, l == 0 ? "0 (embedding)" : "%d", l);
          vita_text_size (&style, buf, 0.9, &w, NULL);
          if (x + 2.2 * fs + w > area->x + area->width - 0.5 * fs)
            x = area->x + 0.5 * fs, y += 1.4 * fs;
          cairo_set_source_rgb (cr, layer_rgb[l % 10][0], layer_rgb[l % 10][1], layer_rgb[l % 10][2]);
          cairo_set_line_width (cr, style.line_width * 1.5);
          cairo_move_to (cr, x, y);
          cairo_line_to (cr, x + 1.6 * fs, y);
          cairo_stroke (cr);
          cairo_set_source_rgb (cr, style.fg[0], style.fg[1], style.fg[2]);
          x += 2.0 * fs + vita_draw_text (cr, &style, buf, x + 2.0 * fs, y, VITA_ANCHOR_W, 0.9, 0) + 0.8 * fs;
        }
      if (current >= 0 && current < em->n_checkpoints)
        {
          char buf[64];
          g_snprintf (buf, sizeof buf, "- - step %" G_GINT64_FORMAT, em->step[current]);
          vita_text_size (&style, buf, 0.9, &w, NULL);
          if (x + w > area->x + area->width - 0.5 * fs)
            x = area->x + 0.5 * fs, y += 1.4 * fs;
          cairo_set_source_rgb (cr, style.fg[0], style.fg[1], style.fg[2]);
          vita_draw_text (cr, &style, buf, x, y, VITA_ANCHOR_W, 0.9, 0);
        }
      legend_h = y - area->y + 1.0 * fs;
    }
  else
    {
      cairo_set_source_rgb (cr, style.fg[0], style.fg[1], style.fg[2]);
      vita_draw_text (cr, &style, "Layer", lx + 0.3 * fs, ly, VITA_ANCHOR_NW, 1.0, 0);
      for (int l = 0; l < em->n_layers; l++)
        {
          double y = ly + (l + 1.6) * 1.4 * fs;
          cairo_set_source_rgb (cr, layer_rgb[l % 10][0], layer_rgb[l % 10][1], layer_rgb[l % 10][2]);
          cairo_set_line_width (cr, style.line_width * 1.5);
          cairo_move_to (cr, lx + 0.3 * fs, y);
          cairo_line_to (cr, lx + 2.0 * fs, y);
          cairo_stroke (cr);
          char buf[48];
          if (l == 0)
            g_snprintf (buf, sizeof buf, "0 (embedding)");
          else
            g_snprintf (buf, sizeof buf, "%d", l);
          cairo_set_source_rgb (cr, style.fg[0], style.fg[1], style.fg[2]);
          vita_draw_text (cr, &style, buf, lx + 2.4 * fs, y, VITA_ANCHOR_W, 0.9, 0);
        }
      if (current >= 0 && current < em->n_checkpoints)
        {
          char buf[64];
          g_snprintf (buf, sizeof buf, "- - step %" G_GINT64_FORMAT, em->step[current]);
          cairo_set_source_rgb (cr, style.fg[0], style.fg[1], style.fg[2]);
          vita_draw_text_fit (cr, &style, buf, lx + 0.3 * fs, ly + (em->n_layers + 2.4) * 1.4 * fs,
                              VITA_ANCHOR_W, 0.9, 0, legend_w - 0.3 * fs);
        }
    }

  double gw = area->width - legend_w, gh = area->height - legend_h;
  int cols, rows;
  grid_shape (&style, gw, gh, narrow, &cols, &rows);
  for (int p = 0; p < N_PANELS; p++)
    {
      int row = p / cols, col = p % cols;
      VitaRect outer = { area->x + col * gw / cols, area->y + legend_h + row * gh / rows,
                         gw / cols, gh / rows };
      paint_panel (cr, &style, &outer, em, p, current, narrow);
    }
  cairo_restore (cr);
}

typedef struct {
  const VitaEmergence *em;
  const VitaStyle     *style;
} ExportData;

static void
export_cb (cairo_t *cr, double width, double height, gpointer data)
{
  ExportData *d = data;
  VitaRect area = { 0, 0, width, height };
  vita_emergence_paint (cr, &area, d->style, d->em, -1);
}

gboolean
vita_emergence_export (const VitaEmergence *em, const char *path, double width, double height,
                       const VitaStyle *style, GError **error)
{
  ExportData d = { em, style };
  return vita_export_paint (path, width, height, 2.0, "Emergence over training", export_cb, &d, error);
}

/* ---- the emergence panel (a series open in the app) ------------------------------ */

static void
emergence_panel_paint (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  if (ctx->emergence == NULL || ctx->emergence->n_checkpoints == 0)
    {
      VitaRect plot = *area;
      cairo_save (cr);
      vita_panel_begin (cr, ctx->style, area->x, area->y, area->width, area->height);
      vita_panel_message (cr, ctx->style, &plot, "Open a training series to see what the model learns over training");
      cairo_restore (cr);
      return;
    }
  vita_emergence_paint (cr, area, ctx->style, ctx->emergence, ctx->emergence_current);
}

/* (n_checkpoints, 2 + N_MEASURES × n_layers): step, loss, then every measure per layer. */
static float *
emergence_panel_array (const VitaPanelClass *klass, const VitaPaintContext *ctx, int *ndim,
                       gsize shape[4], GError **error)
{
  const VitaEmergence *em = ctx->emergence;
  if (em == NULL || em->n_checkpoints == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no training series is open");
      return NULL;
    }
  gsize cols = 2 + (gsize) VITA_EMERGENCE_N_MEASURES * em->n_layers;
  float *out = g_new (float, em->n_checkpoints * cols);
  for (int c = 0; c < em->n_checkpoints; c++)
    {
      float *row = out + c * cols;
      row[0] = (float) em->step[c];
      row[1] = (float) em->loss[c];
      for (int m = 0; m < VITA_EMERGENCE_N_MEASURES; m++)
        for (int l = 0; l < em->n_layers; l++)
          row[2 + m * em->n_layers + l] = (float) vita_emergence_get (em, c, m, l);
    }
  *ndim = 2;
  shape[0] = em->n_checkpoints;
  shape[1] = cols;
  return out;
}

/* Wide: 3 rows; narrow: 6 rows under the legend — each row tall enough for its title,
 * ticks and axis title around a plot of a useful height. */
static double
emergence_natural_height (const VitaPanelClass *klass, const VitaPaintContext *ctx, double width)
{
  double fs = ctx->style->font_size;
  gboolean narrow = width < 62 * fs;
  int layers = ctx->emergence ? ctx->emergence->n_layers : 5;
  double legend = narrow ? (2 + layers / 4) * 1.4 * fs + 1.0 * fs : 0;
  double col = narrow ? width : (width - 10.5 * fs) / 2;
  return legend + (narrow ? 6 : 3) * MAX (13 * fs, 5.2 * fs + 0.45 * col);
}

const VitaPanelClass vita_emergence_panel_class = {
  .name = "emergence",
  .title = N_("Emergence over Training"),
  .subtitle = N_("per checkpoint of the series: attention onset F / flux r and SSM r per layer, loss"),
  .flags = 0,
  .traits = VITA_PANEL_ON_DEMAND,   /* a card while a series is open */
  .depends = 0,
  .order = 15, .row = 0, .width = -1, .height = 460,   /* under the overview */
  .paint = emergence_panel_paint,
  .array = emergence_panel_array,
  .natural_height = emergence_natural_height,
};
