/* vita-attribution.h — what in the mel input drives a quantity the model computes.
 *
 * Targets (scalars computed from one analysis window's forward pass):
 *   PROBE     a linear probe's class c (vita-probe.h) at one frame, or summed over a
 *             frame range: frame-level probes read token 1 + f − s of their layer in
 *             the window that owns f; clip-level probes read the window's pooled
 *             vector (vita_probe_pool), once per window owning a frame of the range.
 *             The logit (W x + b)_c, or with `probability` the activation's output.
 *   COSINE    cos(u, r) of the class token u of token layer `layer` in the window that
 *             owns `frame` and the class token r of the same layer in the window that
 *             owns `ref_frame` (r is a constant: "what makes these two moments the same").
 *   RECEIVED  the attention frame f receives in block `block`, head `head` (-1: the
 *             mean of the heads): the column sum over all N query rows of its window's
 *             softmax matrix, as vita-analysis.h defines received attention.
 *
 * Methods (every window the target reads, summed into one (n_frames, M) map: a mel
 * frame that two windows share gets both contributions, so the map is the attribution
 * of the sum of the per-window targets, i.e. of the whole target):
 *   GRAD_INPUT  x ⊙ ∂f/∂x (x = the normalised log-mel, so 0 is the training mean).
 *   IG          integrated gradients (Sundararajan et al. 2017) from the baseline b =
 *               the model's normalised silence (VitaAnalysis.pad_value everywhere):
 *               (x − b) ⊙ Σ_k w_k ∂f/∂x (b + α_k (x − b)) with the `steps`-point
 *               Gauss–Legendre rule on [0, 1] (α_k, w_k; Captum's default).
 *               Completeness: Σ map ≈ f(x) − f(b), reported.
 *   OCCLUSION   a patch of patch_frames × patch_bands cells (a grid from frame 0,
 *               band 0) set to the baseline; every cell of the patch gets f(x) −
 *               f(x with the patch occluded).  Patches outside every window the target
 *               reads are never evaluated and stay exactly 0.
 *
 * Gradients come from the C backward pass (vita_vit_backward_input).  A computation
 * owns its forward/backward state, reads the model and the analysis' mel only (both
 * read-only), so any number may run on worker threads at once; each checks its
 * GCancellable between batches.
 */
#pragma once

#include "model/vita-analysis.h"
#include "model/probe/vita-probe.h"
#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  VITA_ATTR_TARGET_PROBE,
  VITA_ATTR_TARGET_COSINE,
  VITA_ATTR_TARGET_RECEIVED,
} VitaAttrTargetKind;

typedef enum {
  VITA_ATTR_GRAD_INPUT,
  VITA_ATTR_INTEGRATED_GRADIENTS,
  VITA_ATTR_OCCLUSION,
} VitaAttrMethod;

typedef struct {
  VitaAttrTargetKind kind;
  int   frame;              /* the frame (track index) */
  int   frame_end;          /* PROBE: one past the last frame of a range; <= frame: one frame */
  const VitaProbe *probe;   /* PROBE (borrowed) */
  int   class_index;        /* PROBE */
  gboolean probability;     /* PROBE: the activation's output instead of the logit */
  int   layer;              /* COSINE: token layer 0..L */
  int   ref_frame;          /* COSINE: the other window is the one owning this frame */
  int   block;              /* RECEIVED: 0..L-1 */
  int   head;               /* RECEIVED: 0..NH-1, or -1 for the mean of the heads */
} VitaAttrTarget;

void vita_attr_target_init (VitaAttrTarget *t, VitaAttrTargetKind kind);

typedef struct {
  VitaAttrMethod method;
  int steps;                /* IG steps (default 64) */
  int batch;                /* inputs per forward/backward (default 8) */
  int patch_frames;         /* occlusion patch (default 8 frames × 8 bands) */
  int patch_bands;
} VitaAttrOptions;

void        vita_attr_options_init (VitaAttrOptions *opt);
const char *vita_attr_method_name (VitaAttrMethod method);   /* "grad-input", "ig", "occlusion" */
gboolean    vita_attr_method_from_name (const char *name, VitaAttrMethod *method);

