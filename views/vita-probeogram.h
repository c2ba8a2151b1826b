/* vita-probeogram.h — the layer × time "probe-o-gram": at which depth a property
 * appears.  Row l holds, for every frame, the probability that layer l's probe gives
 * to the ground-truth class (or to its own prediction when no annotation is loaded);
 * a Cairo painter draws it time-aligned with the other panels (layer 0 at the bottom).
 * No GTK. */
#pragma once

#include "vita-painters.h"
#include "model/probe/vita-probe.h"

G_BEGIN_DECLS

typedef struct _VitaProbeogram {
  char   *name;          /* e.g. "chords: P(annotated chord)" */
  int     n_layers;      /* rows: token layers 0..L */
  int     n_frames;
  float  *values;        /* (n_layers, n_frames) in [0, 1]; NAN = no annotation there,
                            or no probe for the layer */
  gboolean *probed;      /* (n_layers): a probe was applied to the layer; rows without
                            one are drawn hatched, "not probed", never as zero */
  gboolean has_truth;
} VitaProbeogram;

VitaProbeogram *vita_probeogram_new  (const char *name, int n_layers, int n_frames);
void            vita_probeogram_free (VitaProbeogram *pg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaProbeogram, vita_probeogram_free)

/* Applies probes[l] (one frame-level probe per token layer, NULL to skip a layer) to
 * the analysis' per-frame tokens.  truth (n_frames, class per frame, < 0 = none) may
 * be NULL: then each cell is the probability of the predicted class (sigmoid probes:
 * of class 0).  NULL + error when the analysis kept no tokens or a probe's dimension
 * differs from the model's. */
VitaProbeogram *vita_probeogram_from_analysis (const VitaAnalysis *an,
                                               VitaProbe *const *probes, int n_probes,
                                               const int *truth, const char *name,
                                               GError **error);

/* Time-aligned heatmap (same geometry as the mel panel) with a layer axis and a
 * colorbar "probability". */
/* A − B of two probe-o-grams of the same shape on the diverging colormap, [-1, 1]
 * (layers without a probe on either side hatched). */
void vita_probeogram_paint_difference (cairo_t *cr, const VitaRect *area,
                                       const VitaPaintContext *ctx, const VitaProbeogram *a,
                                       const VitaProbeogram *b);
void vita_probeogram_paint (cairo_t *cr, const VitaRect *area, const VitaPaintContext *ctx,
                            const VitaProbeogram *pg);

G_END_DECLS
