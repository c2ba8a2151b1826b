/* vita-compare-table-painter.c — the comparison table as a figure (see the header). */
#include "vita-compare-table-painter.h"
#include "vita-export.h"
#include "vita-paint-private.h"

#include <math.h>
#include <string.h>

/* The per-layer measures (head -1) in first-use order, and the layers. */
static GPtrArray *
layer_measures (const VitaCompareTable *t, int *n_layers)
{
  GPtrArray *m = g_ptr_array_new ();
  *n_layers = 0;
  for (guint i = 0; i < t->rows->len; i++)
    {
      const VitaCompareRow *r = &g_array_index (t->rows, VitaCompareRow, i);
      if (r->head >= 0)
        continue;
      *n_layers = MAX (*n_layers, r->layer + 1);
      gboolean seen = FALSE;
      for (guint k = 0; k < m->len && !seen; k++)
        seen = strcmp (g_ptr_array_index (m, k), r->measure) == 0;
      if (!seen)
        g_ptr_array_add (m, r->measure);
    }
  return m;
}

static double
table_max_abs_diff (const VitaCompareTable *t)
{
  double m = 0;
  for (guint i = 0; i < t->rows->len; i++)
    {
      const VitaCompareRow *r = &g_array_index (t->rows, VitaCompareRow, i);
      double d = fabs (vita_compare_row_diff (r));
      if (r->head < 0 && d > m)   /* false for NaN */
        m = d;
    }
  return m;
}

#define LABEL_EM 6.0   /* row label column, in font sizes */
#define CELL_EM  3.6   /* value column */
#define ROW_EM   1.7
#define BAR_EM   5.5   /* colorbar, its tick labels and its rotated label */

void
vita_compare_table_size (const VitaCompareTable *t, const VitaStyle *style_in,
                         double *width, double *height)
{
  VitaStyle def;
  vita_style_init (&def);
  const VitaStyle *style = style_in ? style_in : &def;
  int n_layers;
  g_autoptr(GPtrArray) m = layer_measures (t, &n_layers);
  double fs = style->font_size;
  *width = fs * (LABEL_EM + CELL_EM * 3 * MAX (1, (int) m->len) + BAR_EM + 2);
  int n_lines = 1;
  for (const char *p = t->note; p && (p = strstr (p, ". ")); p += 2)
    n_lines++;
  *height = fs * ROW_EM * (n_layers + 2) + fs * (6.5 + n_lines);
}

static void
fill_rect (cairo_t *cr, double x, double y, double w, double h, double r, double g, double b)
{
  cairo_set_source_rgb (cr, r, g, b);
  cairo_rectangle (cr, x, y, w, h);
  cairo_fill (cr);
}

