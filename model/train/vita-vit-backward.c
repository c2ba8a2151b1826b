/* vita-vit-backward.c — the ViT-1D backward pass in the llm.c manner
 * (karpathy/llm.c train_gpt2.c: matmul_backward, layernorm_backward,
 * attention_backward, gelu_backward): the parameter gradients live in one buffer laid
 * out like the parameters, kernels accumulate into them with +=, the activation
 * gradients are reused layer by layer, and every product is a cblas_sgemm.
 *
 * The forward (vita-vit.c) caches, with state->training == TRUE, everything read
 * here: the LayerNorm inputs/means/rstds, qkv, softmax probabilities, attention
 * outputs, fc1 pre-activations and the GELU outputs of every layer. */
#include "vita-train.h"
#include "model/vita-vit-kernels.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

VitaVitGrads *
vita_vit_grads_new (const VitaVitConfig *cfg, int B)
{
  g_return_val_if_fail (B >= 1, NULL);
  VitaVitGrads *g = g_new0 (VitaVitGrads, 1);
  g->cfg = *cfg;
  g->B = B;
  gsize sizes[VITA_VIT_N_PARAM_TENSORS];
  vita_vit_param_sizes (cfg, sizes);
  for (int i = 0; i < VITA_VIT_N_PARAM_TENSORS; i++)
    g->num_params += sizes[i];
  g->memory = g_aligned_alloc0 (g->num_params, sizeof (float), 64);
  vita_vit_params_point (&g->grads, cfg, g->memory);

  const gsize N = cfg->frames + 1, D = cfg->dim, H4 = cfg->mlp_dim, T = cfg->frames;
  const gsize P = MAX (cfg->proj_dim, 1), NH = cfg->heads;
  const gsize sz[] = {
    B * N * D,      /* dres */
    B * N * D,      /* dln */
    B * N * D,      /* datty */
    B * N * 3 * D,  /* dqkv */
    B * N * H4,     /* dfch */
    NH * N * N,     /* datt */
    B * T * D,      /* dpatch */
    B * D,          /* dhead */
    B * P,          /* dz */
    B * N,          /* ones */
  };
  gsize total = 0;
  for (gsize i = 0; i < G_N_ELEMENTS (sz); i++)
    total += (sz[i] + 15) & ~(gsize) 15;  /* keep every array 64-byte aligned */
  g->act_memory = g_aligned_alloc0 (total, sizeof (float), 64);
  float **ptrs[] = { &g->dres, &g->dln, &g->datty, &g->dqkv, &g->dfch, &g->datt,
                     &g->dpatch, &g->dhead, &g->dz, &g->ones };
  float *p = g->act_memory;
  for (gsize i = 0; i < G_N_ELEMENTS (sz); i++)
    {
      *ptrs[i] = p;
      p += (sz[i] + 15) & ~(gsize) 15;
    }
  for (gsize i = 0; i < B * N; i++)
    g->ones[i] = 1.0f;
  return g;
}

void
vita_vit_grads_free (VitaVitGrads *g)
{
  if (g == NULL)
    return;
  g_aligned_free (g->memory);
  g_aligned_free (g->act_memory);
  g_free (g);
}

void
vita_vit_grads_zero (VitaVitGrads *g)
{
  memset (g->memory, 0, g->num_params * sizeof (float));
  memset (g->dz, 0, (gsize) g->B * MAX (g->cfg.proj_dim, 1) * sizeof (float));
}

/* ------------------------------------------------------------------------------ */
/* kernels */

/* out = inp W^T + b with inp (rows, C), W (OC, C), out (rows, OC):
 * dinp (rows, C) = dout W (beta: 0 overwrites, 1 accumulates),
 * dweight (OC, C) += dout^T inp, dbias (OC) += column sums of dout.
 * Strides (ld*) allow reading the class-token rows of a (B, N, D) tensor.
 * ones (rows): a vector of ones, the bias gradient is one sgemv with it. */
static void
matmul_backward (float *dinp, int ld_dinp, float dinp_beta,
                 float *dweight, float *dbias,
                 const float *dout, int ld_dout, const float *inp, int ld_inp,
                 const float *weight, int rows, int C, int OC, const float *ones)
{
  if (dinp)
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, C, OC,
                 1.0f, dout, ld_dout, weight, C, dinp_beta, dinp, ld_dinp);
  if (dweight)  /* NULL: input gradients only (attribution) */
    cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, OC, C, rows,
                 1.0f, dout, ld_dout, inp, ld_inp, 1.0f, dweight, C);
  if (dbias)  /* dbias += dout^T 1 */
    cblas_sgemv (CblasRowMajor, CblasTrans, rows, OC, 1.0f, dout, ld_dout,
                 ones, 1, 1.0f, dbias, 1);
}

/* llm.c layernorm_backward: inp, mean, rstd of the forward; dinp += (not =). */
void
vita_layernorm_backward (float *dinp, float *dweight, float *dbias,
                         const float *dout, const float *inp, const float *weight,
                         const float *mean, const float *rstd, int rows, int C)
{
  for (int r = 0; r < rows; r++)
    {
      const float *dout_r = dout + (gsize) r * C;
      const float *inp_r = inp + (gsize) r * C;
      float *dinp_r = dinp + (gsize) r * C;
      const float mean_r = mean[r], rstd_r = rstd[r];
      float dnorm_mean = 0, dnorm_norm_mean = 0;
      for (int i = 0; i < C; i++)
        {
          float norm_i = (inp_r[i] - mean_r) * rstd_r;
          float dnorm_i = weight[i] * dout_r[i];
          dnorm_mean += dnorm_i;
          dnorm_norm_mean += dnorm_i * norm_i;
        }
      dnorm_mean /= C;
      dnorm_norm_mean /= C;
      for (int i = 0; i < C; i++)
        {
          float norm_i = (inp_r[i] - mean_r) * rstd_r;
          float dnorm_i = weight[i] * dout_r[i];
          dbias[i] += dout_r[i];
          dweight[i] += norm_i * dout_r[i];
          dinp_r[i] += (dnorm_i - dnorm_mean - norm_i * dnorm_norm_mean) * rstd_r;
        }
    }
}

