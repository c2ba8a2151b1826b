/* vita-attribution-painter.h — an attribution map over mel frames × bands
 * (model/explain/vita-attribution.h) as a figure: the model's mel input of the same
 * frames above (sequential colormap), the map below in the diverging colormap centred
 * at zero (±vabs, white = 0) with its own colorbar, shared time axis.  Cairo only: the
 * same code draws on screen, PNG, SVG and PDF. */
#pragma once

#include "vita-paint.h"

G_BEGIN_DECLS

typedef struct {
  const float *map;       /* (n_frames, n_mels) attribution */
  const float *mel;       /* (n_frames, n_mels) the model input, or NULL (no mel panel) */
  int     n_frames;
  int     n_mels;
  int     f0, f1;         /* frames drawn [f0, f1) */
  double  frame_rate;     /* frames per second (sample_rate / hop) */
  double  vabs;           /* colour scale ±vabs; <= 0: max |map| over the drawn frames */
  const char *title;      /* above the map (NULL: none) */
  const char *label;      /* colorbar label, e.g. "IG attribution" */
  double  marker_t0, marker_t1;  /* the target's frames (seconds), marked on both panels;
                                    marker_t1 < marker_t0: none */
} VitaAttributionFigure;

void vita_attribution_paint (cairo_t *cr, const VitaStyle *style, double x, double y,
                             double width, double height, const VitaAttributionFigure *fig);

G_END_DECLS
