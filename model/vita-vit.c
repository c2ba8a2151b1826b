/* vita-vit.c — ViT-1D activation state and forward pass (vit1d-format.md), in the
 * manner of llm.c's gpt2_forward: one activation buffer with pointers into it,
 * kernels from vita-vit-kernels.c, cblas_sgemm for every matrix product, no
 * allocation inside the forward pass. */
#include "vita-vit.h"
#include "vita-vit-kernels.h"

#include <stdlib.h>
#include <string.h>

/* Activation tensors in the order of VitaVitActs. */
enum {
  A_PATCH, A_ENCODED, A_LN1, A_LN1_MEAN, A_LN1_RSTD, A_QKV, A_ATT, A_ATTY, A_RES_ATT,
  A_LN2, A_LN2_MEAN, A_LN2_RSTD, A_FCH, A_FCH_GELU, A_RES_MLP, A_LNF, A_LNF_MEAN,
  A_LNF_RSTD, A_HEAD_H, A_HEAD_RELU, A_Z, N_ACTS
};

/* Per-layer tensors that analysis (training = FALSE) does not keep: one layer's worth
 * is allocated and every block overwrites it. */
static gboolean
act_is_scratch_layer (int i)
{
  switch (i)
    {
    case A_LN1: case A_LN1_MEAN: case A_LN1_RSTD: case A_QKV: case A_ATTY: case A_RES_ATT:
    case A_LN2: case A_LN2_MEAN: case A_LN2_RSTD: case A_FCH: case A_FCH_GELU:
      return TRUE;
    default:
      return FALSE;
    }
}

/* Elements of one layer's slice of each per-layer tensor (0 for the others). */
static void
act_layer_sizes (const VitaVitConfig *c, int B, gsize per_layer[N_ACTS])
{
  gsize N = c->frames + 1, D = c->dim, NH = c->heads, H4 = c->mlp_dim;
  memset (per_layer, 0, N_ACTS * sizeof (gsize));
  per_layer[A_LN1] = per_layer[A_ATTY] = per_layer[A_RES_ATT] = per_layer[A_LN2] =
    per_layer[A_RES_MLP] = (gsize) B * N * D;
  per_layer[A_LN1_MEAN] = per_layer[A_LN1_RSTD] = per_layer[A_LN2_MEAN] =
    per_layer[A_LN2_RSTD] = (gsize) B * N;
  per_layer[A_QKV] = (gsize) B * N * 3 * D;
  per_layer[A_ATT] = (gsize) B * NH * N * N;
  per_layer[A_FCH] = per_layer[A_FCH_GELU] = (gsize) B * N * H4;
}

/* Element counts of every activation tensor, computed in 64 bits with overflow
 * checks (the sizes come from a file: issue 15.2).  FALSE when a count overflows. */
