/* vita-adamw.c — AdamW and the learning-rate / weight-decay schedules.
 * The update follows torch.optim.AdamW (PyTorch 1.13, _single_tensor_adamw) operation
 * by operation, so that the golden test can compare 10 steps; the schedules follow
 * the DINO / data2vec convention (linear warm-up, then cosine; weight decay on its own
 * cosine from wd_start to wd_end over the run). */
#include "vita-train.h"

#include <math.h>

void
vita_schedule_init_default (VitaSchedule *s, gint64 total_steps)
{
  *s = (VitaSchedule) {
    .lr = 5e-4f,
    .lr_min = 1e-6f,
    .warmup_steps = MIN (200, MAX (1, total_steps / 10)),
    .total_steps = MAX (1, total_steps),
    .wd_start = 0.04f,
    .wd_end = 0.01f,
    .beta1 = 0.9f,
    .beta2 = 0.98f,
    .eps = 1e-8f,
    .clip_norm = 3.0f,
  };
}

float
vita_schedule_lr (const VitaSchedule *s, gint64 step)
{
  if (step < s->warmup_steps)
    return (float) ((double) s->lr * (double) (step + 1) / (double) s->warmup_steps);
  double span = (double) MAX (1, s->total_steps - s->warmup_steps);
  double progress = MIN (1.0, (double) (step - s->warmup_steps) / span);
  return (float) (s->lr_min + 0.5 * ((double) s->lr - s->lr_min) * (1.0 + cos (G_PI * progress)));
}

float
vita_schedule_wd (const VitaSchedule *s, gint64 step)
{
  double progress = MIN (1.0, (double) step / (double) MAX (1, s->total_steps));
  return (float) (s->wd_end + 0.5 * ((double) s->wd_start - s->wd_end) * (1.0 + cos (G_PI * progress)));
}

void
vita_adamw_update (float *param, const float *grad, float *m, float *v, gsize n,
                   float lr, float beta1, float beta2, float eps, float wd, gint64 t)
{
  /* Python floats are doubles: torch computes these scalars in double */
  const double bc1 = 1.0 - pow (beta1, (double) t);
  const double bc2 = 1.0 - pow (beta2, (double) t);
  const float step_size = (float) (lr / bc1);
  const float bc2_sqrt = (float) sqrt (bc2);
  const float decay = (float) (1.0 - (double) lr * wd);
  const float one_m_b1 = (float) (1.0 - beta1);
  const float one_m_b2 = (float) (1.0 - beta2);
  for (gsize i = 0; i < n; i++)
    {
      float g = grad[i];
      float p = param[i] * decay;
      float mi = m[i] * beta1 + g * one_m_b1;
      float vi = v[i] * beta2 + g * g * one_m_b2;
      float denom = sqrtf (vi) / bc2_sqrt + eps;
      m[i] = mi;
      v[i] = vi;
      param[i] = p - step_size * (mi / denom);
    }
}

float
vita_adamw_step_vit (VitaVit *vit, float *grads, float *m, float *v,
                     const VitaSchedule *s, gint64 step)
{
  double ss = 0;
  for (gsize i = 0; i < vit->num_params; i++)
    ss += (double) grads[i] * grads[i];
  const float norm = (float) sqrt (ss);
  if (s->clip_norm > 0 && norm > s->clip_norm)
    {
      /* torch.nn.utils.clip_grad_norm_: coef = max_norm / (norm + 1e-6), clamped to 1 */
      const float coef = (float) (s->clip_norm / ((double) norm + 1e-6));
      for (gsize i = 0; i < vit->num_params; i++)
        grads[i] *= coef;
    }

  const float lr = vita_schedule_lr (s, step);
  const float wd = vita_schedule_wd (s, step);
  gsize off = 0;
  for (int k = 0; k < VITA_VIT_N_PARAM_TENSORS; k++)
    {
      gsize n = vit->sizes[k];
      if (n)
        vita_adamw_update (vit->memory + off, grads + off, m + off, v + off, n, lr,
                           s->beta1, s->beta2, s->eps,
                           vita_vit_param_no_decay (k) ? 0.0f : wd, step + 1);
      off += n;
    }
  return norm;
}
