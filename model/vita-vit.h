/* vita-vit.h — the ViT-1D (shared/design/vit1d-format.md), in the llm.c manner:
 * a config struct, parameter and activation structs of float pointers into one
 * contiguous buffer per role, _forward/_backward kernels, cblas_sgemm for every
 * matrix product.
 *
 * Sizes used in shape comments:
 *   M  = n_mels (fe.n_mels)         T = frames (patches per window)
 *   N  = T + 1 (tokens, 0 = class)  D = dim           L = depth
 *   NH = heads, hs = D / NH         H4 = mlp_dim      P = proj_dim
 *   B  = windows in a batch (analysis) or 2 × pairs (training: views a then b)
 *
 * Token layers: layer 0 = the embedded input (class token + positions added),
 * layer l (1..L) = the residual stream after block l (before the final norm).
 * Attention of block l (0..L-1) is the softmax matrix, row = query, column = key.
 */
#pragma once

#include "vita-model.h"
#include "vita-safetensors.h"
#include "dsp/vita-dsp.h"

G_BEGIN_DECLS

typedef struct {
  VitaFrontend fe;        /* front-end; fe.n_mels = M */
  int   frames;           /* T */
  int   dim;              /* D */
  int   depth;            /* L */
  int   heads;            /* NH */
  int   mlp_dim;          /* H4 */
  int   proj_dim;         /* P; 0 = the file has no projection head */
  float norm_eps;         /* 1e-6 */
  float temperature;      /* NT-Xent τ, 0.1 */
} VitaVitConfig;

/* The paper's "Tiny": D 192, L 12, NH 3, H4 768, T 126, P 128. */
void     vita_vit_config_init_tiny (VitaVitConfig *cfg);
/* Named presets: "tiny" (paper), "small-4l" (D 128, L 4, NH 4, H4 512), "test"
 * (D 16, L 2, NH 2, H4 32, T 8, M 16), ... FALSE if unknown. */
gboolean vita_vit_config_init_preset (VitaVitConfig *cfg, const char *name, GError **error);
gboolean vita_vit_config_validate (const VitaVitConfig *cfg, GError **error);

#define VITA_VIT_N_PARAM_TENSORS 22

typedef struct {
  float *patch_w;     /* (D, M)        patch_embed.proj.weight */
  float *patch_b;     /* (D)           patch_embed.proj.bias */
  float *cls_token;   /* (D)           cls_token [1,1,D] */
  float *pos_embed;   /* (N, D)        pos_embed [1,N,D] */
  float *ln1w;        /* (L, D)        blocks.{l}.norm1.weight */
  float *ln1b;        /* (L, D)        blocks.{l}.norm1.bias */
  float *qkvw;        /* (L, 3D, D)    blocks.{l}.attn.qkv.weight */
  float *qkvb;        /* (L, 3D)       blocks.{l}.attn.qkv.bias */
  float *projw;       /* (L, D, D)     blocks.{l}.attn.proj.weight */
  float *projb;       /* (L, D)        blocks.{l}.attn.proj.bias */
  float *ln2w;        /* (L, D)        blocks.{l}.norm2.weight */
  float *ln2b;        /* (L, D)        blocks.{l}.norm2.bias */
  float *fc1w;        /* (L, H4, D)    blocks.{l}.mlp.fc1.weight */
  float *fc1b;        /* (L, H4)       blocks.{l}.mlp.fc1.bias */
  float *fc2w;        /* (L, D, H4)    blocks.{l}.mlp.fc2.weight */
  float *fc2b;        /* (L, D)        blocks.{l}.mlp.fc2.bias */
  float *lnfw;        /* (D)           norm.weight */
  float *lnfb;        /* (D)           norm.bias */
  float *head_fc1w;   /* (D, D)        head.fc1.weight   (absent when P == 0) */
  float *head_fc1b;   /* (D)           head.fc1.bias */
  float *head_fc2w;   /* (P, D)        head.fc2.weight */
  float *head_fc2b;   /* (P)           head.fc2.bias */
} VitaVitParams;

