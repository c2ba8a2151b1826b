/* vita-probe-lanes.h — probe lanes filled from probe files, an analysis and loaded
 * annotations (for the probe-lane painter, vita-painters.h), with the score of the
 * whole track in the lane title: chord majmin overlap, beat/onset F-measure at the
 * app's tolerance (±70 ms by default).  No GTK. */
#pragma once

#include "vita-painters.h"
#include "model/probe/vita-annotations.h"
#include "model/probe/vita-probe.h"

G_BEGIN_DECLS

typedef struct {
  const VitaChordTrack *chords;   /* for softmax probes over the 25 chord classes */
  const VitaEventList  *events;   /* for sigmoid probes (beats / onsets) */
  double tolerance;               /* seconds, VITA_EVENT_TOLERANCE when 0 */
} VitaProbeTruth;

/* Applies a frame-level probe to the analysis' tokens of probe->layer.  truth may be
 * NULL.  Softmax probes give a label lane (argmax), sigmoid probes with one class a
 * binary curve.  *score (optional) is NAN without an annotation.  NULL + error when
 * the probe does not fit the model (dimension, layer) or is clip-level. */
VitaProbeLane *vita_probe_lane_from_probe (const VitaAnalysis *an, const VitaProbe *probe,
                                           const VitaProbeTruth *truth, double *score,
                                           GError **error);

/* Loaded annotations as the painters' layers (vita-painters.h), with copies of what
 * they point to; ann may be NULL (no layers).  `shown`: VitaAnnotationKind bits. */
VitaAnnotationLayers *vita_annotation_layers_new  (const VitaAnnotations *ann, guint shown);
void                  vita_annotation_layers_free (VitaAnnotationLayers *layers);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaAnnotationLayers, vita_annotation_layers_free)
/* The VitaAnnotationKind bit of a layer's name ("chords", "beats", "onsets", "key"),
 * 0 for another name; and the bits of a list of names (NULL: all). */
guint vita_annotation_kind_from_name  (const char *name);
guint vita_annotation_kind_from_names (const char *const *names);

G_END_DECLS
