/* vita-vit-kernels.c — forward kernels of the ViT-1D (see vita-vit-kernels.h).
 *
 * Matrix products go to cblas_sgemm, except the per-(window, head) attention, one
 * fused kernel (too small for sgemm to reach speed).  The element-wise kernels (softmax, LayerNorm,
 * GELU) are written with GCC/Clang vector extensions, 8 floats at a time: without
 * -ffast-math the compiler will neither vectorise float reductions nor turn the
 * clamps of exp/erf into blends, and glibc's expf/erff are scalar calls (erff
 * alone cost 7 ms of a 35 ms window).  Each such kernel is compiled twice, for
 * AVX2+FMA and for baseline x86-64, and picks one at run time, so the binary still
 * runs on any x86-64. */

#include "vita-vit-kernels.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

/* VITA_KERNEL (name, (params), (args)): defines name() from the always-inlined
 * name_body(), compiled twice — for AVX2+FMA and for baseline x86-64 — and picks
 * one at run time (GCC's target_clones cannot ask for two ISA extensions at once). */
static gint isa_limit = 2;   /* tests: 0 baseline, 1 AVX2+FMA, 2 AVX-512 (the best the CPU has) */

void
vita_kernels_limit_isa (int level)
{
  g_atomic_int_set (&isa_limit, CLAMP (level, 0, 2));
}

void
vita_kernels_force_baseline (gboolean baseline)
{
  vita_kernels_limit_isa (baseline ? 0 : 2);
}

#if defined(__GNUC__) && defined(__x86_64__)
/* 2: AVX-512F (+AVX2, FMA), 1: AVX2+FMA, 0: baseline; within the tests' limit. */
static inline int
kernel_isa (void)
{
  int level = 0;
  if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
    level = __builtin_cpu_supports ("avx512f") ? 2 : 1;
  return MIN (level, g_atomic_int_get (&isa_limit));
}

static inline gboolean
use_avx2 (void)
{
  return kernel_isa () >= 1;
}

