/* vita-train.h — contrastive training of the ViT-1D (shared/design/vit1d-format.md,
 * "Contrastive training"), in the llm.c manner: one contiguous buffer each for the
 * parameters (VitaVit.memory), their gradients, the AdamW moments m and v, and the
 * activation gradients; backward kernels accumulate with +=; cblas_sgemm for every
 * matrix product.
 *
 * Sizes as in vita-vit.h; here B = 2 × pairs: rows 0..pairs-1 are views a,
 * rows pairs..2·pairs-1 are views b, and row i's positive is row (i + pairs) mod B.
 */
#pragma once

#include "vita-vit.h"

G_BEGIN_DECLS

/* ------------------------------------------------------------------------------ */
/* NT-Xent (SimCLR, Chen et al. 2020): z → L2-normalised zn; s = zn zn^T / τ with the
 * diagonal excluded; loss = mean over the B rows of the cross-entropy of each row
 * against its positive among the other B−1.  Normalisation as torch.nn.functional.
 * normalize (divides by max(||z||, 1e-12)). */

typedef struct {
  int    B;        /* rows (2 × pairs), capacity */
  int    P;        /* projection size */
  float *zn;       /* (B, P)  normalised projections */
  float *norm;     /* (B)     max(||z||, 1e-12) */
  float *prob;     /* (B, B)  softmax over each row (diagonal 0) */
  float *scratch;  /* (B, B)  dlogits */
  float *dzn;      /* (B, P) */
} VitaNtxent;

VitaNtxent *vita_ntxent_new  (int B, int P);
void        vita_ntxent_free (VitaNtxent *nt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaNtxent, vita_ntxent_free)

/* z: (B, P), B even, B <= nt->B.  Returns the mean loss; *accuracy (may be NULL) is
 * the fraction of rows whose most similar other row is their positive. */
float vita_ntxent_forward  (VitaNtxent *nt, const float *z, int B, float tau, float *accuracy);
/* dz (B, P) += dloss/dz for the last forward (loss scaled by dloss, usually 1). */
void  vita_ntxent_backward (VitaNtxent *nt, float *dz, int B, float tau, float dloss);
/* Naive double-precision reference (tests, finite differences). */
double vita_ntxent_loss_ref (const float *z, int B, int P, float tau, double *accuracy);

/* ------------------------------------------------------------------------------ */
/* AdamW (Loshchilov & Hutter 2019) exactly as torch.optim.AdamW (PyTorch 1.13,
 * foreach=False): p ← p − lr·wd·p; m ← β1 m + (1−β1) g; v ← β2 v + (1−β2) g²;
 * p ← p − (lr / (1−β1^t)) · m / (sqrt(v) / sqrt(1−β2^t) + eps). */

typedef struct {
  float  lr;            /* peak learning rate after warm-up */
  float  lr_min;        /* end of the cosine */
  gint64 warmup_steps;  /* linear warm-up from lr/warmup to lr */
  gint64 total_steps;   /* end of the cosine schedules */
  float  wd_start;      /* cosine weight decay 0.04 → 0.01 (DINO's cosine_scheduler) */
  float  wd_end;
  float  beta1;         /* 0.9 */
  float  beta2;         /* 0.98 */
  float  eps;           /* 1e-8 (torch default) */
  float  clip_norm;     /* global gradient-norm clip; 0 = off */
} VitaSchedule;

void  vita_schedule_init_default (VitaSchedule *s, gint64 total_steps);
/* Learning rate and weight decay used by step `step` (0-based). */
float vita_schedule_lr (const VitaSchedule *s, gint64 step);
float vita_schedule_wd (const VitaSchedule *s, gint64 step);

/* One tensor: t is the 1-based step count (bias correction). */
void vita_adamw_update (float *param, const float *grad, float *m, float *v, gsize n,
                        float lr, float beta1, float beta2, float eps, float wd, gint64 t);
/* The whole model: tensors with vita_vit_param_no_decay() get wd = 0.  grads, m, v
 * are laid out as vit->memory.  Returns the global gradient norm (before clipping;
 * clipping scales the gradient by clip_norm/norm when norm > clip_norm > 0). */
float vita_adamw_step_vit (VitaVit *vit, float *grads, float *m, float *v,
                           const VitaSchedule *s, gint64 step);

/* ------------------------------------------------------------------------------ */
/* Backward pass.  Gradients of the parameters in one buffer laid out as
 * vit->memory; activation gradients in one more buffer, reused layer by layer. */

typedef struct {
  VitaVitConfig cfg;
  int           B;           /* capacity in windows */
  VitaVitParams grads;       /* pointers into memory */
  float        *memory;      /* (num_params) parameter gradients, owned */
  gsize         num_params;
  /* activation gradients (one layer at a time; llm.c reuses them the same way) */
  float *act_memory;         /* owned */
  float *dres;       /* (B, N, D)   gradient of the residual stream */
  float *dln;        /* (B, N, D)   gradient of a LayerNorm output */
  float *datty;      /* (B, N, D) */
  float *dqkv;       /* (B, N, 3D) */
  float *dfch;       /* (B, N, H4)  gradient of the GELU output, then of its input */
  float *datt;       /* (NH, N, N)  per (b, h), reused */
  float *dpatch;     /* (B, T, D) */
  float *dhead;      /* (B, D)      head hidden */
  float *dz;         /* (B, P)      gradient of the projection (NT-Xent writes it) */
} VitaVitGrads;

VitaVitGrads *vita_vit_grads_new  (const VitaVitConfig *cfg, int B);
void          vita_vit_grads_free (VitaVitGrads *g);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaVitGrads, vita_vit_grads_free)
/* Zeroes the parameter gradients (one memset) and dz. */
void          vita_vit_grads_zero (VitaVitGrads *g);

/* After vita_vit_forward (state->training == TRUE) on input (B, T, M) and with
 * g->dz holding dloss/dz: accumulates every parameter gradient into g->grads. */
void vita_vit_backward (const VitaVit *vit, VitaVitState *state, VitaVitGrads *g,
                        const float *input, int B);

/* Single kernels (llm.c names; outputs first, += into gradients). */
void vita_layernorm_backward (float *dinp, float *dweight, float *dbias,
                              const float *dout, const float *inp, const float *weight,
                              const float *mean, const float *rstd, int rows, int C);
void vita_gelu_backward      (float *dinp, const float *inp, const float *dout, gsize n);

G_END_DECLS
