/* vita-emergence.h — what a model learns over training, on one track: for each
 * checkpoint of a series (model/vita-series.h), the comparison table's measures
 * (model/probe/vita-compare-table.h, the same function, on that checkpoint alone) per
 * layer, and the NT-Xent loss the run logged at that step.
 *
 * Measures (index m, values[(c * VITA_EMERGENCE_N_MEASURES + m) * n_layers + l] for
 * checkpoint c and token layer l, NaN where undefined):
 *   0  onset_f_mean (flux_r_mean without onsets)  mean over the heads of block l's
 *      received attention (layers 1..L; layer 0 NaN)
 *   1  onset_f_best (flux_r_best)                 the best head
 *   2  ssm_r_chroma, 3 ssm_r_MFCC, 4 ssm_r_rhythm  SSM correlation (layers 0..L)
 */
#pragma once

#include "model/vita-analysis.h"
#include "model/vita-compare.h"
#include "vita-annotations.h"

G_BEGIN_DECLS

#define VITA_EMERGENCE_N_MEASURES 5

typedef struct _VitaEmergence {
  int       n_checkpoints;
  int       n_layers;      /* token layers: depth + 1 */
  gboolean  onsets;        /* onset_f (TRUE) or flux_r measures */
  gint64   *step;          /* (n_checkpoints) */
  double   *loss;          /* (n_checkpoints) the run's log line for the step: the batch loss
                              of the update that made the checkpoint; NaN where the log has
                              none (step 0, or no log) */
  double   *values;        /* (n_checkpoints, N_MEASURES, n_layers) */
  char     *note;          /* the comparison table's note */
} VitaEmergence;

VitaEmergence *vita_emergence_new  (int n_checkpoints, int n_layers, gboolean onsets);
void           vita_emergence_free (VitaEmergence *em);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaEmergence, vita_emergence_free)

/* "onset_f_mean" / "flux_r_mean", …, "ssm_r_rhythm". */
const char *vita_emergence_measure_name (const VitaEmergence *em, int m);
/* First token layer where measure m is defined (1 for attention measures, else 0). */
int         vita_emergence_first_layer  (int m);
double      vita_emergence_get (const VitaEmergence *em, int c, int m, int layer);

/* The comparison table of one model on one track, as `vitascope-cli compare` makes it
 * (the model against itself: one analysis): pcm (n_samples) at the model's rate. */
VitaCompareTable *vita_emergence_checkpoint_table (VitaVit *vit, const float *pcm,
                                                   gsize n_samples, const VitaEventList *onsets,
                                                   const VitaAnalysisOptions *opt,
                                                   GError **error);
/* Fills checkpoint c from a table (its A side). */
void        vita_emergence_set (VitaEmergence *em, int c, gint64 step, double loss,
                                const VitaCompareTable *table);

/* One row per checkpoint: step, loss, then measure_L<layer> for every defined
 * (measure, layer), in measure order; empty for NaN; %.6g, C locale. */
char       *vita_emergence_to_csv (const VitaEmergence *em);
gboolean    vita_emergence_save_csv (const VitaEmergence *em, const char *path, GError **error);
/* (n_checkpoints, n_columns) float32, the CSV's columns (NaN kept). */
gboolean    vita_emergence_save_npy (const VitaEmergence *em, const char *path, GError **error);

G_END_DECLS