static gboolean
act_sizes (const VitaVitConfig *c, int B, gboolean training, guint64 sizes[N_ACTS],
           guint64 *total)
{
  guint64 T = c->frames, N = T + 1, D = c->dim, L = c->depth, P = c->proj_dim;
  guint64 NH = c->heads, H4 = c->mlp_dim, b = (guint64) B;
  guint64 bn, bnd, v;
  memset (sizes, 0, N_ACTS * sizeof (guint64));
  if (!g_uint64_checked_mul (&bn, b, N) || !g_uint64_checked_mul (&bnd, bn, D))
    return FALSE;
  guint64 per_layer[N_ACTS] = { 0 };
  per_layer[A_LN1] = per_layer[A_ATTY] = per_layer[A_RES_ATT] = per_layer[A_LN2] =
    per_layer[A_RES_MLP] = bnd;
  per_layer[A_LN1_MEAN] = per_layer[A_LN1_RSTD] = per_layer[A_LN2_MEAN] =
    per_layer[A_LN2_RSTD] = bn;
  if (!g_uint64_checked_mul (&per_layer[A_QKV], bnd, 3) ||
      !g_uint64_checked_mul (&v, b * NH, N) || !g_uint64_checked_mul (&per_layer[A_ATT], v, N) ||
      !g_uint64_checked_mul (&per_layer[A_FCH], bn, H4))
    return FALSE;
  per_layer[A_FCH_GELU] = per_layer[A_FCH];
  for (int i = 0; i < N_ACTS; i++)
    if (per_layer[i] &&
        !g_uint64_checked_mul (&sizes[i], per_layer[i],
                               (training || !act_is_scratch_layer (i)) ? L : 1))
      return FALSE;
  if (!g_uint64_checked_mul (&v, b * T, D))
    return FALSE;
  sizes[A_PATCH] = v;
  sizes[A_ENCODED] = sizes[A_LNF] = bnd;
  sizes[A_LNF_MEAN] = sizes[A_LNF_RSTD] = bn;
  sizes[A_HEAD_H] = sizes[A_HEAD_RELU] = P > 0 ? b * D : 0;
  sizes[A_Z] = b * P;
  /* each tensor starts on a 64-byte boundary (16 floats) for the BLAS kernels */
  guint64 t = 0;
  for (int i = 0; i < N_ACTS; i++)
    {
      guint64 padded = (sizes[i] + 15) & ~(guint64) 15;
      if (padded < sizes[i] || !g_uint64_checked_add (&t, t, padded))
        return FALSE;
    }
  *total = t;
  return TRUE;
}

gboolean
vita_vit_state_bytes (const VitaVitConfig *cfg, int B, gboolean training, guint64 *bytes)
{
  guint64 sizes[N_ACTS], total;
  if (B < 1 || !act_sizes (cfg, B, training, sizes, &total) ||
      !g_uint64_checked_mul (bytes, total, sizeof (float)))
    {
      *bytes = G_MAXUINT64;
      return FALSE;
    }
  return TRUE;
}

VitaVitState *
vita_vit_state_new (const VitaVitConfig *cfg, int B, gboolean training)
{
  g_return_val_if_fail (cfg != NULL && B > 0, NULL);
  guint64 sizes[N_ACTS], total64;
  if (!act_sizes (cfg, B, training, sizes, &total64) ||
      total64 > G_MAXSIZE / sizeof (float))
    return NULL;
  gsize total = (gsize) total64;
  /* an allocator that returns NULL rather than aborting: the sizes come from a
   * model file (issue 15.2) */
  void *memory = NULL;
  if (posix_memalign (&memory, 64, MAX (total, 1) * sizeof (float)) != 0)
    return NULL;
  memset (memory, 0, total * sizeof (float));

  VitaVitState *state = g_new0 (VitaVitState, 1);
  state->cfg = *cfg;
  state->B = B;
  state->training = training;
  state->num_activations = total;
  state->memory = memory;
  float **ptrs[N_ACTS] = {
    &state->acts.patch, &state->acts.encoded, &state->acts.ln1, &state->acts.ln1_mean,
    &state->acts.ln1_rstd, &state->acts.qkv, &state->acts.att, &state->acts.atty,
    &state->acts.res_att, &state->acts.ln2, &state->acts.ln2_mean, &state->acts.ln2_rstd,
    &state->acts.fch, &state->acts.fch_gelu, &state->acts.res_mlp, &state->acts.lnf,
    &state->acts.lnf_mean, &state->acts.lnf_rstd, &state->acts.head_h,
    &state->acts.head_relu, &state->acts.z,
  };
  float *p = state->memory;
  for (int i = 0; i < N_ACTS; i++)
    {
      *ptrs[i] = sizes[i] ? p : NULL;
      p += (gsize) ((sizes[i] + 15) & ~(guint64) 15);
    }
  state->scratch = NULL;  /* the kernels need none */
  return state;
}

void
vita_vit_state_free (VitaVitState *state)
{
  if (state == NULL)
    return;
  free (state->memory);   /* posix_memalign */
  g_free (state);
}

/* Layer l's slice of a per-layer tensor: the l-th block when it is kept for every
 * layer, the single shared slice otherwise. */
