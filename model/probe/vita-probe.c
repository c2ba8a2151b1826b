/* vita-probe.c — linear probes: mini-batch Adam, cblas_sgemm (see vita-probe.h). */
#include "vita-probe.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

void
vita_probe_train_options_init (VitaProbeTrainOptions *opt)
{
  opt->epochs = 20;
  opt->batch = 256;
  opt->lr = 3e-3f;
  opt->weight_decay = 1e-4f;
  opt->seed = 1;
  opt->max_pos_weight = 50.0f;
}

VitaProbe *
vita_probe_new (int dim, int n_classes, VitaProbeActivation activation)
{
  g_return_val_if_fail (dim > 0 && n_classes > 0, NULL);
  VitaProbe *p = g_new0 (VitaProbe, 1);
  p->dim = dim;
  p->n_classes = n_classes;
  p->activation = activation;
  p->weight = g_new0 (float, (gsize) n_classes * dim);
  p->bias = g_new0 (float, n_classes);
  p->task = g_strdup ("probe");
  p->frame_level = TRUE;
  p->pool = VITA_POOL_TOKEN;
  p->labels = g_ptr_array_new_with_free_func (g_free);
  for (int c = 0; c < n_classes; c++)
    g_ptr_array_add (p->labels, g_strdup_printf ("%d", c));
  p->figures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return p;
}

void
vita_probe_free (VitaProbe *p)
{
  if (!p)
    return;
  g_free (p->weight);
  g_free (p->bias);
  g_free (p->task);
  if (p->labels)
    g_ptr_array_unref (p->labels);
  if (p->figures)
    g_hash_table_unref (p->figures);
  g_free (p);
}

static const char *const pool_names[] = { "token", "cls", "mean", "cls+mean" };

const char *
vita_pool_name (VitaPool pool)
{
  return (guint) pool < G_N_ELEMENTS (pool_names) ? pool_names[pool] : "?";
}

gboolean
vita_pool_from_name (const char *name, VitaPool *pool)
{
  for (guint i = 0; i < G_N_ELEMENTS (pool_names); i++)
    if (g_strcmp0 (name, pool_names[i]) == 0)
      {
        *pool = (VitaPool) i;
        return TRUE;
      }
  return FALSE;
}

void
vita_probe_pool (VitaPool pool, const float *tokens, int n_tokens, int dim, float *out)
{
  g_return_if_fail (n_tokens >= 2);
  const float *cls = tokens;
  for (int d = 0; d < dim; d++)
    {
      double m = 0;
      for (int t = 1; t < n_tokens; t++)
        m += tokens[(gsize) t * dim + d];
      m /= (n_tokens - 1);
      switch (pool)
        {
        case VITA_POOL_CLS:
          out[d] = cls[d];
          break;
        case VITA_POOL_MEAN:
          out[d] = (float) m;
          break;
        case VITA_POOL_CLS_MEAN:
        case VITA_POOL_TOKEN:
        default:
          out[d] = (float) (0.5 * (cls[d] + m));
          break;
        }
    }
}

/* logits (B, C) = x (B, D) · W^T + b, then the activation in place. */
static void
forward (const float *w, const float *b, VitaProbeActivation act, const float *x, gsize B,
         int D, int C, float *out)
{
  for (gsize i = 0; i < B; i++)
    memcpy (out + i * C, b, C * sizeof (float));
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) B, C, D, 1.0f, x, D, w, D, 1.0f,
               out, C);
  for (gsize i = 0; i < B; i++)
    {
      float *o = out + i * C;
      if (act == VITA_PROBE_SOFTMAX)
        {
          float mx = o[0];
          for (int c = 1; c < C; c++)
            mx = MAX (mx, o[c]);
          double s = 0;
          for (int c = 0; c < C; c++)
            {
              o[c] = expf (o[c] - mx);
              s += o[c];
            }
          for (int c = 0; c < C; c++)
            o[c] = (float) (o[c] / s);
        }
      else
        for (int c = 0; c < C; c++)
          o[c] = 1.0f / (1.0f + expf (-o[c]));
    }
}

void
vita_probe_predict (const VitaProbe *p, const float *x, gsize n, float *out)
{
  /* in chunks: bounded scratch is not needed (out is the caller's), one sgemm per chunk */
  const gsize chunk = 4096;
  for (gsize i = 0; i < n; i += chunk)
    forward (p->weight, p->bias, p->activation, x + i * p->dim, MIN (chunk, n - i), p->dim,
             p->n_classes, out + i * p->n_classes);
}