/* Element counts of each tensor above, in that order. */
void vita_vit_param_sizes (const VitaVitConfig *cfg, gsize sizes[VITA_VIT_N_PARAM_TENSORS]);
/* Points every field of params into memory (laid out in the order above). */
void vita_vit_params_point (VitaVitParams *params, const VitaVitConfig *cfg, float *memory);
/* TRUE for tensors that get no weight decay: biases, norms, cls_token, pos_embed. */
gboolean vita_vit_param_no_decay (int index);

typedef struct {
  VitaVitConfig cfg;
  VitaVitParams params;             /* pointers into memory */
  float        *memory;             /* (num_params), owned */
  gsize         num_params;
  gsize         sizes[VITA_VIT_N_PARAM_TENSORS];
  GHashTable   *metadata;           /* string → string: provenance and any extra keys, owned */
  char          sha256[65];         /* of the file it came from, "" if none */
  char         *path;               /* file it came from, or NULL */
  gint          ref_count;
} VitaVit;

/* Shares weights read-only between threads (analysis, GUI, trainer snapshots). */
VitaVit *vita_vit_ref   (VitaVit *vit);
void     vita_vit_unref (VitaVit *vit);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaVit, vita_vit_unref)

/* Zeroed parameters of a config (head included when proj_dim > 0). */
VitaVit *vita_vit_new        (const VitaVitConfig *cfg);
/* timm-style init (trunc-normal 0.02 for weights and tokens, zeros for biases,
 * ones for norm weights), deterministic for a seed. */
VitaVit *vita_vit_new_random (const VitaVitConfig *cfg, guint64 seed);
/* The random-init twin of a model: the same configuration (front-end included) at
 * vita_vit_new_random (seed), in memory.  Its weights are exactly those of
 * `vitascope-cli init-model --seed SEED` with that configuration; its metadata also
 * records twin_seed and twin_of (the SHA-256 of the original, when known). */
VitaVit *vita_vit_new_twin   (const VitaVit *vit, guint64 seed);
/* What labels call a model: "random-init twin, seed N" for a twin, else the file's
 * base name (with ", step N" when its metadata says it was trained N > 0 steps: a
 * checkpoint beside another reads "checkpoint.safetensors, step 200"), else "model in
 * memory".  Free with g_free. */
char    *vita_vit_describe   (const VitaVit *vit);
/* Reads a model file: checks metadata (format=vit1d, every hyper-parameter, the
 * front-end), every tensor's presence and shape, finiteness; refuses variants
 * (RMSNorm, rotary, gated MLP) with VITA_MODEL_ERROR_UNSUPPORTED. Messages name the
 * file and the key / tensor. Extra tensors (e.g. adam.*) are ignored only when
 * allow_extra is TRUE (checkpoints). */
VitaVit *vita_vit_from_safetensors (const VitaSafetensors *st, gboolean allow_extra, GError **error);
VitaVit *vita_vit_load (const char *path, GError **error);
/* Adds the model's tensors (timm names) and full metadata to st. */
void     vita_vit_to_safetensors (const VitaVit *vit, VitaSafetensors *st);
gboolean vita_vit_save (const VitaVit *vit, const char *path, GError **error);
/* The same with every tensor stored as F16 (half the size; loads widened to float). */
gboolean vita_vit_save_f16 (const VitaVit *vit, const char *path, GError **error);
/* Fills cfg from "__metadata__"-style key/values (format doc); errors name file+key. */
gboolean vita_vit_config_from_metadata (VitaVitConfig *cfg, GHashTable *metadata,
                                        const char *display_name, GError **error);
void     vita_vit_config_to_metadata (const VitaVitConfig *cfg, GHashTable *metadata);

