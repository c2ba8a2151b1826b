/* vita-compare.h — two models on one track: model A beside model B (a checkpoint, another
 * model, or A's random-init twin, vita_vit_new_twin), analysed together, with the
 * differences A − B.
 *
 * Front-end.  Both models must read the same mel frames: sample rate, n_fft, window
 * length, hop, centring, power, mel bands, f_min, f_max and the log offset must agree
 * (vita_compare_check_frontends); the normalisation (input_mean, input_std) may
 * differ, each side then normalises the one log-mel of the decoded audio its own way.
 * The frame axis is thus shared: frame f of A is frame f of B.
 *
 * Runs.  vita_compare_run() runs both analyses at once, each on half of the workers,
 * nearest the same priority frame first (each with vita-analysis.c's own scheduling),
 * so both sides fill together; OpenBLAS is single-threaded meanwhile (one policy:
 * vita_blas_single_begin).  Each side's results are bit-identical to the same
 * analysis run alone with the same batch size and a priority that does not change
 * during the run (the windows that share a forward pass are the same; see
 * vita-analysis.h) — so a model compared with itself gives exact zeros.  A failure of
 * either side, or the caller's cancellable, stops both; vita_compare_cancel_side stops
 * one; the windows finished stay valid on each side and a later run resumes.
 *
 * Differences (always A − B, computed by vita_compare_diff, the one definition):
 * received attention (L, NH, n_frames) and attention maps of a window (L, NH, N, N)
 * when depth, heads and window length agree (same_blocks); SSMs (n_layers, S, S) when
 * depth and the SSM size agree (same_layers).  The layers × heads grid of a window is
 * its attention maps, so the window difference covers it.
 *
 * The comparison table (VitaCompareTable) holds per-layer / per-head measures of both
 * sides (model/probe/vita-compare-table.h computes it) and writes CSV and .npy.
 */
#pragma once

#include "vita-analysis.h"

G_BEGIN_DECLS

/* FALSE with VITA_MODEL_ERROR_MISMATCH naming both models (name_a / name_b: what the
 * user knows them by, e.g. their files) and the first differing field. */
gboolean vita_compare_check_frontends (const VitaVit *a, const char *name_a,
                                       const VitaVit *b, const char *name_b, GError **error);

/* A − B, element by element (out may alias a or b). */
void vita_compare_diff (float *out, const float *a, const float *b, gsize n);

typedef struct _VitaCompare VitaCompare;

struct _VitaCompare {
  VitaAnalysis *a, *b;       /* refs held; the same track; a == b for one model twice */
  char         *label_a;     /* vita_vit_describe of each side */
  char         *label_b;
  int           n_frames;
  gboolean      same_blocks; /* depth, heads, frames agree: received / attention diffs */
  gboolean      same_layers; /* depth and SSM size agree: SSM diffs */
  float        *received_diff; /* (L, NH, n_frames) A − B, NULL unless same_blocks;
                                  valid once complete */
  float        *ssm_diff;    /* (n_layers, S, S) A − B, NULL unless same_layers; valid once
                                complete */
  gint          complete;    /* atomic */
  gint          ref_count;
  struct _VitaComparePrivate *priv;
};

/* Pairs two analyses of the same track (same n_frames; their models pass
 * vita_compare_check_frontends, with the models' paths or labels as names). */
VitaCompare *vita_compare_new   (VitaAnalysis *a, VitaAnalysis *b, GError **error);
/* TRUE when both models have the same configuration and the same weights, bit for bit. */
gboolean vita_compare_same_weights (const VitaVit *a, const VitaVit *b);
/* Both analyses from one log-mel: mel_a / mel_b are each model's normalised input
 * (the same array when the normalisations agree); opt as vita_analysis_new, with
 * opt->workers (0: one per core) split between the sides, at least one each.  Two
 * models with the same weights (vita_compare_same_weights) and the same input share ONE
 * analysis (a == b): half the work, and differences that are exactly zero even when the
 * priority frame moves during the run (which changes which windows share a forward pass,
 * and so the last bits, differently on two separate runs). */