/* Element-wise kernels with GCC vector extensions, 8 floats at a time, compiled for
 * AVX2+FMA and for baseline x86-64 and dispatched at run time — the scheme and the
 * erf / exp approximations of vita-vit-kernels.c (which keeps them private), so that
 * the backward GELU matches the forward one: glibc's erff/expf are scalar calls and
 * cost ~10 % of a training step. */
#if defined(__GNUC__) && defined(__x86_64__)
#define BWD_KERNEL(name, params, args)                                        \
  static __attribute__ ((target ("avx2,fma"))) void name##_avx2 params        \
  { name##_body args; }                                                       \
  static void name##_base params { name##_body args; }                        \
  void name params                                                            \
  {                                                                           \
    if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))   \
      name##_avx2 args;                                                       \
    else                                                                      \
      name##_base args;                                                       \
  }
#else
#define BWD_KERNEL(name, params, args) \
  void name params { name##_body args; }
#endif
#define BWD_INLINE static inline __attribute__ ((always_inline))

#pragma GCC diagnostic ignored "-Wpsabi"
typedef float vf __attribute__ ((vector_size (32)));
typedef gint32 vi __attribute__ ((vector_size (32)));
#define VL 8

BWD_INLINE vf vf_load (const float *p) { vf v; memcpy (&v, p, sizeof v); return v; }
BWD_INLINE void vf_store (float *p, vf v) { memcpy (p, &v, sizeof v); }
BWD_INLINE vf vf_set (float x) { return (vf) { x, x, x, x, x, x, x, x }; }
BWD_INLINE vf vf_select (vi mask, vf a, vf b) { return (vf) (((vi) a & mask) | ((vi) b & ~mask)); }
BWD_INLINE vf vf_min (vf a, vf b) { return vf_select (a < b, a, b); }
BWD_INLINE vf vf_max (vf a, vf b) { return vf_select (a > b, a, b); }

/* erf(x) ≈ x·P(x²)/Q(x²) on [-4, 4] (Eigen's generic_fast_erf_float, |error| < 4e-7) */
#define ERF_P(x2) \
  ((((((-2.72614225801306e-10f * (x2) + 2.77068142495902e-08f) * (x2) \
       + -2.10102402082508e-06f) * (x2) + -5.69250639462346e-05f) * (x2) \
     + -7.34990630326855e-04f) * (x2) + -2.95459980854025e-03f) * (x2) + -1.60960333262415e-02f)
#define ERF_Q(x2) \
  ((((-1.45660718464996e-05f * (x2) + -2.13374055278905e-04f) * (x2) \
     + -1.68282697438203e-03f) * (x2) + -7.37332916720468e-03f) * (x2) + -1.42647390514189e-02f)
/* exp: Cephes' expf (two-part ln 2 reduction, degree-6 polynomial, ~1 ulp) */
#define EXP_MAGIC 12582912.0f
#define EXP_POLY(r) \
  (((((1.9875691500e-4f * (r) + 1.3981999507e-3f) * (r) + 8.3334519073e-3f) * (r) \
     + 4.1665795894e-2f) * (r) + 1.6666665459e-1f) * (r) + 5.0000001201e-1f)

BWD_INLINE vf
erf_v (vf x)
{
  x = vf_max (vf_min (x, vf_set (4.0f)), vf_set (-4.0f));
  vf x2 = x * x;
  return x * ERF_P (x2) / ERF_Q (x2);
}

BWD_INLINE vf
exp_v (vf x)
{
  x = vf_max (vf_min (x, vf_set (88.0f)), vf_set (-87.0f));
  vf n = (x * 1.44269504088896341f + EXP_MAGIC) - EXP_MAGIC;
  vf r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  vf y = EXP_POLY (r) * (r * r) + r + 1.0f;
  vi e = (__builtin_convertvector (n, vi) + 127) << 23;
  return y * (vf) e;
}

/* Exact GELU, 0.5 x (1 + erf(x / √2)) (torch.nn.GELU(approximate='none')):
 * d/dx = Φ(x) + x φ(x).  dinp may alias dout. */
BWD_INLINE void
vita_gelu_backward_body (float *dinp, const float *inp, const float *dout, gsize n)
{
  const float inv_sqrt2 = 0.70710678118654752f;
  const float inv_sqrt_2pi = 0.39894228040143268f;
  gsize i = 0;
  for (; i + VL <= n; i += VL)
    {
      vf x = vf_load (inp + i);
      vf cdf = 0.5f * (1.0f + erf_v (x * inv_sqrt2));
      vf pdf = inv_sqrt_2pi * exp_v (-0.5f * x * x);
      vf_store (dinp + i, vf_load (dout + i) * (cdf + x * pdf));
    }
  for (; i < n; i++)
    {
      float x = inp[i];
      float cdf = 0.5f * (1.0f + erff (x * inv_sqrt2));
      float pdf = inv_sqrt_2pi * expf (-0.5f * x * x);
      dinp[i] = dout[i] * (cdf + x * pdf);
    }
}
BWD_KERNEL (vita_gelu_backward, (float *dinp, const float *inp, const float *dout, gsize n),
            (dinp, inp, dout, n))

void
vita_gelu_backward_ref (float *dinp, const float *inp, const float *dout, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      double x = inp[i];
      double d = 0.5 * (1.0 + erf (x * M_SQRT1_2)) + x * exp (-0.5 * x * x) / sqrt (2 * G_PI);
      dinp[i] = (float) (dout[i] * d);
    }
}

