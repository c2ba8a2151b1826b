/* vita-probe.h — linear probes on a frozen backbone (vit1d-format.md, "Probes").
 *
 * One linear layer D → C, softmax (chords: 25 classes, key: 24) or sigmoid (onsets,
 * beats, tags: independent classes), trained with mini-batch Adam under a fixed seed.
 * Features are standardised (per-dimension mean/std of the training set) during
 * training and the standardisation is folded into weight and bias afterwards, so a
 * saved probe is exactly `activation(W x + b)` on the raw tokens.
 *
 * Frame-level probes read every sequence token (pool "token"); clip-level probes read
 * one vector per window: the class token ("cls"), the mean of the sequence tokens
 * ("mean"), or the mean of both ("cls+mean").  vita_probe_pool() builds those.
 *
 * Probe files: safetensors with probe.weight [C, D], probe.bias [C] and metadata
 * format=vit1d-probe, task, kind (frame|clip), layer, pool, labels (JSON array),
 * activation (softmax|sigmoid), model_sha256 and evaluation figures (figure.* keys).
 */
#pragma once

#include "model/vita-model.h"
#include "model/vita-analysis.h"

G_BEGIN_DECLS

typedef enum {
  VITA_PROBE_SOFTMAX,
  VITA_PROBE_SIGMOID,
} VitaProbeActivation;

typedef enum {
  VITA_POOL_TOKEN,     /* every sequence token (frame-level) */
  VITA_POOL_CLS,
  VITA_POOL_MEAN,
  VITA_POOL_CLS_MEAN,  /* (cls + mean) / 2 */
} VitaPool;

typedef struct {
  int    dim;                 /* D */
  int    n_classes;           /* C */
  VitaProbeActivation activation;
  float *weight;              /* (C, D) */
  float *bias;                /* (C) */

  char  *task;                /* chord, onset, beat, key, tags, ... */
  gboolean frame_level;       /* kind: frame (TRUE) or clip */
  int    layer;               /* token layer: 0 = embeddings, l = after block l */
  VitaPool pool;
  GPtrArray *labels;          /* char *, C names */
  char   model_sha256[65];    /* "" when unknown */
  GHashTable *figures;        /* string → string: evaluation figures */
} VitaProbe;

typedef struct {
  int    epochs;              /* default 20 */
  int    batch;               /* default 256 */
  float  lr;                  /* Adam, default 3e-3 */
  float  weight_decay;        /* decoupled (AdamW-style), default 1e-4 */
  guint32 seed;               /* shuffling and init, default 1 */
  float  max_pos_weight;      /* sigmoid: positives weighted by min(neg/pos, this); 1 = off */
} VitaProbeTrainOptions;

void        vita_probe_train_options_init (VitaProbeTrainOptions *opt);

VitaProbe  *vita_probe_new  (int dim, int n_classes, VitaProbeActivation activation);
void        vita_probe_free (VitaProbe *probe);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaProbe, vita_probe_free)

const char *vita_pool_name (VitaPool pool);
gboolean    vita_pool_from_name (const char *name, VitaPool *pool);

/* x: (n, D).  Softmax: labels (n) class indices, < 0 = ignored sample.  Sigmoid:
 * targets (n, C) in [0, 1].  Returns FALSE (VITA_MODEL_ERROR_NONFINITE) if the loss
 * diverges or the input holds NaN/Inf, and when no sample is usable
 * (VITA_MODEL_ERROR_MISMATCH).  final_loss (optional): mean loss of the last epoch. */
gboolean vita_probe_train (VitaProbe *probe, const float *x, gsize n,
                           const int *labels, const float *targets,
                           const VitaProbeTrainOptions *opt, float *final_loss,
                           GError **error);

/* out: (n, C) probabilities. */
void     vita_probe_predict (const VitaProbe *probe, const float *x, gsize n, float *out);
/* out: (n_frames, C) probabilities of an analysis's tokens of `layer`, read a part at a
 * time (vita_analysis_read_tokens: a long track's tokens stay in their cache file, not
 * in the resident set).  The analysis must keep tokens. */
void     vita_probe_predict_analysis (const VitaProbe *probe, const VitaAnalysis *an, int layer,
                                      float *out);
/* argmax of each row of (n, C) */
void     vita_probe_argmax  (const float *prob, gsize n, int n_classes, int *out);

/* Clip vectors from one window's tokens (N = T + 1 rows of D, row 0 = class token). */
void     vita_probe_pool (VitaPool pool, const float *tokens, int n_tokens, int dim, float *out);

/* Naive reference of predict (tests). */
void     vita_probe_predict_ref (const VitaProbe *probe, const float *x, gsize n, float *out);

/* vita-probe-io.c: probe files (safetensors). Errors name the file and the key. */
gboolean   vita_probe_save (const VitaProbe *probe, const char *path, GError **error);
VitaProbe *vita_probe_load (const char *path, GError **error);

G_END_DECLS