static inline float *
layer_slice (const VitaVitState *s, float *base, int l, gsize per_layer, int which)
{
  if (s->training || !act_is_scratch_layer (which))
    return base + (gsize) l * per_layer;
  return base;
}

const float *
vita_vit_state_tokens (const VitaVitState *state, int layer)
{
  g_return_val_if_fail (state != NULL, NULL);
  g_return_val_if_fail (layer >= 0 && layer <= state->cfg.depth, NULL);
  if (layer == 0)
    return state->acts.encoded;
  gsize BND = (gsize) state->B * (state->cfg.frames + 1) * state->cfg.dim;
  return state->acts.res_mlp + (gsize) (layer - 1) * BND;
}

const float *
vita_vit_state_attention (const VitaVitState *state, int block)
{
  g_return_val_if_fail (state != NULL, NULL);
  g_return_val_if_fail (block >= 0 && block < state->cfg.depth, NULL);
  gsize N = state->cfg.frames + 1;
  return state->acts.att + (gsize) block * state->B * state->cfg.heads * N * N;
}

typedef struct {
  void (*matmul) (float *out, const float *inp, int in_stride, const float *weight,
                  const float *bias, int rows, int C, int OC);
  void (*layernorm) (float *out, float *mean, float *rstd, const float *inp,
                     const float *weight, const float *bias, int BT, int C, float eps);
  void (*encoder) (float *encoded, const float *patch, const float *cls_token,
                   const float *pos_embed, int B, int T, int C);
  void (*attention) (float *out, float *att, const float *qkv, int B, int N, int C, int NH);
  void (*gelu) (float *out, const float *inp, gsize n);
  /* the projections into the residual stream: made without their bias, then bias and
   * residual in one pass (fast), or as the reference writes them */
  gboolean bias_with_residual;
} Kernels;

static const Kernels fast_kernels = {
  vita_matmul_forward_strided, vita_layernorm_forward, vita_encoder_forward,
  vita_attention_forward, vita_gelu_forward, TRUE,
};

static const Kernels ref_kernels = {
  vita_matmul_forward_ref, vita_layernorm_forward_ref, vita_encoder_forward_ref,
  vita_attention_forward_ref, vita_gelu_forward_ref, FALSE,
};

/* out (rows, OC) = inp · weightᵀ + bias + residual */
static void
matmul_residual (const Kernels *k, float *out, const float *inp, int in_stride,
                 const float *weight, const float *bias, const float *residual, int rows,
                 int C, int OC)
{
  if (k->bias_with_residual)
    {
      k->matmul (out, inp, in_stride, weight, NULL, rows, C, OC);
      vita_bias_residual_forward (out, bias, residual, rows, OC);
    }
  else
    {
      k->matmul (out, inp, in_stride, weight, bias, rows, C, OC);
      vita_residual_forward (out, out, residual, (gsize) rows * OC);
    }
}