VitaCompare *vita_compare_new_for_mel (VitaVit *a, const float *mel_a, VitaVit *b,
                                       const float *mel_b, int n_frames,
                                       const VitaAnalysisOptions *opt, GError **error);
VitaCompare *vita_compare_ref   (VitaCompare *cmp);
void         vita_compare_unref (VitaCompare *cmp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaCompare, vita_compare_unref)

/* Serialised (never two calls at once), from any worker thread of either side. */
typedef void (*VitaCompareProgress) (VitaCompare *cmp, int done_a, int n_windows_a,
                                     int done_b, int n_windows_b, gpointer user_data);

/* Runs both sides (see above) and, once both are complete, the differences.  sink_a /
 * sink_b receive each side's attention as vita_analysis_run's sink (may be NULL).
 * Errors say which side failed ("model B (twin.safetensors): ..."). */
gboolean vita_compare_run (VitaCompare *cmp, VitaCompareProgress progress, gpointer progress_data,
                           VitaAnalysisAttentionSink sink_a, gpointer sink_a_data,
                           VitaAnalysisAttentionSink sink_b, gpointer sink_b_data,
                           GCancellable *cancellable, GError **error);
gboolean vita_compare_is_complete (const VitaCompare *cmp);
/* Any thread: stops one side of a running comparison (0 = A, 1 = B; e.g. its model is
 * being swapped) while the other runs on to the end; vita_compare_run then fails with
 * G_IO_ERROR_CANCELLED (with one analysis shared by both sides, that one stops).
 * Nothing happens when no run is in progress. */
void     vita_compare_cancel_side (VitaCompare *cmp, int side);
/* Both sides, any thread. */
void     vita_compare_set_priority_frame (VitaCompare *cmp, int frame);
/* TRUE when frame's per-frame results are ready on both sides. */
gboolean vita_compare_frame_ready (const VitaCompare *cmp, int frame);
/* One window's attention difference A − B (L, NH, N, N) (same_blocks only), and, when
 * not NULL, each side's maps into out_a / out_b.  Thread-safe. */
gboolean vita_compare_window_attention (const VitaCompare *cmp, int window, float *diff,
                                        float *out_a, float *out_b, GError **error);
/* Largest |value| of an array (0 for none; NaN skipped): the half-range of a
 * difference map's symmetric colour scale, centred on zero. */
float    vita_compare_max_abs (const float *x, gsize n);

/* ---- the comparison table ------------------------------------------------------ */

typedef struct {
  char  *measure;   /* e.g. "ssm_r_chroma", "onset_f", "flux_r" (see the computing module) */
  int    layer;     /* token layer: 0 = embedding, l = after block l (attention of block l-1) */
  int    head;      /* head, or -1 for a per-layer measure (including summaries over heads) */
  double a, b;      /* each side's value, NaN where it is undefined (a layer or head the side
                       does not have) */
} VitaCompareRow;

typedef struct {
  GArray *rows;     /* VitaCompareRow, in the order they were added */
  char   *label_a;
  char   *label_b;
  char   *note;     /* how the measures were made (one line each) */
} VitaCompareTable;

VitaCompareTable *vita_compare_table_new  (const char *label_a, const char *label_b);
void              vita_compare_table_free (VitaCompareTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaCompareTable, vita_compare_table_free)
void   vita_compare_table_add (VitaCompareTable *table, const char *measure, int layer,
                               int head, double a, double b);
/* The value of a row, NaN when absent. */
const VitaCompareRow *vita_compare_table_find (const VitaCompareTable *table,
                                               const char *measure, int layer, int head);
/* A − B of a row (NaN when either side is). */
double vita_compare_row_diff (const VitaCompareRow *row);
/* CSV: measure,layer,head,A,B,A-B (head empty for per-layer rows, values empty for NaN,
 * %.6g, C locale). */
char  *vita_compare_table_to_csv (const VitaCompareTable *table);
gboolean vita_compare_table_save_csv (const VitaCompareTable *table, const char *path,
                                      GError **error);
/* .npy (n_rows, 3): A, B, A − B per row in the CSV's order; NaN where undefined. */
gboolean vita_compare_table_save_npy (const VitaCompareTable *table, const char *path,
                                      GError **error);

G_END_DECLS
