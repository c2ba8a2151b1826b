/* vita-training-painter.c — the curves of a training run: NT-Xent loss, positive-pair
 * accuracy (each raw, and its running average) and the learning rate, over steps.
 * The training window draws it on screen; export writes it like any panel. */
#include "vita-paint-private.h"
#include "vita-layout.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

typedef float (*Value) (const VitaTrainingPoint *p);
static float v_loss (const VitaTrainingPoint *p) { return p->loss; }
static float v_loss_avg (const VitaTrainingPoint *p) { return p->loss_avg; }
static float v_acc (const VitaTrainingPoint *p) { return p->accuracy; }
static float v_acc_avg (const VitaTrainingPoint *p) { return p->accuracy_avg; }
static float v_lr (const VitaTrainingPoint *p) { return p->lr; }

static void
series (cairo_t *cr, const VitaTrainingCurves *c, Value value, const VitaRect *plot,
        gint64 s0, gint64 s1, double v0, double v1)
{
  gboolean pen = FALSE;
  for (int i = 0; i < c->n_points; i++)
    {
      const VitaTrainingPoint *p = &c->points[i];
      double v = value (p);
      if (!isfinite (v))
        {
          pen = FALSE;
          continue;
        }
      double x = plot->x + plot->width * (double) (p->step - s0) / (double) MAX (1, s1 - s0);
      double y = plot->y + plot->height * (1.0 - CLAMP ((v - v0) / (v1 - v0), 0.0, 1.0));
      if (pen)
        cairo_line_to (cr, x, y);
      else
        cairo_move_to (cr, x, y);
      pen = TRUE;
    }
  cairo_stroke (cr);
}

/* Step numbers under the bottom plot. */
static void
step_axis (cairo_t *cr, const VitaStyle *style, const VitaRect *plot, gint64 s0, gint64 s1)
{
  double fs = style->font_size, ticks[16], step;
  int n = vita_nice_ticks ((double) s0, (double) s1, CLAMP ((int) (plot->width / (6 * fs)), 2, 10),
                           ticks, &step);
  vita_set_rgb (cr, style->fg);
  for (int i = 0; i < n; i++)
    {
      char buf[32];
      g_snprintf (buf, sizeof buf, "%.0f", ticks[i]);
      double x = plot->x + plot->width * (ticks[i] - s0) / (double) MAX (1, s1 - s0);
      vita_draw_text (cr, style, buf, x, plot->y + plot->height + 0.3 * fs, VITA_ANCHOR_N, 0.9, 0.0);
    }
  vita_draw_text (cr, style, "Training step", plot->x + plot->width / 2,
                  plot->y + plot->height + 1.6 * fs, VITA_ANCHOR_N, 1.0, 0.0);
}