void
vita_compare_table_paint (cairo_t *cr, const VitaRect *area, const VitaStyle *style_in,
                          const VitaCompareTable *t)
{
  VitaStyle def;
  vita_style_init (&def);
  const VitaStyle *style = style_in ? style_in : &def;
  const double fs = style->font_size;
  vita_panel_begin (cr, style, area->x, area->y, area->width, area->height);
  int n_layers;
  g_autoptr(GPtrArray) m = layer_measures (t, &n_layers);
  const int nm = (int) m->len;

  /* title and legend */
  double x0 = area->x + fs, y = area->y + fs * 0.6;
  char title[512];
  g_snprintf (title, sizeof title, "Comparison by layer: A − B");
  vita_set_rgb (cr, style->fg);
  vita_draw_text (cr, style, title, x0, y, VITA_ANCHOR_NW, 1.15, 0);
  y += fs * 1.8;
  g_autofree char *legend = g_strdup_printf ("A = %s;  B = %s", t->label_a, t->label_b);
  vita_draw_text_fit (cr, style, legend, x0, y, VITA_ANCHOR_NW, 0.9, 0,
                      area->width - 2 * fs);
  y += fs * 1.6;
  if (nm == 0 || n_layers == 0)
    {
      VitaRect plot = { x0, y, area->width - 2 * fs, area->height - (y - area->y) - fs };
      vita_panel_message (cr, style, &plot, "No measures");
      return;
    }

  /* the grid, scaled to fit the area */
  double bar_w = fs * BAR_EM;
  double avail_w = area->width - 2 * fs - bar_w;
  double label_w = fs * LABEL_EM;
  double cell_w = MAX (fs, (avail_w - label_w) / (3.0 * nm));
  double row_h = MIN (fs * ROW_EM, (area->y + area->height - y - fs * 2.5) / (n_layers + 2));
  const double dmax = table_max_abs_diff (t);
  const double gx = x0 + label_w;

  /* headers: the measure over its three columns, then A | B | A − B */
  for (int k = 0; k < nm; k++)
    {
      double cx = gx + cell_w * 3 * k;
      vita_set_rgb (cr, style->fg);
      vita_draw_text_fit (cr, style, g_ptr_array_index (m, k), cx + cell_w * 1.5, y + row_h * 0.5,
                          VITA_ANCHOR_CENTER, 0.9, 0, cell_w * 3 - fs * 0.3);
      static const char *const sub[3] = { "A", "B", "A − B" };
      for (int j = 0; j < 3; j++)
        vita_draw_text_fit (cr, style, sub[j], cx + cell_w * (j + 0.5), y + row_h * 1.5,
                            VITA_ANCHOR_CENTER, 0.85, 0, cell_w - 2);
    }
  vita_draw_text (cr, style, "layer", x0, y + row_h * 1.5, VITA_ANCHOR_W, 0.85, 0);
  double ty = y + row_h * 2;

  for (int l = 0; l < n_layers; l++)
    {
      double ry = ty + row_h * l;
      if (l % 2 == 1)
        fill_rect (cr, x0, ry, label_w + cell_w * 3 * nm, row_h, 0.95, 0.95, 0.95);
      char lab[32];
      if (l == 0)
        g_snprintf (lab, sizeof lab, "0 (embed)");
      else
        g_snprintf (lab, sizeof lab, "%d", l);
      vita_set_rgb (cr, style->fg);
      vita_draw_text (cr, style, lab, x0, ry + row_h * 0.5, VITA_ANCHOR_W, 0.9, 0);
      for (int k = 0; k < nm; k++)
        {
          const VitaCompareRow *r = vita_compare_table_find (t, g_ptr_array_index (m, k), l, -1);
          double v[3] = { NAN, NAN, NAN };
          if (r)
            {
              v[0] = r->a;
              v[1] = r->b;
              v[2] = vita_compare_row_diff (r);
            }
          for (int j = 0; j < 3; j++)
            {
              double cx = gx + cell_w * (3 * k + j);
              gboolean dark = FALSE;
              if (j == 2 && !isnan (v[2]))
                {
                  double rr, gg, bb;
                  vita_colormap_rgb (style->diverging, dmax > 0 ? 0.5 + 0.5 * v[2] / dmax : 0.5,
                                     &rr, &gg, &bb);
                  fill_rect (cr, cx + 1, ry + 1, cell_w - 2, row_h - 2, rr, gg, bb);
                  dark = 0.2126 * rr + 0.7152 * gg + 0.0722 * bb < 0.45;   /* Rec. 709 luma */
                }
              char buf[32];
              if (isnan (v[j]))
                g_snprintf (buf, sizeof buf, "–");
              else
                g_snprintf (buf, sizeof buf, j == 2 ? "%+.3f" : "%.3f", v[j]);
              static const double white[3] = { 1, 1, 1 };
              vita_set_rgb (cr, dark ? white : style->fg);
              vita_draw_text_fit (cr, style, buf, cx + cell_w - fs * 0.3, ry + row_h * 0.5,
                                  VITA_ANCHOR_E, 0.85, 0, cell_w - fs * 0.4);
            }
        }
    }
  /* rules between the measure groups */
  cairo_save (cr);
  vita_set_rgb (cr, style->fg);
  cairo_set_line_width (cr, MAX (0.5, style->line_width * 0.4));
  for (int k = 0; k <= nm; k++)
    {
      double cx = gx + cell_w * 3 * k;
      cairo_move_to (cr, cx, y);
      cairo_line_to (cr, cx, ty + row_h * n_layers);
    }
  cairo_move_to (cr, x0, ty);
  cairo_line_to (cr, gx + cell_w * 3 * nm, ty);
  cairo_stroke (cr);
  cairo_restore (cr);

  VitaRect bar = { gx + cell_w * 3 * nm + fs * 0.8, y, fs * 0.9,
                   MAX (row_h * n_layers, ty + row_h * n_layers - y) };
  vita_difference_colorbar (cr, style, &bar, (float) dmax, "A − B");
  if (t->note)
    {
      /* one line per sentence */
      g_auto(GStrv) lines = g_strsplit (t->note, ". ", -1);
      double ny = ty + row_h * n_layers + fs * 0.6;
      vita_set_rgb (cr, style->fg);
      for (int i = 0; lines[i]; i++, ny += fs * 1.0)
        vita_draw_text_fit (cr, style, lines[i], x0, ny, VITA_ANCHOR_NW, 0.75, 0,
                            area->width - 2 * fs);
    }
}

typedef struct {
  const VitaCompareTable *table;
  const VitaStyle *style;
} PaintData;

static void
paint_cb (cairo_t *cr, double width, double height, gpointer data)
{
  PaintData *d = data;
  VitaRect area = { 0, 0, width, height };
  vita_compare_table_paint (cr, &area, d->style, d->table);
}

gboolean
vita_compare_table_export (const VitaCompareTable *table, const char *path,
                           const VitaStyle *style_in, GError **error)
{
  VitaStyle def;
  vita_style_init (&def);
  def.font_size = 9;
  const VitaStyle *style = style_in ? style_in : &def;
  double w, h;
  vita_compare_table_size (table, style, &w, &h);
  PaintData d = { table, style };
  return vita_export_paint (path, w, h, 2.0, "Vitascope comparison table", paint_cb, &d, error);
}

cairo_surface_t *
vita_difference_surface (const float *diff, int rows, int cols, gsize row_stride, float max_abs,
                         const VitaStyle *style)
{
  float m = max_abs > 0 ? max_abs : 1.0f;   /* all zeros: white, the centre */
  return vita_heatmap_surface (diff, rows, cols, row_stride, -m, m, style->diverging, FALSE);
}

void
vita_difference_colorbar (cairo_t *cr, const VitaStyle *style, const VitaRect *rect,
                          float max_abs, const char *label)
{
  double m = max_abs > 0 ? max_abs : 1.0;
  vita_colorbar (cr, style, rect, style->diverging, -m, m, label);
}
