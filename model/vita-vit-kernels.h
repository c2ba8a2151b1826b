/* vita-vit-kernels.h — the ViT-1D's forward kernels, in the llm.c manner
 * (https://github.com/karpathy/llm.c, train_gpt2.c): arguments are outputs, then
 * inputs, then sizes; one function per layer kind; a naive `_ref` twin of every
 * kernel (double accumulators, plain loops, libm) that the tests compare against.
 *
 * Shared by the forward pass (vita-vit.c) and the trainer's backward pass
 * (vita-vit-backward.c), which reads the activations these kernels cache.
 *
 * Sizes: BT = rows (windows × tokens), C = input channels, OC = output channels,
 * B windows of N tokens, NH heads of hs = C / NH channels.
 * Row-major everywhere; Linear weights are stored PyTorch-style (OC, C).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* out (BT, OC) = inp (BT, C) @ weight^T + bias.  weight (OC, C), bias (OC) or NULL.
 * One cblas_sgemm over all BT rows. */
void vita_matmul_forward (float *out, const float *inp, const float *weight, const float *bias,
                          int BT, int C, int OC);
/* Same with the rows of inp `in_stride` floats apart (e.g. the class token of each
 * window: inp = lnf, in_stride = N*C). */
void vita_matmul_forward_strided (float *out, const float *inp, int in_stride,
                                  const float *weight, const float *bias,
                                  int rows, int C, int OC);

/* out, mean, rstd (BT): LayerNorm over C with biased variance, as torch.nn.LayerNorm:
 * out = (x - mean) * rstd * weight + bias, rstd = 1 / sqrt(var + eps). */
void vita_layernorm_forward (float *out, float *mean, float *rstd, const float *inp,
                             const float *weight, const float *bias, int BT, int C, float eps);

/* Patch embedding to layer-0 tokens (vit1d-format.md, "Class token"):
 *   encoded[b, 0]   = cls_token + mean_t patch[b, t] + pos_embed[0]
 *   encoded[b, 1+t] = patch[b, t] + pos_embed[1+t]
 * patch (B, T, C) already holds frames @ patch_w^T + patch_b. encoded (B, T+1, C). */
void vita_encoder_forward (float *encoded, const float *patch, const float *cls_token,
                           const float *pos_embed, int B, int T, int C);

/* Multi-head softmax attention (timm Attention, no mask):
 *   qkv (B, N, 3C): q = [0, C), k = [C, 2C), v = [2C, 3C); head h owns channels
 *   h*hs .. (h+1)*hs-1 of each.
 *   att (B, NH, N, N) = softmax_rows(q_h k_h^T / sqrt(hs))   (row = query)
 *   out (B, N, C): head h's att @ v_h written to channels h*hs .. (h+1)*hs-1.
 * One fused, tiled kernel per (b, h) — scores, softmax and att @ v from registers,
 * 32 KiB of stack scratch, no allocation (see the comment in vita-vit-kernels.c);
 * vita_attention_forward_ref is its naive twin. */
void vita_attention_forward (float *out, float *att, const float *qkv,
                             int B, int N, int C, int NH);

/* Exact GELU, 0.5 x (1 + erf(x / sqrt 2)) (torch.nn.GELU(approximate="none")).
 * erf is a rational minimax approximation (|error| < 4e-7, the one Eigen/XLA use)
 * that the compiler vectorises; glibc's erff is a scalar call ~10× slower. */
void vita_gelu_forward (float *out, const float *inp, gsize n);
void vita_relu_forward (float *out, const float *inp, gsize n);
/* out = inp1 + inp2 (out may alias either). */
void vita_residual_forward (float *out, const float *inp1, const float *inp2, gsize n);
/* out[r, c] = (out[r, c] + bias[c]) + residual[r, c] over (rows, C): a product made
 * without its bias (sgemm's beta 0: no bias rows to copy, no C to read), then its bias
 * and the residual in one pass.  (Not always the bits of a product given its bias as
 * C: OpenBLAS adds C before the sum over its blocks of k.) */
void vita_bias_residual_forward (float *out, const float *bias, const float *residual,
                                 int rows, int C);
void vita_bias_residual_forward_ref (float *out, const float *bias, const float *residual,
                                     int rows, int C);

/* In-place softmax of each of `rows` rows of length n (max-subtracted). */
void vita_softmax_forward (float *x, int rows, int n);

/* Analysis kernels (model/vita-analysis.c), each with a plain `_ref` twin:
 * whether n floats are all finite; */
gboolean vita_all_finite (const float *x, gsize n);
gboolean vita_all_finite_ref (const float *x, gsize n);
/* acc[k] += Σ_r x[r · stride + k], k < n, rows added in order (each column is
 * summed as the plain loop sums it: the same bits); */
void vita_column_sums (float *acc, const float *x, int rows, gsize stride, int n);
void vita_column_sums_ref (float *acc, const float *x, int rows, gsize stride, int n);
/* acc += row / max(‖row‖, 1e-8) (torch's cosine_similarity eps) over n floats. */
void vita_add_unit_row (float *acc, const float *row, int n);
void vita_add_unit_row_ref (float *acc, const float *row, int n);

/* erf as used by vita_gelu_forward (the backward needs the same function). */
float vita_erff (float x);

/* Tests: TRUE makes the element-wise kernels use their baseline x86-64 build even
 * on an AVX2+FMA CPU (both builds must pass the golden tests). */
void vita_kernels_force_baseline (gboolean baseline);
/* Tests: the most the kernels may use — 0 baseline x86-64, 1 AVX2+FMA, 2 AVX-512
 * (the fused attention; the other kernels stop at AVX2) — capped by the CPU. */
void vita_kernels_limit_isa (int level);

/* ---- naive references (tests only: slow, obviously correct) ---- */
void vita_matmul_forward_ref (float *out, const float *inp, int in_stride,
                              const float *weight, const float *bias, int rows, int C, int OC);
void vita_layernorm_forward_ref (float *out, float *mean, float *rstd, const float *inp,
                                 const float *weight, const float *bias, int BT, int C, float eps);
void vita_encoder_forward_ref (float *encoded, const float *patch, const float *cls_token,
                               const float *pos_embed, int B, int T, int C);
void vita_attention_forward_ref (float *out, float *att, const float *qkv,
                                 int B, int N, int C, int NH);
void vita_gelu_forward_ref (float *out, const float *inp, gsize n);

G_END_DECLS