/* softmax backward over rows of n: d = a ⊙ (d − Σ_j a_j d_j), in place */
BWD_INLINE void
softmax_backward_body (float *d, const float *a, int rows, int n)
{
  for (int r = 0; r < rows; r++)
    {
      const float *ar = a + (gsize) r * n;
      float *dr = d + (gsize) r * n;
      vf acc = vf_set (0.0f);
      int j = 0;
      for (; j + VL <= n; j += VL)
        acc += vf_load (ar + j) * vf_load (dr + j);
      float dot = 0;
      for (int k = 0; k < VL; k++)
        dot += acc[k];
      for (; j < n; j++)
        dot += ar[j] * dr[j];
      j = 0;
      for (; j + VL <= n; j += VL)
        vf_store (dr + j, vf_load (ar + j) * (vf_load (dr + j) - dot));
      for (; j < n; j++)
        dr[j] = ar[j] * (dr[j] - dot);
    }
}
static void softmax_backward (float *d, const float *a, int rows, int n);
BWD_KERNEL (softmax_backward, (float *d, const float *a, int rows, int n), (d, a, rows, n))

/* Multi-head attention backward for one bloc
 * qkv (B, N, 3D), att (B, NH, N, N) softmax probabilities, datty (B, N, D);
 * datt_extra (B, NH, N, N) or NULL: a gradient arriving on the softmax probabilities
 * themselves (attribution of the attention a frame receives), added to dy v^T;
 * dqkv (B, N, 3D) is overwritten (every (b, h) block is written exactly once).
 * Scale 1/sqrt(hs) as in the forward (vit1d-format.md). */
static void
attention_backward (float *dqkv, float *datt_scratch, const float *datty,
                    const float *datt_extra, const float *qkv, const float *att,
                    int B, int N, int D, int NH)
{
  const int hs = D / NH;
  const int C3 = 3 * D;
  const float scale = 1.0f / sqrtf ((float) hs);
  for (int b = 0; b < B; b++)
    for (int h = 0; h < NH; h++)
      {
        const float *q = qkv + (gsize) b * N * C3 + h * hs;
        const float *k = q + D;
        const float *v = q + 2 * D;
        float *dq = dqkv + (gsize) b * N * C3 + h * hs;
        float *dk = dq + D;
        float *dv = dq + 2 * D;
        const float *a = att + ((gsize) b * NH + h) * N * N;
        const float *dy = datty + (gsize) b * N * D + h * hs;
        float *da = datt_scratch;
        /* y = a v: da = dy v^T (N, N), dv = a^T dy (N, hs) */
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, N, N, hs,
                     1.0f, dy, D, v, C3, 0.0f, da, N);
        if (datt_extra)
          {
            const float *e = datt_extra + ((gsize) b * NH + h) * N * N;
            for (gsize i = 0; i < (gsize) N * N; i++)
              da[i] += e[i];
          }
        cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, N, hs, N,
                     1.0f, a, N, dy, D, 0.0f, dv, C3);
        /* softmax backward, row by row: dpre = a ⊙ (da − Σ_j a_j da_j) */
        softmax_backward (da, a, N, N);
        /* pre = scale q k^T: dq = scale dpre k, dk = scale dpre^T q */
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, N, hs, N,
                     scale, da, N, k, C3, 0.0f, dq, C3);
        cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, N, hs, N,
                     scale, da, N, q, C3, 0.0f, dk, C3);
      }
}

/* The last block's attention when only the class-token query (row 0) reaches the
 * loss: dqkv is overwritten (zero except q of row 0 and every k, v).  Matrix–vector
 * products (cblas_sgemv) and rank-1 updates (cblas_sger) on strided views. */
static void
attention_backward_cls (float *dqkv, float *datt_scratch, const float *datty,
                        const float *qkv, const float *att, int B, int N, int D, int NH)
{
  const int hs = D / NH;
  const int C3 = 3 * D;
  const float scale = 1.0f / sqrtf ((float) hs);
  memset (dqkv, 0, (gsize) B * N * C3 * sizeof (float));
  float *da = datt_scratch;
  for (int b = 0; b < B; b++)
    for (int h = 0; h < NH; h++)
      {
        const float *q0 = qkv + (gsize) b * N * C3 + h * hs;
        const float *k = q0 + D;
        const float *v = q0 + 2 * D;
        float *dq0 = dqkv + (gsize) b * N * C3 + h * hs;
        float *dk = dq0 + D;
        float *dv = dq0 + 2 * D;
        const float *a0 = att + ((gsize) b * NH + h) * N * N;   /* row 0 */
        const float *dy0 = datty + (gsize) b * N * D + h * hs;
        /* y0 = a0 V: da0 = V dy0 (N), dV = a0^T dy0 (rank 1) */
        cblas_sgemv (CblasRowMajor, CblasNoTrans, N, hs, 1.0f, v, C3, dy0, 1, 0.0f, da, 1);
        cblas_sger (CblasRowMajor, N, hs, 1.0f, a0, 1, dy0, 1, dv, C3);
        softmax_backward (da, a0, 1, N);
        /* pre0 = scale q0 K^T: dq0 = scale dpre0 K, dK = scale dpre0^T q0 (rank 1) */
        cblas_sgemv (CblasRowMajor, CblasTrans, N, hs, scale, k, C3, da, 1, 0.0f, dq0, 1);
        cblas_sger (CblasRowMajor, N, hs, scale, da, 1, q0, 1, dk, C3);
      }
}

