/* vita-report.h — the paper's measurements on a labelled folder, for a model and its
 * random-init twin (same architecture, vita_vit_new_random with a fixed seed).
 *
 * Data: DATA_DIR holds STEM.wav with its annotations beside it, found by name and
 * content (vita-annotation-set.h: STEM.lab, STEM.beats[.txt], STEM.onsets[.txt],
 * STEM.key[.txt], STEM.tags.csv — what `vitascope-cli make-dataset` writes — or Sonic
 * Visualiser CSV layers and STEM.jams).  The markdown lists per piece what was found in
 * which file; a task no piece has annotations for is one line ("No annotations for
 * task onsets: ...") and its columns are left out (table (b) entirely for onsets).  Pieces are split by piece (sorted by name;
 * every 4th piece is held out for testing): probes are trained on the others, and the
 * attention head of claim (b) is chosen on the training pieces and scored on the
 * held-out ones.
 *
 * Tables (one per claim, layer by layer, trained | random side by side):
 *  (a) chord majmin overlap, beat F and onset F of frame-level probes on sequence
 *      tokens vs on the class token broadcast to the frames of its window, and a
 *      linear probe on the log-mel input alone;
 *  (b) onset F-measure (±50 ms, mir_eval's default) of the peak-picked attention each
 *      frame receives, per layer: mean over heads, worst and best head on the test
 *      pieces, and the head chosen on the training pieces; beside spectral flux;
 *  (c) Pearson correlation of each layer's SSM with chroma, MFCC and rhythm SSMs
 *      (upper triangles, averaged over pieces);
 *  (d) key weighted score and tag mAP / ROC-AUC of clip-level probes on the class
 *      token, the mean of the sequence tokens, and their mean.
 */
#pragma once

#include "model/vita-vit.h"
#include "dsp/vita-mel.h"
#include "vita-annotations.h"
#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  int      test_every;       /* every n-th piece is held out (default 4) */
  int      max_pieces;       /* 0 = all */
  int      epochs_frame;     /* frame-level probe epochs (default 8) */
  int      epochs_clip;      /* clip-level probe epochs (default 60) */
  guint64  random_seed;      /* seed of the random-init twin (default 1) */
  double   event_window;     /* beat tolerance (default 0.07 s) */
  double   onset_window;     /* onset tolerance (default 0.05 s, mir_eval) */
  gboolean with_random;      /* default TRUE */
  gboolean verbose;          /* progress on stderr */
  const char *probe_dir;     /* when set: the trained model's probes are saved there as
                                probe files (chord/beat/onset per layer, key per layer) */
} VitaReportOptions;

void vita_report_options_init (VitaReportOptions *opt);

typedef struct _VitaReport VitaReport;

/* Runs everything; markdown (and CSV) text of the tables are returned by the getters. */
VitaReport *vita_report_run (VitaVit *model, const char *data_dir, const VitaReportOptions *opt,
                             GCancellable *cancellable, GError **error);
void        vita_report_free (VitaReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaReport, vita_report_free)

/* ---- per-track measures: one home, used by the report and the comparison table
 * (vita-compare-table.h) ---- */

/* Reference features of a track: chroma (12), MFCC (20, zero-padded when the model has
 * fewer mel bands) and rhythm (local onset autocorrelation, lags 1..32 frames). */
#define VITA_REPORT_N_REF 3
const char *vita_report_reference_name (int k);   /* "chroma", "MFCC", "rhythm" */
int         vita_report_reference_dim  (int k);
/* For PCM at the front-end's rate (n_frames = vita_frontend_n_frames): flux (n_frames)
 * spectral flux, ref[k] (n_frames, vita_report_reference_dim (k)), caller-allocated;
 * chroma_fb from vita_chroma_filterbank_new (rate, n_fft, 12). */
void   vita_report_reference_features (VitaMel *mel, const float *chroma_fb, const float *pcm,
                                       gsize n_samples, float *flux,
                                       float *ref[VITA_REPORT_N_REF]);
/* Pearson correlation of the upper triangles of a layer's SSM (S, S, block means of
 * pool frames, vita-analysis.h) and the same pooled cosine SSM of ref (n_frames, dim);
 * NaN when either is constant. */
double vita_report_ssm_correlation (const float *ssm, int S, int pool, const float *ref,
                                    int n_frames, int dim);
/* Onset F (mir_eval, window seconds) of a novelty curve's peaks: the curve min-max
 * scaled to [0, 1], vita_peak_pick with threshold delta; NaN without onsets. */
double vita_report_curve_onset_f (const float *curve, int n_frames, double delta,
                                  double hop_seconds, const VitaEventList *onsets,
                                  double window);
/* The peak thresholds the report chooses from (on training pieces). */
const double *vita_report_peak_deltas (int *n);

const char *vita_report_markdown (const VitaReport *report);
/* name → CSV text (table_a.csv, table_b.csv, ...), borrowed. */
GHashTable *vita_report_csv (const VitaReport *report);

G_END_DECLS