void
vita_probe_predict_analysis (const VitaProbe *p, const VitaAnalysis *an, int layer, float *out)
{
  g_return_if_fail (p != NULL && an != NULL && an->tokens != NULL && p->dim == an->cfg.dim);
  g_return_if_fail (layer >= 0 && layer < an->n_layers);
  const int chunk = 4096;
  g_autofree float *x = g_new (float, (gsize) MIN (chunk, an->n_frames) * p->dim);
  for (int i = 0; i < an->n_frames; i += chunk)
    {
      int n = MIN (chunk, an->n_frames - i);
      vita_analysis_read_tokens (an, layer, i, n, x);
      forward (p->weight, p->bias, p->activation, x, n, p->dim, p->n_classes,
               out + (gsize) i * p->n_classes);
    }
}

void
vita_probe_predict_ref (const VitaProbe *p, const float *x, gsize n, float *out)
{
  int C = p->n_classes, D = p->dim;
  for (gsize i = 0; i < n; i++)
    {
      double z[C > 0 ? C : 1], mx = -INFINITY, s = 0;
      for (int c = 0; c < C; c++)
        {
          double a = p->bias[c];
          for (int d = 0; d < D; d++)
            a += (double) p->weight[(gsize) c * D + d] * x[i * D + d];
          z[c] = a;
          mx = MAX (mx, a);
        }
      for (int c = 0; c < C; c++)
        {
          if (p->activation == VITA_PROBE_SOFTMAX)
            {
              z[c] = exp (z[c] - mx);
              s += z[c];
            }
          else
            z[c] = 1.0 / (1.0 + exp (-z[c]));
        }
      for (int c = 0; c < C; c++)
        out[i * C + c] = (float) (p->activation == VITA_PROBE_SOFTMAX ? z[c] / s : z[c]);
    }
}

void
vita_probe_argmax (const float *prob, gsize n, int C, int *out)
{
  for (gsize i = 0; i < n; i++)
    {
      int best = 0;
      for (int c = 1; c < C; c++)
        if (prob[i * C + c] > prob[i * C + best])
          best = c;
      out[i] = best;
    }
}