/* One block's cached forward activations (per-layer caches are strided by the state's
 * capacity Bcap, not by the B of this call). */
typedef struct {
  const float *res_in;     /* (B, N, D)  the block's input */
  const float *ln1, *ln1_mean, *ln1_rstd;
  const float *qkv;        /* (B, N, 3D) */
  const float *att;        /* (B, NH, N, N) */
  const float *atty, *res_att, *ln2, *ln2_mean, *ln2_rstd;
  const float *fch, *fch_gelu;  /* (B, N, H4) */
} BlockActs;

static BlockActs
block_acts (const VitaVitActs *a, const VitaVitConfig *cfg, int Bcap, int l)
{
  const int N = cfg->frames + 1, D = cfg->dim, NH = cfg->heads, H4 = cfg->mlp_dim;
  const gsize layer_nd = (gsize) Bcap * N * D, layer_n = (gsize) Bcap * N;
  BlockActs k = {
    .res_in = l == 0 ? a->encoded : a->res_mlp + (gsize) (l - 1) * layer_nd,
    .ln1 = a->ln1 + l * layer_nd,
    .ln1_mean = a->ln1_mean + l * layer_n,
    .ln1_rstd = a->ln1_rstd + l * layer_n,
    .qkv = a->qkv + l * layer_nd * 3,
    .att = a->att + (gsize) l * Bcap * NH * N * N,
    .atty = a->atty + l * layer_nd,
    .res_att = a->res_att + l * layer_nd,
    .ln2 = a->ln2 + l * layer_nd,
    .ln2_mean = a->ln2_mean + l * layer_n,
    .ln2_rstd = a->ln2_rstd + l * layer_n,
    .fch = a->fch + l * (gsize) Bcap * N * H4,
    .fch_gelu = a->fch_gelu + l * (gsize) Bcap * N * H4,
  };
  return k;
}

/* ------------------------------------------------------------------------------ */