#define VITA_KERNEL(name, params, args)                                       \
  static __attribute__ ((target ("avx2,fma"))) void name##_avx2 params        \
  { name##_body args; }                                                       \
  static void name##_base params { name##_body args; }                        \
  void name params                                                            \
  {                                                                           \
    if (use_avx2 ())                                                          \
      name##_avx2 args;                                                       \
    else                                                                      \
      name##_base args;                                                       \
  }
#else
#define VITA_KERNEL(name, params, args) \
  void name params { name##_body args; }
#endif
#define VITA_BODY static inline __attribute__ ((always_inline)) void
#define VITA_INLINE static inline __attribute__ ((always_inline))

/* 8-float vectors (GCC vector extensions; two SSE registers on baseline x86-64). */
#pragma GCC diagnostic ignored "-Wpsabi"
typedef float vf __attribute__ ((vector_size (32)));
typedef gint32 vi __attribute__ ((vector_size (32)));
#define VL 8

VITA_INLINE vf vf_load (const float *p) { vf v; memcpy (&v, p, sizeof v); return v; }
VITA_INLINE void vf_store (float *p, vf v) { memcpy (p, &v, sizeof v); }
VITA_INLINE vf vf_set (float x) { return (vf) { x, x, x, x, x, x, x, x }; }
VITA_INLINE vf vf_select (vi mask, vf a, vf b) { return (vf) (((vi) a & mask) | ((vi) b & ~mask)); }
/* min/max that keep a NaN in a (so a NaN input never turns into a finite output) */
VITA_INLINE vf vf_min (vf a, vf b) { return vf_select (b < a, b, a); }
VITA_INLINE vf vf_max (vf a, vf b) { return vf_select (b > a, b, a); }
VITA_INLINE float
vf_hsum (vf v)
{
  float s = 0.0f;
  for (int i = 0; i < VL; i++)
    s += v[i];
  return s;
}
VITA_INLINE float
vf_hmax (vf v)
{
  float m = v[0];
  for (int i = 1; i < VL; i++)
    m = v[i] > m ? v[i] : m;
  return m;
}

/* ------------------------------------------------------------------ matmul */

void
vita_matmul_forward_strided (float *out, const float *inp, int in_stride,
                             const float *weight, const float *bias,
                             int rows, int C, int OC)
{
  float beta = 0.0f;
  if (bias != NULL)
    {
      for (int r = 0; r < rows; r++)
        memcpy (out + (gsize) r * OC, bias, (gsize) OC * sizeof (float));
      beta = 1.0f;
    }
  /* out (rows, OC) = inp (rows, C) · weight (OC, C)^T */
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, rows, OC, C,
               1.0f, inp, in_stride, weight, C, beta, out, OC);
}

void
vita_matmul_forward (float *out, const float *inp, const float *weight, const float *bias,
                     int BT, int C, int OC)
{
  vita_matmul_forward_strided (out, inp, C, weight, bias, BT, C, OC);
}

/* --------------------------------------------------------------- layernorm */

VITA_BODY
vita_layernorm_forward_body (float *out, float *mean, float *rstd, const float *inp,
                             const float *weight, const float *bias, int BT, int C, float eps)
{
  for (int r = 0; r < BT; r++)
    {
      const float *x = inp + (gsize) r * C;
      float *o = out + (gsize) r * C;
      int i;
      vf vs = vf_set (0.0f);
      for (i = 0; i + VL <= C; i += VL)
        vs += vf_load (x + i);
      float m = vf_hsum (vs);
      for (; i < C; i++)
        m += x[i];
      m /= C;
      /* two-pass variance (llm.c layernorm_forward) */
      vf vv = vf_set (0.0f);
      for (i = 0; i + VL <= C; i += VL)
        {
          vf d = vf_load (x + i) - m;
          vv += d * d;
        }
      float v = vf_hsum (vv);
      for (; i < C; i++)
        v += (x[i] - m) * (x[i] - m);
      v /= C;
      float s = 1.0f / sqrtf (v + eps);
      for (i = 0; i + VL <= C; i += VL)
        vf_store (o + i, (vf_load (x + i) - m) * s * vf_load (weight + i) + vf_load (bias + i));
      for (; i < C; i++)
        o[i] = (x[i] - m) * s * weight[i] + bias[i];
      mean[r] = m;
      rstd[r] = s;
    }
}

VITA_KERNEL (vita_layernorm_forward,
             (float *out, float *mean, float *rstd, const float *inp,
              const float *weight, const float *bias, int BT, int C, float eps),
             (out, mean, rstd, inp, weight, bias, BT, C, eps))

/* ----------------------------------------------------------------- encoder */

void
vita_encoder_forward (float *encoded, const float *patch, const float *cls_token,
                      const float *pos_embed, int B, int T, int C)
{
  int N = T + 1;
  for (int b = 0; b < B; b++)
    {
      const float *p = patch + (gsize) b * T * C;
      float *e = encoded + (gsize) b * N * C;
      /* class token = learned vector + mean of the projected frames (vit1d-format.md) */
      memset (e, 0, (gsize) C * sizeof (float));
      for (int t = 0; t < T; t++)
        for (int i = 0; i < C; i++)
          e[i] += p[(gsize) t * C + i];
      for (int i = 0; i < C; i++)
        e[i] = cls_token[i] + e[i] / T + pos_embed[i];
      for (int t = 0; t < T; t++)
        for (int i = 0; i < C; i++)
          e[(gsize) (t + 1) * C + i] = p[(gsize) t * C + i] + pos_embed[(gsize) (t + 1) * C + i];
    }
}

/* ----------------------------------------------------------------- softmax */

/* exp for the softmax: Cephes' expf (range reduction by ln 2 in two parts, degree-6
 * polynomial, ~1 ulp) written without calls so the loop vectorises.  Inputs are
 * max-subtracted (<= 0); below -87 the result is clamped to exp(-87) ≈ 1.6e-38,
 * which is 0 for a probability row whose maximum term is 1. */
#define EXP_MAGIC 12582912.0f  /* 1.5 · 2^23: x + M - M rounds x to an integer */
#define EXP_POLY(r) \
  (((((1.9875691500e-4f * (r) + 1.3981999507e-3f) * (r) + 8.3334519073e-3f) * (r) \
     + 4.1665795894e-2f) * (r) + 1.6666665459e-1f) * (r) + 5.0000001201e-1f)

VITA_INLINE float
exp_poly (float x)
{
  if (isnan (x))
    return x;
  x = x < -87.0f ? -87.0f : x;
  x = x > 88.0f ? 88.0f : x;
  float n = (x * 1.44269504088896341f + EXP_MAGIC) - EXP_MAGIC;
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float y = EXP_POLY (r) * (r * r) + r + 1.0f;
  gint32 e = ((gint32) n + 127) << 23;
  float scale;
  memcpy (&scale, &e, sizeof scale);
  return y * scale;
}

VITA_INLINE vf
exp_poly_v (vf x)
{
  x = vf_max (x, vf_set (-87.0f));
  x = vf_min (x, vf_set (88.0f));
  vf n = (x * 1.44269504088896341f + EXP_MAGIC) - EXP_MAGIC;
  vf r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  vf y = EXP_POLY (r) * (r * r) + r + 1.0f;
  vi e = (__builtin_convertvector (n, vi) + 127) << 23;
  return y * (vf) e;
}

VITA_BODY
vita_softmax_forward_body (float *x, int rows, int n)
{
  for (int r = 0; r < rows; r++)
    {
      float *row = x + (gsize) r * n;
      int i;
      vf vm = vf_set (row[0]);
      for (i = 0; i + VL <= n; i += VL)
        vm = vf_max (vm, vf_load (row + i));
      float m = vf_hmax (vm);
      for (; i < n; i++)
        m = row[i] > m ? row[i] : m;
      vf vs = vf_set (0.0f);
      for (i = 0; i + VL <= n; i += VL)
        {
          vf e = exp_poly_v (vf_load (row + i) - m);
          vf_store (row + i, e);
          vs += e;
        }
      float s = vf_hsum (vs);
      for (; i < n; i++)
        {
          float e = exp_poly (row[i] - m);
          row[i] = e;
          s += e;
        }
      float inv = 1.0f / s;
      for (i = 0; i + VL <= n; i += VL)
        vf_store (row + i, vf_load (row + i) * inv);
      for (; i < n; i++)
        row[i] *= inv;
    }
}

VITA_KERNEL (vita_softmax_forward, (float *x, int rows, int n), (x, rows, n))

/* --------------------------------------------------------------- attention */

/* One fused kernel per (window, head) instead of two small sgemms and a softmax:
 * at N 127 and hs 64 each sgemm is too small for OpenBLAS to reach speed (it packs
 * both operands for a product of 127 × 127 × 64), while here the head's keys are
 * transposed once into a tile that stays in L1 and every score, probability and
 * output is computed from registers:
 *   1. scores: K's tile (ATT_CT channels × ATT_JT keys) is transposed into kt so
 *      that a block of ATT_RB queries × 2 vectors of keys is 2·ATT_RB vector
 *      accumulators fed by broadcasts of q; a = scale · acc (as sgemm's alpha);
 *   2. softmax of each row in place (vita_softmax_forward's exp);
 *   3. out = a · v: a block of ATT_RB rows × 2 vectors of channels, broadcasts of a
 *      against rows of v.
 * Longer windows or wider heads are tiled (keys by ATT_JT, channels by ATT_CT), so
 * the scratch is a fixed 32 KiB on the stack whatever the model.  The body
 * (vita-vit-attention.inc) is compiled three times: 16-float vectors for AVX-512
 * (what OpenBLAS's sgemm uses on such CPUs: 8-float vectors would lose to the two
 * sgemms), 8-float for AVX2+FMA, and baseline x86-64. */
#define ATT_JT 128   /* keys per tile (a multiple of 32) */
#define ATT_CT 64    /* channels per tile */
#define ATT_KS (ATT_JT + 16)   /* kt row stride: not a multiple of 4 KiB / 8, so the
                                  transposing stores do not all hit one cache set */

#if defined(__GNUC__) && defined(__x86_64__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
typedef float vf16 __attribute__ ((vector_size (64)));
typedef gint32 vi16 __attribute__ ((vector_size (64)));
#pragma GCC diagnostic pop

#define ATT_NAME   attention_forward_avx512
#define ATT_TARGET __attribute__ ((target ("avx512f,avx2,fma")))
#define ATT_VEC    vf16
#define ATT_IVEC   vi16
#define ATT_W      16
#define ATT_RB     6
#include "vita-vit-attention.inc"
#undef ATT_NAME
#undef ATT_TARGET
#undef ATT_VEC
#undef ATT_IVEC
#undef ATT_W
#undef ATT_RB

#define ATT_NAME   attention_forward_avx2
#define ATT_TARGET __attribute__ ((target ("avx2,fma")))
#define ATT_VEC    vf
#define ATT_IVEC   vi
#define ATT_W      8
#define ATT_RB     6
#include "vita-vit-attention.inc"
#undef ATT_NAME
#undef ATT_TARGET
#undef ATT_VEC
#undef ATT_IVEC
#undef ATT_W
#undef ATT_RB
#endif

#define ATT_NAME   attention_forward_base
#define ATT_TARGET
#define ATT_VEC    vf
#define ATT_IVEC   vi
#define ATT_W      8
#define ATT_RB     4
#include "vita-vit-attention.inc"
#undef ATT_NAME
#undef ATT_TARGET
#undef ATT_VEC
#undef ATT_IVEC
#undef ATT_W
#undef ATT_RB

void
vita_attention_forward (float *out, float *att, const float *qkv, int B, int N, int C, int NH)
{
#if defined(__GNUC__) && defined(__x86_64__)
  int isa = kernel_isa ();
  if (isa >= 2)
    {
      attention_forward_avx512 (out, att, qkv, B, N, C, NH);
      return;
    }
  if (isa == 1)
    {
      attention_forward_avx2 (out, att, qkv, B, N, C, NH);
      return;
    }
#endif
  attention_forward_base (out, att, qkv, B, N, C, NH);
}

/* -------------------------------------------------------------- activations */

/* erf(x) ≈ x·P(x²)/Q(x²) on [-4, 4] (±1 outside, exact in float): the rational
 * minimax fit of Eigen's generic_fast_erf_float / XLA's ErfImpl32, |error| < 4e-7. */
#define ERF_P(x2) \
  ((((((-2.72614225801306e-10f * (x2) + 2.77068142495902e-08f) * (x2) \
       + -2.10102402082508e-06f) * (x2) + -5.69250639462346e-05f) * (x2) \
     + -7.34990630326855e-04f) * (x2) + -2.95459980854025e-03f) * (x2) + -1.60960333262415e-02f)
#define ERF_Q(x2) \
  ((((-1.45660718464996e-05f * (x2) + -2.13374055278905e-04f) * (x2) \
     + -1.68282697438203e-03f) * (x2) + -7.37332916720468e-03f) * (x2) + -1.42647390514189e-02f)

VITA_INLINE float
erf_rational (float x)
{
  x = x > 4.0f ? 4.0f : x;
  x = x < -4.0f ? -4.0f : x;
  float x2 = x * x;
  return x * ERF_P (x2) / ERF_Q (x2);
}

VITA_INLINE vf
erf_rational_v (vf x)
{
  x = vf_min (x, vf_set (4.0f));
  x = vf_max (x, vf_set (-4.0f));
  vf x2 = x * x;
  return x * ERF_P (x2) / ERF_Q (x2);
}

float
vita_erff (float x)
{
  return erf_rational (x);
}

VITA_BODY
vita_gelu_forward_body (float *out, const float *inp, gsize n)
{
  gsize i;
  for (i = 0; i + VL <= n; i += VL)
    {
      vf x = vf_load (inp + i);
      vf_store (out + i, 0.5f * x * (1.0f + erf_rational_v (x * (float) M_SQRT1_2)));
    }
  for (; i < n; i++)
    {
      float x = inp[i];
      out[i] = 0.5f * x * (1.0f + erf_rational (x * (float) M_SQRT1_2));
    }
}

VITA_KERNEL (vita_gelu_forward, (float *out, const float *inp, gsize n), (out, inp, n))

void
vita_relu_forward (float *out, const float *inp, gsize n)
{
  for (gsize i = 0; i < n; i++)
    out[i] = inp[i] > 0.0f ? inp[i] : 0.0f;
}

void
vita_residual_forward (float *out, const float *inp1, const float *inp2, gsize n)
{
  for (gsize i = 0; i < n; i++)
    out[i] = inp1[i] + inp2[i];
}

VITA_BODY
vita_bias_residual_forward_body (float *out, const float *bias, const float *residual,
                                 int rows, int C)
{
  for (int r = 0; r < rows; r++)
    {
      float *o = out + (gsize) r * C;
      const float *res = residual + (gsize) r * C;
      int c = 0;
      for (; c + VL <= C; c += VL)
        vf_store (o + c, (vf_load (o + c) + vf_load (bias + c)) + vf_load (res + c));
      for (; c < C; c++)
        o[c] = (o[c] + bias[c]) + res[c];
    }
}

VITA_KERNEL (vita_bias_residual_forward,
             (float *out, const float *bias, const float *residual, int rows, int C),
             (out, bias, residual, rows, C))

/* ---------------------------------------------------------------- analysis */

VITA_BODY
vita_all_finite_k_body (const float *x, gsize n, gboolean *ok)
{
  /* x − x is 0 for a finite x and NaN for ±Inf or NaN; NaN stays in the sum */
  vf acc = vf_set (0.0f);
  gsize i;
  for (i = 0; i + VL <= n; i += VL)
    {
      vf v = vf_load (x + i);
      acc += v - v;
    }
  float s = vf_hsum (acc);
  for (; i < n; i++)
    s += x[i] - x[i];
  *ok = s == 0.0f;
}

void vita_all_finite_k (const float *x, gsize n, gboolean *ok);
VITA_KERNEL (vita_all_finite_k, (const float *x, gsize n, gboolean *ok), (x, n, ok))

gboolean
vita_all_finite (const float *x, gsize n)
{
  gboolean ok;
  vita_all_finite_k (x, n, &ok);
  return ok;
}

VITA_BODY
vita_column_sums_body (float *acc, const float *x, int rows, gsize stride, int n)
{
  int k = 0;
  for (; k + VL <= n; k += VL)
    {
      vf a = vf_load (acc + k);
      for (int r = 0; r < rows; r++)
        a += vf_load (x + (gsize) r * stride + k);
      vf_store (acc + k, a);
    }
  for (; k < n; k++)
    {
      float a = acc[k];
      for (int r = 0; r < rows; r++)
        a += x[(gsize) r * stride + k];
      acc[k] = a;
    }
}

VITA_KERNEL (vita_column_sums, (float *acc, const float *x, int rows, gsize stride, int n),
             (acc, x, rows, stride, n))

VITA_BODY
vita_add_unit_row_body (float *acc, const float *row, int n)
{
  vf ss = vf_set (0.0f);
  int k;
  for (k = 0; k + VL <= n; k += VL)
    {
      vf v = vf_load (row + k);
      ss += v * v;
    }
  double s = vf_hsum (ss);
  for (; k < n; k++)
    s += (double) row[k] * row[k];
  vf inv = vf_set ((float) (1.0 / MAX (sqrt (s), 1e-8)));
  for (k = 0; k + VL <= n; k += VL)
    vf_store (acc + k, vf_load (acc + k) + vf_load (row + k) * inv);
  for (; k < n; k++)
    acc[k] += row[k] * inv[0];
}

VITA_KERNEL (vita_add_unit_row, (float *acc, const float *row, int n), (acc, row, n))

/* --------------------------------------------------------------- references */

void
vita_matmul_forward_ref (float *out, const float *inp, int in_stride,
                         const float *weight, const float *bias, int rows, int C, int OC)
{
  for (int r = 0; r < rows; r++)
    for (int o = 0; o < OC; o++)
      {
        double acc = bias ? bias[o] : 0.0;
        for (int i = 0; i < C; i++)
          acc += (double) inp[(gsize) r * in_stride + i] * weight[(gsize) o * C + i];
        out[(gsize) r * OC + o] = (float) acc;
      }
}

void
vita_layernorm_forward_ref (float *out, float *mean, float *rstd, const float *inp,
                            const float *weight, const float *bias, int BT, int C, float eps)
{
  for (int r = 0; r < BT; r++)
    {
      const float *x = inp + (gsize) r * C;
      double m = 0, v = 0;
      for (int i = 0; i < C; i++)
        m += x[i];
      m /= C;
      for (int i = 0; i < C; i++)
        v += (x[i] - m) * (x[i] - m);
      v /= C;
      double s = 1.0 / sqrt (v + eps);
      for (int i = 0; i < C; i++)
        out[(gsize) r * C + i] = (float) ((x[i] - m) * s * weight[i] + bias[i]);
      mean[r] = (float) m;
      rstd[r] = (float) s;
    }
}

void
vita_encoder_forward_ref (float *encoded, const float *patch, const float *cls_token,
                          const float *pos_embed, int B, int T, int C)
{
  int N = T + 1;
  for (int b = 0; b < B; b++)
    for (int i = 0; i < C; i++)
      {
        double acc = 0;
        for (int t = 0; t < T; t++)
          acc += patch[((gsize) b * T + t) * C + i];
        encoded[(gsize) b * N * C + i] = (float) (cls_token[i] + acc / T + pos_embed[i]);
        for (int t = 0; t < T; t++)
          encoded[((gsize) b * N + t + 1) * C + i] =
            patch[((gsize) b * T + t) * C + i] + pos_embed[(gsize) (t + 1) * C + i];
      }
}

void
vita_attention_forward_ref (float *out, float *att, const float *qkv,
                            int B, int N, int C, int NH)
{
  int hs = C / NH;
  double scale = 1.0 / sqrt ((double) hs);
  for (int b = 0; b < B; b++)
    for (int h = 0; h < NH; h++)
      for (int i = 0; i < N; i++)
        {
          const float *q = qkv + ((gsize) b * N + i) * 3 * C + (gsize) h * hs;
          float *a = att + (((gsize) b * NH + h) * N + i) * N;
          double m = -INFINITY, s = 0;
          double *row = g_new (double, N);
          for (int j = 0; j < N; j++)
            {
              const float *k = qkv + ((gsize) b * N + j) * 3 * C + C + (gsize) h * hs;
              double dot = 0;
              for (int c = 0; c < hs; c++)
                dot += (double) q[c] * k[c];
              row[j] = dot * scale;
              m = fmax (m, row[j]);
            }
          for (int j = 0; j < N; j++)
            {
              row[j] = exp (row[j] - m);
              s += row[j];
            }
          for (int j = 0; j < N; j++)
            {
              row[j] /= s;
              a[j] = (float) row[j];
            }
          for (int c = 0; c < hs; c++)
            {
              double acc = 0;
              for (int j = 0; j < N; j++)
                acc += row[j] * qkv[((gsize) b * N + j) * 3 * C + 2 * C + (gsize) h * hs + c];
              out[((gsize) b * N + i) * C + (gsize) h * hs + c] = (float) acc;
            }
          g_free (row);
        }
}

void
vita_gelu_forward_ref (float *out, const float *inp, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      double x = inp[i];
      out[i] = (float) (0.5 * x * (1.0 + erf (x * M_SQRT1_2)));
    }
}

gboolean
vita_all_finite_ref (const float *x, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (!isfinite (x[i]))
      return FALSE;
  return TRUE;
}

void
vita_column_sums_ref (float *acc, const float *x, int rows, gsize stride, int n)
{
  for (int r = 0; r < rows; r++)
    for (int k = 0; k < n; k++)
      acc[k] += x[(gsize) r * stride + k];
}

void
vita_add_unit_row_ref (float *acc, const float *row, int n)
{
  double ss = 0;
  for (int k = 0; k < n; k++)
    ss += (double) row[k] * row[k];
  float inv = (float) (1.0 / MAX (sqrt (ss), 1e-8));
  for (int k = 0; k < n; k++)
    acc[k] += row[k] * inv;
}

void
vita_bias_residual_forward_ref (float *out, const float *bias, const float *residual,
                                int rows, int C)
{
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < C; c++)
      {
        float t = out[(gsize) r * C + c] + bias[c];
        out[(gsize) r * C + c] = t + residual[(gsize) r * C + c];
      }
}