gboolean
vita_probe_train (VitaProbe *p, const float *x, gsize n, const int *labels,
                  const float *targets, const VitaProbeTrainOptions *opt_in, float *final_loss,
                  GError **error)
{
  VitaProbeTrainOptions opt;
  if (opt_in)
    opt = *opt_in;
  else
    vita_probe_train_options_init (&opt);
  const int D = p->dim, C = p->n_classes;
  const gboolean softmax = p->activation == VITA_PROBE_SOFTMAX;
  g_return_val_if_fail (softmax ? labels != NULL : targets != NULL, FALSE);

  /* usable samples */
  g_autofree gsize *idx = g_new (gsize, MAX (n, 1));
  gsize m = 0;
  for (gsize i = 0; i < n; i++)
    {
      if (softmax && (labels[i] < 0 || labels[i] >= C))
        continue;
      idx[m++] = i;
    }
  if (m == 0)
    {
      g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_MISMATCH,
                   "probe '%s': no labelled sample to train on", p->task);
      return FALSE;
    }

  /* standardisation statistics (double accumulation) */
  g_autofree double *mean = g_new0 (double, D);
  g_autofree double *var = g_new0 (double, D);
  for (gsize k = 0; k < m; k++)
    {
      const float *xi = x + idx[k] * D;
      for (int d = 0; d < D; d++)
        {
          if (!isfinite (xi[d]))
            {
              g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_NONFINITE,
                           "probe '%s': feature %d of sample %zu is not finite", p->task, d,
                           idx[k]);
              return FALSE;
            }
          mean[d] += xi[d];
        }
    }
  for (int d = 0; d < D; d++)
    mean[d] /= m;
  for (gsize k = 0; k < m; k++)
    for (int d = 0; d < D; d++)
      {
        double v = x[idx[k] * D + d] - mean[d];
        var[d] += v * v;
      }
  g_autofree float *inv_std = g_new (float, D);
  for (int d = 0; d < D; d++)
    inv_std[d] = (float) (1.0 / sqrt (var[d] / m + 1e-8));

  /* sigmoid: positive weights per class from the training targets */
  g_autofree float *pos_w = g_new (float, C);
  for (int c = 0; c < C; c++)
    pos_w[c] = 1.0f;
  if (!softmax && opt.max_pos_weight > 1.0f)
    for (int c = 0; c < C; c++)
      {
        double pos = 0;
        for (gsize k = 0; k < m; k++)
          pos += targets[idx[k] * C + c];
        double neg = m - pos;
        if (pos > 0)
          pos_w[c] = (float) CLAMP (neg / pos, 1.0, opt.max_pos_weight);
      }

  /* parameters in standardised space; one buffer per role (llm.c manner) */
  const gsize np = (gsize) C * D + C;
  g_autofree float *params = g_new0 (float, np);   /* W (C, D) then b (C) */
  g_autofree float *grads = g_new0 (float, np);
  g_autofree float *adam_m = g_new0 (float, np);
  g_autofree float *adam_v = g_new0 (float, np);
  float *W = params, *b = params + (gsize) C * D;
  float *dW = grads, *db = grads + (gsize) C * D;

  const int B = MAX (1, opt.batch);
  g_autofree float *xb = g_new (float, (gsize) B * D);
  g_autofree float *pb = g_new (float, (gsize) B * C);
  g_autoptr(GRand) rng = g_rand_new_with_seed (opt.seed);
  /* small random init breaks symmetry for softmax; deterministic for the seed */
  for (gsize i = 0; i < (gsize) C * D; i++)
    W[i] = (float) ((g_rand_double (rng) - 0.5) * 0.02);

  const float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
  int step = 0;
  double epoch_loss = 0;
  for (int epoch = 0; epoch < opt.epochs; epoch++)
    {
      /* Fisher–Yates shuffle of the usable samples */
      for (gsize k = m; k > 1; k--)
        {
          gsize j = (gsize) g_rand_int_range (rng, 0, (gint32) MIN (k, G_MAXINT32));
          gsize t = idx[k - 1];
          idx[k - 1] = idx[j];
          idx[j] = t;
        }
      epoch_loss = 0;
      for (gsize start = 0; start < m; start += B)
        {
          gsize nb = MIN ((gsize) B, m - start);
          for (gsize k = 0; k < nb; k++)
            {
              const float *xi = x + idx[start + k] * D;
              float *o = xb + k * D;
              for (int d = 0; d < D; d++)
                o[d] = (float) ((xi[d] - mean[d]) * inv_std[d]);
            }
          forward (W, b, p->activation, xb, nb, D, C, pb);
          /* dlogits (nb, C), in pb, scaled by 1/nb; loss accumulated */
          double loss = 0;
          for (gsize k = 0; k < nb; k++)
            {
              gsize i = idx[start + k];
              float *g = pb + k * C;
              if (softmax)
                {
                  int y = labels[i];
                  loss -= log (MAX (g[y], 1e-12f));
                  g[y] -= 1.0f;
                }
              else
                for (int c = 0; c < C; c++)
                  {
                    float y = targets[i * C + c], pr = g[c];
                    loss -= pos_w[c] * y * log (MAX (pr, 1e-12f)) +
                            (1 - y) * log (MAX (1 - pr, 1e-12f));
                    g[c] = pos_w[c] * y * (pr - 1) + (1 - y) * pr;
                  }
              for (int c = 0; c < C; c++)
                g[c] /= (float) nb;
            }
          epoch_loss += loss;
          /* dW (C, D) = dlogits^T (C, nb) · xb (nb, D); db = column sums */
          cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, C, D, (int) nb, 1.0f, pb, C, xb,
                       D, 0.0f, dW, D);
          for (int c = 0; c < C; c++)
            {
              float s = 0;
              for (gsize k = 0; k < nb; k++)
                s += pb[k * C + c];
              db[c] = s;
            }
          step++;
          float bc1 = 1.0f - powf (beta1, step), bc2 = 1.0f - powf (beta2, step);
          for (gsize i = 0; i < np; i++)
            {
              adam_m[i] = beta1 * adam_m[i] + (1 - beta1) * grads[i];
              adam_v[i] = beta2 * adam_v[i] + (1 - beta2) * grads[i] * grads[i];
              float mh = adam_m[i] / bc1, vh = adam_v[i] / bc2;
              float wd = i < (gsize) C * D ? opt.weight_decay : 0.0f;
              params[i] -= opt.lr * (mh / (sqrtf (vh) + eps) + wd * params[i]);
            }
        }
      epoch_loss /= m;
      if (!isfinite (epoch_loss))
        {
          g_set_error (error, VITA_MODEL_ERROR, VITA_MODEL_ERROR_NONFINITE,
                       "probe '%s': loss diverged at epoch %d", p->task, epoch + 1);
          return FALSE;
        }
    }

  /* fold the standardisation: W x_std + b = (W / std) x + (b - Σ W mean / std) */
  for (int c = 0; c < C; c++)
    {
      double bias = b[c];
      for (int d = 0; d < D; d++)
        {
          float w = W[(gsize) c * D + d] * inv_std[d];
          p->weight[(gsize) c * D + d] = w;
          bias -= (double) w * mean[d];
        }
      p->bias[c] = (float) bias;
    }
  if (final_loss)
    *final_loss = (float) epoch_loss;
  return TRUE;
}