void
vita_vit_backward (const VitaVit *vit, VitaVitState *state, VitaVitGrads *g,
                   const float *input, int B)
{
  const VitaVitConfig *cfg = &vit->cfg;
  g_assert (state->training);
  g_assert (B <= state->B && B <= g->B);
  g_assert (cfg->proj_dim > 0);
  const int M = cfg->fe.n_mels, T = cfg->frames, N = T + 1, D = cfg->dim;
  const int L = cfg->depth, NH = cfg->heads, H4 = cfg->mlp_dim, P = cfg->proj_dim;
  const int BN = B * N;
  const VitaVitParams *p = &vit->params;
  VitaVitParams *gp = &g->grads;
  const VitaVitActs *a = &state->acts;
  const int Bcap = state->B;  /* per-layer caches are strided by the state's capacity */
  const gsize layer_nd = (gsize) Bcap * N * D;

  /* projection head: z = fc2(relu(fc1(lnf[:, 0]))) */
  matmul_backward (g->dhead, D, 0.0f, gp->head_fc2w, gp->head_fc2b,
                   g->dz, P, a->head_relu, D, p->head_fc2w, B, D, P, g->ones);
  for (int i = 0; i < B * D; i++)
    if (!(a->head_h[i] > 0))
      g->dhead[i] = 0;
  /* only the class-token rows of the final norm receive a gradient */
  memset (g->dln, 0, (gsize) BN * D * sizeof (float));
  matmul_backward (g->dln, N * D, 0.0f, gp->head_fc1w, gp->head_fc1b,
                   g->dhead, D, a->lnf, N * D, p->head_fc1w, B, D, D, g->ones);

  /* final LayerNorm, class-token rows only; dres = gradient of the last residual */
  memset (g->dres, 0, (gsize) BN * D * sizeof (float));
  const float *last = L > 0 ? a->res_mlp + (gsize) (L - 1) * layer_nd : a->encoded;
  for (int b = 0; b < B; b++)
    {
      gsize row = (gsize) b * N;
      vita_layernorm_backward (g->dres + row * D, gp->lnfw, gp->lnfb, g->dln + row * D,
                               last + row * D, p->lnfw, a->lnf_mean + row, a->lnf_rstd + row, 1, D);
    }

  for (int l = L - 1; l >= 0; l--)
    {
      const BlockActs k = block_acts (a, cfg, Bcap, l);

      const float *qkvw = p->qkvw + (gsize) l * 3 * D * D;
      const float *projw = p->projw + (gsize) l * D * D;
      const float *fc1w = p->fc1w + (gsize) l * H4 * D;
      const float *fc2w = p->fc2w + (gsize) l * D * H4;

      if (l == L - 1)
        {
          /* The last block's output reaches the loss only through the class token
           * (final norm → head), so its MLP, LN2 and attention projection see a
           * gradient in the B class-token rows alone: run them on those rows
           * (strided views) instead of all B·N.  Keys and values of every token
           * still get gradients through the attention below. */
          const int NDs = N * D, NH4 = N * H4;
          matmul_backward (g->dfch, H4, 0.0f, gp->fc2w + (gsize) l * D * H4, gp->fc2b + l * D,
                           g->dres, NDs, k.fch_gelu, NH4, fc2w, B, H4, D, g->ones);
          for (int b = 0; b < B; b++)
            vita_gelu_backward (g->dfch + (gsize) b * H4, k.fch + (gsize) b * NH4,
                                g->dfch + (gsize) b * H4, H4);
          matmul_backward (g->dln, D, 0.0f, gp->fc1w + (gsize) l * H4 * D, gp->fc1b + l * H4,
                           g->dfch, H4, k.ln2, NDs, fc1w, B, D, H4, g->ones);
          for (int b = 0; b < B; b++)
            vita_layernorm_backward (g->dres + (gsize) b * NDs, gp->ln2w + l * D, gp->ln2b + l * D,
                                     g->dln + (gsize) b * D, k.res_att + (gsize) b * NDs, p->ln2w + l * D,
                                     k.ln2_mean + (gsize) b * N, k.ln2_rstd + (gsize) b * N, 1, D);
          matmul_backward (g->datty, NDs, 0.0f, gp->projw + (gsize) l * D * D, gp->projb + l * D,
                           g->dres, NDs, k.atty, NDs, projw, B, D, D, g->ones);
          attention_backward_cls (g->dqkv, g->datt, g->datty, k.qkv, k.att, B, N, D, NH);
        }
      else
        {
          /* MLP: res_mlp = res_att + fc2(gelu(fc1(ln2))) */
          matmul_backward (g->dfch, H4, 0.0f, gp->fc2w + (gsize) l * D * H4, gp->fc2b + l * D,
                           g->dres, D, k.fch_gelu, H4, fc2w, BN, H4, D, g->ones);
          vita_gelu_backward (g->dfch, k.fch, g->dfch, (gsize) BN * H4);
          matmul_backward (g->dln, D, 0.0f, gp->fc1w + (gsize) l * H4 * D, gp->fc1b + l * H4,
                           g->dfch, H4, k.ln2, D, fc1w, BN, D, H4, g->ones);
          vita_layernorm_backward (g->dres, gp->ln2w + l * D, gp->ln2b + l * D, g->dln,
                                   k.res_att, p->ln2w + l * D, k.ln2_mean, k.ln2_rstd, BN, D);
          /* attention: res_att = res_in + proj(attn(ln1)) */
          matmul_backward (g->datty, D, 0.0f, gp->projw + (gsize) l * D * D, gp->projb + l * D,
                           g->dres, D, k.atty, D, projw, BN, D, D, g->ones);
          attention_backward (g->dqkv, g->datt, g->datty, NULL, k.qkv, k.att, B, N, D, NH);
        }
      matmul_backward (g->dln, D, 0.0f, gp->qkvw + (gsize) l * 3 * D * D, gp->qkvb + l * 3 * D,
                       g->dqkv, 3 * D, k.ln1, D, qkvw, BN, D, 3 * D, g->ones);
      vita_layernorm_backward (g->dres, gp->ln1w + l * D, gp->ln1b + l * D, g->dln,
                               k.res_in, p->ln1w + l * D, k.ln1_mean, k.ln1_rstd, BN, D);
    }

  /* embedding: encoded[b,0] = cls + mean_t patch[b,t] + pos[0];
   *            encoded[b,1+t] = patch[b,t] + pos[1+t] */
  for (int b = 0; b < B; b++)
    {
      const float *dr = g->dres + (gsize) b * N * D;
      for (int n = 0; n < N; n++)
        for (int c = 0; c < D; c++)
          gp->pos_embed[(gsize) n * D + c] += dr[(gsize) n * D + c];
      for (int c = 0; c < D; c++)
        gp->cls_token[c] += dr[c];
      float *dpatch = g->dpatch + (gsize) b * T * D;
      const float invT = 1.0f / T;
      for (int t = 0; t < T; t++)
        for (int c = 0; c < D; c++)
          dpatch[(gsize) t * D + c] = dr[(gsize) (1 + t) * D + c] + dr[c] * invT;
    }
  /* patch = input patch_w^T + patch_b; the input needs no gradient */
  matmul_backward (NULL, 0, 0.0f, gp->patch_w, gp->patch_b,
                   g->dpatch, D, input, M, p->patch_w, B * T, M, D, g->ones);
}

/* ------------------------------------------------------------------------------ */
/* Gradient with respect to the input (attribution, vita-attribution.h). */

