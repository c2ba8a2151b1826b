/* vita-series.h — a checkpoint series: the thinned training history a run keeps
 * (RUN/series/step-NNNNNNNN.safetensors, `vitascope-cli export-model --series`), or any
 * folder of model files whose metadata has `trained_steps`.
 *
 * vita_series_open reads every file's header and metadata (not its weights), sorts the
 * checkpoints by step and refuses, naming the files: a folder without model files, a
 * file that is not a ViT-1D model or has no (or a bad) `trained_steps`, two files at
 * the same step, and files whose architecture (frames, dim, depth, heads, mlp_dim,
 * proj_dim) or front-end (every VitaFrontend field, normalisation included) differs
 * from the first's.  The run's loss log (train-log.tsv: step, loss, accuracy, lr,
 * grad_norm; written by model/train) is read when present beside the files or in the
 * run folder; a malformed line is refused naming the line.
 */
#pragma once

#include "vita-vit.h"

G_BEGIN_DECLS

typedef struct {
  gint64 step;            /* trained_steps */
  char  *path;            /* the model file */
} VitaSeriesEntry;

typedef struct {
  char            *dir;       /* the folder holding the model files */
  char            *log_path;  /* train-log.tsv read, or NULL */
  VitaVitConfig    cfg;       /* shared by every checkpoint */
  int              n;         /* checkpoints, sorted by step (ascending) */
  VitaSeriesEntry *entries;
  int              n_log;     /* lines of the loss log */
  gint64          *log_step;  /* (n_log) ascending */
  float           *log_loss;  /* (n_log) NT-Xent loss of that step */
} VitaSeries;

/* path: a run folder (with series/), a series folder, or a folder of model files. */
VitaSeries *vita_series_open (const char *path, GError **error);
void        vita_series_free (VitaSeries *series);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaSeries, vita_series_free)

/* Loads checkpoint i (0 .. n-1) and checks it still has the series' configuration. */
VitaVit    *vita_series_load (const VitaSeries *series, int i, GError **error);
/* The logged loss of a step; NaN when the log has no line for it (step 0: none). */
double      vita_series_loss_at (const VitaSeries *series, gint64 step);
/* The loss log alone (tests; vita_series_open uses it). */
gboolean    vita_series_read_log (VitaSeries *series, const char *path, GError **error);

G_END_DECLS