typedef struct {
  int     n_frames;
  int     n_mels;
  float  *map;              /* (n_frames, M), owned */
  double  f_input;          /* the target at the input */
  double  f_baseline;       /* the target at the baseline (IG, occlusion) */
  double  sum;              /* Σ map */
  double  completeness;     /* IG: |Σ map − (f(x) − f(b))| / |f(x) − f(b)|; else NAN */
  int     n_windows;        /* windows the target reads */
  int     first_frame;      /* frames [first_frame, last_frame) are inside those windows */
  int     last_frame;
  double  seconds;
} VitaAttribution;

void vita_attribution_free (VitaAttribution *a);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaAttribution, vita_attribution_free)

typedef void (*VitaAttrProgress) (int done, int total, gpointer user_data);

/* Needs only vita_analysis_new (the mel and the windows), not a finished run.  Fails
 * (VITA_MODEL_ERROR_METADATA, naming the setting) on a target that does not fit the
 * model or the track (frame outside it, class or layer out of range, a probe of
 * another width) and with G_IO_ERROR_CANCELLED when cancelled. */
VitaAttribution *vita_attribution_compute (const VitaAnalysis *an, const VitaAttrTarget *target,
                                           const VitaAttrOptions *opt,
                                           VitaAttrProgress progress, gpointer progress_data,
                                           GCancellable *cancellable, GError **error);

/* The same on a worker thread (GTask): callback runs in the thread-default main context
 * of the caller.  Holds a ref on the analysis; the target is copied, but its probe is
 * borrowed and must outlive the task.  progress, when given, is called from the
 * worker thread. */
void             vita_attribution_compute_async  (VitaAnalysis *an, const VitaAttrTarget *target,
                                                  const VitaAttrOptions *opt,
                                                  GCancellable *cancellable,
                                                  GAsyncReadyCallback callback, gpointer user_data);
VitaAttribution *vita_attribution_compute_finish (GAsyncResult *result, GError **error);

/* A target from its text form (what `vitascope-cli attribute --target`, sidecars and
 * session files write; times in seconds, frame = round(t · sample_rate / hop)):
 *   class:C:maj@83.0   class:C:maj@80-85   prob:C:maj@83.0   (probe targets)
 *   cosine@83.0,120.5   cosine:6@83.0,120.5   received:2:0@83.0   received:2:mean@83.0
 * Errors (VITA_MODEL_ERROR_METADATA) begin with `what` and the spec, e.g. "--target
 * “x@1”: unknown target “x” …".  The probe is borrowed into t. */
gboolean vita_attr_target_parse (const char *spec, const char *what, const VitaVit *vit,
                                 const VitaProbe *probe, int n_frames, VitaAttrTarget *t,
                                 GError **error);

/* ------------------------------------------------------------------------------ */
/* One window's target (what vita_attribution_compute evaluates; tests use it). */

typedef struct {
  VitaAttrTargetKind kind;
  const VitaProbe *probe;
  int   class_index;
  gboolean probability;
  int   row_first, row_last;  /* PROBE, frame-level: token rows [row_first, row_last] summed */
  int   layer;                /* COSINE */
  const float *reference;     /* COSINE: (D) */
  int   block, head, key_row; /* RECEIVED */
} VitaAttrWindowTarget;

typedef struct _VitaAttrEngine VitaAttrEngine;

/* Forward/backward buffers for up to B inputs of one window each. */
VitaAttrEngine *vita_attr_engine_new  (VitaVit *vit, int B);
void            vita_attr_engine_free (VitaAttrEngine *e);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaAttrEngine, vita_attr_engine_free)
/* input (B, T, M) → values (B) of the target, and when dinput is not NULL its
 * gradient (B, T, M). */
void vita_attr_engine_eval (VitaAttrEngine *e, const VitaAttrWindowTarget *t,
                            const float *input, int B, double *values, float *dinput);
/* Token layer `layer` (0..L), class token row, of the last eval's input b: (D). */
const float *vita_attr_engine_cls (VitaAttrEngine *e, int layer, int b);

G_END_DECLS