void
vita_vit_backward_input (const VitaVit *vit, VitaVitState *state, VitaVitGrads *g,
                         int layer, const float *dtokens, int att_block, const float *datt,
                         float *dinput, int B)
{
  const VitaVitConfig *cfg = &vit->cfg;
  g_assert (state->training);
  g_assert (B <= state->B && B <= g->B);
  const int M = cfg->fe.n_mels, T = cfg->frames, N = T + 1, D = cfg->dim;
  const int L = cfg->depth, NH = cfg->heads, H4 = cfg->mlp_dim;
  const int BN = B * N;
  g_assert (dtokens == NULL || (layer >= 0 && layer <= L));
  g_assert (datt == NULL || (att_block >= 0 && att_block < L));
  const VitaVitParams *p = &vit->params;
  VitaVitParams *gp = &g->grads;   /* LayerNorm weight/bias gradients land here: scratch */
  const VitaVitActs *a = &state->acts;
  const int Bcap = state->B;

  /* the highest token layer the target reads */
  int top = 0;
  if (dtokens)
    top = layer;
  if (datt)
    top = MAX (top, att_block + 1);
  memset (g->dres, 0, (gsize) BN * D * sizeof (float));
  if (dtokens && layer == top)
    memcpy (g->dres, dtokens, (gsize) BN * D * sizeof (float));

  for (int l = top - 1; l >= 0; l--)
    {
      /* here g->dres is the gradient of token layer l + 1 (the output of block l) */
      if (dtokens && layer == l + 1 && layer != top)
        for (gsize i = 0; i < (gsize) BN * D; i++)
          g->dres[i] += dtokens[i];
      const BlockActs k = block_acts (a, cfg, Bcap, l);

      /* MLP: res_mlp = res_att + fc2(gelu(fc1(ln2))) */
      matmul_backward (g->dfch, H4, 0.0f, NULL, NULL,
                       g->dres, D, k.fch_gelu, H4, p->fc2w + (gsize) l * D * H4, BN, H4, D, g->ones);
      vita_gelu_backward (g->dfch, k.fch, g->dfch, (gsize) BN * H4);
      matmul_backward (g->dln, D, 0.0f, NULL, NULL,
                       g->dfch, H4, k.ln2, D, p->fc1w + (gsize) l * H4 * D, BN, D, H4, g->ones);
      vita_layernorm_backward (g->dres, gp->ln2w + l * D, gp->ln2b + l * D, g->dln,
                               k.res_att, p->ln2w + l * D, k.ln2_mean, k.ln2_rstd, BN, D);
      /* attention: res_att = res_in + proj(attn(ln1)), plus the target's own
       * gradient on this block's softmax probabilities */
      matmul_backward (g->datty, D, 0.0f, NULL, NULL,
                       g->dres, D, k.atty, D, p->projw + (gsize) l * D * D, BN, D, D, g->ones);
      attention_backward (g->dqkv, g->datt, g->datty,
                          datt && l == att_block ? datt : NULL, k.qkv, k.att, B, N, D, NH);
      matmul_backward (g->dln, D, 0.0f, NULL, NULL,
                       g->dqkv, 3 * D, k.ln1, D, p->qkvw + (gsize) l * 3 * D * D, BN, D, 3 * D, g->ones);
      vita_layernorm_backward (g->dres, gp->ln1w + l * D, gp->ln1b + l * D, g->dln,
                               k.res_in, p->ln1w + l * D, k.ln1_mean, k.ln1_rstd, BN, D);
    }

  /* embedding: encoded[b,0] = cls + mean_t patch[b,t] + pos[0];
   *            encoded[b,1+t] = patch[b,t] + pos[1+t] */
  const float invT = 1.0f / T;
  for (int b = 0; b < B; b++)
    {
      const float *dr = g->dres + (gsize) b * N * D;
      float *dpatch = g->dpatch + (gsize) b * T * D;
      for (int t = 0; t < T; t++)
        for (int c = 0; c < D; c++)
          dpatch[(gsize) t * D + c] = dr[(gsize) (1 + t) * D + c] + dr[c] * invT;
    }
  /* patch = input patch_w^T + patch_b: dinput (B·T, M) = dpatch (B·T, D) patch_w (D, M) */
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, B * T, M, D,
               1.0f, g->dpatch, D, p->patch_w, M, 0.0f, dinput, M);
}

/* ------------------------------------------------------------------------------ */
/* Training forward: vita_vit_forward for blocks 0..L-2; in the last block only what
 * reaches the loss — LN1 and qkv of every token (keys and values), the class-token
 * query's attention row, and proj, LN2, MLP and the final norm of the class-token
 * rows.  The state's other rows of that block are left stale: a training state is
 * for vita_vit_backward only (analysis uses vita_vit_forward). */
