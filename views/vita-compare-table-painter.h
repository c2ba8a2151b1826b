/* vita-compare-table-painter.h — the comparison table of two models (model/vita-compare.h)
 * as a figure: one row per layer, for each per-layer measure three columns A, B and
 * A − B; the A − B cells are shaded with the diverging colormap centred on zero
 * (symmetric range ±max |A − B|, its own colorbar), the legend says which model is A
 * and which is B.  Cairo only: screen, PNG, SVG, PDF. */
#pragma once

#include "vita-paint.h"
#include "model/vita-compare.h"

G_BEGIN_DECLS

/* Draws into area; style NULL = vita_style_init's. */
void     vita_compare_table_paint  (cairo_t *cr, const VitaRect *area, const VitaStyle *style,
                                    const VitaCompareTable *table);
/* Natural size of the figure (pt) for a style. */
void     vita_compare_table_size   (const VitaCompareTable *table, const VitaStyle *style,
                                    double *width, double *height);
/* PNG / SVG / PDF by the extension, at its natural size, atomically (vita-export.h). */
gboolean vita_compare_table_export (const VitaCompareTable *table, const char *path,
                                    const VitaStyle *style, GError **error);

/* A signed difference map through the diverging colormap centred on zero: an image
 * surface of (rows, cols) values mapped from [-max_abs, max_abs] (max_abs from
 * vita_compare_max_abs; 0 → everything white), and its colorbar "A − B" in rect. */
cairo_surface_t *vita_difference_surface (const float *diff, int rows, int cols,
                                          gsize row_stride, float max_abs,
                                          const VitaStyle *style);
void             vita_difference_colorbar (cairo_t *cr, const VitaStyle *style,
                                           const VitaRect *rect, float max_abs,
                                           const char *label);

G_END_DECLS
