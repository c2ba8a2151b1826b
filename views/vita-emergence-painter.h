/* vita-emergence-painter.h — the emergence figure (model/probe/vita-emergence.h): a
 * panel per measure (attention onset F or flux r, mean over heads and best head; SSM r
 * with chroma, MFCC, rhythm; the NT-Xent loss), x = training step on a log scale with
 * step 0 placed one decade left of the first trained step (behind an axis break),
 * one line per layer, the legend in its own column right of the panels, the current
 * checkpoint marked.  Cairo only: screen, PNG, SVG, PDF. */
#pragma once

#include "vita-paint.h"
#include "model/probe/vita-emergence.h"

G_BEGIN_DECLS

/* current: the checkpoint to mark (-1: none); style NULL = vita_style_init's. */
void     vita_emergence_paint  (cairo_t *cr, const VitaRect *area, const VitaStyle *style,
                                const VitaEmergence *em, int current);
/* x of a step in plot (the same mapping the panels use; tests). */
double   vita_emergence_x_for_step (const VitaEmergence *em, const VitaRect *plot, gint64 step);
/* PNG / SVG / PDF by the extension (vita_export_paint): width × height pt. */
gboolean vita_emergence_export (const VitaEmergence *em, const char *path, double width,
                                double height, const VitaStyle *style, GError **error);

G_END_DECLS