void
vita_vit_forward_train (const VitaVit *vit, VitaVitState *state, const float *input, int B)
{
  const VitaVitConfig *c = &vit->cfg;
  g_return_if_fail (state->training && B >= 1 && B <= state->B && c->proj_dim > 0);
  const VitaVitParams *p = &vit->params;
  VitaVitActs *a = &state->acts;
  const int M = c->fe.n_mels, T = c->frames, N = T + 1, D = c->dim, L = c->depth;
  const int NH = c->heads, H4 = c->mlp_dim, P = c->proj_dim, hs = D / NH, C3 = 3 * D;
  const int BN = B * N, NDs = N * D, NH4 = N * H4;
  const float eps = c->norm_eps;
  const gsize Bc = state->B;
  const gsize lnd = Bc * N * D, ln = Bc * N;

  vita_matmul_forward (a->patch, input, p->patch_w, p->patch_b, B * T, M, D);
  vita_encoder_forward (a->encoded, a->patch, p->cls_token, p->pos_embed, B, T, D);
  const float *residual = a->encoded;
  for (int l = 0; l < L; l++)
    {
      float *ln1 = a->ln1 + l * lnd, *ln1_mean = a->ln1_mean + l * ln, *ln1_rstd = a->ln1_rstd + l * ln;
      float *qkv = a->qkv + l * lnd * 3, *att = a->att + (gsize) l * Bc * NH * N * N;
      float *atty = a->atty + l * lnd, *res_att = a->res_att + l * lnd, *ln2 = a->ln2 + l * lnd;
      float *ln2_mean = a->ln2_mean + l * ln, *ln2_rstd = a->ln2_rstd + l * ln;
      float *fch = a->fch + l * Bc * N * H4, *fch_gelu = a->fch_gelu + l * Bc * N * H4;
      float *res_mlp = a->res_mlp + l * lnd;
      const float *qkvw = p->qkvw + (gsize) l * C3 * D, *qkvb = p->qkvb + (gsize) l * C3;
      const float *projw = p->projw + (gsize) l * D * D, *projb = p->projb + (gsize) l * D;
      const float *fc1w = p->fc1w + (gsize) l * H4 * D, *fc1b = p->fc1b + (gsize) l * H4;
      const float *fc2w = p->fc2w + (gsize) l * D * H4, *fc2b = p->fc2b + (gsize) l * D;
      const float *ln1w = p->ln1w + (gsize) l * D, *ln1b = p->ln1b + (gsize) l * D;
      const float *ln2w = p->ln2w + (gsize) l * D, *ln2b = p->ln2b + (gsize) l * D;

      vita_layernorm_forward (ln1, ln1_mean, ln1_rstd, residual, ln1w, ln1b, BN, D, eps);
      vita_matmul_forward (qkv, ln1, qkvw, qkvb, BN, D, C3);
      if (l < L - 1)
        {
          vita_attention_forward (atty, att, qkv, B, N, D, NH);
          vita_matmul_forward (res_att, atty, projw, projb, BN, D, D);
          vita_residual_forward (res_att, res_att, residual, (gsize) BN * D);
          vita_layernorm_forward (ln2, ln2_mean, ln2_rstd, res_att, ln2w, ln2b, BN, D, eps);
          vita_matmul_forward (fch, ln2, fc1w, fc1b, BN, D, H4);
          vita_gelu_forward (fch_gelu, fch, (gsize) BN * H4);
          vita_matmul_forward (res_mlp, fch_gelu, fc2w, fc2b, BN, H4, D);
          vita_residual_forward (res_mlp, res_mlp, res_att, (gsize) BN * D);
          residual = res_mlp;
          continue;
        }
      /* last block, class-token rows */
      const float scale = 1.0f / sqrtf ((float) hs);
      for (int b = 0; b < B; b++)
        for (int h = 0; h < NH; h++)
          {
            const float *q0 = qkv + (gsize) b * N * C3 + h * hs;
            float *a0 = att + ((gsize) b * NH + h) * N * N;
            cblas_sgemv (CblasRowMajor, CblasNoTrans, N, hs, scale, q0 + D, C3, q0, 1, 0.0f, a0, 1);
            vita_softmax_forward (a0, 1, N);
            cblas_sgemv (CblasRowMajor, CblasTrans, N, hs, 1.0f, q0 + 2 * D, C3, a0, 1, 0.0f,
                         atty + (gsize) b * NDs + h * hs, 1);
          }
      /* rows b·N of each (B, N, ·) tensor: sgemm on strided views, then bias + residual */
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, B, D, D, 1.0f, atty, NDs, projw, D,
                   0.0f, res_att, NDs);
      for (int b = 0; b < B; b++)
        {
          float *r = res_att + (gsize) b * NDs;
          const float *x = residual + (gsize) b * NDs;
          for (int i = 0; i < D; i++)
            r[i] += projb[i] + x[i];
          vita_layernorm_forward (ln2 + (gsize) b * NDs, ln2_mean + (gsize) b * N, ln2_rstd + (gsize) b * N,
                                  r, ln2w, ln2b, 1, D, eps);
        }
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, B, H4, D, 1.0f, ln2, NDs, fc1w, D,
                   0.0f, fch, NH4);
      for (int b = 0; b < B; b++)
        {
          float *f = fch + (gsize) b * NH4;
          for (int i = 0; i < H4; i++)
            f[i] += fc1b[i];
          vita_gelu_forward (fch_gelu + (gsize) b * NH4, f, H4);
        }
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, B, D, H4, 1.0f, fch_gelu, NH4, fc2w, H4,
                   0.0f, res_mlp, NDs);
      for (int b = 0; b < B; b++)
        {
          float *r = res_mlp + (gsize) b * NDs;
          const float *x = res_att + (gsize) b * NDs;
          for (int i = 0; i < D; i++)
            r[i] += fc2b[i] + x[i];
          vita_layernorm_forward (a->lnf + (gsize) b * NDs, a->lnf_mean + (gsize) b * N,
                                  a->lnf_rstd + (gsize) b * N, r, p->lnfw, p->lnfb, 1, D, eps);
        }
    }
  vita_matmul_forward_strided (a->head_h, a->lnf, NDs, p->head_fc1w, p->head_fc1b, B, D, D);
  vita_relu_forward (a->head_relu, a->head_h, (gsize) B * D);
  vita_matmul_forward (a->z, a->head_relu, p->head_fc2w, p->head_fc2b, B, D, P);
}

/* ------------------------------------------------------------------------------ */
/* one optimisation step (forward, NT-Xent, backward, AdamW) */

float
vita_vit_train_step (VitaVit *vit, VitaVitState *state, VitaVitGrads *g,
                     VitaNtxent *nt, float *m, float *v, const VitaSchedule *s,
                     gint64 step, const float *input, int B,
                     float *accuracy, float *grad_norm)
{
  const float tau = vit->cfg.temperature;
  vita_vit_forward_train (vit, state, input, B);
  float loss = vita_ntxent_forward (nt, state->acts.z, B, tau, accuracy);
  if (grad_norm)
    *grad_norm = NAN;
  if (!isfinite (loss))
    return loss;
  vita_vit_grads_zero (g);
  vita_ntxent_backward (nt, g->dz, B, tau, 1.0f);
  vita_vit_backward (vit, state, g, input, B);
  /* a non-finite gradient must not reach the weights (reliability.md item 19) */
  double ss = 0;
  for (gsize i = 0; i < g->num_params; i++)
    ss += (double) g->memory[i] * g->memory[i];
  if (!isfinite (ss))
    {
      if (grad_norm)
        *grad_norm = (float) ss;
      return NAN;
    }
  float norm = vita_adamw_step_vit (vit, g->memory, m, v, s, step);
  if (grad_norm)
    *grad_norm = norm;
  return loss;
}


/* ------------------------------------------------------------------------------ */
/* the step split over worker threads */

typedef struct {
  int            w0, n;        /* windows [w0, w0 + n) */
  VitaVitState  *state;
  VitaVitGrads  *grads;
} Worker;

struct _VitaTrainStep {
  VitaVitConfig cfg;
  int        B;
  int        n_workers;
  Worker    *workers;
  VitaNtxent *nt;
  float     *z;        /* (B, P) */
  float     *dz;       /* (B, P) */
  /* per phase */
  int        phase;    /* 0 forward, 1 backward, 2 gradient sum */
  const VitaVit *vit;
  const float   *input;
};