typedef struct {
  float *patch;      /* (B, T, D)      projected frames (patch_embed output) */
  float *encoded;    /* (B, N, D)      layer-0 tokens: [cls + mean(patch); patch] + pos */
  float *ln1;        /* (L, B, N, D) */
  float *ln1_mean;   /* (L, B, N) */
  float *ln1_rstd;   /* (L, B, N) */
  float *qkv;        /* (L, B, N, 3D) */
  float *att;        /* (L, B, NH, N, N) softmax probabilities */
  float *atty;       /* (L, B, N, D)   attention output, heads concatenated, before proj */
  float *res_att;    /* (L, B, N, D)   x + proj(atty) */
  float *ln2;        /* (L, B, N, D) */
  float *ln2_mean;   /* (L, B, N) */
  float *ln2_rstd;   /* (L, B, N) */
  float *fch;        /* (L, B, N, H4)  fc1 output, before GELU */
  float *fch_gelu;   /* (L, B, N, H4) */
  float *res_mlp;    /* (L, B, N, D)   tokens after block l (= token layer l+1) */
  float *lnf;        /* (B, N, D)      final norm */
  float *lnf_mean;   /* (B, N) */
  float *lnf_rstd;   /* (B, N) */
  float *head_h;     /* (B, D)         head.fc1 on the final-norm class token, pre-ReLU */
  float *head_relu;  /* (B, D) */
  float *z;          /* (B, P)         projection (NT-Xent input) */
} VitaVitActs;

typedef struct {
  VitaVitConfig cfg;
  int           B;            /* capacity in windows */
  gboolean      training;     /* TRUE: every per-layer cache kept for backward */
  VitaVitActs   acts;
  float        *memory;       /* one buffer, owned */
  gsize         num_activations;
  float        *scratch;      /* kernel scratch, owned */
} VitaVitState;

/* training = TRUE: every tensor of VitaVitActs holds all L layers (backward reads them).
 * training = FALSE keeps only what analysis reads — patch, encoded, res_mlp and att for
 * all L layers (so every token layer and every attention map), lnf (+ mean/rstd),
 * head_h, head_relu, z — while ln1, ln1_mean, ln1_rstd, qkv, atty, res_att, ln2,
 * ln2_mean, ln2_rstd, fch and fch_gelu hold ONE layer that every block overwrites
 * (after a forward they hold the last block's values).
 * Per-layer tensors are laid out for the capacity B: layer l of a (L, B, ...) tensor
 * starts at l * B * (...) even when a forward uses fewer windows.
 * head_h / head_relu / z are NULL when proj_dim == 0.  Returns NULL (critical) if B < 1. */
VitaVitState *vita_vit_state_new  (const VitaVitConfig *cfg, int B, gboolean training);
void          vita_vit_state_free (VitaVitState *state);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VitaVitState, vita_vit_state_free)

/* input: (B, T, M) normalised log-mel windows; B <= state->B.
 * Computes everything down to lnf, and head/z when the model has a head.
 * No allocation.  Reentrant: threads may run forwards on one VitaVit (read-only
 * weights), each with its own state.  Batch 8–16 windows per call so every linear
 * layer is one sgemm over B*N rows.  On k cores, k workers with OpenBLAS on one
 * thread (openblas_set_num_threads (1)) beat one worker with k OpenBLAS threads:
 * the per-(window, head) attention products are too small to split (bench/). */
void vita_vit_forward (const VitaVit *vit, VitaVitState *state, const float *input, int B);

/* Token layer l (0..L) of the last forward: (B, N, D) with row stride N*D. */
const float *vita_vit_state_tokens    (const VitaVitState *state, int layer);
/* Attention of block l (0..L-1): (B, NH, N, N). */
const float *vita_vit_state_attention (const VitaVitState *state, int block);

/* Naive, obviously-correct kernels kept beside the fast ones for tests. */
void vita_vit_forward_ref (const VitaVit *vit, VitaVitState *state, const float *input, int B);

G_END_DECLS