static void
forward (const Kernels *k, const VitaVit *vit, VitaVitState *state, const float *input, int B)
{
  g_return_if_fail (vit != NULL && state != NULL && input != NULL);
  g_return_if_fail (B >= 1 && B <= state->B);
  const VitaVitConfig *c = &vit->cfg;
  g_return_if_fail (c->dim == state->cfg.dim && c->depth == state->cfg.depth
                    && c->heads == state->cfg.heads && c->mlp_dim == state->cfg.mlp_dim
                    && c->frames == state->cfg.frames && c->fe.n_mels == state->cfg.fe.n_mels
                    && c->proj_dim == state->cfg.proj_dim);

  const VitaVitParams *p = &vit->params;
  VitaVitActs *a = &state->acts;
  int M = c->fe.n_mels, T = c->frames, N = T + 1, D = c->dim, L = c->depth;
  int NH = c->heads, H4 = c->mlp_dim, P = c->proj_dim;
  int BN = B * N;
  float eps = c->norm_eps;
  gsize per_layer[N_ACTS];
  /* slices are laid out for the state's capacity, of which the first B are used */
  act_layer_sizes (c, state->B, per_layer);

  /* patch embedding: every frame (M bands) → one token */
  k->matmul (a->patch, input, M, p->patch_w, p->patch_b, B * T, M, D);
  k->encoder (a->encoded, a->patch, p->cls_token, p->pos_embed, B, T, D);

  const float *residual = a->encoded;
  for (int l = 0; l < L; l++)
    {
#define SLICE(field, which) layer_slice (state, a->field, l, per_layer[which], which)
      float *ln1 = SLICE (ln1, A_LN1), *ln1_mean = SLICE (ln1_mean, A_LN1_MEAN);
      float *ln1_rstd = SLICE (ln1_rstd, A_LN1_RSTD), *qkv = SLICE (qkv, A_QKV);
      float *att = SLICE (att, A_ATT), *atty = SLICE (atty, A_ATTY);
      float *res_att = SLICE (res_att, A_RES_ATT), *ln2 = SLICE (ln2, A_LN2);
      float *ln2_mean = SLICE (ln2_mean, A_LN2_MEAN), *ln2_rstd = SLICE (ln2_rstd, A_LN2_RSTD);
      float *fch = SLICE (fch, A_FCH), *fch_gelu = SLICE (fch_gelu, A_FCH_GELU);
      float *res_mlp = SLICE (res_mlp, A_RES_MLP);
#undef SLICE
      const float *ln1w = p->ln1w + (gsize) l * D, *ln1b = p->ln1b + (gsize) l * D;
      const float *qkvw = p->qkvw + (gsize) l * 3 * D * D, *qkvb = p->qkvb + (gsize) l * 3 * D;
      const float *projw = p->projw + (gsize) l * D * D, *projb = p->projb + (gsize) l * D;
      const float *ln2w = p->ln2w + (gsize) l * D, *ln2b = p->ln2b + (gsize) l * D;
      const float *fc1w = p->fc1w + (gsize) l * H4 * D, *fc1b = p->fc1b + (gsize) l * H4;
      const float *fc2w = p->fc2w + (gsize) l * D * H4, *fc2b = p->fc2b + (gsize) l * D;

      /* x += proj(attn(LN1(x))) */
      k->layernorm (ln1, ln1_mean, ln1_rstd, residual, ln1w, ln1b, BN, D, eps);
      k->matmul (qkv, ln1, D, qkvw, qkvb, BN, D, 3 * D);
      k->attention (atty, att, qkv, B, N, D, NH);
      matmul_residual (k, res_att, atty, D, projw, projb, residual, BN, D, D);
      /* x += fc2(GELU(fc1(LN2(x)))) */
      k->layernorm (ln2, ln2_mean, ln2_rstd, res_att, ln2w, ln2b, BN, D, eps);
      k->matmul (fch, ln2, D, fc1w, fc1b, BN, D, H4);
      k->gelu (fch_gelu, fch, (gsize) BN * H4);
      matmul_residual (k, res_mlp, fch_gelu, H4, fc2w, fc2b, res_att, BN, H4, D);
      residual = res_mlp;
    }

  k->layernorm (a->lnf, a->lnf_mean, a->lnf_rstd, residual, p->lnfw, p->lnfb, BN, D, eps);

  if (P > 0)
    {
      /* projection head on each window's final-norm class token (row 0 of N) */
      k->matmul (a->head_h, a->lnf, N * D, p->head_fc1w, p->head_fc1b, B, D, D);
      vita_relu_forward (a->head_relu, a->head_h, (gsize) B * D);
      k->matmul (a->z, a->head_relu, D, p->head_fc2w, p->head_fc2b, B, D, P);
    }
}

void
vita_vit_forward (const VitaVit *vit, VitaVitState *state, const float *input, int B)
{
  forward (&fast_kernels, vit, state, input, B);
}

void
vita_vit_forward_ref (const VitaVit *vit, VitaVitState *state, const float *input, int B)
{
  forward (&ref_kernels, vit, state, input, B);
}