VitaTrainStep *
vita_train_step_new (const VitaVitConfig *cfg, int B, int workers)
{
  g_return_val_if_fail (B >= 2 && workers >= 1, NULL);
  VitaTrainStep *ts = g_new0 (VitaTrainStep, 1);
  ts->cfg = *cfg;
  ts->B = B;
  ts->n_workers = MIN (workers, B);
  ts->workers = g_new0 (Worker, ts->n_workers);
  for (int w = 0; w < ts->n_workers; w++)
    {
      Worker *wk = &ts->workers[w];
      wk->w0 = (int) ((gint64) B * w / ts->n_workers);
      wk->n = (int) ((gint64) B * (w + 1) / ts->n_workers) - wk->w0;
      wk->state = vita_vit_state_new (cfg, wk->n, TRUE);
      if (wk->state == NULL)
        {
          /* sizes from a file: NULL rather than abort (issue 15.2) */
          ts->n_workers = w;
          vita_train_step_free (ts);
          return NULL;
        }
      wk->grads = vita_vit_grads_new (cfg, wk->n);
    }
  ts->nt = vita_ntxent_new (B, cfg->proj_dim);
  ts->z = g_new0 (float, (gsize) B * cfg->proj_dim);
  ts->dz = g_new0 (float, (gsize) B * cfg->proj_dim);
  return ts;
}

void
vita_train_step_free (VitaTrainStep *ts)
{
  if (ts == NULL)
    return;
  for (int w = 0; w < ts->n_workers; w++)
    {
      vita_vit_state_free (ts->workers[w].state);
      vita_vit_grads_free (ts->workers[w].grads);
    }
  g_free (ts->workers);
  vita_ntxent_free (ts->nt);
  g_free (ts->z);
  g_free (ts->dz);
  g_free (ts);
}

typedef struct {
  VitaTrainStep *ts;
  int            w;
} WorkerJob;

static void
worker_phase (VitaTrainStep *ts, int w)
{
  Worker *wk = &ts->workers[w];
  const VitaVitConfig *c = &ts->cfg;
  const float *in = ts->input + (gsize) wk->w0 * c->frames * c->fe.n_mels;
  const int P = c->proj_dim;
  switch (ts->phase)
    {
    case 0:
      vita_vit_forward_train (ts->vit, wk->state, in, wk->n);
      memcpy (ts->z + (gsize) wk->w0 * P, wk->state->acts.z, (gsize) wk->n * P * sizeof (float));
      break;
    case 1:
      memset (wk->grads->memory, 0, wk->grads->num_params * sizeof (float));
      memcpy (wk->grads->dz, ts->dz + (gsize) wk->w0 * P, (gsize) wk->n * P * sizeof (float));
      vita_vit_backward (ts->vit, wk->state, wk->grads, in, wk->n);
      break;
    case 2:
      {
        /* worker w sums its slice of the parameters over all workers, in worker order */
        gsize n = wk->grads->num_params;
        gsize a = n * w / ts->n_workers, b = n * (w + 1) / ts->n_workers;
        float *dst = ts->workers[0].grads->memory;
        for (int k = 1; k < ts->n_workers; k++)
          {
            const float *src = ts->workers[k].grads->memory;
            for (gsize i = a; i < b; i++)
              dst[i] += src[i];
          }
        break;
      }
    }
}

static gpointer
worker_thread (gpointer data)
{
  WorkerJob *job = data;
  worker_phase (job->ts, job->w);
  return NULL;
}

static void
run_phase (VitaTrainStep *ts, int phase)
{
  ts->phase = phase;
  if (ts->n_workers == 1)
    {
      worker_phase (ts, 0);
      return;
    }
  /* a thread per extra worker and phase: creating one costs ~0.1 ms against the
   * hundreds of ms of a phase, and keeps no idle threads around */
  GThread *threads[64];
  WorkerJob jobs[64];
  int n = MIN (ts->n_workers, 64);
  for (int w = 1; w < n; w++)
    {
      jobs[w] = (WorkerJob) { ts, w };
      threads[w] = g_thread_new ("vita-train-worker", worker_thread, &jobs[w]);
    }
  worker_phase (ts, 0);
  for (int w = 1; w < n; w++)
    g_thread_join (threads[w]);
}

float
vita_train_step_run (VitaTrainStep *ts, VitaVit *vit, float *m, float *v,
                     const VitaSchedule *s, gint64 step, const float *input,
                     float *accuracy, float *grad_norm)
{
  g_assert (ts->n_workers <= 64);
  const int B = ts->B;
  const float tau = vit->cfg.temperature;
  ts->vit = vit;
  ts->input = input;
  if (grad_norm)
    *grad_norm = NAN;
  run_phase (ts, 0);
  float loss = vita_ntxent_forward (ts->nt, ts->z, B, tau, accuracy);
  if (!isfinite (loss))
    return loss;
  memset (ts->dz, 0, (gsize) B * ts->cfg.proj_dim * sizeof (float));
  vita_ntxent_backward (ts->nt, ts->dz, B, tau, 1.0f);
  run_phase (ts, 1);
  if (ts->n_workers > 1)
    run_phase (ts, 2);
  float *grads = ts->workers[0].grads->memory;
  double ss = 0;
  for (gsize i = 0; i < vit->num_params; i++)
    ss += (double) grads[i] * grads[i];
  if (!isfinite (ss))
    return NAN;
  float norm = vita_adamw_step_vit (vit, grads, m, v, s, step);
  if (grad_norm)
    *grad_norm = norm;
  return loss;
}
