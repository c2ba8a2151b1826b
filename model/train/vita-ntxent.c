/* vita-ntxent.c — NT-Xent loss (SimCLR, Chen et al. 2020, eq. 1) over 2 × pairs
 * projections, forward and backward.  Row i's positive is row (i + B/2) mod B; the
 * other B − 2 rows are its negatives; the row itself is excluded (masked to −inf, as
 * the usual PyTorch implementation does with logits.fill_diagonal_(-inf)). */
#include "vita-train.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#define NORM_EPS 1e-12f  /* torch.nn.functional.normalize's default eps */

VitaNtxent *
vita_ntxent_new (int B, int P)
{
  g_return_val_if_fail (B >= 2 && P >= 1, NULL);
  VitaNtxent *nt = g_new0 (VitaNtxent, 1);
  nt->B = B;
  nt->P = P;
  nt->zn = g_new0 (float, (gsize) B * P);
  nt->dzn = g_new0 (float, (gsize) B * P);
  nt->norm = g_new0 (float, B);
  nt->prob = g_new0 (float, (gsize) B * B);
  nt->scratch = g_new0 (float, (gsize) B * B);
  return nt;
}

void
vita_ntxent_free (VitaNtxent *nt)
{
  if (nt == NULL)
    return;
  g_free (nt->zn);
  g_free (nt->dzn);
  g_free (nt->norm);
  g_free (nt->prob);
  g_free (nt->scratch);
  g_free (nt);
}

float
vita_ntxent_forward (VitaNtxent *nt, const float *z, int B, float tau, float *accuracy)
{
  g_assert (B >= 2 && B % 2 == 0 && B <= nt->B);
  const int P = nt->P;
  const int half = B / 2;

  for (int i = 0; i < B; i++)
    {
      const float *zi = z + (gsize) i * P;
      double ss = 0;
      for (int k = 0; k < P; k++)
        ss += (double) zi[k] * zi[k];
      float n = (float) sqrt (ss);
      nt->norm[i] = n;  /* raw norm; the clamp is applied where it is used */
      float inv = 1.0f / fmaxf (n, NORM_EPS);
      float *zn = nt->zn + (gsize) i * P;
      for (int k = 0; k < P; k++)
        zn[k] = zi[k] * inv;
    }

  /* logits = zn zn^T / τ: (B, B) */
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, B, B, P,
               1.0f / tau, nt->zn, P, nt->zn, P, 0.0f, nt->prob, B);

  double loss = 0;
  int correct = 0;
  for (int i = 0; i < B; i++)
    {
      float *row = nt->prob + (gsize) i * B;
      const int pos = (i + half) % B;
      float maxv = -INFINITY;
      int argmax = -1;
      for (int j = 0; j < B; j++)
        if (j != i && row[j] > maxv)
          {
            maxv = row[j];
            argmax = j;
          }
      correct += argmax == pos;
      const float logit_pos = row[pos];
      double sum = 0;
      for (int j = 0; j < B; j++)
        {
          float e = j == i ? 0.0f : expf (row[j] - maxv);
          row[j] = e;
          sum += e;
        }
      const float inv = (float) (1.0 / sum);
      for (int j = 0; j < B; j++)
        row[j] *= inv;
      /* −log softmax at the positive */
      loss += -((double) logit_pos - maxv - log (sum));
    }
  if (accuracy)
    *accuracy = (float) correct / B;
  return (float) (loss / B);
}

void
vita_ntxent_backward (VitaNtxent *nt, float *dz, int B, float tau, float dloss)
{
  g_assert (B >= 2 && B % 2 == 0 && B <= nt->B);
  const int P = nt->P;
  const int half = B / 2;
  const float scale = dloss / B;

  /* G = dloss/dlogits = (softmax − onehot(pos)) / B, diagonal 0 (masked).  The
   * logits are symmetric in zn, so dzn = (G + G^T) zn / τ. */
  float *S = nt->scratch;
  for (int i = 0; i < B; i++)
    for (int j = 0; j < B; j++)
      {
        float gij = nt->prob[(gsize) i * B + j] - (j == (i + half) % B ? 1.0f : 0.0f);
        float gji = nt->prob[(gsize) j * B + i] - (i == (j + half) % B ? 1.0f : 0.0f);
        S[(gsize) i * B + j] = i == j ? 0.0f : (gij + gji) * scale;
      }
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, B, P, B,
               1.0f / tau, S, B, nt->zn, P, 0.0f, nt->dzn, P);

  /* through zn = z / max(||z||, eps): dz = (dzn − zn (zn·dzn)) / ||z||; when the
   * clamp is active the norm is a constant and dz = dzn / eps (as autograd does). */
  for (int i = 0; i < B; i++)
    {
      const float *zn = nt->zn + (gsize) i * P;
      const float *dzn = nt->dzn + (gsize) i * P;
      float *dzi = dz + (gsize) i * P;
      const float n = nt->norm[i];
      if (n > NORM_EPS)
        {
          double dot = 0;
          for (int k = 0; k < P; k++)
            dot += (double) zn[k] * dzn[k];
          const float inv = 1.0f / n;
          for (int k = 0; k < P; k++)
            dzi[k] += (dzn[k] - zn[k] * (float) dot) * inv;
        }
      else
        for (int k = 0; k < P; k++)
          dzi[k] += dzn[k] / NORM_EPS;
    }
}

double
vita_ntxent_loss_ref (const float *z, int B, int P, float tau, double *accuracy)
{
  g_assert (B >= 2 && B % 2 == 0);
  double *zn = g_new (double, (gsize) B * P);
  for (int i = 0; i < B; i++)
    {
      double ss = 0;
      for (int k = 0; k < P; k++)
        ss += (double) z[i * P + k] * z[i * P + k];
      double n = fmax (sqrt (ss), (double) NORM_EPS);
      for (int k = 0; k < P; k++)
        zn[i * P + k] = z[i * P + k] / n;
    }
  double loss = 0;
  int correct = 0;
  for (int i = 0; i < B; i++)
    {
      int pos = (i + B / 2) % B;
      double sum = 0, best = -INFINITY, lpos = 0;
      int arg = -1;
      for (int j = 0; j < B; j++)
        {
          if (j == i)
            continue;
          double s = 0;
          for (int k = 0; k < P; k++)
            s += zn[i * P + k] * zn[j * P + k];
          s /= tau;
          if (s > best)
            {
              best = s;
              arg = j;
            }
          if (j == pos)
            lpos = s;
          sum += exp (s);
        }
      correct += arg == pos;
      loss += log (sum) - lpos;
    }
  g_free (zn);
  if (accuracy)
    *accuracy = (double) correct / B;
  return loss / B;
}
