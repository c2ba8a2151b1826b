/* vita-probe-set.h — the window's probes and annotations: VitaProbeSet holds what
 * was loaded (VitaAnnotations, model/probe/vita-annotations.h; probe files, small,
 * loaded on the main thread) and turns it into probe lanes for the probe panel once
 * an analysis with tokens exists.  No widget code here: the window shows the
 * messages as toasts. */
#pragma once

#include <gio/gio.h>
#include "model/probe/vita-annotations.h"
#include "model/probe/vita-annotation-set.h"
#include "model/probe/vita-probe.h"
#include "model/vita-analysis.h"
#include "model/vita-compare.h"
#include "views/vita-painters.h"

G_BEGIN_DECLS

typedef struct _VitaProbeSet VitaProbeSet;

VitaProbeSet *vita_probe_set_new  (void);
void          vita_probe_set_free (VitaProbeSet *set);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaProbeSet, vita_probe_set_free)
/* Merges ann into the set (later files replace earlier ones of the same kind). */
void          vita_probe_set_merge_annotations (VitaProbeSet *set, VitaAnnotations *ann);
void          vita_probe_set_clear_annotations (VitaProbeSet *set);
gboolean      vita_probe_set_has_annotations (VitaProbeSet *set);
/* The loaded onset annotations, or NULL; borrowed (the comparison table's onset F). */
const VitaEventList *vita_probe_set_get_onsets (VitaProbeSet *set);
/* The merged annotations (borrowed, until the next merge or clear), or NULL. */
const VitaAnnotations *vita_probe_set_get_annotations (VitaProbeSet *set);
/* Takes probe.  Dimension checks happen in vita_probe_set_update_lanes. */
void          vita_probe_set_add_probe (VitaProbeSet *set, VitaProbe *probe, const char *path);
int           vita_probe_set_get_n_probes (VitaProbeSet *set);
/* Removes frame-level probe i (lane i once lanes are updated); returns its path
 * (owned), NULL when there is none. */
char         *vita_probe_set_remove_probe (VitaProbeSet *set, int i);
/* Removes every probe, frame- and clip-level (the annotations stay). */
void          vita_probe_set_clear_probes (VitaProbeSet *set);
/* Frame-level probe i (the probe of lane i once lanes are updated), borrowed, or NULL. */
VitaProbe    *vita_probe_set_get_probe (VitaProbeSet *set, int i);
/* The file probe i was loaded from, or NULL. */
const char   *vita_probe_set_get_path (VitaProbeSet *set, int i);
/* The loaded key annotation (FALSE without one). */
gboolean      vita_probe_set_get_key (VitaProbeSet *set, int *key);
/* The prediction of the last clip-level key probe that fits the analysis: class
 * (vita_key_class_name) and its probability averaged over the analysis windows. */
gboolean      vita_probe_set_predict_key (VitaProbeSet *set, const VitaAnalysis *an,
                                          int *key, double *prob);
/* Rebuilds the lanes from an analysis (may be NULL: no lanes).  Probes that do not
 * fit the model are dropped, with a message in messages. */
void          vita_probe_set_update_lanes (VitaProbeSet *set, const VitaAnalysis *an,
                                           GPtrArray *messages);
/* As update_lanes, scored against ann (may be NULL: no truth) instead of the set's own
 * annotations: side B's probes against the track's annotations. */
void          vita_probe_set_update_lanes_with_truth (VitaProbeSet *set, const VitaAnalysis *an,
                                                      const VitaAnnotations *ann,
                                                      GPtrArray *messages);
VitaProbeLane *const *vita_probe_set_get_lanes (VitaProbeSet *set, int *n_lanes);
/* Claim 3 in the comparison table: per task a measure "probe_TASK", one row per token
 * layer that either side probed (head -1), A's and B's lane scores (NaN where a side has
 * no probe of that layer or no annotation); a or b may be NULL (that side all NaN).
 * Lanes must be updated.  Adds a line to the table's note. */
void          vita_probe_set_add_table_rows (VitaProbeSet *a, VitaProbeSet *b,
                                             VitaCompareTable *table);
/* The probe-o-gram of task (NULL: the first lane's): every frame-level probe of that
 * task in the row of its layer, the first such lane's truth for softmax probes; NULL
 * without lanes, or with a message added to messages (may be NULL) when it fails.
 * Lanes must be updated. */
struct _VitaProbeogram *vita_probe_set_make_probeogram (VitaProbeSet *set, const char *task,
                                                        const VitaAnalysis *an,
                                                        GPtrArray *messages);
/* Score of lane i (chord majmin overlap or event F at ±70 ms), NAN without truth. */
double        vita_probe_set_get_score (VitaProbeSet *set, int i);

G_END_DECLS