void
vita_training_paint (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx)
{
  const VitaStyle *style = ctx->style;
  const VitaTrainingCurves *c = ctx->training;
  vita_panel_begin (cr, style, area->x, area->y, area->width, area->height);
  gint64 s0 = c && c->n_points ? c->points[0].step : 0;
  /* the steps run so far (the schedule may be far longer) */
  gint64 s1 = c && c->n_points ? c->points[c->n_points - 1].step : s0;
  s1 = MAX (s1, s0 + 10);
  float lmax = 0.1f, lrmax = 1e-6f;
  for (int i = 0; c && i < c->n_points; i++)
    {
      if (isfinite (c->points[i].loss))
        lmax = MAX (lmax, c->points[i].loss);
      if (isfinite (c->points[i].lr))
        lrmax = MAX (lrmax, c->points[i].lr);
    }
  lmax = ceilf (lmax * 2) / 2;
  static const struct {
    const char *title, *unit;
    Value raw, avg;
    double rgb[3];
  } plots[3] = {
    { "NT-Xent loss", "loss", v_loss, v_loss_avg, { 0.21, 0.52, 0.89 } },
    { "Positive-pair accuracy (top-1 among the other views)", "accuracy", v_acc, v_acc_avg,
      { 0.18, 0.76, 0.49 } },
    { "Learning rate (AdamW, warm-up then cosine)", "learning rate", v_lr, NULL,
      { 0.90, 0.38, 0.0 } },
  };
  double vmax[3] = { lmax, 1.0, lrmax };
  /* learning rates are small: the axis in units of a power of ten, so its labels
   * stay as short as the others' ("0.5" rather than "0.0005") */
  int lr_exp = (int) floor (log10 (lrmax) + 1e-4);
  double lr_unit = pow (10.0, lr_exp);
  char lr_title[64];
  g_snprintf (lr_title, sizeof lr_title, "lr (\xc3\x97" "1e%d)", lr_exp);
  double h = area->height / 3;
  for (int k = 0; k < 3; k++)
    {
      VitaRect plot;
      VitaPanelFlags flags = VITA_PANEL_YAXIS | VITA_PANEL_TITLE | (k == 2 ? VITA_PANEL_XAXIS : 0);
      vita_panel_layout (style, area->x, area->y + k * h, area->width, h, flags, &plot, NULL);
      if (c == NULL || c->n_points == 0)
        vita_panel_message (cr, style, &plot, k == 0 ? "No training run yet" : "");
      else
        {
          cairo_save (cr);
          cairo_rectangle (cr, plot.x, plot.y - 2, plot.width, plot.height + 4);
          cairo_clip (cr);
          cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
          if (plots[k].avg)
            {
              /* raw steps faint, the running average on top */
              cairo_set_line_width (cr, style->line_width);
              cairo_set_source_rgba (cr, plots[k].rgb[0], plots[k].rgb[1], plots[k].rgb[2], 0.35);
              series (cr, c, plots[k].raw, &plot, s0, s1, 0, vmax[k]);
            }
          cairo_set_line_width (cr, 2 * style->line_width);
          vita_set_rgb (cr, plots[k].rgb);
          series (cr, c, plots[k].avg ? plots[k].avg : plots[k].raw, &plot, s0, s1, 0, vmax[k]);
          cairo_restore (cr);
          if (k == 1 && c->chance > 0 && c->chance < vmax[k])
            {
              /* Chance level: what guessing among the other views scores. */
              double y = plot.y + plot.height * (1.0 - c->chance / vmax[k]);
              double dash[] = { 4.0, 3.0 };
              cairo_save (cr);
              vita_set_rgb (cr, style->fg);
              cairo_set_line_width (cr, MAX (1.0, style->line_width));
              cairo_set_dash (cr, dash, 2, 0);
              cairo_move_to (cr, plot.x, y);
              cairo_line_to (cr, plot.x + plot.width, y);
              cairo_stroke (cr);
              char label[48];
              g_snprintf (label, sizeof label, "chance %.3f", c->chance);
              vita_draw_text (cr, style, label, plot.x + plot.width - 0.3 * style->font_size,
                              y - 0.2 * style->font_size, VITA_ANCHOR_SE, 0.8, 0.0);
              cairo_restore (cr);
            }
        }
      vita_panel_frame (cr, style, &plot);
      if (k == 2)
        vita_axis_value (cr, style, &plot, 0.0, vmax[k] / lr_unit, lr_title);
      else
        vita_axis_value (cr, style, &plot, 0.0, vmax[k], plots[k].unit);
      vita_panel_title (cr, style, &plot, plots[k].title);
      if (k == 2)
        step_axis (cr, style, &plot, s0, s1);
    }
}

/* ---- the class record -------------------------------------------------------- */

/* (n_points, 6): step, loss, its average, accuracy, its average, learning rate. */
static float *
training_array (const VitaPanelClass *klass, const VitaPaintContext *ctx, int *ndim,
                gsize shape[4], GError **error)
{
  const VitaTrainingCurves *c = ctx->training;
  if (c == NULL || c->n_points == 0)
    return NULL;
  float *out = g_new (float, (gsize) c->n_points * 6);
  for (int i = 0; i < c->n_points; i++)
    {
      const VitaTrainingPoint *p = &c->points[i];
      float row[6] = { (float) p->step, p->loss, p->loss_avg, p->accuracy, p->accuracy_avg, p->lr };
      memcpy (out + (gsize) i * 6, row, sizeof row);
    }
  *ndim = 2;
  shape[0] = c->n_points;
  shape[1] = 6;
  return out;
}

/* Three plots stacked, each with its title and value axis, the step axis below. */
static double
training_natural_height (const VitaPanelClass *klass, const VitaPaintContext *ctx, double width)
{
  const VitaStyle *style = ctx->style;
  double fs = style->font_size, h = 0;
  for (int k = 0; k < 3; k++)
    {
      VitaMargins m;
      VitaPanelFlags flags = VITA_PANEL_YAXIS | VITA_PANEL_TITLE | (k == 2 ? VITA_PANEL_XAXIS : 0);
      vita_layout_margins (style, width, 1e6, flags, &m);
      double pw = MAX (width - m.left - m.right, 4 * fs);
      h += m.top + m.bottom + CLAMP (0.3 * pw, 5 * fs, 16 * fs);
    }
  return h;
}

const VitaPanelClass vita_training_panel_class = {
  .name = "training",
  .title = N_("Training Curves"),
  .subtitle = N_("loss, accuracy and learning rate of the run"),
  .flags = VITA_PANEL_XAXIS | VITA_PANEL_YAXIS | VITA_PANEL_TITLE,
  .traits = VITA_PANEL_FIGURE_ONLY,   /* the training window's, not a card of the main window */
  .paint = vita_training_paint,
  .array = training_array,
  .natural_height = training_natural_height,
};
